"""The offline classifier: its weights reader is safe, and its ONNX graph computes the real network.

The graph check rebuilds EfficientNet-Lite0 a second, independent way in plain PyTorch (weights
from ``torch.load``, batch norm unfolded, lukemelas' dynamic "SAME" padding) and compares logits
on real photos. torch is a test-only dependency (requirements-test-extra.txt); the test fails,
never skips, when it is missing, so CI cannot pass it silently.
"""

from __future__ import annotations

import math
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.captions.vision import efficientnet
from core.captions.vision.torch_pickle import (
    LEGACY_MAGIC,
    LEGACY_PROTOCOL,
    ForbiddenGlobal,
    WeightsFileError,
    load_legacy_state_dict,
    restricted_loads,
)
from tests.helpers.imaging import SAMPLE_PHOTOS, sample_photo

REPO = Path(__file__).resolve().parents[1]


# --- a tiny legacy .pth writer, so the reader can be tested on files we control -----------------


def _global(module: str, name: str) -> bytes:
    return f"c{module}\n{name}\n".encode()


def _str(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _int(n: int) -> bytes:
    return b"J" + struct.pack("<i", n)


def _tuple(items) -> bytes:
    return b"(" + b"".join(items) + b"t"


def _tensor(key: str, numel: int, offset: int, shape, stride) -> bytes:
    pid = _tuple([_str("storage"), _global("torch", "FloatStorage"), _str(key), _str("cpu"), _int(numel), b"N"]) + b"Q"
    hooks = _global("collections", "OrderedDict") + b")R"
    args = [pid, _int(offset), _tuple(map(_int, shape)), _tuple(map(_int, stride)), b"\x89", hooks]
    return _global("torch._utils", "_rebuild_tensor_v2") + _tuple(args) + b"R"


def write_legacy_pth(
    path: Path, storage: np.ndarray, tensors: dict[str, tuple], state_pickle: bytes | None = None
) -> None:
    """One float32 storage "0" and tensors viewing it: {name: (offset, shape, stride)}."""
    items = b"".join(_str(name) + _tensor("0", storage.size, *view) for name, view in tensors.items())
    state = b"\x80\x02" + _global("collections", "OrderedDict") + b")R(" + items + b"u."
    sys_info = {
        "protocol_version": LEGACY_PROTOCOL,
        "little_endian": True,
        "type_sizes": {"short": 2, "int": 4, "long": 8},
    }
    with open(path, "wb") as f:
        for header in (LEGACY_MAGIC, LEGACY_PROTOCOL, sys_info):
            pickle.dump(header, f, protocol=2)
        f.write(state_pickle if state_pickle is not None else state)
        pickle.dump(["0"], f, protocol=2)
        f.write(struct.pack("<q", storage.size) + storage.astype("<f4").tobytes())


class _RunsShell:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# --- the reader -----------------------------------------------------------------------------------


def test_reader_honours_strides_of_transposed_tensors(tmp_path):
    storage = np.arange(6, dtype=np.float32)
    path = tmp_path / "tiny.pth"
    write_legacy_pth(
        path, storage, {"plain": (0, (2, 3), (3, 1)), "transposed": (0, (3, 2), (1, 3)), "tail": (4, (2,), (1,))}
    )
    state = load_legacy_state_dict(str(path))
    np.testing.assert_array_equal(state["plain"], storage.reshape(2, 3))
    np.testing.assert_array_equal(state["transposed"], storage.reshape(2, 3).T)
    np.testing.assert_array_equal(state["tail"], [4, 5])


def test_reader_refuses_a_pickle_that_calls_os_system(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsShell(marker), protocol=2)
    with pytest.raises(ForbiddenGlobal, match="system"):
        restricted_loads(payload)
    path = tmp_path / "evil.pth"
    write_legacy_pth(path, np.zeros(1, np.float32), {}, state_pickle=payload)
    with pytest.raises(ForbiddenGlobal):
        load_legacy_state_dict(str(path))
    assert not marker.exists()


@pytest.mark.parametrize(
    "module, name", [("builtins", "eval"), ("torch", "load"), ("numpy", "frombuffer"), ("subprocess", "Popen")]
)
def test_reader_refuses_every_global_outside_the_allow_list(module, name):
    with pytest.raises(ForbiddenGlobal):
        restricted_loads(b"\x80\x02" + _global(module, name) + b".")


def test_reader_refuses_a_tensor_reaching_past_its_storage(tmp_path):
    path = tmp_path / "overrun.pth"
    write_legacy_pth(path, np.zeros(4, np.float32), {"w": (0, (4, 4), (4, 1))})
    with pytest.raises(WeightsFileError, match="past the end"):
        load_legacy_state_dict(str(path))


def test_reader_refuses_a_file_that_is_not_a_legacy_checkpoint(tmp_path):
    path = tmp_path / "not.pth"
    path.write_bytes(pickle.dumps({"hello": 1}, protocol=2))
    with pytest.raises(WeightsFileError):
        load_legacy_state_dict(str(path))


# --- the graph -----------------------------------------------------------------------------------


def test_the_app_path_never_imports_torch():
    code = (
        "import sys; from core.captions.vision import efficientnet as e; e.session(); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_same_padding_puts_the_odd_pixel_after():
    assert efficientnet.same_pads(224, 3, 2) == (0, 1)
    assert efficientnet.same_pads(56, 5, 2) == (1, 2)
    assert efficientnet.same_pads(28, 5, 1) == (2, 2)


def _require_torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - CI installs it
        pytest.fail("torch is needed for the reference check: pip install -r requirements-test-extra.txt")
    return torch


def _torch_reference_logits(torch, state: dict, pixels: np.ndarray) -> np.ndarray:
    """EfficientNet-Lite0 as lukemelas' PyTorch code computes it, written out with torch.nn.functional."""
    F = torch.nn.functional

    def conv_same(x, weight, stride, groups=1):
        ih, iw = x.shape[-2:]
        kh, kw = weight.shape[-2:]
        pad_h = max((math.ceil(ih / stride) - 1) * stride + kh - ih, 0)
        pad_w = max((math.ceil(iw / stride) - 1) * stride + kw - iw, 0)
        x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, weight, stride=stride, groups=groups)

    def bn(x, prefix):
        return F.batch_norm(
            x,
            state[f"{prefix}.running_mean"],
            state[f"{prefix}.running_var"],
            state[f"{prefix}.weight"],
            state[f"{prefix}.bias"],
            training=False,
            eps=1e-3,
        )

    strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]  # the first block of each stage strides
    x = torch.from_numpy(pixels)
    x = F.relu6(bn(conv_same(x, state["_conv_stem.weight"], 2), "_bn0"))
    for i, stride in enumerate(strides):
        p, inputs, h = f"_blocks.{i}", x, x
        if f"{p}._expand_conv.weight" in state:
            h = F.relu6(bn(conv_same(h, state[f"{p}._expand_conv.weight"], 1), f"{p}._bn0"))
        dw = state[f"{p}._depthwise_conv.weight"]
        h = F.relu6(bn(conv_same(h, dw, stride, groups=dw.shape[0]), f"{p}._bn1"))
        h = bn(conv_same(h, state[f"{p}._project_conv.weight"], 1), f"{p}._bn2")
        x = h + inputs if stride == 1 and h.shape == inputs.shape else h
    x = F.relu6(bn(conv_same(x, state["_conv_head.weight"], 1), "_bn1"))
    x = F.adaptive_avg_pool2d(x, 1).flatten(1)
    return F.linear(x, state["_fc.weight"], state["_fc.bias"]).numpy()


