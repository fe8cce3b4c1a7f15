"""Fuzzing every input a user gives the command line: images, checkpoints, data files, options.

Run as a script, in a process of its own with its address space capped (``setrlimit``):

    python tests/fuzz_inputs.py --examples 40 --cap 3G --report out.jsonl

Hypothesis draws each case (files written into a fresh folder, and a command line); the
case runs through ``explorer.__main__.main`` in this process, under an alarm. Each case ends
as one of:

- ``ok``: exit 0, and with ``--json`` strict JSON (no NaN, no Infinity);
- ``clear``: exit 2 and one ``error:`` line on stderr, the last one;
- ``traceback``: a traceback, an exception out of ``main``, another exit status, or an
  error of more than one line;
- ``hang``: still running when the alarm rang;
- ``oom``: the program ran out of memory (a bound should have refused first);
- ``silent``: exit 0 without a warning where the input is known to be unusable, or
  ``--json`` output that is not strict JSON.

Every case is one JSON line in ``--report`` (written as it ends, so a crash leaves the
cases before it), with the growth of the process's peak memory while it ran. The test
(tests/test_fuzz.py) runs a small number of examples; a larger run is the same script with
``--examples 500``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import resource
import signal
import struct
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

# -- cases ----------------------------------------------------------------------------------


@dataclass
class Case:
    argv: list[str]
    files: dict[str, bytes] = field(default_factory=dict)  # name -> content, in the case folder
    fifos: list[str] = field(default_factory=list)
    folders: dict[str, dict[str, bytes]] = field(default_factory=dict)
    bad: bool = False  # the input is known to be unusable: exit 0 would be a silent result
    kind: str = ""


def _png(w: int, h: int, mode: str, seed: int) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    bands = {"L": 1, "RGB": 3, "RGBA": 4, "CMYK": 4, "LA": 2, "1": 1}[mode]
    a = rng.integers(0, 256, size=(h, w, bands), dtype=np.uint8)
    im = Image.fromarray(a[..., 0] if bands == 1 else a[..., :bands], mode=None)
    if mode in ("1", "CMYK", "LA"):
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, format="TIFF" if mode == "CMYK" else "PNG")
    return buf.getvalue()


def _huge_png_header(w: int, h: int) -> bytes:
    """A tiny PNG whose header claims w x h pixels (its data is cut short)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


images = st.one_of(
    st.builds(
        lambda w, h, mode, seed: ("png", _png(w, h, mode, seed), False),
        st.integers(1, 48),
        st.integers(1, 48),
        st.sampled_from(["L", "RGB", "RGBA", "CMYK", "LA", "1"]),
        st.integers(0, 1000),
    ),
    st.builds(  # thin: one side tiny, the other long
        lambda long, tall: ("png", _png(1, long, "L", 0) if tall else _png(long, 1, "L", 0), False),
        st.sampled_from([500, 5000, 40000]),
        st.booleans(),
    ),
    st.builds(
        # a header claiming w x h pixels over 64 bytes of data: unusable unless tiny
        lambda w, h: ("png", _huge_png_header(w, h), (3 * w + 1) * h > 64),
        st.integers(1, 2**31 - 1),
        st.integers(1, 2**31 - 1),
    ),
    st.builds(lambda b: ("png", b, True), st.binary(min_size=0, max_size=64)),
    st.builds(lambda n: ("png", _png(16, 16, "RGB", 1)[:n], True), st.integers(0, 60)),
)

input_sizes = st.one_of(
    st.sampled_from(
        [1, 2, 3, 4, 8, 16, 27, 31, 32, 33, 64, 224, 1000, 5000, 100000, 10**7, 10**12]
    ),
    st.integers(1, 300),
)
numbers = st.sampled_from(
    ["0", "1", "-1", "0.5", "1e-300", "1e300", "nan", "inf", "-inf", "1e-45", "x", "", "0.229"]
)
triples = st.lists(numbers, min_size=0, max_size=4).map(",".join)


def _image_case(
    img: tuple[str, bytes, bool], model: str, command: str, size: int | None, json_out: bool
) -> Case:
    ext, data, bad = img
    argv = [command, model, f"img.{ext}"]
    if size is not None:
        argv += ["--input-size", str(size)]
    if json_out:
        argv.append("--json")
    return Case(argv, files={f"img.{ext}": data}, bad=bad, kind=f"image/{command}")


