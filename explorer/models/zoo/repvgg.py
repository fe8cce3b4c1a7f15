"""RepVGG A0-B3g4 (timm), at training time (with their branches)."""

from explorer.models.registry import ModelSpec, register, timm_builder

# Train-time parameter counts of timm 1.0's builds; the paper's Table 4 gives the
# (smaller) counts after fusion.
_COUNTS = {
    "repvgg_a0": 9_108_968,
    "repvgg_a1": 14_092_264,
    "repvgg_a2": 28_210_600,
    "repvgg_b0": 15_817_960,
    "repvgg_b1": 57_415_016,
    "repvgg_b1g4": 39_966_056,
    "repvgg_b2": 89_022_376,
    "repvgg_b2g4": 61_758_376,
    "repvgg_b3": 123_085_288,
    "repvgg_b3g4": 83_825_128,
}

for _name, _count in _COUNTS.items():
    register(
        ModelSpec(
            name=_name,
            family="RepVGG",
            paper="Ding et al., RepVGG: making VGG-style ConvNets great again",
            year=2021,
            builder=timm_builder(_name),
            timm_name=_name,
            ref_params=_count,
            ref_source="timm 1.0 build (train-time, with branches)",
            lecture=True,
            slow=_name not in ("repvgg_a0",),
        )
    )
