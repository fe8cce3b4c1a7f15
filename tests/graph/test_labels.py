"""Slide-style labels: each layer type in the papers' notation, blocks summarised."""

from __future__ import annotations

from _models import analysis

from explorer.graph.labels import block_label, group_label, is_hidden
from explorer.present.layout import compute_layout, default_expanded, expand_all


def labels(name: str) -> dict[str, str]:
    tree = analysis(name).tree
    return {bid: block_label(tree, bid) for bid, b in tree.blocks.items() if b.executed}


def test_vgg16_convs_pools_and_fcs() -> None:
    lab = labels("vgg16")
    assert lab["features.0"] == "3x3 conv, 64"
    assert lab["features.5"] == "3x3 conv, 128"
    assert lab["features.28"] == "3x3 conv, 512"
    assert lab["features.4"] == "2x2 max pool, /2"
    assert lab["features.1"] == "ReLU"
    assert lab["classifier.0"] == "FC 4096"
    assert lab["classifier.6"] == "FC 1000"
    assert lab["classifier.2"] == "dropout 0.5"
    assert lab["avgpool"] == "adaptive avg pool, 7x7"
    assert lab["@input"] == "input 3x224x224"


def test_googlenet_inception_summary_and_concat() -> None:
    lab = labels("googlenet")
    # torchvision's GoogLeNet has a 3x3 conv where the paper has 5x5 (its own note says so)
    assert lab["inception3a"] == "Inception 3a: 1x1 64 | 3x3 128 | 3x3 32 | pool 32"
    assert lab["inception3a:cat"] == "concat"
    assert lab["conv1"] == "7x7 conv, 64, /2"  # BasicConv2d: conv + BN + ReLU as one
    assert lab["maxpool1"] == "3x3 max pool, /2"
    assert lab["inception3a.branch4.0"] == "3x3 max pool"  # stride 1 says nothing
    assert lab["avgpool"] == "global avg pool"
    assert lab["fc"] == "FC 1000"


def test_resnet50_bottlenecks_strides_and_projection() -> None:
    lab = labels("resnet50")
    assert lab["conv1"] == "7x7 conv, 64, /2"
    assert lab["layer1.0"] == "residual: 1x1 64, 3x3 64, 1x1 256 + proj"
    assert lab["layer1.1"] == "residual: 1x1 64, 3x3 64, 1x1 256"
    assert lab["layer2.0"] == "residual: 1x1 128, 3x3 128 /2, 1x1 512 + proj"
    assert lab["layer2.0.conv2"] == "3x3 conv, 128, /2"
    assert lab["layer2.0.downsample.0"] == "1x1 conv, 512, /2"
    assert lab["layer1.0:add"] == "+"
    assert lab["layer3"] == "layer3: 6 residual blocks, 1024 ch"
    tree = analysis("resnet50").tree
    assert group_label(tree, [f"layer3.{i}" for i in range(1, 6)]) == (
        "residual ×5: 1x1 256, 3x3 256, 1x1 1024"
    )


def test_xception_separable_and_depthwise() -> None:
    lab = labels("xception")
    assert lab["block1.rep.0.conv1"] == "3x3 depthwise conv, 64"
    assert lab["block1.rep.0.pointwise"] == "1x1 conv, 128"
    assert lab["block1.rep.0"] == "3x3 separable conv, 128"
    assert lab["block1"] == "residual: sep 3x3 128, sep 3x3 128, 3x3 max pool /2 + proj"
    assert lab["block4"] == "residual: sep 3x3 728 ×3"
    assert lab["conv3"] == "3x3 separable conv, 1536"


def test_cifar_resnet_basic_blocks() -> None:
    lab = labels("resnet56")
    assert lab["layer1.0"] == "residual: 3x3 16, 3x3 16"
    assert lab["layer2.0"] == "residual: 3x3 32 /2, 3x3 32 + pad"  # option A: no weights


def test_grouped_conv_says_its_groups() -> None:
    lab = labels("resnext50_32x4d")
    assert lab["layer1.0.conv2"] == "3x3 conv, 128, g=32"


def test_highway_gate_and_carry() -> None:
    lab = labels("highway")
    assert lab["stages.0.0"] == "highway: T*H + (1-T)*x, 3x3 32"
    assert lab["stages.0.0:sub"] == "1 − T"  # the carry gate, not a sum
    assert lab["stages.0.0:mul"] == "×"
    assert lab["stages.0.0:add"] == "+"
    assert lab["stages.0.0.t_gate"] == "sigmoid"
    # the carry is drawn as what it is: a box "1 − T", no sum circle
    tree = analysis("highway").tree
    lay = compute_layout(tree, expand_all(tree))
    assert lay.boxes["stages.0.0:sub"].label == "1 − T"


def test_seresnet50_se_gate_and_placeholders_hidden() -> None:
    lab = labels("seresnet50")
    assert lab["layer1.0.se"] == "SE: 256 → 16 → 256, sigmoid"
    assert lab["layer1.0.se:mean"] == "global avg pool"
    assert lab["layer1.0"] == "residual: 1x1 64, 3x3 64, 1x1 256 + SE + proj"
    tree = analysis("seresnet50").tree
    assert is_hidden(tree.blocks["layer1.0.drop_block"])  # an Identity at inference
    lay = compute_layout(tree, expand_all(tree))
    drawn = set(lay.boxes)
    hidden = {bid for bid, b in tree.blocks.items() if is_hidden(b)}
    assert hidden and not hidden & drawn
    # the edges that went through a hidden layer still join what it joined
    assert any(e.dst == "layer1.0.conv3" for e in lay.edges)


