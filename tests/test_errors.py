"""One error root, one line for the user, a log file for the rest (explorer/errors.py)."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil

import pytest
from cli_expect import run

import explorer
from explorer import errors
from explorer.errors import ExplorerError, first_line, log_file, log_unexpected, one_line

#: Exceptions that are signals inside one module, caught where they are raised: never a user's.
INTERNAL = {
    "explorer.graph.shapes.NoRule",  # no shape rule for a node: the tracer computes it for real
    "explorer.studies.fusion.bn.FusionSkip",  # why a block was left unfused: a report's line
    # a stored analysis that is not used: the graph is traced again, nothing is said
    "explorer.graph.stored.StoredError",
    "explorer.graph.stored._NotPlain",
}


def _explorer_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(explorer.__path__, "explorer."):
        if info.name == "explorer.ui" or info.name.startswith("explorer.ui."):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and issubclass(cls, BaseException):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


@pytest.fixture
def own_log(monkeypatch, tmp_path):
    """The log file in ``tmp_path``; afterwards no handler is left on a closed stream."""
    monkeypatch.setenv("CNN_EXPLORER_CACHE", str(tmp_path))
    yield log_file()
    errors.setup_logging(False)
    for h in [h for h in errors.LOG.handlers if isinstance(h, logging.FileHandler)]:
        errors.LOG.removeHandler(h)
        h.close()


def test_every_error_a_user_can_cause_derives_from_explorer_error() -> None:
    found = _explorer_exceptions()
    # the walk sees the known ones (a walk that found nothing would pass vacuously)
    for name in (
        "explorer.cli.common.CliError",
        "explorer.models.registry.UnknownModelError",
        "explorer.models.checkpoint_bounds.WeightsError",
        "explorer.runtime.images.ImageError",
        "explorer.graph.trace.TraceError",
    ):
        assert name in found
    assert set(INTERNAL) <= set(found), "an internal exception was renamed: update INTERNAL"
    strays = [n for n, cls in found.items() if n not in INTERNAL and n != "explorer.errors.ExplorerError" and not issubclass(cls, ExplorerError)]  # fmt: skip
    assert strays == []


def test_the_old_bases_are_kept_for_the_callers_that_catch_them() -> None:
    from explorer.graph.trace import TraceError
    from explorer.models.registry import UnknownModelError
    from explorer.runtime.evalset import DataError
    from explorer.runtime.images import ImageError
    from explorer.runtime.inference import DeviceError
    from explorer.studies.lesion.surgery import LesionError

    for cls in (DataError, DeviceError, ImageError, LesionError):
        assert issubclass(cls, ValueError)
    assert issubclass(TraceError, RuntimeError)
    assert issubclass(UnknownModelError, KeyError)
    # KeyError's str() would quote the name: the registry's own text is kept
    assert str(UnknownModelError("resnt", ["resnet18"])).startswith("unknown model 'resnt'")


@pytest.mark.parametrize(
    ("exc", "expect"),
    [
        (ValueError("first\nsecond"), "ValueError: first"),
        (RuntimeError(""), "RuntimeError"),
        (RuntimeError("\n  leading blank line\n"), "RuntimeError: leading blank line"),
        (ExplorerError("file.png: not an image\nmore"), "file.png: not an image"),
        (ExplorerError("no data", hint="give --data"), "no data (give --data)"),
        (KeyError("k"), "KeyError: 'k'"),
    ],
)
def test_one_line_gives_one_line(exc: BaseException, expect: str) -> None:
    assert one_line(exc) == expect


def test_one_line_and_first_line_are_bounded() -> None:
    exc = ValueError("x" * 5000)
    assert len(one_line(exc)) == 300 and one_line(exc).endswith("...")
    assert len(first_line(exc, 120)) == 120
    assert first_line(OSError()) == "OSError"


def test_log_unexpected_writes_the_traceback_to_the_log_file(own_log) -> None:
    try:
        raise RuntimeError("boom in a worker")
    except RuntimeError as exc:
        log_unexpected(exc, "a test")
    text = own_log.read_text(encoding="utf-8")
    assert "unexpected error in a test" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: boom in a worker" in text


def test_a_users_mistake_is_not_logged(own_log) -> None:
    log_unexpected(ExplorerError("no such block"))
    assert not own_log.exists() or "no such block" not in own_log.read_text(encoding="utf-8")


def _broken_list_models():
    raise RuntimeError("registry exploded")


def test_an_unexpected_error_is_one_line_exit_1_and_logged(monkeypatch, capsys, own_log) -> None:
    monkeypatch.setattr("explorer.models.registry.list_models", _broken_list_models)
    code, out, err = run(capsys, "list")
    assert code == 1 and out == ""  # a bug of the program's, not the user's mistake (2)
    assert err.strip().splitlines() == [
        f"cnn-explorer: internal error: RuntimeError: registry exploded (details in {own_log})"
    ]
    text = own_log.read_text(encoding="utf-8")
    assert "in cnn-explorer list" in text and "Traceback" in text


@pytest.mark.parametrize("argv", [("--verbose", "list"), ("list", "--verbose")])
def test_verbose_shows_the_traceback_on_stderr(monkeypatch, capsys, own_log, argv) -> None:
    monkeypatch.setattr("explorer.models.registry.list_models", _broken_list_models)
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert "Traceback (most recent call last)" in err
    assert "_broken_list_models" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("cnn-explorer: internal error: RuntimeError: registry exploded")


def test_a_users_mistake_that_escapes_a_command_is_one_line_exit_2(monkeypatch, capsys) -> None:
    from explorer.runtime.evalset import DataError

    def refuse():
        raise DataError("digits.npz: no labels")

    monkeypatch.setattr("explorer.models.registry.list_models", refuse)
    code, out, err = run(capsys, "list")
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == ["cnn-explorer list: error: digits.npz: no labels"]
