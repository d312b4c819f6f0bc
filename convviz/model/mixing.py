"""The 1×1 explorer's maths and data: the mixing matrix W, its presets and checks, per-pixel steps, and costs.

Shapes follow the book: X is (c_i, h, w); W is (c_o, c_i), the 1×1 kernel K (c_o, c_i, 1, 1) without its two
unit axes; Y is (c_o, h, w). A 1×1 convolution computes y[:, i, j] = W · x[:, i, j] at every pixel (i, j).
No Streamlit and no Plotly here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import corr2d_multi_in_out, corr2d_multi_in_out_1x1
from convviz.core.geometry import Geometry, conv_geometry
from convviz.i18n.strings import text
from convviz.model.steps import step_table

MAX_CHANNELS = 8
MAX_SIDE = 16
INPUT_MAX = 9  # input values are whole numbers 0..9: easy to multiply in one's head
WEIGHT_LIMIT = 1000.0  # |W[o, c]| at most this: the numbers stay readable and far from float32 overflow
MAX_TEXT_CHARS = 4000  # an edited matrix longer than this is refused before it is parsed
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights of R, G and B in a grey picture
PRESETS = ("identity", "swap", "grey", "average", "random")
TOLERANCE = 1e-5  # the two paths must agree to 1e-5 × max(1, max |Y|): float32 sums in a different order


# ---- the data ----


def input_image(c_in: int, h: int, w: int, seed: int) -> np.ndarray:
    """X (c_i, h, w): smooth waves of whole numbers 0..9, one per channel, deterministic from `seed`.

    With three channels the waves read as an RGB picture, so presets such as "swap" and "grey" show.
    """
    rng = np.random.default_rng([seed, 0])
    angle = rng.uniform(0.0, 2 * math.pi, size=(c_in, 1, 1))  # direction of each channel's wave
    cycles = rng.uniform(0.4, 0.9, size=(c_in, 1, 1))  # waves across the picture
    phase = rng.uniform(0.0, 2 * math.pi, size=(c_in, 1, 1))
    rows = np.linspace(0.0, 1.0, h)[np.newaxis, :, np.newaxis]  # (1, h, 1)
    cols = np.linspace(0.0, 1.0, w)[np.newaxis, np.newaxis, :]  # (1, 1, w)
    along = np.cos(angle) * cols + np.sin(angle) * rows  # (c_i, h, w)
    wave = 0.5 + 0.5 * np.cos(2 * math.pi * cycles * along + phase)
    return np.round(INPUT_MAX * wave)  # (c_i, h, w)


def preset_matrix(preset: str, c_out: int, c_in: int, seed: int) -> np.ndarray:
    """W (c_o, c_i) for a named preset.

    identity: output o copies input o (zeros where there is no such input).
    swap: output o copies input c_i − 1 − o (wrapping round): the channel order reversed, RGB → BGR.
    grey: every output is the luma 0.299 R + 0.587 G + 0.114 B of channels 0, 1, 2 (others weigh 0);
          with fewer than three inputs there are no R, G, B, so it falls back to the average.
    average: every output is the mean of the inputs.
    random: weights −1.0..1.0 in steps of 0.1, deterministic from `seed`.
    """
    if preset == "identity":
        return np.eye(c_out, c_in)
    if preset == "swap":
        W = np.zeros((c_out, c_in))
        W[np.arange(c_out), (c_in - 1 - np.arange(c_out)) % c_in] = 1.0
        return W
    if preset == "grey" and c_in >= 3:
        W = np.zeros((c_out, c_in))
        W[:, :3] = LUMA
        return W
    if preset in ("grey", "average"):
        return np.full((c_out, c_in), 1.0 / c_in)
    if preset == "random":
        rng = np.random.default_rng([seed, 1])
        return np.round(rng.uniform(-1.0, 1.0, size=(c_out, c_in)), 1)
    raise ValueError(f"Unknown preset {preset!r}: choose one of {', '.join(PRESETS)}.")


# ---- reading and writing an edited W ----


def number_text(value: float, digits: int = 4) -> str:
    """A short text for a weight: at most `digits` significant digits, no trailing zeros, no "-0"."""
    out = f"{float(value):.{digits}g}"
    return "0" if out == "-0" else out


def matrix_to_text(W: np.ndarray, digits: int = 4) -> str:
    """W as editable text: one row per line, numbers separated by commas."""
    return "\n".join(", ".join(number_text(v, digits) for v in row) for row in np.asarray(W))


def matrix_to_param(W: np.ndarray) -> str:
    """W as a compact URL value, rows separated by ";": "1,0,0;0,1,0". Exact for what `parse_matrix` reads."""
    return ";".join(",".join(number_text(v, 17) for v in row) for row in np.asarray(W))


def parse_matrix(source: str, c_out: int, c_in: int) -> np.ndarray:
    """Read W (c_o, c_i) from text: rows on separate lines or separated by ";", numbers by commas or spaces.

    Raises ValueError with a sentence for the user when the text is not c_o rows of c_i finite numbers.
    """
    if len(source) > MAX_TEXT_CHARS:
        raise ValueError(text("mix_err_too_long", limit=MAX_TEXT_CHARS))
    lines = [line.strip() for line in re.split(r"[;\n]", source)]
    rows = [line for line in lines if line]
    if len(rows) != c_out:
        raise ValueError(text("mix_err_row_count", expected=c_out, got=len(rows)))
    W = np.empty((c_out, c_in))
    for o, row in enumerate(rows):
        cells = [cell for cell in re.split(r"[,\s]+", row) if cell]
        if len(cells) != c_in:
            raise ValueError(text("mix_err_col_count", row=o, expected=c_in, got=len(cells)))
        for c, cell in enumerate(cells):
            try:
                value = float(cell)
            except ValueError:
                raise ValueError(text("mix_err_not_number", row=o, col=c, cell=cell[:20])) from None
            if not math.isfinite(value):
                raise ValueError(text("mix_err_not_finite", row=o, col=c, cell=cell[:20]))
            if abs(value) > WEIGHT_LIMIT:
                raise ValueError(text("mix_err_too_big", row=o, col=c, cell=cell[:20], limit=f"{WEIGHT_LIMIT:g}"))
            W[o, c] = value
    return W


# ---- one pixel at a time: the step model ----


@dataclass(frozen=True)
class PixelSteps:
    """One step per pixel, in row-major order (n = h * w): what the 1×1 kernel sees and writes there."""

    h: int
    w: int
    inputs: np.ndarray  # (n, c_i): x[:, i, j]
    products: np.ndarray  # (n, c_o, c_i): W[o, c] * x[c]
    outputs: np.ndarray  # (n, c_o): y[:, i, j] = W · x, the row sums of the products

    def index(self, row: int, col: int) -> int:
        """The step that visits pixel (row, col)."""
        return row * self.w + col


def pixel_steps(X: np.ndarray, W: np.ndarray) -> PixelSteps:
    """Every pixel's x, W[o, c]·x[c] and y, from the shared step model with K = W as a (c_o, c_i, 1, 1) kernel."""
    c_i, h, w = X.shape
    table = step_table(X, np.asarray(W)[:, :, np.newaxis, np.newaxis])  # K (c_o, c_i, 1, 1)
    return PixelSteps(
        h=h,
        w=w,
        inputs=table.X_padded.reshape(c_i, h * w).T,  # (c_i, h, w) -> (c_i, h*w) -> (h*w, c_i)
        products=table.products[:, :, :, 0, 0],  # (n, c_o, c_i, 1, 1) -> (n, c_o, c_i)
        outputs=table.outputs,  # (n, c_o)
    )


