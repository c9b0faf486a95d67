"""Every family: tiny builds, shapes and ranges, and the shared train_step with every loss."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import losses
from tfvidgan.layers import norm_relu
from tfvidgan.models import cgan, dcgan, gaussian, vae, vgan

LATENT = 8


def _adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def _images(n=8, size=16, channels=1):
    return np.random.default_rng(0).uniform(-1, 1, (n, size, size, channels)).astype("float32")


def _videos(n=4, frames=4, size=16, channels=1):
    return (
        np.random.default_rng(0).uniform(-1, 1, (n, frames, size, size, channels)).astype("float32")
    )


def _weights(network):
    return [w.numpy().copy() for w in network.trainable_weights]


def _changed(before, network):
    return any(not np.allclose(b, a.numpy()) for b, a in zip(before, network.trainable_weights))


def _fit_one_step(model, data, run_eagerly=True, **compile_kwargs):
    """Compile, run exactly one train_step through fit, return the logs.

    Eager by default: tracing a graph costs more than one tiny step;
    ``test_train_step_compiles_to_a_graph`` covers the tf.function path.
    """
    model.compile(_adam(), _adam(), run_eagerly=run_eagerly, **compile_kwargs)
    g0, d0 = _weights(model.generator), _weights(model.discriminator)
    hist = model.fit(
        tf.data.Dataset.from_tensor_slices(data).batch(4), epochs=1, steps_per_epoch=1, verbose=0
    )
    logs = {k: v[-1] for k, v in hist.history.items()}
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert _changed(g0, model.generator), "generator weights did not change"
    assert _changed(d0, model.discriminator), "discriminator weights did not change"
    return logs


def _dcgan():
    return dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4), dcgan.build_discriminator(16, 1, 4), LATENT, seed=1
    )


# --- shapes and ranges ------------------------------------------------------


@pytest.mark.parametrize("size, channels", [(16, 1), (32, 3), (64, 1)])
def test_dcgan_shapes_and_range(size, channels):
    g = dcgan.build_generator(LATENT, size, channels, 4)
    d = dcgan.build_discriminator(size, channels, 4)
    x = g(np.random.normal(size=(3, LATENT)).astype("float32"))
    assert x.shape == (3, size, size, channels)
    assert float(tf.reduce_min(x)) >= -1 and float(tf.reduce_max(x)) <= 1
    assert d(x).shape == (3, 1)


@pytest.mark.parametrize(
    "frames, size, channels", [(8, 32, 1), (16, 32, 1), (16, 64, 3), (12, 16, 1)]
)
@pytest.mark.parametrize("two_stream", [False, True])
def test_vgan_shapes_and_range(frames, size, channels, two_stream):
    g = vgan.build_generator(LATENT, frames, size, channels, 4, two_stream=two_stream)
    d = vgan.build_discriminator(frames, size, channels, 4)
    v = g(np.random.normal(size=(2, LATENT)).astype("float32"))
    assert v.shape == (2, frames, size, size, channels)
    assert float(tf.reduce_min(v)) >= -1 and float(tf.reduce_max(v)) <= 1
    assert d(v).shape == (2, 1)


def test_vgan_frames_differ_over_time():
    g = vgan.build_generator(LATENT, 8, 16, 1, 4)
    v = g(np.random.normal(size=(1, LATENT)).astype("float32")).numpy()
    assert np.abs(v[0, 1:] - v[0, :-1]).mean() > 0


def _first_volume_halves(g, z):
    """The generator's first feature volume, split into its shared and per-time halves, each (B, t0, 4, 4, C/2)."""
    first = next(
        layer
        for layer in g.layers
        if isinstance(layer, keras.layers.Concatenate) and layer.axis == -1
    )
    return np.split(keras.Model(g.input, first.output)(z).numpy(), 2, axis=-1)  # what, how


def test_shared_content_is_the_same_at_every_time_step():
    g = vgan.build_generator(LATENT, 16, 32, 1, 4, shared_content=True)
    what, how = _first_volume_halves(g, np.random.normal(size=(2, LATENT)).astype("float32"))
    assert np.allclose(what, what[:, :1]) and not np.allclose(how, how[:, :1])


