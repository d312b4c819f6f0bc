"""The 3×3 kernels every course shows, and how a 2-D kernel becomes a kernel over c_i input channels.

A library kernel is one (3, 3) slice. For c_i input channels the layer uses the same slice on every channel,
divided by c_i: the output is then the kernel applied to the average of the channels (for a photo, its grey
picture), and a blur keeps the picture's brightness. `random` is the exception: a fresh slice per channel.
"""

from __future__ import annotations

import numpy as np

_BOX = np.full((3, 3), 1 / 9)
_GAUSS = np.outer([1, 2, 1], [1, 2, 1]) / 16
_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)

LIBRARY: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box_blur": _BOX,
    "gaussian_blur": _GAUSS,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
    "sobel_x": _SOBEL_X,  # responds to vertical edges: brightness rising to the right
    "sobel_y": _SOBEL_X.T.copy(),  # responds to horizontal edges: brightness rising downwards
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float),
}
NAMES = (*LIBRARY, "random")
DEFAULT = ("sobel_x", "sobel_y", "gaussian_blur")
MAX_KERNELS = 8  # output channels on the image screen


def parse_names(raw: str) -> tuple[tuple[str, ...], list[tuple[str, dict[str, str | int]]]]:
    """Kernel names from a link's `kernels=sobel_x,sobel_y`: the known ones (at most MAX_KERNELS), and what was
    wrong, as (sentence key, values) pairs: each unknown name once, and too many names.

    An empty or wholly unknown list gives the default kernels.
    """
    names: list[str] = []
    unknown: dict[str, None] = {}
    for name in (part.strip() for part in raw.split(",")):
        if name in NAMES:
            names.append(name)
        elif name:
            unknown[name[:20]] = None
    problems: list[tuple[str, dict[str, str | int]]] = [
        ("img_kernel_unknown", {"name": name, "names": ", ".join(NAMES)}) for name in list(unknown)[:10]]
    if len(unknown) > 10:
        problems.append(("img_kernel_unknown_more", {"count": len(unknown) - 10}))
    if len(names) > MAX_KERNELS:
        problems.append(("img_kernel_too_many", {"limit": MAX_KERNELS, "count": len(names)}))
        names = names[:MAX_KERNELS]
    return (tuple(names) or DEFAULT), problems


def kernel_stack(names: tuple[str, ...], c_in: int, seed: int) -> np.ndarray:
    """K (c_o, c_i, 3, 3): one output channel per name; a library slice spread over the channels, divided by c_i."""
    rng = np.random.default_rng(seed)
    stack = []
    for name in names:
        if name == "random":
            stack.append(np.round(rng.standard_normal((c_in, 3, 3)) / c_in, 2))  # (c_i, 3, 3): one per channel
        else:
            stack.append(np.broadcast_to(LIBRARY[name] / c_in, (c_in, 3, 3)))  # the same slice on every channel
    return np.stack(stack).astype(np.float32)  # (c_o, c_i, 3, 3)
