"""Moving MNIST: the standard 10,000 test sequences of Srivastava et al. 2015.

Paper: "Unsupervised Learning of Video Representations using LSTMs",
https://arxiv.org/abs/1502.04681; data: https://www.cs.toronto.edu/~nitish/unsupervised_video/.
The file ``mnist_test_seq.npy`` (about 780 MiB) holds uint8 frames stored as
``(20, 10000, 64, 64)``: time first, then the sequence. Two digits bounce in every
64x64 frame; there are no labels.

Example::

    from tfvidgan.data import moving_mnist
    videos = moving_mnist.load_moving_mnist()          # (10000, 20, 64, 64, 1) uint8
    ds = tfvidgan.data.make_dataset("moving_mnist", batch_size=16, num_frames=16)

The file is looked for at ``path``, then at :func:`default_path`
(``<tfvidgan.downloads.data_dir()>/moving_mnist/mnist_test_seq.npy``), and
downloaded there when missing (``$TFVIDGAN_MOVING_MNIST_URL`` overrides the
address). Offline, the error says what to download and where to put it.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from tfvidgan import downloads

__all__ = ["URL", "FILENAME", "default_path", "load_moving_mnist", "render"]

URL = "https://www.cs.toronto.edu/~nitish/unsupervised_video/mnist_test_seq.npy"
FILENAME = "mnist_test_seq.npy"
SEQUENCES, FRAMES, SIZE = 10_000, 20, 64


def default_path() -> Path:
    """``<data_dir>/moving_mnist/mnist_test_seq.npy`` (see :func:`tfvidgan.downloads.data_dir`)."""
    return downloads.data_dir() / "moving_mnist" / FILENAME


def _url() -> str:
    return os.environ.get("TFVIDGAN_MOVING_MNIST_URL", URL)


def load_moving_mnist(path=None, *, download=True, timeout=downloads.DEFAULT_TIMEOUT, sha256=None):
    """The Moving MNIST sequences as ``uint8 (N, T, 64, 64, 1)`` (N = 10000, T = 20).

    Args:
        path: an ``mnist_test_seq.npy`` you already have (``None``: :func:`default_path`).
        download: fetch the file into :func:`default_path` when it is missing.
        timeout: seconds allowed for every network step.
        sha256: optional expected SHA-256 of the downloaded file.

    Returns:
        A read-only, memory-mapped view (nothing is loaded until used), sequence first.

    Raises:
        FileNotFoundError: no file and ``download=False`` (the message says where to put it).
        ConnectionError: the download failed (offline: what to download and where).
        ValueError: the file is not ``(T, N, H, W)`` uint8 frames.
    """
    target = Path(path).expanduser() if path is not None else default_path()
    if not target.is_file():
        if path is not None or not download:
            raise FileNotFoundError(
                f"no Moving MNIST file at {target}. Download {URL} (about 780 MiB) and put it "
                f"there, or at {default_path()}"
            )
        downloads.download(
            _url(), target, what="Moving MNIST (mnist_test_seq.npy, about 780 MiB)",
            timeout=timeout, sha256=sha256, keep_partial=True,
        )  # fmt: skip
    try:
        frames = np.load(target, mmap_mode="r")
    except (OSError, ValueError) as err:
        raise ValueError(
            f"{target} is not a readable .npy file ({err}); delete it and download {URL} again"
        ) from err
    if frames.dtype != np.uint8 or frames.ndim != 4:
        raise ValueError(
            f"{target} holds {frames.dtype} of shape {frames.shape}; Moving MNIST is uint8 "
            f"frames stored as (20, 10000, 64, 64) = (T, N, H, W)"
        )
    return np.transpose(frames, (1, 0, 2, 3))[..., None]  # (N, T, H, W, 1), still a view


def render(num, image_size=64, num_frames=16, seed=0, path=None):
    """``num`` random sequences, cut to ``num_frames`` and resized: registry adapter.

    Args:
        num: sequences to take (drawn without replacement while there are enough).
        image_size: frame side (64 keeps the original pixels; others use area resizing).
        num_frames: frames per clip, at most the file's 20; the start is random per clip.
        seed: seeds which sequences and starts.
        path: the ``.npy`` file (``None``: the default one, downloaded if needed).

    Returns:
        ``(uint8 (num, num_frames, image_size, image_size, 1), None)``: no labels.
    """

    videos = load_moving_mnist(path)
    n, t = videos.shape[:2]
    if not 1 <= num_frames <= t:
        raise ValueError(
            f"Moving MNIST clips have {t} frames; num_frames={num_frames} is not possible"
        )
    rng = np.random.default_rng(seed)
    picks = rng.choice(n, size=num, replace=num > n)
    starts = rng.integers(0, t - num_frames + 1, size=num)
    out = np.empty((num, num_frames, image_size, image_size, 1), np.uint8)
    for k, (i, s) in enumerate(zip(picks, starts)):
        clip = np.asarray(videos[i, s : s + num_frames, ..., 0])
        if clip.shape[1:] != (image_size, image_size):
            interp = cv2.INTER_AREA if image_size < clip.shape[1] else cv2.INTER_LINEAR
            clip = np.stack(
                [cv2.resize(f, (image_size, image_size), interpolation=interp) for f in clip]
            )
        out[k, ..., 0] = clip
    return out, None
