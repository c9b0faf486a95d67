"""The one GAN step of tfvidgan.models.base and the model protocol every family answers.

The networks are tiny DCGAN ones (base.py has none of its own); the family files'
own tests live next to this one.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvidgan import losses
from tfvidgan.config import TrainConfig
from tfvidgan.models import cgan, dcgan
from tfvidgan.models.base import GAN, compile_from_config, pack_samples

LATENT = 8


def adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def weights_of(network):
    return [w.numpy().copy() for w in network.trainable_weights]


def _dcgan(info_codes=0, pack=1, seed=1):
    return dcgan.DCGAN(
        dcgan.build_generator(LATENT, 16, 1, 4),
        dcgan.build_discriminator(16, pack, 4, info_codes=info_codes),
        LATENT,
        seed=seed,
        info_codes=info_codes,
        pack=pack,
    )


def _cgan(num_classes=10):
    return cgan.ConditionalGAN(
        cgan.build_generator(LATENT, num_classes, 16, 1, 4),
        cgan.build_discriminator(num_classes, 16, 1, 4),
        LATENT,
        num_classes,
        seed=1,
    )


# --- the shared train_step ------------------------------------------------


@pytest.mark.parametrize("loss", sorted(losses.LOSSES))
def test_one_train_step_per_loss(fit_step, images, loss):
    logs = fit_step(_dcgan(), images(), loss=loss)
    assert set(logs) == {
        "d_loss",
        "g_loss",
        "real_score",
        "fake_score",
        "d_grad_norm",
        "g_grad_norm",
    }
    assert logs["d_grad_norm"] > 0 and logs["g_grad_norm"] > 0


def test_the_step_reports_the_losses_of_its_own_logits(images):
    """d_loss, g_loss and the scores are the loss functions of the logits the
    discriminator gives the batch and the fakes: recompute them by hand."""
    model = _dcgan()
    model.compile(adam(), adam(), run_eagerly=True, label_smoothing=0.1)
    real = tf.constant(images(4))
    seed_state = keras.ops.convert_to_numpy(model.seed_generator.state)
    d_before = weights_of(model.discriminator)
    latents = model.sample_latents(4)  # the draw the step will make from the same seed state
    model.seed_generator.state.assign(seed_state)
    fake = model.generate(latents, training=True)
    real_logits = model.discriminator(real, training=True)
    fake_logits = model.discriminator(fake, training=True)
    logs = model.train_step(real)
    for w, b in zip(model.discriminator.trainable_weights, d_before):
        assert not np.allclose(w.numpy(), b)
    expected_d = losses.non_saturating_discriminator_loss(real_logits, fake_logits, 0.1)
    np.testing.assert_allclose(float(logs["d_loss"]), float(expected_d), rtol=1e-5)
    expected_g = losses.non_saturating_generator_loss(fake_logits)
    np.testing.assert_allclose(float(logs["g_loss"]), float(expected_g), rtol=1e-5)
    np.testing.assert_allclose(float(logs["real_score"]), float(np.mean(real_logits)), rtol=1e-5)
    np.testing.assert_allclose(float(logs["fake_score"]), float(np.mean(fake_logits)), rtol=1e-5)


@pytest.mark.slow  # 17 s of tracing; the train/CLI tests run the step as a graph too
def test_train_step_compiles_to_a_graph(fit_step, images):
    model = _dcgan()
    fit_step(model, images(), run_eagerly=False, gradient_penalty=1.0, d_steps=2)
    assert not model.run_eagerly and model.train_function is not None


def test_gradient_penalty_r1_dsteps_and_smoothing_in_one_step(fit_step, images):
    model = _dcgan()
    logs = fit_step(
        model, images(), loss="wasserstein", gradient_penalty=10.0, r1_gamma=1.0, d_steps=3
    )
    assert int(model.d_optimizer.iterations) == 3 and int(model.g_optimizer.iterations) == 1
    assert model.trained_steps == 1  # generator updates, not discriminator ones
    assert np.isfinite(logs["d_loss"])
    smoothed = fit_step(_dcgan(), images(), label_smoothing=0.1)
    assert smoothed["d_loss"] > 0


def test_penalty_changes_the_discriminator_update(fit_step, images):
    def d_after(**kw):
        keras.utils.set_random_seed(0)
        model = _dcgan()
        fit_step(model, images(), loss="wasserstein", **kw)
        return model.discriminator.trainable_weights[0].numpy()

    plain = d_after()
    assert not np.allclose(plain, d_after(gradient_penalty=10.0))
    assert not np.allclose(plain, d_after(r1_gamma=10.0))


def test_penalty_is_zero_when_off_and_weighted_when_on(images):
    """penalty() = gp_weight * WGAN-GP + r1_gamma / 2 * R1, exactly."""
    model = _dcgan()
    real, fake = tf.constant(images(4)), tf.constant(images(4)[::-1].copy())
    model.compile(adam(), adam())
    assert float(model.penalty(real, fake)) == 0.0
    model.compile(adam(), adam(), r1_gamma=4.0)
    critic = lambda x: model.judge(x, None, training=True)[0]
    np.testing.assert_allclose(
        float(model.penalty(real, fake)), 2.0 * float(losses.r1_penalty(critic, real)), rtol=1e-5
    )
    model.compile(adam(), adam(), gradient_penalty=10.0)
    state = keras.ops.convert_to_numpy(model.seed_generator.state)
    alpha = keras.random.uniform((4, 1, 1, 1), seed=model.seed_generator)
    model.seed_generator.state.assign(state)
    expected = 10.0 * float(losses.gradient_penalty(critic, real, fake, alpha))
    np.testing.assert_allclose(float(model.penalty(real, fake)), expected, rtol=1e-4)


def test_d_steps_and_info_weight_must_make_sense():
    with pytest.raises(ValueError, match="d_steps must be at least 1"):
        _dcgan().compile(adam(), adam(), d_steps=0)
    with pytest.raises(ValueError, match="info_weight must be >= 0"):
        _dcgan(info_codes=3).compile(adam(), adam(), info_weight=-1.0)


def test_spectral_norm_discriminator_trains(fit_step, images):
    d = dcgan.build_discriminator(16, 1, 4, spectral_norm=True)
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in d.layers)
    model = dcgan.DCGAN(dcgan.build_generator(LATENT, 16, 1, 4), d, LATENT)
    fit_step(model, images(), loss="hinge")


def test_split_batch_and_judge():
    model = _dcgan()
    x, y = np.zeros((2, 16, 16, 1), "float32"), np.array([1, 2])
    real, condition = model.split_batch(x)
    assert real is x and condition is None
    real, condition = model.split_batch((x, y))
    assert real is x and condition is y
    logits, extra = model.judge(x)
    assert logits.shape == (2, 1) and logits.dtype == "float32" and extra is None
    info = _dcgan(info_codes=3)
    logits, extra = info.judge(x)
    assert logits.shape == (2, 1) and extra.shape == (2, 3)


# --- mixed precision ----------------------------------------------------------


def test_mixed_bfloat16_step_runs_and_keeps_float32_outputs(fit_step, images):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = _dcgan()
    logs = fit_step(model, images())
    assert model.generator.output.dtype == "float32"
    assert model.discriminator.trainable_weights[0].dtype == "float32"  # variables stay float32
    assert np.isfinite(logs["g_loss"])


def test_mixed_float16_wraps_both_optimizers_for_loss_scaling():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = _dcgan()
    model.compile(adam(), adam())
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)


# --- PacGAN -------------------------------------------------------------------


def test_pack_samples_puts_each_group_side_by_side_in_channels():
    x = np.arange(6 * 2 * 3 * 3 * 2, dtype="float32").reshape(6, 2, 3, 3, 2)  # 6 clips, 2 channels
    packed = keras.ops.convert_to_numpy(pack_samples(x, 3))
    assert packed.shape == (2, 2, 3, 3, 6)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(packed[i, ..., 2 * j : 2 * j + 2], x[3 * i + j])


def test_packed_discriminator_judges_each_pair_as_one(images):
    """With pack=2 sample 1 changes the logit of the pair (0, 1); without
    packing each sample's logit depends on that sample alone."""
    x = images(4)
    changed = x.copy()
    changed[1] = -changed[1]
    packed = _dcgan(pack=2)
    before, after = packed.discriminate(x).numpy(), packed.discriminate(changed).numpy()
    assert before.shape == (2, 1)
    assert before[0, 0] != after[0, 0] and before[1, 0] == after[1, 0]
    single = _dcgan()
    before, after = single.discriminate(x).numpy(), single.discriminate(changed).numpy()
    assert before[0, 0] == after[0, 0] and before[1, 0] != after[1, 0]


