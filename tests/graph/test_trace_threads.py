"""A forward pass on another thread while a network is traced is not traced into it (torch.fx
patches nn.Module for the whole process while it traces)."""

from __future__ import annotations

import threading

import torch


def test_a_forward_pass_on_another_thread_during_a_trace_runs_as_it_is() -> None:
    import torchvision

    from explorer.graph.trace import QualnameTracer

    other = torchvision.models.resnet18(weights=None).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        want = other(x)
    errors: list[BaseException] = []
    stop = threading.Event()

    def forwards() -> None:
        try:
            with torch.no_grad():
                while not stop.is_set():
                    torch.testing.assert_close(other(x), want)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    alone = [str(n) for n in QualnameTracer().trace(other).nodes]
    t = threading.Thread(target=forwards)
    t.start()
    try:
        for _ in range(5):
            big = QualnameTracer().trace(torchvision.models.resnet50(weights=None))
            assert any(n.op == "call_module" for n in big.nodes)
            # the model the other thread runs, traced meanwhile: the graph made alone
            assert [str(n) for n in QualnameTracer().trace(other).nodes] == alone
    finally:
        stop.set()
        t.join()
    assert not errors, errors[0]
