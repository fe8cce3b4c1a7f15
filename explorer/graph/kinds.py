"""The block kinds with their meaning and colour (shipped as explorer/resources/kinds.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def kind_table() -> dict[str, dict[str, str]]:
    """kind -> {"colour": "#rrggbb", "meaning": str}."""
    text = files("explorer.resources").joinpath("kinds.json").read_text(encoding="utf-8")
    return json.loads(text)


def colour(kind: str) -> str:
    return kind_table().get(kind, kind_table()["other"])["colour"]