def test_motion_dim_splits_z_into_content_and_motion_codes():
    g = vgan.build_generator(LATENT, 16, 32, 1, 4, shared_content=True, motion_dim=3)
    z = np.random.default_rng(0).normal(size=(1, LATENT)).astype("float32")
    new_motion, new_content = z.copy(), z.copy()
    new_motion[:, -3:] += 1.0
    new_content[:, :-3] += 1.0
    what, how = _first_volume_halves(g, z)
    what_m, how_m = _first_volume_halves(g, new_motion)
    what_c, how_c = _first_volume_halves(g, new_content)
    assert np.allclose(what, what_m) and not np.allclose(
        how, how_m
    )  # the motion code moves only "how"
    assert np.allclose(how, how_c) and not np.allclose(
        what, what_c
    )  # the content code moves only "what"
    assert g(z).shape == (1, 16, 32, 32, 1)


def test_conditional_batch_norm_scales_and_shifts_each_channel_by_the_style():
    x_in, s_in = keras.Input((2, 3, 3, 4)), keras.Input((5,))
    block = keras.Model([x_in, s_in], norm_relu(x_in, s_in))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 2, 3, 3, 4)).astype("float32")
    s = rng.normal(size=(2, 5)).astype("float32")
    bn = next(l for l in block.layers if isinstance(l, keras.layers.BatchNormalization))
    dense_gamma, dense_beta = [l for l in block.layers if isinstance(l, keras.layers.Dense)]
    gamma = s @ dense_gamma.kernel.numpy() + dense_gamma.bias.numpy()  # (B, 4)
    beta = s @ dense_beta.kernel.numpy() + dense_beta.bias.numpy()
    normalised = x / np.sqrt(
        1.0 + bn.epsilon
    )  # inference: moving mean 0, variance 1, no own scale/shift
    expected = np.maximum(
        normalised * (1 + gamma[:, None, None, None]) + beta[:, None, None, None], 0
    )
    assert not bn.scale and not bn.center
    assert np.allclose(block([x, s], training=False).numpy(), expected, atol=1e-5)
    other = block([x, s[::-1]], training=False).numpy()
    assert not np.allclose(other, expected, atol=1e-3)  # another style, another output


def test_content_modulation_reaches_every_generator_block_and_not_the_motion_code():
    g = vgan.build_generator(
        LATENT, 16, 32, 1, 4, shared_content=True, motion_dim=3, content_modulation=True
    )
    conditional = [
        l for l in g.layers if isinstance(l, keras.layers.BatchNormalization) and not l.scale
    ]
    assert len(conditional) == 3  # the first volume and both 3-D up blocks of a 32x32 generator
    styles = [
        l for l in g.layers if isinstance(l, keras.layers.Dense) and l.input.shape[-1] == LATENT - 3
    ]
    assert len(styles) == 1 + 2 * 3  # the shared "what" map, then a gamma and a beta per block


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(motion_dim=3), "needs shared_content=True"),
        (dict(motion_dim=LATENT, shared_content=True), "leaving room for the content code"),
        (dict(motion_dim=-1, shared_content=True), "not possible"),
        (dict(motion_dim=3, shared_content=True, num_frames=2), "single time step"),
    ],
)
def test_impossible_motion_codes_are_rejected_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vgan.build_generator(
            **(
                dict(latent_dim=LATENT, num_frames=8, image_size=16, channels=1, base_filters=4)
                | kwargs
            )
        )


@pytest.mark.parametrize("bad", [dict(image_size=30), dict(image_size=4), dict(num_frames=1)])
def test_impossible_sizes_are_rejected_clearly(bad):
    kwargs = dict(latent_dim=LATENT, num_frames=8, image_size=16, channels=1, base_filters=4) | bad
    with pytest.raises(ValueError, match="not possible"):
        vgan.build_generator(**kwargs)


def test_conditional_generator_uses_the_label():
    g = cgan.build_generator(LATENT, 10, 16, 1, 4)
    z = np.random.normal(size=(2, LATENT)).astype("float32")
    a = g([z, np.array([1, 1])]).numpy()
    b = g([z, np.array([7, 7])]).numpy()
    assert a.shape == (2, 16, 16, 1) and not np.allclose(a, b)


