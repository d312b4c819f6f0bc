"""The pooling view's steps as plain NumPy data: at step n the window sits over every channel at once, and each
channel keeps its own output (the maximum, or the mean) -- nothing is added across channels.

Padded cells are NaN in the tables (max ignores them, avg counts them as zeros), so a figure can draw them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convviz.core.correlation import as_float32
from convviz.core.geometry import IntPair
from convviz.core.pooling import Mode, PoolGeometry, checked_mode, pool_geometry
from convviz.model import images
from convviz.model.images import Region


@dataclass(frozen=True)
class PoolTable:
    """One row per output position, row-major; n = h_o · w_o."""

    geometry: PoolGeometry
    mode: Mode
    X_padded: np.ndarray  # (c, h + 2p_h, w + 2p_w), NaN on the padding
    window_origin: np.ndarray  # (n, 2): top-left (row, col) of the window in X_padded
    windows: np.ndarray  # (n, c, k_h, k_w): what each channel's window holds, NaN on the padding
    outputs: np.ndarray  # (n, c)
    winners: np.ndarray  # (n, c, 2): max's cell in the window (the first of equal ones, row-major); avg: -1

    @property
    def n_steps(self) -> int:
        return self.outputs.shape[0]

    def output_maps(self) -> np.ndarray:
        """The finished output, (c, h_o, w_o)."""
        geo = self.geometry
        return self.outputs.T.reshape(geo.channels, geo.out_h, geo.out_w)  # (n, c) -> (c, h_o, w_o)


def pool_table(X: object, pool_size: IntPair, *, stride: IntPair | None = None, padding: IntPair = 0,
               mode: Mode = "max") -> PoolTable:
    """Every step of pooling X (c, h, w), vectorized in NumPy (the core's `pool2d` is the TensorFlow answer)."""
    mode = checked_mode(mode)
    X = as_float32("X", X)
    geo = pool_geometry(X.shape, pool_size, stride=stride, padding=padding)
    (s_h, s_w), (p_h, p_w) = geo.stride, geo.padding
    X_padded = np.pad(X, ((0, 0), (p_h, p_h), (p_w, p_w)), constant_values=np.nan)  # (c, h_p, w_p)
    rows = (np.arange(geo.out_h) * s_h)[:, np.newaxis] + np.arange(geo.k_h)  # (h_o, k_h)
    cols = (np.arange(geo.out_w) * s_w)[:, np.newaxis] + np.arange(geo.k_w)  # (w_o, k_w)
    windows = X_padded[:, rows[:, np.newaxis, :, np.newaxis], cols[np.newaxis, :, np.newaxis, :]].transpose(
        1, 2, 0, 3, 4)  # (c, h_o, w_o, k_h, k_w) -> (h_o, w_o, c, k_h, k_w)
    n = geo.out_h * geo.out_w
    windows = windows.reshape(n, geo.channels, geo.k_h, geo.k_w)  # (n, c, k_h, k_w)
    flat = windows.reshape(n, geo.channels, geo.k_h * geo.k_w)  # (n, c, k_h·k_w)
    if mode == "max":
        best = np.nanargmax(flat, axis=2)  # (n, c): every window holds a real cell (padding ≤ half the window)
        outputs = np.take_along_axis(flat, best[..., np.newaxis], axis=2)[..., 0]
        winners = np.stack(np.divmod(best, geo.k_w), axis=-1)  # (n, c, 2)
    else:
        outputs = np.nansum(flat, axis=2) / (geo.k_h * geo.k_w)  # padded cells count as zeros
        winners = np.full((n, geo.channels, 2), -1)
    out_row, out_col = np.divmod(np.arange(n), geo.out_w)
    origin = np.stack([out_row * s_h, out_col * s_w], axis=1)  # (n, 2)
    return PoolTable(geo, mode, X_padded, origin, windows, outputs.astype(np.float32), winners)


POOL_VALUES = ("integers", "random", "book", "image")  # "image": a shipped or drawn picture's channels


def pool_input(values: str, channels: int, h: int, w: int, seed: int) -> np.ndarray:
    """The pooling view's X (c, h, w): small whole numbers, normal random numbers (two decimals), or the book's
    0, 1, 2, ... counted across each channel, plus the channel's index (d2l's 4×4 example and its + 1)."""
    if values == "book":
        counted = np.arange(h * w, dtype=np.float32).reshape(h, w)
        return np.stack([counted + c for c in range(channels)])  # (c, h, w)
    rng = np.random.default_rng(seed)
    if values == "random":
        return np.round(rng.standard_normal((channels, h, w)), 2).astype(np.float32)
    return rng.integers(0, 10, size=(channels, h, w)).astype(np.float32)


def pool_picture(name: str, grey: bool) -> np.ndarray:
    """A shipped or drawn picture as pooling's X (c, h, w) in 0..1: its R, G and B channels, or one grey channel."""
    return images.as_channels(images.load_picture(name), grey)


def region_input(X: np.ndarray, region: Region, k: int, stride: int, padding: int) -> np.ndarray:
    """The part of X (c, h, w) that the region's windows read, NaN on the padding: pooling it with padding 0 and the
    same window and stride (`pool_table`, which treats NaN as padding) gives exactly the region's output cells."""
    X_padded = np.pad(np.asarray(X, np.float32), ((0, 0), (padding, padding), (padding, padding)),
                      constant_values=np.nan)  # (c, h + 2p, w + 2p)
    top, left = region.row * stride, region.col * stride
    return X_padded[:, top : top + (region.rows - 1) * stride + k, left : left + (region.cols - 1) * stride + k]
