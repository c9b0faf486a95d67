"""Reading, writing, tiling and displaying videos.

Conventions used everywhere in tfvidgan
---------------------------------------
* one clip is an array of shape ``(T, H, W, C)`` (frames, height, width,
  channels); a batch of clips is ``(N, T, H, W, C)``; one image is
  ``(H, W, C)``. Channels come last and ``C`` is 1 (grey) or 3 (RGB).
* inside the package pixels are ``float32`` in ``[-1, 1]`` (the range of a
  ``tanh`` generator output). ``uint8`` in ``[0, 255]`` only appears at the
  file boundary. :func:`to_uint8` is the one place where we convert.

Every function here accepts NumPy arrays *and* TensorFlow tensors; the module
itself does not import TensorFlow (and tensorflow-io is not used at all).

Long videos: :class:`VideoWriter` writes frame by frame (MP4, WebM, GIF) and
:func:`iter_frames` reads frame by frame, so neither holds the video in memory;
:func:`video_info` reads a file's frame rate and size without decoding it.
Post-processing (frame rate, smoothing, layouts, fades, latent walks) is in
:mod:`tfvidgan.postprocess`; clips for training from files in
:func:`tfvidgan.data.video_clips`.

Why three different backends?
-----------------------------
* **Animated GIF -> Pillow.** GIF needs no external program, every browser,
  Jupyter and Colab shows it, and it is lossless apart from the 256-colour
  palette. That makes it the safest format for looking at small GAN samples.
* **MP4 (H.264) and WebM (VP9) -> the FFmpeg binary bundled in the
  ``imageio-ffmpeg`` wheel.** Browsers only play MP4 files whose video track is
  H.264 in the ``yuv420p`` pixel format. The OpenCV wheels on PyPI cannot
  encode H.264 (their ``mp4v`` codec writes MPEG-4 part 2, which browsers
  refuse), whereas the FFmpeg that ships inside ``imageio-ffmpeg`` has
  ``libx264`` and ``libvpx-vp9`` built in and works offline.
* **OpenCV -> fallback only.** If FFmpeg fails, WebM is written with OpenCV's
  VP8 encoder (``VP80``), and non-GIF files are read with
  ``cv2.VideoCapture`` (which returns BGR frames, so we convert to RGB).

Frame sizes for MP4 / WebM
--------------------------
``yuv420p`` stores colour at half resolution, so width and height must be
even, and on a tiny 32x32 clip colour would be smeared over 2x2 blocks.
Very small frame sizes are also rejected by some hardware decoders. Before
encoding, :func:`encoded_frame_size` therefore

1. enlarges clips whose shorter side is below 64 pixels by an integer
   nearest-neighbour factor (each pixel becomes a k x k block) until the
   shorter side is at least 64, and
2. pads an odd height/width by one row/column (repeating the edge pixels).

So a 32x32 clip is stored as 64x64, a 28x28 clip as 84x84, a 64x64 clip stays
64x64, and a 65x65 clip becomes 66x66. GIF files always keep the exact size.
"""

from __future__ import annotations

import base64
import math
import tempfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import GifImagePlugin, Image, ImageSequence

VIDEO_SUFFIXES = (".gif", ".mp4", ".webm")
MIN_ENCODED_SIDE = 64  # shorter side of MP4/WebM frames is enlarged to >= this
MP4_CRF = 18  # libx264 quality: 0 = lossless, 23 = default, 51 = worst
WEBM_CRF = 24  # libvpx-vp9 quality: 0 = best, 63 = worst


# ---------------------------------------------------------------------------
# Converting and checking arrays
# ---------------------------------------------------------------------------


def _to_numpy(x) -> np.ndarray:
    """Turn a NumPy array, TensorFlow tensor or nested list into an ndarray."""
    if hasattr(x, "numpy"):  # eager tf.Tensor / tf.Variable
        x = x.numpy()
    return np.asarray(x)