@pytest.mark.parametrize("conditioning", ["projection", "concat"])
def test_conditional_discriminator_uses_the_label(conditioning):
    d = cgan.build_discriminator(10, 16, 1, 4, conditioning=conditioning)
    x = _images(2)
    assert d([x, np.array([0, 0])]).shape == (2, 1)
    assert not np.allclose(d([x, np.array([0, 0])]).numpy(), d([x, np.array([3, 3])]).numpy())


def test_unknown_conditioning_is_rejected():
    with pytest.raises(ValueError, match="projection"):
        cgan.build_discriminator(10, 16, 1, 4, conditioning="film")


# --- the shared train_step ------------------------------------------------


@pytest.mark.parametrize("loss", sorted(losses.LOSSES))
def test_one_train_step_per_loss(loss):
    logs = _fit_one_step(_dcgan(), _images(), loss=loss)
    assert set(logs) >= {
        "d_loss",
        "g_loss",
        "real_score",
        "fake_score",
        "d_grad_norm",
        "g_grad_norm",
    }


def test_train_step_compiles_to_a_graph():
    model = _dcgan()
    _fit_one_step(model, _images(), run_eagerly=False, gradient_penalty=1.0, d_steps=2)
    assert not model.run_eagerly and model.train_function is not None


def test_gradient_penalty_r1_dsteps_and_smoothing_in_one_step():
    model = _dcgan()
    logs = _fit_one_step(
        model, _images(), loss="wasserstein", gradient_penalty=10.0, r1_gamma=1.0, d_steps=3
    )
    assert int(model.d_optimizer.iterations) == 3 and int(model.g_optimizer.iterations) == 1
    _fit_one_step(_dcgan(), _images(), label_smoothing=0.1)
    assert np.isfinite(logs["d_loss"])


def test_penalty_changes_the_discriminator_update():
    def d_after(**kw):
        keras.utils.set_random_seed(0)
        model = _dcgan()
        _fit_one_step(model, _images(), loss="wasserstein", **kw)
        return model.discriminator.trainable_weights[0].numpy()

    assert not np.allclose(d_after(), d_after(gradient_penalty=10.0))


def test_spectral_norm_discriminator_trains():
    d = dcgan.build_discriminator(16, 1, 4, spectral_norm=True)
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in d.layers)
    model = dcgan.DCGAN(dcgan.build_generator(LATENT, 16, 1, 4), d, LATENT)
    _fit_one_step(model, _images(), loss="hinge")


def test_video_gan_train_step_with_gradient_penalty():
    g = vgan.build_generator(LATENT, 4, 16, 1, 4, two_stream=True)
    model = vgan.VGAN(g, vgan.build_discriminator(4, 16, 1, 4), LATENT)
    _fit_one_step(model, _videos(), loss="wasserstein", gradient_penalty=10.0)


def test_frame_discriminator_judges_each_frame_alone():
    d = vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=4)
    v = _videos(n=2)
    base = d(v).numpy()
    assert base.shape == (2, 8)  # 4 copies of the video logit, then one logit per frame
    assert np.allclose(base[:, :4], base[:, :1])
    edited = v.copy()
    edited[:, 2] = -1.0  # blank frame 2 only
    out = d(edited).numpy()
    frame_changed = ~np.isclose(out[:, 4:], base[:, 4:], atol=1e-6)
    assert (
        frame_changed[:, 2].all() and not frame_changed[:, [0, 1, 3]].any()
    )  # frames go through the 2-D judge one by one
    assert not np.allclose(out[:, 0], base[:, 0])  # the 3-D judge sees the edit too
    assert vgan.build_discriminator(8, 16, 1, 4, frame_discriminator=3)(
        _videos(n=2, frames=8)
    ).shape == (2, 6)


