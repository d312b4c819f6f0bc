"""The example numbers the newer tabs (transposed, stacked, im2col) start from: one rule for all of them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def example_tensors(values: str, x_shape: tuple[int, int, int], k_shapes: Sequence[tuple[int, int, int, int]],
                    seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """X of `x_shape` (c, h, w) and one kernel per shape in `k_shapes` (two channel axes, then k_h, k_w):

    - "book": the book's counted numbers, X[c] = 0, 1, 2, … + c and K[a, b] = 0, 1, 2, … + a + b (d2l's examples;
      the rule is the same whichever channel axis comes first);
    - "random": normal random numbers with two decimals;
    - anything else: small whole numbers, X in 0..4 and K in -2..2.

    X is drawn first, then the kernels in order, all from one generator seeded with `seed`.
    """
    c, h, w = x_shape
    if values == "book":
        X = np.arange(h * w, dtype=np.float32).reshape(1, h, w) + np.arange(c, dtype=np.float32)[:, None, None]
        kernels = []
        for a, b, k_h, k_w in k_shapes:
            counted = np.arange(k_h * k_w, dtype=np.float32).reshape(k_h, k_w)
            kernels.append(counted + np.add.outer(np.arange(a), np.arange(b)).astype(np.float32)[:, :, None, None])
        return X, kernels  # X (c, h, w); each K (a, b, k_h, k_w)
    rng = np.random.default_rng(seed)
    if values == "random":
        X = np.round(rng.standard_normal(x_shape), 2).astype(np.float32)
        return X, [np.round(rng.standard_normal(shape), 2).astype(np.float32) for shape in k_shapes]
    X = rng.integers(0, 5, size=x_shape).astype(np.float32)
    return X, [rng.integers(-2, 3, size=shape).astype(np.float32) for shape in k_shapes]
