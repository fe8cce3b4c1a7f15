"""Weights: checkpoint files (good and bad), library weights from the cache or offline, metadata.

No network: every test that could reach for one patches ``socket.create_connection``.
"""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from bad_inputs import BAD_CHECKPOINTS, BadCheckpoint, build_seeded, marker_for
from safetensors.torch import save_file
from torch import nn

from explorer.models import registry
from explorer.models.checkpoint import LoadReport, WeightsError, load_checkpoint, read_state_dict
from explorer.models.weights import (
    WeightsUnavailable,
    categories,
    library_transforms,
    library_weights,
    load_pretrained,
    random_weights,
)


def _lenet(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return registry.get("lenet5").build()


def _resnet18(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return registry.get("resnet18").build()


def _copy(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


def _assert_same(model: nn.Module, expected: dict[str, torch.Tensor]) -> None:
    state = model.state_dict()
    assert state.keys() == expected.keys()
    for key, value in expected.items():
        assert torch.equal(state[key], value), key


# --- bad checkpoints: the shared table of tests/bad_inputs.py ---------------------------------


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.id) for e in BAD_CHECKPOINTS])
def test_bad_checkpoint_is_refused_and_model_untouched(
    entry: BadCheckpoint, tmp_path: Path
) -> None:
    path = entry.write(tmp_path)
    model = build_seeded(entry.model, 0)
    before = _copy(model)
    with pytest.raises(WeightsError) as info:
        load_checkpoint(model, path)
    assert entry.expect in str(info.value)
    assert "\n" not in str(info.value)
    assert not isinstance(info.value, WeightsUnavailable)
    assert not marker_for(path).exists(), "the pickle's code ran"
    _assert_same(model, before)


# --- good checkpoints ---------------------------------------------------------------------------


def _as_bare(sd: dict, path: Path) -> Path:
    torch.save(sd, path.with_suffix(".pt"))
    return path.with_suffix(".pt")


def _as_training_state(sd: dict, path: Path) -> Path:
    torch.save({"epoch": 90, "best_prec1": 91.7, "state_dict": sd}, path.with_suffix(".pth"))
    return path.with_suffix(".pth")


def _as_model_entry(sd: dict, path: Path) -> Path:
    torch.save({"model": sd, "optimizer": {"lr": 0.1}}, path.with_suffix(".pth"))
    return path.with_suffix(".pth")


def _as_data_parallel_legacy(sd: dict, path: Path) -> Path:
    # akamaster's layout: legacy (non-zip) format, "module." on every key
    wrapped = {"best_prec1": 91.7, "state_dict": {"module." + k: v for k, v in sd.items()}}
    torch.save(wrapped, path.with_suffix(".th"), _use_new_zipfile_serialization=False)
    return path.with_suffix(".th")


def _as_safetensors(sd: dict, path: Path) -> Path:
    save_file(sd, str(path.with_suffix(".safetensors")))
    return path.with_suffix(".safetensors")


@pytest.mark.parametrize(
    "write",
    [_as_bare, _as_training_state, _as_model_entry, _as_data_parallel_legacy, _as_safetensors],
)
def test_good_checkpoint_loads_every_tensor(write: Callable, tmp_path: Path) -> None:
    source = _copy(_lenet(1))
    path = write(source, tmp_path / "lenet")
    assert read_state_dict(path).keys() == source.keys()
    model = _lenet(0)
    info = load_checkpoint(model, path)
    _assert_same(model, source)
    assert (info.kind, info.label, info.trained) == ("file", path.name, True)
    assert info.report == LoadReport(10, 10, [], [], [])
    assert info.message == "loaded 10 of 10 tensors"


def test_report_lists_missing_unexpected_and_mismatched(tmp_path: Path) -> None:
    source = _copy(_lenet(1))
    sd = dict(source)
    sd["extra.weight"] = torch.ones(3)
    del sd["f6.bias"]
    sd["output.weight"] = torch.zeros(20, 84)
    torch.save(sd, tmp_path / "odd.pt")

    model = _lenet(0)
    before = _copy(model)
    info = load_checkpoint(model, tmp_path / "odd.pt")
    report = info.report
    assert report is not None
    assert (report.matched, report.model_keys) == (8, 10)
    assert report.missing == ["f6.bias"]
    assert report.unexpected == ["extra.weight"]
    assert report.mismatched == [("output.weight", (20, 84), (10, 84))]
    assert info.message == (
        "loaded 8 of 10 tensors, 1 missing (f6.bias), 1 unexpected (extra.weight), "
        "1 of another shape (output.weight 20x84 in file vs 10x84)"
    )
    state = model.state_dict()
    for key in source:
        expected = before[key] if key in ("f6.bias", "output.weight") else source[key]
        assert torch.equal(state[key], expected), key


