"""Nothing below explorer.ui imports Qt: checked statically and at run time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "explorer"
FORBIDDEN = ("PySide6", "pyqtgraph", "shiboken6", "superqt", "qtpy")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


BELOW_UI = ("models", "graph", "runtime", "studies", "present", "app", "cli")


def test_nothing_below_ui_imports_qt_statically() -> None:
    files = [f for d in BELOW_UI for f in PACKAGE.joinpath(d).rglob("*.py")]
    assert files
    offenders = {str(f.relative_to(PACKAGE)): sorted(_imports(f) & set(FORBIDDEN)) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_below_ui_imports_qt_at_run_time() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        f"for name in {BELOW_UI!r}:\n"
        "    pkg = importlib.import_module('explorer.' + name)\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_registry_lists_models_without_importing_torch() -> None:
    code = (
        "import sys\n"
        "from explorer.models.registry import list_models\n"
        "assert len(list_models()) > 40\n"
        "sys.exit(1 if 'torch' in sys.modules else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def _private_imports(path: Path) -> list[str]:
    """``from explorer.X import _name`` (or a relative import of one) in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        ours = node.level > 0 or (node.module or "").split(".")[0] == "explorer"
        for alias in node.names if ours else ():
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                out.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {alias.name}")
    return out


def test_no_module_imports_another_modules_private_name() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    assert [hit for f in files for hit in _private_imports(f)] == []


def _loose_json(path: Path) -> list[str]:
    """Calls of json.dump/json.dumps without ``allow_nan=False`` in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("dump", "dumps")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "json"
        ):
            strict = any(
                k.arg == "allow_nan"
                and isinstance(k.value, ast.Constant)
                and k.value.value is False
                for k in node.keywords
            )
            if not strict:
                out.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return out


def test_every_json_the_program_prints_or_writes_is_strict() -> None:
    """NaN and Infinity are not JSON: every dump refuses them (cli.common.emit_json makes
    them null with a warning), so no strict parser ever fails on the program's output."""
    files = sorted(PACKAGE.rglob("*.py"))
    assert [hit for f in files for hit in _loose_json(f)] == []
