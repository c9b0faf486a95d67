"""Samples while training: GIF/PNG files (:class:`SampleMonitor`) and TensorBoard
media (:class:`TensorBoardMedia`: sample grids, GIFs, diversity)."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfvidgan import video_io
from tfvidgan.metrics.diversity import sample_diversity


def fixed_samples(model, latents, condition=None):
    """Generator (or VAE decoder) output for given latents, in inference mode
    (from the averaged generator when the model keeps one)."""
    with model.averaged_generator():
        condition = None if condition is None else keras.ops.convert_to_tensor(condition)
        return model.generate(keras.ops.convert_to_tensor(latents), condition)


class SampleMonitor(keras.callbacks.Callback):
    """Write a grid of samples from fixed latents after every epoch.

    Videos go to ``<out_dir>/epoch_XXXX.gif``, images to ``.png``; the same
    latents each time, so the files show one set of samples improving.
    ``display=True`` also shows each file inline in Jupyter / Colab (``width``
    in CSS pixels), so a notebook watches training without extra code.
    """

    def __init__(self, out_dir, num=16, seed=1234, fps=8, display=False, width=None):
        super().__init__()
        self.out_dir, self.num, self.seed, self.fps = Path(out_dir), num, seed, fps
        self.display, self.width = display, width
        self.paths: list[Path] = []

    def on_train_begin(self, logs=None):
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.latents, self.labels = self.model.grid_inputs(self.num, self.seed)

    def on_epoch_end(self, epoch, logs=None):

        samples = keras.ops.convert_to_numpy(fixed_samples(self.model, self.latents, self.labels))
        if not np.isfinite(samples).all():  # diverged: nothing worth drawing
            return
        if samples.ndim == 5:
            path = video_io.write_gif(
                self.out_dir / f"epoch_{epoch + 1:04d}.gif",
                video_io.video_grid(samples),
                fps=self.fps,
            )
        else:
            path = video_io.save_png(
                self.out_dir / f"epoch_{epoch + 1:04d}.png", video_io.image_grid(samples)
            )
        self.paths.append(path)
        if self.display:
            from IPython.display import Image, display  # lazy: only needed in notebooks

            display(Image(filename=str(path), width=self.width))


_HAVE_TENSORBOARD = importlib.util.find_spec("tensorboard") is not None


def _plugin_metadata(plugin: str):
    return tf.compat.v1.SummaryMetadata(
        plugin_data=tf.compat.v1.SummaryMetadata.PluginData(plugin_name=plugin)
    )


def write_scalar(tag: str, value: float, step: int) -> None:
    """``tf.summary.scalar``, also when the ``tensorboard`` package is missing.

    TensorFlow's ``tf.summary.scalar``/``image`` live in the tensorboard
    package; without it we write the same record (a float32 tensor tagged for
    the ``scalars`` plugin) with the core op ``tf.summary.write``.
    """
    if _HAVE_TENSORBOARD:
        tf.summary.scalar(tag, float(value), step=step)
    else:
        tf.summary.write(
            tag,
            tf.constant(float(value), tf.float32),
            step=step,
            metadata=_plugin_metadata("scalars"),
        )


def write_image(tag: str, image, step: int, description: str | None = None) -> None:
    """``tf.summary.image`` of one image (H, W, C) in [-1, 1] or uint8, with or without tensorboard.

    The record the image plugin reads is a string tensor
    ``[width, height, png_bytes]``; without tensorboard we build it ourselves.
    """

    pixels = video_io.to_uint8(image)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    if _HAVE_TENSORBOARD:
        tf.summary.image(tag, pixels[None], step=step, description=description)
        return
    height, width = pixels.shape[:2]
    tensor = tf.constant(
        [str(width).encode(), str(height).encode(), tf.io.encode_png(pixels).numpy()]
    )
    metadata = _plugin_metadata("images")
    if description:
        metadata.summary_description = description
    tf.summary.write(tag, tensor, step=step, metadata=metadata)


def write_gif(tag: str, video, step: int, fps: float = 8) -> bytes:
    """An animated GIF (one clip ``(T, H, W, C)``) as a TensorBoard image summary.

    TensorBoard's image plugin sends the stored bytes to the browser as they
    are, with the MIME type of their format, so a GIF *animates* in the Images
    tab. ``tf.summary.image`` only writes PNGs, so we build the classic
    ``Summary.Image`` protocol buffer around the GIF bytes and write it with
    ``tf.summary.experimental.write_raw_pb``. Returns the GIF bytes.
    """

    clip = video_io.to_uint8(video)
    with tempfile.TemporaryDirectory() as tmp:
        gif = video_io.write_gif(Path(tmp) / "clip.gif", clip, fps=fps).read_bytes()
    _, height, width, channels = clip.shape
    image = tf.compat.v1.Summary.Image(
        height=height, width=width, colorspace=1 if channels == 1 else 3, encoded_image_string=gif
    )
    summary = tf.compat.v1.Summary(value=[tf.compat.v1.Summary.Value(tag=tag, image=image)])
    tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=step)
    return gif


class TensorBoardMedia(keras.callbacks.Callback):
    """Show generated samples in TensorBoard, next to the loss curves.

    Every ``every_epochs`` epochs, with the same fixed latents each time (so
    you watch the *same* samples improve), it writes into ``<log_dir>/<run>``
    (``run="train"`` is where ``keras.callbacks.TensorBoard(log_dir)`` puts
    its scalars) at step ``epoch`` (the step Keras uses for ``epoch_*``):

    * images: ``samples/grid``, a grid of ``num`` samples;
    * videos: ``samples/frames``, a still grid with one clip per row and its
      frames from left to right (good for judging motion), and
      ``samples/animation``, the clips tiled into one animated GIF;
    * ``sample_diversity`` (a scalar, see :class:`ModeCollapseMonitor`).

    ``log_scalars=True`` also writes every epoch log as ``epoch_<name>``,
    the tags Keras's TensorBoard callback uses: handy when the
    ``tensorboard`` package is not installed, since that callback needs it
    and this one does not (``tensorboard --logdir <log_dir>`` must of course
    run somewhere it is installed).

    TensorBoard follows only the newest event file of a run directory while
    it is running. With a ``keras.callbacks.TensorBoard`` in the same fit,
    pass it as ``tensorboard=`` so both write through one file; otherwise
    start TensorBoard with ``--reload_multifile=true`` (or reload it) to see
    both live.
    """

    def __init__(
        self,
        log_dir,
        num: int = 16,
        seed: int = 1234,
        fps: float = 8,
        every_epochs: int = 1,
        max_frames: int | None = 16,
        frame_rows: int = 8,
        run: str = "train",
        tensorboard=None,
        log_scalars: bool = False,
        diversity: bool = True,
    ):
        super().__init__()
        self.log_dir, self.run = Path(log_dir), run
        self.num, self.seed, self.fps, self.every = int(num), seed, fps, int(every_epochs)
        self.max_frames, self.frame_rows = max_frames, int(frame_rows)
        self.tensorboard, self.log_scalars, self.diversity = tensorboard, log_scalars, diversity
        self._writer = None
        self.tags: set[str] = set()  # every tag written so far

    def writer(self):
        """The summary writer in use: the Keras TensorBoard callback's, or our own."""
        shared = (
            getattr(self.tensorboard, "_train_writer", None)
            if self.tensorboard is not None
            else None
        )
        if shared is not None:
            return shared
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir / self.run))
        return self._writer

    def on_train_begin(self, logs=None):
        self.latents, self.labels = self.model.grid_inputs(self.num, self.seed)

    def write(self, step: int, logs=None) -> None:
        """Generate the samples and write all summaries at ``step``."""

        samples = keras.ops.convert_to_numpy(fixed_samples(self.model, self.latents, self.labels))
        if not np.isfinite(samples).all():  # diverged: the WeightGuard reports it
            return
        writer = self.writer()
        with writer.as_default():
            if samples.ndim == 5:
                frames = video_io.video_frames_grid(
                    samples[: self.frame_rows], max_frames=self.max_frames
                )
                self._image(
                    "samples/frames", frames, step, "one clip per row, time from left to right"
                )
                write_gif("samples/animation", video_io.video_grid(samples), step, fps=self.fps)
                self.tags.add("samples/animation")
            elif samples.ndim == 4:
                self._image(
                    "samples/grid", video_io.image_grid(samples), step, "samples from fixed latents"
                )
            if self.diversity:
                write_scalar("sample_diversity", sample_diversity(samples), step)
                self.tags.add("sample_diversity")
            if self.log_scalars:
                for name, value in (logs or {}).items():
                    try:
                        write_scalar(f"epoch_{name}", float(value), step)
                    except (TypeError, ValueError):
                        continue
                    self.tags.add(f"epoch_{name}")
        writer.flush()

    def _image(self, tag, image, step, description):
        write_image(tag, image, step, description)
        self.tags.add(tag)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.write(epoch, logs)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
