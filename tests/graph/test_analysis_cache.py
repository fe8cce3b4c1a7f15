"""The analysis cache: a stored analysis gives the views what a fresh one does; a stale or
corrupt file is traced again, and start-up carries on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from explorer.app.workflows import drive
from explorer.app.workflows.run import load_model
from explorer.graph import cache
from explorer.graph.analysis import analyze, input_shape_for
from explorer.graph.conventions import count_block
from explorer.graph.labels import block_label
from explorer.models import registry
from explorer.present.layout import compute_layout, default_expanded, expand_all
from explorer.present.summary import format_table, summary_dict

# one network of each kind of block the views draw: residual, plain, SE, RepVGG, inception,
# highway, dense, separable (timm's xception), a timm network kept whole by its own layers
KINDS = ["resnet20", "plain20", "se_resnet20", "repvgg_small", "inception_small", "highway"]
MORE = ["densenet121", "xception", "mobilenet_v2", "dm_nfnet_f0"]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "graphs"
    monkeypatch.setenv(cache.CACHE_ENV, str(where))
    return where


def stored_copy(name: str) -> tuple[object, object]:
    """A fresh analysis of ``name`` and the one the cache gives back after storing it."""
    spec = registry.get(name)
    fresh = analyze(spec)
    assert cache.store(fresh)
    back = cache.load(spec, input_shape_for(spec))
    assert back is not None
    return fresh, back


def assert_same_for_the_views(fresh, back) -> None:  # noqa: ANN001
    from explorer.ui.inspector import convention_rows, inspector_rows

    g1, g2 = fresh.graph.g, back.graph.g
    assert list(g1.nodes(data=True)) == list(g2.nodes(data=True))
    assert list(g1.edges(data=True)) == list(g2.edges(data=True))
    for n in g1:  # the layout follows both orders
        assert list(g1.successors(n)) == list(g2.successors(n)), n
        assert list(g1.predecessors(n)) == list(g2.predecessors(n)), n
    for f in ("input_shape", "param_owner_numel", "total_params", "trainable_params"):
        assert getattr(fresh.graph, f) == getattr(back.graph, f), f
    for f in ("method", "shape_method", "trace_error", "total_macs"):
        assert getattr(fresh.graph, f) == getattr(back.graph, f), f
    assert back.input_shape == fresh.input_shape
    t1, t2 = fresh.tree, back.tree
    assert list(t1.blocks) == list(t2.blocks)
    for bid, b in t1.blocks.items():
        assert b == t2.blocks[bid], bid  # every field, the motif included
        assert fresh.graph.module_params(bid) == back.graph.module_params(bid), bid
        assert block_label(t1, bid) == block_label(t2, bid)
        assert inspector_rows(fresh, bid) == inspector_rows(back, bid)
        assert convention_rows(fresh, bid) == convention_rows(back, bid)
        if b.executed and b.nodes:
            assert count_block(t1, bid) == count_block(t2, bid), bid
    assert t1.node_block == t2.node_block
    assert default_expanded(t1) == default_expanded(t2)
    for open_ in (None, expand_all(t1)):
        assert compute_layout(t1, open_) == compute_layout(t2, open_)
    assert summary_dict(fresh) == summary_dict(back)
    assert format_table(fresh) == format_table(back)


@pytest.mark.parametrize("name", KINDS)
def test_stored_analysis_equals_a_fresh_one(folder: Path, name: str) -> None:
    fresh, back = stored_copy(name)
    assert back.model is None and not back.built and fresh.built
    assert_same_for_the_views(fresh, back)


@pytest.mark.slow
@pytest.mark.parametrize("name", MORE)
def test_stored_analysis_equals_a_fresh_one_larger(folder: Path, name: str) -> None:
    assert_same_for_the_views(*stored_copy(name))


def test_the_file_is_json_of_this_format(folder: Path) -> None:
    stored_copy("lenet5")
    (path,) = folder.iterdir()
    assert path.name == "lenet5-1x32x32.json"
    doc = json.loads(path.read_text())
    assert doc["format"] == "cnn-explorer analysis" and doc["schema"] == 1
    key = doc["key"]
    assert key["model"] == "lenet5" and key["input_shape"] == [1, 1, 32, 32]
    assert {"torch", "torchvision", "timm", "cnn-explorer", "sources"} <= set(key)
    import torch

    assert key["torch"] == torch.__version__.split("+")[0] or key["torch"] == torch.__version__


def test_other_input_size_is_its_own_entry(folder: Path) -> None:
    spec = registry.get("resnet20")
    cache.store(analyze(spec, 48))
    assert cache.load(spec, input_shape_for(spec)) is None
    back = cache.load(spec, input_shape_for(spec, 48))
    assert back is not None and back.input_shape == input_shape_for(spec, 48)
    assert back.input_shape[-2:] == (48, 48)


def test_no_cache_when_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for off in ("off", "0", "OFF"):
        monkeypatch.setenv(cache.CACHE_ENV, off)
        assert cache.cache_folder() is None
        assert not cache.store(analyze(registry.get("lenet5")))
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("CNN_EXPLORER_CACHE", str(tmp_path / "c"))
    assert cache.cache_folder() == tmp_path / "c" / "graphs"


def test_only_the_zoo_is_stored(folder: Path, tmp_path: Path) -> None:
    src = tmp_path / "mine.py"
    src.write_text("import torch\ndef make():\n    return torch.nn.Conv2d(3, 4, 3)\n")
    for name in (f"{src}:make", "tv:resnet18"):
        an = analyze(registry.get(name))
        assert not cache.cacheable(name)
        assert not cache.store(an)
    assert not folder.exists() or not list(folder.iterdir())


def test_a_value_json_would_change_is_not_stored(folder: Path) -> None:
    an = analyze(registry.get("lenet5"))
    node = next(iter(an.graph.g.nodes))
    an.graph.g.nodes[node]["hparams"] = {"kernel_size": (3, 3)}  # a tuple comes back a list
    assert not cache.store(an)


# -- stale and corrupt entries -----------------------------------------------------------------


def _entry(folder: Path, name: str = "resnet20") -> Path:
    spec = registry.get(name)
    return cache.entry_path(folder, name, input_shape_for(spec))


def _load(name: str = "resnet20"):  # noqa: ANN202
    spec = registry.get(name)
    return cache.load(spec, input_shape_for(spec))


def _starts_and_repairs(folder: Path, name: str = "resnet20") -> None:
    """The window's load still gives the model, and the file is good again afterwards."""
    steps = load_model(name, stored=True)
    partials = []
    while True:
        try:
            p = next(steps)
        except StopIteration as stop:
            an = stop.value
            break
        if p.partial is not None:
            partials.append(p.partial)
    assert an.built and an.spec.name == name
    assert partials == []  # nothing stored was shown
    assert _load(name) is not None  # traced and stored again


