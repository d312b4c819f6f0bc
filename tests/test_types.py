"""The type checker is part of the test command: a misspelt name fails the suite, not a student's page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mypy import api

REPO_ROOT = Path(__file__).resolve().parent.parent


def _mypy(*args: str) -> tuple[str, int]:
    stdout, stderr, status = api.run(list(args))
    return stdout + stderr, status


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the module: the second check reuses what the first learnt of NumPy, Streamlit and the
    unchanged modules, and checks again only what the change touches."""
    return tmp_path_factory.mktemp("mypy-cache")


def test_product_code_type_checks_clean(cache_dir: Path):
    # The files and options come from pyproject.toml's [tool.mypy]: convviz/ and app.py.
    report, status = _mypy("--config-file", str(REPO_ROOT / "pyproject.toml"), "--cache-dir", str(cache_dir))
    assert status == 0, report


def test_the_check_catches_the_misspelt_method_that_once_crashed_the_page(tmp_path: Path, cache_dir: Path):
    # The bug behind issue 8: `table.windowcells(step)` for `table.window_cells(step)`. Put it back in a copy.
    copy = tmp_path / "convviz"
    shutil.copytree(REPO_ROOT / "convviz", copy, ignore=shutil.ignore_patterns("__pycache__"))
    figures = copy / "figures" / "animation.py"
    source = figures.read_text()
    assert "table.window_cells(" in source
    figures.write_text(source.replace("table.window_cells(", "table.windowcells(", 1))
    report, status = _mypy("--config-file", str(REPO_ROOT / "pyproject.toml"), "--cache-dir", str(cache_dir),
                           str(copy))
    assert status == 1
    assert 'has no attribute "windowcells"' in report
