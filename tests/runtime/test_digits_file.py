"""The digits read from scikit-learn's file equal load_digits(); the first launch's path
(the small network, its bundled weights, a digit, one run) imports neither scikit-learn,
torchvision nor timm, and its activation bound is the traced graph's."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from explorer.runtime.digits_file import load_digits_arrays


def test_digits_equal_sklearn() -> None:
    from sklearn.datasets import load_digits

    images, target = load_digits_arrays()
    d = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == d.images.dtype
    assert np.array_equal(images, d.images)
    assert np.array_equal(target, d.target)


FIRST_RUN = r"""
import json, sys
from explorer.app.workflows import drive
from explorer.app.workflows.run import load_model, load_weights, run_images
from explorer.runtime.images import load_sample, sample_names
from explorer.runtime.pipeline import preprocess

done = drive
an = done(load_model("resnet56"))
info = done(load_weights(an, "auto", True))
img = load_sample(sample_names(an.spec.classes)[0])
res = done(run_images(an, [img], preprocess(an.spec, info, None, None), "cpu", "fp32",
                      info.categories))
heavy = ("sklearn", "scipy", "torchvision", "timm", "torch._dynamo")
print(json.dumps({"top": res.top[0][0].index, "loaded": [m for m in heavy if m in sys.modules]}))
"""


@pytest.mark.slow
def test_first_run_imports_no_heavy_library() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_RUN], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["loaded"] == [], out
    assert out["top"] == 0  # the bundled weights read digits-0 as a 0


@pytest.mark.parametrize("name", ["resnet56", "lenet5", "inception_small", "se_resnet20"])
def test_graph_peak_equals_meta_pass(name: str) -> None:
    from explorer.app.workflows.run import graph_peak
    from explorer.graph.analysis import analyze
    from explorer.models.registry import get
    from explorer.runtime.inference import activation_peak

    an = analyze(get(name))
    assert 4 * graph_peak(an.graph.g) == activation_peak(an.model, an.graph.input_shape)
