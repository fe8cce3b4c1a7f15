"""Analyses of zoo models shared by several tests (built once per session)."""

from __future__ import annotations

from functools import lru_cache

from explorer.graph.analysis import Analysis, analyze
from explorer.models import registry


@lru_cache(maxsize=6)
def analysis(name: str) -> Analysis:
    return analyze(registry.get(name))