def test_summary_lists_at_most_three_names() -> None:
    report = LoadReport(5, 10, ["a", "b", "c", "d", "e"], [], [])
    assert report.summary() == "loaded 5 of 10 tensors, 5 missing (a, b, c, ...)"


def test_batch_norm_step_counters_are_not_counted(tmp_path: Path) -> None:
    source = _copy(_resnet18(1))
    torch.save({k: v for k, v in source.items() if "num_batches" not in k}, tmp_path / "r.pt")
    info = load_checkpoint(_resnet18(0), tmp_path / "r.pt")
    assert info.report is not None and not info.report.missing
    assert info.report.matched == info.report.model_keys == 102


# --- library weights ---------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every connection attempt is recorded and fails, as on a machine without a network."""
    calls: list[tuple] = []

    def refuse(address, *args, **kwargs):
        calls.append(address)
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return calls


@pytest.fixture
def empty_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    return tmp_path


def test_torchvision_weights_offline_fail_fast(empty_caches: Path, no_network: list) -> None:
    model = _resnet18(0)
    before = _copy(model)
    start = time.perf_counter()
    with pytest.raises(WeightsUnavailable) as info:
        load_pretrained(registry.get("resnet18"), model)
    assert time.perf_counter() - start < 5
    assert "resnet18: no network" in str(info.value)
    assert "IMAGENET1K_V1" in str(info.value)
    assert str(empty_caches / "torch") in str(info.value)
    assert no_network == [("download.pytorch.org", 443)]
    _assert_same(model, before)