def test_pooled_video_judge_sees_motion_and_leaves_detail_to_the_frame_judge():
    d = vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=4, video_judge_pool=2)
    v = _videos(n=2) * 0.5
    base = d(v).numpy()
    assert base.shape == (2, 8)
    checker = np.where((np.indices((16, 16)).sum(axis=0) % 2) == 0, 0.2, -0.2)[
        None, None, :, :, None
    ]
    out = d(v + checker).numpy()  # detail that every 2x2 average removes
    assert np.allclose(
        out[:, :4], base[:, :4], atol=1e-5
    )  # the 3-D judge sees the pooled clip only
    assert not np.allclose(out[:, 4:], base[:, 4:], atol=1e-4)  # the frame judge sees every pixel
    model = vgan.VGAN(vgan.build_generator(LATENT, 4, 16, 1, 4), d, LATENT)
    assert np.isfinite(_fit_one_step(model, _videos())["d_loss"])
    with pytest.raises(ValueError, match="needs a frame judge"):
        vgan.build_discriminator(4, 16, 1, 4, video_judge_pool=2)
    with pytest.raises(ValueError, match="video_judge_pool=0 is not possible"):
        vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=2, video_judge_pool=0)
    with pytest.raises(ValueError, match="video_judge_pool=4 is not possible for image_size=16"):
        vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=2, video_judge_pool=4)


def test_random_frames_draws_distinct_ordered_frames_per_clip():
    from tfvidgan.layers import RandomFrames

    clips = np.arange(64 * 16, dtype="float32").reshape(
        64, 16, 1, 1, 1
    )  # value = 16 * clip + frame
    picked = RandomFrames(4, seed=0)(clips, training=True).numpy()[..., 0, 0, 0]
    frames = picked - 16 * np.arange(64)[:, None]
    assert (
        picked.shape == (64, 4) and (np.diff(frames, axis=1) > 0).all()
    )  # own clip, distinct, in order
    assert len({tuple(f) for f in frames}) > 30  # clips get different frames
    assert set(frames.ravel()) == set(range(16))  # every frame can be judged
    fixed = RandomFrames(4)(clips).numpy()[..., 0, 0, 0] - 16 * np.arange(64)[:, None]
    assert (fixed == [0, 5, 10, 15]).all()  # inference: evenly spaced


def test_video_gan_with_frame_discriminator_trains_with_every_penalty():
    model = vgan.VGAN(
        vgan.build_generator(LATENT, 4, 16, 1, 4),
        vgan.build_discriminator(4, 16, 1, 4, spectral_norm=True, frame_discriminator=2),
        LATENT,
    )
    logs = _fit_one_step(model, _videos(), loss="hinge", gradient_penalty=1.0, r1_gamma=1.0)
    assert logs["d_loss"] > 0  # hinge: positive until D separates every logit by a margin


def test_minibatch_stddev_shows_the_discriminator_a_collapsed_batch():
    from tfvidgan.layers import MinibatchStddev

    varied = _videos(n=4)
    collapsed = np.repeat(varied[:1], 4, axis=0)
    out = MinibatchStddev()(varied).numpy()
    assert out.shape == varied.shape[:-1] + (2,) and np.allclose(out[..., :1], varied)
    expected = np.sqrt(
        varied.var(axis=0) + 1e-8
    ).mean()  # spread per feature over the batch, averaged
    assert np.allclose(out[..., 1], expected, atol=1e-5)
    assert np.allclose(
        MinibatchStddev()(collapsed).numpy()[..., 1], 1e-4, atol=1e-6
    )  # no spread: sqrt(eps)
    d = vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=2, minibatch_stddev=True)
    assert d(varied).shape == (4, 4)
    assert not np.allclose(
        d(varied).numpy()[:1], d(np.concatenate([varied[:1]] * 4)).numpy()[:1]
    )  # same clip, other batch


def test_sampling_uses_the_generator_weight_average_and_puts_the_weights_back():
    model = _dcgan()
    model.compile(
        _adam(), keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5), run_eagerly=True
    )
    model.fit(
        tf.data.Dataset.from_tensor_slices(_images()).batch(4).repeat(),
        epochs=1,
        steps_per_epoch=3,
        verbose=0,
    )
    last = _weights(model.generator)
    average = [
        keras.ops.convert_to_numpy(v) for v in model.g_optimizer._model_variables_moving_average
    ]
    assert any(not np.allclose(a, w) for a, w in zip(average, last))
    z = keras.random.normal((4, LATENT), seed=3)
    with model.averaged_generator():
        assert all(
            np.allclose(a, w.numpy()) for a, w in zip(average, model.generator.trainable_weights)
        )
        from_average = model.generate(z).numpy()
    assert all(
        np.allclose(b, w.numpy()) for b, w in zip(last, model.generator.trainable_weights)
    )  # put back
    assert not np.allclose(from_average, model.generate(z).numpy())
    z5 = model.sample_latents(4, keras.random.SeedGenerator(5))
    with model.averaged_generator():
        expected = model.generate(z5).numpy()
    assert np.allclose(
        model.sample(4, seed=5), expected, atol=1e-6
    )  # sample() draws from the average


