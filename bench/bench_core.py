"""Benchmark: the core's corr2d_multi_in_out against bare tf.nn.conv2d, the textbook loop and the step model.

Run with `.venv/bin/python bench/bench_core.py`; it prints Markdown (a machine line, the main table, and where the
core's and the step model's time goes). Times are medians of a fixed number of repeats after warm-up, measured
with time.perf_counter; the core and the bare kernel are timed alternately in one loop so that their ratio
compares like with like. The textbook loop is timed once per size with a 60 s budget; a size is skipped when the
previous one took over 20 s or the extrapolation from it says it would exceed the budget.
"""

from __future__ import annotations

import os
import signal
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere without installing

import numpy as np
import tensorflow as tf

from bench.machine import load_average, machine_line, table
from convviz.core.correlation import _aligned_empty, _share, _to_tensor, as_float32, corr2d_multi_in_out
from convviz.core.geometry import conv_geometry
from convviz.core.reference import corr2d_multi_in_out_loop
from convviz.model.steps import step_table

LOOP_BUDGET_S = 60.0  # the textbook loop is stopped after this, and skipped when expected to take longer
LOOP_SKIP_AFTER_S = 20.0  # the loop is skipped for a size when the previous size's loop took longer than this
CORE_TARGET = 1.5  # core time / bare tf.nn.conv2d time, at every size
STEP_TARGET_S = 0.050  # step model for the "large" size


@dataclass(frozen=True)
class Size:
    name: str
    x_shape: tuple[int, int, int]  # (c_i, h, w)
    c_out: int
    repeats: int  # core and bare kernel, alternately
    step_repeats: int  # step model
    breakdown_repeats: int  # rounds of the stage-by-stage breakdowns


SIZES = [
    Size("classroom", (3, 8, 8), 5, repeats=2000, step_repeats=300, breakdown_repeats=500),
    Size("large", (8, 32, 32), 8, repeats=1000, step_repeats=100, breakdown_repeats=300),
    Size("image-sized", (3, 224, 224), 16, repeats=100, step_repeats=7, breakdown_repeats=30),
]
KERNEL, PADDING, STRIDE = 3, 1, 1


def median_s(fn: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class _OverBudgetError(Exception):
    pass


def time_once_within_budget(fn: Callable[[], object], budget_s: float) -> tuple[float | None, object]:
    """Run fn once and return (seconds, result), or (None, None) if SIGALRM stopped it after budget_s.

    The textbook loop spends its time in Python between small TensorFlow ops, so the alarm lands between two ops.
    """
    use_alarm = hasattr(signal, "setitimer")

    def on_alarm(signum, frame):
        raise _OverBudgetError

    if use_alarm:
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, budget_s)
    start = time.perf_counter()
    try:
        result = fn()
    except _OverBudgetError:
        return None, None
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - start, result


def paired_medians_s(fns: list[Callable[[], object]], repeats: int, warmup: int = 3) -> list[float]:
    """Median time of each function, timed in turn inside one loop (so drift affects them alike)."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def inputs(size: Size) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    c_i = size.x_shape[0]
    X = rng.standard_normal(size.x_shape, dtype=np.float32)  # (c_i, h, w)
    K = rng.standard_normal((size.c_out, c_i, KERNEL, KERNEL), dtype=np.float32)  # (c_o, c_i, k_h, k_w)
    return X, K


def interleaved_medians_s(stages: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median time of each stage, all timed in turn inside one loop so that load changes hit them alike."""
    return dict(zip(stages, paired_medians_s(list(stages.values()), repeats), strict=True))


def _nhwc_tensor(X: np.ndarray) -> tf.Tensor:
    """The core's input step: X (c_i, h, w) into an aligned (1, h, w, c_i) buffer, channel by channel."""
    x_nhwc = _aligned_empty((1, *X.shape[1:], X.shape[0]))
    for c in range(X.shape[0]):
        x_nhwc[0, :, :, c] = X[c]
    return _share(x_nhwc)


