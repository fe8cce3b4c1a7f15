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


class OneLineParser(argparse.ArgumentParser):
    """argparse, whose usage mistakes are one line (no usage block): exit 2."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {text} ({self.prog} --help lists the options)\n")