def to_uint8(x) -> np.ndarray:
    """Convert pixels from the package's float range to ``uint8``.

    Args:
        x: array or tensor of any shape. Floats are read as ``[-1, 1]``
            (values outside are clipped); ``uint8`` passes through unchanged.

    Returns:
        ``uint8`` array of the same shape, computed as
        ``round((x + 1) * 127.5)``. So ``-1 -> 0``, ``1 -> 255`` and
        ``0 -> 128`` (127.5 rounds half to even, i.e. up to 128).

    Raises:
        ValueError: if ``x`` contains NaN (usually a diverged GAN).
        TypeError: for any other dtype (int32, bool, ...), because it is
            unclear whether such values mean [0, 255] or something else.
    """
    x = _to_numpy(x)
    if x.dtype == np.uint8:
        return x
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"to_uint8 expects float values in [-1, 1] or uint8 values in "
            f"[0, 255], got dtype {x.dtype}. Convert explicitly, e.g. "
            f"x.astype('uint8') or x.astype('float32') / 127.5 - 1."
        )
    if np.isnan(x).any():
        raise ValueError(
            f"the video/image contains NaN values ({int(np.isnan(x).sum())} of "
            f"{x.size}); the model probably diverged, so there is nothing "
            f"sensible to save."
        )
    scaled = (np.clip(x.astype(np.float32), -1.0, 1.0) + 1.0) * 127.5
    return np.rint(scaled).astype(np.uint8)


def _as_clip(video) -> np.ndarray:
    """Check one clip and return it as ``uint8`` of shape (T, H, W, C).

    Accepts (T, H, W) or (T, H, W, C) with C in {1, 3}.
    """
    video = _to_numpy(video)
    if video.ndim == 5:
        raise ValueError(
            f"got a batch of clips with shape {video.shape} (N, T, H, W, C); "
            f"a file holds one clip: tile the batch with video_grid(videos) "
            f"first, or pick one clip with videos[i]."
        )
    if video.ndim == 3:
        video = video[..., np.newaxis]  # (T, H, W) -> (T, H, W, 1)
    if video.ndim != 4 or video.shape[-1] not in (1, 3):
        raise ValueError(
            f"expected a clip of shape (T, H, W) or (T, H, W, C) with C in "
            f"{{1, 3}}, got shape {video.shape}."
        )
    if video.shape[0] == 0:
        raise ValueError("the clip has no frames (T == 0).")
    return to_uint8(video)


def _as_float_or_uint8(x) -> np.ndarray:
    """Return ``x`` as float32 or uint8 (the two pixel types we support)."""
    x = _to_numpy(x)
    if x.dtype == np.uint8:
        return x
    if np.issubdtype(x.dtype, np.floating):
        return x.astype(np.float32)
    raise TypeError(f"expected float or uint8 pixels, got dtype {x.dtype}.")


def _gray_to_rgb(video: np.ndarray) -> np.ndarray:
    """(..., 1) -> (..., 3) by repeating the grey channel; RGB unchanged."""
    if video.shape[-1] == 1:
        return np.repeat(video, 3, axis=-1)
    return video


def _check_fps(fps) -> float:
    fps = float(fps)
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}.")
    return fps


# ---------------------------------------------------------------------------
# Output paths
# ---------------------------------------------------------------------------


