"""A checkpoint is bounded before it is loaded, checked for non-finite values, and read only
from a regular file.

- The bytes of its tensors are read from the file's directory (zip), header (safetensors) or
  size (legacy pickle), never by loading them, and refused above the model's own size (times
  4, plus 1 MiB) or the memory limit.
- A failed allocation while loading says out of memory, not "damaged".
- NaN and Inf are refused, also those a cast to the model's dtype creates; integer values cast
  into floating parameters load with a warning in ``WeightsInfo.warnings``.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import warnings
import zipfile
from pathlib import Path

import pytest
import torch
from bad_inputs import build_seeded
from crafted_checkpoints import with_junk
from safetensors.torch import save_file
from torch import nn

from explorer.limits import LimitError
from explorer.models import registry
from explorer.models.checkpoint import (
    WeightsError,
    WeightsInfo,
    allowance,
    load_checkpoint,
    read_state_dict,
)
from explorer.models.registry import ModelBuildError

MiB = 1 << 20


def _lenet(seed: int = 0) -> nn.Module:
    return build_seeded("lenet5", seed)


def _copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


def _assert_same(model: nn.Module, expected: dict[str, torch.Tensor]) -> None:
    state = model.state_dict()
    for key, value in expected.items():
        assert torch.equal(state[key], value), key


@pytest.fixture
def no_torch_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any torch.load fails the test: the refusal must come before reading the tensors."""

    def forbidden(*args, **kwargs):
        raise AssertionError("torch.load was called")

    monkeypatch.setattr(torch, "load", forbidden)


def _refused(model: nn.Module, path: Path, **kw) -> str:
    before = _copy(model)
    with pytest.raises(WeightsError) as info:
        load_checkpoint(model, path, **kw)
    _assert_same(model, before)
    text = str(info.value)
    assert "\n" not in text
    return text


# --- bounds before loading ---------------------------------------------------------------------


def test_allowance_is_four_times_the_model_plus_one_mib() -> None:
    assert allowance(0) == MiB
    assert allowance(10 * MiB) == 41 * MiB


def test_deflated_junk_is_refused_without_loading(tmp_path: Path, no_torch_load: None) -> None:
    # 300 MB of zeros deflated into ~1.4 MB, beside lenet5's 241 KiB of weights
    path = with_junk(tmp_path / "bomb.pt", _lenet(1).state_dict(), 300_000_000)
    assert path.stat().st_size < 3 * MiB
    text = _refused(_lenet(0), path, model_name="lenet5")
    assert text == (
        "bomb.pt: holds 286.3 MiB of tensors, but lenet5 needs only 241.0 KiB; a compressed "
        "zip is read whole, and refused over 1.9 MiB (4 times the model's size plus 1 MiB; "
        "save the state_dict alone, or with torch.save, whose files are mapped, not read)"
    )


def test_without_a_model_name_the_class_is_named(tmp_path: Path, no_torch_load: None) -> None:
    path = with_junk(tmp_path / "bomb.pt", _lenet(1).state_dict(), 8 * MiB)
    assert "but the model (LeNet5) needs only 241.0 KiB" in _refused(_lenet(0), path)


def test_stored_junk_is_mapped_not_refused(tmp_path: Path) -> None:
    # torch.save's own (stored) records are mapped: the unused tensor is never read
    source = _copy(_lenet(1))
    path = with_junk(tmp_path / "big.pt", source, 4 * MiB, deflate=False)
    model = _lenet(0)
    assert load_checkpoint(model, path).message == "loaded 10 of 10 tensors"
    _assert_same(model, source)


def test_stored_junk_over_the_memory_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_torch_load: None
) -> None:
    path = with_junk(tmp_path / "big.pt", _lenet(1).state_dict(), 4 * MiB, deflate=False)
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "2M")
    assert "big.pt: its tensors would take 4.2 MiB, more than the memory limit of 2.0 MiB" in (
        _refused(_lenet(0), path)
    )


