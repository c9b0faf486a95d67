"""The ``tfvidgan`` command line: demo, train, sample, eval, data export.

Every error a user can cause (unknown names, impossible sizes, unwritable
folders, missing or foreign checkpoints) ends with a one-line message and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault(
    "TF_CPP_MIN_LOG_LEVEL", "2"
)  # keep TensorFlow's start-up chatter out of the way


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One ``--flag`` per :class:`TrainConfig` field (``--d-lr``, ``--spectral-norm``, ...)."""
    from tfvidgan.config import TrainConfig

    for field in dataclasses.fields(TrainConfig):
        if field.name == "model":
            continue
        flag = "--" + field.name.replace("_", "-")
        if field.type in ("bool", bool):
            parser.add_argument(
                flag, dest=field.name, action=argparse.BooleanOptionalAction, default=None
            )
        else:
            kind = {"int": int, "float": float, "str": str}.get(str(field.type), float)
            parser.add_argument(
                flag, dest=field.name, type=kind, default=None, metavar=field.name.upper()
            )


def build_parser() -> argparse.ArgumentParser:
    from tfvidgan.config import FAMILIES, PRESETS

    parser = argparse.ArgumentParser(
        prog="tfvidgan", description="Image and video GANs with Keras 3 / TensorFlow 2."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="train the 3-D video GAN on moving digits and write GIF/MP4 samples"
    )
    demo.add_argument("--out", default="runs/demo", help="run folder (default runs/demo)")
    demo.add_argument("--minutes", type=float, default=9.0, help="training time budget (default 9)")
    demo.add_argument(
        "--steps", type=int, default=None, help="stop after this many steps (default: preset)"
    )

    train = sub.add_parser("train", help="train a model family on a dataset; resumes from --out")
    train.add_argument("--model", required=True, help=f"one of {', '.join(FAMILIES)}")
    train.add_argument(
        "--preset", default="demo", help=f"one of {', '.join(PRESETS['dcgan'])} (default demo)"
    )
    train.add_argument("--out", required=True, help="run folder; an existing run there is resumed")
    add_config_flags(train)  # includes --data (default: the family's own dataset)

    sample = sub.add_parser("sample", help="draw samples from a trained run")
    sample.add_argument("--run", required=True, help="run folder written by `tfvidgan train`")
    sample.add_argument("--num", type=int, default=16)
    sample.add_argument("--out", required=True, help="output file: .npz, .gif, .mp4, .webm or .png")
    sample.add_argument(
        "--label", type=int, default=None, help="class to generate (conditional models)"
    )
    sample.add_argument(
        "--code",
        type=int,
        default=None,
        help="InfoGAN code to generate (runs trained with --info-codes)",
    )
    sample.add_argument("--seed", type=int, default=0)

    from tfvidgan.evaluate import add_eval_arguments

    add_eval_arguments(
        sub.add_parser(
            "eval", help="metrics of a trained run against real data (offline); writes eval.json"
        )
    )

    data = sub.add_parser("data", help="offline datasets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    export = data_sub.add_parser("export", help="write a dataset to .npz")
    export.add_argument("--dataset", required=True)
    export.add_argument("--num", type=int, required=True)
    export.add_argument("--out", required=True)
    export.add_argument("--image-size", type=int, default=32)
    export.add_argument("--num-frames", type=int, default=16)
    export.add_argument("--seed", type=int, default=0)
    data_sub.add_parser("list", help="list the datasets")
    return parser


def cmd_demo(args) -> None:
    from tfvidgan.config import get_config
    from tfvidgan.train import train, write_run_outputs

    overrides = {"max_minutes": args.minutes}
    if args.steps is not None:
        overrides["steps"] = args.steps
    cfg = get_config("vgan", "demo", **overrides)
    print(
        f"tfvidgan demo: 3-D video GAN (VGAN) on moving digits, {cfg.num_frames}x{cfg.image_size}x{cfg.image_size}, "
        f"at most {cfg.steps} steps / {args.minutes:g} min of training"
    )
    train(cfg, args.out, write_outputs=False)
    from tfvidgan.train import load_run

    model, cfg = load_run(args.out)
    paths = write_run_outputs(model, cfg, Path(args.out))
    print("wrote:")
    for kind, path in paths.items():
        print(f"  {kind:<11} {path}")
    print(f"  checkpoint  {Path(args.out) / 'checkpoint.json'}")


def cmd_train(args) -> None:
    from tfvidgan.config import get_config
    from tfvidgan.train import train

    overrides = {k: v for k, v in vars(args).items() if k in config_fields() and v is not None}
    cfg = get_config(args.model, args.preset, **overrides)
    train(cfg, args.out)
    print(f"run folder: {args.out}")


def config_fields() -> set[str]:
    from tfvidgan.config import TrainConfig

    return {f.name for f in dataclasses.fields(TrainConfig)} - {"model"}


def cmd_sample(args) -> None:
    import numpy as np

    from tfvidgan import video_io
    from tfvidgan.train import check_writable, generate, load_run

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".npz", ".gif", ".mp4", ".webm", ".png"):
        raise ValueError(f"--out must end in .npz, .gif, .mp4, .webm or .png, got {out.name!r}")
    if args.num < 1:
        raise ValueError(f"--num must be at least 1, got {args.num}")
    check_writable(out.parent)
    model, cfg = load_run(args.run)
    conditional = getattr(model, "num_classes", None) is not None
    if args.label is not None and not conditional:
        raise ValueError(f"--label needs a conditional model; {args.run} holds a {cfg.model!r} run")
    if args.label is not None and not 0 <= args.label < cfg.num_classes:
        raise ValueError(f"--label must be in [0, {cfg.num_classes - 1}], got {args.label}")
    if args.code is not None and not cfg.info_codes:
        raise ValueError(
            f"--code needs a run trained with --info-codes; {args.run} has no InfoGAN codes"
        )
    if args.code is not None and not 0 <= args.code < cfg.info_codes:
        raise ValueError(f"--code must be in [0, {cfg.info_codes - 1}], got {args.code}")
    labels = codes = None
    if conditional:
        labels = (
            np.full(args.num, args.label)
            if args.label is not None
            else np.arange(args.num) % cfg.num_classes
        )
    if cfg.info_codes:
        codes = (
            np.full(args.num, args.code)
            if args.code is not None
            else np.arange(args.num) % cfg.info_codes
        )
    samples = generate(model, cfg, args.num, labels=labels, seed=args.seed, codes=codes)
    if suffix == ".npz":
        key = {5: "videos", 4: "images"}.get(samples.ndim, "samples")
        arrays = {key: video_io.to_uint8(samples) if samples.ndim >= 4 else samples}
        if labels is not None:
            arrays["labels"] = labels.astype("int32")
        if codes is not None:
            arrays["codes"] = codes.astype("int32")
        np.savez(out, **arrays)
    elif samples.ndim == 5:
        if suffix == ".png":
            video_io.save_png(out, video_io.video_frames_grid(samples))
        else:
            video_io.write_video(out, video_io.video_grid(samples))
    elif samples.ndim == 4 and suffix == ".png":
        video_io.save_png(out, video_io.image_grid(samples))
    else:
        raise ValueError(
            f"a {cfg.model!r} model makes {'images' if samples.ndim == 4 else 'numbers'}: write .npz or .png"
        )
    print(f"wrote {args.num} samples to {out}")


def cmd_data(args) -> None:
    from tfvidgan import data

    if args.data_command == "list":
        for name in data.dataset_names():
            print(f"{name:<16} {data.get_spec(name).description}")
        return
    path = data.export_npz(
        args.dataset,
        args.num,
        args.out,
        image_size=args.image_size,
        num_frames=args.num_frames,
        seed=args.seed,
    )
    print(f"wrote {args.num} examples of {args.dataset} to {path}")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from tfvidgan.evaluate import cmd_eval

    handlers = {
        "demo": cmd_demo,
        "train": cmd_train,
        "sample": cmd_sample,
        "eval": cmd_eval,
        "data": cmd_data,
    }
    from tfvidgan.checkpoint import CheckpointError
    from tfvidgan.train import TrainingDiverged

    try:
        handlers[args.command](args)
    except (ValueError, OSError, CheckpointError, TrainingDiverged) as err:
        print(f"tfvidgan {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the last checkpoint is kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
