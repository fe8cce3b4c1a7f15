#!/usr/bin/env bash
# Regenerate the README's screenshots with the program's own --screenshot mode.
# Needs a display or the offscreen platform (set below when there is no display).
set -euo pipefail
cd "$(dirname "$0")"
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || export QT_QPA_PLATFORM=offscreen
run() { ../../.venv/bin/cnn-explorer --size 1500x950 --force "$@"; }
run --model googlenet --expand inception3a --select inception3a.branch2 --screenshot googlenet.png
run --model resnet50 --expand layer2.0 --select layer2.0 --screenshot resnet50.png
run --model seresnet50 --expand layer1.0 --expand layer1.0.se --select layer1.0.se --screenshot seresnet50.png
run --model repvgg_a0 --expand stages.1.1 --expand stages.1.2 --select stages.1.1 --screenshot repvgg_a0.png
# Fuse for deployment: repvgg_small's stage 1 with its branches, then (--fuse) as one conv each
repvgg=(--model repvgg_small --expand stage1.0..1 --expand stage1.0 --expand stage1.1 --select stage1.0
        --panel predictions)
run "${repvgg[@]}" --screenshot repvgg_unfused.png
run "${repvgg[@]}" --fuse --screenshot repvgg_fused.png
# the merge 1.2 s into its 1.8 s (step 4: the three kernels summed), on a screen and a projector
run --model repvgg_small --fuse --screenshot-at 1.2 --screenshot repvgg_merge_1920.png --size 1920x1080
run --model repvgg_small --fuse --screenshot-at 1.2 --screenshot repvgg_merge_1280.png --size 1280x720

# The live panels. Predictions and feature maps use the pretrained CIFAR-10 ResNet-20 of
# ../shared/data as a user's own model file (skipped when ../shared is absent).
SHARED=../../../shared/data
if [ -d "$SHARED" ]; then
  tmp=$(mktemp -d)
  ../../.venv/bin/python -c "import numpy as np, sys; from PIL import Image; d = np.load(sys.argv[1]); Image.fromarray(d['x'][0]).save(sys.argv[2])" \
    "$SHARED/cifar10_test_first1000_lossless.npz" "$tmp/cifar_test_0_cat.png"
  cifar=(--model ../../examples/cifar_resnet.py:resnet20 --input-size 32
         --weights "$SHARED/checkpoints/resnet20-12fca82f.th" --image "$tmp/cifar_test_0_cat.png")
  run "${cifar[@]}" --panel predictions --screenshot panel_predictions.png
  run "${cifar[@]}" --panel feature-maps --select layer1.0 --overlay --screenshot panel_feature_maps.png
fi
run --model se_resnet20 --image sample:digits-3 --compare sample:digits-7 --select layer3.2.se \
  --panel se-weights --screenshot panel_se_weights.png
run --keep plain34 --model resnet34 --image sample:astronaut --panel activation-std \
  --std-level blocks --screenshot panel_activation_std.png
run --curves --size 1100x480 --screenshot train_curves.png