def test_legacy_file_is_bounded_by_its_size(tmp_path: Path, no_torch_load: None) -> None:
    sd = {"state_dict": _lenet(1).state_dict(), "junk": torch.zeros(MiB)}
    torch.save(sd, tmp_path / "old.th", _use_new_zipfile_serialization=False)
    text = _refused(_lenet(0), tmp_path / "old.th")
    assert text.startswith("old.th: holds up to 4.2 MiB of tensors, but the model (LeNet5) ")
    assert "; a legacy (non-zip) checkpoint is read whole, and refused over 1.9 MiB" in text


def test_safetensors_is_bounded_by_its_header(tmp_path: Path) -> None:
    sd = dict(_lenet(1).state_dict(), junk=torch.zeros(MiB))
    save_file(sd, str(tmp_path / "big.safetensors"))
    text = _refused(_lenet(0), tmp_path / "big.safetensors")
    assert "big.safetensors: holds 4.2 MiB of tensors, but" in text
    assert "; a safetensors file is read whole" in text


def test_safetensors_header_claiming_more_than_the_file(tmp_path: Path) -> None:
    header = json.dumps({"w": {"dtype": "F32", "shape": [1 << 30], "data_offsets": [0, 1 << 32]}})
    data = header.encode()
    (tmp_path / "liar.safetensors").write_bytes(struct.pack("<Q", len(data)) + data + bytes(64))
    text = _refused(_lenet(0), tmp_path / "liar.safetensors")
    assert text.startswith("liar.safetensors: damaged or truncated checkpoint (")
    assert "4.0 GiB" in text


def test_memory_limit_refuses_with_the_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_torch_load: None
) -> None:
    torch.save(_lenet(1).state_dict(), tmp_path / "w.pt")
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "100K")
    before = _copy(model := _lenet(0))
    with pytest.raises(WeightsError) as info:
        load_checkpoint(model, tmp_path / "w.pt")
    assert isinstance(info.value, LimitError)
    assert str(info.value) == (
        "w.pt: its tensors would take 241.0 KiB, more than the memory limit of 100.0 KiB "
        "(set CNN_EXPLORER_MAX_MEMORY to raise it, e.g. CNN_EXPLORER_MAX_MEMORY=16G)"
    )
    _assert_same(model, before)


def test_memory_limit_applies_without_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # library pretrained weights are read with no model to compare with
    torch.save(_lenet(1).state_dict(), tmp_path / "w.pt")
    monkeypatch.setenv("CNN_EXPLORER_MAX_MEMORY", "100K")
    with pytest.raises(LimitError, match="w.pt: its tensors would take 241.0 KiB"):
        read_state_dict(tmp_path / "w.pt")


def test_training_checkpoint_with_optimizer_state_loads(tmp_path: Path) -> None:
    # the model and Adam's two moments: 3 times the model, within the allowance
    source = _copy(_lenet(1))
    moments = {k: [v.clone(), v.clone()] for k, v in source.items()}
    torch.save({"model_state_dict": source, "optimizer": moments}, tmp_path / "train.pt")
    model = _lenet(0)
    info = load_checkpoint(model, tmp_path / "train.pt")
    assert info.message == "loaded 10 of 10 tensors" and info.warnings == ()
    _assert_same(model, source)


def test_zip_checkpoint_is_mapped_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict] = []
    real = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    source = _copy(_lenet(1))
    torch.save(source, tmp_path / "w.pt")
    model = _lenet(0)
    load_checkpoint(model, tmp_path / "w.pt")
    _assert_same(model, source)
    assert [(c.get("mmap"), c.get("weights_only")) for c in calls] == [(True, True)]


def test_deflated_checkpoint_within_bounds_loads_its_true_values(tmp_path: Path) -> None:
    # a mapped deflated record would give its compressed bytes as values: it must be read
    source = _copy(_lenet(1))
    path = with_junk(tmp_path / "small.pt", source, 1000)
    model = _lenet(0)
    assert load_checkpoint(model, path).message == "loaded 10 of 10 tensors"
    _assert_same(model, source)


