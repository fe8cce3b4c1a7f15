"""The session shows a stored graph while its model loads, then the built one (Qt-free)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.app.session import Event, Session
from explorer.graph import cache
from explorer.graph.analysis import analyze, input_shape_for
from explorer.models import registry
from explorer.present.layout import default_expanded


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """(stored, built) analyses of resnet20."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    spec = registry.get("resnet20")
    built = analyze(spec)
    assert cache.store(built)
    stored = cache.load(spec, input_shape_for(spec))
    assert stored is not None and not stored.built
    return stored, built


def recorder(s: Session) -> list:
    events: list = []
    for ev in (Event.MODEL_PREVIEWED, Event.MODEL_CHANGED, Event.SELECTION_CHANGED):
        s.connect(ev, lambda *a, ev=ev: events.append(ev))
    return events


def test_preview_then_model_keeps_the_users_view(pair) -> None:  # noqa: ANN001
    stored, built = pair
    s = Session()
    events = recorder(s)
    gen = s.request_model("resnet20")
    assert s.show_preview(stored, gen, default_expanded(stored.tree))
    assert events == [Event.SELECTION_CHANGED, Event.MODEL_PREVIEWED]
    assert s.analysis is stored and s.previewing and s.loading == "resnet20"
    assert s.model_name == "resnet20" and s.weights_info is None
    # the user looks around while torch loads
    s.select("layer2.1")
    s.toggle_expanded("layer2")
    open_now = s.expanded
    assert open_now != frozenset(default_expanded(built.tree)) | {""}
    events.clear()
    assert s.set_analysis(built, gen, default_expanded(built.tree))
    assert events == [Event.SELECTION_CHANGED, Event.MODEL_CHANGED]
    assert s.analysis is built and not s.previewing and s.loading is None
    assert s.selected == "layer2.1" and s.expanded == open_now


def test_a_stale_or_cancelled_preview_is_dropped(pair) -> None:  # noqa: ANN001
    stored, _built = pair
    s = Session()
    old = s.request_model("resnet20")
    s.request_model("lenet5")
    assert not s.show_preview(stored, old, [""])
    gen = s.request_model("resnet20")
    s.cancel_request()
    assert not s.show_preview(stored, gen, [""])
    assert s.analysis is None and not s.previewing


def test_another_model_after_a_preview_starts_fresh(pair) -> None:  # noqa: ANN001
    stored, _built = pair
    s = Session()
    gen = s.request_model("resnet20")
    s.show_preview(stored, gen, default_expanded(stored.tree))
    s.select("layer2.1")
    gen = s.request_model("lenet5")
    other = analyze(registry.get("lenet5"))
    assert s.set_analysis(other, gen, default_expanded(other.tree))
    assert s.selected is None and not s.previewing
    assert s.expanded == frozenset(default_expanded(other.tree)) | {""}
