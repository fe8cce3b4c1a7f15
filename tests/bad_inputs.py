"""The one table of bad inputs: awkward image files and checkpoint files that must be refused.

Shared by the loader tests (tests/runtime/test_data.py, tests/models/test_weights.py), the
command-line tests (tests/test_cli_run.py) and the window's tests: each front end must refuse
the same files with the same one-line message, and accept the awkward-but-usable images with
the same notes. Test files import it as ``import bad_inputs`` (tests/ is on ``sys.path``).

An entry's ``write(folder)`` creates its file in ``folder`` (a test's ``tmp_path``) and returns
the path to hand to the program. ``expect`` is a substring of the one-line message (the
:class:`~explorer.runtime.images.ImageError` or :class:`~explorer.models.checkpoint.WeightsError`),
or, for an image whose ``outcome`` is ``"note"``, of one of ``LoadedImage.notes``.

torch is imported only by the checkpoint writers.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pytest
from PIL import Image

if TYPE_CHECKING:
    from torch import nn

    from explorer.runtime.images import LoadedImage

Writer = Callable[[Path], Path]

# ---------------------------------------------------------------------------------------------
# image files


@dataclass(frozen=True)
class BadInput:
    """An image file that must be refused (``"error"``) or loaded with a note (``"note"``).

    ``mode`` and ``check`` say what the loader gives for a ``"note"`` entry (the image's PIL
    mode, and further assertions on the :class:`LoadedImage`); front ends may ignore them.
    """

    id: str
    write: Writer
    expect: str
    outcome: Literal["error", "note"]
    mode: str | None = None
    check: Callable[[LoadedImage], None] | None = None


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    """``im`` saved in format ``fmt`` (Pillow's name: "PNG", "JPEG" ...), as bytes."""
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def noise(w: int = 64, h: int = 64) -> Image.Image:
    """A seeded RGB noise image."""
    # noise compresses badly, so half of the file really is half of the pixel data
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def half(im: Image.Image, fmt: str) -> Callable[[], bytes]:
    """The first half of ``im`` encoded as ``fmt``: a truncated file."""
    return lambda: (b := encode(im, fmt))[: len(b) // 2]


def png_claiming(w: int, h: int) -> bytes:
    """A tiny PNG whose header claims w x h (Pillow checks the size when opening)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4))
        + chunk(b"IEND", b"")
    )


def exif_jpeg() -> bytes:
    """40 wide, 20 high, red top-left corner, Orientation = 6 (display rotated 90 deg cw)."""
    a = np.full((20, 40, 3), 40, np.uint8)
    a[:6, :6] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(Image.fromarray(a), "JPEG", exif=exif.tobytes(), quality=95)


def palette_png(transparent: bool) -> bytes:
    """A 4x4 palette PNG: red, one blue pixel; with ``transparent`` the red is transparent."""
    p = Image.new("P", (4, 4), 0)
    p.putpalette([255, 0, 0, 0, 0, 255])
    p.putpixel((3, 3), 1)
    return encode(p, "PNG", transparency=0) if transparent else encode(p, "PNG")


def file_with(content: bytes | Callable[[], bytes], suffix: str = ".png") -> Writer:
    """A writer of ``file<suffix>`` holding ``content`` (or what ``content()`` gives)."""

    def writer(folder: Path) -> Path:
        p = folder / f"file{suffix}"
        p.write_bytes(content() if callable(content) else content)
        return p

    return writer


def _missing(folder: Path) -> Path:
    return folder / "nothere.png"


def _folder(folder: Path) -> Path:
    (folder / "pics.png").mkdir()
    return folder / "pics.png"


def _unreadable(folder: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their permissions")
    p = file_with(lambda: encode(Image.new("RGB", (4, 4)), "PNG"))(folder)
    p.chmod(0)
    return p


def _check_exif(li: LoadedImage) -> None:
    assert li.image.size == (20, 40)  # width and height swapped
    r, g, b = li.image.getpixel((17, 2))  # stored top-left is now top-right
    assert r > 200 and g < 60 and b < 60
    assert li.image.getpixel((2, 2))[0] < 100


def _check_16bit(li: LoadedImage) -> None:
    assert li.image.mode == "L"
    assert li.image.getextrema() == (0, 255)  # scaled by range, not clipped (all 255)
    assert li.image.getpixel((1, 0)) == 17  # 1000 + 100 of 1000..2500 -> 255 / 15


def _px(xy: tuple[int, int], value: object) -> Callable[[LoadedImage], None]:
    def check(li: LoadedImage) -> None:
        assert li.image.getpixel(xy) == value

    return check


def _close_to(
    xy: tuple[int, int], value: tuple[int, ...], atol: int
) -> Callable[[LoadedImage], None]:
    def check(li: LoadedImage) -> None:
        np.testing.assert_allclose(li.image.getpixel(xy), value, atol=atol)

    return check


_ARR16 = (np.arange(16, dtype=np.uint16) * 100 + 1000).reshape(4, 4)
_FLOAT = np.linspace(-1, 3, 16, dtype=np.float32).reshape(4, 4)
_GIF2 = (Image.new("RGB", (4, 4), "red"), Image.new("RGB", (4, 4), "blue"))

BAD_IMAGES: list[BadInput] = [
    BadInput("missing", _missing, "nothere.png: no such file", "error"),
    BadInput("folder", _folder, "pics.png: is a folder (open it as a folder)", "error"),
    BadInput("empty", file_with(b""), "file.png: empty file", "error"),
    BadInput("text-as-png", file_with(b"hello, world\n" * 20), "file.png: not an image (", "error"),
    BadInput("random-bytes", file_with(bytes(range(256)) * 8, ".jpg"), "file.jpg: not an image (", "error"),
    BadInput("truncated-png", file_with(half(noise(), "PNG")), "truncated or damaged image (", "error"),
    BadInput("truncated-jpeg", file_with(half(noise(), "JPEG"), ".jpg"), "truncated or damaged image (", "error"),
    # 40000 x 40000 is over twice Pillow's limit: Pillow itself raises
    BadInput("bomb-error", file_with(lambda: png_claiming(40000, 40000)),
             "image too large (40000 x 40000 pixels, over Pillow's limit of", "error"),
    # 10000 x 10000 is between 1x and 2x the limit, where Pillow only warns
    BadInput("bomb-warning", file_with(lambda: png_claiming(10000, 10000)),
             "image too large (10000 x 10000 pixels, over Pillow's limit of 89478485)", "error"),
    BadInput("unreadable", _unreadable, "file.png: cannot read (permission denied)", "error"),
    BadInput("cmyk-jpeg", file_with(lambda: encode(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"), ".jpg"),
             "CMYK converted to RGB", "note", "RGB", _close_to((4, 4), (255, 0, 0), atol=8)),
    BadInput("16-bit-png", file_with(lambda: encode(Image.fromarray(_ARR16), "PNG")),
             "16-bit scaled to 8-bit", "note", "L", _check_16bit),
    BadInput("32-bit-tiff", file_with(lambda: encode(Image.new("I", (4, 4), 70000), "TIFF"), ".tif"),
             "32-bit integer scaled to 8-bit", "note", "L"),
    BadInput("float-tiff", file_with(lambda: encode(Image.fromarray(_FLOAT), "TIFF"), ".tif"),
             "float scaled to 8-bit (values -1..3", "note", "L", _px((3, 3), 255)),
    BadInput("palette", file_with(lambda: palette_png(False)),
             "palette converted to RGB", "note", "RGB", _px((0, 0), (255, 0, 0))),
    BadInput("palette-transparent", file_with(lambda: palette_png(True)),
             "alpha composited on white", "note", "RGB", _px((0, 0), (255, 255, 255))),
    BadInput("la", file_with(lambda: encode(Image.new("LA", (4, 4), (0, 0)), "PNG")),
             "alpha composited on white", "note", "L", _px((1, 1), 255)),
    BadInput("rgba", file_with(lambda: encode(Image.new("RGBA", (4, 4), (0, 0, 255, 128)), "PNG")),
             "alpha composited on white", "note", "RGB", _close_to((0, 0), (127, 127, 255), atol=1)),
    BadInput("bilevel", file_with(lambda: encode(Image.new("1", (4, 4), 1), "PNG")),
             "bilevel (1-bit) converted to grayscale", "note", "L", _px((0, 0), 255)),
    BadInput("exif-rotated", file_with(exif_jpeg, ".jpg"),
             "rotated per EXIF orientation (6)", "note", "RGB", _check_exif),
    BadInput("one-pixel", file_with(lambda: encode(Image.new("RGB", (1, 1), (9, 8, 7)), "PNG")),
             "1x1 px: upscaling gives a flat image", "note", "RGB", _px((0, 0), (9, 8, 7))),
    BadInput("animated-gif", file_with(lambda: encode(_GIF2[0], "GIF", save_all=True, append_images=[_GIF2[1]]), ".gif"),
             "first of 2 frames used", "note", "RGB"),
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# checkpoint files

#: the file a code-carrying pickle would create beside the checkpoint if it were ever unpickled
MARKER = "MARKER"


@dataclass(frozen=True)
class BadCheckpoint:
    """A checkpoint file that must be refused when loaded into ``model`` (a registry name)."""

    id: str
    write: Writer
    expect: str
    model: str = "lenet5"


def marker_for(checkpoint: Path) -> Path:
    """Where the code in a malicious checkpoint would leave its mark: it must never exist."""
    return checkpoint.parent / MARKER


class _Evil:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def build_seeded(name: str, seed: int = 0) -> nn.Module:
    """``registry.get(name).build()`` after ``torch.manual_seed(seed)``: reproducible weights."""
    import torch

    from explorer.models import registry

    torch.manual_seed(seed)
    return registry.get(name).build()


def _save(obj: object, path: Path, **kw: object) -> Path:
    import torch

    torch.save(obj, path, **kw)
    return path


def _cut(path: Path, to: Path) -> Path:
    data = path.read_bytes()
    to.write_bytes(data[: len(data) // 2])
    return to


def _ck_missing(d: Path) -> Path:
    return d / "nothing.pt"


def _ck_empty(d: Path) -> Path:
    (d / "empty.pt").write_bytes(b"")
    return d / "empty.pt"


def _ck_truncated(d: Path) -> Path:
    return _cut(_save(build_seeded("lenet5", 1).state_dict(), d / "full.pt"), d / "half.pt")


def _ck_truncated_legacy(d: Path) -> Path:
    sd = build_seeded("lenet5", 1).state_dict()
    full = _save(sd, d / "full.th", _use_new_zipfile_serialization=False)
    return _cut(full, d / "half.th")


def _ck_text(d: Path) -> Path:
    (d / "notes.pt").write_text("these are my notes, not weights\n")
    return d / "notes.pt"


def _ck_code_torch(d: Path) -> Path:
    return _save({"state_dict": {"c1.weight": _Evil(d / MARKER)}}, d / "evil.pt")


def _ck_code_pickle(d: Path) -> Path:
    with (d / "evil.pkl").open("wb") as f:
        pickle.dump({"c1.weight": _Evil(d / MARKER)}, f)
    return d / "evil.pkl"


def _ck_whole_module(d: Path) -> Path:
    # a pickled nn.Module: classes, not only tensors
    return _save(build_seeded("lenet5", 1), d / "module.pt")


def _ck_not_a_dict(d: Path) -> Path:
    import torch

    return _save([torch.zeros(3)], d / "list.pt")


def _ck_no_tensors(d: Path) -> Path:
    return _save({"epoch": 3, "best_prec1": 91.7}, d / "meta.pt")


def _ck_other_arch(d: Path) -> Path:
    return _save(build_seeded("resnet18", 0).state_dict(), d / "resnet18.pth")


def _ck_partial(d: Path) -> Path:
    sd = build_seeded("lenet5", 1).state_dict()
    return _save({k: v for k, v in sd.items() if k.startswith("c1.")}, d / "part.pt")


def _ck_truncated_safetensors(d: Path) -> Path:
    from safetensors.torch import save_file

    save_file(build_seeded("lenet5", 1).state_dict(), str(d / "full.safetensors"))
    return _cut(d / "full.safetensors", d / "half.safetensors")


BAD_CHECKPOINTS: list[BadCheckpoint] = [
    BadCheckpoint("missing", _ck_missing, "nothing.pt: no such file"),
    BadCheckpoint("empty", _ck_empty, "empty.pt: empty file"),
    BadCheckpoint("truncated", _ck_truncated, "half.pt: damaged or truncated checkpoint"),
    BadCheckpoint("truncated-legacy", _ck_truncated_legacy, "half.th: damaged or truncated checkpoint"),
    BadCheckpoint("text", _ck_text, "notes.pt: not a checkpoint"),
    BadCheckpoint("code-torch", _ck_code_torch, "evil.pt: refused: the file holds Python code/objects"),
    BadCheckpoint("code-pickle", _ck_code_pickle, "evil.pkl: refused: the file holds Python code/objects"),
    BadCheckpoint("whole-module", _ck_whole_module, "module.pt: refused"),
    BadCheckpoint("not-a-dict", _ck_not_a_dict, "list.pt: holds a list, not a state_dict"),
    BadCheckpoint("no-tensors", _ck_no_tensors, "meta.pt: holds no tensors"),
    BadCheckpoint("other-arch", _ck_other_arch, "resnet18.pth: matches nothing of this model (0 of 10 tensors"),
    BadCheckpoint("partial", _ck_partial, "part.pt: matches only 2 of 10 tensors"),
    BadCheckpoint("truncated-safetensors", _ck_truncated_safetensors, "half.safetensors: damaged or truncated checkpoint"),
]  # fmt: skip
