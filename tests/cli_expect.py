"""Expected answers computed directly (torch and the preprocessing functions, no front end).

The command line's tests and the window's tests compare what they show with these, so that
``predict`` is seen to give the same top-5 in both.
"""

from __future__ import annotations

from pathlib import Path

from bad_inputs import build_seeded


def save_resnet18_weights(path: Path, seed: int = 0) -> Path:
    """Save the state_dict of resnet18 built after ``torch.manual_seed(seed)`` to ``path``."""
    import torch

    torch.save(build_seeded("resnet18", seed).state_dict(), path)
    return path


def coffee_top5_direct(weights_file: Path) -> list[int]:
    """The top-5 ImageNet class indices of ``sample:coffee`` through torchvision's resnet18.

    The weights are read from ``weights_file`` (see :func:`save_resnet18_weights`), the
    preprocessing is that of the library weights (resize 256, centre-crop 224, ImageNet
    mean/std), and the forward pass runs on the CPU in fp32.
    """
    import torch
    import torchvision

    from explorer.models import registry
    from explorer.models.weights import library_transforms
    from explorer.runtime.images import load_sample
    from explorer.runtime.preprocess import preprocess_for, to_batch

    spec = registry.get("resnet18")
    prep = preprocess_for(spec, transforms=library_transforms(spec))
    model = torchvision.models.resnet18(weights=None)
    model.load_state_dict(torch.load(weights_file, map_location="cpu", weights_only=True))
    model.eval()
    with torch.inference_mode():
        probs = torch.softmax(model(to_batch([load_sample("coffee")], prep)), dim=1)[0]
    return [int(i) for i in torch.topk(probs, 5).indices]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``cnn-explorer ARGV...`` in this process: (exit code, stdout, stderr)."""
    from explorer.__main__ import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error(
    result: tuple[int, str, str], expect: str, command: str = "predict", code: int = 2
) -> str:
    """Exit ``code``, nothing on stdout, stderr one line naming the command and ``expect``."""
    got, out, err = result
    assert "Traceback" not in err
    assert got == code, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"cnn-explorer {command}: error: "), lines[0]
    assert expect in lines[0]
    return lines[0]
