"""Landscape grids and lesion sweeps on a real local Ray instance: the same numbers as in this
process, a worker that dies loses nothing and counts nothing twice, Cancel stops the rest, and
a missing Ray or a bad address is one line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_expect import assert_one_error, run

from explorer.runtime.executor import (
    INSTALL,
    TRIES,
    ExecutorError,
    InProcess,
    RayExecutor,
    Work,
)

ray = pytest.importorskip("ray", reason="ray is in the test extra: pip install -e '.[test]'")
# the helpers below go to the workers by value (this file is not an importable module there)
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def ray_ex():
    ex = RayExecutor("local", workers=2)
    yield ex
    ex.close()


def _resnet20():
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get
    from explorer.runtime.pipeline import apply_weights, preprocess

    spec = get("resnet20")
    an = analyze(spec)
    info = apply_weights(spec, an.model, "auto")
    return an, preprocess(spec, info, None, None, None, None), info.categories


def _drive(gen):
    from explorer.app.workflows import drive

    return drive(gen, lambda _p: None)


def test_a_landscape_on_ray_is_the_one_in_this_process(ray_ex) -> None:
    from explorer.app.workflows.landscape import LandscapeSettings, landscape
    from explorer.app.workflows.lesion import EvalSettings

    an, prep, cats = _resnet20()
    before = {k: v.clone() for k, v in an.model.state_dict().items()}
    s, ev = LandscapeSettings(grid=5, seed=3), EvalSettings(None, 40, 16)
    here = _drive(landscape(an, prep, cats, s, ev, "cpu"))
    there = _drive(landscape(an, prep, cats, s, ev, "cpu", executor=ray_ex))
    assert here.workers == 1 and there.workers == 2 == ray_ex.took_part
    assert there.done.all() and there.center == pytest.approx(here.center, abs=1e-4)
    assert np.nanmax(np.abs(there.loss - here.loss)) <= 1e-4
    np.testing.assert_array_equal(there.top1, here.top1)
    assert there.as_json()["workers"] == 2
    for k, v in an.model.state_dict().items():  # the workers had copies
        assert v.equal(before[k]), k


@pytest.mark.parametrize("kind", ["single", "random", "reorder"])
def test_a_sweep_on_ray_is_the_one_in_this_process(ray_ex, kind) -> None:
    from explorer.app.workflows.lesion import EvalSettings, SweepSettings, sweep

    an, prep, cats = _resnet20()
    sw, ev = SweepSettings(kind, k_max=3, trials=2, seed=1), EvalSettings(None, 48, 16)
    here = _drive(sweep(an, prep, cats, sw, ev, "cpu"))
    there = _drive(sweep(an, prep, cats, sw, ev, "cpu", executor=ray_ex))
    assert here.workers == 1 and there.workers == ray_ex.took_part >= 1

    def flat(s):
        if kind == "single":
            return list(s.runs)
        if kind == "random":
            return [r for k in sorted(s.runs) for r in s.runs[k]]
        return [r for _tau, r in s.runs]

    pairs = [(here.intact, there.intact), *zip(flat(here), flat(there), strict=True)]
    assert len(pairs) == {"single": 10, "random": 7, "reorder": 3}[kind]
    for a, b in pairs:
        assert a.deleted == b.deleted and a.n == b.n == 48
        assert a.top1 == b.top1 and a.agreement == b.agreement
        assert b.loss == pytest.approx(a.loss, abs=1e-4)
        np.testing.assert_array_equal(a.preds, b.preds)
    if kind == "reorder":
        assert [t for t, _ in here.runs] == [t for t, _ in there.runs]


# -- a worker that dies, a Cancel, errors ----------------------------------------------------


def _setup(payload, _device):
    return payload


def _dies_once(folder, unit):
    """Unit 3 kills its worker the first time it runs (a crash, not an exception)."""
    mark = Path(folder) / "died"
    if unit == 3 and not mark.exists():
        mark.write_text(str(os.getpid()))
        os._exit(1)
    (Path(folder) / f"ran-{unit}-{time.monotonic_ns()}").write_text("")
    return unit * unit


def _dies_always(_folder, unit):
    if unit == 1:
        os._exit(1)
    return unit


def _slow(_payload, unit):
    time.sleep(1.0)
    return unit


def _raises(_payload, unit):
    if unit == 2:
        raise ValueError("unit 2 is bad")
    return unit


def test_a_worker_that_dies_loses_nothing_and_counts_nothing_twice(ray_ex, tmp_path) -> None:
    got = list(ray_ex.map(Work(_setup, _dies_once, str(tmp_path)), range(8)))
    assert (tmp_path / "died").exists()  # a worker did die under unit 3
    assert sorted(i for i, _ in got) == list(range(8))  # each unit once
    assert dict(got) == {i: i * i for i in range(8)}
    assert len(list(tmp_path.glob("ran-3-*"))) == 1  # run again once, elsewhere
    assert ray_ex.took_part <= 2  # the worker that replaced the dead one took its place


def test_a_unit_that_kills_every_worker_is_one_line(ray_ex, tmp_path) -> None:
    with pytest.raises(ExecutorError, match=f"died {TRIES} times on unit 2 of 4"):
        list(ray_ex.map(Work(_setup, _dies_always, str(tmp_path)), range(4)))


def test_an_error_of_a_unit_is_its_own(ray_ex) -> None:
    with pytest.raises(ValueError, match="unit 2 is bad"):
        list(ray_ex.map(Work(_setup, _raises, None), range(4)))


def test_cancel_stops_the_units_left_and_the_workers(ray_ex) -> None:
    start = time.perf_counter()
    it = ray_ex.map(Work(_setup, _slow, None), range(20))
    first = [next(it), next(it)]
    it.close()  # as the job runner's Cancel does
    assert time.perf_counter() - start < 15  # 20 units of 1 s on 2 workers: 10 s and more
    assert {i for i, _ in first} <= set(range(20))
    deadline = time.monotonic() + 20
    while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray.available_resources().get("CPU", 0) == 2  # the workers are gone


def test_in_process_runs_every_unit_in_order_and_tears_down() -> None:
    torn = []
    work = Work(lambda p, _d: [p], lambda s, u: s[0] + u, 10, teardown=torn.append)
    assert list(InProcess().map(work, iter(range(3)))) == [(0, 10), (1, 11), (2, 12)]
    assert torn == [[10]]
    it = InProcess().map(work, range(5))
    next(it)
    it.close()
    assert len(torn) == 2  # a Cancel tears down too


# -- the command line -----------------------------------------------------------------------


def test_the_cli_sweep_on_ray_says_how_many_workers_took_part(ray_ex, capsys) -> None:
    import json

    args = ["lesion", "resnet20", "--sweep", "single", "--limit", "32", "--json"]
    code, out, err = run(capsys, *args, "--ray", "local", "--workers", "2")
    assert code == 0, err
    there = json.loads(out)
    code, out, _err = run(capsys, *args)
    here = json.loads(out)
    assert here["workers"] == 1 and there["workers"] in (1, 2)
    assert [r["top1"] for r in here["runs"]] == [r["top1"] for r in there["runs"]]
    assert ray.is_initialized()  # the instance this module started is not stopped by the CLI


@pytest.mark.parametrize(
    "argv, expect",
    [
        (["landscape", "resnet20", "--ray", "nowhere"], "--ray 'nowhere': give local"),
        (["landscape", "resnet20", "--workers", "2"], "--workers goes with --ray"),
        (["landscape", "resnet20", "--ray", "local", "--workers", "0"], "expected a positive"),
        (["lesion", "resnet20", "--ray", "local"], "--ray goes with --sweep"),
        (["lesion", "resnet20", "--sweep", "single", "--ray", "host:99999"], "give local"),
        (["landscape", "resnet20", "--ray", "ray://"], "give local"),
        (["landscape", "resnet20", "--ray", "http://x:1"], "give local"),
        (["landscape", "resnet20", "--ray", "local", "--workers", "4096"], "cores"),
    ],
)
def test_bad_ray_options_are_one_line(capsys, argv, expect) -> None:
    try:
        got = run(capsys, *argv)
    except SystemExit as exc:  # argparse's own exit: an option's type refused
        got = (int(exc.code or 0), *capsys.readouterr())
    assert_one_error(got, expect, command=argv[0])


def test_a_missing_ray_is_one_line(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray: ImportError
    with pytest.raises(ExecutorError, match="pip install"):
        RayExecutor("local")
    for cmd in (["landscape", "resnet20"], ["lesion", "resnet20", "--sweep", "random"]):
        line = assert_one_error(run(capsys, *cmd, "--ray", "local"), INSTALL, command=cmd[0])
        assert "cnn-explorer[distributed]" in line


def _bad_setup(_payload, _device):
    raise ValueError("the network cannot be built here")


def test_a_network_a_worker_cannot_build_is_the_users_line(ray_ex) -> None:
    with pytest.raises(ValueError, match="cannot be built here"):
        list(ray_ex.map(Work(_bad_setup, _raises, None), range(3)))
    assert ray_ex.start_s > 0


USER_MODEL = """
import torch
from torch import nn


