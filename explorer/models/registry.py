"""Model registry: every network the program knows, with its metadata.

The registry is importable without torch: builders import torch lazily, so a
window can list the models before the heavy libraries are loaded.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import ExplorerError
from explorer.files import FileError, regular_input

if TYPE_CHECKING:
    from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INCEPTION_MEAN = (0.5, 0.5, 0.5)
INCEPTION_STD = (0.5, 0.5, 0.5)


class RegistryError(ExplorerError):
    """Base class of the errors a user can cause by naming a model."""


class UnknownModelError(RegistryError, KeyError):
    """A model name that is not registered; carries the closest registered names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        super().__init__(name)

    def __str__(self) -> str:
        msg = f"unknown model '{self.name}'"
        if self.suggestions:
            msg += "; closest registered names: " + ", ".join(self.suggestions)
        return msg + " (see 'cnn-explorer list')"


class ModelBuildError(RegistryError):
    """A model that could not be built (user file missing, raising, or not a module)."""


@dataclass(frozen=True)
class LayerRef:
    """A published per-layer figure to show beside ours.

    ``blocks`` are the qualnames whose parameters together make the published row.
    ``params`` is the published count (exact or rounded, see ``exact``); ``macs``
    the published operations, where the paper gives them.
    """

    label: str
    blocks: tuple[str, ...]
    params: int | None
    exact: bool = True
    macs: int | None = None
    #: the count that follows from the paper's own layer description (filter sizes)
    from_description: int | None = None
    #: that count with the implementation's documented deviations applied
    expected: int | None = None


@dataclass(frozen=True)
class ModelSpec:
    """Metadata of one registered network and how to build it.

    Attributes
    ----------
    name, family, paper, year
        Identification; ``paper`` is a short citation.
    builder
        Called with no arguments; returns a freshly initialised ``nn.Module``
        (random weights: pretrained weights are a separate concern).
    input_size
        (C, H, W) of one input image.
    mean, std
        Per-channel normalisation of the input.
    classes
        Where class names come from: ``"imagenet"``, ``"digits"``, ``"cifar10"``...
    ref_params
        Published parameter count, or ``None`` when it is read from torchvision's
        weights metadata (``tv_name``) or there is none.
    ref_source
        Where ``ref_params`` comes from.
    tv_name, timm_name
        Library names, used for reference figures and for pretrained weights.
    lecture
        True for the networks of the lecture (listed first in the browser).
    slow
        Heavy model: tests mark it ``slow``.
    """

    name: str
    family: str
    paper: str
    year: int
    builder: Callable[[], nn.Module]
    input_size: tuple[int, int, int] = (3, 224, 224)
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    classes: str = "imagenet"
    num_classes: int = 1000
    ref_params: int | None = None
    ref_source: str = ""
    ref_layers: tuple[LayerRef, ...] = ()
    ref_note: str = ""
    tv_name: str | None = None
    timm_name: str | None = None
    lecture: bool = False
    slow: bool = False
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def build(self) -> nn.Module:
        """Build the model (random initialisation) in eval mode."""
        try:
            model = self.builder()
        except RegistryError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code can raise anything
            raise ModelBuildError(
                f"building '{self.name}' failed: {type(exc).__name__}: {exc}"
            ) from exc
        from torch import nn

        if not isinstance(model, nn.Module):
            raise ModelBuildError(
                f"'{self.name}' did not give a torch.nn.Module but {type(model).__name__}"
            )
        return model.eval()

    def reference_params(self) -> int | None:
        """The published parameter count (torchvision's metadata for torchvision models)."""
        if self.ref_params is not None:
            return self.ref_params
        meta = self.tv_meta()
        return None if meta is None else int(meta["num_params"])

    def reference_macs(self) -> int | None:
        """Published MACs: torchvision's "GFLOPS" (which are GMACs), as an integer count."""
        meta = self.tv_meta()
        if meta is None or "_ops" not in meta:
            return None
        return round(float(meta["_ops"]) * 1e9)

    def tv_meta(self) -> dict[str, Any] | None:
        if self.tv_name is None:
            return None
        from torchvision.models import get_model_weights

        try:
            weights = get_model_weights(self.tv_name)
        except (ValueError, KeyError):
            return None
        return dict(weights.DEFAULT.meta)


_REGISTRY: dict[str, ModelSpec] = {}


def tv_builder(name: str, **kwargs: Any) -> Callable[[], nn.Module]:
    """A builder for torchvision model ``name`` with random weights."""

    def build() -> nn.Module:
        from torchvision.models import get_model

        return get_model(name, weights=None, **kwargs)

    build.__qualname__ = f"tv_builder({name})"
    return build


def timm_builder(name: str, **kwargs: Any) -> Callable[[], nn.Module]:
    """A builder for timm model ``name`` with random weights (never downloads)."""

    def build() -> nn.Module:
        import timm

        return timm.create_model(name, pretrained=False, **kwargs)

    build.__qualname__ = f"timm_builder({name})"
    return build


