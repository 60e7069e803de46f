"""The layers of the apps hold (docs/architecture.md), and the checks that hold them can fail.

- the import contracts in pyproject.toml (import-linter): an app imports only the layers below it, and no
  app imports another app's models;
- no module reaches into another app's private names (``_name``);
- an import inside a function is either in an ``AppConfig.ready`` (where it must wait for the registry)
  or says why on its line or the line before.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]  # …/src
ROOT = SRC.parent
PACKAGE = SRC / "chibo"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def app_of(module: str) -> str:
    """``chibo.members.services`` → ``members``; top-level modules (``chibo.urls``) are their own app."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        found.append((name, path))
    return found


def run_contracts(src: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT_IMPORTS), "--no-logo", "--no-cache", "--config", str(config)],
                          cwd=src.parent, env=env, capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    result = run_contracts(SRC, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    # a view querying another app's members
    ("meetings/views.py", "from chibo.members.models import Member", "Only the members app imports its models"),
    # a lower layer importing a process
    ("members/selectors.py", "from chibo.transfers import selectors as transfer_selectors",
     "Apps import only the layers below them"),
])
def test_an_injected_import_breaks_the_contract(tmp_path, module, line, contract):
    """The same check, on a copy of the package with one forbidden import added, fails and names it."""
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "chibo", ignore=shutil.ignore_patterns("__pycache__", "tests", "locale",
                                                                            "static", "templates"))
    target = copy / "chibo" / module
    target.write_text(target.read_text() + f"\n{line}  # injected by the test\n")
    result = run_contracts(copy, ROOT / "pyproject.toml")
    assert result.returncode != 0, result.stdout
    assert f"{contract} BROKEN" in result.stdout
    importer = "chibo." + module.removesuffix(".py").replace("/", ".")
    assert importer in result.stdout


def test_no_app_uses_another_apps_private_names():
    offences = []
    for name, path in modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        aliases: dict[str, str] = {}  # local name → module, for modules of other apps imported whole
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chibo."):
                for alias in node.names:
                    if app_of(node.module) == app_of(name):
                        continue
                    if alias.name.startswith("_"):
                        offences.append(f"{name}:{node.lineno} imports {node.module}.{alias.name}")
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("chibo.") and app_of(alias.name) != app_of(name):
                        aliases[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__") and node.attr != "_meta"):  # Django's public API
                offences.append(f"{name}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    assert not offences, "\n".join(offences)


def test_imports_inside_functions_say_why():
    unexplained = []
    for name, path in modules():
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines), filename=str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if func.name == "ready" and name.endswith(".apps"):
                continue  # the app registry is ready only here: wiring of events, panels and feeds
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    here, before = lines[node.lineno - 1], lines[node.lineno - 2]
                    if "#" not in here and not before.strip().startswith("#"):
                        unexplained.append(f"{name}:{node.lineno} {here.strip()}")
    assert not unexplained, "\n".join(unexplained)