def test_conditional_gan_train_step_and_sampling():
    model = cgan.ConditionalGAN(
        cgan.build_generator(LATENT, 10, 16, 1, 4), cgan.build_discriminator(10, 16, 1, 4), LATENT
    )
    _fit_one_step(model, (_images(), np.arange(8) % 10), loss="hinge")
    samples = model.sample(5, labels=3)
    assert samples.shape == (5, 16, 16, 1) and samples.dtype == np.float32


def test_gaussian_gan_moves_towards_the_data_mean():
    from tfvidgan.data import gaussian_1d

    keras.utils.set_random_seed(0)
    model = gaussian.GaussianGAN(
        gaussian.build_generator(4), gaussian.build_discriminator(), 4, seed=0
    )
    model.compile(keras.optimizers.Adam(5e-3, beta_1=0.5), keras.optimizers.Adam(5e-3, beta_1=0.5))
    start = abs(float(model.sample(1024, seed=1).mean()) - 4.0)
    ds = (
        tf.data.Dataset.from_tensor_slices(gaussian_1d(4096))
        .shuffle(4096, seed=0)
        .batch(128)
        .repeat()
    )
    model.fit(ds, epochs=1, steps_per_epoch=300, verbose=0)
    end = abs(float(model.sample(1024, seed=1).mean()) - 4.0)
    assert start > 2.0 and end < 0.5, (start, end)


def test_mixed_bfloat16_step_runs_and_keeps_float32_outputs():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = _dcgan()
    logs = _fit_one_step(model, _images())
    assert model.generator.output.dtype == "float32"
    assert model.discriminator.trainable_weights[0].dtype == "float32"  # variables stay float32
    assert np.isfinite(logs["g_loss"])


@pytest.mark.parametrize("family", ["dcgan", "vgan"])
def test_mixed_bfloat16_runs_every_convolution_in_bf16_but_the_one_reading_pixels(family):
    """The discriminator's first convolution reads 1-3 raw channels, where bf16 is
    slower than float32 on CPUs; every other convolution runs in bfloat16, and
    the generator's samples come out of a float32 tanh."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    if family == "dcgan":
        g, d = dcgan.build_generator(LATENT, 32, 1, 4), dcgan.build_discriminator(32, 1, 4)
    else:
        g, d = vgan.build_generator(LATENT, 4, 32, 1, 4), vgan.build_discriminator(4, 32, 1, 4)
    up = [layer.compute_dtype for layer in g.layers if "_transpose" in layer.name]
    down = [layer.compute_dtype for layer in d.layers if layer.name.startswith("conv")]
    assert len(up) == 3 and len(down) >= 3
    assert up == ["bfloat16"] * 3 and down == ["float32"] + ["bfloat16"] * (len(down) - 1)
    assert g.output.dtype == "float32" and g.layers[-1].compute_dtype == "float32"


def test_mixed_float16_wraps_both_optimizers_for_loss_scaling():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = _dcgan()
    model.compile(_adam(), _adam())
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)


def test_d_steps_must_be_positive():
    with pytest.raises(ValueError, match="d_steps"):
        _dcgan().compile(_adam(), _adam(), d_steps=0)


# --- PacGAN -------------------------------------------------------------------


def test_pack_samples_puts_each_group_side_by_side_in_channels():
    from tfvidgan.models.base import pack_samples

    x = np.arange(6 * 2 * 3 * 3 * 2, dtype="float32").reshape(6, 2, 3, 3, 2)  # 6 clips, 2 channels
    packed = keras.ops.convert_to_numpy(pack_samples(x, 3))
    assert packed.shape == (2, 2, 3, 3, 6)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(packed[i, ..., 2 * j : 2 * j + 2], x[3 * i + j])


def test_packed_discriminator_judges_each_pair_as_one():
    """With pack=2 sample 1 changes the logit of the pair (0, 1); without
    packing each sample's logit depends on that sample alone."""
    images = _images(4)
    changed = images.copy()
    changed[1] = -changed[1]
    packed = dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4), dcgan.build_discriminator(16, 2, 4), LATENT, pack=2
    )
    before, after = packed.discriminate(images).numpy(), packed.discriminate(changed).numpy()
    assert before.shape == (2, 1)
    assert before[0, 0] != after[0, 0] and before[1, 0] == after[1, 0]
    single = _dcgan()
    before, after = single.discriminate(images).numpy(), single.discriminate(changed).numpy()
    assert before[0, 0] == after[0, 0] and before[1, 0] != after[1, 0]


