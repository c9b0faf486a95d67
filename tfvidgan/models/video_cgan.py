"""Class-conditional video GAN: choose which digit a clip shows.

MoCoGAN's networks (:mod:`tfvidgan.models.mocogan`, Tulyakov et al. 2018,
https://arxiv.org/abs/1707.04993) with a label attached, as the conditional
GAN of :mod:`tfvidgan.models.cgan` attaches one to DCGAN's (Mirza & Osindero
2014, https://arxiv.org/abs/1411.1784):

* generator: a learned embedding of the label joins the **content code**, the
  part of z that every frame gets unchanged, so the asked digit is held for
  the whole clip by construction (the motion stays label-free);
* discriminator: both judges are projection discriminators (Miyato & Koyama
  2018, "cGANs with Projection Discriminator", https://arxiv.org/abs/1802.05637):
  ``logit = psi(phi(x)) + <embed(y), phi(x)>`` on the 3-D video features and,
  with its own embedding, on the features of every judged frame. The clip judge
  asks "is this a real clip of digit y?", the frame judge "is this a sharp y?".

Why MoCoGAN's generator and not VGAN's or TGAN's: in VGAN's 3-D generator the
digit drifts within a clip (issue 14: 72 % recognisable frames and 86 % clip
consistency at best after 30 minutes), and a label given to it would have to be
held by layers that redraw every frame; MoCoGAN holds it in the content code,
which no layer can change along the clip. What was measured (session 8, shared
2-core CPU, one seed each, ``benchmarks/README.md``, "MoCoGAN and conditional
video"): a MoCoGAN step costs 1.25x a VGAN step and TGAN's 1.59x, and in
8-minute first looks (about 1 000 steps on the loaded machine) none of the
families drew recognisable digits yet. So the choice rests on the design and on
the step cost, not yet on the quality bars: revisit it when the 30-minute rows
of ``mocogan`` and ``tgan`` are in.

Videos ``(B, T, H, W, C)`` in [-1, 1]; labels ``(B,)`` int in [0, num_classes).
"""

from __future__ import annotations

import keras
from keras import layers, ops

from tfvidgan.layers import ClassProjection, InkCrop, RandomFrames, maybe_spectral_norm
from tfvidgan.models import dcgan, mocogan, vgan
from tfvidgan.models.base import compile_from_config

# ==== Generator ===============================================================


def build_generator(
    content_dim=50,
    motion_dim=10,
    num_classes=10,
    image_size=32,
    channels=1,
    base_filters=32,
    recurrent="gru",
    embed_dim=16,
    sprite=0,
) -> keras.Model:
    """[z ``(B, T * motion_dim + content_dim)``, label ``(B,)``] -> video ``(B, T, H, W, C)``.

    ``embed(y)`` is appended to z, after the content code: MoCoGAN's generator
    (:func:`tfvidgan.models.mocogan.build_generator`) then reads
    ``[z_C, embed(y)]`` as one content code of ``content_dim + embed_dim``
    numbers, the same in every frame (``sprite=S``: it draws the one sprite of the clip).
    """
    z = keras.Input((None,), name="z")
    y = keras.Input((), dtype="int32", name="label")
    e = layers.Embedding(num_classes, embed_dim, name="label_embedding")(y)
    body = mocogan.build_generator(
        content_dim + embed_dim, motion_dim, image_size, channels, base_filters, recurrent, sprite
    )
    body.name = "mocogan_generator"
    return keras.Model([z, y], body(layers.Concatenate()([z, e])), name="generator")


# ==== Discriminator ===========================================================


