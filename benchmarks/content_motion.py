"""The content/motion picture of a trained run (mocogan, video_cgan, image_to_video).

``python benchmarks/content_motion.py --run runs/demo --out figures/mocogan_content_motion``
writes ``OUT.gif``, all ``rows x cols`` clips of ``model.content_motion_grid`` playing at once
(row i: content code i under every motion; column j: motion j under every content code), and
``OUT.png``, their frames: content code 0 under each motion, then motion 0 under each content.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tfvidgan import video_io  # noqa: E402
from tfvidgan.train import load_run  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", required=True, help="run folder written by `tfvidgan train`")
    parser.add_argument("--out", required=True, help="output path without suffix")
    parser.add_argument("--rows", type=int, default=4, help="content codes")
    parser.add_argument("--cols", type=int, default=4, help="motions")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    model, _ = load_run(args.run)
    if not hasattr(model, "content_motion_grid"):
        parser.error(f"{args.run}: this family does not separate content and motion")
    grid = model.content_motion_grid(args.rows, args.cols, seed=args.seed)
    video_io.write_gif(args.out + ".gif", video_io.video_grid(grid, ncols=args.cols))
    frames = np.concatenate([grid[: args.cols], grid[:: args.cols]])
    video_io.save_png(args.out + ".png", video_io.video_frames_grid(frames))
    print(f"wrote {args.out}.gif and {args.out}.png")


if __name__ == "__main__":
    main()
