"""Files the user gives and files the program writes: checked first, never lost.

- An input path must be a regular, readable file (a FIFO or a device would block or never end).
- An output is checked before long work starts (its folder exists and takes a file, it is
  not a folder, and it does not exist unless the user said ``--force``), and written to a
  temporary file in the same folder that replaces the target only once it is complete: a
  failure or Ctrl+C midway leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from explorer.errors import ExplorerError

#: the option that lets an output replace an existing file
FORCE = "--force"


class FileError(ExplorerError):
    """An input that is not a readable regular file, or an output place that cannot be used."""


def regular_input(path: str | os.PathLike[str], what: str = "") -> Path:
    """``path`` if it is a readable regular file; else a one-line :class:`FileError`.

    ``what`` ("checkpoint", "data file") goes before the path in the message.
    """
    p = Path(path)
    name = f"{what} {p}" if what else str(p)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise FileError(f"{name}: no such file") from None
    except OSError as exc:
        raise FileError(f"{name}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise FileError(f"{name}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise FileError(f"{name}: not a regular file (a pipe, socket or device cannot be read)")
    if not os.access(p, os.R_OK):
        raise FileError(f"{name}: permission denied")
    return p


def check_output(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    named: bool = True,
    what: str = "",
    make_folder: bool = True,
) -> Path:
    """Check, before any work, that ``path`` can be written.

    ``named``: the user named this file. An existing file is replaced only with ``force``;
    one the user did not name (a curve written beside a checkpoint) is never replaced unless
    ``force`` too. The folder must take a new file; a missing one is made when
    ``make_folder``, else refused.
    """
    p = Path(path)
    name = f"{what} {p}" if what else str(p)
    if p.is_dir():
        raise FileError(f"{name}: is a folder" + ("; name a file" if named else ""))
    if p.exists() or p.is_symlink():
        if not force:
            why = "exists" if named else "exists and was not named on the command line"
            raise FileError(f"{name}: {why}; add {FORCE} to replace it")
        if not p.is_file():
            raise FileError(f"{name}: not a regular file; it cannot be replaced")
    folder = p.parent if str(p.parent) else Path(".")
    _check_folder(folder, p, make_folder)
    probe_write(folder, p)
    return p


def _check_folder(folder: Path, target: Path, make: bool) -> None:
    """``folder`` is a folder (made, with its parents, where missing and ``make``)."""
    if folder.is_dir():
        return
    for above in (folder, *folder.parents):
        if above.exists() and not above.is_dir():
            raise FileError(f"cannot write {target}: '{above}' is not a folder")
        if above.exists():
            break
    if not make:
        raise FileError(f"cannot write {target}: no such folder '{folder}'")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"cannot write {target}: {exc.strerror or exc}") from None


def probe_write(folder: Path, target: Path) -> None:
    """Create and remove a file in ``folder``: the proof that the real write can happen."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".cnn-explorer-", suffix=".probe", dir=folder)
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.errno == errno.ENOENT:  # the folder is there (/proc): it takes no new file
            why = f"the folder '{folder}' takes no new file"
        raise FileError(f"cannot write {target}: {why}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, keep_name: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on any
    failure (Ctrl+C too) it is removed and ``path`` stays as it was.

    The temporary file keeps the suffix (``.NAME.XXXX.tmp.png``), so that writers that choose
    a format by the suffix (Qt) still do. With ``keep_name`` it is ``NAME.XXXX`` instead (the
    whole name, then an ending without a dot): ``torch.save`` records a file's name without
    its last extension inside the archive, so the bytes are those ``NAME`` itself would get.
    """
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    if keep_name:
        fd, tmp = tempfile.mkstemp(prefix=f"{p.name}.", dir=folder)
    else:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.stem}.", suffix=f".tmp{p.suffix}", dir=folder)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if not tmp_path.is_file():  # the writer removed or moved it
            raise FileError(f"cannot write {p}: nothing was written")
        _keep_mode(p, tmp_path)
        os.replace(tmp_path, p)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _keep_mode(target: Path, tmp: Path) -> None:
    """The new file gets the old one's mode, or the usual mode of a new file (mkstemp: 0600)."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
