"""The ``tfvidgan`` command line: demo, train, sample, eval, data.

Every error a user can cause (unknown names, impossible sizes, unwritable
folders, missing or foreign checkpoints) ends with a one-line message and exit
status 2, never a traceback. TensorFlow is imported only after the arguments
are parsed, so ``tfvidgan --help`` is quick and ``--verbose`` can decide
whether TensorFlow's C++ log lines are shown.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import sys
from pathlib import Path

import numpy as np

from tfvidgan.config import TrainConfig
from tfvidgan.models import FAMILIES

PRESET_NAMES = ("tiny", "demo", "full", "colab")  # colab: the video families, one T4 GPU
# `tfvidgan demo` (`make demo`): the candidate whose samples measured best in its budget, on
# 3 seeds (benchmarks/quality.py --demo-candidates; benchmarks/README.md, "Demo candidates").
DEMO_MODEL = "mocogan"
DEMO_TITLE = "the content/motion video GAN (MoCoGAN, sprite motion)"
SAMPLE_SUFFIXES = (".npz", ".gif", ".mp4", ".webm", ".png")


def config_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(TrainConfig)} - {"model"}


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One ``--flag`` per :class:`TrainConfig` field (``--d-lr``, ``--spectral-norm``, ...)."""
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
    parser = argparse.ArgumentParser(
        prog="tfvidgan", description="Image and video GANs with Keras 3 / TensorFlow 2."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show TensorFlow's C++ log lines")
    sub = parser.add_subparsers(dest="command", required=True)
    add = lambda name, **kw: sub.add_parser(name, parents=[common], **kw)

    demo = add("demo", help=f"train {DEMO_TITLE} on moving digits and write GIF/MP4 samples")
    demo.add_argument("--out", default="runs/demo", help="run folder (default runs/demo)")
    demo.add_argument("--minutes", type=float, default=9.0, help="training time budget (default 9)")
    demo.add_argument(
        "--steps", type=int, default=None, help="stop after this many steps (default: preset)"
    )

    train = add("train", help="train a model family on a dataset; resumes from --out")
    train.add_argument("--model", required=True, help=f"one of {', '.join(FAMILIES)}")
    train.add_argument(
        "--preset",
        default="demo",
        help=f"one of {', '.join(PRESET_NAMES)} (default demo)",
    )
    train.add_argument("--out", required=True, help="run folder; an existing run there is resumed")
    add_config_flags(train)  # includes --data (default: the family's own dataset)

    sample = add("sample", help="draw samples from a trained run")
    sample.add_argument("--run", required=True, help="run folder written by `tfvidgan train`")
    sample.add_argument("--num", type=int, default=16)
    sample.add_argument("--out", required=True, help="output file: .npz, .gif, .mp4, .webm or .png")
    sample.add_argument("--label", type=int, default=None, help="class to draw (conditional runs)")
    sample.add_argument("--code", type=int, default=None, help="InfoGAN code (--info-codes runs)")
    sample.add_argument(
        "--first-frame",
        default=None,
        metavar="FILE",
        help="image_to_video runs: the clips start from this PNG/JPEG image, or from the images "
        "of an .npz (used in turn)",
    )
    sample.add_argument(
        "--num-frames",
        type=int,
        default=None,
        metavar="N",
        help="frames per clip, also more than trained on (runs that can draw longer clips: "
        "mocogan, video_cgan, image_to_video)",
    )
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument(
        "--walk", action="store_true", help="one video moving through --num latents (a walk)"
    )

    ev = add("eval", help="metrics of a trained run against real data; writes eval.json")
    ev.add_argument("--run", required=True, help="run folder written by `tfvidgan train`")
    ev.add_argument(
        "--num", type=int, default=1000, help="samples and real examples (default 1000)"
    )
    ev.add_argument("--real", default=None, help="dataset to compare with (default: the run's own)")
    ev.add_argument("--out", default=None, help="JSON file to write (default <run>/eval.json)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the generated samples (default 0)")

    exp = add("export", help="write a run's generator as a TensorFlow SavedModel and .keras file")
    exp.add_argument("--run", required=True, help="run folder written by `tfvidgan train`")
    exp.add_argument("--out", required=True, help="folder for saved_model/ and generator.keras")

    data = add("data", help="offline datasets")
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
    # imported here, not at the top: `tfvidgan --help` must not load TensorFlow
    from tfvidgan.config import get_config
    from tfvidgan.runs import write_run_outputs
    from tfvidgan.train import load_run, train

    overrides = {"max_minutes": args.minutes}
    if args.steps is not None:
        overrides["steps"] = args.steps
    cfg = get_config(DEMO_MODEL, "demo", **overrides)
    size = f"{cfg.num_frames}x{cfg.image_size}x{cfg.image_size}"
    print(
        f"tfvidgan demo: {DEMO_TITLE} on moving digits, {size}, "
        f"at most {cfg.steps} steps / {args.minutes:g} min of training"
    )
    train(cfg, args.out, write_outputs=False)
    model, cfg = load_run(args.out)
    paths = write_run_outputs(model, cfg, Path(args.out))
    print("wrote:")
    for kind, path in paths.items():
        print(f"  {kind:<11} {path}")
    print(f"  checkpoint  {Path(args.out) / 'checkpoint.json'}")


def cmd_train(args) -> None:
    # imported here, not at the top: `tfvidgan --help` must not load TensorFlow
    from tfvidgan.config import get_config
    from tfvidgan.train import train

    overrides = {k: v for k, v in vars(args).items() if k in config_fields() and v is not None}
    if "data" in overrides and Path(overrides["data"]).exists():  # resumable from anywhere
        overrides["data"] = str(Path(overrides["data"]).resolve())
    train(get_config(args.model, args.preset, **overrides), args.out)
    print(f"run folder: {args.out}")


def _cycling(value, num, count):
    """``value`` for all ``num`` samples, or 0..count-1 cycling when it is None."""
    if value is not None and not 0 <= value < count:
        raise ValueError(f"must be in [0, {count - 1}], got {value}")
    return np.full(num, value) if value is not None else np.arange(num) % count


def read_first_frames(path):
    """The image(s) of ``--first-frame``: a PNG/JPEG image ``(1, H, W, C)`` uint8, or the
    ``images`` of an ``.npz`` (or the first frames of its ``videos``, as written by
    ``tfvidgan data export`` and ``tfvidgan sample``); one line saying what to pass otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"--first-frame {path}: no such file; give a PNG/JPEG image or an .npz")
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (OSError, ValueError) as err:
            raise ValueError(f"--first-frame {path}: not a readable .npz ({err})") from None
        if "images" in arrays:
            return arrays["images"]
        if "videos" in arrays and np.ndim(arrays["videos"]) == 5:
            return arrays["videos"][:, 0]
        raise ValueError(
            f"--first-frame {path}: the .npz holds {sorted(arrays) or 'nothing'}; it needs "
            "'images' (N, H, W, C) or 'videos' (N, T, H, W, C), whose first frames are used"
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert("L" if image.mode in ("1", "L", "LA", "I;16") else "RGB")
            pixels = np.asarray(image)
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(
            f"--first-frame {path}: cannot read it as an image ({err.__class__.__name__}); "
            "give a PNG/JPEG image or an .npz"
        ) from None
    return (pixels[..., None] if pixels.ndim == 2 else pixels)[None]


def cmd_sample(args) -> None:
    # imported here, not at the top: `tfvidgan --help` must not load TensorFlow

    from tfvidgan import video_io
    from tfvidgan.runs import check_writable
    from tfvidgan.train import load_run

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in SAMPLE_SUFFIXES:
        raise ValueError(f"--out must end in {', '.join(SAMPLE_SUFFIXES)}, got {out.name!r}")
    if args.num < 1:
        raise ValueError(f"--num must be at least 1, got {args.num}")
    check_writable(out.parent)
    model, cfg = load_run(args.run)
    extra = {}
    if model.num_classes is not None:
        try:
            extra["labels"] = _cycling(args.label, args.num, model.num_classes)
        except ValueError as err:
            raise ValueError(f"--label {err}") from None
    elif args.label is not None:
        raise ValueError(f"--label needs a conditional run; {args.run} holds a {cfg.model!r} run")
    if model.info_codes:
        try:
            extra["codes"] = _cycling(args.code, args.num, model.info_codes)
        except ValueError as err:
            raise ValueError(f"--code {err}") from None
    elif args.code is not None:
        raise ValueError(f"--code needs a run trained with --info-codes; {args.run} has no codes")
    drawing = {}  # passed to model.sample, not saved with the samples
    if args.num_frames is not None:
        if not model.can_extend:
            raise ValueError(
                f"--num-frames needs a family whose recurrent motion draws clips of any length; "
                f"{args.run} holds a {cfg.model!r} run, which draws {cfg.num_frames} frames: "
                "leave out --num-frames"
            )
        drawing["num_frames"] = args.num_frames
    takes_frames = "first_frames" in inspect.signature(model.sample).parameters
    if args.first_frame is not None:
        if not takes_frames:
            raise ValueError(
                f"--first-frame needs an image_to_video run; {args.run} holds a {cfg.model!r} "
                "run: leave out --first-frame"
            )
        drawing["first_frames"] = read_first_frames(args.first_frame)
    if args.walk:
        from tfvidgan.postprocess import latent_walk

        if takes_frames:
            raise ValueError(
                "--walk needs a model that draws from latents (and a label) alone: "
                f"a {cfg.model!r} run also needs first frames"
            )
        if drawing or args.code is not None or suffix not in (".gif", ".mp4", ".webm"):
            raise ValueError(
                "--walk writes one .gif/.mp4/.webm and takes --num (points), --seed, --label"
            )
        label = args.label if args.label is not None or model.num_classes is None else 0
        walk = latent_walk(model, num_points=max(2, args.num), seed=args.seed, labels=label)
        video_io.write_video(out, walk)
        print(f"wrote a latent walk through {max(2, args.num)} points to {out}")
        return
    try:
        samples = model.sample(args.num, seed=args.seed, **extra, **drawing)
    except ValueError as err:
        if "first_frames" in drawing and "first frame" in str(err):
            raise ValueError(f"--first-frame {args.first_frame}: {err}") from None
        if "num_frames" in drawing and "num_frames" in str(err):
            raise ValueError(f"--num-frames {str(err).split('num_frames ', 1)[-1]}") from None
        raise
    if suffix == ".npz":
        key = {5: "videos", 4: "images"}.get(samples.ndim, "samples")
        arrays = {key: video_io.to_uint8(samples) if samples.ndim >= 4 else samples}
        np.savez(out, **arrays, **{k: v.astype("int32") for k, v in extra.items()})
    elif samples.ndim == 5:
        if suffix == ".png":
            video_io.save_png(out, video_io.video_frames_grid(samples))
        else:
            video_io.write_video(out, video_io.video_grid(samples))
    elif samples.ndim == 4 and suffix == ".png":
        video_io.save_png(out, video_io.image_grid(samples))
    else:
        made = "images" if samples.ndim == 4 else "numbers"
        raise ValueError(f"a {cfg.model!r} model makes {made}: write .npz or .png")
    print(f"wrote {args.num} samples to {out}")


def cmd_eval(args) -> None:
    # imported here, not at the top: `tfvidgan --help` must not load TensorFlow
    from tfvidgan.evaluate import evaluate_run, format_table

    results = evaluate_run(args.run, num=args.num, real=args.real, seed=args.seed, out=args.out)
    print(format_table(results))
    print(f"\nwrote {results['path']}")


def cmd_export(args) -> None:
    # imported here, not at the top: `tfvidgan --help` must not load TensorFlow
    from tfvidgan.export import export_run

    paths = export_run(args.run, args.out)
    inputs = ", ".join(paths["signature"]["inputs"])
    keras_file = f" and {paths['keras']}" if paths["keras"] else ""
    print(f"wrote {paths['saved_model']} (serving_default: {inputs} -> uint8){keras_file}")


def cmd_data(args) -> None:
    # imported here, not at the top: `tfvidgan --help` must not load TensorFlow
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


def import_tensorflow_quietly() -> None:
    """Import TensorFlow without its start-up C++ log lines.

    ``TF_CPP_MIN_LOG_LEVEL=3`` hides the log lines TensorFlow writes once its
    logging is set up (``failed call to cuInit``, ``remapper failed``); the
    lines it writes while loading, before that, go straight to file
    descriptor 2, so stderr is pointed at /dev/null for the import. A user
    who set ``TF_CPP_MIN_LOG_LEVEL`` keeps their own choice.
    """
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        import tensorflow  # noqa: F401

        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if not args.verbose:
        import_tensorflow_quietly()
    from tfvidgan.checkpoint import CheckpointError  # after the quiet TensorFlow import
    from tfvidgan.train import TrainingDiverged

    handlers = {
        "demo": cmd_demo,
        "train": cmd_train,
        "sample": cmd_sample,
        "eval": cmd_eval,
        "export": cmd_export,
        "data": cmd_data,
    }
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
