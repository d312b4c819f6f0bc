"""The separable view's maths and data: one full k×k layer beside a depthwise k×k layer followed by a 1×1 layer.

Shapes follow the book: X is (c_i, h, w); the full layer's K is (c_o, c_i, k, k); the depthwise kernel D is
(c_i, 1, k, k), a grouped layer with groups = c_i (channel c is correlated with its own D[c] and nothing else); the
1×1 layer's W is (c_o, c_i). Every layer is padded by (k − 1) / 2, so every map stays h×w (k is odd).
The separable pair (b) equals the full layer whose kernel is K[o, c] = W[o, c] · D[c]: a restricted, low-rank
kernel, not a general one. No Streamlit and no Plotly here.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from convviz.core.correlation import corr2d_multi_in_out, corr2d_multi_in_out_1x1
from convviz.core.geometry import Geometry, conv_geometry

K_OPTIONS = (1, 3, 5, 7)  # odd only: a padding of (k − 1) / 2 keeps every map h×w, so the counts compare exactly
TOLERANCE = 1e-5  # the two routes to (b) agree to 1e-5 × max(1, max |Y|): float32 sums in a different order


def kernels(c_in: int, c_out: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """K (c_o, c_i, k, k) for the full layer and D (c_i, 1, k, k) for the depthwise one: whole numbers −1..1.

    Deterministic from `seed`; small whole numbers keep every output a whole number one can check by hand.
    """
    rng = np.random.default_rng([seed, 2])
    K = rng.integers(-1, 2, size=(c_out, c_in, k, k)).astype(np.float64)
    D = rng.integers(-1, 2, size=(c_in, 1, k, k)).astype(np.float64)
    return K, D


# ---- what each route costs ----


@dataclass(frozen=True)
class SeparableCost:
    """The full k×k layer (a) beside the depthwise k×k layer and the 1×1 layer of (b); no biases counted."""

    full: Geometry
    depthwise: Geometry  # groups = c_i: c_i · 1 · k · k weights
    pointwise: Geometry  # the 1×1 layer: c_o · c_i weights

    @property
    def params(self) -> int:
        return self.depthwise.params + self.pointwise.params

    @property
    def mult_adds(self) -> int:
        return self.depthwise.mult_adds + self.pointwise.mult_adds

    @property
    def formula_ratio(self) -> Fraction:
        """(c_i·k² + c_o·c_i) / (c_o·c_i·k²) = 1/c_o + 1/k²: what (b) costs for each unit (a) costs."""
        return Fraction(1, self.full.c_out) + Fraction(1, self.full.k_h * self.full.k_w)

    @property
    def params_ratio(self) -> Fraction:
        return Fraction(self.params, self.full.params)

    @property
    def mult_adds_ratio(self) -> Fraction:
        return Fraction(self.mult_adds, self.full.mult_adds)


def separable_cost(c_in: int, c_out: int, h: int, w: int, k: int) -> SeparableCost:
    """Shapes and costs of (a) and of (b)'s two layers on an h×w input, each padded by (k − 1) / 2."""
    p = (k - 1) // 2
    return SeparableCost(
        full=conv_geometry((c_in, h, w), (c_out, c_in, k, k), padding=p),
        depthwise=conv_geometry((c_in, h, w), (c_in, 1, k, k), padding=p, groups=c_in),
        pointwise=conv_geometry((c_in, h, w), (c_out, c_in, 1, 1)),
    )


# ---- the two routes through one input ----


@dataclass(frozen=True)
class SeparableResult:
    """Both routes' maps, and the full kernel that route (b) amounts to."""

    Y_full: np.ndarray  # (c_o, h, w): (a), corr2d_multi_in_out(X, K)
    Z: np.ndarray  # (c_i, h, w): the depthwise layer's output, Z[c] = X[c] ⋆ D[c]
    Y_sep: np.ndarray  # (c_o, h, w): (b), W · Z at every pixel
    K_equivalent: np.ndarray  # (c_o, c_i, k, k): K[o, c] = W[o, c] · D[c]
    equivalent_diff: float  # max |Y_sep − corr2d_multi_in_out(X, K_equivalent)|
    tolerance: float
    full_ranks: tuple[int, ...]  # per input channel c: the rank of the full K[:, c] as a (c_o, k²) matrix

    @property
    def agrees(self) -> bool:
        return self.equivalent_diff <= self.tolerance


def separable_layers(X: np.ndarray, K: np.ndarray, D: np.ndarray, W: np.ndarray) -> SeparableResult:
    """Run X (c_i, h, w) through (a) K (c_o, c_i, k, k) and (b) D (c_i, 1, k, k) then W (c_o, c_i)."""
    c_in, k = X.shape[0], K.shape[-1]
    p = (k - 1) // 2
    Y_full = corr2d_multi_in_out(X, K, padding=p).numpy()  # (c_o, h, w)
    Z = corr2d_multi_in_out(X, D, groups=c_in, padding=p).numpy()  # (c_i, h, w): each channel on its own
    W_1x1 = np.asarray(W)[:, :, np.newaxis, np.newaxis]  # (c_o, c_i) -> (c_o, c_i, 1, 1)
    Y_sep = corr2d_multi_in_out_1x1(Z, W_1x1).numpy()  # (c_o, h, w): W · z at every pixel
    K_equivalent = W_1x1 * np.asarray(D)[np.newaxis, :, 0]  # (c_o, c_i, 1, 1) * (1, c_i, k, k) -> (c_o, c_i, k, k)
    Y_equivalent = corr2d_multi_in_out(X, K_equivalent, padding=p).numpy()
    c_out = K.shape[0]
    return SeparableResult(
        Y_full=Y_full,
        Z=Z,
        Y_sep=Y_sep,
        K_equivalent=K_equivalent,
        equivalent_diff=float(np.max(np.abs(Y_sep - Y_equivalent))),
        tolerance=TOLERANCE * max(1.0, float(np.max(np.abs(Y_equivalent)))),
        full_ranks=tuple(int(np.linalg.matrix_rank(K[:, c].reshape(c_out, k * k))) for c in range(c_in)),
    )