def test_packed_step_trains_with_penalties(fit_step, images):
    logs = fit_step(_dcgan(pack=2), images(), gradient_penalty=10.0, r1_gamma=1.0)
    assert logs["d_loss"] > 0


def test_pack_refuses_what_it_cannot_judge(images):
    g, d = dcgan.build_generator(LATENT, 16, 1, 4), dcgan.build_discriminator(16, 2, 4)
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match="pack="):
            dcgan.DCGAN(g, d, LATENT, pack=bad)
    with pytest.raises(ValueError, match="InfoGAN code per sample"):
        dcgan.DCGAN(g, d, LATENT, pack=2, info_codes=4)
    with pytest.raises(ValueError, match="cannot check a label"):
        GAN(g, d, LATENT, num_classes=10, pack=2)
    model = dcgan.DCGAN(g, d, LATENT, pack=2)
    with pytest.raises(ValueError, match="multiple of it, got 3"):
        model.discriminate(images(3))


# --- InfoGAN: the auxiliary_losses hook ----------------------------------------


def test_info_codes_are_one_hot_uniform_and_choosable():
    model = _dcgan(info_codes=4)
    z = keras.ops.convert_to_numpy(model.sample_latents(4000))
    assert np.array_equal(z[:, :4].sum(axis=1), np.ones(4000))
    assert set(np.unique(z[:, :4])) == {0.0, 1.0}
    counts = np.bincount(z[:, :4].argmax(axis=1), minlength=4)
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
    with pytest.raises(ValueError, match="info_codes=1 is not possible"):
        dcgan.DCGAN(model.generator, model.discriminator, LATENT, info_codes=1)


