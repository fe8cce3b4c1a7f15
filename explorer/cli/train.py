"""``train``: train a small model on digits, reproducibly, and write its checkpoint and curve."""

from __future__ import annotations

import argparse
import errno
import json
import math
import sys
from pathlib import Path

from explorer.app.argtypes import positive_int
from explorer.cli.common import (
    MODEL_HELP,
    CliError,
    cannot_write,
    emit_json,
    failed,
    finite_json,
    spec_or_error,
)
from explorer.errors import log_unexpected
from explorer.files import atomic_path, check_output

#: what the curve's file name adds to the checkpoint's whole name (never the checkpoint's own)
CURVE_SUFFIX = ".curve.json"


def curve_path(checkpoint: Path) -> Path:
    """Where the curve of ``checkpoint`` goes: ``l.pt`` -> ``l.pt.curve.json``. The whole name
    is kept, so that it can never be the checkpoint itself, nor the curve of another."""
    return checkpoint.with_name(checkpoint.name + CURVE_SUFFIX)


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return v


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    t = sub.add_parser(
        "train",
        help="train a small model on digits (reproducible on the CPU)",
        description="Train MODEL from a seeded initialisation on the train split of "
        "scikit-learn's digits (1,437 images upsampled to 32x32; the 360 test images are "
        "evaluated after each epoch, never trained on). SGD with momentum and a cosine "
        "schedule, random shifts of up to 2 px. One line per epoch on stderr; the "
        "checkpoint (float16 state_dict) goes to --out PATH and the curve (JSON) to "
        "PATH.curve.json; both are checked before training (an existing file needs --force) "
        "and written whole or not at all. The same command with the same --seed and "
        "--threads gives the same file. Ctrl+C stops and keeps the last completed epoch.",
    )
    t.add_argument("model", help=MODEL_HELP)
    t.add_argument("--data", default="digits", help="training data: digits (the only one)")
    t.add_argument("--epochs", type=positive_int, default=15, metavar="N", help="default 15")
    t.add_argument("--seed", type=int, default=0, metavar="S", help="default 0")
    t.add_argument("--lr", type=_positive_float, default=0.05, help="peak learning rate (0.05)")
    t.add_argument("--batch-size", type=positive_int, default=32, metavar="B", help="default 32")
    t.add_argument(
        "--schedule", choices=("cosine", "step"), default="cosine", help="learning-rate schedule"
    )
    t.add_argument("--no-augment", action="store_true", help="no random shifts")
    t.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        metavar="T",
        help="CPU threads (default 1: reproducible to the bit, and leaves the other cores free)",
    )
    t.add_argument(
        "--out",
        metavar="PATH",
        help="checkpoint file (default MODEL.pt here); the curve goes to PATH.curve.json",
    )
    t.add_argument("--force", action="store_true", help="replace PATH and its curve if they exist")
    t.add_argument("--json", action="store_true", help="print the curve as JSON on stdout")
    return {"train": cmd_train}


