"""Class-conditional video (MoCoGAN + label): the label reaches the generator and both judges."""

import keras
import numpy as np
import pytest

from tfvidgan.config import get_config
from tfvidgan.layers import ClassProjection
from tfvidgan.models import build, video_cgan

K, M, T, SIZE, CLASSES = 8, 4, 4, 16, 10


def tiny_model():
    g = video_cgan.build_generator(K, M, CLASSES, SIZE, 1, base_filters=4)
    d = video_cgan.build_discriminator(CLASSES, T, SIZE, 1, 4, frame_discriminator=2)
    return video_cgan.VideoCGAN(g, d, K, M, T, num_classes=CLASSES, seed=0)


def np_(x):
    return keras.ops.convert_to_numpy(x)


def test_the_label_changes_every_frame_and_the_motion_noise_not_the_first_ones():
    model = tiny_model()
    z = np.random.default_rng(0).standard_normal((2, T * M + K)).astype("float32")
    y3, y7 = np.array([3, 3], "int32"), np.array([7, 7], "int32")
    a, b = np_(model.generate(z, y3)), np_(model.generate(z, y7))
    assert a.shape == (2, T, SIZE, SIZE, 1) and np.all(np.abs(a) <= 1)
    assert np.all(np.abs(a - b).max(axis=(2, 3, 4)) > 1e-4)  # the label is in the content code
    later = z.copy()
    later[:, 2 * M : 3 * M] += 1.0  # noise of frame 2 only
    c = np_(model.generate(later, y3))
    np.testing.assert_array_equal(np.abs(a - c)[:, :2], 0.0)


def test_the_label_reaches_both_judges_through_their_projections():
    model = tiny_model()
    clip = np.random.default_rng(1).uniform(-1, 1, (2, T, SIZE, SIZE, 1)).astype("float32")
    a = np_(model.discriminate(clip, np.array([1, 1], "int32")))
    b = np_(model.discriminate(clip, np.array([8, 8], "int32")))
    assert a.shape == (2, 4) and a.dtype == np.float32
    assert np.all(np.abs(a[:, 0] - b[:, 0]) > 1e-7)  # the video judge's logit
    assert np.all(np.abs(a[:, 2:] - b[:, 2:]) > 1e-7)  # every frame judge's logit
    projections = [x for x in model.discriminator.layers if isinstance(x, ClassProjection)]
    assert len(projections) == 2


def test_the_frame_judges_projection_is_the_inner_product_with_the_label_embedding():
    """Zero the frame judge's projection: the frame logits stop depending on the label."""
    model = tiny_model()
    projections = [x for x in model.discriminator.layers if isinstance(x, ClassProjection)]
    clip = np.random.default_rng(2).uniform(-1, 1, (2, T, SIZE, SIZE, 1)).astype("float32")
    for p in projections:
        p.embedding.embeddings.assign(np.zeros(p.embedding.embeddings.shape, "float32"))
    a = np_(model.discriminate(clip, np.array([1, 1], "int32")))
    b = np_(model.discriminate(clip, np.array([8, 8], "int32")))
    np.testing.assert_allclose(a, b)


def test_sample_draws_asked_labels_and_longer_clips():
    model = tiny_model()
    assert model.num_classes == CLASSES and model.can_extend
    same = model.sample(2, labels=4, seed=0)
    other = model.sample(2, labels=5, seed=0)
    assert same.shape == (2, T, SIZE, SIZE, 1) and not np.allclose(same, other)
    assert model.sample(2, labels=4, seed=0, num_frames=2 * T).shape == (2, 2 * T, SIZE, SIZE, 1)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 9\]"):
        model.sample(2, labels=10)
    grid = model.content_motion_grid(2, 3, labels=[6, 1])
    assert grid.shape == (6, T, SIZE, SIZE, 1)


def test_train_step_on_labelled_clips(fit_step, videos):
    clips = videos(4, T, SIZE)
    labels = np.array([0, 1, 2, 3], "int32")
    logs = fit_step(tiny_model(), (clips, labels))
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])


def test_with_a_sprite_the_label_draws_the_sprite_and_the_motion_only_moves_it():
    g = video_cgan.build_generator(K, M, CLASSES, SIZE, 1, base_filters=4, sprite=8)
    z = np.random.default_rng(0).standard_normal((2, T * M + K)).astype("float32")
    ink = lambda y: ((np_(g([z, np.array([y, y], "int32")], training=False)) + 1) / 2).sum(
        axis=(2, 3, 4)
    )  # (B, T): a moved sprite keeps its ink in every frame
    three, seven = ink(3), ink(7)
    np.testing.assert_allclose(three, np.repeat(three[:, :1], T, axis=1), rtol=1e-4)
    assert not np.allclose(three, seven, rtol=1e-3)  # another label, another sprite


def test_from_config_tiny_and_a_missing_frame_judge_is_refused():
    model = build(get_config("video_cgan", "tiny", channels=1))
    assert isinstance(model, video_cgan.VideoCGAN) and model.num_classes == 10
    assert model.generator.get_layer("mocogan_generator").get_layer("place_sprite")
    frames = model.discriminator.get_layer("frame_features")  # judges the sprite's window
    assert model.discriminator.get_layer("ink_crop").size == 8 and frames.input_shape[1] == 8
    with pytest.raises(ValueError, match="frame-discriminator"):
        video_cgan.build_discriminator(10, T, SIZE, 1, 4, frame_discriminator=0)
