"""A non-editable install ships the package and its resources."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from explorer.graph.blocks import CONTAINER_KINDS, LEAF_KINDS
from explorer.graph.kinds import kind_table

ROOT = Path(__file__).resolve().parents[1]


def test_every_kind_has_a_colour() -> None:
    assert set(CONTAINER_KINDS) | set(LEAF_KINDS) <= set(kind_table())


@pytest.mark.slow
def test_wheel_ships_resources(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(tmp_path),
        str(ROOT),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    wheel = next(tmp_path.glob("cnn_explorer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    # every module of the tree is in the wheel: a package left out of the build is caught here
    tree = {
        "explorer/" + f.relative_to(ROOT / "explorer").as_posix()
        for f in (ROOT / "explorer").rglob("*.py")
    }
    assert tree - names == set()
    for want in (
        "explorer/__main__.py",
        "explorer/ui/compare/view.py",
        "explorer/resources/__init__.py",
        "explorer/resources/kinds.json",
        "explorer/resources/README.md",
        "explorer/resources/small/resnet20.pt",
        "explorer/resources/small/resnet20.json",
        "explorer/resources/i18n/cnn_explorer_ru.qm",
    ):
        assert want in names, want
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry).decode()
    assert "cnn-explorer = explorer.__main__:main" in text
    # the installed package reads its resources from the wheel's files
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import explorer.graph.kinds as k; "
        "assert k.__file__.startswith(sys.argv[1]), k.__file__; "
        "from explorer.models import registry, weights; "
        "p = weights.bundled_weights(registry.get('resnet20')); "
        "assert p is not None and str(p).startswith(sys.argv[1]), p; "
        "from explorer.ui import i18n; q = i18n.catalogue_path('ru'); "
        "assert q.is_file() and str(q).startswith(sys.argv[1]), q; "
        "print(len(k.kind_table()))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) >= 17