@pytest.mark.torch
def test_onnx_graph_matches_a_plain_torch_reference_on_real_photos():
    torch = _require_torch()
    state = torch.load(efficientnet.weights_path(), map_location="cpu", weights_only=True)
    session = efficientnet.session()
    with torch.no_grad():
        for name in SAMPLE_PHOTOS:
            pixels = efficientnet.preprocess(sample_photo(name))
            expected = _torch_reference_logits(torch, state, pixels)
            actual = session.run(["logits"], {"pixels": pixels})[0]
            np.testing.assert_allclose(actual, expected, atol=1e-4, rtol=1e-4, err_msg=name)
            assert actual.argmax() == expected.argmax()


@pytest.mark.torch
def test_reader_agrees_with_torch_load_on_every_tensor():
    torch = _require_torch()
    expected = torch.load(efficientnet.weights_path(), map_location="cpu", weights_only=True)
    actual = load_legacy_state_dict(efficientnet.weights_path())
    assert set(actual) == set(expected)
    for name, tensor in expected.items():
        np.testing.assert_array_equal(actual[name], tensor.numpy(), err_msg=name)


def test_classifier_names_the_sample_photos():
    assert efficientnet.classify(sample_photo("coffee"))[0].label == "espresso"
    assert {g.label for g in efficientnet.classify(sample_photo("chelsea"), top=3)} <= {
        "tiger cat",
        "tabby cat",
        "Egyptian Mau",
    }
