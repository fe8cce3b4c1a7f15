"""What the sub-commands share: one-line errors, run options, images, a prepared model."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from explorer.app.argtypes import at_most, positive_int
from explorer.app.jobs import Progress
from explorer.app.workflows import drive
from explorer.errors import ExplorerError, first_line, log_unexpected, one_line

#: every error a user can cause: a bad option, file or model, a model that fails to run
EXIT_USAGE = 2
#: an error of the program itself (a bug): one line, the traceback in the log
EXIT_BUG = 1


class CliError(ExplorerError):
    """A user error: printed as one line on stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


#: how a command names its model
MODEL_HELP = "registered name, tv:NAME, timm:NAME or FILE.py:FACTORY"
#: how a command that reads the structure alone names its model
STRUCTURE_HELP = MODEL_HELP + "; NAME+fused: a RepVGG network's deploy form"


def device_options(p: argparse.ArgumentParser) -> None:
    """--device and --precision, as every command that runs a model takes them."""
    p.add_argument("--device", default="auto", help="auto (CUDA, MPS, CPU), cpu, cuda, cuda:N, mps")
    p.add_argument(
        "--precision", default="fp32", choices=("fp32", "bf16", "fp16"), help="GPU autocast"
    )


def run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--weights",
        default="auto",
        metavar="W",
        help="auto (the weights the program ships for the model, else library pretrained "
        "when cached or downloadable, else random), bundled, pretrained, random, or a "
        "checkpoint file (.pth, .pt, .safetensors)",
    )
    device_options(p)
    p.add_argument(
        "--input-size",
        type=positive_int,
        metavar="N",
        help="resize the shorter side to N and centre-crop NxN",
    )
    p.add_argument(
        "--normalize", choices=("imagenet", "cifar", "none"), help="normalisation preset"
    )
    p.add_argument("--mean", metavar="A,B,C", help="per-channel mean (with --std)")
    p.add_argument("--std", metavar="A,B,C", help="per-channel std (with --mean)")
    p.add_argument("--json", action="store_true", help="print JSON")


def spec_or_error(name: str):  # noqa: ANN202
    from explorer.models.registry import RegistryError, get

    try:
        return get(name)
    except RegistryError as exc:
        raise CliError(str(exc)) from None


def analyze_or_error(name: str, input_size: int | None):  # noqa: ANN202
    """Build and trace a model, turning the user's errors into one-line CLI errors."""
    spec = spec_or_error(name)
    from explorer.graph.analysis import analyze
    from explorer.graph.trace import TraceError
    from explorer.models.registry import RegistryError

    try:
        return analyze(spec, input_size=input_size)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    except TraceError as exc:
        raise CliError(f"{spec.name}: {exc}") from None


def structure_or_error(name: str, input_size: int | None):  # noqa: ANN202
    """:func:`analyze_or_error` for the commands that read a network's structure alone
    (summary, render, diff): ``NAME+fused`` is a RepVGG network's deploy form too."""
    from explorer.app.variants import VariantError, analyze_variant, split_variant
    from explorer.graph.trace import TraceError
    from explorer.models.registry import RegistryError

    spec = spec_or_error(split_variant(name)[0])
    try:
        return analyze_variant(name, input_size=input_size)
    except (RegistryError, VariantError) as exc:
        raise CliError(str(exc)) from None
    except TraceError as exc:
        raise CliError(f"{spec.name}: {exc}") from None


def load_images(refs: list[str]):  # noqa: ANN202
    """Load every image first: a bad one stops the command before the model is built."""
    from explorer.limits import check_bytes
    from explorer.runtime.images import ImageError, load_image, load_sample

    out, bad = [], []
    total = 0
    for ref in refs:
        try:
            img = load_sample(ref[7:]) if ref.startswith("sample:") else load_image(ref)
        except ImageError as exc:
            bad.append(str(exc))
            continue
        out.append(img)
        # every image is held until its batch runs: their pixels together are bounded too
        total += img.image.width * img.image.height * len(img.image.getbands())
        check_bytes(total, f"the pixels of the first {len(out)} images together")
    if bad:
        raise CliError("; ".join(bad))
    return out