class Block(nn.Module):  # a class of the user's file: no worker can import it by name
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        return x + torch.relu(self.bn(self.conv(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.b1, self.b2 = Block(8), Block(8)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.b2(self.b1(self.stem(x)))
        return self.fc(x.mean((2, 3)))


def make():
    return Net()
"""


def test_a_users_model_file_runs_on_ray(ray_ex, capsys, tmp_path) -> None:
    import json

    f = tmp_path / "mine.py"
    f.write_text(USER_MODEL)
    args = ["lesion", f"{f}:make", "--data", "digits", "--input-size", "32", "--limit", "16"]
    args += ["--sweep", "single", "--json"]
    code, out, err = run(capsys, *args, "--ray", "local", "--workers", "2")
    assert code == 0, err
    there = json.loads(out)
    code, out, err = run(capsys, *args)
    here = json.loads(out)
    assert len(here["runs"]) == 2
    assert [r["agreement"] for r in here["runs"]] == [r["agreement"] for r in there["runs"]]
    assert [r["loss"] for r in there["runs"]] == pytest.approx(
        [r["loss"] for r in here["runs"]], abs=1e-4
    )


def test_nothing_answering_at_an_address_is_one_line_at_once() -> None:
    from explorer.runtime.executor import reachable

    start = time.perf_counter()
    with pytest.raises(ExecutorError, match="nothing answers at 127.0.0.1:1"):
        reachable("ray://127.0.0.1:1")
    assert time.perf_counter() - start < 6


def test_a_dead_workers_notice_goes_to_stderr_not_into_the_json(ray_ex, capsys) -> None:
    import ray._private.worker as rw

    rw.print_to_stdstream(
        {"lines": ["A worker died or was killed while executing a task. More text"],
         "pid": "raylet", "is_err": False},
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == "ray: A worker died or was killed while executing a task"
