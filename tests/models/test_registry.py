"""The registry: names, lookups, duplicates, library and user models."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from torch import nn

from explorer.models import registry
from explorer.models.registry import ModelBuildError, ModelSpec, UnknownModelError


def test_duplicate_name_raises() -> None:
    spec = registry.get("lenet5")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(spec)


def test_unknown_name_suggests_closest() -> None:
    with pytest.raises(UnknownModelError) as info:
        registry.get("resnet5")
    assert "resnet50" in info.value.suggestions
    assert "resnet50" in str(info.value)
    with pytest.raises(UnknownModelError) as info:
        registry.get("googlnet")
    assert info.value.suggestions[0] == "googlenet"


def test_lecture_models_listed_first_by_year() -> None:
    specs = registry.list_models()
    lecture = [s for s in specs if s.lecture]
    assert specs[: len(lecture)] == lecture
    assert specs[0].name == "lenet5"
    assert [s.year for s in lecture] == sorted(s.year for s in lecture)


def test_every_spec_is_complete() -> None:
    for s in registry.list_models():
        assert s.family and s.paper and s.year > 1990, s.name
        assert len(s.input_size) == 3 and len(s.mean) == s.input_size[0] == len(s.std)
        assert s.classes and s.num_classes > 1
        assert s.ref_source, s.name


def test_torchvision_and_timm_prefixes() -> None:
    tv = registry.get("tv:resnet18")
    assert tv.input_size == (3, 224, 224) and tv.reference_params() == 11_689_512
    assert isinstance(tv.build(), nn.Module)
    t = registry.get("timm:resnet10t")
    assert isinstance(t.build(), nn.Module)
    with pytest.raises(UnknownModelError, match="tv:resnet50"):
        registry.get("tv:resnet5O")
    with pytest.raises(UnknownModelError):
        registry.get("timm:no_such_net")


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "mymodel.py"
    p.write_text(textwrap.dedent(body))
    return p


def test_user_file_model(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """
        from torch import nn
        def make():
            return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
    """,
    )
    spec = registry.get(f"{p}:make")
    m = spec.build()
    assert isinstance(m, nn.Sequential) and not m.training


@pytest.mark.parametrize(
    ("body", "factory", "message"),
    [
        (None, "make", "model file not found"),
        (
            "def make():\n    raise RuntimeError('boom')\n",
            "make",
            "make() raised RuntimeError: boom",
        ),
        ("def make():\n    return 42\n", "make", "did not give a torch.nn.Module but int"),
        ("x = 1\n", "make", "has no callable 'make'"),
        ("import no_such_module_here\n", "make", "importing"),
        ("def make():\n    return 1\n", "", "name the factory"),
    ],
)
def test_user_file_errors(tmp_path: Path, body: str | None, factory: str, message: str) -> None:
    path = tmp_path / "missing.py" if body is None else _write(tmp_path, body)
    ref = f"{path}:{factory}" if factory else str(path)
    with pytest.raises(ModelBuildError, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry.get(ref).build()


def test_spec_requires_module() -> None:
    spec = ModelSpec(name="x", family="f", paper="p", year=2000, builder=lambda: "nope")
    with pytest.raises(ModelBuildError):
        spec.build()


def test_user_file_that_exits_is_a_build_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "import sys\nsys.exit('usage: train.py DATA')\n")
    with pytest.raises(ModelBuildError, match="SystemExit"):
        registry.get(f"{p}:make").build()
