"""MoCoGAN: content fixed over the clip, motion from a recurrent cell, two judges, longer clips."""

import keras
import numpy as np
import pytest

from tfvidgan.config import get_config
from tfvidgan.models import build, mocogan

K, M, T, SIZE = 8, 4, 4, 16  # content code, motion code, frames, frame size


def tiny_generator(recurrent="gru"):
    return mocogan.build_generator(K, M, SIZE, 1, base_filters=4, recurrent=recurrent)


def tiny_model(frames_judged=2):
    d = mocogan.build_discriminator(T, SIZE, 1, 4, frame_discriminator=frames_judged)
    return mocogan.MoCoGAN(tiny_generator(), d, K, M, T, seed=0)


def latents(n=2, frames=T, seed=0):
    return np.random.default_rng(seed).standard_normal((n, frames * M + K)).astype("float32")


def clips(g, z):
    return keras.ops.convert_to_numpy(g(z, training=False))


def per_frame_change(a, b):
    """Largest absolute change of each frame, ``(B, T)``."""
    return np.abs(a - b).max(axis=(2, 3, 4))


def test_generator_draws_clips_in_range_for_any_length():
    g = tiny_generator()
    for frames in (1, T, 3 * T):
        video = clips(g, latents(3, frames))
        assert video.shape == (3, frames, SIZE, SIZE, 1) and video.dtype == np.float32
        assert np.all(np.abs(video) <= 1.0)


def test_changing_only_the_content_code_changes_every_frame():
    g, z = tiny_generator(), latents()
    other = z.copy()
    other[:, -K:] = np.random.default_rng(9).standard_normal((2, K))
    assert np.all(per_frame_change(clips(g, z), clips(g, other)) > 1e-4)


def test_changing_the_motion_noise_of_frame_k_leaves_earlier_frames_and_moves_later_ones():
    g, z = tiny_generator(), latents()
    k = 2
    other = z.copy()
    other[:, k * M : (k + 1) * M] += 1.5  # eps_{k+1}, the noise of frame index k
    change = per_frame_change(clips(g, z), clips(g, other))
    np.testing.assert_array_equal(change[:, :k], 0.0)  # the recurrence is causal
    assert np.all(change[:, k:] > 1e-4)  # ... and carries the change on to every later frame


def test_motion_comes_from_the_recurrent_cell_even_for_constant_noise():
    """Same eps at every step: the frames still differ, because the cell's state moves on."""
    for recurrent, layer_type in (("gru", keras.layers.GRU), ("lstm", keras.layers.LSTM)):
        g = tiny_generator(recurrent)
        cell = g.get_layer("motion_generator").get_layer(recurrent)
        assert isinstance(cell, layer_type)
        z = latents(2)
        z[:, : T * M] = np.tile(z[:, :M], (1, T))  # eps_1 = eps_2 = ... = eps_T
        video = clips(g, z)
        assert np.all(np.abs(np.diff(video, axis=1)).max(axis=(2, 3, 4)) > 1e-5)


def test_the_image_generator_draws_frame_t_from_the_content_and_motion_codes():
    g, z = tiny_generator(), latents(2)
    noise = z[:, : T * M].reshape(2, T, M)
    motion = keras.ops.convert_to_numpy(g.get_layer("motion_generator")(noise))
    image_generator = g.get_layer("frame_by_frame").image_generator
    t = 2
    frame = image_generator(np.concatenate([z[:, -K:], motion[:, t]], axis=1), training=False)
    np.testing.assert_allclose(clips(g, z)[:, t], keras.ops.convert_to_numpy(frame), atol=1e-5)


def test_a_longer_clip_starts_with_the_training_length_clip():
    g, z = tiny_generator(), latents(2, frames=3 * T)
    short = np.concatenate([z[:, : T * M], z[:, -K:]], axis=1)  # same eps_1..eps_T, same content
    np.testing.assert_allclose(clips(g, z)[:, :T], clips(g, short), atol=1e-5)


