"""Minimal safetensors reader and writer in pure Python + numpy.

Layout of a safetensors file:
    8 bytes   little-endian u64 N, the length of the header
    N bytes   UTF-8 JSON: {name: {"dtype", "shape", "data_offsets": [begin, end]}, ...,
              "__metadata__": {str: str}}; offsets are relative to the first byte after the header
    rest      raw little-endian tensor data, row-major

Only the dtypes this project uses are handled: F32, F64, I32, I64 (PyTorch's long: class ids,
token ids, lengths). Anything else is refused by name.
"""
import json
import os
import struct

import numpy as np

DTYPES = {'F32': np.dtype('<f4'), 'F64': np.dtype('<f8'), 'I32': np.dtype('<i4'), 'I64': np.dtype('<i8')}


class SafetensorsError(ValueError):
    """A file that is not a well-formed safetensors file of the dtypes above."""


def _dtype_name(arr):
    for name, dt in DTYPES.items():
        if arr.dtype == dt or arr.dtype == dt.newbyteorder('='):
            return name
    raise SafetensorsError(f'unsupported numpy dtype {arr.dtype} (expected float32, float64, int32 or int64)')


def save(path, tensors, metadata=None):
    """Write `tensors` ({name: ndarray of float32/float64/int32/int64}) and string `metadata` to `path`.

    Tensors are laid out in name order; the header is padded with spaces to a multiple of 8 bytes
    so that the data starts aligned, as the reference implementation does.
    """
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise SafetensorsError(f'metadata must map str to str, received {k!r}: {v!r}')
        header['__metadata__'] = dict(metadata)
    blobs = []
    offset = 0
    for name in sorted(tensors):
        if name == '__metadata__':
            raise SafetensorsError('"__metadata__" is not a valid tensor name')
        arr = np.asarray(tensors[name])
        dname = _dtype_name(arr)
        data = np.ascontiguousarray(arr, dtype=DTYPES[dname]).tobytes()
        header[name] = {'dtype': dname, 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hbytes = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hbytes += b' ' * ((-len(hbytes)) % 8)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(hbytes)))
        f.write(hbytes)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load(path):
    """Read `path`; return (tensors, metadata, dtypes): {name: ndarray}, {str: str}, {name: 'F32'|...}.

    Arrays keep their stored dtype (native byte order); checks that every tensor's byte range
    matches its shape and dtype and that the ranges tile the data section.
    """
    with open(path, 'rb') as f:
        raw = f.read()
    return loads(raw, str(path))


def loads(raw, where='<bytes>'):
    if len(raw) < 8:
        raise SafetensorsError(f'{where}: too short for a safetensors header ({len(raw)} bytes)')
    (n,) = struct.unpack('<Q', raw[:8])
    if 8 + n > len(raw):
        raise SafetensorsError(f'{where}: header length {n} exceeds the file size {len(raw)}')
    try:
        header = json.loads(raw[8:8 + n].decode('utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f'{where}: header is not valid JSON: {e}') from e
    if not isinstance(header, dict):
        raise SafetensorsError(f'{where}: header must be a JSON object')
    data = raw[8 + n:]
    metadata = header.pop('__metadata__', None) or {}
    tensors, dtypes, ranges = {}, {}, []
    for name, info in header.items():
        try:
            dname, shape, (begin, end) = info['dtype'], info['shape'], info['data_offsets']
        except (KeyError, TypeError, ValueError) as e:
            raise SafetensorsError(f'{where}: tensor "{name}" has a malformed header entry {info!r}') from e
        if dname not in DTYPES:
            raise SafetensorsError(f'{where}: tensor "{name}" has dtype {dname}, expected one of {list(DTYPES)}')
        dt = DTYPES[dname]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if not (0 <= begin <= end <= len(data)) or end - begin != count * dt.itemsize:
            raise SafetensorsError(
                f'{where}: tensor "{name}" data_offsets [{begin}, {end}] do not hold {dname} {shape} '
                f'({count * dt.itemsize} bytes) inside {len(data)} data bytes')
        arr = np.frombuffer(data, dtype=dt, count=count, offset=begin).reshape(shape)
        tensors[name] = arr.astype(dt.newbyteorder('='))
        dtypes[name] = dname
        ranges.append((begin, end))
    pos = 0
    for begin, end in sorted(ranges):
        if begin != pos:
            raise SafetensorsError(f'{where}: tensor data is not contiguous (gap or overlap at byte {pos})')
        pos = end
    if pos != len(data):
        raise SafetensorsError(f'{where}: {len(data) - pos} trailing bytes after the last tensor')
    return tensors, metadata, dtypes