def test_with_codes_replaces_the_start_of_z_by_a_one_hot_code():
    model = _dcgan(info_codes=3)
    z = np.arange(2 * LATENT, dtype="float32").reshape(2, LATENT)
    out = keras.ops.convert_to_numpy(model.with_codes(z, [2, 0]))
    np.testing.assert_array_equal(out[:, :3], [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(out[:, 3:], z[:, 3:])


def test_auxiliary_losses_is_the_weighted_code_cross_entropy():
    """{} for a plain GAN; InfoGAN: info_weight * mean(-log softmax(Q)[code]), by hand."""
    model = _dcgan(info_codes=3)
    model.compile(adam(), adam(), info_weight=0.5)
    latents = keras.ops.convert_to_numpy(model.with_codes(np.zeros((2, LATENT), "float32"), [0, 2]))
    code_logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 3.0]], "float32")
    log_softmax = code_logits - np.log(np.exp(code_logits).sum(axis=1, keepdims=True))
    expected = 0.5 * -np.mean([log_softmax[0, 0], log_softmax[1, 2]])
    aux = model.auxiliary_losses(latents, code_logits)
    assert set(aux) == {"info_loss"}
    np.testing.assert_allclose(float(aux["info_loss"]), expected, rtol=1e-5)
    assert _dcgan().auxiliary_losses(latents, None) == {}


def test_the_step_adds_the_auxiliary_losses_to_both_networks_and_reports_them(fit_step, images):
    model = _dcgan(info_codes=3)
    head = [layer for layer in model.discriminator.layers if isinstance(layer, keras.layers.Dense)]
    before = head[-1].kernel.numpy().copy()
    logs = fit_step(model, images(), info_weight=2.0)
    assert 0 < logs["info_loss"] < 2.0 * 5  # reported weighted: 2 x about log 3 at the start
    assert logs["info_loss"] > 2.0 * 0.5
    assert not np.allclose(before, head[-1].kernel.numpy())  # the Q head learns in the step
    zero = fit_step(_dcgan(info_codes=3), images(), info_weight=0.0)
    assert zero["info_loss"] == 0.0


