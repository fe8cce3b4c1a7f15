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
import threading
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


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of ``exc``'s text (its class name where it has none), at most ``limit``
    characters: the reason to quote inside a message of our own."""
    lines = str(exc).strip().splitlines()
    return _clip(" ".join(lines[0].split()) if lines else type(exc).__name__, limit)


def one_line(exc: BaseException, limit: int = 300) -> str:
    """The user's line for ``exc``: our own errors speak for themselves, others get their type."""
    if isinstance(exc, ExplorerError) or not str(exc).strip():
        return first_line(exc, limit)
    return _clip(f"{type(exc).__name__}: {first_line(exc, limit)}", limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def log_dir() -> Path:
    """The program's cache folder (its log, the analysis cache): ``$CNN_EXPLORER_CACHE``, else
    ``$XDG_CACHE_HOME/cnn-explorer``, else the platform's user cache folder:
    ``~/Library/Caches/cnn-explorer`` on macOS, ``%LOCALAPPDATA%\\cnn-explorer\\Cache`` on
    Windows, ``~/.cache/cnn-explorer`` elsewhere (as platformdirs' ``user_cache_dir``)."""
    own = os.environ.get("CNN_EXPLORER_CACHE")
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "cnn-explorer"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "cnn-explorer"
    local = os.environ.get("LOCALAPPDATA")
    if sys.platform == "win32" and local:
        return Path(local) / "cnn-explorer" / "Cache"
    return Path.home() / ".cache" / "cnn-explorer"


def log_file() -> Path:
    return log_dir() / "cnn-explorer.log"


_lock = threading.Lock()
# A library's loggers stay silent unless the program configures them: without this handler
# logging's last resort would print our tracebacks on stderr when no log file can be opened.
LOG.addHandler(logging.NullHandler())


def setup_logging(verbose: bool = False) -> None:
    """Log warnings and tracebacks to the log file; with ``verbose`` to stderr as well.

    Called again, it follows the present ``verbose`` and ``$CNN_EXPLORER_CACHE``.
    """
    with _lock:
        LOG.setLevel(logging.DEBUG if verbose else logging.INFO)
        for h in [h for h in LOG.handlers if getattr(h, "_explorer_stderr", False)]:
            LOG.removeHandler(h)
        if verbose:
            h = logging.StreamHandler(sys.stderr)
            h._explorer_stderr = True  # type: ignore[attr-defined]
            h.setFormatter(logging.Formatter("cnn-explorer: %(message)s"))
            LOG.addHandler(h)
        _open_log_file()


def _open_log_file() -> None:
    """Point the file handler at :func:`log_file` (once, or again where the folder changed)."""
    path = os.path.abspath(log_file())
    old = [h for h in LOG.handlers if isinstance(h, logging.FileHandler)]
    if [h.baseFilename for h in old] == [path]:
        return
    for h in old:
        LOG.removeHandler(h)
        h.close()
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return  # a read-only home: the program still runs, it only logs nowhere
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    LOG.addHandler(fh)


def log_unexpected(exc: BaseException, where: str = "") -> None:
    """Keep the traceback of an error that is not a user's mistake (ours, or a library's)."""
    if isinstance(exc, ExplorerError):
        return
    with _lock:
        _open_log_file()
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    LOG.error("unexpected error%s:\n%s", f" in {where}" if where else "", text.rstrip())