def _prepare_output_path(path) -> Path:
    """Create parent folders and make sure ``path`` can be written.

    Raises an ``OSError`` that names the path if the location is not writable
    (e.g. a parent "folder" that is actually a file, or no permission).
    """
    path = Path(path)
    for folder in path.parents:  # a common mistake: a "folder" that is a file
        if folder.is_file():
            raise OSError(f"cannot write to '{path}': '{folder}' is a file, not a folder.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):  # opening for append creates but never truncates
            pass
    except OSError as err:
        reason = err.strerror or str(err)
        raise OSError(f"cannot write to '{path}': {reason}") from err
    return path


# ---------------------------------------------------------------------------
# Writing GIF (Pillow)
# ---------------------------------------------------------------------------


def _gif_frame(frame: np.ndarray) -> Image.Image:
    """(H, W, C) uint8 -> palette ("P") image with up to 256 colours.

    Grey frames map exactly onto a 256-level grey palette; colour frames get
    their own adaptive palette (no dithering, so flat areas stay flat).
    """
    if frame.shape[-1] == 1:
        return Image.fromarray(frame[..., 0], mode="L").convert("P")
    return Image.fromarray(frame, mode="RGB").convert(
        "P", palette=Image.Palette.ADAPTIVE, colors=256
    )


def write_gif(path, video, fps=8, loop=0) -> Path:
    """Write one clip as an animated GIF with Pillow.

    Args:
        path: output file, e.g. ``"samples/epoch_3.gif"`` (folders are created).
        video: (T, H, W, C) or (T, H, W); float in [-1, 1] or uint8; C in {1, 3}.
        fps: frames per second. GIF stores delays in 1/100 s, so the delay is
            ``round(100 / fps)`` hundredths, at least 2 (browsers slow down
            anything faster than 50 fps).
        loop: 0 = loop forever, n = play n extra times, None = play once.

    Returns:
        The ``pathlib.Path`` written. Reading it back gives exactly T frames of
        size H x W.

    Note:
        ``Image.save(save_all=True)`` merges identical consecutive frames into
        one longer frame. A static clip (a common video-GAN failure) would then
        read back with fewer frames, so we write the file frame by frame with
        Pillow's GIF helpers ``getheader`` / ``getdata``. Each frame carries
        its own colour table.
    """
    video = _as_clip(video)
    delay_ms = 10 * max(2, round(100 / _check_fps(fps)))
    path = _prepare_output_path(path)
    frames = [_gif_frame(frame) for frame in video]

    header_info = {"duration": delay_ms}
    if loop is not None:
        header_info["loop"] = int(loop)
    header, _ = GifImagePlugin.getheader(frames[0], info=header_info)
    with open(path, "wb") as f:
        f.writelines(header)
        for frame in frames:
            chunks = GifImagePlugin.getdata(frame, duration=delay_ms, include_color_table=True)
            f.writelines(chunks)
        f.write(b";")  # GIF trailer byte
    return path


# ---------------------------------------------------------------------------
# Writing MP4 / WebM (imageio-ffmpeg, OpenCV fallback)
# ---------------------------------------------------------------------------


def encoded_frame_size(height: int, width: int) -> tuple[int, int]:
    """Frame size (height, width) that MP4 and WebM files are stored with.

    Small clips are enlarged by an integer factor ``k`` so that the shorter
    side is at least ``MIN_ENCODED_SIDE`` (64); odd sides then get one extra
    row/column because ``yuv420p`` needs even sizes.
    Examples: 32x32 -> 64x64, 28x28 -> 84x84, 64x64 -> 64x64, 65x65 -> 66x66.
    """
    k = _enlarge_factor(height, width)
    height, width = k * height, k * width
    return height + height % 2, width + width % 2


def _enlarge_factor(height: int, width: int) -> int:
    """Smallest integer k >= 1 with k * min(height, width) >= MIN_ENCODED_SIDE."""
    return max(1, math.ceil(MIN_ENCODED_SIDE / min(height, width)))


def _prepare_for_codec(video: np.ndarray) -> np.ndarray:
    """(T, H, W, C) uint8 -> (T, H', W', 3) uint8 with H', W' from
    :func:`encoded_frame_size` (nearest-neighbour enlarge, then edge-pad)."""
    video = _gray_to_rgb(video)
    _, h, w, _ = video.shape
    new_h, new_w = encoded_frame_size(h, w)
    k = _enlarge_factor(h, w)
    video = video.repeat(k, axis=1).repeat(k, axis=2)
    pad_h, pad_w = new_h - k * h, new_w - k * w
    video = np.pad(video, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    return np.ascontiguousarray(video)


def _ffmpeg_write(path: Path, video: np.ndarray, fps: float, codec: str, params):
    """Pipe (T, H, W, 3) uint8 RGB frames into the bundled FFmpeg."""
    _, h, w, _ = video.shape
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (w, h),  # FFmpeg wants (width, height)
        fps=fps,
        codec=codec,
        pix_fmt_in="rgb24",
        pix_fmt_out="yuv420p",
        quality=None,  # we pass our own -crf in params
        macro_block_size=1,  # sizes are already even: no rescaling by imageio
        output_params=list(params),
        ffmpeg_log_level="error",
    )
    writer.send(None)  # start the FFmpeg process
    try:
        for frame in video:
            writer.send(frame)
    finally:
        writer.close()  # flushes and waits for FFmpeg; raises if it failed


def write_mp4(path, video, fps=8) -> Path:
    """Write one clip as a browser-playable MP4 (H.264, ``yuv420p``).

    Args:
        path: output file ending in ``.mp4`` (folders are created).
        video: (T, H, W, C) or (T, H, W); float in [-1, 1] or uint8; C in {1, 3}.
        fps: frames per second.

    Returns:
        The ``pathlib.Path`` written. The stored frames are RGB of size
        ``encoded_frame_size(H, W)`` (e.g. a 32x32 clip becomes 64x64).
    """
    video = _prepare_for_codec(_as_clip(video))
    fps = _check_fps(fps)
    path = _prepare_output_path(path)
    params = ["-crf", str(MP4_CRF), "-preset", "medium", "-movflags", "+faststart"]
    try:
        _ffmpeg_write(path, video, fps, "libx264", params)
    except (OSError, RuntimeError) as err:
        raise OSError(f"FFmpeg could not write the MP4 file '{path}': {err}") from err
    return path


def _opencv_write_webm(path: Path, video: np.ndarray, fps: float):
    """Fallback: write (T, H, W, 3) uint8 RGB frames as VP8 WebM with OpenCV."""
    import cv2  # imported lazily: only needed when FFmpeg failed

    _, h, w, _ = video.shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"OpenCV could not open a VP8 writer for '{path}'.")
    for frame in video:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))  # OpenCV wants BGR
    writer.release()
    if path.stat().st_size == 0:
        raise OSError(f"OpenCV wrote an empty file '{path}'.")


