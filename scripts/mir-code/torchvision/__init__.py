# Offline stand-in for torchvision: only what data.py touches for MNIST (no internet here).
from . import datasets, transforms, utils
