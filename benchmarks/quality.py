"""Quality benchmark: train each family on the offline data for a fixed CPU budget,
then measure its samples with the shipped evaluators (:mod:`tfvidgan.evaluate`).

Every table has its real-versus-real baseline (a second real set rendered with
another seed): the score a perfect generator would get at this sample size.

**Video families** (every ``kind == "video"`` family of the registry
``tfvidgan.models.FAMILIES``, so families added later are measured without editing
this script; one whose file is not there yet is skipped with a note): the ``demo``
preset on moving digits 32x32 with 16 frames, 30 minutes of training each, several
seeds, one row per family with the mean and the spread (std) over seeds of: steps,
clips/s, recognised frames (p >= 0.9), digits covered, clip consistency, frozen
clips, FVD (the shipped video classifier's features), class accuracy (conditional
families: the clip's majority digit is the asked one) and, for image-to-video, the
given frame's digit kept in later frames, the motion energy against the real
clips' and whether two draws from the same first frame differ. Bars (means over 3
seeds; a row of fewer seeds is a first look and is not judged):

* mocogan: >= 80 % recognised frames, all ten digits, >= 90 % consistency, <= 5 % frozen;
* video_cgan: the asked digit (clip majority) in >= 95 % of clips, >= 95 % consistency;
* image_to_video: the given frame's digit in >= 90 % of the later frames, motion energy
  between half and twice the real clips', two draws from one first frame differ
  (mean squared difference of the drawn frames above the frozen-clip threshold 1e-3)
  for >= 90 % of first frames.

**Demo candidates** (``--demo-candidates``): each candidate's ``demo`` preset as
``make demo`` trains it (8 frames, at most 9 minutes on 2 cores), 3 seeds, judged
on clips drawn the way ``make demo`` draws its samples (``model.sample(n, seed=0)``):
>= 60 % recognised frames, all ten digits, >= 90 % consistency, <= 5 % frozen.

**Image families** (``--only gaussian dcgan cgan vae``): the rows of the first quality
table (cgan <= 10 min: the asked digit >= 95 % of the time), one seed.

Run it alone on the machine (a run that shares the CPU is not a valid row):

* ``python benchmarks/quality.py`` - everything: the image rows (27 min), then every
  video family, 30 minutes per seed (mocogan, video_cgan, image_to_video and the demo
  candidates get 3 seeds, the others 1): about 9 hours for the seven video families;
* ``--only mocogan --seeds 0 1 2`` - one family; ``--seeds`` sets the seeds of every
  family run (``--seeds 0``: a one-seed first look);
* ``--demo-candidates`` (``--only vgan`` to pick among them) - the demo check;
* ``--scale 0.1`` (budgets x 0.1) or ``--steps N`` (exactly N steps, no time budget,
  e.g. ``--precision float32`` against ``mixed_bfloat16`` step for step) for a quick
  look; ``--threads 1`` to run two invocations side by side, one core each;
* any ``tfvidgan train`` flag to measure another recipe, e.g. ``--only vgan --loss hinge
  --out runs/quality_hinge``. Smoke test: ``--only vgan image_to_video --preset tiny
  --steps 5 --num 32 --out /tmp/q``.

Runs go to ``<out>/<family>`` (image families) and ``<out>/<video|demo>/<family>/seed<k>``
and are resumed if present; each run's numbers go to a JSON file beside them, and the
tables printed at the end hold every run measured in ``<out>`` so far (invocations run
side by side land in one table).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfvidgan import data  # noqa: E402
from tfvidgan.cli import add_config_flags, config_fields  # noqa: E402
from tfvidgan.config import get_config  # noqa: E402
from tfvidgan.evaluate import (  # noqa: E402
    BASELINE_SEED_OFFSET,
    REAL_SEED_OFFSET,
    evaluate_run,
    evaluate_samples,
)
from tfvidgan.models import FAMILIES, family_module  # noqa: E402
from tfvidgan.train import load_run, train  # noqa: E402

# ==== Image families (the first quality table) ================================

# family -> (training minutes, config overrides)
BUDGETS = {
    "gaussian": (2, {}),
    "dcgan": (10, {}),
    "cgan": (10, {}),
    "vae": (5, {}),
}

# (metric key, label, bar as (op, value) or None)
COLUMNS = {
    "gaussian": [("mean", "mean", None), ("std", "std", None), ("wasserstein_1", "W1", None)],
    "dcgan": [
        ("fid", "digit-FID", None),
        ("class_coverage", "class coverage", None),
        ("recognisable", "recognisable", None),
    ],
    "cgan": [
        ("fid", "digit-FID", None),
        ("conditional_accuracy", "asked digit drawn", (">=", 0.95)),
    ],
    "vae": [
        ("fid", "digit-FID", None),
        ("class_coverage", "class coverage", None),
        ("recognisable", "recognisable", None),
    ],
}

# ==== Video families ============================================================

VIDEO_MINUTES = 30  # training budget of each video run (2 cores)
VIDEO_SHAPE = dict(data="moving_digits", image_size=32, num_frames=16)
DEMO_MINUTES = 9  # `make demo`'s budget (`tfvidgan demo --minutes`)
DEMO_CANDIDATES = ("vgan", "tgan", "mocogan")  # families that could be `make demo`'s
BAR_SEEDS = 3  # bars are judged on the mean of this many seeds
EVAL_SEED = 0  # noise of the evaluated samples (`make demo` and `tfvidgan eval` use 0)
FIRST_FRAME_SEED = 30_000  # real first frames given to image-to-video (not the eval's sets)
DIFFER = 1e-3  # two draws differ: mean squared difference above the frozen-clip threshold

# family -> [(metric, op, target)]; op ">=", "<=" or "in" (target = (low, high))
VIDEO_BARS = {
    "mocogan": [
        ("recognisable_frames", ">=", 0.80),
        ("digit_coverage", ">=", 1.0),
        ("clip_consistency", ">=", 0.90),
        ("frozen_fraction", "<=", 0.05),
    ],
    "video_cgan": [("class_accuracy", ">=", 0.95), ("clip_consistency", ">=", 0.95)],
    "image_to_video": [
        ("kept_digit", ">=", 0.90),
        ("motion_ratio", "in", (0.5, 2.0)),
        ("draws_differ", ">=", 0.90),
    ],
}
DEMO_BARS = [
    ("recognisable_frames", ">=", 0.60),
    ("digit_coverage", ">=", 1.0),
    ("clip_consistency", ">=", 0.90),
    ("frozen_fraction", "<=", 0.05),
]

# (metric, column label, format): "%" percent, "d" digits of ten, "f" plain number
VIDEO_COLUMNS = [
    ("steps", "steps", "i"),
    ("clips_per_s", "clips/s", "f"),
    ("recognisable_frames", "recognised frames", "%"),
    ("digit_coverage", "digits covered", "d"),
    ("clip_consistency", "clip consistency", "%"),
    ("frozen_fraction", "frozen clips", "%"),
    ("fvd", "FVD", "f"),
    ("class_accuracy", "class accuracy", "%"),
    ("kept_digit", "given digit kept", "%"),
    ("motion_ratio", "motion vs real", "f"),
    ("draws_differ", "two draws differ", "%"),
]


def video_families():
    """The video families of the registry, in registry order."""
    return [name for name, f in FAMILIES.items() if f.kind == "video"]


def default_seeds(family, mode):
    """3 seeds for the families with a bar and the demo candidates, else 1 (a first look)."""
    if mode == "demo" or family in VIDEO_BARS or family in DEMO_CANDIDATES:
        return list(range(BAR_SEEDS))
    return [0]


# ---- drawing and measuring ----------------------------------------------------


def _frame_digits(clips):
    from tfvidgan.metrics import classifiers

    return classifiers.frame_digit_probs(clips).argmax(axis=-1)  # (N, T)


def _majority(digits):
    """Most frequent digit of each row of ``digits (N, T)`` (ties: the smallest)."""
    return np.array([np.bincount(row, minlength=10).argmax() for row in digits])


def _render(dataset, num, cfg, seed):
    clips, labels = data.load_arrays(
        dataset, num, image_size=cfg.image_size, num_frames=cfg.num_frames, seed=seed
    )
    if labels is not None and labels.ndim > 1:
        labels = labels[:, 0]
    return data.to_float(clips).astype("float32"), labels


def draw(model, family, cfg, num):
    """``(samples, requested labels or None, extra)``: clips drawn as ``make demo`` and
    ``tfvidgan eval`` draw them (``model.sample``, seed 0); conditional families are
    asked for the digits 0..9 in turn; a model whose ``sample`` takes ``first_frames``
    gets real first frames, and ``extra`` holds them, their digits and a second draw."""
    if FAMILIES[family].conditional:
        requested = (np.arange(num) % cfg.num_classes).astype(np.int64)
        return model.sample(num, labels=requested, seed=EVAL_SEED), requested, None
    if "first_frames" in inspect.signature(model.sample).parameters:
        clips, labels = _render(cfg.data, num, cfg, FIRST_FRAME_SEED)
        first = clips[:, 0]
        samples = model.sample(num, seed=EVAL_SEED, first_frames=first)
        again = model.sample(num, seed=EVAL_SEED + 1, first_frames=first)
        return samples, None, dict(first=first, labels=labels, again=again)
    return model.sample(num, seed=EVAL_SEED), None, None


def flat_metrics(m):
    """The table's numbers from one side (``generated`` or ``baseline``) of an evaluation."""
    return {
        "recognisable_frames": m.get("recognisable_frames"),
        "digit_coverage": m.get("digit_coverage"),
        "clip_consistency": m.get("clip_consistency"),
        "frozen_fraction": m.get("motion", {}).get("frozen_fraction"),
        "motion_energy": m.get("motion", {}).get("frame_difference_energy"),
        "fvd": m.get("fvd"),
    }