def test_unknown_recurrent_cell_and_missing_codes_are_refused():
    with pytest.raises(ValueError, match="gru, lstm"):
        tiny_generator("rnn")
    with pytest.raises(ValueError, match="--motion-dim"):
        mocogan.build_generator(8, 0)
    with pytest.raises(ValueError, match="frame-discriminator"):
        mocogan.build_discriminator(T, SIZE, 1, 4, frame_discriminator=0)


def test_discriminator_has_a_video_judge_and_an_image_judge_of_single_frames():
    d = mocogan.build_discriminator(T, SIZE, 1, 4, frame_discriminator=2)
    rng = np.random.default_rng(1)
    frame = rng.uniform(-1, 1, (2, 1, SIZE, SIZE, 1)).astype("float32")
    still = np.repeat(frame, T, axis=1)  # the same frame at every t
    logits = keras.ops.convert_to_numpy(d(still, training=False))
    assert logits.shape == (2, 4) and logits.dtype == np.float32
    np.testing.assert_allclose(logits[:, 0], logits[:, 1])  # the video logit, repeated
    np.testing.assert_allclose(logits[:, 2], logits[:, 3], atol=1e-6)  # one judge, same frame
    moving = still.copy()
    moving[:, 1:] = rng.uniform(-1, 1, moving[:, 1:].shape)  # frame 0 and the judged frame...
    moved = keras.ops.convert_to_numpy(d(moving, training=False))
    assert np.all(np.abs(moved[:, 0] - logits[:, 0]) > 1e-6)  # ...the clip judge sees the change


def test_model_samples_longer_clips_and_keeps_its_latent_layout():
    model = tiny_model()
    assert model.can_extend and model.latent_dim == T * M + K
    assert model.sample(3, seed=1).shape == (3, T, SIZE, SIZE, 1)
    longer = model.sample(3, seed=1, num_frames=3 * T)
    assert longer.shape == (3, 3 * T, SIZE, SIZE, 1)
    assert model.draw_frames == T  # back to the training length
    np.testing.assert_allclose(model.sample(3, seed=1, num_frames=3 * T), longer)
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match="num_frames"):
            model.sample(2, num_frames=bad)
    with pytest.raises(ValueError, match="class-conditional"):
        model.sample(2, labels=3)


def test_content_motion_grid_rows_keep_content_and_columns_keep_motion():
    model = tiny_model()
    grid = model.content_motion_grid(num_content=3, num_motion=2, seed=0)
    assert grid.shape == (6, T, SIZE, SIZE, 1)
    rows = grid.reshape(3, 2, T, SIZE, SIZE, 1)
    # same content code along a row: rebuild the latents and check them one by one
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((2, T * M), dtype=np.float32)
    content = rng.standard_normal((3, K), dtype=np.float32)
    z = np.concatenate([noise[1], content[2]])[None]
    np.testing.assert_allclose(rows[2, 1], clips(model.generator, z)[0], atol=1e-5)
    assert not np.allclose(rows[0, 0], rows[0, 1]) and not np.allclose(rows[0, 0], rows[1, 0])
    assert model.content_motion_grid(2, 2, num_frames=2 * T).shape[1] == 2 * T


def test_train_step_updates_both_networks(fit_step, videos):
    logs = fit_step(tiny_model(), videos(4, T, SIZE))
    assert {"d_loss", "g_loss", "real_score", "fake_score"} <= set(logs)


def test_from_config_builds_the_tiny_preset_and_refuses_foreign_options():
    cfg = get_config("mocogan", "tiny", channels=1)
    model = build(cfg)
    assert isinstance(model, mocogan.MoCoGAN)
    assert (model.content_dim, model.motion_dim, model.num_frames) == (8, 4, 4)
    assert model.discriminator.output_shape == (None, 2)
    assert model.generate(model.sample_latents(2)).shape == (2, 4, 16, 16, 1)
    with pytest.raises(ValueError, match="not an option of the 'mocogan' family"):
        build(get_config("mocogan", "tiny", two_stream=True))
    with pytest.raises(ValueError, match="not an option of the 'vgan' family"):
        build(get_config("vgan", "tiny", motion_dim=4))
    lstm = build(get_config("mocogan", "tiny", recurrent="lstm"))
    assert isinstance(
        lstm.generator.get_layer("motion_generator").get_layer("lstm"), keras.layers.LSTM
    )


