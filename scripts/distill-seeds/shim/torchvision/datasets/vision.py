import torch.utils.data
class VisionDataset(torch.utils.data.Dataset):
  def __init__(self, root, transform=None, target_transform=None):
    self.root = root; self.transform = transform; self.target_transform = target_transform
