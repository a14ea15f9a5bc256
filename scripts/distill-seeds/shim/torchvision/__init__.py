# Minimal stand-in for torchvision (not installed here): only what the ARM code's MNIST path uses.
from . import datasets, transforms