def write_webm(path, video, fps=8) -> Path:
    """Write one clip as WebM: VP9 via FFmpeg, or VP8 via OpenCV as fallback.

    Args:
        path: output file ending in ``.webm`` (folders are created).
        video: (T, H, W, C) or (T, H, W); float in [-1, 1] or uint8; C in {1, 3}.
        fps: frames per second.

    Returns:
        The ``pathlib.Path`` written; frames have size
        ``encoded_frame_size(H, W)``, like MP4.
    """
    video = _prepare_for_codec(_as_clip(video))
    fps = _check_fps(fps)
    path = _prepare_output_path(path)
    params = ["-crf", str(WEBM_CRF), "-b:v", "0", "-deadline", "good",
              "-cpu-used", "4", "-row-mt", "1"]  # fmt: skip
    try:
        _ffmpeg_write(path, video, fps, "libvpx-vp9", params)
    except (OSError, RuntimeError) as ffmpeg_err:
        try:
            _opencv_write_webm(path, video, fps)
        except Exception as cv_err:
            raise OSError(
                f"could not write the WebM file '{path}': FFmpeg failed "
                f"({ffmpeg_err}) and the OpenCV fallback failed ({cv_err})."
            ) from cv_err
    return path


def write_video(path, video, fps=8) -> Path:
    """Write one clip; the format follows the suffix (.gif, .mp4 or .webm).

    Args:
        path: output file; its suffix picks :func:`write_gif`,
            :func:`write_mp4` or :func:`write_webm`.
        video: (T, H, W, C) or (T, H, W); float in [-1, 1] or uint8. For a
            batch (N, T, H, W, C) call :func:`video_grid` first.
        fps: frames per second.

    Returns:
        The ``pathlib.Path`` written.
    """
    writers = {".gif": write_gif, ".mp4": write_mp4, ".webm": write_webm}
    suffix = Path(path).suffix.lower()
    if suffix not in writers:
        raise ValueError(
            f"unknown video suffix '{suffix}' in '{path}'; use one of {', '.join(VIDEO_SUFFIXES)}."
        )
    return writers[suffix](path, video, fps=fps)


