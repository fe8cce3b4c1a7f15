"""scikit-learn's 8x8 digits, read from the file scikit-learn ships, without importing it.

``sklearn.datasets.load_digits`` imports scikit-learn and SciPy's statistics first (about a
second here), while the data is one small compressed CSV file beside them. The window's first
launch shows a digit; it reads the file directly, and the arrays are equal to
``load_digits()``'s (checked by a test).
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import os

import numpy as np


def _csv_path() -> str | None:
    spec = importlib.util.find_spec("sklearn")  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "datasets", "data", "digits.csv.gz")
        if os.path.isfile(path):
            return path
    return None


@functools.cache
def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """(images, target): the 1,797 digits as float64 arrays of 8x8 values 0..16, and their
    classes, as ``sklearn.datasets.load_digits()`` gives them."""
    path = _csv_path()
    if path is None:  # laid out otherwise: scikit-learn's own loader
        from sklearn.datasets import load_digits

        d = load_digits()
        return d.images, d.target
    with gzip.open(path, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(int)
