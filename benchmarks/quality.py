"""Quality benchmark: train each family on the offline data for a fixed CPU
budget, then measure it with the offline evaluators (``tfvidgan.evaluate``).

Every row of the table has its real-vs-real baseline beside it (a second real
set rendered with another seed): the score a perfect generator would get at
this sample size. Bars (issue "Measuring what a GAN made"):

* cgan, <= 10 min: draws the asked digit >= 95% of the time;
* vgan on moving digits (32x32, 16 frames), <= 30 min: recognisable digits in
  >= 80% of frames, all ten digits, the same digit across a clip >= 90% of
  the time, clips that move (not frozen).

Run: ``python benchmarks/quality.py`` (about 60 minutes on 2 cores);
``--only vgan`` or ``--scale 0.1`` (budgets x 0.1) for a quick look;
``--threads 1`` to run two families side by side, one core each;
``--steps N`` trains every run exactly N steps instead of its time budget (to
compare, say, ``--precision float32`` with ``--precision mixed_bfloat16`` step for step);
any ``tfvidgan train`` flag to measure another recipe, e.g.
``--only vgan --loss hinge --ema 0.999 --out runs/quality_hinge``. Runs go to
``runs/quality/<family>`` and are resumed if present; each family's metrics go
to ``runs/quality/quality_<family>.json`` and the table printed at the end
holds every family measured there so far.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tfvidgan.cli import add_config_flags, config_fields  # noqa: E402
from tfvidgan.config import get_config  # noqa: E402
from tfvidgan.evaluate import evaluate_run  # noqa: E402
from tfvidgan.train import train  # noqa: E402

# family -> (training minutes, config overrides)
BUDGETS = {
    "gaussian": (2, {}),
    "dcgan": (10, {}),
    "cgan": (10, {}),
    "vae": (5, {}),
    "vgan": (30, {"image_size": 32, "num_frames": 16}),
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
    "vgan": [
        ("fvd", "FVD", None),
        ("recognisable_frames", "recognisable frames", (">=", 0.80)),
        ("digit_coverage", "digit coverage", (">=", 1.0)),
        ("clip_consistency", "clip consistency", (">=", 0.90)),
        ("motion.frozen_fraction", "frozen clips", ("<=", 0.05)),
        ("motion.flow_mean_magnitude", "flow px/frame", None),
    ],
}


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=list(BUDGETS), choices=list(BUDGETS))
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every time budget")
    parser.add_argument("--num", type=int, default=1000, help="samples per evaluation")
    parser.add_argument("--out", default="runs/quality")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="TensorFlow threads (0 = all cores); 1 lets two families run side by side",
    )
    add_config_flags(
        parser.add_argument_group("recipe: any `tfvidgan train` flag, applied to every family run")
    )
    args = parser.parse_args()
    changes = {k: v for k, v in vars(args).items() if k in config_fields() and v is not None}
    if "max_minutes" in changes:
        parser.error(
            "--max-minutes: this script trains for its fixed time budgets (use --scale, or --steps)"
        )
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    out = Path(args.out)
    for family in args.only:
        minutes, overrides = BUDGETS[family]
        # --steps N: the same number of steps for every run (e.g. float32 against bf16), no time budget
        budget = (
            {"max_minutes": None}
            if "steps" in changes
            else {"steps": 100_000, "max_minutes": minutes * args.scale}
        )
        cfg = get_config(family, "demo", **{**overrides, **changes, **budget})
        run_dir = out / family
        start = time.perf_counter()
        train(cfg, run_dir, verbose=2)
        elapsed = (time.perf_counter() - start) / 60
        result = evaluate_run(run_dir, num=args.num)
        result["minutes"] = round(elapsed, 1) if "steps" in changes else minutes * args.scale
        result["steps"] = json.loads((run_dir / "checkpoint.json").read_text())["step"]
        result["threads"] = args.threads or os.cpu_count()
        (out / f"quality_{family}.json").write_text(json.dumps({family: result}, indent=2))
    print_table(out)


def print_table(out: Path):
    """One Markdown table of every ``quality_<family>.json`` in ``out`` (runs made
    by separate invocations, e.g. two families side by side, land in one table)."""
    results = {}
    for path in sorted(out.glob("quality_*.json")):
        results.update(json.loads(path.read_text()))
    print("\n| family | budget (steps) | metric | generated | real vs real |")
    print("|---|---|---|---|---|")
    for family in [f for f in BUDGETS if f in results]:
        res = results[family]
        for key, label, bar in COLUMNS[family]:
            g, b = lookup(res["generated"], key), lookup(res["baseline"], key)
            fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
            budget = f"{res['minutes']:g} min, {res['threads']} thread{'s' * (res['threads'] > 1)} ({res['steps']} steps)"
            print(f"| {family} | {budget} | {label} | {fmt(g)}{verdict(g, bar)} | {fmt(b)} |")


if __name__ == "__main__":
    main()
