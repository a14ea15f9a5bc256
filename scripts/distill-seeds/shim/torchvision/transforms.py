# torchvision.transforms as the ARM code uses them: Compose and ToTensor (CIFAR10 and MiniImageNet
# loaders; MNIST passes no transform). ToTensor as torchvision's: a PIL image or uint8 array H x W x C
# becomes a float32 tensor C x H x W in [0, 1].
import numpy as np
import torch


class Compose:
  def __init__(self, transforms):
    self.transforms = transforms

  def __call__(self, img):
    for t in self.transforms:
      img = t(img)
    return img


class ToTensor:
  def __call__(self, pic):
    a = np.asarray(pic)
    if a.ndim == 2:
      a = a[:, :, None]
    t = torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))
    return t.float().div(255) if t.dtype == torch.uint8 else t.float()


class Resize:
  def __init__(self, *a):
    pass


class CenterCrop:
  def __init__(self, *a):
    pass
