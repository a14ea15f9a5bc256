# Minimal stand-in for torchvision (not installed here): what the ARM code imports (its MNIST and CIFAR10 paths).
from . import datasets, transforms