def build_discriminator(
    num_classes=10,
    num_frames=16,
    image_size=32,
    channels=1,
    base_filters=32,
    spectral_norm=False,
    frame_discriminator=4,
    frame_crop=0,
) -> keras.Model:
    """[video ``(B, T, H, W, C)``, label ``(B,)``] -> logits ``(B, 2k)``.

    MoCoGAN's two judges (:func:`tfvidgan.models.mocogan.build_discriminator`),
    each a projection discriminator: features of VGAN's 3-D judge
    (``include_top=False``) and of DCGAN's 2-D judge on ``k`` random frames
    per clip (:class:`~tfvidgan.layers.RandomFrames`, the frames folded into
    the batch), each followed by ``Dense(1) + <embed(y), features>``. The
    output is laid out as MoCoGAN's: the video logit repeated ``k`` times,
    then the ``k`` frame logits. ``frame_crop=S``: the frame judge sees the
    ``S x S`` window around each frame's ink (:class:`~tfvidgan.layers.InkCrop`).
    """
    k = min(int(frame_discriminator), int(num_frames))
    if k < 1:
        raise ValueError(
            f"frame_discriminator={frame_discriminator} is not possible: the video cGAN judges "
            "single frames as well as clips; use 1 or more (e.g. --frame-discriminator 4)"
        )
    x = keras.Input((num_frames, image_size, image_size, channels), name="video")
    y = keras.Input((), dtype="int32", name="label")

    def projected(h, labels):  # psi(h) + <embed(y), h>, float32 (B, 1)
        psi = maybe_spectral_norm(layers.Dense(1, dtype="float32"), spectral_norm)(h)
        return layers.Add(dtype="float32")([psi, ClassProjection(num_classes)([h, labels])])

    video_features = vgan.build_discriminator(
        num_frames, image_size, channels, base_filters, spectral_norm, include_top=False
    )
    video_features.name = "video_features"
    video_logit = projected(video_features(x), y)  # (B, 1)

    frame_features = dcgan.build_discriminator(
        frame_crop or image_size,
        channels,
        base_filters,
        spectral_norm,
        include_top=False,
        kernel_size=4,
    )
    frame_features.name = "frame_features"
    frames = ops.reshape(RandomFrames(k)(x), (-1, image_size, image_size, channels))  # (B * k, ...)
    if frame_crop:
        frames = InkCrop(frame_crop, name="ink_crop")(frames)  # (B * k, S, S, C)
    frame_labels = ops.reshape(ops.repeat(ops.reshape(y, (-1, 1)), k, axis=1), (-1,))  # (B * k,)
    frame_logits = ops.reshape(projected(frame_features(frames), frame_labels), (-1, k))  # (B, k)
    video_logits = layers.Reshape((k,), dtype="float32")(
        layers.RepeatVector(k, dtype="float32")(video_logit)
    )
    out = layers.Concatenate(dtype="float32", name="video_and_frame_logits")(
        [video_logits, frame_logits]
    )
    return keras.Model([x, y], out, name="discriminator")


# ==== Model ===================================================================


class VideoCGAN(mocogan.MoCoGAN):
    """MoCoGAN with labels: datasets yield ``(clips, labels)``; ``sample(num,
    labels=k)`` draws digit k, for clips of any length (``num_frames=``)."""

    def __init__(self, generator, discriminator, content_dim, motion_dim, num_frames, **kwargs):
        kwargs.setdefault("num_classes", 10)
        super().__init__(generator, discriminator, content_dim, motion_dim, num_frames, **kwargs)


# ==== Presets and from_config ==================================================

# The same networks and budgets, with a label; unpacked: a pack of clips cannot be checked
# against one label
PRESETS = {name: {**preset, "pack": 1} for name, preset in mocogan.PRESETS.items()}
OPTIONS = tuple(option for option in mocogan.OPTIONS if option != "pack")


def from_config(cfg) -> VideoCGAN:
    """The compiled :class:`VideoCGAN` of a :class:`~tfvidgan.config.TrainConfig`."""
    c = cfg
    g = build_generator(
        c.latent_dim,
        c.motion_dim,
        c.num_classes,
        c.image_size,
        c.channels,
        c.base_filters,
        c.recurrent,
        sprite=c.sprite,
    )
    d = build_discriminator(
        c.num_classes,
        c.num_frames,
        c.image_size,
        c.channels,
        c.base_filters,
        c.spectral_norm,
        c.frame_discriminator,
        c.sprite,  # the image judge looks at the sprite
    )
    model = VideoCGAN(
        g, d, c.latent_dim, c.motion_dim, c.num_frames, num_classes=c.num_classes, seed=c.seed
    )
    return compile_from_config(model, c)
