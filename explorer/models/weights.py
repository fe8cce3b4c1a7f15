"""Where a model's weights come from: random, library pretrained, bundled, or a user's file.

Library weights are torchvision's (``weights.url``, cached under ``torch.hub.get_dir()``) and
timm's (the Hugging Face hub, or a release URL for timm's older weights). The cache is looked at
first; without a network the answer comes back within seconds as :class:`WeightsUnavailable`
and nothing hangs. Only tensors whose name and shape fit the model are loaded.

Bundled weights are the project's own, trained on digits and shipped as package resources
(``explorer/resources/small/NAME.pt``, named by ``spec.extra["weights"]``); they are always offline.
Reading a file and fitting its tensors to the model is :mod:`explorer.models.checkpoint`.

This module is Qt-free, and imports torch, torchvision, timm and huggingface_hub lazily.
"""

from __future__ import annotations

import math
import os
import re
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from explorer.errors import first_line
from explorer.models.checkpoint import (
    WeightsError,
    WeightsInfo,
    check_values,
    compare_state_dict,
    load_fitting,
    read_state_dict,
)

if TYPE_CHECKING:
    import torch
    from torch import nn

    from explorer.models.registry import ModelSpec

#: parts our builds drop (auxiliary heads) whose library weights are ignored
_DROPPED_PREFIXES = ("aux1.", "aux2.", "AuxLogits.")

CIFAR10_CLASSES = tuple("airplane automobile bird cat deer dog frog horse ship truck".split())


class WeightsUnavailable(WeightsError):
    """Library weights that are neither in the cache nor downloadable (offline)."""


# --- library weights: metadata ----------------------------------------------------------------


def _tv_weights(spec: ModelSpec) -> Any | None:
    if spec.tv_name is None:
        return None
    from torchvision.models import get_model_weights

    try:
        return get_model_weights(spec.tv_name).DEFAULT
    except (ValueError, KeyError, AttributeError):
        return None


def _timm_cfg(spec: ModelSpec) -> Any | None:
    if spec.timm_name is None:
        return None
    import timm

    try:
        cfg = timm.get_pretrained_cfg(spec.timm_name)
    except (RuntimeError, KeyError, ValueError):
        return None
    if cfg is None or not (cfg.hf_hub_id or cfg.url):
        return None
    return cfg


def _timm_label(cfg: Any) -> str:
    return "timm: " + (cfg.hf_hub_id or f"{cfg.architecture}.{cfg.tag}")


def library_weights(spec: ModelSpec) -> str | None:
    """The label of the library weights ``spec`` could use, or ``None`` if it has none.

    A torchvision model gives its DEFAULT weights' name (``"IMAGENET1K_V2"``); a timm model
    ``"timm: <hub id>"`` (``"timm: <architecture>.<tag>"`` for weights only at a URL).
    """
    weights = _tv_weights(spec)
    if weights is not None:
        return str(weights.name)
    cfg = _timm_cfg(spec)
    return None if cfg is None else _timm_label(cfg)


def library_transforms(spec: ModelSpec) -> dict[str, Any] | None:
    """The preprocessing the library weights expect, read from metadata (offline).

    Returns
    -------
    dict or None
        ``{"resize", "crop", "mean", "std", "interpolation"}`` (resize: the shorter side
        before the centre crop), or ``None`` when the spec has no library weights.
    """
    weights, cfg = _tv_weights(spec), _timm_cfg(spec)
    if weights is not None:
        t = weights.transforms()
        mode = getattr(t, "interpolation", "bilinear")
        resize, crop, mean, std = t.resize_size[0], t.crop_size[0], t.mean, t.std
        interpolation = getattr(mode, "value", mode)
    elif cfg is not None:
        from timm.data import resolve_data_config

        data = resolve_data_config(pretrained_cfg=cfg.to_dict())
        crop, mean, std = data["input_size"][-1], data["mean"], data["std"]
        # timm's own eval transform: scale the shorter side to floor(crop / crop_pct)
        resize, interpolation = math.floor(crop / data["crop_pct"]), data["interpolation"]
    else:
        return None
    return {
        "resize": int(resize),
        "crop": int(crop),
        "mean": tuple(float(v) for v in mean),
        "std": tuple(float(v) for v in std),
        "interpolation": str(interpolation),
    }


def categories(spec: ModelSpec) -> list[str] | None:
    """Class names for ``spec.classes`` (ImageNet's 1000, CIFAR-10's, digits), or ``None``."""
    if spec.classes == "imagenet":
        from torchvision.models import ResNet50_Weights

        # the names ship in torchvision's weights metadata: available offline
        return list(ResNet50_Weights.DEFAULT.meta["categories"])
    if spec.classes == "cifar10":
        return list(CIFAR10_CLASSES)
    if spec.classes == "digits":
        return [str(d) for d in range(10)]
    return None