def register(spec: ModelSpec) -> ModelSpec:
    """Add a spec; a duplicate name raises ``ValueError``."""
    if spec.name in _REGISTRY:
        raise ValueError(f"model '{spec.name}' is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def _ensure_zoo() -> None:
    import explorer.models.zoo  # noqa: F401  (registers on import)


def list_models(family: str | None = None) -> list[ModelSpec]:
    """Registered specs: the lecture's first (by year), then the others."""
    _ensure_zoo()
    specs = [s for s in _REGISTRY.values() if family is None or s.family == family]
    return sorted(specs, key=lambda s: (not s.lecture, s.year, s.family, s.name))


def model_names() -> list[str]:
    _ensure_zoo()
    return list(_REGISTRY)


def closest_names(name: str, n: int = 3) -> list[str]:
    """Registered names nearest to ``name``: a variant of it first (``preact_resnet1001`` for
    ``resnet1001``), then fuzzy matches, then prefix matches."""
    names = model_names()
    low = name.lower()
    variants = [m for m in names if m.endswith("_" + low)]
    fuzzy = difflib.get_close_matches(low, names, n=n, cutoff=0.5)
    prefix = [m for m in names if m.startswith(low) or low.startswith(m)]
    out: list[str] = []
    for m in variants + fuzzy + sorted(prefix, key=lambda m: abs(len(m) - len(low))):
        if m not in out:
            out.append(m)
    return out[:n]


def get(name: str) -> ModelSpec:
    """Look up a model by name.

    Besides the registered names this accepts ``tv:NAME`` (any torchvision
    classification model), ``timm:NAME`` (any timm model) and
    ``path/to/file.py:factory`` (a user's own model: the factory is called with
    no arguments and must return an ``nn.Module``).
    """
    _ensure_zoo()
    if name in _REGISTRY:
        return _REGISTRY[name]
    if name.startswith("tv:"):
        return _torchvision_spec(name[3:])
    if name.startswith("timm:"):
        return _timm_spec(name[5:])
    if ".py:" in name or name.endswith(".py"):
        return _file_spec(name)
    raise UnknownModelError(name, closest_names(name))


def _torchvision_spec(tv_name: str) -> ModelSpec:
    from torchvision.models import get_model_weights, list_models

    if tv_name not in list_models():
        near = difflib.get_close_matches(tv_name, list_models(), n=3, cutoff=0.5)
        raise UnknownModelError("tv:" + tv_name, ["tv:" + m for m in near])

    size = 224
    try:
        crop = get_model_weights(tv_name).DEFAULT.transforms().crop_size
        size = int(crop[0])
    except Exception:  # noqa: BLE001 - models without weights keep the default size
        pass

    return ModelSpec(
        name="tv:" + tv_name,
        family="torchvision",
        paper="torchvision",
        year=0,
        builder=tv_builder(tv_name),
        input_size=(3, size, size),
        tv_name=tv_name,
        ref_source="torchvision weights metadata",
    )


def _timm_spec(timm_name: str) -> ModelSpec:
    import timm

    if not timm.is_model(timm_name):
        near = difflib.get_close_matches(timm_name, timm.list_models(), n=3, cutoff=0.5)
        raise UnknownModelError("timm:" + timm_name, ["timm:" + m for m in near])
    cfg = timm.get_pretrained_cfg(timm_name)
    input_size = tuple(cfg.input_size) if cfg is not None else (3, 224, 224)
    mean = tuple(cfg.mean) if cfg is not None else IMAGENET_MEAN
    std = tuple(cfg.std) if cfg is not None else IMAGENET_STD

    return ModelSpec(
        name="timm:" + timm_name,
        family="timm",
        paper="timm",
        year=0,
        builder=timm_builder(timm_name),
        input_size=input_size,  # type: ignore[arg-type]
        mean=mean,
        std=std,
        timm_name=timm_name,
    )


def _user_file(path: Path) -> None:
    """Refuse a model file that is not a readable regular file (a FIFO would block)."""
    try:
        regular_input(path, "model file")
    except FileError as exc:
        missing = str(exc).endswith(": no such file")
        raise ModelBuildError(f"model file not found: {path}" if missing else str(exc)) from None


#: the name a user's model file is imported under (with its path's hash): not importable
#: elsewhere, so a Ray worker gets such a module's code by value
USER_MODULE_PREFIX = "_cnn_explorer_user_"


def _file_spec(ref: str) -> ModelSpec:
    path_s, _, factory = ref.rpartition(":") if ".py:" in ref else (ref, "", "")
    if not factory:
        raise ModelBuildError(f"'{ref}': name the factory function as FILE.py:FUNCTION")
    path = Path(path_s).expanduser()
    _user_file(path)

    def build() -> nn.Module:
        _user_file(path)  # it may have changed since: a FIFO would block the import
        mod_name = f"{USER_MODULE_PREFIX}{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ModelBuildError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code (a script may exit)
            sys.modules.pop(mod_name, None)
            raise ModelBuildError(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
        fn = getattr(module, factory, None)
        if fn is None or not callable(fn):
            raise ModelBuildError(f"{path} has no callable '{factory}'")
        try:
            return fn()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
            raise ModelBuildError(
                f"{path.name}:{factory}() raised {type(exc).__name__}: {exc}"
            ) from exc

    return ModelSpec(
        name=ref,
        family="user",
        paper="user model",
        year=0,
        builder=build,
        classes="",  # unknown: class names are not guessed for a user's own model
    )