@pytest.mark.slow
def test_infogan_makes_the_code_recoverable_from_the_sample(images):
    """The point of InfoGAN: after a short training the discriminator's Q head
    tells the code from the generated image far better than chance (log K)."""
    keras.utils.set_random_seed(0)
    model = _dcgan(info_codes=4)
    model.compile(adam(), adam())
    hist = model.fit(
        tf.data.Dataset.from_tensor_slices(images(64)).batch(16).repeat(),
        epochs=4,
        steps_per_epoch=25,
        verbose=0,
    )
    info = hist.history["info_loss"]
    assert info[0] < np.log(4) + 0.1 and info[-1] < 0.3 * np.log(4), info


def test_an_overridden_discriminate_hook_sees_every_discriminator_call(fit_step, images):
    """DiffAugment-style overrides keep working, InfoGAN codes or not."""
    seen = []

    class Flipped(dcgan.DCGAN):
        def discriminate(self, samples, condition=None, training=False):
            seen.append(samples.shape[0])
            return super().discriminate(samples[:, :, ::-1], condition, training=training)

    for codes in (0, 3):
        seen.clear()
        model = Flipped(
            dcgan.build_generator(LATENT, 16, 1, 4),
            dcgan.build_discriminator(16, 1, 4, info_codes=codes),
            LATENT,
            info_codes=codes,
        )
        logs = fit_step(model, images(), gradient_penalty=1.0)
        assert len(seen) == 3 and ("info_loss" in logs) == bool(codes)  # real, fake, interpolates


# --- the model protocol: checkpoints, steps, sampling ---------------------------


def test_checkpoint_items_build_optimizers_and_trained_steps(fit_step, images):
    model = _dcgan()
    model.compile(adam(), adam())
    items = model.checkpoint_items()
    assert list(items) == ["generator", "discriminator", "g_optimizer", "d_optimizer"]
    assert items["generator"] is model.generator and items["d_optimizer"] is model.d_optimizer
    assert not model.g_optimizer.built and model.trained_steps == 0
    model.build_optimizers()
    assert model.g_optimizer.built and model.d_optimizer.built
    n_weights = len(model.generator.trainable_variables)
    assert len(model.g_optimizer.variables) >= 2 * n_weights  # Adam: two moments per weight
    fit_step(model, images())
    assert model.trained_steps == 1 == int(model.g_optimizer.iterations)


def test_sampling_with_a_seed_is_repeatable_and_chunked(images):
    model = _dcgan()
    a, b = model.sample(3, seed=5), model.sample(3, seed=5)
    assert a.shape == (3, 16, 16, 1) and a.dtype == np.float32
    assert a.min() >= -1 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, model.sample(3, seed=6))
    assert model.sample(5, batch_size=2).shape == (5, 16, 16, 1)  # 2 + 2 + 1
    unseeded = model.sample(3), model.sample(3)
    assert not np.allclose(*unseeded)  # the model's own noise stream moves on


def test_sample_of_a_conditional_model_cycles_or_fixes_the_labels():
    model = _cgan()
    np.testing.assert_allclose(
        model.sample(3, labels=[0, 1, 2], seed=4), model.sample(3, seed=4), atol=1e-6
    )  # labels cycle 0, 1, 2 when omitted
    sevens = model.sample(3, labels=7, seed=4)
    assert not np.allclose(sevens, model.sample(3, seed=4))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 9\]"):
        model.sample(2, labels=10)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 9\]"):
        model.sample(2, labels=[-1, 3])
    with pytest.raises(ValueError, match="labels= needs a class-conditional model"):
        _dcgan().sample(2, labels=3)


