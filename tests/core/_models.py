"""Analyses of zoo models shared by several tests (built once per session)."""

from __future__ import annotations

from functools import lru_cache

from explorer.core import registry
from explorer.core.summary import Analysis, analyze


@lru_cache(maxsize=6)
def analysis(name: str) -> Analysis:
    return analyze(registry.get(name))