image_cases = st.builds(
    _image_case,
    images,
    st.sampled_from(["lenet5", "resnet20"]),
    st.sampled_from(["predict", "stats"]),
    st.one_of(st.none(), input_sizes),
    st.booleans(),
)


def _option_case(
    command: str,
    model: str,
    size: int | None,
    mean: str | None,
    std: str | None,
    norm: str | None,
    device: str,
    precision: str,
) -> Case:
    if command in ("summary", "render"):
        argv = [command, model]
        if command == "render":
            argv += ["-o", "out.svg"]
    else:
        argv = [command, model, "sample:digits-3", "--device", device, "--precision", precision]
        if mean is not None:
            argv += ["--mean", mean]
        if std is not None:
            argv += ["--std", std]
        if norm is not None:
            argv += ["--normalize", norm]
    if size is not None:
        argv += ["--input-size", str(size)]
    if command in ("summary", "predict", "stats"):
        argv.append("--json")
    return Case(argv, kind=f"options/{command}")


option_cases = st.builds(
    _option_case,
    st.sampled_from(["summary", "render", "predict", "stats"]),
    st.sampled_from(["lenet5", "resnet20", "vgg_small", "inception_small"]),
    st.one_of(st.none(), input_sizes),
    st.one_of(st.none(), triples),
    st.one_of(st.none(), triples),
    st.one_of(st.none(), st.sampled_from(["imagenet", "cifar", "none"])),
    st.sampled_from(["cpu", "auto", "cuda", "cuda:7", "mps", "tpu", ""]),
    st.sampled_from(["fp32", "fp16", "bf16"]),
)


# -- checkpoints ------------------------------------------------------------------------------


def _lenet_state() -> dict:
    import torch

    from explorer.models.registry import get

    torch.manual_seed(0)
    return get("lenet5").build().state_dict()