def test_timm_weights_offline_fail_fast(
    empty_caches: Path, no_network: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = registry.get("repvgg_a0")
    start = time.perf_counter()
    with pytest.raises(WeightsUnavailable) as info:
        load_pretrained(spec, spec.build())
    assert time.perf_counter() - start < 5
    assert "timm/repvgg_a0.rvgg_in1k" in str(info.value)
    assert "HF_HUB_OFFLINE" in str(info.value)
    assert no_network == []


def test_download_failure_is_unavailable(
    empty_caches: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host answers, then the download breaks off: no hang, no half-written cache file."""
    from urllib.error import URLError

    class Answer:
        def close(self) -> None:
            pass

    def broken(url: str, dst: str, *args, **kwargs) -> None:
        raise URLError("connection reset\nby peer")

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: Answer())
    monkeypatch.setattr(torch.hub, "download_url_to_file", broken)
    with pytest.raises(WeightsUnavailable) as info:
        load_pretrained(registry.get("resnet18"), _resnet18(0))
    assert str(info.value).startswith("resnet18: download of https://download.pytorch.org/")
    assert "\n" not in str(info.value)
    assert not list((empty_caches / "torch").rglob("*.pth"))


def test_torchvision_weights_from_the_cache(empty_caches: Path, no_network: list) -> None:
    source = _copy(_resnet18(1))
    checkpoints = empty_caches / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(source, checkpoints / "resnet18-f37072fd.pth")

    model = _resnet18(0)
    info = load_pretrained(registry.get("resnet18"), model)
    _assert_same(model, source)
    assert no_network == []
    assert (info.kind, info.label, info.trained) == ("pretrained", "IMAGENET1K_V1", True)
    assert info.message == "pretrained IMAGENET1K_V1 weights (torchvision)"
    assert info.transforms is not None and info.transforms["crop"] == 224
    assert info.categories is not None and len(info.categories) == 1000


def test_library_weights_that_do_not_fit_are_refused(empty_caches: Path, no_network: list) -> None:
    sd = _copy(_resnet18(1))
    del sd["fc.bias"]
    checkpoints = empty_caches / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(sd, checkpoints / "resnet18-f37072fd.pth")
    model = _resnet18(0)
    before = _copy(model)
    with pytest.raises(WeightsError, match=r"IMAGENET1K_V1 weights do not fit.*1 missing \(fc"):
        load_pretrained(registry.get("resnet18"), model)
    _assert_same(model, before)


def test_timm_weights_from_the_hugging_face_cache(empty_caches: Path, no_network: list) -> None:
    spec = registry.get("repvgg_a0")
    torch.manual_seed(1)
    source = _copy(spec.build())
    # the hub cache's layout: refs/main names the snapshot that holds the file
    repo = empty_caches / "hf" / "hub" / "models--timm--repvgg_a0.rvgg_in1k"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)
    (repo / "snapshots" / ("0" * 40)).mkdir(parents=True)
    save_file(source, str(repo / "snapshots" / ("0" * 40) / "model.safetensors"))

    torch.manual_seed(0)
    model = spec.build()
    info = load_pretrained(spec, model)
    _assert_same(model, source)
    assert info.label == "timm: timm/repvgg_a0.rvgg_in1k"
    assert info.message == "pretrained timm/repvgg_a0.rvgg_in1k weights (timm)"
    assert info.transforms is not None and info.transforms["interpolation"] == "bilinear"
    assert no_network == []


def test_googlenet_from_the_cache_ignores_aux_heads_and_transforms_input(
    empty_caches: Path, no_network: list
) -> None:
    from torchvision.models import googlenet

    torch.manual_seed(1)
    full = googlenet(weights=None, aux_logits=True, init_weights=False)
    source = _copy(full)
    assert any(k.startswith("aux1.") for k in source)
    checkpoints = empty_caches / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(source, checkpoints / "googlenet-1378be20.pth")

    spec = registry.get("googlenet")
    model = spec.build()
    assert model.transform_input is False
    info = load_pretrained(spec, model)
    assert model.transform_input is True
    for key, value in model.state_dict().items():
        assert torch.equal(value, source[key]), key
    assert info.report is not None and info.report.unexpected == []
    assert no_network == []


def test_spec_without_library_weights(tmp_path: Path) -> None:
    user = tmp_path / "mine.py"
    user.write_text("from torch import nn\ndef net():\n    return nn.Linear(2, 3)\n")
    for spec in (registry.get("lenet5"), registry.get(f"{user}:net")):
        assert library_weights(spec) is None
        assert library_transforms(spec) is None
        with pytest.raises(WeightsError, match="has no library pretrained weights"):
            load_pretrained(spec, spec.build())


def test_library_weights_labels() -> None:
    assert library_weights(registry.get("resnet50")) == "IMAGENET1K_V2"
    assert library_weights(registry.get("seresnet50")) == "timm: timm/seresnet50.a1_in1k"


def test_library_transforms() -> None:
    resnet50 = library_transforms(registry.get("resnet50"))
    assert resnet50 == {
        "resize": 232,
        "crop": 224,
        "mean": (0.485, 0.456, 0.406),
        "std": (0.229, 0.224, 0.225),
        "interpolation": "bilinear",
    }
    inception = library_transforms(registry.get("inception_v3"))
    assert inception is not None and (inception["resize"], inception["crop"]) == (342, 299)
    seresnet = library_transforms(registry.get("seresnet50"))
    # timm: crop 224 at crop_pct 0.95 -> shorter side floor(224 / 0.95) = 235, bicubic
    assert seresnet is not None
    assert (seresnet["resize"], seresnet["crop"], seresnet["interpolation"]) == (
        235,
        224,
        "bicubic",
    )


def test_categories_and_random_weights() -> None:
    names = categories(registry.get("resnet50"))
    assert names is not None and len(names) == 1000 and names[0] == "tench"
    lenet = registry.get("lenet5")
    assert categories(lenet) == [str(d) for d in range(10)]
    cifar = categories(dataclasses.replace(lenet, classes="cifar10"))
    assert cifar is not None and cifar[0] == "airplane" and cifar[-1] == "truck"
    assert categories(dataclasses.replace(lenet, classes="mystery")) is None

    info = random_weights(registry.get("resnet50"))
    assert (info.kind, info.label, info.trained) == ("random", "random (untrained)", False)
    assert info.transforms is not None and info.transforms["crop"] == 224
    assert info.categories is not None and info.categories[0] == "tench"