@pytest.mark.parametrize(
    "error",
    [
        MemoryError(),
        RuntimeError(
            "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: "
            "you tried to allocate 6442450944 bytes."
        ),
        RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 64 bytes"),
    ],
    ids=["MemoryError", "not-enough-memory", "cant-allocate"],
)
def test_out_of_memory_is_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    torch.save(_lenet(1).state_dict(), tmp_path / "w.pt")

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(torch, "load", fail)
    text = _refused(_lenet(0), tmp_path / "w.pt")
    assert text.startswith("w.pt: out of memory while loading its 241.0 KiB of tensors")
    assert "damaged" not in text


# --- the input path --------------------------------------------------------------------------


def _in_thread(fn, *args, timeout: float = 20.0) -> BaseException | None:
    """``fn(*args)`` on a daemon thread; the exception it raised (it must not block)."""
    caught: list[BaseException] = []

    def target() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            caught.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{fn.__name__} blocked on a FIFO"
    return caught[0] if caught else None


def test_fifo_as_weights_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "w.pt"
    os.mkfifo(fifo)
    exc = _in_thread(load_checkpoint, _lenet(0), fifo)
    assert isinstance(exc, WeightsError)
    assert str(exc) == f"{fifo}: not a regular file (a pipe, socket or device cannot be read)"


def test_fifo_as_model_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "net.py"
    os.mkfifo(fifo)
    exc = _in_thread(lambda ref: registry.get(ref).build(), f"{fifo}:make")
    assert isinstance(exc, ModelBuildError)
    assert str(exc) == (
        f"model file {fifo}: not a regular file (a pipe, socket or device cannot be read)"
    )


def test_folder_as_model_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "net.py").mkdir()
    with pytest.raises(ModelBuildError) as info:
        registry.get(f"{tmp_path / 'net.py'}:make")
    assert str(info.value) == f"model file {tmp_path / 'net.py'}: is a folder, not a file"


# --- odd files, one line each ------------------------------------------------------------------


def _all_mismatched(d: Path) -> Path:
    sd = {k: torch.zeros(*v.shape, 2) for k, v in _lenet(1).state_dict().items()}
    torch.save(sd, d / "shapes.pt")
    return d / "shapes.pt"


def _folder(d: Path) -> Path:
    (d / "x.pt").mkdir()
    return d / "x.pt"


def _truncated_zip(d: Path) -> Path:
    torch.save(_lenet(1).state_dict(), d / "full.pt")
    data = (d / "full.pt").read_bytes()
    (d / "cut.pt").write_bytes(data[: len(data) - 100])  # the zip's directory is gone
    return d / "cut.pt"


