"""Argument types shared by the command line and the window's options."""

from __future__ import annotations

import argparse
from typing import NoReturn


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def non_negative_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got '{text}'") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {v}")
    return v


def at_most(limit: int):  # noqa: ANN201
    """A positive integer no larger than ``limit`` (a count of trials or timed rounds: a
    larger one would run for days, so it is refused at once)."""

    def parse(text: str) -> int:
        v = positive_int(text)
        if v > limit:
            raise argparse.ArgumentTypeError(f"at most {limit:,}, got {v:,}")
        return v

    parse.__name__ = f"at_most_{limit}"
    return parse


#: the largest side of a window or figure (Qt cannot paint larger: QPainter fails per item)
SIDE_MAX = 8192
#: a figure's smallest size: room for a title, a legend and a graph
FIGURE_MIN = (160, 90)


def wxh(text: str) -> tuple[int, int]:
    """``"WxH"`` as (W, H); ValueError when it is not two integers joined by an x."""
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def figure_fits(w: int, h: int) -> bool:
    """Whether a figure of W x H pixels is within :data:`FIGURE_MIN` and :data:`SIDE_MAX`."""
    return FIGURE_MIN[0] <= w <= SIDE_MAX and FIGURE_MIN[1] <= h <= SIDE_MAX


class OneLineParser(argparse.ArgumentParser):
    """argparse, whose usage mistakes are one line (no usage block): exit 2."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {text} ({self.prog} --help lists the options)\n")