def test_the_generator_saves_to_a_keras_file_and_draws_the_same_clips(tmp_path):
    g = tiny_generator()
    g.save(tmp_path / "generator.keras")
    again = keras.saving.load_model(tmp_path / "generator.keras")
    z = latents(2, frames=2 * T)  # any length, after loading too
    np.testing.assert_allclose(clips(again, z), clips(g, z), atol=1e-6)


def test_fit_on_batches_of_unknown_size_keeps_the_clip_length_static():
    """A dataset batched without drop_remainder (batches of 2, 2, 1) has no static batch
    size; the generator must still tell the frame judge how many frames a clip has."""
    import tensorflow as tf

    cfg = get_config("mocogan", "tiny")
    model = build(cfg)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (5, cfg.num_frames, cfg.image_size, cfg.image_size, 1))
    spec = (None, len(x[0]), *x.shape[2:])
    fake = model.generator.compute_output_spec(keras.KerasTensor((None, model.latent_dim)))
    assert tuple(fake.shape) == spec
    history = model.fit(tf.data.Dataset.from_tensor_slices(x.astype("float32")).batch(2), verbose=0)
    assert np.isfinite(history.history["d_loss"][-1]) and model.trained_steps == 3


# ---- sprite motion: one drawn sprite per clip, moved by the motion code -------------------

SPRITE = 8


def sprite_generator():
    return mocogan.build_generator(K, M, SIZE, 1, base_filters=4, sprite=SPRITE)


