"""MoCoGAN: a content code held for the whole clip, a motion code per frame.

Tulyakov, Liu, Yang & Kautz 2018, "MoCoGAN: Decomposing Motion and Content for
Video Generation", https://arxiv.org/abs/1707.04993.

A clip is drawn one frame at a time by an image generator ``G_I`` (the 2-D
DCGAN generator of :mod:`tfvidgan.models.dcgan`, the frames folded into the
batch) from two codes side by side:

* the **content code** ``z_C`` (``content_dim`` numbers), drawn once per clip
  and given unchanged to every frame: "which digit, in which style";
* the **motion code** ``z_M(t)`` (``motion_dim`` numbers per frame), the
  output of a recurrent cell ``R_M`` (a GRU, as in the paper, or an LSTM)
  fed fresh noise ``eps_t ~ N(0, I)`` at every step: "where it is now".

So frame ``t`` is ``G_I([z_C, z_M(t)])`` with ``z_M(1..T) = R_M(eps_1..eps_T)``.
Nothing that draws a frame can change ``z_C`` along the clip, which is what
keeps a digit a digit; and because the motion is recurrent, the model draws
clips of any length, longer than it was trained on (``can_extend = True``:
``sample(num, num_frames=N)``, ``tfvidgan sample --num-frames N``).

Two judges, as in the paper, in one :class:`keras.Model` whose logits are
concatenated: an image discriminator ``D_I`` on single frames ("is this a
sharp digit?") and a video discriminator ``D_V`` on whole clips ("does it move
like the data?"). Both are VGAN's (:func:`tfvidgan.models.vgan.build_discriminator`
with ``frame_discriminator=k``: the 3-D judge next to a 2-D judge of ``k``
random frames per clip).

**The latent vector.** Every tfvidgan model draws one noise vector per sample,
``(B, latent_dim)``. MoCoGAN's is the motion noise of every frame followed by
the content code::

    z = [eps_1 (motion_dim), ..., eps_T (motion_dim), z_C (content_dim)]
    latent_dim = T * motion_dim + content_dim

A longer vector (more ``eps_t`` before the same ``z_C``) is a longer clip, and
the first ``T`` frames of it are the ``T``-frame clip (the recurrence is
causal). ``TrainConfig.latent_dim`` is the content code's size for this family.
The recurrent cell starts from a zero state (the paper does not say; noise
enters through ``eps_1`` already).

**Sprite motion** (``sprite=S``, the presets' choice: half the frame): ``G_I``
draws an ``S x S`` sprite from ``z_C`` alone, once per clip, and each frame's
motion code only says where it is: ``p_t = sigmoid(W z_M(t))``, the sprite
pasted with its top-left corner at ``p_t * (H - S)`` whole pixels, on a
background of -1; the gradient reaches ``p_t`` through the bilinear sampler of
spatial transformer networks (Jaderberg, Simonyan, Zisserman & Kavukcuoglu
2015, https://arxiv.org/abs/1506.02025, restricted to a translation). A
translation cannot turn a 6 into a 9, so the digit is the same in every frame
by construction, and the image generator runs once per clip instead of once per
frame. It suits one object moving on a plain background (moving digits,
bouncing shapes), not camera footage: ``sprite=0`` draws every frame whole.
With sprites the image judge sees the ``S x S`` window around each frame's ink
(:class:`~tfvidgan.layers.InkCrop`), real and drawn alike: the sprite, not
three quarters of background. ``pack=2`` (the presets') judges pairs of clips
(PacGAN, Lin et al. 2018, https://arxiv.org/abs/1712.04086), which keeps that
sharper judge from collapsing the generator onto a few digits.

Departures from the paper, for a CPU budget: the image judge sees ``k`` random
frames of each generated clip (DVD-GAN's sampling) rather than frames drawn
separately, and the video judge sees whole clips rather than random
sub-clips (our clips are as long as the training clips).

Videos are ``(B, T, H, W, C)`` float32 in [-1, 1]; ``H = W = image_size``
(16, 32, 64, ...).
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
from keras import layers, ops

from tfvidgan.models import dcgan, vgan
from tfvidgan.models.base import GAN, GAN_OPTIONS, compile_from_config

RECURRENT = {"gru": layers.GRU, "lstm": layers.LSTM}


@keras.saving.register_keras_serializable(package="tfvidgan")
class SplitLatents(layers.Layer):
    """``z (B, T * motion_dim + content_dim)`` -> ``[noise (B, T, motion_dim), content (B,
    content_dim)]``; T follows from the length of z, so longer vectors give longer clips."""

    def __init__(self, motion_dim: int, content_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.motion_dim, self.content_dim = int(motion_dim), int(content_dim)

    def call(self, z):
        noise = z[:, : ops.shape(z)[1] - self.content_dim]
        if z.shape[1] is None:
            noise = ops.reshape(noise, (ops.shape(z)[0], -1, self.motion_dim))
        else:  # a static T even when the batch size is not known (the judges need T)
            noise = ops.reshape(
                noise, (-1, (z.shape[1] - self.content_dim) // self.motion_dim, self.motion_dim)
            )
        return [noise, z[:, ops.shape(z)[1] - self.content_dim :]]

    def compute_output_shape(self, input_shape):
        n = input_shape[1]
        t = None if n is None else (n - self.content_dim) // self.motion_dim
        return [(input_shape[0], t, self.motion_dim), (input_shape[0], self.content_dim)]

    def get_config(self):
        return {
            **super().get_config(),
            "motion_dim": self.motion_dim,
            "content_dim": self.content_dim,
        }


@keras.saving.register_keras_serializable(package="tfvidgan")
class FrameByFrame(layers.Layer):
    """Draw a clip frame by frame with one image generator.

    Inputs ``[motion (B, T, M), content (B, K)]``; frame ``t`` is
    ``image_generator([content, motion_t])``. The content code is repeated at
    every time step and the ``B * T`` frames are folded into one batch, so a
    single call of the image generator draws them all. Output ``(B, T, H, W, C)``.
    """

    def __init__(self, image_generator: keras.Model, **kwargs):
        super().__init__(dtype="float32", **kwargs)  # the image generator casts for itself
        self.image_generator = image_generator

    def call(self, inputs, training=None):
        motion, content = inputs
        t = motion.shape[1] or ops.shape(motion)[1]  # static when known: judges need it
        repeated = ops.broadcast_to(
            content[:, None, :], (ops.shape(motion)[0], t, content.shape[-1])
        )
        codes = ops.concatenate([ops.cast(repeated, motion.dtype), motion], axis=-1)
        codes = ops.reshape(codes, (-1, codes.shape[-1]))  # (B * T, K + M): frames in the batch
        frames = self.image_generator(codes, training=training)  # (B * T, H, W, C)
        return ops.reshape(frames, (-1, t, *frames.shape[1:]))

    def compute_output_shape(self, input_shape):
        motion = input_shape[0]
        return (motion[0], motion[1], *self.image_generator.output_shape[1:])

    def get_config(self):
        config = {k: v for k, v in super().get_config().items() if k != "dtype"}
        return {
            **config,
            "image_generator": keras.saving.serialize_keras_object(self.image_generator),
        }

    @classmethod
    def from_config(cls, config):
        image_generator = keras.saving.deserialize_keras_object(config.pop("image_generator"))
        return cls(image_generator, **config)


@keras.saving.register_keras_serializable(package="tfvidgan")
class PlaceSprite(layers.Layer):
    """Paste one sprite per clip at one position per frame, differentiably.

    Inputs ``[sprite (B, S, S, C)`` in [-1, 1], ``positions (B, T, 2)`` in [0, 1]
    as ``(x, y)]``; output ``(B, T, H, W, C)`` in [-1, 1], ``H = W = image_size``:
    frame ``t`` is -1 everywhere except the sprite, whose top-left corner is at
    ``positions[:, t] * (image_size - S)`` rounded to whole pixels. The gradient
    is that of the bilinear paste at the unrounded offset (weights
    ``max(0, 1 - |i - a - offset|)`` per axis, Jaderberg et al. 2015), passed
    straight through the rounding (Bengio, Leonard & Courville 2013,
    https://arxiv.org/abs/1308.3432). Pasted at sub-pixel offsets the sprite is
    blurred, a cue the image judge learns at once: on the demo, rounding raised
    recognised frames from 37 % to 50 % (benchmarks/README.md).
    """

    def __init__(self, image_size: int, **kwargs):
        super().__init__(dtype="float32", **kwargs)
        self.image_size = int(image_size)

    def _weights(self, offset, sprite_size):
        """``offset (B, T)`` -> ``(B, T, image_size, S)``: frame pixel i takes sprite pixel a."""
        i = ops.arange(self.image_size, dtype="float32")[:, None]
        a = ops.arange(sprite_size, dtype="float32")[None, :]
        return ops.relu(1.0 - ops.abs(i - a - offset[..., None, None]))

    def _paste(self, sprite, offsets):
        """The sprite on a background of -1: ``paste(sprite) - (1 - coverage)``, which
        at whole-pixel offsets (weights 0 and 1) copies every sprite value exactly."""
        rows = self._weights(offsets[..., 1], sprite.shape[1])  # (B, T, H, S)
        cols = self._weights(offsets[..., 0], sprite.shape[2])  # (B, T, W, S)
        frames = ops.einsum("btha,bajc->bthjc", rows, sprite)
        pasted = ops.einsum("bthjc,btwj->bthwc", frames, cols)
        coverage = ops.sum(rows, -1)[..., :, None] * ops.sum(cols, -1)[..., None, :]
        return pasted - (1.0 - coverage[..., None])

    def call(self, inputs):
        sprite, positions = (ops.cast(x, "float32") for x in inputs)
        offsets = positions * float(self.image_size - sprite.shape[1])  # (B, T, 2) pixels
        soft = self._paste(sprite, offsets)  # gives the gradient ...
        hard = self._paste(sprite, ops.round(offsets))  # ... and this the pixels, exactly
        return ops.stop_gradient(hard) + (soft - ops.stop_gradient(soft))

    def compute_output_shape(self, input_shape):
        sprite, positions = input_shape
        return (sprite[0], positions[1], self.image_size, self.image_size, sprite[3])

    def get_config(self):
        config = {k: v for k, v in super().get_config().items() if k != "dtype"}
        return {**config, "image_size": self.image_size}


# ==== Generator ===============================================================


def check_sprite(sprite, image_size) -> int:
    """``sprite`` as an int: 0, or a power of two from 8 to below ``image_size`` (ValueError)."""
    sprite = int(sprite)
    if sprite and not (8 <= sprite < image_size and sprite & (sprite - 1) == 0):
        raise ValueError(
            f"sprite={sprite} does not fit {image_size}x{image_size} frames: use a power of two "
            f"from 8 to {image_size // 2} (e.g. --sprite {max(8, image_size // 2)}), or 0 to "
            "draw every frame whole"
        )
    return sprite


def build_motion_generator(motion_dim=10, recurrent="gru") -> keras.Model:
    """R_M: noise ``eps (B, T, motion_dim)`` -> motion codes ``z_M (B, T, motion_dim)``.

    One recurrent layer (``"gru"``, the paper's, or ``"lstm"``) returning its
    output at every step, from a zero initial state; any T.
    """
    if recurrent not in RECURRENT:
        raise ValueError(f"recurrent must be one of {', '.join(RECURRENT)}, got {recurrent!r}")
    eps = keras.Input((None, motion_dim), name="motion_noise")
    cell = RECURRENT[recurrent](motion_dim, return_sequences=True, dtype="float32", name=recurrent)
    return keras.Model(eps, cell(eps), name="motion_generator")


def build_generator(
    content_dim=50,
    motion_dim=10,
    image_size=32,
    channels=1,
    base_filters=32,
    recurrent="gru",
    sprite=0,
) -> keras.Model:
    """z ``(B, T * motion_dim + content_dim)`` -> video ``(B, T, H, W, C)``, ``H = W = image_size``.

    1. split z into the motion noise ``eps (B, T, motion_dim)`` and the content code ``(B, K)``;
    2. ``z_M = R_M(eps)``: one motion code per frame (:func:`build_motion_generator`);
    3. frame t = ``G_I([z_C, z_M(t)])`` (:class:`FrameByFrame`), with ``G_I`` the DCGAN
       generator on ``content_dim + motion_dim`` inputs; or, with ``sprite=S``, one sprite
       ``G_I(z_C)`` per clip pasted at ``sigmoid(W z_M(t))`` (:class:`PlaceSprite`), ``G_I``
       the DCGAN generator of ``S x S`` images with as many filters at 4x4 as a frame's.

    Reach the parts with ``get_layer("motion_generator")`` and
    ``get_layer("frame_by_frame").image_generator`` (``get_layer("sprite_generator")``).

    Args:
        content_dim: size of the content code z_C (the paper: 50).
        motion_dim: size of eps_t and of the motion code z_M(t) (the paper: 10).
        image_size: height = width of the frames (8, 16, 32, 64, ...).
        channels: 1 for grey, 3 for RGB.
        base_filters: filters of the image generator's last up block.
        recurrent: ``"gru"`` or ``"lstm"``.
        sprite: side of the sprite that only moves (0: every frame drawn whole).
    """
    sprite = check_sprite(sprite, image_size)
    if int(content_dim) < 1 or int(motion_dim) < 1:
        raise ValueError(
            f"content_dim={content_dim} and motion_dim={motion_dim} are not possible: MoCoGAN "
            "needs both codes, each of at least 1 number (e.g. --latent-dim 50 --motion-dim 10)"
        )
    motion_generator = build_motion_generator(motion_dim, recurrent)
    z = keras.Input((None,), name="z")  # any number of frames
    noise, content = SplitLatents(motion_dim, content_dim)(z)  # 1.
    motion = motion_generator(noise)  # 2. (B, T, M)
    if sprite:  # 3. one sprite per clip, moved
        filters = base_filters * (image_size // sprite)
        sprite_generator = dcgan.build_generator(content_dim, sprite, channels, filters)
        sprite_generator.name = "sprite_generator"
        positions = layers.Dense(2, activation="sigmoid", dtype="float32", name="positions")
        video = PlaceSprite(image_size, name="place_sprite")(
            [sprite_generator(content), positions(motion)]
        )
        return keras.Model(z, video, name="generator")
    image_generator = dcgan.build_generator(
        content_dim + motion_dim, image_size, channels, base_filters
    )
    image_generator.name = "image_generator"
    video = FrameByFrame(image_generator, name="frame_by_frame")([motion, content])  # 3.
    return keras.Model(z, video, name="generator")


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
    """video ``(B, T, H, W, C)`` -> logits ``(B, 2k)``: MoCoGAN's two judges in one model.

    VGAN's 3-D video judge D_V next to its 2-D image judge D_I of
    ``k = frame_discriminator`` random frames per clip
    (:func:`tfvidgan.models.vgan.build_discriminator`): the video logit
    repeated ``k`` times, then the ``k`` frame logits, so the two judges weigh
    the same in the losses. MoCoGAN always has both judges: ``k >= 1``.
    ``frame_crop=S``: the image judge sees the ``S x S`` window around each
    frame's ink (sprite motion, :class:`~tfvidgan.layers.InkCrop`).
    ``pack=m``: both judge ``m`` clips at once, stacked in channels (PacGAN;
    the model needs the same ``pack``).
    """
    if int(frame_discriminator) < 1:
        raise ValueError(
            f"frame_discriminator={frame_discriminator} is not possible: MoCoGAN judges single "
            "frames as well as clips; use 1 or more frames per clip (e.g. --frame-discriminator 4)"
        )
    return vgan.build_discriminator(
        num_frames,
        image_size,
        channels * pack,  # PacGAN: `pack` clips stacked in channels
        base_filters,
        spectral_norm,
        frame_discriminator=frame_discriminator,
        frame_crop=frame_crop,
        crop_channels=channels,
    )


# ==== Model ===================================================================


class MoCoGAN(GAN):
    """The shared :class:`~tfvidgan.models.base.GAN` step on MoCoGAN's networks.

    Its latents are ``[eps_1, ..., eps_T, z_C]`` (module docstring); the only
    hook it changes is :meth:`sample_latents`, which can draw them for another
    number of frames. :meth:`content_motion_grid` shows what each code does.

    Args:
        generator, discriminator: from :func:`build_generator` and
            :func:`build_discriminator` (or a family built on them).
        content_dim, motion_dim: sizes of z_C and of each eps_t.
        num_frames: frames T of the training clips.
        num_classes, seed, **kwargs: as in :class:`~tfvidgan.models.base.GAN`.
    """

    can_extend = True  # the recurrent motion draws clips of any length
    given_frames = 0  # frames of a clip that are given, not drawn (image_to_video: the first)

    def __init__(
        self,
        generator,
        discriminator,
        content_dim,
        motion_dim,
        num_frames,
        num_classes=None,
        seed=None,
        **kwargs,
    ):
        latent_dim = (int(num_frames) - self.given_frames) * int(motion_dim) + int(content_dim)
        super().__init__(generator, discriminator, latent_dim, num_classes, seed, **kwargs)
        self.content_dim, self.motion_dim = int(content_dim), int(motion_dim)
        self.num_frames = int(num_frames)
        self.draw_frames = self.num_frames  # frames that sample_latents draws motion for

    def latent_size(self, num_frames) -> int:
        """Length of the latent vector of a ``num_frames``-frame clip."""
        return (int(num_frames) - self.given_frames) * self.motion_dim + self.content_dim

    def sample_latents(self, batch_size, seed_generator=None):
        """``[eps_1..eps_T, z_C]`` ~ N(0, I), ``(batch_size, latent_size(T))`` with T =
        ``self.draw_frames`` (the training length, unless :meth:`longer` says otherwise)."""
        seed_generator = seed_generator or self.seed_generator
        size = self.latent_size(self.draw_frames)
        return keras.random.normal((batch_size, size), seed=seed_generator)

    def check_num_frames(self, num_frames) -> int:
        """``num_frames`` as an int, or the training length when None; ValueError if impossible."""
        if num_frames is None:
            return self.num_frames
        low = self.given_frames + 1
        if isinstance(num_frames, bool) or int(num_frames) != num_frames or num_frames < low:
            raise ValueError(f"num_frames must be a whole number >= {low}, got {num_frames!r}")
        return int(num_frames)

    @contextlib.contextmanager
    def longer(self, num_frames):
        """Inside this block :meth:`sample_latents` draws ``num_frames``-frame clips."""
        self.draw_frames = self.check_num_frames(num_frames)
        try:
            yield self
        finally:
            self.draw_frames = self.num_frames

    def sample(self, num, labels=None, seed=None, codes=None, num_frames=None, batch_size=64):
        """:meth:`GAN.sample <tfvidgan.models.base.GAN.sample>`, and ``num_frames``: clips
        of another length than the training one (the motion cell just runs on)."""
        with self.longer(num_frames):
            return super().sample(num, labels=labels, seed=seed, codes=codes, batch_size=batch_size)

    def content_motion_grid(
        self, num_content=4, num_motion=4, seed=0, num_frames=None, labels=None
    ):
        """Clips of every content code with every motion: ``(num_content * num_motion, T, ...)``.

        Row ``i`` (clips ``i * num_motion ... (i + 1) * num_motion - 1``) keeps
        content code ``i`` and varies the motion noise; column ``j`` keeps motion
        noise ``j`` and varies the content. A model that separates the two keeps
        one digit along each row and one trajectory down each column. Show it
        with ``video_io.video_grid(clips, ncols=num_motion)`` (or
        ``video_frames_grid``). ``labels``: conditional models, one class per
        row (an int or ``num_content`` ints); cycles 0, 1, ... when omitted.
        """
        frames = self.check_num_frames(num_frames)
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((num_motion, frames * self.motion_dim), dtype=np.float32)
        content = rng.standard_normal((num_content, self.content_dim), dtype=np.float32)
        latents = np.concatenate(
            [np.tile(noise, (num_content, 1)), np.repeat(content, num_motion, axis=0)], axis=1
        )
        condition = None
        if self.num_classes is not None:
            rows = np.arange(num_content) % self.num_classes if labels is None else labels
            rows = np.broadcast_to(np.asarray(rows, dtype="int32"), (num_content,))
            condition = ops.convert_to_tensor(np.repeat(rows, num_motion))
        elif labels is not None:
            raise ValueError("labels= needs a class-conditional model")
        with self.averaged_generator():
            clips = self.generate(ops.convert_to_tensor(latents), condition, training=False)
        return ops.convert_to_numpy(clips).astype("float32")


# ==== Presets and from_config ==================================================

# Sprite motion, the digit's side (half the frame), the image judge on the sprite's window: on
# moving digits in 8000 steps (under 9 minutes here) 69 % recognisable frames, all ten digits and
# 94 % consistent clips over 3 seeds, where whole frames drew 12 % and 50 % (benchmarks/README.md,
# "Sprite motion"). The judge of the window alone collapses onto a few digits: PacGAN's pairs and
# a slower judge keep all ten, and one-sided label smoothing the alarms quiet.
# --sprite 0 for footage that is not one object moving on a plain background.
# demo/full: the paper's code sizes, a faster generator (TTUR) and 4 frames per clip judged alone
_CODES = dict(latent_dim=50, motion_dim=10, g_lr=5e-4, d_lr=1e-4, frame_discriminator=4, pack=2)
PRESETS = vgan.video_presets(
    {
        "tiny": dict(
            latent_dim=8,
            motion_dim=4,
            base_filters=4,
            image_size=16,
            num_frames=4,
            frame_discriminator=1,
            sprite=8,
        ),
        "demo": dict(**_CODES, base_filters=32, sprite=16, label_smoothing=0.1),
        "full": dict(**_CODES, base_filters=64, num_frames=16, sprite=32),
    }
)
OPTIONS = (*GAN_OPTIONS, "motion_dim", "recurrent", "frame_discriminator", "sprite", "pack")


def from_config(cfg) -> MoCoGAN:
    """The compiled :class:`MoCoGAN` of a :class:`~tfvidgan.config.TrainConfig`
    (``latent_dim`` is the content code's size)."""
    c = cfg
    g = build_generator(
        c.latent_dim, c.motion_dim, c.image_size, c.channels, c.base_filters, c.recurrent, c.sprite
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
    model = MoCoGAN(g, d, c.latent_dim, c.motion_dim, c.num_frames, seed=c.seed, pack=c.pack)
    return compile_from_config(model, c)
