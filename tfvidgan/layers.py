"""Building blocks shared by the model files.

Kept deliberately small: a block is a few Keras layers in a row, so a learner can
read a generator as a list of blocks. 2-D blocks serve images ``(B, H, W, C)``;
3-D blocks serve videos ``(B, T, H, W, C)``.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from tfvidgan.runtime import replica_share


def num_doublings(size: int, start: int = 4, name: str = "image_size") -> int:
    """How many 2x upsamplings take ``start`` pixels to ``size``; ``size`` must be
    ``start * 2**k`` with k >= 1 (8, 16, 32, 64, 128, ...)."""
    k, s = 0, int(size)
    while s > start and s % 2 == 0:
        s //= 2
        k += 1
    if s != start or k < 1:
        raise ValueError(
            f"{name}={size} is not possible: use {start} times a power of two, e.g. 32 or 64"
        )
    return k


def maybe_spectral_norm(layer: layers.Layer, enabled: bool) -> layers.Layer:
    """Wrap ``layer`` in :class:`keras.layers.SpectralNormalization` when enabled
    (Miyato et al. 2018, https://arxiv.org/abs/1802.05957)."""
    return layers.SpectralNormalization(layer) if enabled else layer


def norm_relu(x, style=None):
    """Batch norm -> ReLU in float32; with ``style`` ``(B, S)``, conditional batch norm.

    Conditional batch norm (de Vries et al. 2017, https://arxiv.org/abs/1707.00683;
    BigGAN's generator, Brock et al. 2019): the normalised features are scaled
    by ``1 + gamma`` and shifted by ``beta``, both learned linear functions of
    ``style``, one value per channel, the same at every position (and, in a
    video, every time step).
    """
    x = layers.BatchNormalization(center=style is None, scale=style is None, dtype="float32")(x)
    if style is not None:
        shape = (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gamma = layers.Reshape(shape)(layers.Dense(x.shape[-1], dtype="float32")(style))
        beta = layers.Reshape(shape)(layers.Dense(x.shape[-1], dtype="float32")(style))
        x = x * (1.0 + gamma) + beta
    return layers.ReLU(dtype="float32")(x)


def up_block(x, filters: int, strides, dims: int = 2, kernel_size: int = 4, style=None):
    """Transposed convolution -> batch norm -> ReLU (the DCGAN generator block).

    ``dims=2`` uses ``Conv2DTranspose`` (images), ``dims=3`` ``Conv3DTranspose``
    (videos; ``strides`` like ``(2, 2, 2)`` or ``(1, 2, 2)`` to upsample space only).
    ``kernel_size`` 4 is VGAN's 4x4x4; DCGAN passes its paper's 5.
    ``style`` makes the batch norm conditional (:func:`norm_relu`).
    Under mixed precision the convolution runs in the compute dtype while batch
    norm and ReLU stay in float32: on CPUs their bfloat16 kernels are slower
    than float32 (measured in ``benchmarks/README.md``).
    """
    conv = layers.Conv2DTranspose if dims == 2 else layers.Conv3DTranspose
    x = conv(filters, kernel_size, strides=strides, padding="same", use_bias=False)(x)
    return norm_relu(x, style)


def down_block(
    x,
    filters: int,
    strides,
    dims: int = 2,
    spectral_norm: bool = False,
    first: bool = False,
    kernel_size: int = 4,
):
    """Strided convolution -> LeakyReLU(0.2) (the DCGAN discriminator block).

    No batch norm: it would couple the samples of a batch, which breaks the
    per-sample gradient penalty of WGAN-GP (Gulrajani et al. 2017, Sec. 4).
    ``first=True`` keeps the block reading raw pixels in float32: a convolution
    over 1-3 input channels gains nothing from bfloat16 and loses speed on CPUs.
    """
    conv = layers.Conv2D if dims == 2 else layers.Conv3D
    dtype = "float32" if first else None
    x = maybe_spectral_norm(
        conv(filters, kernel_size, strides=strides, padding="same", dtype=dtype), spectral_norm
    )(x)
    return layers.LeakyReLU(0.2, dtype=dtype)(x)


def to_pixels(x, channels: int, strides=2, dims: int = 2, kernel_size: int = 4):
    """Last generator layer: a transposed convolution to ``channels`` (upsampling
    by ``strides``, like the DCGAN paper's last layer), then ``tanh`` into
    [-1, 1]. The convolution runs in the compute dtype; ``tanh`` and the
    output are float32 under mixed precision, so samples stay accurate.
    """
    conv = layers.Conv2DTranspose if dims == 2 else layers.Conv3DTranspose
    x = conv(channels, kernel_size, strides=strides, padding="same")(x)
    return layers.Activation("tanh", dtype="float32")(x)


def logits_head(h, spectral_norm: bool = False):
    """Flatten features and map them to one real-valued logit per sample (float32)."""
    h = layers.Flatten()(h)
    return maybe_spectral_norm(layers.Dense(1, dtype="float32"), spectral_norm)(h)


def code_head(h, info_codes: int, hidden: int = 128):
    """InfoGAN's Q head on discriminator features ``h`` ``(B, ..., D)``: a hidden
    layer with LeakyReLU(0.2), then logits over the ``info_codes`` categories,
    float32 ``(B, ..., info_codes)`` (the paper's FC-128, lReLU, FC on the
    shared trunk, without batch norm, for the same reason as in
    :func:`down_block`)."""
    h = layers.LeakyReLU(0.2)(layers.Dense(hidden)(h))
    return layers.Dense(info_codes, dtype="float32")(h)


@keras.saving.register_keras_serializable(package="tfvidgan")
class ClassProjection(layers.Layer):
    """Projection discriminator term <embed(y), h> (Miyato & Koyama 2018,
    https://arxiv.org/abs/1802.05637).

    Inputs ``[h, y]`` with features ``h`` of shape ``(B, D)`` and integer labels
    ``y`` of shape ``(B,)``; output ``(B, 1)``, added to the unconditional logit.
    """

    def __init__(self, num_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes

    def build(self, input_shape):
        dim = input_shape[0][-1]
        self.embedding = layers.Embedding(self.num_classes, dim)
        self.embedding.build((None,))

    def call(self, inputs):
        h, y = inputs
        e = self.embedding(ops.cast(ops.reshape(y, (-1,)), "int32"))
        return ops.sum(ops.cast(e, h.dtype) * h, axis=-1, keepdims=True)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="tfvidgan")
class RandomFrames(layers.Layer):
    """Pick ``k`` of the ``T`` frames of each clip: ``(B, T, H, W, C) -> (B, k, H, W, C)``.

    In training each clip gets its own random frames, in time order, drawn from
    a :class:`keras.random.SeedGenerator`, so a generator cannot learn which
    frames are judged; otherwise the frames are evenly spaced (deterministic).
    DVD-GAN's spatial discriminator samples frames the same way (Clark et al.
    2019, https://arxiv.org/abs/1907.06571).
    """

    def __init__(self, k: int, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.k = int(k)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, videos, training=False):
        num_frames = videos.shape[1]
        if self.k >= num_frames:
            return videos
        if training:  # under tf.distribute each replica gets its share of the global draw
            draw = lambda n: keras.random.uniform((n, num_frames), seed=self.seed_generator)
            scores = replica_share(draw, ops.shape(videos)[0])
            index = ops.sort(
                ops.top_k(scores, self.k)[1], axis=-1
            )  # k distinct frames per clip, in order
        else:
            index = ops.broadcast_to(
                ops.linspace(0, num_frames - 1, self.k, dtype="int32"),
                (ops.shape(videos)[0], self.k),
            )
        return ops.take_along_axis(videos, ops.reshape(index, (-1, self.k, 1, 1, 1)), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], min(self.k, input_shape[1]), *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "k": self.k, "seed": self.seed}


@keras.saving.register_keras_serializable(package="tfvidgan")
class InkCrop(layers.Layer):
    """The ``size x size`` window of each image centred on its ink:
    ``(N, H, W, C)`` in [-1, 1] -> ``(N, size, size, C)``.

    The window is centred on the bounding box of the pixels whose brightest
    channel is above mid-grey, moved inside the image where it would cross
    an edge, and at the image's centre when nothing is that bright. It suits one
    object on a dark background: with sprite motion the image judge looks at the
    digit rather than the frame, the same window cut from real and generated
    frames alike. ``channels=c``: the ``C`` channels hold ``C / c`` images of
    ``c`` channels side by side (PacGAN's packing), each cut around its own ink.
    The window's place is not differentiated; its pixels are (a one-hot selection).
    :meth:`corner` gives the place: the window's top-left pixel.
    """

    def __init__(self, size: int, channels: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.size, self.channels = int(size), channels

    def _packed(self, images):
        """``(N, H, W, C)`` -> ``(N, H, W, P, k)``: the ``P`` packed images of ``k`` channels."""
        k = self.channels or images.shape[3]
        return ops.reshape(images, (ops.shape(images)[0], *images.shape[1:3], -1, k))

    def _start(self, x, axis):
        """``x (N, H, W, P, k)`` -> ``(N, P)`` float: the window's first row (axis 1) or column."""
        length = x.shape[axis]
        ink = ops.stop_gradient(ops.max(ops.cast(x, "float32"), axis=-1) > 0.0)  # (N, H, W, P)
        lines = ops.cast(ops.any(ink, axis=3 - axis), "int32")  # (N, L, P): a line has ink
        lines = ops.transpose(lines, (0, 2, 1))
        first = ops.argmax(lines, axis=-1)
        last = length - 1 - ops.argmax(ops.flip(lines, axis=-1), axis=-1)
        centre = ops.cast(first + last, "float32") / 2.0  # (L - 1) / 2 when there is no ink
        return ops.clip(ops.round(centre - (self.size - 1) / 2.0), 0, length - self.size)

    def _window(self, x, axis):
        """``x (N, H, W, P, k)`` -> ``(N, P, size, L)``: one-hot rows (axis 1) or columns."""
        start = ops.cast(self._start(x, axis), "int32")
        index = start[..., None] + ops.arange(self.size, dtype="int32")
        return ops.one_hot(index, x.shape[axis], dtype=self.compute_dtype)

    def corner(self, images):
        """``(N, H, W, C)`` -> ``(N, 2)`` float32 ``(x, y)``: the top-left pixel of the window
        :meth:`call` cuts (of the first packed image)."""
        x = self._packed(images)
        return ops.stack([self._start(x, 2)[:, 0], self._start(x, 1)[:, 0]], axis=-1)

    def call(self, images):
        x = self._packed(images)  # (N, H, W, P, k)
        rows, cols = self._window(x, 1), self._window(x, 2)
        crops = ops.einsum("npsh,nhwpc,nptw->nstpc", rows, x, cols)
        return ops.reshape(crops, (-1, self.size, self.size, images.shape[3]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "channels": self.channels}


@keras.saving.register_keras_serializable(package="tfvidgan")
class Sampling(layers.Layer):
    """Reparameterisation trick z = mu + exp(0.5 * log_var) * eps (Kingma &
    Welling 2013, https://arxiv.org/abs/1312.6114). Inputs ``[mu, log_var]``,
    each ``(B, latent_dim)``; noise from a :class:`keras.random.SeedGenerator`."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mu, log_var = inputs
        draw = lambda n: keras.random.normal(
            (n, mu.shape[-1]), dtype=mu.dtype, seed=self.seed_generator
        )
        eps = replica_share(draw, ops.shape(mu)[0])  # each replica its share of the global draw
        return mu + ops.exp(0.5 * log_var) * eps
