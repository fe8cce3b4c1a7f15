"""One root for the program's errors, one line for the user, a log file for the rest.

Every error a user can cause derives from :class:`ExplorerError`: its text is already the one
line to show (what is wrong, and where it helps, how to put it right: ``hint``). Anything else
is a bug or a library's failure: :func:`one_line` still gives one line, and
:func:`log_unexpected` keeps its traceback in the log file (and on stderr with ``--verbose``),
so an error is never a line with nothing behind it.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path

LOG = logging.getLogger("explorer")


class ExplorerError(Exception):
    """A user's mistake or an input the program refuses: shown as one line, exit status 2."""

    def __init__(self, message: str = "", hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} ({self.hint})" if self.hint else text


def one_line(exc: BaseException) -> str:
    """The user's line for ``exc``: our own errors speak for themselves, others get their type."""
    text = str(exc).strip()
    if isinstance(exc, ExplorerError):
        return (text.splitlines() or [type(exc).__name__])[0]
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def log_dir() -> Path:
    """The program's cache folder: ``$CNN_EXPLORER_CACHE``, else ``$XDG_CACHE_HOME/cnn-explorer``
    or ``~/.cache/cnn-explorer``."""
    own = os.environ.get("CNN_EXPLORER_CACHE")
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "cnn-explorer"


def log_file() -> Path:
    return log_dir() / "cnn-explorer.log"


_configured = False


def setup_logging(verbose: bool = False) -> None:
    """Log warnings and tracebacks to the log file; with ``verbose`` to stderr as well."""
    global _configured
    LOG.setLevel(logging.DEBUG if verbose else logging.INFO)
    if verbose and not any(getattr(h, "_explorer_stderr", False) for h in LOG.handlers):
        h = logging.StreamHandler(sys.stderr)
        h._explorer_stderr = True  # type: ignore[attr-defined]
        h.setFormatter(logging.Formatter("cnn-explorer: %(message)s"))
        LOG.addHandler(h)
    if _configured:
        return
    _configured = True
    try:
        path = log_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return  # a read-only home: the program still runs, it only logs nowhere
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    LOG.addHandler(fh)


def log_unexpected(exc: BaseException, where: str = "") -> None:
    """Keep the traceback of an error that is not a user's mistake (ours, or a library's)."""
    if isinstance(exc, ExplorerError):
        return
    setup_logging()
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    LOG.error("unexpected error%s:\n%s", f" in {where}" if where else "", text.rstrip())
