"""Image to video: the first frame is given, the motion is drawn.

MoCoGAN's generator (:mod:`tfvidgan.models.mocogan`, Tulyakov et al. 2018,
https://arxiv.org/abs/1707.04993) with its content read from an image instead
of drawn at random, as in the MoCoGAN paper's image-to-video experiment. The
**motion** is MoCoGAN's: a recurrent cell fed fresh noise per frame, so one
first frame gives many different clips, and clips of any length. The clip is
the given frame followed by ``T - 1`` drawn frames: frame 0 *is* the given
image, exactly. Two ways to draw the later frames (``sprite``, as in MoCoGAN):

* **sprite motion** (``sprite=S``, the presets' choice): the content is the
  given frame's own ink, the ``S x S`` window around it
  (:class:`~tfvidgan.layers.InkCrop`), moved, never redrawn: from where it is
  in the given frame, by a step per frame ``W z_M(t)`` (pixels), turning back
  where it meets the frame's edge as the data's objects do
  (:class:`MoveGivenSprite`; the bilinear paste of spatial transformer
  networks, Jaderberg et al. 2015, https://arxiv.org/abs/1506.02025). A moved
  copy of the given digit is that digit in every frame, by construction; the
  GAN learns only how it moves. It suits one object on a plain background
  (moving digits, bouncing shapes) no larger than ``S``.
* **whole frames** (``sprite=0``, for footage): an image encoder (DCGAN's
  discriminator trunk, :mod:`tfvidgan.models.dcgan`, then a dense layer) turns
  the given frame into the content code ``z_C``, and MoCoGAN's image generator
  draws frame ``t`` from ``[z_C, z_M(t)]``.

The discriminator is MoCoGAN's (its video and image judges, PacGAN pairs with
``pack=2``), fed whole clips: a clip holds its own condition in frame 0, so the
video judge sees a digit that changes after frame 0, or jumps away from where
frame 0 had it, as a clip that never occurs in the data. The condition of a
real clip is its own first frame (:meth:`ImageToVideoGAN.split_batch`): the
shared training step needs nothing else.

The latent vector is the motion noise only, ``[eps_1, ..., eps_{T-1}]``
(``latent_dim = (T - 1) * motion_dim``); ``TrainConfig.latent_dim`` is the size
of the encoded content code (whole frames).

Videos ``(B, T, H, W, C)`` and first frames ``(B, H, W, C)``, float32 in [-1, 1].
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from tfvidgan import data
from tfvidgan.layers import InkCrop
from tfvidgan.models import dcgan, mocogan
from tfvidgan.models.base import compile_from_config


@keras.saving.register_keras_serializable(package="tfvidgan")
class MoveGivenSprite(layers.Layer):
    """Move the given frame's ink: ``[first frame (B, H, W, C), steps (B, T, 2)]`` ->
    ``(B, T, H, W, C)``.

    The ``S x S`` window around the first frame's ink (:class:`~tfvidgan.layers.InkCrop`)
    is pasted (:class:`~tfvidgan.models.mocogan.PlaceSprite`) at the window's own place
    plus the running sum of the steps (``(x, y)`` pixels per frame), on a background of
    -1. A path that would leave the frame is folded back at the edge (a triangle wave of
    the unbounded path), which is how the data's objects bounce; the gradient reaches the
    steps through the paste.
    """

    def __init__(self, sprite: int, image_size: int, **kwargs):
        super().__init__(dtype="float32", **kwargs)
        self.sprite, self.image_size = int(sprite), int(image_size)
        self.cut = InkCrop(self.sprite, dtype="float32")  # an exact copy, under bf16 too
        self.paste = mocogan.PlaceSprite(self.image_size)

    def build(self, input_shape):  # no weights, here or in its two parts (fit under
        self.cut.built = self.paste.built = True  # tf.distribute builds what is unbuilt)
        self.built = True

    def call(self, inputs):
        first, steps = (ops.cast(x, "float32") for x in inputs)
        travel = float(self.image_size - self.sprite)  # the corner's room on each axis
        path = self.cut.corner(first)[:, None, :] + ops.cumsum(steps, axis=1)  # (B, T, 2)
        folded = 1.0 - ops.abs(1.0 - ops.mod(path / travel, 2.0))  # in [0, 1]
        return self.paste([self.cut(first), folded])

    def compute_output_shape(self, input_shape):
        first, steps = input_shape
        return (first[0], steps[1], *first[1:])

    def get_config(self):
        config = {k: v for k, v in super().get_config().items() if k != "dtype"}
        return {**config, "sprite": self.sprite, "image_size": self.image_size}


# ==== Generator ===============================================================


def build_encoder(content_dim=50, image_size=32, channels=1, base_filters=32) -> keras.Model:
    """image ``(B, H, W, C)`` -> content code ``(B, content_dim)``: the DCGAN judge's trunk
    (``include_top=False``) and a dense layer."""
    image = keras.Input((image_size, image_size, channels), name="first_frame")
    trunk = dcgan.build_discriminator(image_size, channels, base_filters, include_top=False)
    trunk.name = "encoder_trunk"
    content = layers.Dense(content_dim, dtype="float32", name="content_code")(trunk(image))
    return keras.Model(image, content, name="encoder")


def build_generator(
    content_dim=50,
    motion_dim=10,
    image_size=32,
    channels=1,
    base_filters=32,
    recurrent="gru",
    sprite=0,
) -> keras.Model:
    """[z ``(B, (T - 1) * motion_dim)``, first frame ``(B, H, W, C)``] -> video ``(B, T, H, W, C)``.

    ``sprite=S``: ``z_M = R_M(eps)`` (:func:`~tfvidgan.models.mocogan.build_motion_generator`),
    a step ``W z_M(t)`` per later frame, the first frame's ink moved by them
    (:class:`MoveGivenSprite`). ``sprite=0``: ``z_C = encoder(first frame)``
    (:func:`build_encoder`) and ``T - 1`` frames from MoCoGAN's generator on
    ``[eps_1..eps_{T-1}, z_C]``. Then: the first frame, followed by those.

    Args:
        content_dim: size of the encoded content code (whole frames).
        motion_dim: size of eps_t and of the motion code z_M(t).
        image_size: height = width of the frames.
        channels: 1 for grey, 3 for RGB.
        base_filters: filters of the encoder's and image generator's first/last block.
        recurrent: ``"gru"`` or ``"lstm"``.
        sprite: side of the window around the given ink that moves (0: frames drawn whole).
    """
    z = keras.Input((None,), name="z")
    first = keras.Input((image_size, image_size, channels), name="first_frame")
    if mocogan.check_sprite(sprite, image_size):
        noise = mocogan.SplitLatents(motion_dim, 0)(z)[0]  # (B, T - 1, M): no content code
        motion = mocogan.build_motion_generator(motion_dim, recurrent)(noise)
        steps = layers.Dense(2, dtype="float32", name="steps")(motion)  # (x, y) pixels per frame
        later = MoveGivenSprite(sprite, image_size, name="move_given_sprite")([first, steps])
    else:
        content = build_encoder(content_dim, image_size, channels, base_filters)(first)
        body = mocogan.build_generator(
            content_dim, motion_dim, image_size, channels, base_filters, recurrent
        )
        body.name = "mocogan_generator"
        later = body(layers.Concatenate()([z, content]))  # (B, T - 1, H, W, C)
    start = layers.Reshape((1, image_size, image_size, channels))(first)
    video = layers.Concatenate(axis=1, dtype="float32", name="first_then_drawn")([start, later])
    return keras.Model([z, first], video, name="generator")


# ==== Discriminator ===========================================================


def build_discriminator(
    num_frames=16,
    image_size=32,
    channels=1,
    base_filters=32,
    spectral_norm=False,
    frame_discriminator=1,
    frame_crop=0,
    pack=1,
) -> keras.Model:
    """video ``(B, T, H, W, C)`` -> logits ``(B, 2k)``: MoCoGAN's judges
    (:func:`tfvidgan.models.mocogan.build_discriminator`, the same arguments), unchanged;
    the condition is frame 0 of every clip they judge."""
    return mocogan.build_discriminator(
        num_frames,
        image_size,
        channels,
        base_filters,
        spectral_norm,
        frame_discriminator,
        frame_crop,
        pack,
    )


# ==== Model ===================================================================


class ImageToVideoGAN(mocogan.MoCoGAN):
    """MoCoGAN conditioned on a clip's first frame.

    Args:
        generator, discriminator: from :func:`build_generator` and :func:`build_discriminator`.
        motion_dim: size of each eps_t.
        num_frames: frames T of the training clips (the first one given).
        image_size, channels: of the first frames.
        dataset: where :meth:`grid_inputs` and :meth:`sample` take first frames when none
            are given (real ones, rendered with a fixed seed).
        seed, **kwargs: as in :class:`~tfvidgan.models.base.GAN`.
    """

    given_frames = 1

    def __init__(
        self,
        generator,
        discriminator,
        motion_dim,
        num_frames,
        image_size,
        channels=1,
        dataset="moving_digits",
        seed=None,
        **kwargs,
    ):
        super().__init__(generator, discriminator, 0, motion_dim, num_frames, seed=seed, **kwargs)
        self.image_size, self.channels, self.dataset = int(image_size), int(channels), dataset

    # --- hooks of the shared step -------------------------------------------

    def split_batch(self, data):
        """A batch of clips -> ``(clips, their first frames)`` (labels, if any, are unused)."""
        real = data[0] if isinstance(data, tuple) else data
        return real, real[:, 0]

    def discriminate(self, samples, condition=None, training=False):
        """The judges see whole clips, whose frame 0 is the condition: nothing else to pass."""
        return super().discriminate(samples, None, training=training)

    # --- first frames ---------------------------------------------------------

    def real_first_frames(self, num, seed=0):
        """``(frames (num, H, W, C) float32 in [-1, 1], labels)``: first frames of real
        clips of the model's dataset, rendered with ``seed`` (labels: the dataset's first
        label column, e.g. the digit; None when it has none)."""
        clips, labels = data.load_arrays(
            self.dataset, int(num), image_size=self.image_size, num_frames=1, seed=int(seed)
        )
        if labels is not None and labels.ndim > 1:
            labels = labels[:, 0]
        return data.to_float(clips[:, 0]).astype("float32"), labels

    def check_first_frames(self, first_frames, num):
        """``first_frames`` as float32 ``(num, H, W, C)`` in [-1, 1]: one image ``(H, W, C)``
        or ``(H, W)`` for all, or ``n`` images ``(n, H, W, C)`` used in turn; uint8 is read
        as [0, 255]. ValueError saying what to pass when the size or channels differ."""
        frames = np.asarray(first_frames)
        if frames.dtype == np.uint8:
            frames = frames.astype("float32") / 127.5 - 1.0
        frames = frames.astype("float32")
        want = (self.image_size, self.image_size, self.channels)
        if frames.ndim == 2 and self.channels == 1:
            frames = frames[..., None]
        if frames.ndim == 3:
            frames = frames[None]
        size = f"{self.image_size}x{self.image_size}"
        kind = "grey (1 channel)" if self.channels == 1 else f"{self.channels}-channel"
        if frames.ndim != 4 or len(frames) == 0:
            raise ValueError(
                f"the first frame must be a {kind} {size} image (H, W, C) or images (N, H, W, C), "
                f"got an array of shape {frames.shape}"
            )
        if frames.shape[1:3] != want[:2]:
            raise ValueError(
                f"the first frame must be a {size} image like the training clips' frames, got "
                f"{frames.shape[1]}x{frames.shape[2]}: resize or crop it to {size}"
            )
        if frames.shape[3] != self.channels:
            to = "grey (e.g. PIL: image.convert('L'))" if self.channels == 1 else kind
            raise ValueError(
                f"the model draws {kind} frames, but the first frame has {frames.shape[3]} "
                f"channel(s): convert it to {to}"
            )
        if not np.isfinite(frames).all() or np.abs(frames).max() > 1.0 + 1e-3:
            raise ValueError("first frames must hold pixels in [-1, 1] (float) or [0, 255] (uint8)")
        return frames[np.arange(num) % len(frames)]

    # --- using a trained model ----------------------------------------------

    def grid_inputs(self, num, seed=1234):
        """``(latents (num, latent_dim), real first frames (num, H, W, C))``, fixed by ``seed``."""
        if not isinstance(seed, (int, np.integer)):  # a NumPy Generator (the diversity alarm)
            seed = int(np.random.default_rng(seed).integers(2**31))
        latents = np.random.default_rng(seed).standard_normal((num, self.latent_dim))
        return latents.astype("float32"), self.real_first_frames(num, seed)[0]

    def sample(self, num, seed=None, first_frames=None, num_frames=None, batch_size=64):
        """``num`` clips that start with ``first_frames``, as a NumPy float32 array.

        Args:
            num: how many clips.
            seed: makes the draw (and the default first frames) repeatable.
            first_frames: one image or ``n`` images (see :meth:`check_first_frames`),
                used in turn; real first frames of the dataset (rendered with
                ``seed``, or 0) when omitted.
            num_frames: clips of another length than the training one (>= 2).
            batch_size: clips generated at once.
        """
        if first_frames is None:
            first_frames = self.real_first_frames(num, 0 if seed is None else seed)[0]
        frames = self.check_first_frames(first_frames, num)
        seed_generator = keras.random.SeedGenerator(seed) if seed is not None else None
        chunks = []
        with self.longer(num_frames), self.averaged_generator():
            for start in range(0, num, batch_size):
                n = min(batch_size, num - start)
                z = self.sample_latents(n, seed_generator)
                condition = ops.convert_to_tensor(frames[start : start + n])
                chunks.append(ops.convert_to_numpy(self.generate(z, condition, training=False)))
        return np.concatenate(chunks, axis=0).astype("float32")

    def content_motion_grid(
        self, num_content=4, num_motion=4, seed=0, num_frames=None, labels=None
    ):
        """:meth:`MoCoGAN.content_motion_grid <tfvidgan.models.mocogan.MoCoGAN.content_motion_grid>`
        with one real first frame per row (rendered with ``seed``) in place of a content code:
        row i starts from first frame i, column j uses motion noise j."""
        if labels is not None:
            raise ValueError("labels= needs a class-conditional model")
        frames = self.check_num_frames(num_frames)
        first = self.real_first_frames(num_content, seed)[0]
        noise = np.random.default_rng(seed).standard_normal(
            (num_motion, self.latent_size(frames)), dtype=np.float32
        )
        latents = ops.convert_to_tensor(np.tile(noise, (num_content, 1)))
        condition = ops.convert_to_tensor(np.repeat(first, num_motion, axis=0))
        with self.averaged_generator():
            clips = self.generate(latents, condition, training=False)
        return ops.convert_to_numpy(clips).astype("float32")


# ==== Presets and from_config ==================================================

# MoCoGAN's presets: sprite motion (the given digit moved), PacGAN pairs, the slower judge.
PRESETS = mocogan.PRESETS
OPTIONS = mocogan.OPTIONS


def from_config(cfg) -> ImageToVideoGAN:
    """The compiled :class:`ImageToVideoGAN` of a :class:`~tfvidgan.config.TrainConfig`
    (``latent_dim`` is the size of the encoded content code)."""
    c = cfg
    g = build_generator(
        c.latent_dim,
        c.motion_dim,
        c.image_size,
        c.channels,
        c.base_filters,
        c.recurrent,
        c.sprite,
    )
    d = build_discriminator(
        c.num_frames,
        c.image_size,
        c.channels,
        c.base_filters,
        c.spectral_norm,
        c.frame_discriminator,
        c.sprite,  # the image judge looks at the sprite
        c.pack,
    )
    sizes = (c.motion_dim, c.num_frames, c.image_size, c.channels)
    model = ImageToVideoGAN(g, d, *sizes, dataset=c.data, seed=c.seed, pack=c.pack)
    return compile_from_config(model, c)