def _checkpoint(
    mutation: str, key_index: int, value: str, wrap: str, cut: int, seed: int
) -> tuple[bytes, bool]:
    """(bytes of a torch.save file, whether it is unusable)."""
    import torch

    state = {k: v.clone() for k, v in _lenet_state().items()}
    keys = sorted(state)
    key = keys[key_index % len(keys)]
    bad = False
    if mutation == "poison":
        v = {"nan": float("nan"), "inf": float("inf"), "huge": 1e300, "zero": 0.0}[value]
        t = state[key].double() if value == "huge" else state[key]
        if t.is_floating_point():
            t.view(-1)[seed % max(t.numel(), 1)] = v
            state[key] = t
    elif mutation == "dtype":
        dt = {"nan": torch.int64, "inf": torch.bool, "huge": torch.float64, "zero": torch.float16}[
            value
        ]
        state[key] = state[key].to(dt)
    elif mutation == "drop":
        del state[key]
    elif mutation == "reshape":
        state[key] = torch.zeros(state[key].numel() + 1)
        bad = True
    elif mutation == "extra":
        state["junk.extra"] = torch.zeros(1 + seed % 1000)
    elif mutation == "huge_extra":
        state["junk.extra"] = torch.zeros(200_000_000 // 4)  # 200 MB of zeros, deflated below
    payload: object = state
    if wrap == "state_dict":
        payload = {"state_dict": state, "epoch": 3}
    elif wrap == "module":
        payload = {f"module.{k}": v for k, v in state.items()}
    elif wrap == "list":
        payload = list(state.values())
        bad = True
    buf = io.BytesIO()
    torch.save(payload, buf)
    data = buf.getvalue()
    if mutation == "huge_extra":
        data = _deflate_zip(data)
    if cut:
        data = data[: max(len(data) - cut * 97, 0)]
        bad = True
    return data, bad


def _deflate_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def _checkpoint_case(
    mutation: str,
    key_index: int,
    value: str,
    wrap: str,
    cut: int,
    seed: int,
    ext: str,
    command: str,
) -> Case:
    data, bad = _checkpoint(mutation, key_index, value, wrap, cut, seed)
    name = f"w.{ext}"
    argv = [command, "lenet5", "sample:digits-3", "--weights", name, "--json"]
    return Case(argv, files={name: data}, bad=bad, kind=f"checkpoint/{mutation}")


checkpoint_cases = st.builds(
    _checkpoint_case,
    st.sampled_from(["none", "poison", "dtype", "drop", "reshape", "extra", "huge_extra"]),
    st.integers(0, 20),
    st.sampled_from(["nan", "inf", "huge", "zero"]),
    st.sampled_from(["plain", "state_dict", "module", "list"]),
    st.sampled_from([0, 0, 0, 1, 5, 50]),
    st.integers(0, 10_000),
    st.sampled_from(["pt", "pth"]),
    st.sampled_from(["predict", "stats"]),
)


# -- data files -------------------------------------------------------------------------------


def _npz(
    n: int, shape: str, dtype: str, labels: str, fill: str, compressed: bool
) -> tuple[bytes, bool]:
    import numpy as np

    rng = np.random.default_rng(n)
    bad = False
    shp = {
        "nhw": (n, 8, 8),
        "nhwc": (n, 8, 8, 1),
        "nchw": (n, 1, 8, 8),
        "flat": (n, 64),
        "big": (n, 512, 512, 3),
        "scalar": (),
    }[shape]
    if shape == "scalar":
        bad = True
    if dtype == "object":
        x = np.empty(shp if shp else (1,), dtype=object)
        bad = True
    else:
        x = (rng.random(shp) * 16).astype(dtype) if shp else np.array(1.0, dtype=dtype)
    if fill == "nan" and x.dtype.kind == "f":
        x.reshape(-1)[:1] = np.nan
    y = {
        "ok": rng.integers(0, 10, size=n),
        "short": rng.integers(0, 10, size=max(n - 1, 0)),
        "float": rng.random(n),
        "negative": -rng.integers(1, 10, size=n),
        "missing": None,
    }[labels]
    if labels in ("short", "missing", "negative"):
        bad = True
    arrays = {"x": x} if y is None else {"x": x, "y": y}
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue(), bad


def _npz_case(
    n: int, shape: str, dtype: str, labels: str, fill: str, compressed: bool, limit: int | None
) -> Case:
    data, bad = _npz(n, shape, dtype, labels, fill, compressed)
    if n == 0:
        bad = True
    argv = ["lesion", "lenet5", "--data", "d.npz", "--json"]
    if limit is not None:
        argv += ["--limit", str(limit)]
    return Case(argv, files={"d.npz": data}, bad=bad, kind="npz")


npz_cases = st.builds(
    _npz_case,
    st.sampled_from([0, 1, 3, 17, 64]),
    st.sampled_from(["nhw", "nhwc", "nchw", "flat", "big", "scalar"]),
    st.sampled_from(["uint8", "float32", "float64", "bool", "int64", "object"]),
    st.sampled_from(["ok", "ok", "short", "float", "negative", "missing"]),
    st.sampled_from(["none", "nan"]),
    st.booleans(),
    st.one_of(st.none(), st.sampled_from([0, 1, 5, 10**9, -1])),
)


def _path_case(command: str, what: str) -> Case:
    """Paths that are not regular files: a FIFO, a folder, a missing file."""
    target = {"fifo": "p.npz", "folder": "dir.npz", "missing": "nothing.npz"}[what]
    fifos = [target] if what == "fifo" else []
    folders = {target: {}} if what == "folder" else {}
    if command == "lesion":
        argv = ["lesion", "lenet5", "--data", target, "--json"]
    elif command == "weights":
        target = target.replace(".npz", ".pt")
        fifos = [target] if what == "fifo" else []
        folders = {target: {}} if what == "folder" else {}
        argv = ["predict", "lenet5", "sample:digits-3", "--weights", target]
    else:
        target = target.replace(".npz", ".png")
        fifos = [target] if what == "fifo" else []
        folders = {target: {}} if what == "folder" else {}
        argv = ["predict", "lenet5", target]
    return Case(argv, fifos=fifos, folders=folders, bad=True, kind=f"path/{what}")


path_cases = st.builds(
    _path_case,
    st.sampled_from(["lesion", "weights", "image"]),
    st.sampled_from(["fifo", "folder", "missing"]),
)


def _folder_case(good: int, broken: int, limit: int | None) -> Case:
    files = {f"{k}/good{i}.png": _png(12, 12, "L", i) for k in ("0", "1") for i in range(good)}
    files.update({f"0/broken{i}.png": b"not an image" for i in range(broken)})
    argv = ["lesion", "lenet5", "--data", "imgs", "--json"]
    if limit is not None:
        argv += ["--limit", str(limit)]
    return Case(argv, folders={"imgs": files}, bad=good == 0, kind="folder")


folder_cases = st.builds(
    _folder_case, st.integers(0, 3), st.integers(0, 2), st.one_of(st.none(), st.integers(1, 5))
)

all_cases = st.one_of(
    image_cases, option_cases, checkpoint_cases, npz_cases, path_cases, folder_cases
)


# -- running one case -------------------------------------------------------------------------


class Hang(BaseException):
    pass


_rang = [False]


def _alarm(_signum: int, _frame: object) -> None:
    _rang[0] = True  # main() may turn the exception into an error line: the flag stays
    raise Hang()


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


def _finite(obj: object) -> bool:
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return True


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_case(case: Case, timeout: float) -> dict:
    from explorer.__main__ import main

    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    for name, files in case.folders.items():
        (folder / name).mkdir()
        for rel, data in files.items():
            (folder / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / name / rel).write_bytes(data)
    for name in case.fifos:
        os.mkfifo(folder / name)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    before = _maxrss()
    t0 = time.perf_counter()
    outcome, code, escaped = "", None, ""
    _rang[0] = False
    os.chdir(folder)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(case.argv))
    except Hang:
        outcome = "hang"
    except SystemExit as exc:  # argparse: a usage error is exit 2 with its usage line
        code = exc.code if isinstance(exc.code, int) else 2
        escaped = "" if code in (0, 2) else f"SystemExit({exc.code!r})"
    except MemoryError:
        outcome = "oom"
    except BaseException as exc:  # noqa: BLE001 - the finding
        escaped = f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        os.chdir(cwd)
    seconds = time.perf_counter() - t0
    stdout, stderr = out.getvalue(), err.getvalue()
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [
        ln for ln in lines if ": error:" in ln or ln.startswith("cnn-explorer: internal error")
    ]
    why = ""
    if _rang[0]:
        outcome = "hang"
    if not outcome:
        if escaped or "Traceback" in stderr:
            outcome, why = "traceback", escaped or "Traceback on stderr"
        elif "out of memory" in stderr.lower() or "MemoryError" in stderr:
            outcome, why = "oom", lines[-1] if lines else ""
        elif code == 2:
            argparse_usage = any(ln.startswith("usage:") for ln in lines)
            if argparse_usage or (len(errors) == 1 and lines and lines[-1] == errors[0]):
                outcome = "clear"
            else:
                outcome, why = "traceback", f"{len(errors)} error lines"
        elif code == 0:
            outcome = "ok"
            if case.bad and not any("warning:" in ln for ln in lines):
                outcome, why = "silent", "exit 0 without a warning for an unusable input"
            elif "--json" in case.argv:
                try:
                    if not _finite(_strict(stdout)):
                        outcome, why = "silent", "non-finite figure in JSON"
                except ValueError as exc:
                    outcome, why = "silent", f"not strict JSON: {exc}"
        else:
            outcome, why = "traceback", f"exit {code}"
    return {
        "kind": case.kind,
        "argv": case.argv,
        "outcome": outcome,
        "why": why,
        "exit": code,
        "stderr_tail": lines[-2:],
        "seconds": round(seconds, 2),
        "peak_growth": max(_maxrss() - before, 0),
    }


