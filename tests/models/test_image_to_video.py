"""Image to video: frame 0 is the given image, its encoded content drives the rest."""

import keras
import numpy as np
import pytest

from tfvidgan.config import get_config
from tfvidgan.models import build, image_to_video

K, M, T, SIZE = 8, 4, 4, 16


def tiny_model(channels=1):
    g = image_to_video.build_generator(K, M, SIZE, channels, base_filters=4)
    d = image_to_video.build_discriminator(T, SIZE, channels, 4, frame_discriminator=2)
    return image_to_video.ImageToVideoGAN(g, d, M, T, SIZE, channels, seed=0)


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


def test_train_step_updates_the_encoder_too(fit_step, videos):
    model = tiny_model()
    encoder = model.generator.get_layer("encoder")
    before = [w.numpy().copy() for w in encoder.trainable_weights]
    fit_step(model, videos(4, T, SIZE))
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, encoder.trainable_weights))


def test_from_config_tiny():
    model = build(get_config("image_to_video", "tiny", channels=1))
    assert isinstance(model, image_to_video.ImageToVideoGAN)
    assert model.dataset == "moving_digits" and model.latent_dim == 3 * 4
    # frames drawn whole: a sprite's positions could not start where the given digit is
    assert get_config("image_to_video", "demo").sprite == 0
    with pytest.raises(ValueError, match="sprite is not an option of the 'image_to_video'"):
        build(get_config("image_to_video", "tiny", sprite=8))


def test_the_generator_saves_to_a_keras_file(tmp_path):
    model = tiny_model()
    model.generator.save(tmp_path / "generator.keras")
    again = keras.saving.load_model(tmp_path / "generator.keras")
    z = np.random.default_rng(6).standard_normal((2, model.latent_dim)).astype("float32")
    np.testing.assert_allclose(
        np_(again([z, frames()], training=False)), np_(model.generate(z, frames())), atol=1e-6
    )
