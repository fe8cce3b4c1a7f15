"""Published ImageNet figures of the zoo's networks: the data of the Compare chart.

A network's point on the chart (top-1 against operations, ball area = parameters, as in
Canziani et al. 2017 and Bianco et al. 2018) comes only from a published source, never from
a guess:

* torchvision's weights metadata (``acc@1``, ``acc@5``, ``num_params``, ``_ops``) of the
  weights that ``--weights auto`` loads (the enum's ``DEFAULT``); torchvision's "GFLOPS" are
  GMACs (one multiply-accumulate each), see the README's counting conventions;
* timm's published validation table for the timm weights the zoo loads (:data:`TIMM_RESULTS`);
  timm's pretrained configs carry no accuracy, so its table is the source.

Every other zoo entry is listed with the reason it has no point.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from explorer.models.registry import ModelSpec, get, list_models


@dataclass(frozen=True)
class Figures:
    """One network's published ImageNet figures and where they come from."""

    name: str
    family: str
    year: int
    top1: float
    top5: float | None
    params: int
    gmacs: float
    resolution: int
    source: str
    url: str = ""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Missing:
    """A zoo entry without published ImageNet figures, and why."""

    name: str
    family: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TimmRow:
    """A row of timm's ``results-imagenet.csv`` (and its GMACs from timm's benchmark table)."""

    tag: str
    top1: float
    top5: float
    img_size: int
    gmacs: float | None


#: Where the timm rows come from: timm publishes them in its repository, not in the package.
#: Accuracy: ``results/results-imagenet.csv`` at commit 0173a139a2c6; GMACs (``infer_gmacs``,
#: at the same image size): ``results/benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv`` at
#: commit 5c33776aa59f. timm counts the RepVGG models unfused (all three branches).
TIMM_SOURCE = "timm results-imagenet.csv"
TIMM_URL = "https://github.com/huggingface/pytorch-image-models/tree/main/results"

#: timm model name -> its published row (see :data:`TIMM_SOURCE`). repvgg_a0 and repvgg_a1
#: have no row in timm's table, so they have no point on the chart.
TIMM_RESULTS: dict[str, TimmRow] = {
    r.tag.split(".")[0]: r
    for r in (
        TimmRow("inception_v4.tf_in1k", 80.156, 94.968, 299, 12.28),
        TimmRow("inception_resnet_v2.tf_in1k", 80.462, 95.308, 299, 13.18),
        TimmRow("legacy_xception.tf_in1k", 79.040, 94.382, 299, 8.4),
        TimmRow("legacy_senet154.in1k", 81.308, 95.492, 224, 20.77),
        TimmRow("seresnet50.a1_in1k", 81.102, 95.120, 288, 6.8),
        TimmRow("repvgg_a2.rvgg_in1k", 76.458, 93.002, 224, 5.7),
        TimmRow("repvgg_b0.rvgg_in1k", 75.142, 92.416, 224, 3.41),
        TimmRow("repvgg_b1.rvgg_in1k", 78.368, 94.096, 224, 13.16),
        TimmRow("repvgg_b1g4.rvgg_in1k", 77.582, 93.836, 224, 8.15),
        TimmRow("repvgg_b2.rvgg_in1k", 78.792, 94.420, 224, 20.45),
        TimmRow("repvgg_b2g4.rvgg_in1k", 79.382, 94.676, 224, 12.63),
        TimmRow("repvgg_b3.rvgg_in1k", 80.506, 95.254, 224, 29.16),
        TimmRow("repvgg_b3g4.rvgg_in1k", 80.216, 95.092, 224, 17.89),
        TimmRow("dm_nfnet_f0.dm_in1k", 83.486, 96.568, 256, 12.62),
    )
}


def torchvision_figures(spec: ModelSpec) -> Figures | None:
    """The figures of torchvision's default weights for ``spec`` (None when it has none)."""
    if spec.tv_name is None:
        return None
    from torchvision.models import get_model_weights

    try:
        weights = get_model_weights(spec.tv_name).DEFAULT
    except (ValueError, KeyError):
        return None
    meta = weights.meta
    metrics = meta.get("_metrics", {}).get("ImageNet-1K")
    if not metrics or "_ops" not in meta:
        return None
    crop = weights.transforms().crop_size
    note = ""
    if spec.tv_name == "inception_v3":
        note = "parameters include the auxiliary head (23,834,568 without it)"
    return Figures(
        name=spec.name,
        family=spec.family,
        year=spec.year,
        top1=float(metrics["acc@1"]),
        top5=float(metrics["acc@5"]) if "acc@5" in metrics else None,
        params=int(meta["num_params"]),
        gmacs=float(meta["_ops"]),
        resolution=int(crop[0]),
        source=f"torchvision {type(weights).__name__}.{weights.name} (weights metadata)",
        url=str(meta.get("recipe", "")),
        note=note,
    )


def timm_figures(spec: ModelSpec) -> Figures | None:
    """The figures of timm's published table for ``spec``'s timm weights, if it has a row."""
    if spec.timm_name is None or spec.timm_name not in TIMM_RESULTS:
        return None
    row = TIMM_RESULTS[spec.timm_name]
    if row.gmacs is None:
        return None
    params = spec.reference_params()
    if params is None:  # timm:NAME: the zoo entry of the same timm model has the exact count
        zoo = [s for s in list_models() if s.timm_name == spec.timm_name]
        params = zoo[0].reference_params() if zoo else None
    if params is None:
        return None
    return Figures(
        name=spec.name,
        family=spec.family,
        year=spec.year,
        top1=row.top1,
        top5=row.top5,
        params=params,
        gmacs=row.gmacs,
        resolution=row.img_size,
        source=f"{TIMM_SOURCE}, {row.tag}",
        url=TIMM_URL,
        note=(
            f"evaluated at {row.img_size} px, its test size (trained at {spec.input_size[1]})"
            if row.img_size != spec.input_size[1]
            else ""
        ),
    )


def figures_for(spec: ModelSpec) -> Figures | Missing:
    """The published figures of one model, or why it has none."""
    fig = torchvision_figures(spec) or timm_figures(spec)
    if fig is not None:
        return fig
    if spec.classes != "imagenet":
        why = f"trained on {spec.classes or 'its own data'}, not ImageNet"
    elif spec.tv_name is None and spec.timm_name is None:
        why = "no published ImageNet weights in torchvision or timm"
    elif spec.timm_name is not None:
        why = f"timm's published table has no row for its weights ({spec.timm_name})"
    else:
        why = "torchvision publishes no ImageNet accuracy for these weights"
    return Missing(name=spec.name, family=spec.family, reason=why)


def chart_data(names: list[str] | None = None) -> tuple[list[Figures], list[Missing]]:
    """Figures of the named models (default: the whole zoo), and the ones without any.

    Raises the registry's ``UnknownModelError`` for a name it does not know.
    """
    specs = list_models() if names is None else [get(n) for n in names]
    found: list[Figures] = []
    missing: list[Missing] = []
    for spec in specs:
        fig = figures_for(spec)
        (found if isinstance(fig, Figures) else missing).append(fig)  # type: ignore[arg-type]
    return found, missing
