"""The analysis cache: a zoo network's traced graph and blocks kept on disk between starts.

Tracing needs torch, torchvision and timm (3.5-3.8 s to import here), but the graph of a zoo
network is the same on every start for the same library versions. The window draws the stored
graph at once and loads torch in the background for everything that runs tensors.

- **Where**: ``$CNN_EXPLORER_GRAPH_CACHE`` when set (``off`` or ``0``: no cache), else the
  ``graphs`` folder of the program's cache folder (:func:`explorer.errors.log_dir`:
  ``$CNN_EXPLORER_CACHE``, else ``$XDG_CACHE_HOME/cnn-explorer`` or ``~/.cache/cnn-explorer``).
  Deleting the folder clears it.
- **What**: one JSON file per network and input size (:mod:`explorer.graph.stored`), holding
  its key: the network, the input shape, the versions of torch, torchvision and timm (read
  with :mod:`importlib.metadata`, so without importing them), the program's version and a
  digest of the sources that shape an analysis (``explorer/graph``, ``explorer/models``), so
  that an edited definition is traced again.
- **Which networks**: the zoo's registered names only. ``tv:``/``timm:`` names are looked up
  in the libraries themselves, and a user's ``FILE.py:factory`` can change between starts
  (its file and whatever it imports), so neither is stored. Weights never change a graph:
  the key holds none.
- **Trust**: a file is untrusted input. One larger than :data:`MAX_BYTES`, not JSON, of
  another schema or key, or inconsistent is ignored (the analysis is traced as without a
  cache, and the file replaced); reading never raises. Files are written to a temporary name
  and renamed, so two windows never leave a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.errors import LOG, log_dir

if TYPE_CHECKING:
    from explorer.graph.analysis import Analysis
    from explorer.models.registry import ModelSpec

CACHE_ENV = "CNN_EXPLORER_GRAPH_CACHE"
OFF = ("off", "0", "no", "false")
#: a stored analysis larger than this is not read (resnet152's is about 0.5 MB)
MAX_BYTES = 64 * 1024 * 1024
LIBRARIES = ("torch", "torchvision", "timm")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def cache_folder() -> Path | None:
    """The folder of stored analyses, or None when ``$CNN_EXPLORER_GRAPH_CACHE`` is off."""
    env = os.environ.get(CACHE_ENV)
    if env is not None and env.strip().lower() in OFF:
        return None
    if env:
        return Path(env).expanduser()
    return log_dir() / "graphs"


def cacheable(name: str) -> bool:
    """Whether ``name``'s analysis may be stored: a network of the zoo (fixed definition)."""
    from explorer.models.registry import model_names

    return bool(_NAME.fullmatch(name)) and name in model_names()


@lru_cache(maxsize=1)
def versions() -> dict[str, str | None]:
    """The versions an analysis depends on, read without importing the libraries."""
    out: dict[str, str | None] = {}
    for lib in (*LIBRARIES, "cnn-explorer"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    out["sources"] = _source_digest()
    return out


def _source_digest() -> str:
    """sha256 of the program's files that decide what an analysis holds."""
    root = Path(__file__).resolve().parents[1]
    files = sorted([*root.glob("graph/*.py"), *root.glob("models/**/*.py")])
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode())
        h.update(b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()[:16]


def key_for(name: str, input_shape: tuple[int, ...] | list[int]) -> dict[str, Any]:
    return {"model": name, "input_shape": [int(d) for d in input_shape], **versions()}


def entry_path(folder: Path, name: str, input_shape: tuple[int, ...] | list[int]) -> Path:
    """One file per network and input size (a stale one is replaced, not kept beside)."""
    return folder / f"{name}-{'x'.join(str(int(d)) for d in input_shape[1:])}.json"


def load(spec: ModelSpec, input_shape: tuple[int, ...]) -> Analysis | None:
    """The stored analysis of ``spec`` for ``input_shape``, or None (no cache, not stored,
    stale or unreadable: the caller traces it). Never raises."""
    try:
        folder = cache_folder()
        if folder is None or not cacheable(spec.name):
            return None
        path = entry_path(folder, spec.name, input_shape)
        data = _read_bounded(path)
        if data is None:
            return None
        from explorer.graph.ops import paused_gc
        from explorer.graph.stored import from_document

        with paused_gc():  # ~10^5 small objects: a collection half-way costs ~0.2 s
            return from_document(json.loads(data), spec, key_for(spec.name, input_shape))
    except Exception as exc:  # noqa: BLE001 - a bad cache file is traced again, never fatal
        LOG.info("analysis cache: %s not used: %s", spec.name, exc)
        return None


def _read_bounded(path: Path) -> bytes | None:
    """The file's bytes, or None when it is missing, not a regular file or too large."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        data = f.read(MAX_BYTES + 1)
    return data if len(data) <= MAX_BYTES else None


def store(an: Analysis) -> bool:
    """Keep ``an`` (a freshly traced zoo network) for the next start, unless the same is
    stored already; True if a file was written. Never raises (a read-only home: no cache)."""
    try:
        folder = cache_folder()
        if folder is None or not an.built or an.variant is not None:
            return False
        name, shape = an.spec.name, tuple(an.input_shape)
        if not cacheable(name):
            return False
        from explorer.graph.stored import to_document

        doc = to_document(an, key_for(name, shape))
        if doc is None:
            return False
        text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
        path = entry_path(folder, name, shape)
        if _read_bounded(path) == text.encode():
            return False
        folder.mkdir(parents=True, exist_ok=True)
        from explorer.files import write_text

        write_text(path, text)
        return True
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: never fatal
        LOG.info("analysis cache: %s not stored: %s", an.spec.name, exc)
        return False
