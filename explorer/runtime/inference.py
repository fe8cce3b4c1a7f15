"""Running images through a model: device choice, precision, top-5, out-of-memory fallback.

Qt-free. A window runs :func:`run` on a worker thread; the CLI calls it directly.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from explorer.errors import ExplorerError
from explorer.runtime.probe_graph import probe_pass
from explorer.runtime.probe_plan import ProbePlan
from explorer.runtime.probes import ProbeResult, logits_of

if TYPE_CHECKING:
    import torch
    from torch import nn

PRECISIONS = ("fp32", "bf16", "fp16")


class DeviceError(ExplorerError, ValueError):
    """A device or precision the user asked for that this machine cannot give."""


def available_devices() -> list[str]:
    """``auto`` first, then the devices torch can use here (``cpu``, ``cuda:N``, ``mps``)."""
    import torch

    out = ["auto", "cpu"]
    if torch.cuda.is_available():
        out += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append("mps")
    return out


def device_type(name: str, devices: Sequence[str]) -> str:
    """``cpu``, ``cuda`` or ``mps``: what ``name`` (an entry of :func:`available_devices`)
    means, without torch; ``auto`` is the first GPU of ``devices``, as :func:`resolve_device`
    picks it."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        gpus = [d for d in devices if d.startswith(("cuda", "mps"))]
        name = gpus[0] if gpus else "cpu"
    return name.split(":")[0]


def resolve_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA, then MPS, then CPU. Anything else must exist on this machine."""
    import torch

    name = (name or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda:0")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except RuntimeError as exc:
        raise DeviceError(f"unknown device '{name}' (use auto, cpu, cuda, cuda:N or mps)") from exc
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(f"device '{name}': no CUDA GPU is available here")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise DeviceError(
                f"device '{name}': only {torch.cuda.device_count()} CUDA device(s) here"
            )
    elif dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise DeviceError(f"device '{name}': Apple MPS is not available here")
    elif dev.type != "cpu":
        raise DeviceError(f"device '{name}' is not supported (use auto, cpu, cuda or mps)")
    return dev


def check_precision(precision: str, device: torch.device) -> str:
    """fp32 anywhere; bf16/fp16 autocast only on a GPU."""
    p = (precision or "fp32").lower()
    if p not in PRECISIONS:
        raise DeviceError(f"unknown precision '{precision}' (use {', '.join(PRECISIONS)})")
    if p != "fp32" and device.type == "cpu":
        raise DeviceError(f"{p} autocast runs on a GPU only; use fp32 on the CPU")
    return p


def autocast(device: torch.device, precision: str) -> Any:
    """A context that runs ``precision`` (fp32: nothing; bf16/fp16: torch's autocast)."""
    import torch

    if precision == "fp32":
        return nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.type, dtype=dtype)


def device_label(device: torch.device, precision: str) -> str:
    import torch

    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        return f"{device} ({name}, {precision})"
    return f"{device} ({precision})"


