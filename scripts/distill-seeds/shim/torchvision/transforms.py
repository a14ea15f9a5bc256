class ToTensor: pass
class Resize:
  def __init__(self,*a): pass
class CenterCrop:
  def __init__(self,*a): pass
class Compose:
  def __init__(self,*a): pass
