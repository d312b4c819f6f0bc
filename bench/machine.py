"""What the benchmarks print about the machine they ran on, and their Markdown tables."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine_line(**versions: str) -> str:
    """'Machine: <CPU>, <n> logical cores (<m> usable); Python x.y.z, <name> <version>, ...'."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    libraries = "".join(f", {name} {version}" for name, version in versions.items())
    cores = f"{os.cpu_count()} logical cores ({usable} usable)"
    return f"Machine: {cpu}, {cores}; Python {platform.python_version()}{libraries}"


def load_average() -> str:
    """The 1-minute load average: on a shared machine it says how much the timings were crowded."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
