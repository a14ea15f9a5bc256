# A safetensors reader in plain numpy (no safetensors package): prints, per tensor, its name, shape
# and the float64 sum and first value, one line each, then the metadata keys. Used by
# SafeTensorsTest to show that numpy users can read our weights. Usage: python3 read_safetensors.py FILE
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}

with open(sys.argv[1], "rb") as f:
    raw = f.read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
meta = header.pop("__metadata__", {})
for name, info in header.items():
    begin, end = info["data_offsets"]
    a = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    flat = a.reshape(-1)
    print("%s %s %r %r" % (name, "x".join(str(d) for d in a.shape), float(a.astype(np.float64).sum()),
                           float(flat[0]) if flat.size else None))
print("metadata " + ",".join(sorted(meta)))
