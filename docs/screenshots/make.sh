#!/usr/bin/env bash
# Regenerate the README's screenshots with the program's own --screenshot mode.
# Needs a display or the offscreen platform (set below when there is no display).
set -euo pipefail
cd "$(dirname "$0")"
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || export QT_QPA_PLATFORM=offscreen
run() { ../../.venv/bin/cnn-explorer --size 1500x950 "$@"; }
run --model googlenet --expand inception3a --select inception3a.branch2 --screenshot googlenet.png
run --model resnet50 --expand layer2.0 --select layer2.0 --screenshot resnet50.png
run --model seresnet50 --expand layer1.0 --expand layer1.0.se --select layer1.0.se --screenshot seresnet50.png
run --model repvgg_a0 --expand stages.1.1 --expand stages.1.2 --select stages.1.1 --screenshot repvgg_a0.png
