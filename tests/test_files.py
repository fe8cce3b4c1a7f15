"""explorer.files: outputs checked before the work, written to a temporary file and renamed."""

from __future__ import annotations

import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from explorer.errors import ExplorerError
from explorer.files import FileError, atomic_path, check_output, write_bytes, write_text


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- check_output --------------------------------------------------------------------------------


def test_a_new_file_passes_and_nothing_is_left_behind(tmp_path: Path) -> None:
    assert check_output(tmp_path / "a.pt") == tmp_path / "a.pt"
    assert _names(tmp_path) == []  # the probe that proved the folder writable is gone


def test_an_existing_named_file_needs_force(tmp_path: Path) -> None:
    p = tmp_path / "a.pt"
    p.write_text("keep me")
    with pytest.raises(FileError) as info:
        check_output(p, what="--out")
    assert str(info.value) == f"--out {p}: exists; add --force to replace it"
    assert isinstance(info.value, ExplorerError)
    assert check_output(p, force=True) == p
    assert p.read_text() == "keep me"  # checking writes nothing


def test_an_existing_file_the_user_did_not_name(tmp_path: Path) -> None:
    p = tmp_path / "a.pt.curve.json"
    p.write_text("{}")
    with pytest.raises(
        FileError, match="exists and was not named on the command line; add --force"
    ):
        check_output(p, named=False, what="curve")
    check_output(p, named=False, force=True)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="is a folder; name a file"):
        check_output(tmp_path, force=True)


def test_a_missing_folder_is_made_or_refused(tmp_path: Path) -> None:
    deep = tmp_path / "x" / "y" / "a.pt"
    with pytest.raises(FileError) as info:
        check_output(deep, make_folder=False)
    assert str(info.value) == f"cannot write {deep}: no such folder '{deep.parent}'"
    assert _names(tmp_path) == []
    check_output(deep)
    assert deep.parent.is_dir() and _names(deep.parent) == []


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    for make_folder in (True, False):
        with pytest.raises(FileError) as info:
            check_output(tmp_path / "f" / "a.pt", make_folder=make_folder)
        assert str(info.value).endswith(f"'{tmp_path / 'f'}' is not a folder")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_takes_no_new_file() -> None:
    with pytest.raises(FileError, match=r"^cannot write /proc/x.pt: "):
        check_output("/proc/x.pt")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_force_does_not_replace_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(FileError, match="not a regular file; it cannot be replaced"):
        check_output(fifo, force=True)


# --- atomic_path ---------------------------------------------------------------------------------


def test_atomic_path_replaces_only_when_complete(tmp_path: Path) -> None:
    p = tmp_path / "graph.png"
    p.write_bytes(b"old")
    with atomic_path(p) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp != p
        tmp.write_bytes(b"new")
        assert p.read_bytes() == b"old"  # not yet
    assert p.read_bytes() == b"new" and _names(tmp_path) == ["graph.png"]


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()], ids=repr)
def test_a_failure_midway_keeps_the_old_file(tmp_path: Path, exc: BaseException) -> None:
    p = tmp_path / "a.json"
    p.write_text("old")
    with pytest.raises(type(exc)), atomic_path(p) as tmp:
        tmp.write_text("half")
        raise exc
    assert p.read_text() == "old" and _names(tmp_path) == ["a.json"]


def test_a_failure_before_any_file_existed_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "a.json") as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert _names(tmp_path) == []


def test_a_writer_that_removed_its_file(tmp_path: Path) -> None:
    p = tmp_path / "a.json"
    p.write_text("old")
    with pytest.raises(FileError, match="nothing was written"), atomic_path(p) as tmp:
        tmp.unlink()
    assert p.read_text() == "old" and _names(tmp_path) == ["a.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_modes(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o640)
    write_text(old, "y")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    new = tmp_path / "new.txt"
    write_text(new, "y")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_keep_name_gives_the_target_name_then_a_plain_ending(tmp_path: Path) -> None:
    p = tmp_path / "lenet5.pt"
    with atomic_path(p, keep_name=True) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith("lenet5.pt.")
        assert "." not in tmp.name.removeprefix("lenet5.pt.")
        tmp.write_bytes(b"w")
    assert _names(tmp_path) == ["lenet5.pt"]


def test_a_torch_checkpoint_does_not_record_the_temporary_name(tmp_path: Path) -> None:
    """torch.save records a file's name, less its last extension, inside the archive: with
    ``keep_name`` that is the target's whole name, never the random ending, so the same
    state gives the same bytes."""
    torch = pytest.importorskip("torch")
    state = {"w": torch.arange(4.0)}
    runs = []
    for run in ("a", "b"):
        p = tmp_path / run / "m.pt"
        p.parent.mkdir()
        with atomic_path(p, keep_name=True) as tmp:
            torch.save(state, tmp)
        with zipfile.ZipFile(p) as z:
            assert {n.split("/")[0] for n in z.namelist()} == {"m.pt"}
        runs.append(p.read_bytes())
    assert runs[0] == runs[1]


def test_write_text_and_bytes(tmp_path: Path) -> None:
    write_text(tmp_path / "a.svg", "<svg/>")
    write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.svg").read_text() == "<svg/>"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert _names(tmp_path) == ["a.svg", "b.bin"]
