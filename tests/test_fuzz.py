"""Fuzzing the command line's inputs (tests/fuzz_inputs.py) in a process with a memory cap.

Every case must end with exit 0 and strict JSON, or one error line and exit 2: never a
traceback, a hang, an out-of-memory, or a silent result. A larger run:
``python tests/fuzz_inputs.py --examples 500 --report fuzz.jsonl``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_fuzz_inputs_end_in_one_line_or_a_strict_result(tmp_path: Path) -> None:
    report = tmp_path / "fuzz.jsonl"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CNN_EXPLORER_CACHE": str(tmp_path / "cache")}
    env.pop("CNN_EXPLORER_MAX_MEMORY", None)
    proc = subprocess.run(
        [sys.executable, str(HERE / "fuzz_inputs.py"), "--examples", "60", "--timeout", "20",
         "--cap", "3G", "--report", str(report)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    cases = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    found = [c for c in cases if c["outcome"] not in ("ok", "clear")]
    listing = "\n".join(
        f"{c['outcome']}: {' '.join(c['argv'])}: {c['why']} {c['stderr_tail']}" for c in found
    )
    assert not found, f"{len(found)} of {len(cases)} cases:\n{listing}"
    assert summary["cases"] == len(cases) >= 30
    assert {c["outcome"] for c in cases} == {"ok", "clear"}  # both kinds were drawn
