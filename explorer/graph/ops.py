"""Names shared by the graph, the blocks and the views (imports nothing heavy)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

INPUT_ID = "@input"
OUTPUT_ID = "@output"

#: Operations that merge two or more tensors (the places where blocks branch and join).
MERGE_OPS = {
    "add": "add",
    "iadd": "add",
    "add_": "add",
    "sub": "sub",
    "rsub": "sub",
    "cat": "cat",
    "concat": "cat",
    "concatenate": "cat",
    "stack": "cat",
    "mul": "mul",
    "imul": "mul",
    "mul_": "mul",
}


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small objects are made.

    A model holds a large object graph; a full collection triggered half-way through
    building a graph costs ~0.2 s, several times the build itself.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
