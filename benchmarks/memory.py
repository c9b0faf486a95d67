"""Does a long run's memory grow? Resident memory (RSS) over a demo-preset run.

    python benchmarks/memory.py --minutes 30                # the first video family's demo
    python benchmarks/memory.py --model dcgan --minutes 10 --checkpoint-every 50

Trains with the package's own ``train`` (callbacks, checkpoints every
``--checkpoint-every`` steps, TensorBoard logs: everything a real run does) and
reads the process's resident memory from ``/proc/self/status`` every
``--every`` seconds. Prints a table and the growth after the first minute
(TensorFlow allocates its caches while the first steps are traced), and
writes it as JSON next to the run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import keras


def rss_mb() -> float:
    """This process's resident memory in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise OSError("no VmRSS in /proc/self/status (not Linux?)")


class RecordMemory(keras.callbacks.Callback):
    """Append ``(seconds, step, RSS MiB)`` every ``every`` seconds of training."""

    def __init__(self, every: float):
        super().__init__()
        self.every, self.rows = every, []

    def on_train_begin(self, logs=None):
        self.start = self.last = time.monotonic()
        self.rows.append((0.0, self.model.trained_steps, rss_mb()))

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.rows.append((now - self.start, self.model.trained_steps, rss_mb()))

    def on_train_end(self, logs=None):
        self.rows.append((time.monotonic() - self.start, self.model.trained_steps, rss_mb()))


def main(argv=None) -> dict:
    from tfvidgan import models
    from tfvidgan.config import get_config
    from tfvidgan.train import train

    video = next(n for n, f in models.FAMILIES.items() if f.kind == "video")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=video)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds between readings")
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--out", default=None, help="run folder (default: a temporary one)")
    args = parser.parse_args(argv)

    out = Path(args.out or tempfile.mkdtemp(prefix="tfvidgan-memory-"))
    cfg = get_config(
        args.model, "demo", steps=10**9, max_minutes=args.minutes,
        checkpoint_every=args.checkpoint_every,
    )  # fmt: skip
    record = RecordMemory(args.every)
    train(cfg, out, extra_callbacks=[record], verbose=0, write_outputs=False)

    print(f"\n{args.model} demo preset, {args.minutes:g} min, checkpoint every "
          f"{args.checkpoint_every} steps")  # fmt: skip
    print(f"{'minute':>7} {'step':>7} {'RSS MiB':>9}")
    for seconds, step, mb in record.rows:
        print(f"{seconds / 60:7.1f} {step:7d} {mb:9.1f}")
    end = record.rows[-1]
    settled = [r for r in record.rows if r[0] >= 60] or [end]
    growth = end[2] - settled[0][2]
    minutes = max((end[0] - settled[0][0]) / 60, 1e-9)
    half = next(r for r in record.rows if r[0] >= end[0] / 2)  # warm-up long past
    half_growth = end[2] - half[2]
    summary = {
        "model": args.model,
        "minutes": args.minutes,
        "checkpoint_every": args.checkpoint_every,
        "rows": record.rows,
        "rss_after_first_minute_mb": settled[0][2],
        "rss_end_mb": record.rows[-1][2],
        "growth_mb": growth,
        "growth_mb_per_minute": growth / minutes,
        "second_half_growth_mb": half_growth,
    }
    print(
        f"after the first minute: {settled[0][2]:.1f} MiB -> {record.rows[-1][2]:.1f} MiB "
        f"({growth:+.1f} MiB, {growth / minutes:+.2f} MiB/min); over the second half "
        f"(from minute {half[0] / 60:.1f}): {half_growth:+.1f} MiB"
    )
    (out / "memory.json").write_text(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    main()
