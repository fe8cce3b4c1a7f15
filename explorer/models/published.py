"""Published ImageNet figures of the zoo's networks: the data of the Compare chart.

A network's point on the chart (top-1 against operations, ball area = parameters, as in
Canziani et al. 2017 and Bianco et al. 2018) comes only from a published source, never from
a guess:

* torchvision's weights metadata (``acc@1``, ``acc@5``, ``num_params``, ``_ops``);
  torchvision's "GFLOPS" are GMACs (one multiply-accumulate each), see the README's counting
  conventions;
* timm's published validation table for the timm weights the zoo loads (:data:`TIMM_RESULTS`);
  timm's pretrained configs carry no accuracy, so its table is the source;
* a paper's own table, cited, where the only library figure is of a later recipe
  (:data:`PAPER_RESULTS`).

Each figure says its training recipe: ``"original"`` (the paper's own weights, or a library's
reproduction of the paper: torchvision's ``IMAGENET1K_V1``) or ``"improved"`` (a later recipe
on the same architecture: torchvision's ``IMAGENET1K_V2``, timm's ``a1_in1k``). A network can
have one of each; comparing networks across recipes would credit the architecture with what the
recipe gained (resnet50 V2, 80.9 %, above inception_v4's 80.2 %), so the chart shows one recipe
at a time. Every other zoo entry is listed with the reason it has no point.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from explorer.models.registry import ModelSpec, get, list_models

ORIGINAL = "original"
IMPROVED = "improved"
RECIPE_NAMES = (ORIGINAL, IMPROVED)


@dataclass(frozen=True)
class Figures:
    """One network's published ImageNet figures under one training recipe, and their source.

    ``recipe`` is :data:`ORIGINAL` or :data:`IMPROVED`; ``weights`` names the weights or the
    table the figures belong to (``IMAGENET1K_V1``, ``a1_in1k``, ``paper``).
    """

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
    recipe: str = ORIGINAL
    weights: str = ""

    @property
    def recipe_text(self) -> str:
        """E.g. ``"improved recipe (IMAGENET1K_V2), 224 px"``: what every ball says."""
        weights = f" ({self.weights})" if self.weights else ""
        return f"{self.recipe} recipe{weights}, {self.resolution} px"

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
    recipe: str = ORIGINAL
    note: str = ""


#: Where the timm rows come from: timm publishes them in its repository, not in the package.
#: Accuracy: ``results/results-imagenet.csv`` at commit 0173a139a2c6; GMACs (``infer_gmacs``,
#: at the same image size): ``results/benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv`` at
#: commit 5c33776aa59f. timm counts the RepVGG models unfused (all three branches).
TIMM_SOURCE = "timm results-imagenet.csv"
TIMM_URL = "https://github.com/huggingface/pytorch-image-models/tree/main/results"

#: timm model name -> its published row (see :data:`TIMM_SOURCE`). repvgg_a0 and repvgg_a1
#: have no row in timm's table, so they have no point on the chart. ``tf_in1k`` (Inception,
#: Xception: the authors' TensorFlow weights), legacy_senet154 (the authors' weights, ported),
#: ``rvgg_in1k`` and ``dm_in1k`` are the original authors' weights; seresnet50's ``a1_in1k`` is
#: timm's later "ResNet strikes back" A1 recipe (Wightman et al. 2021), evaluated at 288 px.
TIMM_RESULTS: dict[str, TimmRow] = {
    r.tag.split(".")[0]: r
    for r in (
        TimmRow("inception_v4.tf_in1k", 80.156, 94.968, 299, 12.28),
        TimmRow("inception_resnet_v2.tf_in1k", 80.462, 95.308, 299, 13.18),
        TimmRow("legacy_xception.tf_in1k", 79.040, 94.382, 299, 8.4),
        TimmRow("legacy_senet154.in1k", 81.308, 95.492, 224, 20.77),
        TimmRow(
            "seresnet50.a1_in1k",
            81.102,
            95.120,
            288,
            6.8,
            IMPROVED,
            "timm's 'ResNet strikes back' A1 recipe (Wightman et al. 2021), not the paper's",
        ),
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


@dataclass(frozen=True)
class PaperRow:
    """A network's figures as its paper's own table gives them (top-1 = 100 - its error)."""

    top1: float
    top5: float | None
    gmacs: float
    img_size: int
    source: str
    url: str
    note: str


#: timm model name -> the original paper's figures, for a network whose only library figure is
#: of a later recipe. SE-ResNet-50: Hu et al., Table 2 (the "SENet" column: top-1 error 23.29 %,
#: top-5 error 6.62 %, 3.87 GFLOPs, single 224 px crop); the paper's GFLOPs count
#: multiply-adds, as the ResNet paper's do (it gives ResNet-50 3.86; torchvision's count of its
#: ResNet-50 is 4.09, the stride sits in another conv). The parameters are the zoo's count of
#: the same architecture.
PAPER_RESULTS: dict[str, PaperRow] = {
    "seresnet50": PaperRow(
        top1=round(100 - 23.29, 3),
        top5=round(100 - 6.62, 3),
        gmacs=3.87,
        img_size=224,
        source="Hu et al., Squeeze-and-excitation networks (CVPR 2018, TPAMI 2019), Table 2",
        url="https://arxiv.org/abs/1709.01507",
        note="the authors' own training; top-1 = 100 - the paper's error 23.29 %; GMACs are "
        "the paper's GFLOPs (multiply-adds); parameters: this architecture's count",
    ),
}


def _tv_recipe(weights: Any) -> str:
    """torchvision's own words: weights whose docs say they "improve upon the results of the
    original paper" are of an improved recipe (all V2, and convnext's only weights)."""
    return IMPROVED if "improve" in str(weights.meta.get("_docs", "")).lower() else ORIGINAL


