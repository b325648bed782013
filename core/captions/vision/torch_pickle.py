"""Read a legacy (pre-1.6) PyTorch ``.pth`` state dict into numpy arrays, without torch.

A ``.pth`` file is a pickle, and unpickling runs whatever callables the file names. So this
reader allows exactly the four globals a plain state dict needs (an ``OrderedDict``, the tensor
rebuilder and two storage types), maps each to an inert numpy stand-in, and refuses anything
else with ``ForbiddenGlobal`` before it can run. Tensor views are bounds-checked against their
storage, because ``as_strided`` would otherwise read past the buffer.

Legacy layout: pickles of the magic number, the protocol version and system info; the state
dict pickle (storages as persistent ids); a pickle of the storage keys, then for each key in
that order an int64 element count followed by the raw little-endian bytes.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER
LEGACY_PROTOCOL = 1001


class WeightsFileError(ValueError):
    """The weights file is not a legacy torch state dict of the shape we expect."""


class ForbiddenGlobal(pickle.UnpicklingError):
    """The pickle names a global outside the allow-list: refused before it could run."""


@dataclass(frozen=True)
class _StorageType:
    dtype: np.dtype


@dataclass(frozen=True)
class _StorageRef:
    key: str
    dtype: np.dtype
    numel: int


@dataclass(frozen=True)
class _TensorRef:
    storage: _StorageRef
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(
    storage: object,
    storage_offset: int,
    size: Iterable[int],
    stride: Iterable[int],
    requires_grad: bool = False,
    hooks: object = None,
    *_: object,
) -> _TensorRef:
    if not isinstance(storage, _StorageRef):
        raise WeightsFileError("A tensor in the weights file does not point at a storage.")
    return _TensorRef(storage, int(storage_offset), tuple(int(n) for n in size), tuple(int(s) for s in stride))


_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch", "FloatStorage"): _StorageType(np.dtype("<f4")),
    ("torch", "LongStorage"): _StorageType(np.dtype("<i8")),
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals; storages become placeholders filled in later."""

    def __init__(self, file: BinaryIO, allowed: dict[tuple[str, str], Any]):
        super().__init__(file)
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise ForbiddenGlobal(f"Refused to load {module}.{name} from a weights file.") from None

    def persistent_load(self, pid: Any) -> Any:
        # ('storage', storage type, key, location, element count, view metadata)
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"):
            raise WeightsFileError(f"Unexpected persistent id in the weights file: {pid!r:.80}")
        _, storage_type, key, _location, numel, view = pid
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str) or not isinstance(numel, int):
            raise WeightsFileError("Malformed storage reference in the weights file.")
        if view is not None:
            raise WeightsFileError("Storage views are not supported in this weights file.")
        return _StorageRef(key, storage_type.dtype, numel)


def restricted_loads(data: bytes) -> Any:
    """Unpickle ``data`` with the state-dict allow-list (the security boundary, also for tests)."""
    return _RestrictedUnpickler(io.BytesIO(data), _ALLOWED_GLOBALS).load()


def _read_header_pickle(f: BinaryIO) -> Any:
    return _RestrictedUnpickler(f, {}).load()  # the header pickles need no globals at all


def _materialise(ref: _TensorRef, buffers: dict[str, np.ndarray]) -> np.ndarray:
    buf = buffers[ref.storage.key]
    if (
        len(ref.shape) != len(ref.stride)
        or ref.offset < 0
        or any(n < 0 or s < 0 for n, s in zip(ref.shape, ref.stride))
    ):
        raise WeightsFileError("A tensor in the weights file has an invalid shape or stride.")
    if 0 in ref.shape:
        return np.zeros(ref.shape, dtype=buf.dtype)
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.shape, ref.stride))
    if last >= buf.size:
        raise WeightsFileError("A tensor in the weights file reaches past the end of its storage.")
    view = np.lib.stride_tricks.as_strided(
        buf[ref.offset :], shape=ref.shape, strides=[s * buf.itemsize for s in ref.stride], writeable=False
    )
    return np.ascontiguousarray(view)  # the converted TF weights are stored in HWIO order


def load_legacy_state_dict(path: str) -> dict[str, np.ndarray]:
    """Every tensor in a legacy ``.pth`` state dict, as contiguous numpy arrays."""
    with open(path, "rb") as f:
        try:
            if _read_header_pickle(f) != LEGACY_MAGIC:
                raise WeightsFileError("Not a legacy torch weights file (wrong magic number).")
            if _read_header_pickle(f) != LEGACY_PROTOCOL:
                raise WeightsFileError("Unsupported torch serialization protocol.")
            sys_info = _read_header_pickle(f)
            if not isinstance(sys_info, dict) or not sys_info.get("little_endian", False):
                raise WeightsFileError("Only little-endian weights files are supported.")
            state = _RestrictedUnpickler(f, _ALLOWED_GLOBALS).load()
            keys = _read_header_pickle(f)
        except ForbiddenGlobal:
            raise
        except (EOFError, pickle.UnpicklingError, struct.error) as exc:
            raise WeightsFileError(f"Could not read the weights file: {exc}") from exc
        if not isinstance(state, dict) or not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise WeightsFileError("The weights file does not hold a state dict.")

        refs = {name: ref for name, ref in state.items() if isinstance(ref, _TensorRef)}
        storages = {ref.storage.key: ref.storage for ref in refs.values()}
        buffers: dict[str, np.ndarray] = {}
        for key in keys:
            (numel,) = struct.unpack("<q", f.read(8))
            storage = storages.get(key)
            if storage is None or numel != storage.numel:
                raise WeightsFileError(f"Storage {key!r} in the weights file does not match its tensors.")
            raw = f.read(numel * storage.dtype.itemsize)
            if len(raw) != numel * storage.dtype.itemsize:
                raise WeightsFileError("The weights file is truncated.")
            buffers[key] = np.frombuffer(raw, dtype=storage.dtype)
        if set(buffers) != set(storages):
            raise WeightsFileError("The weights file lacks some of its storages.")
    return {name: _materialise(ref, buffers) for name, ref in refs.items()}
