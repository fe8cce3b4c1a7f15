"""What a start from the analysis cache imports before the graph is on screen (-X importtime).

Starts a window twice with a cache folder of its own (the first start stores the graph), the
second under ``python -X importtime``; the window writes a line to stderr once the graph is
first painted. Prints the top-level packages imported before that line and the time of torch,
torchvision, timm and networkx, before and after it.

    .venv/bin/python tests/benchmarks/check_stored_imports.py [--model resnet152]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

WINDOW = r"""
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication([])
from explorer.ui.main_window import MainWindow

win = MainWindow(settings=QSettings(sys.argv[2], QSettings.IniFormat))
win.show()


def drawn(name, stored):
    win.graph.viewport().repaint()
    print(f"=== graph drawn (stored: {stored})", file=sys.stderr, flush=True)


def shown(name):
    win.close()
    app.quit()


win.graphDrawn.connect(drawn)
win.graphShown.connect(shown)
QTimer.singleShot(0, lambda: win.load_model(sys.argv[1]))
app.exec()
"""

WATCH = ("torch", "torchvision", "timm", "networkx")
LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="resnet152")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HF_HUB_OFFLINE": "1",
            "CNN_EXPLORER_GRAPH_CACHE": os.path.join(d, "graphs"),
        }
        settings = os.path.join(d, "settings.ini")
        cmd = [sys.executable, "-c", WINDOW, args.model, settings]
        subprocess.run(cmd, env=env, capture_output=True, check=True, timeout=600)
        cmd = [sys.executable, "-X", "importtime", "-c", WINDOW, args.model, settings]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    lines = proc.stderr.splitlines()
    mark = next(i for i, s in enumerate(lines) if s.startswith("=== graph drawn"))
    print(lines[mark])
    for part, chunk in (("before", lines[:mark]), ("after", lines[mark + 1 :])):
        top = []
        for s in chunk:
            m = LINE.match(s)
            if m and m.group(3).split(".")[0] in WATCH and m.group(3) in WATCH:
                top.append(f"{m.group(3)} {int(m.group(1)) / 1e6:.2f} s")
        print(f"{part} the draw: {', '.join(top) or 'none of ' + ', '.join(WATCH)}")
    before = [LINE.match(s) for s in lines[:mark]]
    bad = [m.group(3) for m in before if m and m.group(3).split(".")[0] in WATCH[:3]]
    print(f"torch, torchvision or timm modules imported before the draw: {len(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
