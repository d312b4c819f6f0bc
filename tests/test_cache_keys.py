"""The views' caches are keyed by the repr of their settings and rooms (convviz.ui.common.PLAIN_ARGS), not by
Streamlit's `dataclasses.asdict` hashing: every dataclass a cached function takes is in PLAIN_ARGS, and each of
those holds only numbers, strings, booleans and tuples of them (or of such dataclasses), whose repr is exact."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
import types
import typing
from typing import Any

import numpy as np
import pytest
from streamlit.runtime.caching.cache_utils import CachedFunc

import convviz.ui
from convviz.model.setting import Setting
from convviz.ui import main_view
from convviz.ui.common import PLAIN_ARGS

PLAIN = (int, float, bool, str, types.NoneType)


@functools.cache
def _cached_functions() -> list[tuple[str, Any]]:
    found = []
    for module_info in pkgutil.iter_modules(convviz.ui.__path__, "convviz.ui."):
        module = importlib.import_module(module_info.name)
        found += [(f"{module.__name__}.{name}", value) for name, value in vars(module).items()
                  if isinstance(value, CachedFunc)]
    return found


def _class(name: str) -> type:
    module, _, qualname = name.rpartition(".")
    return getattr(importlib.import_module(module), qualname)


def _dataclasses_in(hint: Any) -> set[type]:
    """The dataclasses a type hint names, inside tuples and unions too."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return {hint}
    return set().union(*(_dataclasses_in(arg) for arg in typing.get_args(hint)))


def _holds_only_plain_values(hint: Any) -> bool:
    if hint in PLAIN or typing.get_origin(hint) is typing.Literal:
        return True
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        return all(_holds_only_plain_values(hints[field.name]) for field in dataclasses.fields(hint))
    if typing.get_origin(hint) in (tuple, typing.Union, types.UnionType):
        return all(_holds_only_plain_values(arg) for arg in typing.get_args(hint) if arg is not Ellipsis)
    return False


def test_the_views_have_cached_functions_to_check() -> None:
    names = [name for name, _ in _cached_functions()]
    assert "convviz.ui.main_view._animation" in names and len(names) >= 30


@pytest.mark.parametrize("name", [name for name, _ in _cached_functions()])
def test_every_setting_a_cached_function_takes_is_keyed_by_its_repr(name: str) -> None:
    cached = dict(_cached_functions())[name]
    hints = typing.get_type_hints(cached._info.func)
    taken = set().union(*(_dataclasses_in(hint) for key, hint in hints.items() if key != "return"))
    for cls in taken:
        assert f"{cls.__module__}.{cls.__qualname__}" in PLAIN_ARGS, (name, cls)
        assert cached._info.hash_funcs is PLAIN_ARGS, name


@pytest.mark.parametrize("name", [key for key in PLAIN_ARGS if isinstance(key, str)])
def test_each_keyed_class_exists_and_holds_only_values_whose_repr_is_exact(name: str) -> None:
    cls = _class(name)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert _holds_only_plain_values(cls), name
    assert PLAIN_ARGS[name] is repr


def test_a_class_holding_an_array_would_be_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class WithArray:
        values: np.ndarray  # repr elides a large array's middle: two arrays could share one key

    assert not _holds_only_plain_values(WithArray)


def test_settings_that_differ_in_one_field_get_their_own_entries() -> None:
    small, large = main_view._steps(Setting(h=5)), main_view._steps(Setting(h=6))
    assert small.n_steps == 12 and large.n_steps == 16  # (5-3+1)·(6-3+1), (6-3+1)²
    assert main_view._steps(Setting(h=5)).n_steps == 12
    assert main_view._steps(Setting(h=5, flip=True)).outputs.tolist() != small.outputs.tolist()
