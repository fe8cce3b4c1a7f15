"""``predict`` and ``stats``: images through a model, top-5 and per-block statistics."""

from __future__ import annotations

import argparse
import sys

from explorer.app.argtypes import positive_int
from explorer.cli.common import (
    MODEL_HELP,
    analyze_or_error,
    emit_json,
    file_notes,
    forward,
    guarded_pass,
    load_images,
    prepared_model,
    print_notes,
    run_options,
    spec_or_error,
)


def add_parsers(sub: argparse._SubParsersAction) -> dict:
    pr = sub.add_parser(
        "predict",
        help="top-5 classes of images",
        description="Run images through MODEL and print the five most probable classes of each.",
    )
    pr.add_argument("model", help=MODEL_HELP)
    pr.add_argument("images", nargs="+", metavar="IMAGE", help="image files or sample:NAME")
    run_options(pr)
    invert_option(pr)
    pr.add_argument(
        "--batch-size",
        type=positive_int,
        default=1,
        metavar="B",
        help="images per forward pass (default 1: latency_ms is then per image)",
    )

    st = sub.add_parser(
        "stats",
        help="per-block activation mean/std, SE gates, highway gates for one image",
        description="One probed forward pass of IMAGE: the mean and std of every block's "
        "output, the gate vector of every SE block and the mean gate of every highway block.",
    )
    st.add_argument("model", help=MODEL_HELP)
    st.add_argument("image", metavar="IMAGE", help="an image file or sample:NAME")
    run_options(st)
    invert_option(st)

    return {"predict": cmd_predict, "stats": cmd_stats}


def invert_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-invert",
        dest="invert",
        action="store_false",
        help="digits networks: leave a light-background digit as it is (by default it is "
        "inverted to white on black, as the network was trained, and a note says so)",
    )


def cmd_predict(args: argparse.Namespace) -> int:
    from explorer.app.workflows.run import digit_inputs
    from explorer.runtime.preprocess import check_input, to_batch

    images = load_images(args.images)
    spec, model, info, prep, device, precision = prepared_model(args)
    # the largest batch, before any is made (to_batch checks each too)
    check_input(prep.channels, prep.size, min(args.batch_size, len(images)))
    print_notes(images)
    loaded = [file_notes(im) for im in images]  # what loading did (in --json too)
    # the window's check of images for a digits network: photos warned about, paper inverted
    images, checks = digit_inputs(spec, images, args.invert)
    for img, said in zip(images, checks, strict=True):
        for n in said:
            print(f"cnn-explorer: {img.name}: {n}", file=sys.stderr)
    # one pass first: the first call pays for lazy initialisation, not the model
    forward(model, to_batch(images[:1], prep), device, precision, spec=spec)
    rows = []
    for i in range(0, len(images), args.batch_size):
        chunk = images[i : i + args.batch_size]
        res = forward(model, to_batch(chunk, prep), device, precision, categories=info.categories)
        said_here = checks[i : i + args.batch_size]
        for k, (img, said, top) in enumerate(zip(chunk, said_here, res.top, strict=True)):
            rows.append(
                {
                    "image": img.source,
                    "notes": [*loaded[i + k], *said],
                    "top5": [t.as_dict() for t in top],
                    "latency_ms": round(res.latency_ms / len(chunk), 3),
                    "device": res.device,
                    "weights": info.label,
                }
            )
    if args.json:
        emit_json(rows)
        return 0
    print(f"{spec.name}: weights {info.label}; {prep.describe()}")
    for r in rows:
        print(f"{r['image']}  ({r['latency_ms']:.1f} ms on {r['device']})")
        for t in r["top5"]:
            print(f"  {t['prob']:7.2%}  {t['label']} ({t['index']})")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from explorer.app.workflows import drive
    from explorer.app.workflows.run import run_images
    from explorer.runtime.preprocess import check_input

    images = load_images([args.image])
    if args.input_size is not None:  # before the model is traced at that size
        check_input(spec_or_error(args.model).input_size[0], args.input_size)
    an = analyze_or_error(args.model, args.input_size)
    spec, model, info, prep, device, precision = prepared_model(args, an)
    print_notes(images)
    # the window's probed run: the same plan, the same statistics
    res = guarded_pass(
        lambda: drive(run_images(an, images, prep, device, precision, None, invert=args.invert))
    )
    pr = res.probes
    assert pr is not None
    out = {
        "model": spec.name,
        "image": images[0].source,
        "weights": info.label,
        "notes": [*file_notes(images[0]), *res.notes],
        "blocks": pr.block_stats(0),
        "se": [{"id": k, "gate": v[0].tolist()} for k, v in pr.se_gates.items()],
        "highway": [{"id": k, "gate_mean": float(v[0])} for k, v in pr.highway_gates.items()],
    }
    if args.json:
        emit_json(out)
        return 0
    print(f"{spec.name}: weights {info.label}; {images[0].source}")
    print(f"{'block':<40} {'kind':<11} {'output':<16} {'mean':>10} {'std':>10}")
    for b in out["blocks"]:
        shape = "x".join(map(str, b["out_shape"]))
        print(f"{b['id']:<40} {b['kind']:<11} {shape:<16} {b['mean']:10.4f} {b['std']:10.4f}")
    for g in out["se"]:
        v = g["gate"]
        print(f"SE {g['id']}: {len(v)} channels, gate mean {sum(v) / len(v):.3f}")
    for h in out["highway"]:
        print(f"highway {h['id']}: mean gate T {h['gate_mean']:.3f}")
    return 0
