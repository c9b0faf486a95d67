"""Checks for the exercises of notebook 07 (video data pipelines).

Each ``check_*`` takes the student's answer, calls it, and raises an
``AssertionError`` with a hint when it is wrong. Use them through
:func:`tfvidgan.course.check`.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np

from tfvidgan import video_io
from tfvidgan.data import video_files


def check_kept_indices(my_kept_indices) -> None:
    """Exercise 7.1: ``my_kept_indices(num_frames, step)`` lists the source frames kept
    with a (possibly fractional) step, like :func:`tfvidgan.data.video_files.kept_frame_indices`."""
    for n, step in [(10, 1), (10, 3), (10, 2.5), (25, 25 / 8), (7, 7), (3, 0.5), (30, 1.2)]:
        want = video_files.kept_frame_indices(n, step).tolist()
        got = my_kept_indices(n, step)
        assert got is not None, "return the list of kept frame indices"
        got = [int(v) for v in got]
        assert got == want, (
            f"num_frames={n}, step={step}: expected {want}, got {got}. Kept frame k is source "
            "frame floor(k * step), for every k whose index is still < num_frames."
        )


def check_clip_starts(my_clip_starts) -> None:
    """Exercise 7.2: ``my_clip_starts(num_available, num_frames, clips)`` gives evenly
    spaced starts like ``clip_starts(..., sampling="even")``, never past the end."""
    for n, t, k in [(20, 16, 3), (20, 16, 1), (16, 16, 2), (100, 16, 5), (17, 16, 4), (50, 8, 1)]:
        got = my_clip_starts(n, t, k)
        assert got is not None, "return the list of start indices"
        got = [int(v) for v in got]
        assert len(got) == k, f"{k} clips need {k} starts, got {len(got)}"
        assert all(0 <= s <= n - t for s in got), (
            f"{n} frames, clips of {t}: every start must be in [0, {n - t}], got {got}. "
            f"A start of {n - t + 1} would need frame {n}, which does not exist (the tutorial's "
            "off-by-one)."
        )
        want = video_files.clip_starts(n, t, k, "even").tolist()
        assert got == want, (
            f"{n} frames, {k} clips of {t}: expected {want}, got {got}. One clip: the middle "
            "start (n - t) // 2; several: round(linspace(0, n - t, clips))."
        )


def _bad_folder(root: Path) -> set[str]:
    clip = np.zeros((12, 32, 32, 3), np.uint8)
    clip[:, 8:24, 8:24] = 200
    video_io.write_mp4(root / "good.mp4", clip)
    video_io.write_gif(root / "good.gif", clip)
    (root / "empty.mp4").write_bytes(b"")
    (root / "notes.avi").write_text("not a video at all\n" * 20)
    (root / "noise.webm").write_bytes(np.random.default_rng(0).bytes(4000))
    (root / "broken.gif").write_bytes(b"GIF89a" + bytes(30))
    return {"empty.mp4", "notes.avi", "noise.webm", "broken.gif"}


def check_find_unreadable(find_unreadable) -> None:
    """Exercise 7.3: ``find_unreadable(folder)`` returns the set of file names in
    ``folder`` that :func:`tfvidgan.data.video_clips` skips as unreadable."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        want = _bad_folder(root)
        got = find_unreadable(root)
        assert got is not None, "return a set of file names, e.g. {'empty.mp4'}"
        got = {Path(p).name for p in got}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            skipped = {Path(p).name for p in video_files.video_clips(root, 4).skipped}
        assert skipped == want  # the library itself (a guard for this check)
        assert got == want, (
            f"expected {sorted(want)}, got {sorted(got)}. Try tfvidgan.data.probe_video(path) "
            "on every file of list_videos(folder).paths and keep the names where it raises "
            "ValueError."
        )