def test_grid_inputs_cycle_labels_and_codes_and_repeat_with_the_seed():
    plain = _dcgan()
    latents, condition = plain.grid_inputs(7, seed=0)
    assert latents.shape == (7, LATENT) and latents.dtype == np.float32 and condition is None
    np.testing.assert_array_equal(latents, plain.grid_inputs(7, seed=0)[0])
    assert not np.allclose(latents, plain.grid_inputs(7, seed=1)[0])
    from_rng, _ = plain.grid_inputs(7, np.random.default_rng(0))  # a NumPy Generator works too
    np.testing.assert_array_equal(from_rng, latents)

    info_latents, condition = _dcgan(info_codes=3).grid_inputs(7, seed=0)
    assert condition is None
    np.testing.assert_array_equal(info_latents[:, :3].argmax(axis=1), [0, 1, 2, 0, 1, 2, 0])
    assert info_latents[:, :3].sum() == 7 and set(np.unique(info_latents[:, :3])) == {0.0, 1.0}
    np.testing.assert_array_equal(info_latents[:, 3:], latents[:, 3:])  # same noise otherwise

    z, labels = _cgan(num_classes=3).grid_inputs(7, seed=0)
    assert labels.dtype == np.int32 and labels.tolist() == [0, 1, 2, 0, 1, 2, 0]
    np.testing.assert_array_equal(z, latents)


def test_averaged_generator_samples_from_the_weight_average_and_puts_the_weights_back(images):
    model = _dcgan()
    model.compile(
        adam(), keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5), run_eagerly=True
    )
    model.fit(
        tf.data.Dataset.from_tensor_slices(images()).batch(4).repeat(),
        epochs=1,
        steps_per_epoch=3,
        verbose=0,
    )
    last = weights_of(model.generator)
    average = [
        keras.ops.convert_to_numpy(v) for v in model.g_optimizer._model_variables_moving_average
    ]
    assert any(not np.allclose(a, w) for a, w in zip(average, last))
    z = keras.random.normal((4, LATENT), seed=3)
    with model.averaged_generator() as generator:
        assert generator is model.generator
        weights = model.generator.trainable_weights
        assert all(np.allclose(a, w.numpy()) for a, w in zip(average, weights))
        from_average = model.generate(z).numpy()
    weights = model.generator.trainable_weights
    assert all(np.allclose(b, w.numpy()) for b, w in zip(last, weights))  # put back
    assert not np.allclose(from_average, model.generate(z).numpy())
    z5 = model.sample_latents(4, keras.random.SeedGenerator(5))
    with model.averaged_generator():
        expected = model.generate(z5).numpy()
    np.testing.assert_allclose(model.sample(4, seed=5), expected, atol=1e-6)  # from the average

    with pytest.raises(RuntimeError), model.averaged_generator():
        raise RuntimeError("inside the block")
    assert all(np.allclose(b, w.numpy()) for b, w in zip(last, weights))  # back after an error


def test_averaged_generator_changes_nothing_without_an_average():
    model = _dcgan()
    model.compile(adam(), adam())
    before = weights_of(model.generator)
    with model.averaged_generator() as generator:
        assert generator is model.generator
        assert all(
            np.array_equal(b, w.numpy()) for b, w in zip(before, generator.trainable_weights)
        )


# --- compile_from_config --------------------------------------------------------


def test_compile_from_config_sets_optimizers_and_loss_options():
    cfg = TrainConfig(
        d_lr=1e-3,
        g_lr=3e-4,
        beta_1=0.0,
        beta_2=0.9,
        loss="hinge",
        d_steps=2,
        gradient_penalty=5.0,
        r1_gamma=1.0,
        label_smoothing=0.1,
        info_weight=0.5,
        ema=0.9,
    )
    model = compile_from_config(_dcgan(), cfg)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(model.g_optimizer.learning_rate) == pytest.approx(3e-4)
    assert (model.g_optimizer.beta_1, model.g_optimizer.beta_2) == (0.0, 0.9)
    assert model.g_optimizer.use_ema and model.g_optimizer.ema_momentum == 0.9
    assert not model.d_optimizer.use_ema
    assert model.d_optimizer is not model.g_optimizer  # one optimizer per network
    assert (model.loss_name, model.g_loss_fn) == ("hinge", losses.hinge_generator_loss)
    assert (model.d_steps, model.gp_weight, model.r1_gamma) == (2, 5.0, 1.0)
    assert (model.label_smoothing, model.info_weight) == (0.1, 0.5)
    assert not compile_from_config(_dcgan(), TrainConfig()).g_optimizer.use_ema
    for bad in (1.0, -0.1):
        with pytest.raises(ValueError, match=f"ema={bad} is not possible"):
            compile_from_config(_dcgan(), TrainConfig(ema=bad))