# A lecture hall: each on a 1920x1080 screen and a 1280x720 projector
for size in 1920x1080 1280x720; do
  h=${size#*x}
  run --size "$size" --screenshot "first_launch_$h.png"  # no model: resnet56 on a digit
  run --size "$size" --model vgg16 --panel predictions --screenshot "vgg16_$h.png"
  run --size "$size" --model googlenet --expand inception3a --panel predictions \
    --screenshot "googlenet_labels_$h.png"
  run --size "$size" --model resnet50 --panel activation-std --screenshot "resnet50_wrapped_$h.png"
  run --size "$size" --model resnet56 --presentation --panel activation-std \
    --screenshot "presentation_$h.png"
  run --size "$size" --model resnet56 --draw-pad --screenshot "draw_pad_$h.png"
done
../../.venv/bin/cnn-explorer render resnet50 -o render_resnet50.png --size 1920x1080 --force

# Deleting blocks (built-in networks trained on digits: nothing downloaded)
run --model resnet56 --delete layer1.3,layer2.4,layer3.1 --select layer2.4 --screenshot lesion_accuracy.png
run --model resnet56 --sweep single --screenshot sweep_single_resnet56.png
run --model vgg_small --sweep single --screenshot sweep_single_vgg_small.png
run --model resnet56 --draw-pad --size 1280x720 --screenshot draw_pad.png

# Compare architectures: the published chart, and speed and compute density measured here
for size in 1920x1080 1280x720; do
  run --view chart --recipe original --size "$size" --screenshot "chart_original_${size#*x}.png"
  run --view chart --recipe best --size "$size" --screenshot "chart_best_${size#*x}.png"
done
measured=(--measure resnet18,resnet50,vgg16,repvgg_a0,repvgg_b0,efficientnet_b0,mobilenet_v2
          --device cpu --batch 8 --repeats 5)
run "${measured[@]}" --view density --screenshot compare_density.png
run "${measured[@]}" --view chart --x-axis speed --screenshot compare_speed_chart.png
run --kernels --device cpu --view kernels --screenshot compare_kernels.png

# Side by side: the lecture's presets aligned by stage (with an image through every pane)
run --side-by-side fig3 --size 1920x1080 --screenshot side_by_side_fig3_1080.png
run --side-by-side fig3 --size 1280x720 --screenshot side_by_side_fig3_720.png
run --side-by-side cifar --image sample:digits-3 --size 1280x720 --screenshot side_by_side_cifar_720.png
run --side-by-side se --image sample:coffee --size 1920x1080 --screenshot side_by_side_se_1080.png

# The receptive field on the image: VGG-16's 3x3 cascade, three convs after the second pool
run --model vgg16 --image sample:astronaut --select features.14 --panel receptive-field \
  --size 1920x1080 --screenshot field_vgg16_cascade.png
# The effective field compared: resnet56 (trained) against its random weights and plain56, at
# the end of the first stage, over 16 digits (the figures of: cnn-explorer rf resnet56 --block
# layer1 --effective --compare random --compare plain56)
run --model resnet56 --select layer1 --field-compare random,plain56 \
  --size 1920x1080 --screenshot field_resnet56_vs_plain56.png
run --model resnet56 --select layer1 --field-compare random,plain56 \
  --size 1280x720 --screenshot field_resnet56_vs_plain56_720.png

# Residual networks as ensembles of paths (Veit et al. 2016, Fig. 1b and 6): resnet56's 27 blocks,
# the gradient by path length over 16 digits, 6 paths per length (cnn-explorer paths resnet56)
run --model resnet56 --panel paths --timeout 1800 --size 1920x1080 --screenshot paths_resnet56.png
run --model resnet56 --panel paths --timeout 1800 --size 1280x720 --screenshot paths_resnet56_720.png
# two networks on the same axes: resnet20 (9 blocks) and resnet56 (27)
run --model resnet20 --panel paths --paths-versus resnet56 --timeout 1800 --size 1920x1080 \
  --screenshot paths_resnet20_vs_resnet56.png

# The loss landscape (Li et al. 2018): the built-in resnet56 and plain56, 21x21 grid on the 360
# digits of the test split, seed 0. The grids are kept in docs/landscapes (computing them takes
# 45-60 min each on 2 shared cores); LANDSCAPE_RECOMPUTE=1 computes them again first.
grids=../landscapes
for m in resnet56 plain56; do
  f=$grids/${m}_21x21_seed0.json
  if [ -n "${LANDSCAPE_RECOMPUTE:-}" ] || [ ! -f "$f" ]; then
    ../../.venv/bin/cnn-explorer landscape $m --grid 21 --seed 0 --json > "$f.tmp" && mv "$f.tmp" "$f"
  fi
done
pair=(--model resnet56 --landscape $grids/resnet56_21x21_seed0.json,$grids/plain56_21x21_seed0.json)
run "${pair[@]}" --size 1920x1080 --screenshot landscape_resnet56_vs_plain56.png
run "${pair[@]}" --size 1280x720 --screenshot landscape_resnet56_vs_plain56_720.png
if [ -n "${DISPLAY:-}" ]; then  # the 3-D view needs OpenGL: a display (xvfb-run gives one)
  run "${pair[@]}" --landscape-3d --size 1920x1080 --screenshot landscape_resnet56_vs_plain56_3d.png
fi

# The window in Russian on a 1280x720 projector (--lang ru; the labels' words, the panels, a
# fusion, the Compare view and side by side)
ru() { run --lang ru --size 1280x720 "$@"; }
ru --screenshot ru/first_launch_720.png
ru --model googlenet --expand inception3a --select inception3a.branch2 --screenshot ru/googlenet_720.png
ru --model resnet50 --select layer2.0 --screenshot ru/resnet50_720.png
ru --model se_resnet20 --image sample:digits-3 --compare sample:digits-7 --select layer3.2.se \
  --panel se-weights --screenshot ru/panel_se_weights_720.png
ru --model resnet56 --image sample:digits-3 --panel feature-maps --select layer1.0 \
  --screenshot ru/panel_feature_maps_720.png
ru --model repvgg_small --fuse --screenshot-at 1.2 --screenshot ru/repvgg_merge_720.png
ru --model repvgg_small --expand stage1.0..1 --expand stage1.0 --select stage1.0 --panel predictions \
  --fuse --screenshot ru/repvgg_fused_720.png
ru --view chart --screenshot ru/compare_chart_720.png
ru --side-by-side cifar --screenshot ru/side_by_side_cifar_720.png
ru --model resnet56 --select layer1 --field-compare random,plain56 --screenshot ru/field_resnet56_vs_plain56_720.png
