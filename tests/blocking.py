"""A call that must not block: run on a thread with a deadline, a FIFO's reader released after."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest


def finishes(fn: Callable[[], object], fifo: Path, seconds: float = 20.0) -> object:
    """``fn()``'s value (or its exception, raised here), from a thread that must end within
    ``seconds``. A reader still blocked on ``fifo`` is then released (a writer opens and closes
    it) so that no thread is left behind, and the test fails."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        t.join(5)
        pytest.fail(f"still running after {seconds} s: blocked on {fifo}")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")