def core_breakdown(X: np.ndarray, K: np.ndarray, repeats: int) -> dict[str, float]:
    """Each stage of corr2d_multi_in_out, re-enacted with the core's own helpers, next to the whole and the bare op."""
    x_nhwc = np.ascontiguousarray(X.transpose(1, 2, 0))[np.newaxis]  # (1, h, w, c_i)
    k_hwio = np.ascontiguousarray(K.transpose(2, 3, 1, 0))  # (k_h, k_w, c_i, c_o)
    x_tensor, k_tensor = tf.constant(x_nhwc), tf.constant(k_hwio)
    pads = [0, 0, PADDING, PADDING, PADDING, PADDING, 0, 0]

    def conv(x, k) -> tf.Tensor:
        return tf.raw_ops.Conv2D(input=x, filter=k, strides=[1, 1, 1, 1], padding="EXPLICIT", explicit_paddings=pads)

    x_shared, k_shared = _to_tensor(x_nhwc), _to_tensor(k_hwio)
    y = conv(x_shared, k_shared)
    Y = np.asarray(y)[0].transpose(2, 0, 1)  # a view: the copy happens in stage 5
    stages = {
        "1. read X, K (as_float32) + conv_geometry": lambda: conv_geometry(
            as_float32("X", X).shape, as_float32("K", K).shape, stride=STRIDE, padding=PADDING
        ),
        "2. NCHW→NHWC, OIHW→HWIO into aligned buffers, shared via DLPack": lambda: (
            _nhwc_tensor(X),
            _to_tensor(K.transpose(2, 3, 1, 0)),
        ),
        "3. raw_ops.Conv2D on those tensors": lambda: conv(x_shared, k_shared),
        "4. result as an array + NHWC→(c_o, h_o, w_o) view": lambda: np.asarray(y)[0].transpose(2, 0, 1),
        "5. (c_o, h_o, w_o) into an aligned buffer, shared via DLPack": lambda: _to_tensor(Y),
        "whole corr2d_multi_in_out": lambda: corr2d_multi_in_out(X, K, stride=STRIDE, padding=PADDING),
        "bare tf.nn.conv2d on tensors": lambda: tf.nn.conv2d(
            x_tensor, k_tensor, strides=STRIDE, padding=[[0, 0], [PADDING] * 2, [PADDING] * 2, [0, 0]]
        ),
        "bare raw_ops.Conv2D on tensors": lambda: conv(x_tensor, k_tensor),
    }
    times = interleaved_medians_s(stages, repeats)
    times["sum of stages 1–5"] = sum(t for name, t in times.items() if name[0].isdigit())
    return times


def step_breakdown(X: np.ndarray, K: np.ndarray, repeats: int) -> dict[str, float]:
    """Each stage of step_table (NumPy since this release), re-enacted one by one, next to the whole."""
    geo = conv_geometry(X.shape, K.shape, stride=STRIDE, padding=PADDING)
    X_padded = np.pad(X, ((0, 0), (PADDING, PADDING), (PADDING, PADDING)))
    rows = (np.arange(geo.out_h) * STRIDE)[:, np.newaxis] + np.arange(KERNEL)  # (h_o, k_h)
    cols = (np.arange(geo.out_w) * STRIDE)[:, np.newaxis] + np.arange(KERNEL)  # (w_o, k_w)

    def windows_op() -> np.ndarray:
        gathered = X_padded[:, rows[:, np.newaxis, :, np.newaxis], cols[np.newaxis, :, np.newaxis, :]]
        return gathered.transpose(1, 2, 0, 3, 4).reshape(geo.n_positions, geo.c_in, KERNEL, KERNEL)

    windows = windows_op()  # (n, c_i, k_h, k_w)
    products = windows[:, np.newaxis] * K[np.newaxis]  # (n, c_o, c_i, k_h, k_w)
    stages = {
        "1. pad": lambda: np.pad(X, ((0, 0), (PADDING, PADDING), (PADDING, PADDING))),
        "2. gather the windows by index": windows_op,
        "3. products (n, c_o, c_i, k_h, k_w)": lambda: windows[:, np.newaxis] * K[np.newaxis],
        "4. partial sums, then outputs": lambda: products.sum(axis=(3, 4)).sum(axis=2),
        "whole step_table": lambda: step_table(X, K, stride=STRIDE, padding=PADDING),
    }
    times = interleaved_medians_s(stages, repeats)
    times["sum of stages 1–4"] = sum(t for name, t in times.items() if name[0].isdigit())
    return times