def measure_video(run_dir, family, num):
    """Evaluate a video run: ``(generated, baseline)`` dicts of the table's metrics."""
    from tfvidgan.metrics import motion

    model, cfg = load_run(run_dir)
    samples, requested, extra = draw(model, family, cfg, num)
    res = evaluate_samples(
        samples,
        cfg.data,
        requested_labels=requested,
        image_size=cfg.image_size,
        num_frames=cfg.num_frames,
        seed=0,
    )
    gen, base = flat_metrics(res["generated"]), flat_metrics(res["baseline"])
    if requested is not None:  # the clip's majority digit is the asked one
        gen["class_accuracy"] = float(np.mean(_majority(_frame_digits(samples)) == requested))
        base_clips, base_labels = _render(cfg.data, num, cfg, BASELINE_SEED_OFFSET)
        base["class_accuracy"] = float(np.mean(_majority(_frame_digits(base_clips)) == base_labels))
    if extra is not None:  # image to video: the given frame's digit, motion, two draws
        labels = extra["labels"]
        if labels is None:  # no labels: the digit classifier's reading of the given frame
            from tfvidgan.metrics import classifiers

            labels = classifiers.image_probs(extra["first"]).argmax(axis=-1)
        gen["kept_digit"] = float(np.mean(_frame_digits(samples)[:, 1:] == labels[:, None]))
        reference, _ = _render(cfg.data, num, cfg, REAL_SEED_OFFSET)
        real_energy = motion.mean_frame_difference_energy(reference)
        gen["motion_ratio"] = gen["motion_energy"] / real_energy
        base["motion_ratio"] = base["motion_energy"] / real_energy
        diff = np.mean(np.square(samples[:, 1:] - extra["again"][:, 1:]), axis=(1, 2, 3, 4))
        gen["draws_differ"] = float(np.mean(diff > DIFFER))
        base_clips, base_labels = _render(cfg.data, num, cfg, BASELINE_SEED_OFFSET)
        base["kept_digit"] = float(
            np.mean(_frame_digits(base_clips)[:, 1:] == base_labels[:, None])
        )
    return gen, base