def test_place_sprite_puts_the_top_left_corner_at_the_position_times_the_room():
    sprite = -np.ones((1, SPRITE, SPRITE, 1), "float32")
    sprite[0, 0, 0, 0] = 1.0  # one white pixel at the sprite's top-left corner
    positions = np.array([[[0.0, 0.0], [1.0, 1.0], [0.5, 0.25]]], "float32")  # (x, y)
    frames = keras.ops.convert_to_numpy(mocogan.PlaceSprite(SIZE)([sprite, positions]))
    assert frames.shape == (1, 3, SIZE, SIZE, 1)
    room = SIZE - SPRITE
    for t, (y, x) in enumerate([(0, 0), (room, room), (room // 4, room // 2)]):
        lit = np.argwhere(frames[0, t, ..., 0] > -1.0)
        np.testing.assert_array_equal(lit, [[y, x]])
        assert frames[0, t, y, x, 0] == pytest.approx(1.0)


def test_place_sprite_rounds_to_whole_pixels_and_passes_the_bilinear_gradient():
    import tensorflow as tf

    sprite = -np.ones((1, SPRITE, SPRITE, 1), "float32")
    sprite[0, 0, 0, 0] = 1.0
    room = SIZE - SPRITE
    x = tf.Variable([[[2.25 / room, 0.0], [2.75 / room, 0.0]]])  # 2.25 and 2.75 px right
    with tf.GradientTape() as tape:
        frames = mocogan.PlaceSprite(SIZE)([sprite, x])
        ink_right = (frames[0, :, 0, 3, 0] + 1.0) / 2.0  # ink on pixel 3 of row 0
    ink = (keras.ops.convert_to_numpy(frames)[0, :, 0, :, 0] + 1.0) / 2.0
    np.testing.assert_allclose(ink[:, 2:4], [[1.0, 0.0], [0.0, 1.0]], atol=1e-6)  # rounded
    grad = tape.gradient(ink_right, x).numpy()
    # the bilinear paste puts 1 - |3 - offset| on pixel 3: d/d offset = +1, times the room
    np.testing.assert_allclose(grad[0, :, 0], [room, room], rtol=1e-5)


def test_place_sprite_passes_each_frame_pixels_gradient_to_the_sprite_pixel_it_copies_once():
    """At whole-pixel offsets the sprite's gradient is the frame gradient under each paste,
    summed over frames, counted once (not once for the rounded paste and again for the
    bilinear one)."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    room = SIZE - SPRITE
    corners = [(0, 0), (room, 1), (3, room)]  # (y, x) of each frame's top-left corner
    positions = np.array([[[x / room, y / room] for y, x in corners]], "float32")
    weights = rng.standard_normal((1, len(corners), SIZE, SIZE, 1)).astype("float32")
    sprite = tf.Variable(rng.uniform(-1, 1, (1, SPRITE, SPRITE, 1)).astype("float32"))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(mocogan.PlaceSprite(SIZE)([sprite, positions]) * weights)
    expected = sum(
        weights[:, t, y : y + SPRITE, x : x + SPRITE] for t, (y, x) in enumerate(corners)
    )
    np.testing.assert_allclose(tape.gradient(loss, sprite).numpy(), expected, atol=1e-5)


def test_a_sprite_clip_is_one_image_moved_so_its_ink_is_the_same_in_every_frame():
    """Inside the frame a translation keeps the sprite's total ink; the motion noise only
    moves it, the content code redraws it."""
    g, z = sprite_generator(), latents(3)
    video = clips(g, z)
    assert video.shape == (3, T, SIZE, SIZE, 1) and np.all(np.abs(video) <= 1.0)
    ink = ((video + 1.0) / 2.0).sum(axis=(2, 3, 4))  # (B, T)
    np.testing.assert_allclose(ink, np.repeat(ink[:, :1], T, axis=1), rtol=1e-4)
    moved = z.copy()
    moved[:, : T * M] = np.random.default_rng(5).standard_normal((3, T * M))
    other = clips(g, moved)
    np.testing.assert_allclose(((other + 1) / 2).sum(axis=(2, 3, 4)), ink, rtol=1e-4)
    assert per_frame_change(video, other).max() > 0.5  # ... somewhere else (whole pixels)
    redrawn = z.copy()
    redrawn[:, -K:] = np.random.default_rng(9).standard_normal((3, K))
    assert not np.allclose(((clips(g, redrawn) + 1) / 2).sum(axis=(2, 3, 4)), ink, rtol=1e-3)


def test_sprite_sizes_that_do_not_fit_the_frame_are_refused_with_the_flag_to_use():
    for bad in (4, 12, SIZE, 2 * SIZE):
        with pytest.raises(ValueError, match=f"--sprite {SIZE // 2}"):
            mocogan.build_generator(K, M, SIZE, 1, base_filters=4, sprite=bad)


def test_sprite_models_train_save_and_draw_longer_clips(tmp_path, fit_step, videos):
    model = build(get_config("mocogan", "tiny", sprite=SPRITE, channels=1))
    assert model.generator.get_layer("sprite_generator").output_shape == (None, 8, 8, 1)
    crop = model.discriminator.get_layer("ink_crop")  # the image judge looks at the sprite
    assert crop.size == SPRITE and crop.output.shape[1:] == (SPRITE, SPRITE, 1)
    whole = build(get_config("mocogan", "tiny", sprite=0, channels=1))
    assert "ink_crop" not in [layer.name for layer in whole.discriminator.layers]
    logs = fit_step(model, videos(4, model.num_frames, SIZE))
    assert np.isfinite(logs["g_loss"])
    packed = build(get_config("mocogan", "tiny", sprite=SPRITE, pack=2, channels=1))
    assert packed.discriminator.input_shape[-1] == 2  # PacGAN: pairs of clips, each cut alone
    assert packed.discriminator.get_layer("ink_crop").channels == 1
    assert np.isfinite(fit_step(packed, videos(4, packed.num_frames, SIZE))["d_loss"])
    model.generator.save(tmp_path / "generator.keras")
    again = keras.saving.load_model(tmp_path / "generator.keras")
    z = latents(2, frames=3 * model.num_frames)
    np.testing.assert_allclose(clips(again, z), clips(model.generator, z), atol=1e-6)
    assert clips(again, z).shape[1] == 3 * model.num_frames