def _is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def synchronize(device: torch.device) -> None:
    """Wait for the work queued on ``device`` (a GPU runs asynchronously; a CPU does not)."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def timed(fn: Callable[[], Any], device: torch.device) -> float:
    """Seconds of one call, the device synchronised before and after."""
    synchronize(device)
    t0 = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - t0


@dataclass
class TopK:
    index: int
    label: str
    prob: float

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "label": self.label, "prob": self.prob}


class ModelOutputError(ExplorerError):
    """A model whose output is not class scores, one row per image."""


@dataclass
class RunResult:
    """One batch through the model."""

    logits: torch.Tensor  # [B, classes], float32, CPU
    probs: np.ndarray  # [B, classes]
    top: list[list[TopK]]  # per image, best first
    latency_ms: float  # the forward pass(es), synchronised
    device: str
    precision: str
    notes: list[str] = field(default_factory=list)  # fallbacks taken (out of memory ...)
    probes: ProbeResult | None = None
    input: torch.Tensor | None = None  # the batch as the model saw it (set by the caller)
    preprocess: Any = None  # explorer.runtime.preprocess.Preprocess that made it
    deleted: list[str] = field(default_factory=list)  # blocks deleted from the network run
    plan: Any = None  # the ProbePlan the pass used (set by the caller)
    nonfinite: int = 0  # images whose outputs hold NaN or infinity (said in ``notes``)


def topk(probs: np.ndarray, categories: Sequence[str] | None, k: int = 5) -> list[list[TopK]]:
    """The ``k`` most probable classes of each row, with names where known."""
    out = []
    for row in probs:
        idx = np.argsort(-row, kind="stable")[:k]
        out.append(
            [
                TopK(
                    int(i),
                    categories[i]
                    if categories is not None and i < len(categories)
                    else f"class {i}",
                    float(row[i]),
                )
                for i in idx
            ]
        )
    return out


def _softmax(logits: torch.Tensor) -> np.ndarray:
    import torch

    return torch.softmax(logits.float(), dim=1).numpy()


def _forward(
    model: nn.Module,
    x: torch.Tensor,
    device: torch.device,
    precision: str,
    plan: ProbePlan | None,
    feature_block: str | None,
    probes: str = "auto",
) -> tuple[torch.Tensor, ProbeResult | None]:
    import torch

    xb = x.to(device, non_blocking=True)
    res = None
    with torch.inference_mode(), autocast(device, precision):
        if plan is None:
            logits = logits_of(model(xb))
        else:  # the reductions in the traced graph where it can be, else hooks
            logits, res = probe_pass(model, xb, plan, feature_block, probes)
    logits = logits.float().cpu()
    return logits, res


def _merge(parts: list[ProbeResult]) -> ProbeResult:
    """Probe results of consecutive chunks of one batch, as if run at once."""
    import torch

    first = parts[0]
    if len(parts) == 1:
        return first
    out = ProbeResult(
        block_ids=first.block_ids,
        kinds=first.kinds,
        out_shapes=first.out_shapes,
        mean=np.concatenate([p.mean for p in parts], axis=1),
        std=np.concatenate([p.std for p in parts], axis=1),
        se_gates={k: np.concatenate([p.se_gates[k] for p in parts]) for k in first.se_gates},
        highway_gates={
            k: np.concatenate([p.highway_gates[k] for p in parts]) for k in first.highway_gates
        },
        feature_block=first.feature_block,
        batch=sum(p.batch for p in parts),
        method=first.method,
    )
    if first.features is not None:
        out.features = torch.cat([p.features for p in parts])  # type: ignore[misc]
        out.channel_mean = np.concatenate([p.channel_mean for p in parts])  # type: ignore[misc]
        out.channel_std = np.concatenate([p.channel_std for p in parts])  # type: ignore[misc]
    return out


def run(
    model: nn.Module,
    x: torch.Tensor,
    device: str | torch.device = "auto",
    precision: str = "fp32",
    categories: Sequence[str] | None = None,
    plan: ProbePlan | None = None,
    feature_block: str | None = None,
    on_note: Callable[[str], None] | None = None,
    probes: str = "auto",
) -> RunResult:
    """Run batch ``x`` ([B, C, H, W] on the CPU) through ``model`` on ``device``.

    The model is moved to the device (and stays there). With a ``plan`` the pass is
    probed: the reductions in the traced graph (:mod:`explorer.runtime.probe_graph`), with
    module hooks (:mod:`explorer.runtime.probes`) where the network has no traced graph, or
    as ``probes="hooks"`` asks. When the GPU runs out of memory the batch
    is retried in halves, then on the CPU; ``notes`` says what was done.
    """
    import torch

    dev = device if isinstance(device, torch.device) else resolve_device(device)
    precision = check_precision(precision, dev)
    notes: list[str] = []

    def note(msg: str) -> None:
        notes.append(msg)
        if on_note is not None:
            on_note(msg)

    if dev.type == "cpu" and isinstance(model, torch.nn.Module):
        check_activations(model, tuple(x.shape))
    model.to(dev)
    chunk = x.shape[0]
    while True:
        try:
            t0 = time.perf_counter()
            outs = [
                _forward(model, x[i : i + chunk], dev, precision, plan, feature_block, probes)
                for i in range(0, x.shape[0], chunk)
            ]
            synchronize(dev)
            latency = (time.perf_counter() - t0) * 1e3
            break
        except Exception as exc:  # noqa: BLE001 - only out-of-memory is handled here
            if not _is_oom(exc):
                raise
            _free(dev)
            if chunk > 1:
                chunk = (chunk + 1) // 2
                note(f"{dev}: out of memory; retrying in chunks of {chunk} image(s)")
                continue
            if dev.type == "cpu":
                raise
            note(f"{dev}: out of memory even for one image; running on the CPU instead")
            dev, precision, chunk = torch.device("cpu"), "fp32", x.shape[0]
            model.to(dev)
    logits = torch.cat([o[0] for o in outs])
    if logits.dim() != 2 or logits.shape[0] != x.shape[0] or logits.shape[1] < 1:
        raise ModelOutputError(
            f"the model returned a tensor of shape {tuple(logits.shape)} for {x.shape[0]} "
            f"image(s), not class scores [{x.shape[0]}, classes]"
        )
    nonfinite = nonfinite_rows(logits)
    if nonfinite:
        note(nonfinite_note(nonfinite, logits.shape[0], precision))
    if categories is not None and len(categories) != logits.shape[1]:
        note(f"{len(categories)} class names for {logits.shape[1]} outputs: names not shown")
        categories = None
    probs = _softmax(logits)
    probes = [o[1] for o in outs if o[1] is not None]
    return RunResult(
        logits=logits,
        probs=probs,
        top=topk(probs, categories),
        latency_ms=latency,
        device=str(dev),
        precision=precision,
        notes=notes,
        probes=_merge(probes) if probes else None,
        nonfinite=nonfinite,
    )


def activation_peak(model: nn.Module, shape: Sequence[int]) -> int | None:
    """Bytes of the largest output of any one module of ``model`` for an input of ``shape``
    (float32), found by a pass on the meta device (shapes only); None where that pass cannot
    run (an operation without a meta kernel, a model that refuses)."""
    import torch

    from explorer.graph.fit import meta_copy

    largest = [0]

    def hook(_m: nn.Module, _args: Any, out: Any) -> None:
        for t in out if isinstance(out, tuple | list) else (out,):
            if isinstance(t, torch.Tensor):
                largest[0] = max(largest[0], t.numel())

    twin = meta_copy(model)  # the model itself is not touched: another thread may run it
    if twin is None:
        return None
    for m in twin.modules():
        m.register_forward_hook(hook)
    try:
        with torch.inference_mode():
            twin(torch.empty(*shape, device="meta"))
    except Exception:  # noqa: BLE001 - the real pass will say what is wrong
        return None
    return largest[0] * 4


_peaks: weakref.WeakKeyDictionary[Any, dict[tuple[int, ...], int | None]] = (
    weakref.WeakKeyDictionary()
)


def known_activation_peak(model: nn.Module, shape: Sequence[int], peak: int) -> None:
    """Record ``peak`` (bytes) as the largest module output of ``model`` for an input of
    ``shape`` where it is known already (the traced graph holds every node's shape for the
    traced input): :func:`check_activations` then makes no meta pass for it (its first one
    imports torch._dynamo, a second here)."""
    _peaks.setdefault(model, {}).setdefault(tuple(int(d) for d in shape), peak)


def check_activations(model: nn.Module, shape: tuple[int, ...]) -> None:
    """Refuse, before running, a batch whose layers' outputs would take more memory than the
    limit (the input, and the largest layer's input and output held at once)."""
    from explorer.limits import check_bytes, fmt_bytes, tensor_bytes

    known = _peaks.setdefault(model, {})
    if shape not in known:  # shapes, not weights, decide it: once per model and shape
        known[shape] = activation_peak(model, shape)
    peak = known[shape]
    if peak is None:
        return
    dims = "x".join(str(int(d)) for d in shape)
    check_bytes(
        tensor_bytes(shape) + 2 * peak,
        f"running a {dims} input (its largest layer output alone takes {fmt_bytes(peak)})",
    )


def nonfinite_rows(logits: torch.Tensor) -> int:
    """How many rows (images) of ``logits`` hold a NaN or an infinity."""
    import torch

    if logits.dim() < 2:
        return int((~torch.isfinite(logits)).any())
    return int((~torch.isfinite(logits)).flatten(1).any(dim=1).sum())


def nonfinite_note(bad: int, total: int, precision: str = "fp32") -> str:
    """The warning for outputs that are not numbers: never passed off as a result."""
    why = (
        " (half precision overflows above 65504: try --precision fp32)"
        if precision == "fp16"
        else " (NaN or infinite weights, or values that overflow)"
    )
    return (
        f"warning: the model's outputs are not finite for {bad} of {total} image(s){why}; "
        "their probabilities are not numbers"
    )


def _free(dev: torch.device) -> None:
    import gc

    import torch

    gc.collect()
    if dev.type == "cuda":
        torch.cuda.empty_cache()
