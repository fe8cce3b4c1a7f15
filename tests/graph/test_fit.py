"""Input sizes a network cannot take: found on the meta device, said in one line."""

from __future__ import annotations

import pytest
from cli_expect import assert_one_error, run

from explorer.graph.analysis import analyze
from explorer.graph.fit import InputTooSmall, runs_on_meta, smallest_side, wrong_size
from explorer.models.registry import get


def test_smallest_side_is_the_first_size_that_runs() -> None:
    model = get("inception_small").build()
    c = get("inception_small").input_size[0]
    side = smallest_side(model, (1, c, 4, 4), 64)
    assert side is not None
    assert runs_on_meta(model, (1, c, side, side)) is True
    assert runs_on_meta(model, (1, c, side - 1, side - 1)) is False


def test_wrong_size_says_too_small_or_sized_for() -> None:
    vgg = get("vgg16").build()
    err = wrong_size("vgg16", vgg, (1, 3, 16, 16), (3, 224, 224))
    assert isinstance(err, InputTooSmall) and err.smallest == 32
    assert str(err) == "vgg16 needs at least 32x32 input; got 16x16"
    lenet = get("lenet5").build()
    err = wrong_size("lenet5", lenet, (1, 1, 64, 64), (1, 32, 32))
    assert str(err).startswith("lenet5 cannot take a 64x64 input; its layers are sized for 32x32")
    assert wrong_size("lenet5", lenet, (1, 1, 32, 32), (1, 32, 32)) is None  # it runs


def test_analyze_raises_the_size_error() -> None:
    with pytest.raises(InputTooSmall, match="needs at least 75x75 input; got 8x8"):
        analyze(get("inception_v3"), input_size=8)


@pytest.mark.parametrize("command", ["summary", "render"])
@pytest.mark.parametrize("size", [1, 2, 4, 8])
def test_cli_one_line_for_a_size_too_small(command: str, size: int, capfd, tmp_path) -> None:
    extra = ["-o", str(tmp_path / "x.svg")] if command == "render" else []
    result = run(capfd, command, "vgg16", "--input-size", str(size), *extra)
    assert_one_error(result, f"vgg16 needs at least 32x32 input; got {size}x{size}", command)
    assert not (tmp_path / "x.svg").exists()


def test_cli_predict_too_small(capfd) -> None:
    result = run(
        capfd,
        "predict",
        "inception_small",
        "sample:coffee",
        "--input-size",
        "2",
        "--weights",
        "random",
    )
    line = result[2].strip().splitlines()[-1]
    assert result[0] == 2 and "Traceback" not in result[2]
    assert "needs at least" in line and "got 2x2" in line