def file_notes(img) -> list[str]:  # noqa: ANN001
    """What was done to make a file usable (CMYK, 16-bit, alpha, EXIF rotation, a 1x1 image
    upscaled ...); a sample's notes describe the sample and are not repeated."""
    return [] if img.source.startswith("sample:") else list(img.notes)


def print_notes(images) -> None:  # noqa: ANN001
    """What was done to make each file usable, on stderr."""
    for img in images:
        for note in file_notes(img):
            print(f"cnn-explorer: {img.name}: {note}", file=sys.stderr)


def prepared_model(args: argparse.Namespace, analysis=None):  # noqa: ANN001, ANN202
    """(spec, model, weights info, preprocessing, device) from the run options."""
    from explorer.models.registry import RegistryError
    from explorer.models.weights import WeightsError
    from explorer.runtime.pipeline import apply_weights, preprocess
    from explorer.runtime.preprocess import parse_triple

    if (args.mean is None) != (args.std is None):
        raise CliError("--mean and --std go together")
    try:
        mean = parse_triple(args.mean) if args.mean else None
        std = parse_triple(args.std) if args.std else None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    device, precision = device_or_error(args.device, args.precision)
    spec = spec_or_error(args.model) if analysis is None else analysis.spec
    try:
        model = spec.build() if analysis is None else analysis.model
        info = apply_weights(spec, model, args.weights)
    except (RegistryError, WeightsError) as exc:
        raise CliError(str(exc)) from None
    try:
        prep = preprocess(spec, info, args.input_size, args.normalize, mean, std)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    # only once nothing can fail: an error is then the one line on stderr
    weights_warnings(info)
    if not info.trained:
        why = "" if info.message.endswith("random (untrained) weights") else f": {info.message}"
        print(f"cnn-explorer: untrained weights (random initialisation){why}", file=sys.stderr)
    return spec, model, info, prep, device, precision


def weights_warnings(info) -> None:  # noqa: ANN001
    """What loading the weights let through but the user must know (integers cast to
    floating point ...), on stderr."""
    for w in getattr(info, "warnings", ()):
        print(f"cnn-explorer: warning: {w}", file=sys.stderr)


def forward(model, x, device, precision, spec=None, **kw):  # noqa: ANN001, ANN003, ANN202
    """One guarded forward pass; with the model's ``spec``, a failure caused by the input's
    size is said as such ("vgg16 needs at least 32x32 input; got 8x8")."""
    from explorer.runtime.inference import run

    try:
        return guarded_pass(lambda: run(model, x, device, precision, **kw))
    except CliError:
        if spec is not None and tuple(x.shape[-2:]) != tuple(spec.input_size[-2:]):
            from explorer.graph.fit import wrong_size

            better = wrong_size(spec.name, model.cpu(), tuple(x.shape), spec.input_size)
            if better is not None:
                raise CliError(str(better)) from None
        raise


def guarded_pass(fn: Any) -> Any:
    """Run a forward pass (``fn()`` returns a RunResult): a failure is the command's one line,
    and the run's notes (e.g. an out-of-memory retry) go to stderr."""
    try:
        res = fn()
    except ExplorerError:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a user's model can raise anything in forward()
        raise failed("the forward pass", exc) from None
    for note in res.notes:
        print(f"cnn-explorer: {note}", file=sys.stderr)
    return res


def emit_json(obj: Any, indent: int | None = None) -> None:
    """Print ``obj`` as strict JSON on stdout: a figure that is not finite (NaN, infinity) is
    ``null``, and a warning on stderr names where (strict parsers refuse ``NaN``)."""
    import json

    bad: list[str] = []
    clean = finite_json(obj, "", bad)
    for where in bad[:5]:
        print(f"cnn-explorer: warning: {where} is not a finite number: null", file=sys.stderr)
    if len(bad) > 5:
        print(
            f"cnn-explorer: warning: {len(bad) - 5} more non-finite figures: null", file=sys.stderr
        )
    sys.stdout.write(json.dumps(clean, indent=indent, allow_nan=False) + "\n")