# ---------------------------------------------------------------------------
# Writing long videos frame by frame
# ---------------------------------------------------------------------------


class VideoWriter:
    """Write a long video a few frames at a time, never holding it all in memory.

    Example::

        with VideoWriter("walk.mp4", fps=24) as out:
            for clip in clips:          # each (T, H, W, C), float in [-1, 1] or uint8
                out.write(clip)
        print(out.frames_written)

    The format follows the suffix: ``.mp4`` (H.264 ``yuv420p`` through the FFmpeg of
    ``imageio-ffmpeg``), ``.webm`` (VP9, same FFmpeg) or ``.gif`` (Pillow, one frame
    after the other). Frame sizes follow the rules of :func:`write_video`: MP4/WebM
    frames become :func:`encoded_frame_size`, GIF keeps the exact size. If the
    ``with`` block raises, the frames written so far are still closed into a
    playable file.

    Args:
        path: output file (folders are created).
        fps: frames per second.
        loop: GIF only: 0 = loop forever, n = play n extra times, None = once.
    """

    def __init__(self, path, fps=8, loop=0):
        self.suffix = Path(path).suffix.lower()
        if self.suffix not in VIDEO_SUFFIXES:
            raise ValueError(
                f"unknown video suffix '{self.suffix}' in '{path}'; "
                f"use one of {', '.join(VIDEO_SUFFIXES)}."
            )
        self.fps = _check_fps(fps)
        self.loop = loop
        self.path = _prepare_output_path(path)
        self.frames_written = 0
        self._size = None  # (H, W, C) of the input frames
        self._ffmpeg = None
        self._gif = None
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _start(self, frame_shape):
        self._size = frame_shape
        h, w = frame_shape[:2]
        if self.suffix == ".gif":
            self._gif = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            return
        codec, params = (
            ("libx264", ["-crf", str(MP4_CRF), "-preset", "medium", "-movflags", "+faststart"])
            if self.suffix == ".mp4"
            else ("libvpx-vp9", ["-crf", str(WEBM_CRF), "-b:v", "0", "-deadline", "good",
                                 "-cpu-used", "4", "-row-mt", "1"])
        )  # fmt: skip
        out_h, out_w = encoded_frame_size(h, w)
        self._ffmpeg = imageio_ffmpeg.write_frames(
            str(self.path), (out_w, out_h), fps=self.fps, codec=codec, pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p", quality=None, macro_block_size=1, output_params=params,
            ffmpeg_log_level="error",
        )  # fmt: skip
        try:
            self._ffmpeg.send(None)
        except (OSError, RuntimeError) as err:
            raise OSError(f"FFmpeg could not start writing '{self.path}': {err}") from err

    def write(self, frames):
        """Append one frame ``(H, W, C)`` / ``(H, W)`` or several ``(T, H, W, C)``.

        Every frame must have the size and channel count of the first one.
        """
        if self._closed:
            raise ValueError(f"the VideoWriter of '{self.path}' is closed")
        x = _to_numpy(frames)
        if x.ndim == 2 or (x.ndim == 3 and x.shape[-1] in (1, 3)):
            x = x[None]  # one frame (H, W) or (H, W, C); (T, H, W) stays a grey clip
        clip = _as_clip(x)
        if self._size is None:
            self._start(clip.shape[1:])
        elif clip.shape[1:] != self._size:
            raise ValueError(
                f"frames of shape {clip.shape[1:]} after frames of shape {self._size}: every "
                "frame of a video needs the same size and channels (resize or convert first)"
            )
        if self._gif is not None:
            self._write_gif_frames(clip)
        else:
            for frame in _prepare_for_codec(clip):
                self._ffmpeg.send(frame)
        self.frames_written += len(clip)

    def _write_gif_frames(self, clip):
        delay_ms = 10 * max(2, round(100 / self.fps))
        for frame in clip:
            image = _gif_frame(frame)
            if self.frames_written == 0 and self._gif.tell() == 0:
                info = {"duration": delay_ms}
                if self.loop is not None:
                    info["loop"] = int(self.loop)
                header, _ = GifImagePlugin.getheader(image, info=info)
                self._gif.writelines(header)
            chunks = GifImagePlugin.getdata(image, duration=delay_ms, include_color_table=True)
            self._gif.writelines(chunks)

    def close(self):
        """Finish the file (safe to call twice). Raises if no frame was written."""
        if self._closed:
            return
        self._closed = True
        if self._gif is not None:
            self._gif.write(b";")
            self._gif.close()
        elif self._ffmpeg is not None:
            try:
                self._ffmpeg.close()
            except (OSError, RuntimeError) as err:
                raise OSError(f"FFmpeg could not finish '{self.path}': {err}") from err
        if self.frames_written == 0:
            self.path.unlink(missing_ok=True)
            raise ValueError(f"no frame was written to '{self.path}', so no file was made")


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _decode_error(path: Path, detail) -> ValueError:
    return ValueError(f"could not decode '{path}' (is it a complete video file?): {detail}")