def random_weights(spec: ModelSpec) -> WeightsInfo:
    """The description of a freshly built (untrained) model."""
    return WeightsInfo(
        kind="random",
        label="random (untrained)",
        trained=False,
        message=f"{spec.name}: random (untrained) weights",
        transforms=library_transforms(spec),
        categories=categories(spec),
    )


# --- bundled weights ---------------------------------------------------------------------------


def bundled_weights(spec: ModelSpec) -> Path | None:
    """The checkpoint the program ships for ``spec`` (``spec.extra["weights"]``, a path inside
    the package ``explorer.resources``), or ``None`` when there is none or it is missing."""
    rel = spec.extra.get("weights") if spec.extra else None
    if not rel:
        return None
    from importlib.resources import files

    res = files("explorer.resources").joinpath(str(rel))
    # installed from a wheel or in place, resources are files on disk; not from a zip
    return res if isinstance(res, Path) and res.is_file() else None


def load_bundled(spec: ModelSpec, model: nn.Module) -> WeightsInfo:
    """Load the weights the program ships for ``spec`` (stored in float16, loaded as float32).

    Raises
    ------
    WeightsError
        ``spec`` has no bundled weights, or they do not fit ``model`` exactly (the model is
        then left untouched).
    """
    path = bundled_weights(spec)
    if path is None:
        raise WeightsError(f"{spec.name}: has no bundled weights")
    sd = read_state_dict(path)
    report, fits = compare_state_dict(model, sd)
    if report.missing or report.unexpected or report.mismatched:
        raise WeightsError(f"{spec.name}: the bundled weights do not fit: {report.summary()}")
    notes = check_values(model, fits, f"{spec.name}: the bundled weights")
    load_fitting(model, fits, f"{spec.name}: the bundled weights")
    top1 = spec.extra.get("digits_test_top1")
    label = "bundled" if top1 is None else f"bundled (digits, {float(top1):.1f} %)"
    how = spec.extra.get("trained_by")
    message = f"{spec.name}: bundled weights, trained by the project on digits"
    if top1 is not None:
        message += f" ({float(top1):.2f} % test top-1)"
    if how:
        message += f"; {how}"
    return WeightsInfo(
        kind="bundled",
        label=label,
        trained=True,
        message=message,
        report=report,
        transforms=None,
        categories=categories(spec),
        warnings=notes,
    )


# --- library weights: finding and loading -----------------------------------------------------


def reachable(url: str, timeout: float) -> bool:
    """Whether the URL's host accepts a TCP connection within ``timeout`` seconds."""
    # on a daemon thread: name resolution is not bounded by the socket's timeout
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    ok: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            ok.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, name="weights-probe", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(ok)


def _torch_cache() -> Path:
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints"


def _hf_cache() -> Path:
    # read the environment now: huggingface_hub's constants were fixed when it was imported
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    home = os.environ.get("HF_HOME")
    return Path(env) if env else Path(home) / "hub" if home else Path(constants.HF_HUB_CACHE)


def _hf_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


def _url_file(url: str) -> str:
    return os.path.basename(urlparse(url).path)


def _download_url(url: str, what: str) -> dict[str, torch.Tensor]:
    import torch

    _torch_cache().mkdir(parents=True, exist_ok=True)
    target = _torch_cache() / _url_file(url)
    # the hex after the last "-" in the name is the start of the file's sha256 (torch.hub's rule)
    found = torch.hub.HASH_REGEX.search(target.name)
    try:
        # into a temporary file first, renamed only when complete (and the hash agrees)
        torch.hub.download_url_to_file(
            url, str(target), hash_prefix=found.group(1) if found else None, progress=False
        )
    except OSError as exc:  # URLError, timeouts, refused connections
        raise WeightsUnavailable(f"{what}: download of {url} failed ({first_line(exc)})") from exc
    except RuntimeError as exc:  # the hash disagrees
        raise WeightsError(f"{what}: download of {url} failed: {first_line(exc)}") from exc
    return read_state_dict(target)


def _tv_state_dict(spec: ModelSpec, weights: Any, timeout: float) -> dict[str, torch.Tensor]:
    url = str(weights.url)
    cached = _torch_cache() / _url_file(url)
    if cached.is_file():
        sd = read_state_dict(cached)
    elif not reachable(url, timeout):
        raise WeightsUnavailable(
            f"{spec.name}: no network and torchvision's {weights.name} weights are not in "
            f"the cache ({_torch_cache()})"
        )
    else:
        sd = _download_url(url, spec.name)
    if spec.tv_name and spec.tv_name.startswith("densenet"):
        # torchvision's DenseNet checkpoints predate its module names ("norm.1" -> "norm1")
        pattern = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.\w+)$")
        sd = {(m.group(1) + m.group(2) if (m := pattern.match(k)) else k): v for k, v in sd.items()}
    return sd


