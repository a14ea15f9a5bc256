from unittest.mock import MagicMock
import types, sys
def use(*a, **k): pass
pyplot = types.ModuleType('matplotlib.pyplot')
pyplot.subplots = lambda *a, **k: (MagicMock(), MagicMock())
pyplot.close = lambda *a, **k: None
sys.modules['matplotlib.pyplot'] = pyplot
