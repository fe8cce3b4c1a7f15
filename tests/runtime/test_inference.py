"""Device choice, top-5 and the out-of-memory fallback (no GPU needed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from explorer.runtime import inference
from explorer.runtime.inference import DeviceError, resolve_device, run, topk


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x.flatten(1))


class _OomAbove(_Tiny):
    """Runs out of (pretend GPU) memory for a batch larger than ``limit``."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.seen: list[int] = []

    def forward(self, x):
        self.seen.append(x.shape[0])
        if x.shape[0] > self.limit:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return super().forward(x)


def test_topk_names_and_order():
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    top = topk(probs, ["a", "b", "c"], k=2)
    assert [(t.index, t.label) for t in top[0]] == [(1, "b"), (2, "c")]
    assert top[1][0].as_dict() == {"index": 0, "label": "a", "prob": 0.5}
    assert topk(probs, None, k=1)[0][0].label == "class 1"


def test_run_matches_a_plain_forward():
    torch.manual_seed(0)
    m = _Tiny().eval()
    x = torch.randn(5, 1, 2, 2)
    r = run(m, x, "cpu", categories=["x", "y", "z"])
    with torch.no_grad():
        ref = torch.softmax(m(x), 1).numpy()
    np.testing.assert_allclose(r.probs, ref, rtol=1e-6)
    assert r.device == "cpu" and r.precision == "fp32" and r.latency_ms > 0 and not r.notes
    assert [t.index for t in r.top[2]] == list(np.argsort(-ref[2]))


def test_out_of_memory_retries_in_smaller_chunks():
    torch.manual_seed(0)
    m = _OomAbove(limit=2).eval()
    x = torch.randn(7, 4)
    r = run(m, x, "cpu")
    assert r.probs.shape == (7, 3)
    assert m.seen[0] == 7 and max(m.seen[-4:]) <= 2
    assert any("chunks of 2" in n for n in r.notes)
    ref = torch.softmax(_Tiny.forward(m, x), 1).detach().numpy()
    np.testing.assert_allclose(r.probs, ref, rtol=1e-6)


def test_out_of_memory_for_one_image_on_the_cpu_is_reported():
    m = _OomAbove(limit=0).eval()
    with pytest.raises(torch.cuda.OutOfMemoryError):
        run(m, torch.randn(2, 4), "cpu")


@pytest.mark.filterwarnings("ignore:CUDA is not available")
def test_out_of_memory_on_a_gpu_falls_back_to_the_cpu(monkeypatch):
    """The GPU path, with the device faked: the model fails until it is moved to the CPU."""

    class _GpuOom(_Tiny):
        on_gpu = True

        def forward(self, x):
            if self.on_gpu:
                raise torch.cuda.OutOfMemoryError("CUDA out of memory")
            return super().forward(x)

        def to(self, *args, **kwargs):
            dev = torch.device(args[0]) if args else None
            self.on_gpu = dev is not None and dev.type != "cpu"
            return self if self.on_gpu else super().to(*args, **kwargs)

    fake = torch.device("cuda:0")
    monkeypatch.setattr(inference, "_free", lambda dev: None)
    monkeypatch.setattr(inference, "synchronize", lambda dev: None)
    monkeypatch.setattr(inference, "check_precision", lambda p, d: p)
    monkeypatch.setattr(torch.Tensor, "to", lambda self, *a, **k: self)
    m = _GpuOom().eval()
    notes: list[str] = []
    r = run(m, torch.randn(3, 4), fake, precision="bf16", on_note=notes.append)
    assert r.device == "cpu" and r.precision == "fp32"
    assert notes[-1].endswith("running on the CPU instead") and len(notes) == 3
    assert r.probs.shape == (3, 3)


def test_devices_and_precisions():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    assert inference.available_devices()[:2] == ["auto", "cpu"]
    with pytest.raises(DeviceError, match="unknown device"):
        resolve_device("tpu9")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="no CUDA GPU"):
            resolve_device("cuda")
    with pytest.raises(DeviceError, match="GPU only"):
        inference.check_precision("bf16", torch.device("cpu"))
    with pytest.raises(DeviceError, match="unknown precision"):
        inference.check_precision("fp8", torch.device("cpu"))