@pytest.mark.parametrize("family", ["dcgan", "vgan"])
def test_packed_step_trains_with_penalties(family):
    if family == "dcgan":
        model = dcgan.DCGAN(
            dcgan.build_generator(LATENT, 16, 1, 4),
            dcgan.build_discriminator(16, 2, 4),
            LATENT,
            seed=1,
            pack=2,
        )
        data = _images()
    else:
        model = vgan.VGAN(
            vgan.build_generator(LATENT, 4, 16, 1, 4),
            vgan.build_discriminator(4, 16, 2, 4, frame_discriminator=2),
            LATENT,
            seed=1,
            pack=2,
        )
        data = _videos(8)
    logs = _fit_one_step(model, data, gradient_penalty=10.0, r1_gamma=1.0)
    assert logs["d_loss"] > 0


def test_pack_refuses_what_it_cannot_judge():
    g, d = dcgan.build_generator(LATENT, 16, 1, 4), dcgan.build_discriminator(16, 2, 4)
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match="pack="):
            dcgan.DCGAN(g, d, LATENT, pack=bad)
    with pytest.raises(ValueError, match="InfoGAN code per sample"):
        dcgan.DCGAN(g, d, LATENT, pack=2, info_codes=4)
    model = dcgan.DCGAN(g, d, LATENT, pack=2)
    with pytest.raises(ValueError, match="multiple of it, got 3"):
        model.discriminate(_images(3))


# --- VAE ----------------------------------------------------------------------


def test_vae_shapes_elbo_and_training():
    model = vae.VAE(vae.build_encoder(4, 16, 1, 4), vae.build_decoder(4, 16, 1, 4), 4, seed=0)
    mu, log_var, z = model.encoder(_images(3))
    assert mu.shape == log_var.shape == z.shape == (3, 4)
    model.compile(optimizer=_adam())
    before = _weights(model.decoder)
    ds = tf.data.Dataset.from_tensor_slices(_images(16)).batch(8).repeat()
    hist = model.fit(ds, epochs=2, steps_per_epoch=5, verbose=0).history
    np.testing.assert_allclose(
        hist["elbo"],
        -(np.array(hist["reconstruction_loss"]) + np.array(hist["kl_loss"])),
        rtol=1e-5,
    )
    assert hist["loss"][-1] < hist["loss"][0]
    assert _changed(before, model.decoder)
    assert model.sample(3).shape == (3, 16, 16, 1)


def test_vae_kl_matches_closed_form():
    model = vae.VAE(vae.build_encoder(4, 16, 1, 4), vae.build_decoder(4, 16, 1, 4), 4)
    x = _images(4)
    mu, log_var, _ = model.encoder(x)
    mu, log_var = mu.numpy(), log_var.numpy()
    expected = np.mean(np.sum(0.5 * (mu**2 + np.exp(log_var) - 1 - log_var), axis=1))
    _, kl = model.compute_terms(x)
    np.testing.assert_allclose(float(kl), expected, rtol=1e-4)


def test_sampling_with_a_seed_is_repeatable():
    model = _dcgan()
    a, b = model.sample(3, seed=5), model.sample(3, seed=5)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, model.sample(3, seed=6))
    v = vae.VAE(vae.build_encoder(4, 16, 1, 4), vae.build_decoder(4, 16, 1, 4), 4)
    np.testing.assert_array_equal(v.sample(2, seed=1), v.sample(2, seed=1))


