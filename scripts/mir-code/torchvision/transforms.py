class _X:
    def __init__(self, *a, **k): pass
Compose = Resize = CenterCrop = ToTensor = _X