# ---- the whole layer as one matrix product ----


@dataclass(frozen=True)
class MatmulCheck:
    """The 1×1 convolution as (c_o, c_i) @ (c_i, h*w), and the general path's answer beside it."""

    X_flat: np.ndarray  # (c_i, h*w): column i*w + j is pixel (i, j)
    Y_flat: np.ndarray  # (c_o, h*w) = W @ X_flat
    Y_1x1: np.ndarray  # (c_o, h, w): corr2d_multi_in_out_1x1
    Y_general: np.ndarray  # (c_o, h, w): corr2d_multi_in_out with K = W as a 1×1 kernel
    max_abs_diff: float
    tolerance: float

    @property
    def agrees(self) -> bool:
        return self.max_abs_diff <= self.tolerance


def matmul_check(X: np.ndarray, W: np.ndarray) -> MatmulCheck:
    """Run both paths of the notebook's check and compare them with a tolerance, not `==`."""
    c_i, h, w = X.shape
    K = np.asarray(W)[:, :, np.newaxis, np.newaxis]  # (c_o, c_i) -> (c_o, c_i, 1, 1)
    Y_1x1 = corr2d_multi_in_out_1x1(X, K).numpy()  # (c_o, h, w)
    Y_general = corr2d_multi_in_out(X, K).numpy()  # (c_o, h, w)
    scale = max(1.0, float(np.max(np.abs(Y_general))))
    return MatmulCheck(
        X_flat=np.asarray(X).reshape(c_i, h * w),  # (c_i, h, w) -> (c_i, h*w)
        Y_flat=Y_1x1.reshape(Y_1x1.shape[0], h * w),  # (c_o, h, w) -> (c_o, h*w)
        Y_1x1=Y_1x1,
        Y_general=Y_general,
        max_abs_diff=float(np.max(np.abs(Y_1x1 - Y_general))),
        tolerance=TOLERANCE * scale,
    )


# ---- what a layer costs ----


def layer_geometry(c_in: int, c_out: int, h: int, w: int, k: int, bias: bool = False) -> Geometry:
    """A k×k layer from c_in to c_out channels on h×w pixels, padded by (k − 1) / 2 so the size stays h×w.

    For an even k no equal padding keeps the size; the output is then one pixel smaller per axis.
    """
    return conv_geometry((c_in, h, w), (c_out, c_in, k, k), padding=(k - 1) // 2, bias=bias)


@dataclass(frozen=True)
class Bottleneck:
    """A direct k×k layer c → c beside the bottleneck: a 1×1 layer c → c_mid, then a k×k layer c_mid → c."""

    direct: Geometry
    reduce: Geometry  # the 1×1 layer
    expand: Geometry  # the k×k layer on fewer channels

    @property
    def params(self) -> int:
        return self.reduce.params + self.expand.params

    @property
    def mult_adds(self) -> int:
        return self.reduce.mult_adds + self.expand.mult_adds

    @property
    def params_saving(self) -> float:
        """How many times fewer parameters the bottleneck needs."""
        return self.direct.params / self.params

    @property
    def mult_adds_saving(self) -> float:
        return self.direct.mult_adds / self.mult_adds


def bottleneck(
    channels: int = 256, reduced: int = 64, k: int = 3, h: int = 28, w: int = 28, bias: bool = False
) -> Bottleneck:
    """The worked example: channels → (1×1) → reduced → (k×k) → channels, against k×k channels → channels."""
    return Bottleneck(
        direct=layer_geometry(channels, channels, h, w, k, bias),
        reduce=layer_geometry(channels, reduced, h, w, 1, bias),
        expand=layer_geometry(reduced, channels, h, w, k, bias),
    )