def _torchscript(d: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated, still met
        torch.jit.save(torch.jit.script(nn.Linear(2, 2)), str(d / "scripted.pt"))
    return d / "scripted.pt"


def _bad_directory(d: Path) -> Path:
    # a zip whose directory claims a record larger than the data it holds
    torch.save(_lenet(1).state_dict(), d / "full.pt")
    with zipfile.ZipFile(d / "full.pt") as z, zipfile.ZipFile(d / "odd.pt", "w") as out:
        for info in z.infolist():
            out.writestr(info, z.read(info)[:-4] if "/data/" in info.filename else z.read(info))
    return d / "odd.pt"


@pytest.mark.parametrize(
    ("write", "expect"),
    [
        (_all_mismatched, "shapes.pt: matches nothing of this model (0 of 10 tensors"),
        (_folder, "x.pt: is a folder, not a file"),
        (_truncated_zip, "cut.pt: damaged or truncated checkpoint"),
        (_torchscript, "scripted.pt: a TorchScript archive (torch.jit.save), not a state_dict"),
        (_bad_directory, "odd.pt: damaged or truncated checkpoint"),
    ],
    ids=["all-mismatched", "folder", "truncated-zip", "torchscript", "short-records"],
)
def test_odd_file_is_one_line(tmp_path: Path, write, expect: str) -> None:
    assert expect in _refused(_lenet(0), write(tmp_path))


# --- non-finite values and casts ------------------------------------------------------------


def _save(sd: dict[str, torch.Tensor], path: Path) -> Path:
    torch.save(sd, path)
    return path


def test_nan_and_inf_are_refused_naming_the_tensors(tmp_path: Path) -> None:
    sd = _copy(_lenet(1))
    sd["c1.weight"].view(-1)[:12] = float("nan")
    sd["c3.bias"][:2] = float("inf")
    sd["c3.bias"][2] = float("nan")
    text = _refused(_lenet(0), _save(sd, tmp_path / "nan.pt"))
    assert text == (
        "nan.pt: 12 non-finite values in c1.weight (NaN), 3 in c3.bias (1 NaN, 2 Inf); "
        "nothing loaded"
    )


def test_many_bad_tensors_are_counted(tmp_path: Path) -> None:
    sd = {k: torch.full_like(v, float("inf")) for k, v in _lenet(1).state_dict().items()}
    text = _refused(_lenet(0), _save(sd, tmp_path / "inf.pt"))
    assert text.startswith("inf.pt: 150 non-finite values in c1.weight (Inf), 6 in c1.bias (Inf)")
    assert text.endswith(", and 7 more tensors; nothing loaded")


def test_overflow_when_cast_is_refused(tmp_path: Path) -> None:
    sd = {k: v.double() for k, v in _lenet(1).state_dict().items()}
    sd["f6.bias"][0] = 1e300
    text = _refused(_lenet(0), _save(sd, tmp_path / "wide.pt"))
    assert text == (
        "wide.pt: 1 non-finite values in f6.bias (Inf once cast from float64 to float32); "
        "nothing loaded"
    )


def test_overflow_into_a_half_precision_model(tmp_path: Path) -> None:
    sd = _copy(_lenet(1))
    sd["c1.bias"][0] = 1e6  # beyond float16's 65504
    text = _refused(_lenet(0).half(), _save(sd, tmp_path / "w.pt"))
    assert "1 non-finite values in c1.bias (Inf once cast from float32 to float16)" in text


def test_float16_checkpoint_loads_without_warnings(tmp_path: Path) -> None:
    source = _copy(_lenet(1))
    path = _save({k: v.half() for k, v in source.items()}, tmp_path / "half.pt")
    model = _lenet(0)
    info = load_checkpoint(model, path)
    assert info.warnings == () and info.message == "loaded 10 of 10 tensors"
    for key, value in model.state_dict().items():
        assert value.dtype == torch.float32
        torch.testing.assert_close(value, source[key], atol=1e-3, rtol=1e-3)


def test_integer_values_in_float_parameters_load_with_a_warning(tmp_path: Path) -> None:
    sd = _copy(_lenet(1))
    sd["c1.weight"] = torch.randint(-128, 127, sd["c1.weight"].shape, dtype=torch.int8)
    sd["f6.bias"] = torch.ones(84, dtype=torch.bool)
    model = _lenet(0)
    info = load_checkpoint(model, _save(sd, tmp_path / "ints.pt"))
    assert info.warnings == (
        "ints.pt: integer values cast to floating point in c1.weight (int8), f6.bias (bool): "
        "are they quantized weights without their scales?",
    )
    assert torch.equal(model.state_dict()["c1.weight"], sd["c1.weight"].float())


def test_model_that_holds_infinities_itself_may_load_them(tmp_path: Path) -> None:
    class Masked(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.register_buffer("mask", torch.tensor([0.0, float("-inf")]))

    source = Masked()
    path = _save(source.state_dict(), tmp_path / "masked.pt")
    info = load_checkpoint(Masked(), path)
    assert info.message == "loaded 3 of 3 tensors"


def test_weights_info_warnings_default_empty() -> None:
    info = WeightsInfo(kind="random", label="random", trained=False, message="")
    assert info.warnings == ()
