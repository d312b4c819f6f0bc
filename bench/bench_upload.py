"""Uploads and the server's memory: the peak RSS rise of `decode_upload` for the files of issue 19.

What it measures: each case runs in a fresh Python process that first imports the app's model (TensorFlow with it,
as in the server), then resets the kernel's peak-RSS mark (`/proc/self/clear_refs`, Linux), reads VmRSS, decodes,
and reads the peak (VmHWM). The rise is that peak minus the RSS before the decode: what one process's memory does
while the decode runs. It is `decode_upload` alone, the function the page calls; Streamlit's own copy of the
uploaded bytes (at most the file's size, 5 MB for a file the app accepts) is not in it.

Budgets (issue 19): at most 150 MB for the 16-bit 6300×6300 PNG; at most 400 MB for four hostile uploads at once.

Run: `.venv/bin/python bench/bench_upload.py` (a table), or `--one NAME` (one case, as JSON, for the tests).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.hostile import HEAVY, HOSTILE, LARGEST, deep_grey_png

FOUR_DEEP = "four 16-bit 6300×6300 PNGs at once"
FOUR_HOSTILE = "the eight hostile files and two heavy ones, four at a time"
CASES = (*HOSTILE, *HEAVY, *LARGEST, FOUR_DEEP, FOUR_HOSTILE)
BUDGET_MB = {"6300×6300 16-bit grey PNG": 150, FOUR_DEEP: 400, FOUR_HOSTILE: 400}


def _status_kb(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


def measure(case: str) -> dict[str, object]:
    """Run one case in this (fresh) process: the RSS rise in MB, the time, and how each decode ended."""
    from convviz.model.images import ImageError, decode_upload

    if case == FOUR_DEEP:
        files = [deep_grey_png() for _ in range(4)]
    elif case == FOUR_HOSTILE:
        files = [make() for make in (*HOSTILE.values(), *HEAVY.values())]
    else:
        files = [{**HOSTILE, **HEAVY, **LARGEST}[case]()]

    def one(data: bytes) -> str:
        try:
            decode_upload(data)
        except ImageError:
            return "refused"
        return "picture"

    sizes = [len(data) for data in files]
    Path("/proc/self/clear_refs").write_text("5")  # the peak so far (the imports) no longer counts
    before = _status_kb("VmRSS")
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(one, files))
    seconds = time.perf_counter() - started
    rise = (_status_kb("VmHWM") - before) / 1024
    return {"case": case, "outcome": ",".join(sorted(set(outcomes))), "files": len(files),
            "rise_mb": round(rise, 1), "seconds": round(seconds, 2), "bytes": max(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one", choices=CASES, help="run one case in this process and print it as JSON")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one), ensure_ascii=False))
        return

    import numpy
    import PIL

    from bench.machine import load_average, machine_line, table

    print(machine_line(Pillow=PIL.__version__, NumPy=numpy.__version__), f"load average {load_average()}")
    rows = []
    for case in CASES:
        done = subprocess.run([sys.executable, __file__, "--one", case], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        budget = BUDGET_MB.get(case)
        verdict = "" if budget is None else (f"≤ {budget} MB: met" if result["rise_mb"] <= budget else
                                             f"≤ {budget} MB: MISSED")
        size = result["bytes"]
        shown = f"{size:,} B" if size < 10_000 else f"{size / 1000:,.0f} kB"
        rows.append([case, f"{result['files']}, largest {shown}", result["outcome"], f"{result['rise_mb']:.1f} MB",
                     f"{result['seconds']:.2f} s", verdict])
    print(table(["case", "files", "ends in", "peak RSS rise", "time", "budget"], rows))


if __name__ == "__main__":
    main()
