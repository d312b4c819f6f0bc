"""What a fresh machine needs is declared: every package the code imports is in the requirements, the constraints
pin the versions the tests ran with, the README's commands use them (and CI runs the README's test command), and
`scripts/serve-class.sh` runs on the Python that has the requirements, not only on `.venv/bin/python`.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO_ROOT

OUR_PACKAGES = {"convviz", "tests", "bench", "test_app"}  # test_app: tests import each other by module name


def requirement_names(path: Path) -> set[str]:
    """The distributions a requirements file names (following `-r`), for this platform's environment markers."""
    names: set[str] = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= requirement_names(path.parent / line[3:].strip())
        elif line:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                names.add(canonicalize_name(requirement.name))
    return names


def imported_distributions(*folders: str) -> set[str]:
    """The installed distributions whose top-level modules the Python files under `folders` import."""
    providers = importlib.metadata.packages_distributions()
    found: set[str] = set()
    for folder in folders:
        root = REPO_ROOT / folder
        for path in [root] if root.is_file() else root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in OUR_PACKAGES or top == "__future__":
                        continue
                    assert top in providers, f"{path.relative_to(REPO_ROOT)} imports {top}, which is not installed"
                    found |= {canonicalize_name(name) for name in providers[top]}
    return found


def pins() -> dict[str, str]:
    pinned = {}
    for line in (REPO_ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pinned[canonicalize_name(name)] = version.strip()
    return pinned


def test_every_package_the_app_imports_is_in_the_requirements():
    missing = imported_distributions("convviz", "app.py") - requirement_names(REPO_ROOT / "requirements.txt")
    # Pillow and pandas used to come only through Streamlit; TensorFlow's name depends on the platform.
    assert not missing - {"tensorflow-cpu", "tensorflow"}, missing


def test_every_package_the_tests_and_benchmarks_import_is_in_the_dev_requirements():
    dev = requirement_names(REPO_ROOT / "requirements-dev.txt")
    missing = imported_distributions("tests", "bench", "scripts") - dev
    assert not missing - {"tensorflow-cpu", "tensorflow"}, missing


def test_the_constraints_pin_every_package_the_requirements_install_at_the_version_tested():
    pinned = pins()
    wanted, seen = list(requirement_names(REPO_ROOT / "requirements-dev.txt")), set()
    while wanted:  # every distribution the requirements pull in, through their own requirements
        name = wanted.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(canonicalize_name(requirement.name))
    assert len(seen) > 40
    unpinned = sorted(seen - set(pinned))
    assert not unpinned, f"not in constraints.txt: {unpinned}"
    different = {name: (pinned[name], importlib.metadata.version(name)) for name in seen
                 if importlib.metadata.version(name) != pinned[name]}
    assert not different, f"these tests run on other versions than constraints.txt pins (pin, installed): {different}"


def test_the_readme_installs_the_pinned_versions_and_ci_runs_its_test_command_verbatim():
    readme = (REPO_ROOT / "README.md").read_text()
    commands = re.findall(r"```bash\n(.+?)\n```", readme)[:2]
    assert commands[0].endswith("&& .venv/bin/streamlit run app.py")
    assert commands[1].endswith("&& .venv/bin/python -m pytest")
    assert all("-c constraints.txt" in command for command in commands)
    ci = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == commands[1]


@pytest.mark.parametrize(("environment", "chosen"), [
    ({"VIRTUAL_ENV": "{env}"}, "{env}/bin/python"),
    ({"CONDA_PREFIX": "{env}"}, "{env}/bin/python"),
    ({"PYTHON": "{env}/bin/python", "VIRTUAL_ENV": "/nowhere"}, "{env}/bin/python"),
])
def test_serve_class_runs_on_the_active_environments_python(tmp_path: Path, environment: dict, chosen: str):
    # A stand-in environment whose python lacks the requirements: the script must pick it, and stop naming it.
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text("#!/bin/sh\nexit 1\n")
    python.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHON")}
    env |= {key: value.format(env=tmp_path) for key, value in environment.items()} | {"NGINX": "/bin/true"}
    done = subprocess.run(["bash", "scripts/serve-class.sh", "1", "1"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2
    assert f"{chosen.format(env=tmp_path)} does not have the requirements" in done.stderr