def _timm_state_dict(spec: ModelSpec, cfg: Any, timeout: float) -> dict[str, torch.Tensor]:
    from huggingface_hub import constants, hf_hub_download, try_to_load_from_cache
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError

    label = _timm_label(cfg).removeprefix("timm: ")
    hub_files = [cfg.hf_hub_filename] if cfg.hf_hub_filename else []
    hub_files += ["model.safetensors", "pytorch_model.bin"]
    for filename in hub_files if cfg.hf_hub_id else []:
        found = try_to_load_from_cache(cfg.hf_hub_id, filename, cache_dir=_hf_cache())
        if isinstance(found, str):  # not None, nor the "known to be absent" marker
            return read_state_dict(found)
    if cfg.url and (_torch_cache() / _url_file(cfg.url)).is_file():
        return read_state_dict(_torch_cache() / _url_file(cfg.url))

    where = " or ".join(
        str(d) for d, has in ((_hf_cache(), cfg.hf_hub_id), (_torch_cache(), cfg.url)) if has
    )
    endpoint = constants.ENDPOINT if cfg.hf_hub_id else cfg.url
    if _hf_offline() or not reachable(endpoint, timeout):
        reason = "HF_HUB_OFFLINE is set" if _hf_offline() else "no network"
        raise WeightsUnavailable(
            f"{spec.name}: {reason} and timm's {label} weights are not in the cache ({where})"
        )
    if not cfg.hf_hub_id:
        return _download_url(cfg.url, spec.name)
    for filename in hub_files:
        try:
            path = hf_hub_download(cfg.hf_hub_id, filename, cache_dir=_hf_cache())
        except EntryNotFoundError as exc:
            if not isinstance(exc, LocalEntryNotFoundError):
                continue  # no such file in the repository: try the next name
            raise WeightsUnavailable(f"{spec.name}: download of {label} failed") from exc
        except OSError as exc:  # connection and HTTP errors (HfHubHTTPError is one)
            msg = first_line(exc)
            raise WeightsUnavailable(f"{spec.name}: download of {label} failed ({msg})") from exc
        return read_state_dict(path)
    raise WeightsError(f"{spec.name}: the hub repository {cfg.hf_hub_id} holds no weights file")


def load_pretrained(spec: ModelSpec, model: nn.Module, timeout: float = 3.0) -> WeightsInfo:
    """Load the library's pretrained weights into ``model`` (built by ``spec``).

    The cache is tried first (torchvision: ``torch.hub.get_dir()/checkpoints``, which follows
    ``TORCH_HOME``; timm: the Hugging Face cache, following ``HF_HOME``/``HF_HUB_CACHE``, or
    the torch hub folder for timm's URL weights); else the weights are downloaded.

    Parameters
    ----------
    spec, model
        A spec with ``tv_name`` or ``timm_name``, and the model it built (changed only when
        the weights load).
    timeout
        Seconds to wait for the weights' server to answer before giving up.

    Raises
    ------
    WeightsUnavailable
        Not cached, and offline (``HF_HUB_OFFLINE`` for timm, or the host does not answer).
    WeightsError
        The spec has no library weights, or they do not fit the model (only the auxiliary
        heads our builds drop may be absent from the model).
    """
    weights = _tv_weights(spec)
    cfg = None if weights is not None else _timm_cfg(spec)
    if weights is not None:
        label, source = str(weights.name), "torchvision"
        sd = _tv_state_dict(spec, weights, timeout)
    elif cfg is not None:
        label, source = _timm_label(cfg), "timm"
        sd = _timm_state_dict(spec, cfg, timeout)
    else:
        raise WeightsError(f"{spec.name}: has no library pretrained weights")

    report, fits = compare_state_dict(model, sd)
    report.unexpected = [k for k in report.unexpected if not k.startswith(_DROPPED_PREFIXES)]
    if report.missing or report.unexpected or report.mismatched:
        raise WeightsError(f"{spec.name}: the {label} weights do not fit: {report.summary()}")
    notes = check_values(model, fits, f"{spec.name}: the {label} weights")
    load_fitting(model, fits, f"{spec.name}: the {label} weights")
    if source == "torchvision" and hasattr(model, "transform_input"):
        # torchvision's googlenet/inception_v3 weights expect its input re-normalisation,
        # which get_model switches on whenever it loads them
        model.transform_input = True
    return WeightsInfo(
        kind="pretrained",
        label=label,
        trained=True,
        message=f"pretrained {label.removeprefix('timm: ')} weights ({source})",
        report=report,
        transforms=library_transforms(spec),
        categories=categories(spec),
        warnings=notes,
    )