def _read_gif(path: Path) -> np.ndarray:
    """All frames of a GIF as (T, H, W, 3) uint8 RGB, using Pillow."""
    try:
        with Image.open(path) as gif:
            frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise _decode_error(path, err) from err
    return np.stack(frames)


def _ffmpeg_read(path: Path) -> np.ndarray:
    """All frames as (T, H, W, 3) uint8 RGB, using the bundled FFmpeg."""
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    try:
        meta = next(reader)  # first item: dict with 'size' = (width, height)
        width, height = meta["size"]
        frames = [np.frombuffer(buf, np.uint8).reshape(height, width, 3) for buf in reader]
    finally:
        reader.close()  # stops the FFmpeg process
    if not frames:
        raise ValueError("FFmpeg found no frames")
    return np.stack(frames)


def _opencv_read(path: Path) -> np.ndarray:
    """Fallback reader: (T, H, W, 3) uint8 RGB via ``cv2.VideoCapture``."""
    import cv2  # imported lazily: only needed when FFmpeg failed

    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))  # OpenCV gives BGR
    capture.release()
    if not frames:
        raise ValueError("OpenCV found no frames")
    return np.stack(frames)


def read_video(path) -> np.ndarray:
    """Read every frame of a video file (for long ones see :func:`iter_frames`).

    GIFs are decoded with Pillow; everything else (mp4, webm, avi, mov, mkv, ...)
    with the bundled FFmpeg, falling back to OpenCV. Whatever the file's pixel
    format, frame rate or rotation metadata (applied, so frames come out as a player
    shows them), the result has the same convention.

    Args:
        path: file to read.

    Returns:
        ``uint8`` array of shape (T, H, W, 3), RGB (grey files come back as 3
        equal channels). Use ``x / 127.5 - 1`` to get the float range back.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is empty, truncated or not a video.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at '{path}'.")
    if path.suffix.lower() == ".gif":
        return _read_gif(path)
    try:
        return _ffmpeg_read(path)
    except (OSError, RuntimeError, ValueError) as ffmpeg_err:
        try:
            return _opencv_read(path)
        except Exception as cv_err:
            raise _decode_error(
                path, f"FFmpeg: {str(ffmpeg_err).splitlines()[0]}; OpenCV: {cv_err}"
            ) from cv_err


def iter_frames(path):
    """Yield the frames of a video one at a time, as ``uint8 (H, W, 3)`` RGB.

    For videos too long to hold in memory; any format :func:`read_video` reads
    (GIF with Pillow, everything else with the bundled FFmpeg).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at '{path}'.")
    if path.suffix.lower() == ".gif":
        with Image.open(path) as gif:
            for frame in ImageSequence.Iterator(gif):
                yield np.asarray(frame.convert("RGB"))
        return
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    try:
        width, height = next(reader)["size"]
        for buf in reader:
            yield np.frombuffer(buf, np.uint8).reshape(height, width, 3)
    except (OSError, RuntimeError, StopIteration) as err:
        raise _decode_error(path, err) from err
    finally:
        reader.close()