def torchvision_figures(spec: ModelSpec, which: str = "DEFAULT") -> Figures | None:
    """The figures of torchvision's weights ``which`` (an enum member's name, default the
    enum's ``DEFAULT``) for ``spec``; None when it has no such weights or no ImageNet figures."""
    if spec.tv_name is None:
        return None
    from torchvision.models import get_model_weights

    try:
        enum = get_model_weights(spec.tv_name)
        weights = enum.DEFAULT if which == "DEFAULT" else enum[which]
    except (ValueError, KeyError):
        return None
    meta = weights.meta
    metrics = meta.get("_metrics", {}).get("ImageNet-1K")
    if not metrics or "_ops" not in meta or not math.isfinite(metrics.get("acc@1", math.nan)):
        return None
    crop = weights.transforms().crop_size
    notes = []
    recipe = _tv_recipe(weights)
    if recipe == IMPROVED:
        notes.append("torchvision's later training recipe, not the paper's (its weights' docs)")
    if spec.tv_name == "inception_v3":
        notes.append("parameters include the auxiliary head (23,834,568 without it)")
    top5 = metrics.get("acc@5")
    return Figures(
        name=spec.name,
        family=spec.family,
        year=spec.year,
        top1=float(metrics["acc@1"]),
        top5=float(top5) if top5 is not None and math.isfinite(top5) else None,
        params=int(meta["num_params"]),
        gmacs=float(meta["_ops"]),
        resolution=int(crop[0]),
        source=f"torchvision {type(weights).__name__}.{weights.name} (weights metadata)",
        url=str(meta.get("recipe", "")),
        note="; ".join(notes),
        recipe=recipe,
        weights=weights.name,
    )


def torchvision_entries(spec: ModelSpec) -> list[Figures]:
    """torchvision's ``IMAGENET1K_V1`` figures and, where the enum's ``DEFAULT`` is other
    weights, the default's too (original first)."""
    if spec.tv_name is None:
        return []
    found = [torchvision_figures(spec, "IMAGENET1K_V1"), torchvision_figures(spec)]
    out: list[Figures] = []
    for f in found:
        if f is not None and all(f.weights != o.weights for o in out):
            out.append(f)
    return sorted(out, key=lambda f: RECIPE_NAMES.index(f.recipe))


def timm_figures(spec: ModelSpec) -> Figures | None:
    """The figures of timm's published table for ``spec``'s timm weights, if it has a row."""
    if spec.timm_name is None or spec.timm_name not in TIMM_RESULTS:
        return None
    row = TIMM_RESULTS[spec.timm_name]
    if row.gmacs is None:
        return None
    params = _timm_params(spec)
    if params is None:
        return None
    notes = [row.note] if row.note else []
    if row.img_size != spec.input_size[1]:
        notes.append(
            f"evaluated at {row.img_size} px, its test size (trained at {spec.input_size[1]})"
        )
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
        note="; ".join(notes),
        recipe=row.recipe,
        weights=row.tag.split(".", 1)[1],
    )


def _timm_params(spec: ModelSpec) -> int | None:
    params = spec.reference_params()
    if params is None:  # timm:NAME: the zoo entry of the same timm model has the exact count
        zoo = [s for s in list_models() if s.timm_name == spec.timm_name]
        params = zoo[0].reference_params() if zoo else None
    return params


def paper_figures(spec: ModelSpec) -> Figures | None:
    """The original paper's own figures (:data:`PAPER_RESULTS`), where they are needed."""
    if spec.timm_name is None or spec.timm_name not in PAPER_RESULTS:
        return None
    row = PAPER_RESULTS[spec.timm_name]
    params = _timm_params(spec)
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
        source=row.source,
        url=row.url,
        note=row.note,
        recipe=ORIGINAL,
        weights="paper",
    )


def figures_for(spec: ModelSpec) -> list[Figures] | Missing:
    """The published figures of one model (the original recipe's first, then the improved
    one's where both exist), or why it has none."""
    found = torchvision_entries(spec) or [
        f for f in (paper_figures(spec), timm_figures(spec)) if f is not None
    ]
    if found:
        return sorted(found, key=lambda f: RECIPE_NAMES.index(f.recipe))
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

    A network with figures of both recipes has two entries, the original's first. Raises the
    registry's ``UnknownModelError`` for a name it does not know.
    """
    specs = list_models() if names is None else [get(n) for n in names]
    found: list[Figures] = []
    missing: list[Missing] = []
    for spec in specs:
        figs = figures_for(spec)
        if isinstance(figs, Missing):
            missing.append(figs)
        else:
            found.extend(figs)
    return found, missing
