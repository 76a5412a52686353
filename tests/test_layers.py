"""The layer rule of docs/GUIDELINES.md, held by import-linter's contract in pyproject.toml."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import tomllib

import batterytrace

ROOT = Path(__file__).resolve().parent.parent


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [item for item in config["contracts"] if item["type"] == "layers"]
    return contract["layers"]


def test_each_layer_imports_only_from_the_layers_below_it():
    completed = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert "1 kept, 0 broken" in completed.stdout


def test_every_module_of_the_package_is_in_a_layer():
    """A new top-level module or subpackage outside the contract would escape the rule."""
    named = {name.strip() for layer in _layers() for name in layer.split("|")}
    top_level = {f"batterytrace.{module.name}" for module in pkgutil.iter_modules(batterytrace.__path__)}
    assert top_level - named == set()
    assert named - top_level == set()


def test_the_layers_run_from_the_edges_down_to_the_exceptions():
    assert [layer.split("|")[0].strip() for layer in _layers()] == [
        "batterytrace.cli", "batterytrace.demo", "batterytrace.epcis", "batterytrace.sdk", "batterytrace.model",
        "batterytrace.zk", "batterytrace.evm", "batterytrace.exceptions",
    ]


def test_no_module_over_500_lines_and_no_class_over_250():
    """docs/GUIDELINES.md: a module past 500 lines or a class past 250 is two of them."""
    import ast

    too_long = []
    for path in sorted((ROOT / "src" / "batterytrace").rglob("*.py")):
        text = path.read_text()
        name = path.relative_to(ROOT).as_posix()
        if text.count("\n") > 500:
            too_long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 250:
                too_long.append(f"{name}: class {node.name} has {node.end_lineno - node.lineno + 1} lines")
    assert too_long == []