def video_info(path) -> dict:
    """Frame rate, size and approximate frame count of a video file, without decoding it.

    Returns:
        ``{"fps": float, "height": int, "width": int, "frames": int}`` (``frames``
        from the container's duration times its frame rate; exact for GIF).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file at '{path}'.")
    if path.suffix.lower() == ".gif":
        try:
            with Image.open(path) as gif:
                duration = gif.info.get("duration") or 100
                return {"fps": 1000.0 / max(duration, 10), "height": gif.height,
                        "width": gif.width, "frames": getattr(gif, "n_frames", 1)}  # fmt: skip
        except (OSError, ValueError, SyntaxError, EOFError) as err:
            raise _decode_error(path, err) from err
    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    try:
        meta = next(reader)
    except (OSError, RuntimeError, StopIteration) as err:
        raise _decode_error(path, str(err).splitlines()[0] if str(err) else err) from err
    finally:
        reader.close()
    width, height = meta["size"]
    fps = float(meta.get("fps") or 0.0)
    return {"fps": fps, "height": int(height), "width": int(width),
            "frames": int(round(float(meta.get("duration") or 0.0) * fps))}  # fmt: skip


# ---------------------------------------------------------------------------
# Grids: many clips -> one clip, many images -> one image
# ---------------------------------------------------------------------------


def _fill_value(pad_value, dtype):
    """``pad_value`` is given in the float range [-1, 1]; map it to ``dtype``."""
    if dtype == np.uint8:
        return to_uint8(np.float32(pad_value))
    return pad_value


def video_grid(videos, ncols=None, pad=1, pad_value=-1) -> np.ndarray:
    """Tile a batch of clips into one clip, like a contact sheet per frame.

    Args:
        videos: (N, T, H, W, C), float in [-1, 1] or uint8.
        ncols: tiles per row; default ``ceil(sqrt(N))``. Clip ``k`` goes to
            row ``k // ncols``, column ``k % ncols``.
        pad: pixels of border *between* tiles (not around the outside).
        pad_value: border colour in the float range ([-1, 1]: -1 = black,
            1 = white); converted with :func:`to_uint8` for uint8 input.

    Returns:
        (T, nrows * (H + pad) - pad, ncols * (W + pad) - pad, C) with the
        input dtype (float32 or uint8). Unused tiles are filled with
        ``pad_value``.
    """
    videos = _as_float_or_uint8(videos)
    if videos.ndim != 5:
        raise ValueError(
            f"video_grid expects a batch of clips (N, T, H, W, C), got shape "
            f"{videos.shape}. For one clip use videos[None]."
        )
    n, t, h, w, c = videos.shape
    ncols = int(ncols or math.ceil(math.sqrt(n)))
    nrows = math.ceil(n / ncols)
    grid_h, grid_w = nrows * (h + pad) - pad, ncols * (w + pad) - pad
    grid = np.full((t, grid_h, grid_w, c), _fill_value(pad_value, videos.dtype),
                   dtype=videos.dtype)  # fmt: skip
    for k in range(n):
        row, col = divmod(k, ncols)
        top, left = row * (h + pad), col * (w + pad)
        grid[:, top : top + h, left : left + w] = videos[k]
    return grid


def image_grid(images, ncols=None, pad=1, pad_value=-1) -> np.ndarray:
    """Tile a batch of images into one image.

    Args:
        images: (N, H, W, C) or (N, H, W); float in [-1, 1] or uint8.
        ncols, pad, pad_value: as in :func:`video_grid`.

    Returns:
        (nrows * (H + pad) - pad, ncols * (W + pad) - pad, C).
    """
    images = _as_float_or_uint8(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]  # (N, H, W) -> (N, H, W, 1)
    if images.ndim != 4:
        raise ValueError(f"image_grid expects (N, H, W, C), got shape {images.shape}.")
    # An image is a clip with one frame: reuse video_grid and drop T.
    return video_grid(images[:, np.newaxis], ncols, pad, pad_value)[0]


def video_frames_grid(videos, max_frames=None, pad=1, pad_value=-1) -> np.ndarray:
    """One still image of a batch: one row per clip, one column per frame.

    Args:
        videos: (N, T, H, W, C), or a single clip (T, H, W, C) giving one row.
            float in [-1, 1] or uint8.
        max_frames: show at most this many frames per clip, taking every
            ``ceil(T / max_frames)``-th frame starting with frame 0
            (e.g. T=16, max_frames=8 -> frames 0, 2, ..., 14). None = all.
        pad, pad_value: as in :func:`video_grid`.

    Returns:
        (N * (H + pad) - pad, T' * (W + pad) - pad, C) where T' is the
        number of frames shown. Save it with :func:`save_png`.
    """
    videos = _as_float_or_uint8(videos)
    if videos.ndim == 4:
        videos = videos[np.newaxis]  # one clip -> batch of one
    if videos.ndim != 5:
        raise ValueError(f"video_frames_grid expects (N, T, H, W, C), got shape {videos.shape}.")
    if max_frames is not None and videos.shape[1] > max_frames:
        step = math.ceil(videos.shape[1] / max_frames)
        videos = videos[:, ::step]
    n, t, h, w, c = videos.shape
    frames = videos.reshape(n * t, h, w, c)  # clip-major order: row = clip
    return image_grid(frames, ncols=t, pad=pad, pad_value=pad_value)


# ---------------------------------------------------------------------------
# Still images and notebook display
# ---------------------------------------------------------------------------


def save_png(path, image) -> Path:
    """Save one image as PNG with Pillow.

    Args:
        path: output file (folders are created).
        image: (H, W), (H, W, 1) or (H, W, 3); float in [-1, 1] or uint8.

    Returns:
        The ``pathlib.Path`` written.
    """
    image = to_uint8(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] == 3)):
        raise ValueError(
            f"save_png expects (H, W), (H, W, 1) or (H, W, 3), got shape "
            f"{image.shape}. For a batch use image_grid or video_frames_grid."
        )
    path = _prepare_output_path(path)
    Image.fromarray(image).save(path, format="PNG")
    return path


_MIME_TYPES = {".gif": "image/gif", ".mp4": "video/mp4", ".webm": "video/webm"}


def display_video(video_or_path, fps=8, format="gif", width=None):
    """Show a clip inline in Jupyter / Colab.

    Args:
        video_or_path: a clip (T, H, W, C) / (T, H, W) (float in [-1, 1] or
            uint8), or the path of an existing .gif/.mp4/.webm file (shown
            as it is; ``fps`` and ``format`` are then ignored).
        fps: frames per second when encoding an array.
        format: "gif" (an ``<img>``), "mp4" or "webm" (a looping, muted
            ``<video>`` with controls).
        width: display width in CSS pixels; None = natural size. Enlarged
            GIFs stay sharp (``image-rendering: pixelated``).

    Returns:
        ``IPython.display.HTML`` with the file embedded as base64; put it last
        in a cell or pass it to ``IPython.display.display``.
    """
    from IPython.display import HTML  # lazy: only needed in notebooks

    if isinstance(video_or_path, (str, Path)):
        path = Path(video_or_path)
        if not path.is_file():
            raise FileNotFoundError(f"no video file at '{path}'.")
        suffix, data = path.suffix.lower(), path.read_bytes()
    else:
        suffix = "." + format.lower().lstrip(".")
        if suffix not in _MIME_TYPES:
            raise ValueError(f"format must be one of gif, mp4, webm; got '{format}'.")
        with tempfile.TemporaryDirectory() as tmp:
            path = write_video(Path(tmp) / f"clip{suffix}", video_or_path, fps=fps)
            data = path.read_bytes()
    if suffix not in _MIME_TYPES:
        raise ValueError(f"cannot display '{suffix}' files; use .gif, .mp4 or .webm.")

    mime = _MIME_TYPES[suffix]
    src = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    size = f' width="{int(width)}"' if width else ""
    if mime == "image/gif":
        html = f'<img src="{src}"{size} style="image-rendering: pixelated">'
    else:
        html = (
            f"<video{size} controls loop autoplay muted playsinline>"
            f'<source src="{src}" type="{mime}"></video>'
        )
    return HTML(html)