def test_stale_entry_of_other_versions_is_rebuilt(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_copy("resnet20")
    real = cache.versions()
    monkeypatch.setattr(cache, "versions", lambda: {**real, "torch": "0.0.1"})
    assert _load() is None
    _starts_and_repairs(folder)
    assert json.loads(_entry(folder).read_text())["key"]["torch"] == "0.0.1"
    monkeypatch.setattr(cache, "versions", lambda: {**real, "sources": "edited"})
    assert _load() is None  # the program's own sources changed


def _corruptions(good: bytes) -> dict[str, bytes]:
    doc = json.loads(good)

    def variant(change) -> bytes:  # noqa: ANN001
        d = json.loads(good)
        change(d)
        return json.dumps(d).encode()

    def cycle(d: dict) -> None:
        a, b = [x for x in d["blocks"] if x["id"] and not x["is_leaf"]][:2]
        a["parent"], b["parent"] = b["id"], a["id"]

    return {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "garbage": os.urandom(4096),
        "not utf-8": b"\xff\xfe" + good[2:],
        "a list": b"[1, 2, 3]",
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "other schema": variant(lambda d: d.update(schema=2)),
        "other format": variant(lambda d: d.update(format="something else")),
        "no blocks": variant(lambda d: d.pop("blocks")),
        "wrong type": variant(lambda d: d["graph"].update(total_params="many")),
        "a node's order": variant(lambda d: d["graph"]["nodes"][1][1].update(order=None)),
        "missing child": variant(lambda d: d["blocks"][0]["children"].append("nowhere")),
        "edge to nowhere": variant(lambda d: d["graph"]["edges"].append(["@input", "x", {}])),
        "parent cycle": variant(cycle),
        "bad shape": variant(lambda d: d["blocks"][1].update(out_shape=["a"])),
        "module type": variant(
            lambda d: next(iter(d["modules"].values())).update(type="os.system(1)")
        ),
        "extra block field": variant(lambda d: d["blocks"][0].update(code="print(1)")),
        "float nan": good.replace(b'"macs":0', b'"macs":NaN', 1),
        "duplicate node": variant(lambda d: d["graph"]["nodes"].append(d["graph"]["nodes"][0])),
        "not this model": variant(lambda d: d["key"].update(model="resnet56")),
    } | ({"no root": variant(lambda d: d["blocks"].pop(0))} if doc["blocks"] else {})


def test_corrupt_entries_are_rebuilt_and_start_carries_on(folder: Path) -> None:
    stored_copy("resnet20")
    path = _entry(folder)
    good = path.read_bytes()
    cases = _corruptions(good)
    assert len(cases) > 15
    for what, data in cases.items():
        path.write_bytes(data)
        assert _load() is None, what
        _starts_and_repairs(folder)
        assert path.read_bytes() == good, what


def test_huge_entry_is_not_read(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored_copy("resnet20")
    path = _entry(folder)
    size = path.stat().st_size
    monkeypatch.setattr(cache, "MAX_BYTES", size - 1)
    assert _load() is None
    monkeypatch.setattr(cache, "MAX_BYTES", size)
    assert _load() is not None
    monkeypatch.undo()
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    with open(path, "r+b") as f:  # sparse: past the bound without the disk space
        f.truncate(cache.MAX_BYTES + 1)
    assert _load() is None
    _starts_and_repairs(folder)


def test_a_folder_or_a_fifo_in_its_place(folder: Path) -> None:
    stored_copy("resnet20")
    path = _entry(folder)
    path.unlink()
    path.mkdir()
    assert _load() is None
    assert drive(load_model("resnet20", stored=True)).built  # not stored: a folder is there
    path.rmdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(path)  # opening one to read would block: never read
        assert _load() is None
        path.unlink()


def test_writes_are_atomic(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails half-way leaves the file as it was and no temporary file."""
    stored_copy("resnet20")
    path = _entry(folder)
    good = path.read_bytes()
    real = cache.versions()
    monkeypatch.setattr(cache, "versions", lambda: {**real, "timm": "9"})

    def half(self: Path, text: str, encoding: str | None = None) -> int:
        with open(self, "w", encoding=encoding) as f:
            f.write(text[: len(text) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half)
    assert not cache.store(analyze(registry.get("resnet20")))
    assert path.read_bytes() == good
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_an_unchanged_entry_is_not_written_again(folder: Path) -> None:
    stored_copy("resnet20")
    path = _entry(folder)
    before = path.stat().st_mtime_ns
    assert not cache.store(analyze(registry.get("resnet20")))
    assert path.stat().st_mtime_ns == before


def test_workflow_yields_the_stored_graph_before_the_model(folder: Path) -> None:
    first = list(_progress(load_model("resnet20", stored=True)))
    assert not [p for p in first if p.partial is not None]  # nothing stored yet
    second = list(_progress(load_model("resnet20", stored=True)))
    shown = [p.partial for p in second if p.partial is not None]
    assert len(shown) == 1 and not shown[0].built
    assert second.index(next(p for p in second if p.partial is not None)) < second.index(
        next(p for p in second if "importing torch" == p.message)
    )


def _progress(gen):  # noqa: ANN001, ANN202
    try:
        while True:
            yield next(gen)
    except StopIteration:
        return


def test_the_folder_follows_the_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for var in (cache.CACHE_ENV, "CNN_EXPLORER_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    expected = {
        "linux": tmp_path / ".cache" / "cnn-explorer" / "graphs",
        "darwin": tmp_path / "Library" / "Caches" / "cnn-explorer" / "graphs",
        "win32": tmp_path / "local" / "cnn-explorer" / "Cache" / "graphs",
    }
    for platform, folder in expected.items():
        monkeypatch.setattr(sys, "platform", platform)
        assert cache.cache_folder() == folder, platform
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_folder() == tmp_path / "xdg" / "cnn-explorer" / "graphs"