def main() -> None:
    started = time.perf_counter()
    print(machine_line(TensorFlow=tf.__version__, NumPy=np.__version__))
    print(f"At start: 1-min load average {load_average()}.")
    print()
    print(f"Settings: {KERNEL}×{KERNEL} kernel, padding {PADDING}, stride {STRIDE}, float32 NumPy inputs, no bias.")
    print()

    # Warm up TensorFlow (first-call op and kernel set-up) and the loop's ops on a tiny case.
    X_tiny, K_tiny = np.ones((1, 4, 4), np.float32), np.ones((1, 1, 3, 3), np.float32)
    corr2d_multi_in_out(X_tiny, K_tiny, padding=1)
    corr2d_multi_in_out_loop(X_tiny, K_tiny, padding=1)
    step_table(X_tiny, K_tiny, padding=1)

    rows, results = [], {}
    loop_s_per_window = None  # seconds per (output cell × output channel × input channel), from the last loop run
    last_loop_s = None  # the previous size's loop time
    for size in SIZES:
        X, K = inputs(size)
        geo = conv_geometry(X.shape, K.shape, stride=STRIDE, padding=PADDING)
        x_nhwc = tf.constant(X.transpose(1, 2, 0)[np.newaxis])  # (1, h, w, c_i), prepared outside the timing
        k_hwio = tf.constant(K.transpose(2, 3, 1, 0))  # (k_h, k_w, c_i, c_o)
        pads = [[0, 0], [PADDING, PADDING], [PADDING, PADDING], [0, 0]]

        def core(X=X, K=K):
            return corr2d_multi_in_out(X, K, stride=STRIDE, padding=PADDING)

        def raw(x_nhwc=x_nhwc, k_hwio=k_hwio, pads=pads):
            return tf.nn.conv2d(x_nhwc, k_hwio, strides=STRIDE, padding=pads)

        # The same call on NumPy arrays already in NHWC/HWIO: like the core, it gets new (not cached) inputs.
        x_np, k_np = x_nhwc.numpy(), k_hwio.numpy()

        def raw_numpy(x_np=x_np, k_np=k_np, pads=pads):
            return tf.nn.conv2d(x_np, k_np, strides=STRIDE, padding=pads)

        # Both compute the same layer, so the times compare the same work.
        np.testing.assert_allclose(core().numpy(), raw().numpy()[0].transpose(2, 0, 1), rtol=1e-4, atol=1e-4)
        core_s, raw_s, raw_numpy_s = paired_medians_s([core, raw, raw_numpy], size.repeats)
        step_s = median_s(lambda X=X, K=K: step_table(X, K, stride=STRIDE, padding=PADDING), size.step_repeats)

        windows = geo.n_positions * geo.c_out * geo.c_in  # the loop's Python-level iterations
        skip = None
        if last_loop_s is not None:
            expected_s = loop_s_per_window * windows  # extrapolated from the previous size
            if last_loop_s > LOOP_SKIP_AFTER_S or expected_s > LOOP_BUDGET_S:
                skip = f"skipped (> 60 s expected; ~{expected_s:.0f} s extrapolated)"
        if skip:
            loop_cell, loop_ratio = skip, "—"
        else:
            loop_s, Y_loop = time_once_within_budget(
                lambda X=X, K=K: corr2d_multi_in_out_loop(X, K, stride=STRIDE, padding=PADDING), LOOP_BUDGET_S
            )
            if loop_s is None:
                loop_cell = f"stopped at the {LOOP_BUDGET_S:.0f} s budget (> 60 s)"
                loop_ratio = f"> {LOOP_BUDGET_S / core_s:,.0f}×"
                loop_s = LOOP_BUDGET_S  # a lower bound, enough to extrapolate to the next size
            else:
                # The loop computes the same layer, so the ratio compares the same work.
                np.testing.assert_allclose(Y_loop.numpy(), core().numpy(), rtol=1e-4, atol=1e-4)
                loop_cell, loop_ratio = fmt_s(loop_s), f"{loop_s / core_s:,.0f}×"
            last_loop_s, loop_s_per_window = loop_s, loop_s / windows

        results[size.name] = (X, K, core_s, raw_s, step_s)
        rows.append(
            [
                f"{size.name}: {'×'.join(map(str, size.x_shape))} → {size.c_out}",
                fmt_s(core_s),
                fmt_s(raw_s),
                f"{core_s / raw_s:.2f}×",
                fmt_s(raw_numpy_s),
                f"{core_s / raw_numpy_s:.2f}×",
                loop_cell,
                loop_ratio,
                fmt_s(step_s),
                f"{size.repeats} / {size.step_repeats}",
            ]
        )

    print(
        table(
            [
                "size (c_i×h×w → c_o)",
                "core `corr2d_multi_in_out`",
                "bare `tf.nn.conv2d` (NHWC/HWIO)",
                "core / bare",
                "`tf.nn.conv2d` on NHWC NumPy arrays",
                "core / that",
                "textbook loop (once)",
                "loop / core",
                "step model `step_table`",
                "repeats (core+bare / steps)",
            ],
            rows,
        )
    )

    print()
    print(f"Targets: core within {CORE_TARGET}× of bare tf.nn.conv2d at every size; "
          f"step model for 8×32×32 → 8 under {STEP_TARGET_S * 1e3:.0f} ms.")
    missed_core = []
    for name, (_, _, core_s, raw_s, _) in results.items():
        ratio = core_s / raw_s
        over = fmt_s(core_s - CORE_TARGET * raw_s)
        verdict = "met" if ratio <= CORE_TARGET else f"MISSED by {ratio / CORE_TARGET:.2f}× ({over} over the target)"
        print(f"- core / bare at {name}: {ratio:.2f}× — {verdict}")
        if ratio > CORE_TARGET:
            missed_core.append(name)
    step_large = results["large"][4]
    verdict = "met" if step_large <= STEP_TARGET_S else f"MISSED by {step_large / STEP_TARGET_S:.2f}×"
    print(f"- step model at large: {fmt_s(step_large)} — {verdict}")

    print()
    print("Where the core's time goes (each stage re-enacted alone; all rows timed in turn in one loop):")
    print()
    names = [size.name for size in SIZES]
    breakdowns = {size.name: core_breakdown(*results[size.name][:2], repeats=size.breakdown_repeats) for size in SIZES}
    stages = list(breakdowns[names[0]])
    print(table(["stage", *names], [[stage, *(fmt_s(breakdowns[n][stage]) for n in names)] for stage in stages]))

    print()
    print("Where the step model's time goes (same method):")
    print()
    step_breaks = {
        size.name: step_breakdown(*results[size.name][:2], repeats=max(3, size.step_repeats // 2)) for size in SIZES
    }
    stages = list(step_breaks[names[0]])
    print(table(["stage", *names], [[stage, *(fmt_s(step_breaks[n][stage]) for n in names)] for stage in stages]))

    print()
    print(f"Total run time: {time.perf_counter() - started:.0f} s; 1-min load average {load_average()}.")


if __name__ == "__main__":
    main()
