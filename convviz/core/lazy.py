"""A module imported on first use: TensorFlow costs 2–3.5 s to import, and the page draws its first diagram (plain
NumPy) without it, so the import is kept off the first run's path until a computation needs it."""

from __future__ import annotations

import importlib
import types
from typing import Any


class LazyModule(types.ModuleType):
    """Stands for the module `name` and imports it at the first attribute asked of it.

    Python's import lock makes a thread that asks while another thread is importing the module wait for it.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)
