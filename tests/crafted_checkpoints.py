"""Checkpoint files crafted to test the bounds on what a checkpoint may make the program read.

``with_junk`` writes a PyTorch zip checkpoint holding a state_dict and, under an unused key,
a tensor of zeros of any size, without ever holding that tensor in memory: its pickle comes
from ``torch.serialization.skip_data`` and its record is streamed. Deflated, 300 MB of zeros
take about 1.4 MB on disk: a small file whose tensors would fill the memory.

Test files import it as ``import crafted_checkpoints`` (tests/ is on ``sys.path``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

_CHUNK = 1 << 20


def with_junk(
    path: Path, sd: dict[str, torch.Tensor], junk_bytes: int, *, deflate: bool = True
) -> Path:
    """Write ``{"state_dict": sd, "junk": <junk_bytes zero bytes>}`` to ``path``.

    ``deflate``: every record is compressed (torch.save itself stores them uncompressed).
    """
    import torch
    from torch.serialization import skip_data

    real, claim = io.BytesIO(), io.BytesIO()
    torch.save({"state_dict": sd, "junk": torch.zeros(1, dtype=torch.uint8)}, real)
    with skip_data():
        # the pickle of the big tensor, without its data (torch.empty is never touched)
        torch.save({"state_dict": sd, "junk": torch.empty(junk_bytes, dtype=torch.uint8)}, claim)
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with (
        zipfile.ZipFile(real) as zr,
        zipfile.ZipFile(claim) as zc,
        zipfile.ZipFile(path, "w", method, compresslevel=1 if deflate else None) as zo,
    ):
        junk = max(
            (i for i in zc.infolist() if i.filename.split("/")[-2:-1] == ["data"]),
            key=lambda i: int(i.filename.rsplit("/", 1)[-1]),
        )
        for info in zc.infolist():
            if info.filename == junk.filename:
                with zo.open(info.filename, "w", force_zip64=junk_bytes > (1 << 31)) as f:
                    left = junk_bytes
                    while left:
                        f.write(bytes(min(left, _CHUNK)))
                        left -= min(left, _CHUNK)
            elif info.filename.endswith("/data.pkl"):
                zo.writestr(info.filename, zc.read(info.filename))
            else:
                zo.writestr(info.filename, zr.read(info.filename))
    return path
