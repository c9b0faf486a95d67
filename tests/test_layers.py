"""Building blocks of tfvidgan.layers: shapes, dtypes and exact maths against NumPy."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan.layers import (
    ClassProjection,
    InkCrop,
    RandomFrames,
    Sampling,
    code_head,
    down_block,
    logits_head,
    maybe_spectral_norm,
    norm_relu,
    num_doublings,
    to_pixels,
    up_block,
)


def test_num_doublings_counts_the_2x_steps_from_4_pixels():
    assert [num_doublings(s) for s in (8, 16, 32, 64, 128)] == [1, 2, 3, 4, 5]
    assert num_doublings(6, start=3) == 1
    for bad in (4, 12, 30, 0):
        with pytest.raises(ValueError, match=f"image_size={bad} is not possible"):
            num_doublings(bad)
    with pytest.raises(ValueError, match="crop=5 is not possible"):
        num_doublings(5, name="crop")


def test_norm_relu_in_inference_is_relu_of_the_normalised_input():
    x_in = keras.Input((3, 3, 4))
    block = keras.Model(x_in, norm_relu(x_in))
    bn = next(layer for layer in block.layers if isinstance(layer, keras.layers.BatchNormalization))
    assert bn.scale and bn.center and bn.dtype_policy.name == "float32"
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 4)).astype("float32")
    expected = np.maximum(x / np.sqrt(1.0 + bn.epsilon), 0)  # moving mean 0, variance 1
    np.testing.assert_allclose(block(x, training=False).numpy(), expected, atol=1e-6)


def test_conditional_batch_norm_scales_and_shifts_each_channel_by_the_style():
    x_in, s_in = keras.Input((2, 3, 3, 4)), keras.Input((5,))
    block = keras.Model([x_in, s_in], norm_relu(x_in, s_in))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 2, 3, 3, 4)).astype("float32")
    s = rng.normal(size=(2, 5)).astype("float32")
    bn = next(layer for layer in block.layers if isinstance(layer, keras.layers.BatchNormalization))
    dense_gamma, dense_beta = [
        layer for layer in block.layers if isinstance(layer, keras.layers.Dense)
    ]
    for dense in (dense_gamma, dense_beta):  # non-zero weights: the formula is visible
        dense.kernel.assign(rng.normal(size=dense.kernel.shape).astype("float32"))
        dense.bias.assign(rng.normal(size=dense.bias.shape).astype("float32"))
    gamma = s @ dense_gamma.kernel.numpy() + dense_gamma.bias.numpy()  # (B, 4)
    beta = s @ dense_beta.kernel.numpy() + dense_beta.bias.numpy()
    # inference: moving mean 0, variance 1, and no scale/shift of its own
    normalised = x / np.sqrt(1.0 + bn.epsilon)
    expected = np.maximum(
        normalised * (1 + gamma[:, None, None, None]) + beta[:, None, None, None], 0
    )
    assert not bn.scale and not bn.center
    np.testing.assert_allclose(block([x, s], training=False).numpy(), expected, atol=1e-5)
    other = block([x, s[::-1]], training=False).numpy()
    assert not np.allclose(other, expected, atol=1e-3)  # another style, another output


@pytest.mark.parametrize(
    "dims, shape, strides, out",
    [(2, (4, 4, 8), 2, (8, 8, 3)), (3, (2, 4, 4, 8), (2, 2, 2), (4, 8, 8, 3))],
)
def test_up_block_and_to_pixels(dims, shape, strides, out):
    x_in = keras.Input(shape)
    h = up_block(x_in, 6, strides=strides, dims=dims)
    assert tuple(h.shape[1:]) == tuple(2 * s for s in shape[:-1]) + (6,)
    pixels = keras.Model(x_in, to_pixels(x_in, 3, strides=strides, dims=dims))
    y = pixels(np.random.default_rng(0).normal(size=(2, *shape)).astype("float32") * 10)
    assert tuple(y.shape[1:]) == out and y.dtype == "float32"
    assert float(keras.ops.min(y)) >= -1 and float(keras.ops.max(y)) <= 1


def test_down_block_halves_the_size_and_keeps_the_pixel_reader_in_float32():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    x_in = keras.Input((8, 8, 1))
    first = down_block(x_in, 4, strides=2, first=True)
    second = down_block(first, 8, strides=2, spectral_norm=True)
    model = keras.Model(x_in, second)
    assert tuple(first.shape[1:]) == (4, 4, 4) and tuple(second.shape[1:]) == (2, 2, 8)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs[0].compute_dtype == "float32"
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in model.layers)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)


def test_heads_and_spectral_norm_wrapper():
    h_in = keras.Input((2, 2, 8))
    assert tuple(logits_head(h_in).shape) == (None, 1)
    assert logits_head(h_in).dtype == "float32"
    f_in = keras.Input((3, 16))
    assert tuple(code_head(f_in, 5).shape) == (None, 3, 5)
    dense = keras.layers.Dense(2)
    assert maybe_spectral_norm(dense, False) is dense
    assert isinstance(maybe_spectral_norm(dense, True), keras.layers.SpectralNormalization)


def test_class_projection_is_the_dot_product_of_label_embedding_and_features():
    layer = ClassProjection(3)
    h = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    y = np.array([0, 2, 1, 2])
    out = layer([h, y]).numpy()
    table = layer.embedding.embeddings.numpy()  # (3, 5)
    assert out.shape == (4, 1)
    np.testing.assert_allclose(out[:, 0], np.sum(table[y] * h, axis=1), rtol=1e-5, atol=1e-6)
    assert ClassProjection.from_config(layer.get_config()).num_classes == 3


def test_random_frames_draws_distinct_ordered_frames_per_clip():
    # value = 16 * clip + frame
    clips = np.arange(64 * 16, dtype="float32").reshape(64, 16, 1, 1, 1)
    picked = RandomFrames(4, seed=0)(clips, training=True).numpy()[..., 0, 0, 0]
    frames = picked - 16 * np.arange(64)[:, None]
    # own clip, distinct, in order
    assert picked.shape == (64, 4) and (np.diff(frames, axis=1) > 0).all()
    assert len({tuple(f) for f in frames}) > 30  # clips get different frames
    assert set(frames.ravel()) == set(range(16))  # every frame can be judged
    fixed = RandomFrames(4)(clips).numpy()[..., 0, 0, 0] - 16 * np.arange(64)[:, None]
    assert (fixed == [0, 5, 10, 15]).all()  # inference: evenly spaced
    assert RandomFrames(20)(clips).shape == clips.shape  # k >= T: every frame
    assert RandomFrames(4).compute_output_shape((None, 16, 8, 8, 1)) == (None, 4, 8, 8, 1)
    assert RandomFrames.from_config(RandomFrames(3, seed=7).get_config()).k == 3


def test_ink_crop_cuts_the_window_around_the_ink_and_passes_gradients_to_its_pixels():
    glyph = -np.ones((8, 8, 1), "float32")
    glyph[1:7, 2:6] = np.linspace(0.2, 1.0, 24, dtype="float32").reshape(6, 4, 1)
    images = -np.ones((4, 16, 16, 1), "float32")
    images[0, 3:11, 5:13] = glyph  # inside the frame
    images[1, 8:16, 0:8] = glyph  # touching two edges
    images[2, 0:2, 0:2] = 1.0  # a 2x2 blob in a corner: the window moves inside the frame
    # images[3]: no ink at all: the centre
    images = keras.ops.convert_to_tensor(images)
    crops = keras.ops.convert_to_numpy(InkCrop(8)(images))
    assert crops.shape == (4, 8, 8, 1)
    np.testing.assert_array_equal(crops[0], glyph)
    np.testing.assert_array_equal(crops[1], glyph)
    np.testing.assert_array_equal(crops[2], keras.ops.convert_to_numpy(images)[2, :8, :8])
    assert (crops[3] == -1).all()
    corners = keras.ops.convert_to_numpy(InkCrop(8).corner(images))  # (x, y) of each window
    np.testing.assert_array_equal(corners, [[5, 3], [0, 8], [0, 0], [4, 4]])

    with tf.GradientTape() as tape:  # the gradient reaches exactly the window's pixels
        tape.watch(images)
        total = tf.reduce_sum(InkCrop(8)(images)[:1])
    grad = tape.gradient(total, images).numpy()[0, ..., 0]
    assert grad.sum() == 64 and (grad[3:11, 5:13] == 1).all()
    packed = keras.ops.concatenate([images[1:2], images[0:1]], axis=-1)  # PacGAN: 2 in channels
    both = keras.ops.convert_to_numpy(InkCrop(8, channels=1)(packed))
    np.testing.assert_array_equal(both[0], np.concatenate([glyph, glyph], axis=-1))
    red = -np.ones((1, 16, 16, 3), "float32")
    red[0, 9:13, 10:14] = [1.0, -0.7, -0.7]  # a red square: dark on average, bright in one channel
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(InkCrop(8).corner(red)), [[8, 7]])
    assert InkCrop.from_config(InkCrop(8, 1).get_config()).channels == 1
    assert InkCrop(8).compute_output_shape((None, 16, 16, 3)) == (None, 8, 8, 3)


def test_sampling_is_the_reparameterisation_trick():
    mu = np.array([[1.0, -2.0, 0.0]] * 4, "float32")
    log_var = np.array([[0.0, np.log(4.0), -2.0]] * 4, "float32")
    z = Sampling(seed=3)([mu, log_var]).numpy()
    eps = keras.random.normal((4, 3), seed=keras.random.SeedGenerator(3)).numpy()
    np.testing.assert_allclose(z, mu + np.exp(0.5 * log_var) * eps, rtol=1e-5, atol=1e-6)
    big = Sampling(seed=0)([np.ones((20000, 1), "float32"), np.full((20000, 1), np.log(4.0))])
    big = big.numpy()
    assert abs(big.mean() - 1) < 0.05 and abs(big.std() - 2) < 0.05
