"""VGAN: the first video GAN, built from 3-D convolutions.

Vondrick, Pirsiavash & Torralba 2016, "Generating Videos with Scene Dynamics",
https://arxiv.org/abs/1609.02612.

Read this file next to :mod:`tfvidgan.models.dcgan`: it is the same design with
``Conv2D -> Conv3D``. A 3-D convolution slides over time as well as space, so
one network produces all frames at once and the discriminator judges motion
and appearance together.

The paper's generator has two streams: a 3-D stream for the moving foreground
``f`` with a mask ``m`` in [0, 1], and a 2-D stream for a static background
``b``; the video is ``m * f + (1 - m) * b``. ``two_stream=False`` keeps only
the 3-D stream (simpler, and enough for clips on a black background).

Two options, off by default (the paper's networks), on in the ``demo``
preset because they make a 3-D GAN learn sharp, stable digits within minutes
on a CPU:

* ``build_discriminator(frame_discriminator=k)``: a 2-D judge of ``k``
  random frames per clip next to the 3-D judge (MoCoGAN's image
  discriminator, sampled as in DVD-GAN);
* ``build_generator(shared_content=True)``: half of the first feature volume
  is one map repeated over time, a place for "what" to stay fixed while the
  other half says "how it moves" (the content/motion split of MoCoGAN, inside
  a 3-D generator).

Videos are ``(B, T, H, W, C)`` float32 in [-1, 1]; ``H = W = image_size``
(16, 32, 64, ...), any ``T >= 2``.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from tfvidgan.layers import (
    InkCrop,
    RandomFrames,
    code_head,
    down_block,
    logits_head,
    maybe_spectral_norm,
    norm_relu,
    num_doublings,
    to_pixels,
    up_block,
)
from tfvidgan.models.base import GAN, GAN_OPTIONS, compile_from_config


def _time_plan(num_frames: int, k: int) -> tuple[int, int]:
    """Split ``num_frames`` into (start length t0, number m of 2x time upsamplings).

    Time is doubled only in the first ``k - 1`` up blocks: the last layer,
    which draws the pixels, upsamples space only. Were it to double time too,
    even and odd frames would come from different halves of its kernel and the
    video would flicker with period two.
    """
    if int(num_frames) < 2:
        raise ValueError(
            f"num_frames={num_frames} is not possible: a video needs at least 2 frames"
        )
    t0, m = int(num_frames), 0
    while t0 % 2 == 0 and m < k - 1:
        t0 //= 2
        m += 1
    return t0, m


# ==== Generator ===============================================================


def build_generator(
    latent_dim=100,
    num_frames=16,
    image_size=32,
    channels=1,
    base_filters=32,
    two_stream=False,
    shared_content=False,
):
    """z ``(B, latent_dim)`` -> video ``(B, num_frames, image_size, image_size, channels)``.

    Projects z to a ``(t0, 4, 4)`` volume, then each up block doubles space and,
    while frames are still missing, time: strides ``(2, 2, 2)`` then ``(1, 2, 2)``.
    The last block goes straight to pixels, as in DCGAN, and doubles space only.

    Args:
        latent_dim: size of z.
        num_frames: frames T of each clip (at least 2).
        image_size: height = width of the frames (8, 16, 32, 64, ...).
        channels: 1 for grey, 3 for RGB.
        base_filters: filters of the last up block; doubled per block towards z.
        two_stream: the paper's moving foreground and static background, mixed by a mask.
        shared_content: half the channels of the first volume are one 4x4 map
            repeated at every time step (see the module docstring).
    """
    k = num_doublings(image_size)
    t0, m = _time_plan(num_frames, k)
    top = base_filters * 2 ** (k - 1)
    z = keras.Input((latent_dim,), name="z")
    if shared_content and t0 > 1:
        # half the channels hold one 4x4 "what" map, the same at every time step;
        # the other half are free per time step ("how it moves")
        what = layers.Reshape((1, 4, 4, top // 2))(
            layers.Dense(4 * 4 * (top // 2), use_bias=False)(z)
        )
        what = layers.Concatenate(axis=1)([what] * t0)
        how = layers.Dense(t0 * 4 * 4 * (top - top // 2), use_bias=False)(z)
        how = layers.Reshape((t0, 4, 4, top - top // 2))(how)
        h = layers.Concatenate(axis=-1)([what, how])
    else:
        h = layers.Dense(t0 * 4 * 4 * top, use_bias=False)(z)
        h = layers.Reshape((t0, 4, 4, top))(h)
    h = norm_relu(h)
    strides = [(2 if i < m else 1, 2, 2) for i in range(k)]  # double time first
    for i in range(k - 1):
        h = up_block(h, base_filters * 2 ** (k - 2 - i), strides=strides[i], dims=3)
    foreground = to_pixels(h, channels, strides=strides[-1], dims=3)
    if not two_stream:
        return keras.Model(z, foreground, name="generator")

    mask = layers.Conv3DTranspose(1, 4, strides=strides[-1], padding="same")(h)
    mask = layers.Activation("sigmoid", dtype="float32")(mask)
    b = layers.Dense(4 * 4 * top, use_bias=False)(z)
    b = layers.Reshape((4, 4, top))(b)
    b = norm_relu(b)
    for i in range(k - 1):
        b = up_block(b, base_filters * 2 ** (k - 2 - i), strides=2, dims=2)
    background = layers.Reshape((1, image_size, image_size, channels))(
        to_pixels(b, channels, dims=2)
    )
    video = layers.Lambda(
        lambda t: t[0] * t[1] + (1.0 - t[0]) * t[2], dtype="float32", name="composite"
    )([mask, foreground, background])
    return keras.Model(z, video, name="generator")


# ==== Discriminator ===========================================================


def build_discriminator(
    num_frames=16,
    image_size=32,
    channels=1,
    base_filters=32,
    spectral_norm=False,
    include_top=True,
    frame_discriminator=0,
    info_codes=0,
    frame_crop=0,
    crop_channels=None,
):
    """video ``(B, T, H, W, C)`` -> logit ``(B, 1)`` (or features with ``include_top=False``).

    Each down block halves space and, while more than one frame is left, time.

    ``frame_discriminator=k`` (k >= 1) adds a second judge that looks at ``k``
    random frames of each clip, each on its own: the image discriminator of
    MoCoGAN (Tulyakov et al. 2018, https://arxiv.org/abs/1707.04993), with
    frames sampled as in DVD-GAN (:class:`~tfvidgan.layers.RandomFrames`).
    The frames are folded into the batch and go through 2-D DCGAN down blocks.
    The output is then ``(B, 2k)``: the video logit repeated ``k`` times next
    to the ``k`` frame logits, so that in the losses (means over every logit)
    the two judges weigh the same. The video judge asks "does it move like the
    data?", the frame judge "is this frame a sharp digit?"; the second question
    is learned much faster with 2-D kernels, which is where a lone 3-D GAN is
    slow on a CPU budget.

    ``info_codes=K`` adds InfoGAN's Q head (:class:`~tfvidgan.models.base.GAN`)
    to each judge: the model returns ``[logits, code logits (B, 1 + k, K)]``,
    the video judge's guess of the clip's code followed by one guess per
    judged frame. Asking every judged frame for the code is what ties the
    code, and so the digit, to the whole clip.
    """
    n = min(int(frame_discriminator), int(num_frames))
    x = keras.Input((num_frames, image_size, image_size, channels), name="video")
    h, t = x, int(num_frames)
    for i in range(num_doublings(image_size)):
        time_stride = 2 if t > 1 else 1
        t = -(-t // time_stride)
        h = down_block(
            h,
            base_filters * 2**i,
            strides=(time_stride, 2, 2),
            dims=3,
            spectral_norm=spectral_norm,
            first=i == 0,
        )
    if not include_top:
        return keras.Model(x, layers.Flatten()(h), name="features")
    out = logits_head(h, spectral_norm)
    codes = (
        layers.Reshape((1, info_codes))(code_head(layers.Flatten()(h), info_codes))
        if info_codes
        else None
    )
    if n > 0:
        frames = RandomFrames(n)(x)
        f = ops.reshape(frames, (-1, image_size, image_size, channels))  # (B * n, H, W, C)
        if frame_crop:
            f = InkCrop(frame_crop, crop_channels, name="ink_crop")(f)  # (B * n, S, S, C)
        for i in range(num_doublings(frame_crop or image_size, name="frame_crop")):
            f = down_block(
                f, base_filters * 2**i, strides=2, dims=2, spectral_norm=spectral_norm, first=i == 0
            )
        f = ops.reshape(f, (-1, n, 4 * 4 * f.shape[-1]))  # one feature vector per frame
        frame_logits = maybe_spectral_norm(layers.Dense(1, dtype="float32"), spectral_norm)(f)
        frame_logits = layers.Reshape((n,), dtype="float32")(frame_logits)
        video_logits = layers.Reshape((n,), dtype="float32")(
            layers.RepeatVector(n, dtype="float32")(out)
        )
        out = layers.Concatenate(dtype="float32", name="video_and_frame_logits")(
            [video_logits, frame_logits]
        )
        if info_codes:
            codes = layers.Concatenate(axis=1, dtype="float32")([codes, code_head(f, info_codes)])
    return keras.Model(x, out if codes is None else [out, codes], name="discriminator")


# ==== Model ===================================================================


class VGAN(GAN):
    """The shared :class:`~tfvidgan.models.base.GAN` step on 3-D networks:
    nothing in the loop changes from images to videos."""


# ==== Presets and from_config ==================================================

# The video families' clips and budgets per preset; each family adds its networks' sizes.
VIDEO_BUDGETS = {
    "tiny": dict(num_frames=8, batch_size=4, steps=4, steps_per_epoch=2, num_examples=16),
    "demo": dict(num_frames=8, batch_size=16, steps=8000, steps_per_epoch=250, num_examples=16384),
    "full": dict(
        image_size=64, batch_size=32, steps=20000, steps_per_epoch=500, num_examples=20000
    ),
}
# colab: one T4 GPU (16 GB, tensor cores): full's networks and clips in mixed float16 (Keras
# compiles the step with XLA on a GPU by itself; tests/test_xla.py checks that it compiles).
# Unmeasured until measured on a GPU.
VIDEO_BUDGETS["colab"] = {**VIDEO_BUDGETS["full"], "precision": "mixed_float16"}


def video_presets(networks: dict) -> dict:
    """``PRESETS`` of a video family: :data:`VIDEO_BUDGETS` with the family's
    ``networks[name]`` settings (colab uses full's)."""
    return {
        name: {**budget, **networks["full" if name == "colab" else name]}
        for name, budget in VIDEO_BUDGETS.items()
    }


# demo/full: a 2-D judge of 4 random frames per clip, shared content and a faster generator
# (TTUR) on small batches: many more steps per CPU minute (benchmarks/README.md). The demo
# draws 8 frames: in 9 minutes, 1.5x the steps of 16 frames and more recognisable frames.
_JUDGES = dict(g_lr=5e-4, frame_discriminator=4, shared_content=True)
PRESETS = video_presets(
    {
        "tiny": dict(latent_dim=16, base_filters=4),
        "demo": dict(latent_dim=64, base_filters=32, **_JUDGES),
        "full": dict(latent_dim=100, base_filters=64, two_stream=True, **_JUDGES),
    }
)
OPTIONS = (*GAN_OPTIONS, "two_stream", "shared_content", "frame_discriminator")
OPTIONS += ("info_codes", "info_weight", "pack")


def from_config(cfg) -> VGAN:
    """The compiled :class:`VGAN` of a :class:`~tfvidgan.config.TrainConfig`."""
    c = cfg
    g = build_generator(
        c.latent_dim,
        c.num_frames,
        c.image_size,
        c.channels,
        c.base_filters,
        c.two_stream,
        shared_content=c.shared_content,
    )
    d = build_discriminator(
        c.num_frames,
        c.image_size,
        c.channels * c.pack,  # PacGAN: `pack` clips stacked in channels
        c.base_filters,
        c.spectral_norm,
        frame_discriminator=c.frame_discriminator,
        info_codes=c.info_codes,
    )
    model = VGAN(g, d, c.latent_dim, seed=c.seed, info_codes=c.info_codes, pack=c.pack)
    return compile_from_config(model, c)