class Timer(keras.callbacks.Callback):
    """Seconds and generator steps of the training itself (no data rendering, no saving)."""

    def on_train_begin(self, logs=None):
        self.start, self.first_step = time.perf_counter(), self.model.trained_steps

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start
        self.steps = self.model.trained_steps - self.first_step


def run_video(family, seed, mode, args, changes, out):
    """Train (or resume) one video run and write its JSON; returns the result."""
    if mode == "demo":  # what `make demo` trains: the preset as it is, at most 9 minutes
        budget = {"max_minutes": DEMO_MINUTES * args.scale}
        shape = {}
    else:
        budget = {"steps": 10**6, "max_minutes": VIDEO_MINUTES * args.scale}
        shape = VIDEO_SHAPE
    if "steps" in changes:  # --steps N: the same number of steps for every run, no time budget
        budget = {"max_minutes": None}
    cfg = get_config(family, args.preset, **{**shape, **changes, **budget, "seed": seed})
    run_dir = out / mode / family / f"seed{seed}"
    path = out / mode / f"quality_{family}_seed{seed}.json"
    if path.exists():  # measured already: delete the JSON (and the run folder) to redo it
        print(f"{family} seed {seed}: measured already ({path})")
        return json.loads(path.read_text())
    timer = Timer()
    train(cfg, run_dir, extra_callbacks=[timer], verbose=2)
    gen, base = measure_video(run_dir, family, args.num)
    steps = json.loads((run_dir / "checkpoint.json").read_text())["step"]
    gen["steps"] = steps
    if getattr(timer, "steps", 0):
        gen["clips_per_s"] = timer.steps * cfg.batch_size / timer.seconds
    result = {
        "family": family,
        "mode": mode,
        "seed": seed,
        "preset": args.preset,
        "shape": f"{cfg.num_frames}x{cfg.image_size}x{cfg.image_size}",
        "minutes": budget["max_minutes"],
        "threads": args.threads or os.cpu_count(),
        "num": args.num,
        "generated": gen,
        "baseline": base,
    }
    path.write_text(json.dumps(result, indent=2))
    return result