def test_inception_resnet_blocks_show_their_branches() -> None:
    lab = labels("inception_resnet_v2")
    assert lab["repeat.0"] == "Block35 (residual): 1x1 32 | 3x3 32 | 3x3 x2 64 → 1x1 320"
    assert lab["mixed_5b"] == "Mixed_5b: 1x1 96 | 5x5 64 | 3x3 x2 96 | pool 64"


def test_norm_and_activation_fold_into_the_conv_box() -> None:
    tree = analysis("resnet50").tree
    lay = compute_layout(tree, default_expanded(tree))
    conv1 = lay.boxes["conv1"]
    assert conv1.label == "7x7 conv, 64, /2" and conv1.marks == ["BN", "ReLU"]
    assert conv1.name == "conv1"
    assert "bn1" not in lay.boxes and "relu" not in lay.boxes
    assert lay.unit_of_node["bn1"] == "conv1"
    # unfolded, they are boxes again
    lay2 = compute_layout(tree, default_expanded(tree), fold=False)
    assert {"bn1", "relu"} <= set(lay2.boxes) and lay2.boxes["conv1"].marks == []
    # a conv-BN-ReLU module drawn closed carries the same marks
    g = analysis("googlenet").tree
    lay3 = compute_layout(g, default_expanded(g))
    assert lay3.boxes["conv1"].label == "7x7 conv, 64, /2"
    assert lay3.boxes["conv1"].marks == ["BN", "ReLU"]


def test_every_drawn_box_of_the_lecture_models_has_a_slide_label() -> None:
    """No box reads as a bare module index ("0", "30") any more."""
    for name in ("vgg16", "googlenet", "resnet50", "xception", "highway", "seresnet50"):
        tree = analysis(name).tree
        lay = compute_layout(tree, expand_all(tree))
        for box in lay.units():
            assert not box.label.isdigit(), (name, box.id, box.label)
            assert not box.label.split(" ")[0].isdigit() or box.label[1] in "x −", box.label


def test_a_one_layer_module_is_coloured_as_its_layer() -> None:
    """googlenet's BasicConv2d and a fused RepVGG block (conv + ReLU) read and colour as a conv."""
    g = analysis("googlenet").tree
    lay = compute_layout(g, default_expanded(g))
    assert lay.boxes["conv1"].kind == "conv"
    assert g.blocks["conv1"].kind == "sequential"  # the block itself keeps its kind


def test_opening_an_inception_block_opens_its_branches() -> None:
    from explorer.present.layout import opening

    tree = analysis("googlenet").tree
    opened = opening(tree, "inception3a")
    # branch1 is one conv (conv + BN + ReLU): it stays one box
    assert opened == {"inception3a", *(f"inception3a.branch{i}" for i in (2, 3, 4))}
    lay = compute_layout(tree, default_expanded(tree) | opened)
    labels_in = {b.label for b in lay.units() if b.id.startswith(("inception3a.", "inception3a:"))}
    assert {"1x1 conv, 64", "1x1 conv, 96", "3x3 conv, 128", "3x3 max pool", "concat"} <= (
        labels_in
    )
    # an Inception-ResNet block too; a residual block opens alone
    irv2 = analysis("inception_resnet_v2").tree
    assert "repeat.0.branch1" in opening(irv2, "repeat.0")
    assert opening(analysis("resnet50").tree, "layer1.0") == {"layer1.0"}


def test_se_block_reads_as_on_the_slide() -> None:
    """timm's SE: its ReLU folds into the first 1x1 conv across the Identity 'bn', and the
    'gate' module wrapping a sigmoid is a sigmoid box."""
    tree = analysis("seresnet50").tree
    lay = compute_layout(tree, default_expanded(tree) | {"layer1", "layer1.0", "layer1.0.se"})
    fc1 = lay.boxes["layer1.0.se.fc1"]
    assert fc1.label == "1x1 conv, 16" and fc1.marks == ["ReLU"]
    assert "layer1.0.se.act" not in lay.boxes
    gate = lay.boxes["layer1.0.se.gate"]
    assert gate.label == "sigmoid" and gate.kind == "act"


def test_repvgg_branches_in_the_papers_order_and_norm_act_marks() -> None:
    for name in ("repvgg_a0", "repvgg_small"):
        lab = labels(name)
        assert any(v.startswith("RepVGG: 3x3 + 1x1 + id, ") for v in lab.values()), name
    # timm's BatchNormAct2d says its activation, or nothing when it has none (RepVGG's BN)
    assert labels("inception_v4")["features.0.bn"] == "BN+ReLU"
    assert labels("repvgg_a0")["stem.conv_1x1.bn"] == "BN"


def test_frames_named_by_an_index_carry_their_parents_name() -> None:
    tree = analysis("repvgg_a0").tree
    lay = compute_layout(tree, expand_all(tree))
    headers = {b.label for b in lay.boxes.values() if b.open}
    assert not any(h.isdigit() for h in headers), sorted(headers)[:10]
    assert "stages.1" in headers


def test_no_op_calls_are_not_drawn_and_reshapes_say_what_they_do() -> None:
    lab = labels("resnet20")
    assert "slice" in lab.values()  # the option-A shortcut's x[:, :, ::2, ::2]
    tree = analysis("convnext_tiny").tree
    sd = [b for b in tree.blocks.values() if b.op and "stochastic_depth" in b.op]
    assert sd and all(is_hidden(b) for b in sd)  # a no-op at inference
