"""Pictures on the main screen: server time per change and figure sizes for a 128×128 RGB picture with 8 kernels.

Budgets (issue 11): a change computed and drawn in at most 300 ms of server time; each figure at most 1 MB.

(a) The page's own work for one change, timed in-process: the eight feature maps by the TF core, the feature-maps
    figure, the region's step table and its animated figure, with the JSON Streamlit sends for each.
(b) The same change through Streamlit's AppTest (the whole script run, harness included): the median of changing
    the seed (which redraws the `random` kernel) on the astronaut picture with eight kernels.

Run: `.venv/bin/python bench/bench_images.py`
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import plotly
import streamlit
import tensorflow as tf
from streamlit.testing.v1 import AppTest

from bench.machine import load_average, machine_line, table
from convviz.core.correlation import corr2d_multi_in_out
from convviz.figures.animation import animation_figure
from convviz.figures.images import feature_maps_figure
from convviz.model import images, kernels
from convviz.model.steps import step_table

APP = str(Path(__file__).resolve().parents[1] / "app.py")
EIGHT = ("identity", "box_blur", "gaussian_blur", "sharpen", "outline", "sobel_x", "sobel_y", "random")
BUDGET_MS, BUDGET_BYTES = 300.0, 1_000_000


def one_change(seed: int) -> dict[str, float]:
    """The work of one change, stage by stage (ms), and the two figures' JSON sizes (bytes)."""
    t0 = time.perf_counter()
    rgb = images.load_picture("astronaut")  # 128 × 128
    X = images.as_channels(rgb, grey=False)
    K = kernels.kernel_stack(EIGHT, 3, seed)
    Y = corr2d_multi_in_out(X, K, padding=1).numpy()  # (8, 128, 128)
    t1 = time.perf_counter()
    region = images.clamp_region(58, 58, 128, 128)
    maps = feature_maps_figure(rgb, X, Y, EIGHT, absolute=False, region=region, stride=1, padding=1, span=3)
    maps_json = orjson.dumps(maps, option=orjson.OPT_SERIALIZE_NUMPY)
    t2 = time.perf_counter()
    table_ = step_table(images.region_input(X, region, 1, 1, 3), K)
    animation = animation_figure(table_, 0, decimals=2)
    animation_json = orjson.dumps(animation, option=orjson.OPT_SERIALIZE_NUMPY)
    t3 = time.perf_counter()
    return {"maps_ms": (t1 - t0) * 1e3, "figure_ms": (t2 - t1) * 1e3, "region_ms": (t3 - t2) * 1e3,
            "total_ms": (t3 - t0) * 1e3, "maps_bytes": len(maps_json), "animation_bytes": len(animation_json)}


def apptest_changes(runs: int = 7) -> list[float]:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"values": "image", "image": "astronaut", "kernels": ",".join(EIGHT), "padding": "1"})
    at.run()
    times = []
    for seed in range(1, runs + 1):
        at.number_input(key="seed").set_value(seed)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1e3)
        assert not at.exception, at.exception
    return times


def main() -> None:
    print(machine_line(tensorflow=tf.__version__, streamlit=streamlit.__version__, plotly=plotly.__version__,
                       numpy=np.__version__))
    print(f"Load average at the start: {load_average()}\n")
    one_change(0)  # warm-up: TensorFlow's first call, imports
    runs = [one_change(seed) for seed in range(1, 8)]
    med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print("## (a) One change, in-process (medians of 7)")
    print(table(["stage", "median"], [
        ["8 feature maps by the TF core (128×128 RGB, 3×3, padding 1)", f"{med['maps_ms']:.1f} ms"],
        ["feature-maps figure + its JSON", f"{med['figure_ms']:.1f} ms"],
        ["region step table + animated figure + its JSON", f"{med['region_ms']:.1f} ms"],
        ["total", f"{med['total_ms']:.1f} ms (budget {BUDGET_MS:.0f} ms)"],
        ["feature-maps figure JSON", f"{med['maps_bytes'] / 1e3:.0f} kB (budget 1 MB)"],
        ["region animation JSON", f"{med['animation_bytes'] / 1e3:.0f} kB (budget 1 MB)"],
    ]))
    wall = apptest_changes()
    print("\n## (b) The whole script run in AppTest after a seed change (harness included)")
    print(f"median {statistics.median(wall):.0f} ms, each: " + ", ".join(f"{t:.0f}" for t in wall))
    print(f"\nLoad average at the end: {load_average()}")
    ok = med["total_ms"] <= BUDGET_MS and max(med["maps_bytes"], med["animation_bytes"]) <= BUDGET_BYTES
    print("Budgets met." if ok else "A budget is missed.")


if __name__ == "__main__":
    main()