# -- the run --------------------------------------------------------------------------------


def fuzz(examples: int, timeout: float, report: Path, seed: int) -> list[dict]:
    results: list[dict] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed == 0,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=all_cases)
    def one(case: Case) -> None:
        res = run_case(case, timeout)
        results.append(res)
        with report.open("a", encoding="utf-8") as f:
            f.write(json.dumps(res) + "\n")

    (hypothesis_seed(seed)(one) if seed else one)()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    ap.add_argument("--cap", default="3G", help="address space above what is mapped at start")
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0, help="0: the same cases each run")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("CNN_EXPLORER_CACHE", tempfile.mkdtemp(prefix="fuzz-cache-"))
    import timm  # noqa: F401
    import torch  # noqa: F401 - mapped before the cap is measured

    import explorer.__main__  # noqa: F401
    from explorer.limits import parse_size

    with open("/proc/self/status") as f:
        vm = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmSize:"))
    cap = vm + parse_size(args.cap)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    args.report.write_text("")
    t0 = time.perf_counter()
    results = fuzz(args.examples, args.timeout, args.report, args.seed)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    worst = max(results, key=lambda r: r["peak_growth"]) if results else None
    summary = {
        "cases": len(results),
        "counts": counts,
        "seconds": round(time.perf_counter() - t0, 1),
        "cap_bytes": cap,
        "peak_rss_bytes": _maxrss(),
        "worst_growth": worst and {"argv": worst["argv"], "bytes": worst["peak_growth"]},
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