# --- InfoGAN codes ------------------------------------------------------------


def test_info_codes_are_one_hot_uniform_and_choosable():
    model = dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4),
        dcgan.build_discriminator(16, 1, 4, info_codes=4),
        LATENT,
        seed=1,
        info_codes=4,
    )
    z = keras.ops.convert_to_numpy(model.sample_latents(4000))
    assert np.array_equal(z[:, :4].sum(axis=1), np.ones(4000)) and set(np.unique(z[:, :4])) == {
        0.0,
        1.0,
    }
    counts = np.bincount(keras.ops.convert_to_numpy(model.codes_of(z)), minlength=4)
    assert counts.min() > 900 and counts.max() < 1100  # uniform over the 4 codes
    assert abs(z[:, 4:].std() - 1) < 0.05  # the rest stays N(0, 1)
    same_noise = [model.sample(3, seed=7, codes=c) for c in (0, 1)]
    assert not np.allclose(*same_noise)  # only the code differs
    with pytest.raises(ValueError, match=r"codes must be in \[0, 3\]"):
        model.sample(2, codes=4)
    with pytest.raises(ValueError, match="info_codes"):
        _dcgan().sample(2, codes=0)
    with pytest.raises(ValueError, match="info_codes=8 is not possible"):
        dcgan.DCGAN(model.generator, model.discriminator, LATENT, info_codes=LATENT)


def test_infogan_step_trains_the_code_head_in_both_families():
    d = vgan.build_discriminator(4, 16, 1, 4, frame_discriminator=2, info_codes=3)
    logits, codes = d(_videos())
    assert logits.shape == (4, 4) and codes.shape == (4, 3, 3)  # video guess + one per judged frame
    model = vgan.VGAN(
        vgan.build_generator(LATENT, 4, 16, 1, 4, shared_content=True), d, LATENT, info_codes=3
    )
    logs = _fit_one_step(model, _videos(), loss="hinge", gradient_penalty=1.0)
    assert 0 < logs["info_loss"] < 5
    image_d = dcgan.build_discriminator(16, 1, 4, info_codes=3)
    model = dcgan.DCGAN(dcgan.build_generator(LATENT, 16, 1, 4), image_d, LATENT, info_codes=3)
    head = [layer for layer in image_d.layers if isinstance(layer, keras.layers.Dense)][-1]
    before = head.kernel.numpy().copy()
    logs = _fit_one_step(model, _images())
    assert "info_loss" in logs and not np.allclose(before, head.kernel.numpy())


def test_infogan_makes_the_code_recoverable_from_the_sample():
    """The point of InfoGAN: after a short training the discriminator's Q head
    tells the code from the generated image far better than chance (log K)."""
    keras.utils.set_random_seed(0)
    model = dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4),
        dcgan.build_discriminator(16, 1, 4, info_codes=4),
        LATENT,
        seed=1,
        info_codes=4,
    )
    model.compile(_adam(), _adam())
    hist = model.fit(
        tf.data.Dataset.from_tensor_slices(_images(64)).batch(16).repeat(),
        epochs=4,
        steps_per_epoch=25,
        verbose=0,
    )
    info = hist.history["info_loss"]
    assert info[0] < np.log(4) + 0.1 and info[-1] < 0.3 * np.log(4), info


def test_an_overridden_discriminate_hook_sees_every_discriminator_call():
    """DiffAugment-style overrides keep working, InfoGAN codes or not."""
    seen = []

    class Flipped(dcgan.DCGAN):
        def discriminate(self, samples, labels=None, training=False):
            seen.append(samples.shape[0])
            return super().discriminate(samples[:, :, ::-1], labels, training=training)

    for codes in (0, 3):
        seen.clear()
        model = Flipped(
            dcgan.build_generator(LATENT, 16, 1, 4),
            dcgan.build_discriminator(16, 1, 4, info_codes=codes),
            LATENT,
            info_codes=codes,
        )
        logs = _fit_one_step(model, _images(), gradient_penalty=1.0)
        assert len(seen) == 3 and ("info_loss" in logs) == bool(codes)  # real, fake, interpolates
