"""The folders are the layers: each imports only from the ones above it, and nothing below the page imports Streamlit.

Read from the source with `ast`, so a stray import fails here even when nothing runs the module that holds it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "convviz"
# Each folder, and the folders it may import from (itself included).
ALLOWED = {
    "i18n": {"i18n"},
    "core": {"core"},
    "model": {"i18n", "core", "model"},
    "figures": {"i18n", "core", "model", "figures"},
    "rooms": {"rooms"},  # class mode's shared state: plain data in a database, nothing of the maths
}
BELOW_THE_PAGE = tuple(ALLOWED)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, by its full dotted name (`from a import b` gives a.b as well as a)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _layer_of(module: str) -> str | None:
    """The folder a convviz module lives in (`convviz.model.steps` -> model), None for anything else."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "convviz" and parts[1] in (*ALLOWED, "ui") else None


@pytest.mark.parametrize("folder", BELOW_THE_PAGE)
def test_each_folder_imports_only_from_the_folders_above_it(folder: str) -> None:
    files = sorted((PACKAGE / folder).glob("*.py"))
    assert files, f"convviz/{folder}/ has no modules"
    wrong = {f"{path.relative_to(PACKAGE)} imports {module}"
             for path in files for module in _imports(path)
             if (layer := _layer_of(module)) is not None and layer not in ALLOWED[folder]}
    assert not wrong


@pytest.mark.parametrize("folder", BELOW_THE_PAGE)
def test_nothing_below_the_page_imports_streamlit(folder: str) -> None:
    """The maths, the step model and the figure builders are testable without a server or a browser."""
    wrong = {str(path.relative_to(PACKAGE)) for path in (PACKAGE / folder).glob("*.py")
             if any(module.split(".")[0] == "streamlit" for module in _imports(path))}
    assert not wrong


def test_the_checks_see_a_wrong_import(tmp_path: Path) -> None:
    """The control: a core module that imported the figures (or Streamlit) would be named."""
    stray = tmp_path / "stray.py"
    stray.write_text("import streamlit as st\nfrom convviz.figures import style\n", encoding="utf-8")
    imports = _imports(stray)
    assert {"convviz.figures", "convviz.figures.style", "streamlit"} <= imports
    assert {_layer_of(m) for m in imports} - {None} == {"figures"} and "figures" not in ALLOWED["core"]