# ---- the video tables -----------------------------------------------------------


def _fmt(values, kind):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else None
    scale, unit, digits = {"%": (100, " %", 1), "d": (10, " of 10", 1), "i": (1, "", 0)}.get(
        kind, (1, "", 3 if abs(mean) < 10 else 1)
    )
    text = f"{mean * scale:.{digits}f}"
    if std is not None:
        text += f" ± {std * scale:.{digits}f}"
    return text + unit


def _passes(value, op, target):
    if op == "in":
        return target[0] <= value <= target[1]
    return value >= target if op == ">=" else value <= target


def _verdict(runs, bars):
    if not bars:
        return "no bar"
    if len(runs) < BAR_SEEDS:
        return f"not judged ({BAR_SEEDS} seeds needed)"
    failed = []
    for key, op, target in bars:
        values = [r["generated"].get(key) for r in runs]
        if any(v is None for v in values):
            failed.append(f"{key} missing")
        elif not _passes(statistics.fmean(values), op, target):
            bar = f"in [{target[0]}, {target[1]}]" if op == "in" else f"{op} {target}"
            failed.append(f"{key} {bar}")
    return "pass" if not failed else "FAIL: " + ", ".join(failed)


def print_video_table(out, mode):
    """One Markdown table of every run JSON under ``<out>/<mode>``: a row per family
    (mean ± std over its seeds) and the real-versus-real row."""
    runs = {}
    for path in sorted((out / mode).glob("quality_*_seed*.json")):
        r = json.loads(path.read_text())
        runs.setdefault(r["family"], []).append(r)
    if not runs:
        return
    families = [f for f in FAMILIES if f in runs] + [f for f in runs if f not in FAMILIES]
    first = runs[families[0]][0]
    budget = "fixed steps" if first["minutes"] is None else f"{first['minutes']:g} min"
    if mode == "demo":
        title = f"Demo candidates: each demo preset as `make demo` trains it, {budget}"
    else:
        title = f"Video families: {first['shape']} moving digits, {budget}"
    threads = sorted({r["threads"] for rs in runs.values() for r in rs})
    mixed = {(r["shape"], r["num"], r["minutes"]) for rs in runs.values() for r in rs}
    if len(mixed) > 1:
        print(f"\nnote: runs of different shapes / clip counts / budgets in one table: {mixed}")
    print(f"\n{title}, {'/'.join(map(str, threads))} threads, {first['num']} clips per row\n")
    cols = [
        c for c in VIDEO_COLUMNS if any(c[0] in r["generated"] for rs in runs.values() for r in rs)
    ]
    print("| family | seeds | " + " | ".join(c[1] for c in cols) + " | bars |")
    print("|---" * (len(cols) + 3) + "|")
    for family in families:
        rs = runs[family]
        seeds = f"{len(rs)} seed" + ("s" if len(rs) > 1 else ": first look")
        cells = [_fmt([r["generated"].get(k) for r in rs], kind) for k, _, kind in cols]
        bars = DEMO_BARS if mode == "demo" else VIDEO_BARS.get(family, [])
        print(f"| {family} | {seeds} | " + " | ".join(cells) + f" | {_verdict(rs, bars)} |")
    base = {}
    for rs in runs.values():
        for r in rs:
            base.update({k: v for k, v in r["baseline"].items() if v is not None})
    cells = [
        "-" if k in ("steps", "clips_per_s") else _fmt([base.get(k)], kind) for k, _, kind in cols
    ]
    print("| real vs real | - | " + " | ".join(cells) + " | |")


# ==== Image families =============================================================