class _Progress:
    """Epoch lines on stderr, and a bar within the epoch when stderr is a terminal."""

    def __init__(self, name: str):
        self.name = name
        self.tty = sys.stderr.isatty()

    def __call__(self, item: object) -> None:
        from explorer.studies.training.train import Epoch, Step

        if isinstance(item, Step) and self.tty:
            done = round(20 * item.step / item.steps)
            bar = "#" * done + "." * (20 - done)
            sys.stderr.write(
                f"\repoch {item.epoch}/{item.epochs} [{bar}] {item.step}/{item.steps} "
                f"loss {item.loss:.4f}"
            )
            sys.stderr.flush()
        elif isinstance(item, Epoch):
            if self.tty:
                sys.stderr.write("\r\033[K")
            print(
                f"{self.name}: epoch {item.epoch}: train loss {item.train_loss:.4f} "
                f"top-1 {item.train_top1:.2f} %, test loss {item.test_loss:.4f} "
                f"top-1 {item.test_top1:.2f} % ({item.seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )


def _command(name: str, cfg: object) -> str:
    """The command line that repeats this run (options at their defaults left out)."""
    from explorer.studies.training.train import TrainConfig

    base = TrainConfig()
    parts = ["cnn-explorer train", name, "--data", cfg.data, "--epochs", str(cfg.epochs)]  # type: ignore[attr-defined]
    parts += ["--seed", str(cfg.seed)]  # type: ignore[attr-defined]
    for opt, attr in (("--lr", "lr"), ("--batch-size", "batch_size"), ("--schedule", "schedule")):
        if getattr(cfg, attr) != getattr(base, attr):
            parts += [opt, str(getattr(cfg, attr))]
    if not cfg.augment:  # type: ignore[attr-defined]
        parts.append("--no-augment")
    if cfg.threads != base.threads:  # type: ignore[attr-defined]
        parts += ["--threads", str(cfg.threads)]  # type: ignore[attr-defined]
    return " ".join(parts)


def _storage(state: dict) -> str:
    from explorer.models.checkpoint import Q8_SUFFIX
    from explorer.studies.training.train import pack_state_dict

    q8 = [k.removesuffix(Q8_SUFFIX) for k in pack_state_dict(state) if k.endswith(Q8_SUFFIX)]
    note = "float16 state_dict (torch.save), BN step counters dropped"
    if q8:
        note += f"; int8 with a float32 scale per output channel: {', '.join(q8)}"
    return note


def cmd_train(args: argparse.Namespace) -> int:
    from explorer.models.registry import RegistryError
    from explorer.runtime.evalset import DataError
    from explorer.studies.training.train import (
        TrainConfig,
        curve_dict,
        run_training,
        stored_accuracy,
        train,
        write_checkpoint,
    )

    cfg = TrainConfig(
        data=args.data,
        epochs=args.epochs,
        seed=args.seed,
        lr=args.lr,
        batch_size=args.batch_size,
        schedule=args.schedule,
        augment=not args.no_augment,
        threads=args.threads,
    )
    try:
        cfg.check()
    except ValueError as exc:  # DataError is one
        raise CliError(str(exc)) from None
    spec = spec_or_error(args.model)
    out = Path(args.out) if args.out else Path(f"{spec.name.replace(':', '_')}.pt")
    curve = curve_path(out)
    # both places before training: a refusal after minutes of work would lose them
    check_output(out, force=args.force, what="--out")
    check_output(curve, force=args.force, named=False, what="curve")
    try:
        result = run_training(train(spec, cfg), _Progress(spec.name))
    except (RegistryError, DataError) as exc:
        raise CliError(str(exc)) from None
    except FloatingPointError as exc:
        raise CliError(f"{spec.name}: {exc}") from None  # e.g. --lr too large: the user's option
    except Exception as exc:  # noqa: BLE001 - a user's model can raise anything in forward()
        raise failed(f"{spec.name}: training", exc) from None
    if result.stopped_early:
        print(
            f"cnn-explorer: interrupted; keeping epoch {len(result.history)} of {cfg.epochs}",
            file=sys.stderr,
        )
    writing = out
    try:
        # the checkpoint is renamed into place first, then the curve; an error or Ctrl+C
        # before that leaves the old files as they were
        with atomic_path(curve) as curve_tmp, atomic_path(out, keep_name=True) as out_tmp:
            try:
                size = write_checkpoint(result.model.state_dict(), out_tmp)
            except RuntimeError as exc:  # torch's writer says a full disk this way
                log_unexpected(exc, f"writing {out}")
                raise OSError(errno.EIO, "the write failed (is the disk full?)") from exc
            stored = stored_accuracy(spec, out_tmp)
            record = curve_dict(
                spec,
                cfg,
                result,
                {
                    "command": _command(spec.name, cfg),
                    "checkpoint": out.name,
                    "checkpoint_bytes": size,
                    "storage": _storage(result.model.state_dict()),
                    "test_top1_fp32": result.history[-1].test_top1 if result.history else None,
                    **stored,
                },
            )
            record["test_top1"] = stored["stored_test_top1"]
            writing = curve
            curve_tmp.write_text(
                json.dumps(finite_json(record, "", []), indent=1, allow_nan=False) + "\n",
                encoding="utf-8",
            )
    except OSError as exc:
        raise cannot_write(writing, exc) from None
    print(
        f"{spec.name}: {out} ({size / 1e6:.2f} MB), test top-1 {stored['stored_test_top1']:.2f} %, "
        f"train top-1 {stored['stored_train_top1']:.2f} % (eval mode), "
        f"{result.seconds:.0f} s; curve {curve}",
        file=sys.stderr,
    )
    if args.json:
        emit_json(record)
    return 0