def finite_json(obj: Any, where: str, bad: list[str]) -> Any:
    """``obj`` with every non-finite float replaced by None (numpy and torch scalars made
    plain); the JSON paths replaced are appended to ``bad``."""
    import math

    if isinstance(obj, bool) or obj is None or isinstance(obj, str | int):
        return obj
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        bad.append(where or "the result")
        return None
    if isinstance(obj, dict):
        return {
            str(k): finite_json(v, f"{where}.{k}" if where else str(k), bad) for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [finite_json(v, f"{where}[{i}]", bad) for i, v in enumerate(obj)]
    item = getattr(obj, "item", None)  # numpy / torch scalars
    if callable(item) and getattr(obj, "ndim", 0) == 0:
        return finite_json(item(), where, bad)
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return finite_json(tolist(), where, bad)
    return obj


def progress(gen: Any) -> Any:
    """Drive a core generator, printing its progress on stderr (stdout keeps only the
    result); return its value."""
    last = [-1]

    def say(step: Progress) -> None:
        pct = int((step.fraction or 0.0) * 100)
        if pct // 10 != last[0] // 10:  # a line each time a tenth more is done
            print(f"  {pct:3d}%  {step.message}", file=sys.stderr, flush=True)
            last[0] = pct

    return drive(gen, say)


def failed(what: str, exc: BaseException) -> CliError:
    """``WHAT failed: <the error's first line>`` for an error raised in the user's model or
    input (exit 2); its traceback goes to the log (and to stderr with --verbose)."""
    log_unexpected(exc, what)
    return CliError(f"{what} failed: {user_reason(exc)}")


def user_reason(exc: BaseException) -> str:
    """The first line of an error from a user's code: torch's own (RuntimeError) need no class
    name; a ``SystemExit`` is said as the exit it asked for."""
    if isinstance(exc, SystemExit):
        return f"the model's code called sys.exit({exc.code!r})"
    return first_line(exc) if isinstance(exc, RuntimeError) else one_line(exc)


def device_or_error(name: str, precision: str):  # noqa: ANN201
    """(device, precision) as asked, or the one-line CLI error of a device or precision this
    machine cannot give."""
    from explorer.runtime.inference import DeviceError, check_precision, resolve_device

    try:
        device = resolve_device(name)
        return device, check_precision(precision, device)
    except (ValueError, DeviceError) as exc:
        raise CliError(str(exc)) from None


def cannot_write(path: object, exc: OSError) -> CliError:
    """``cannot write PATH: <why>`` (the user named the place: exit 2)."""
    return CliError(f"cannot write {path}: {exc.strerror or exc}")


def ray_options(p: argparse.ArgumentParser) -> None:
    """``--ray ADDRESS [--workers N]``: the independent evaluations on Ray workers."""
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run the evaluations on Ray: local (a Ray instance started on this machine, a "
        "worker per core) or a cluster's address (auto, ray://HOST:10001, HOST:6379); needs "
        'pip install "cnn-explorer[distributed]"',
    )
    p.add_argument(
        "--workers",
        type=at_most(4096),
        metavar="N",
        help="with --ray: N workers, one torch thread each (local: one per core)",
    )


def check_ray(args: argparse.Namespace) -> None:
    """``--ray``/``--workers`` said wrong (or Ray missing): the one line, before any work."""
    from explorer.runtime.executor import ExecutorError, check_request

    try:
        check_request(args.ray, args.workers)
    except ExecutorError as exc:
        raise CliError(str(exc)) from None


@contextmanager
def executor_or_error(args: argparse.Namespace, device: Any) -> Iterator[Any]:
    """The executor ``--ray``/``--workers`` ask for (in this process without them), closed
    after the command (a Ray instance it started is stopped)."""
    from explorer.runtime.executor import ExecutorError, executor_for, starting_line

    if args.ray is not None:  # a few seconds before the study's first line
        print(f"  {starting_line(args.ray)}", file=sys.stderr, flush=True)
    try:
        ex = executor_for(args.ray, args.workers, device)
    except ExecutorError as exc:
        raise CliError(str(exc)) from None
    try:
        yield ex
    finally:
        ex.close()