def run_image(family, args, changes, out):
    minutes, overrides = BUDGETS[family]
    # --steps N: the same number of steps for every run (e.g. float32 against bf16), no time budget
    budget = (
        {"max_minutes": None}
        if "steps" in changes
        else {"steps": 100_000, "max_minutes": minutes * args.scale}
    )
    cfg = get_config(family, args.preset, **{**overrides, **changes, **budget})
    run_dir = out / family
    start = time.perf_counter()
    train(cfg, run_dir, verbose=2)
    elapsed = (time.perf_counter() - start) / 60
    result = evaluate_run(run_dir, num=args.num)
    result["minutes"] = round(elapsed, 1) if "steps" in changes else minutes * args.scale
    result["steps"] = json.loads((run_dir / "checkpoint.json").read_text())["step"]
    result["threads"] = args.threads or os.cpu_count()
    (out / f"quality_{family}.json").write_text(json.dumps({family: result}, indent=2))


def lookup(metrics, key):
    for part in key.split("."):
        metrics = metrics.get(part) if isinstance(metrics, dict) else None
    return metrics


def verdict(value, bar):
    if bar is None or value is None:
        return ""
    op, target = bar
    ok = value >= target if op == ">=" else value <= target
    return " (pass)" if ok else f" (FAIL: bar {op} {target})"


def print_image_table(out: Path):
    """One Markdown table of every ``quality_<family>.json`` of an image family in ``out``."""
    results = {}
    for family in BUDGETS:
        path = out / f"quality_{family}.json"
        if path.exists():
            results.update(json.loads(path.read_text()))
    if not results:
        return
    print("\n| family | budget (steps) | metric | generated | real vs real |")
    print("|---|---|---|---|---|")
    for family in [f for f in BUDGETS if f in results]:
        res = results[family]
        t = res["threads"]
        budget = f"{res['minutes']:g} min, {t} thread{'s' * (t > 1)} ({res['steps']} steps)"
        for key, label, bar in COLUMNS[family]:
            g, b = lookup(res["generated"], key), lookup(res["baseline"], key)
            fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
            print(f"| {family} | {budget} | {label} | {fmt(g)}{verdict(g, bar)} | {fmt(b)} |")


# ==== The command line ============================================================


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = list(BUDGETS) + video_families()
    parser.add_argument("--only", nargs="*", default=None, help=f"families among {names}")
    parser.add_argument(
        "--demo-candidates",
        action="store_true",
        help=f"the demo check of {', '.join(DEMO_CANDIDATES)} (or those of --only)",
    )
    parser.add_argument(
        "--seeds", nargs="*", type=int, default=None, help="training seeds of every video run"
    )
    parser.add_argument("--preset", default="demo", help="preset of every run (tiny: a smoke test)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every time budget")
    parser.add_argument("--num", type=int, default=1000, help="samples per evaluation")
    parser.add_argument("--out", default="runs/quality")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="TensorFlow threads (0 = all cores); 1 lets two invocations run side by side",
    )
    add_config_flags(
        parser.add_argument_group("recipe: any `tfvidgan train` flag, applied to every family run")
    )
    args = parser.parse_args()
    changes = {k: v for k, v in vars(args).items() if k in config_fields() and v is not None}
    if "max_minutes" in changes:
        parser.error("--max-minutes: this script trains for fixed budgets (use --scale or --steps)")
    if "seed" in changes:
        parser.error("--seed: use --seeds (the training seeds of the video runs)")
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    mode = "demo" if args.demo_candidates else "video"
    if args.demo_candidates:
        families = list(args.only or DEMO_CANDIDATES)
    else:
        families = args.only if args.only is not None else names
    unknown = [f for f in families if f not in names]
    if unknown:
        parser.error(f"unknown families {unknown}; choose among {names}")

    out = Path(args.out)
    (out / mode).mkdir(parents=True, exist_ok=True)
    notes = []
    for family in families:
        try:
            family_module(family)
        except ModuleNotFoundError as err:
            notes.append(f"{family}: skipped, its file is not there yet ({err})")
            continue
        if family in BUDGETS:
            if args.demo_candidates:
                notes.append(f"{family}: skipped, an image family is no demo candidate")
                continue
            run_image(family, args, changes, out)
            continue
        for seed in args.seeds if args.seeds is not None else default_seeds(family, mode):
            try:
                run_video(family, seed, mode, args, changes, out)
            except Exception as err:  # one failed run must not end a night of runs
                first_line = str(err).splitlines()[0] if str(err) else ""
                notes.append(f"{family} seed {seed}: FAILED, {type(err).__name__}: {first_line}")
    print_image_table(out)
    print_video_table(out, "video")
    print_video_table(out, "demo")
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
