"""Image to video: frame 0 is the given image; its ink moves (sprites), or its encoded
content drives the drawn frames (whole frames)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import data
from tfvidgan.config import get_config
from tfvidgan.layers import InkCrop
from tfvidgan.models import build, image_to_video

K, M, T, SIZE = 8, 4, 4, 16


def tiny_model(channels=1, sprite=0):
    g = image_to_video.build_generator(K, M, SIZE, channels, base_filters=4, sprite=sprite)
    d = image_to_video.build_discriminator(
        T, SIZE, channels, 4, frame_discriminator=2, frame_crop=sprite
    )
    return image_to_video.ImageToVideoGAN(g, d, M, T, SIZE, channels, seed=0)


def digit_frames(n=3, seed=0):
    clips, _ = data.load_arrays("moving_digits", n, image_size=SIZE, num_frames=1, seed=seed)
    return data.to_float(clips[:, 0]).astype("float32")


def test_sprites_move_the_given_ink_unchanged_and_two_draws_move_it_differently():
    model = tiny_model(sprite=8)
    first = digit_frames()
    clips = model.sample(6, seed=0, first_frames=first)  # each first frame twice
    np.testing.assert_array_equal(clips[:, 0], first[[0, 1, 2, 0, 1, 2]])
    crop = InkCrop(8)
    window = np_(crop(clips[:, 0])).reshape(6, -1)  # the given ink, on a background of -1:
    pixels = np.sort(np.concatenate([window, -np.ones((6, SIZE * SIZE - 64))], axis=1))
    for t in range(1, T):  # the same pixels in every frame, only somewhere else
        np.testing.assert_array_equal(np.sort(clips[:, t].reshape(6, -1)), pixels)
    bright = (clips > 0).sum(axis=(2, 3, 4))  # (6, T): no bright pixel of the digit is lost
    assert (bright[:, 1:] == bright[:, :1]).all() and bright.min() > 0
    corners = np_(crop.corner(clips.reshape(-1, SIZE, SIZE, 1))).reshape(6, T, 2)
    assert np.abs(corners[:3, 1:] - corners[3:, 1:]).max() > 0  # the same frame, other paths
    assert (clips[:, 1:] == -1).mean() > 0.5  # the background stays black


def test_move_given_sprite_folds_the_path_back_at_the_edges_and_passes_gradients():
    first = -np.ones((1, SIZE, SIZE, 1), "float32")
    first[0, 5:9, 0:4] = 1.0  # a 4x4 square: the 8x8 window's corner is x = 0, y = 4
    steps = np.zeros((1, 5, 2), "float32")
    steps[0, :, 0] = 3.0  # 3 px to the right each frame; the corner's room is 16 - 8 = 8
    move = image_to_video.MoveGivenSprite(8, SIZE)
    clips = np_(move([first, steps]))
    assert clips.shape == (1, 5, SIZE, SIZE, 1)
    left = (clips[0, ..., 0] > 0).any(axis=1).argmax(axis=-1)  # the square's first column
    np.testing.assert_array_equal(left, [3, 6, 7, 4, 1])  # 9 -> 7, 12 -> 4, 15 -> 1
    np.testing.assert_array_equal((clips[0, ..., 0] > 0).any(axis=2).argmax(axis=-1), 5)
    assert (clips > 0).sum() == 5 * 16  # the whole square in every frame
    steps = tf.constant(steps + 0.25)  # off whole pixels, where the bilinear paste has a slope
    ramp = tf.reshape(tf.linspace(0.0, 1.0, SIZE), (1, 1, 1, SIZE, 1))  # worth more to the right
    with tf.GradientTape() as tape:
        tape.watch(steps)
        score = tf.reduce_sum(move([first, steps]) * ramp)
    grad = tape.gradient(score, steps).numpy()
    assert np.all(np.isfinite(grad)) and np.abs(grad[0, :, 0]).max() > 0
    again = image_to_video.MoveGivenSprite.from_config(move.get_config())
    assert (again.sprite, again.image_size) == (8, SIZE)


def test_move_given_sprite_copies_the_pixels_exactly_under_mixed_precision():
    first = digit_frames(2)  # anti-aliased grey levels that bfloat16 would round
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        move = image_to_video.MoveGivenSprite(8, SIZE)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    clips = np_(move([first, np.full((2, 3, 2), 1.25, "float32")]))
    window = np_(InkCrop(8)(first)).reshape(2, -1)
    pixels = np.sort(np.concatenate([window, -np.ones((2, SIZE * SIZE - 64))], axis=1))
    for t in range(3):
        np.testing.assert_array_equal(np.sort(clips[:, t].reshape(2, -1)), pixels)


def np_(x):
    return keras.ops.convert_to_numpy(x)


def frames(n=2, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, SIZE, SIZE, 1)).astype("float32")


def test_the_clip_starts_with_the_given_frame_exactly():
    model = tiny_model()
    assert model.latent_dim == (T - 1) * M  # only motion noise: the content comes from the frame
    first = frames()
    clips = model.sample(2, seed=0, first_frames=first)
    assert clips.shape == (2, T, SIZE, SIZE, 1) and np.all(np.abs(clips) <= 1)
    np.testing.assert_array_equal(clips[:, 0], first)


def test_two_samples_from_one_first_frame_differ_and_the_frame_drives_the_content():
    model = tiny_model()
    one = frames(1)
    clips = model.sample(2, seed=0, first_frames=one)  # one image, used for both
    np.testing.assert_array_equal(clips[0, 0], clips[1, 0])
    assert np.all(np.abs(clips[0, 1:] - clips[1, 1:]).max(axis=(1, 2, 3)) > 1e-4)
    z = np.random.default_rng(3).standard_normal((1, model.latent_dim)).astype("float32")
    a = np_(model.generate(z, frames(1, seed=1)))
    b = np_(model.generate(z, frames(1, seed=2)))
    assert np.all(np.abs(a - b).max(axis=(0, 2, 3, 4)) > 1e-4)  # every later frame follows it


def test_the_encoder_gives_the_content_code_of_every_drawn_frame():
    model = tiny_model()
    first = frames(1)
    z = np.random.default_rng(4).standard_normal((1, model.latent_dim)).astype("float32")
    encoder = model.generator.get_layer("encoder")
    body = model.generator.get_layer("mocogan_generator")
    content = np_(encoder(first, training=False))
    want = np_(body(np.concatenate([z, content], axis=1), training=False))
    np.testing.assert_allclose(np_(model.generate(z, first))[:, 1:], want, atol=1e-5)


def test_split_batch_takes_the_first_frame_as_condition_and_the_judges_see_clips_only():
    model = tiny_model()
    clips = np.random.default_rng(5).uniform(-1, 1, (2, T, SIZE, SIZE, 1)).astype("float32")
    real, condition = model.split_batch(keras.ops.convert_to_tensor(clips))
    np.testing.assert_array_equal(np_(condition), clips[:, 0])
    real, condition = model.split_batch((clips, np.array([1, 2])))  # labels are ignored
    np.testing.assert_array_equal(np_(condition), clips[:, 0])
    logits = np_(model.discriminate(clips, condition))
    np.testing.assert_allclose(logits, np_(model.discriminator(clips)))


def test_grid_inputs_and_default_samples_use_real_first_frames():
    model = tiny_model()
    latents, first = model.grid_inputs(3, seed=7)
    assert latents.shape == (3, model.latent_dim) and first.shape == (3, SIZE, SIZE, 1)
    real, labels = model.real_first_frames(3, 7)
    np.testing.assert_array_equal(first, real)
    assert labels.shape == (3,) and set(labels) <= set(range(10))
    assert first.min() >= -1 and first.max() <= 1 and first.max() > 0  # a white digit on black
    _, again = model.grid_inputs(3, seed=np.random.default_rng(0))  # the diversity alarm's seed
    assert again.shape == (3, SIZE, SIZE, 1)
    clips = model.sample(3, seed=7)
    np.testing.assert_array_equal(clips[:, 0], real)


def test_longer_clips_and_the_content_motion_grid():
    model = tiny_model()
    assert model.sample(2, seed=0, num_frames=3 * T).shape == (2, 3 * T, SIZE, SIZE, 1)
    with pytest.raises(ValueError, match=">= 2"):
        model.sample(2, num_frames=1)  # the given frame and at least one drawn
    grid = model.content_motion_grid(num_content=2, num_motion=3, seed=0).reshape(
        2, 3, T, SIZE, SIZE, 1
    )
    np.testing.assert_array_equal(grid[0, 0, 0], grid[0, 2, 0])  # a row shares its first frame
    assert not np.allclose(grid[0, 0, 1:], grid[0, 1, 1:])  # ... and moves in other ways


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((32, 32, 1), "float32"), "resize or crop it to 16x16"),
        (np.zeros((2, 16, 16, 3), "float32"), "convert it to grey"),
        (np.full((16, 16, 1), 3.0, "float32"), r"\[-1, 1\]"),
    ],
)
def test_wrong_first_frames_are_refused_with_what_to_pass(bad, message):
    with pytest.raises(ValueError, match=message):
        tiny_model().sample(2, first_frames=bad)


def test_first_frames_as_uint8_or_one_grey_image_are_read():
    model = tiny_model()
    image = np.full((SIZE, SIZE), 255, np.uint8)
    clips = model.sample(2, seed=0, first_frames=image)
    np.testing.assert_allclose(clips[:, 0], 1.0)


@pytest.mark.parametrize("sprite, part", [(0, "encoder"), (8, "motion_generator")])
def test_train_step_updates_the_generator_parts(fit_step, videos, sprite, part):
    model = tiny_model(sprite=sprite)
    weights = model.generator.get_layer(part).trainable_weights
    before = [w.numpy().copy() for w in weights]
    fit_step(model, videos(4, T, SIZE))
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, weights))


def test_from_config_tiny():
    model = build(get_config("image_to_video", "tiny", channels=1))
    assert isinstance(model, image_to_video.ImageToVideoGAN)
    assert model.dataset == "moving_digits" and model.latent_dim == 3 * 4
    assert model.generator.get_layer("move_given_sprite").sprite == 8  # the tiny preset's
    demo = get_config("image_to_video", "demo")
    assert (demo.sprite, demo.pack) == (16, 2)
    packed = build(get_config("image_to_video", "tiny", pack=2))
    assert packed.pack == 2 and packed.discriminator.input_shape[-1] == 2
    whole = build(get_config("image_to_video", "tiny", sprite=0))
    assert "encoder" in [layer.name for layer in whole.generator.layers]


@pytest.mark.parametrize("sprite", [0, 8])
def test_the_generator_saves_to_a_keras_file(tmp_path, sprite):
    model = tiny_model(sprite=sprite)
    model.generator.save(tmp_path / "generator.keras")
    again = keras.saving.load_model(tmp_path / "generator.keras")
    z = np.random.default_rng(6).standard_normal((2, model.latent_dim)).astype("float32")
    np.testing.assert_allclose(
        np_(again([z, frames()], training=False)), np_(model.generate(z, frames())), atol=1e-6
    )
