"""The one adversarial training step that every GAN family in tfvidgan uses.

:class:`GAN` holds a ``generator`` and a ``discriminator``; :meth:`GAN.train_step`
is Algorithm 1 of Goodfellow et al. 2014 (https://arxiv.org/abs/1406.2661)
with the options later papers added: other losses, ``d_steps`` critic updates
(WGAN), gradient penalties (WGAN-GP, R1), one-sided label smoothing and two
learning rates (TTUR). The last discriminator update and the generator update
share one forward pass (two tapes on the same fakes, as in the TensorFlow DCGAN
tutorial). Being a ``keras.Model``, it trains with ``model.fit`` (progress bar,
callbacks, ``tf.distribute``). Families override small hooks (``split_batch``,
``sample_latents``, ``generate``, ``discriminate``, ``auxiliary_losses``), never
the loop.

Every model of tfvidgan (the VAEs too) answers the calls that training,
checkpoints, callbacks and the command line use: ``checkpoint_items()``,
``build_optimizers()``, ``trained_steps``, ``generate(latents, condition)``,
``grid_inputs(num, seed)``, ``averaged_generator()`` and ``sample(num, ...)``.

Two options of the step: ``info_codes=K``, InfoGAN (Chen et al. 2016,
https://arxiv.org/abs/1606.03657: a one-hot code at the start of z that a
second discriminator head must read back), and ``pack=m``, PacGAN (Lin et al.
2018, https://arxiv.org/abs/1712.04086: the discriminator judges ``m`` samples
stacked along channels). Notebook 13 shows both.

Shapes: ``real`` is ``(B, H, W, C)`` for images or ``(B, T, H, W, C)`` for
videos, float32 in [-1, 1]; a dataset may also yield ``(real, labels)`` with
integer ``labels`` of shape ``(B,)``, used when ``num_classes`` is set.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfvidgan import losses
from tfvidgan.runtime import per_replica, replica_share  # tf.distribute: see their docstrings


def pack_samples(samples, pack):
    """``(B, ..., C)`` -> ``(B / pack, ..., pack * C)``: each group of ``pack``
    consecutive samples side by side along channels (PacGAN's packing). Sample
    ``i * pack + j`` lands in row ``i``, channels ``j * C`` to ``(j + 1) * C``."""
    shape = tuple(samples.shape[1:])
    rank = len(shape) + 1
    x = ops.reshape(samples, (-1, pack) + shape)  # (B / pack, pack, ..., C)
    x = ops.transpose(x, [0] + list(range(2, rank)) + [1, rank])  # (B / pack, ..., pack, C)
    return ops.reshape(x, (-1,) + shape[:-1] + (pack * shape[-1],))


class GAN(keras.Model):
    """A generator and a discriminator trained against each other.

    Args:
        generator: maps latents ``(B, latent_dim)`` (and labels ``(B,)`` when
            conditional) to samples.
        discriminator: maps samples (and labels) to logits ``(B, 1)``.
        latent_dim: size of the noise vector z.
        num_classes: set for class-conditional models; both networks then take
            ``[inputs, labels]``.
        seed: seed of the :class:`keras.random.SeedGenerator` that draws z.
        info_codes: InfoGAN codes K (0 = off): z starts with a one-hot code of
            K categories, and the discriminator returns ``[logits, code
            logits (B, ..., K)]``.
        pack: samples the discriminator judges at once (PacGAN; 1 = off); the
            discriminator must take ``pack`` times the samples' channels and
            the batch size must be a multiple of it.
    """

    # True where sample(num, num_frames=N) draws clips longer than the training ones (MoCoGAN's
    # recurrent motion); `tfvidgan sample --num-frames` refuses the families that cannot.
    can_extend = False

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        num_classes=None,
        seed=None,
        info_codes=0,
        pack=1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.info_codes = int(info_codes)
        if self.info_codes == 1 or not 0 <= self.info_codes < latent_dim:
            raise ValueError(
                f"info_codes={info_codes} is not possible: use 0 (off) or 2..{latent_dim - 1} "
                f"(fewer than latent_dim={latent_dim}: the code is the start of z)"
            )
        self.pack = int(pack)
        if self.pack < 1 or self.pack != pack:
            raise ValueError(
                f"pack={pack} is not possible: use a whole number of samples per judgement, "
                "1 (off) or more"
            )
        if self.pack > 1 and (num_classes is not None or self.info_codes):
            raise ValueError(
                "pack (PacGAN) judges several samples as one, so it cannot check a label or an "
                "InfoGAN code per sample: use it with an unconditional model without info_codes, "
                "or pass pack=1 (--pack 1; the dcgan demo and full presets pack pairs)"
            )
        self.seed_generator = keras.random.SeedGenerator(seed)
        names = ("d_loss", "g_loss", "real_score", "fake_score", "d_grad_norm", "g_grad_norm")
        names += ("info_loss",) if self.info_codes else ()
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    def compile(
        self,
        d_optimizer,
        g_optimizer,
        loss="non_saturating",
        d_steps=1,
        gradient_penalty=0.0,
        r1_gamma=0.0,
        label_smoothing=0.0,
        info_weight=1.0,
        **kwargs,
    ):
        """Configure training.

        Args:
            d_optimizer, g_optimizer: one Keras optimizer per network (Keras 3
                cannot share one). Different learning rates give TTUR.
            loss: a name from :data:`tfvidgan.losses.LOSSES` or a pair
                ``(generator_loss, discriminator_loss)``.
            d_steps: discriminator updates per generator update (5 for WGAN-GP).
            gradient_penalty: weight of the WGAN-GP penalty (10 in the paper).
            r1_gamma: gamma of the R1 penalty, applied as gamma / 2 * R1.
            label_smoothing: one-sided: the real target becomes 1 - s (TF-GAN: 1 - s/2).
            info_weight: weight lambda of the InfoGAN code loss (models with
                ``info_codes``; 1 in the paper for categorical codes).
        """
        super().compile(**kwargs)
        if keras.mixed_precision.global_policy().name == "mixed_float16":
            # Keras scales only `self.optimizer`; a GAN must wrap both itself.
            d_optimizer = keras.optimizers.LossScaleOptimizer(d_optimizer)
            g_optimizer = keras.optimizers.LossScaleOptimizer(g_optimizer)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.g_loss_fn, self.d_loss_fn = losses.get_loss(loss) if isinstance(loss, str) else loss
        self.loss_name = loss if isinstance(loss, str) else "custom"
        if int(d_steps) < 1:
            raise ValueError(f"d_steps must be at least 1, got {d_steps}")
        self.d_steps = int(d_steps)
        self.gp_weight = float(gradient_penalty)
        self.r1_gamma = float(r1_gamma)
        self.label_smoothing = float(label_smoothing)
        if float(info_weight) < 0:
            raise ValueError(
                f"info_weight must be >= 0 (a negative weight would reward hiding the code), "
                f"got {info_weight}"
            )
        self.info_weight = float(info_weight)

    @property
    def metrics(self):
        return list(self.trackers.values())

    # --- what a checkpoint saves ---------------------------------------------

    def checkpoint_items(self) -> dict:
        """The networks and optimizers that a checkpoint saves, by name."""
        return {
            "generator": self.generator,
            "discriminator": self.discriminator,
            "g_optimizer": self.g_optimizer,
            "d_optimizer": self.d_optimizer,
        }

    @property
    def trained_steps(self) -> int:
        """Generator updates so far (the generator optimizer's iteration count)."""
        return int(ops.convert_to_numpy(self.g_optimizer.iterations))

    def build_optimizers(self):
        """Create the optimizers' slots now (Keras does it at the first step), so
        a checkpoint can be restored into them before training."""
        for optimizer, net in (
            (self.g_optimizer, self.generator),
            (self.d_optimizer, self.discriminator),
        ):
            if not optimizer.built:
                optimizer.build(net.trainable_variables)

    # --- hooks a family may override --------------------------------------

    def split_batch(self, data):
        """A dataset element -> ``(real, condition)``: the condition is the
        labels of ``(samples, labels)`` pairs, else None. A family conditioned
        on something else (the first frame of a clip) says so here."""
        return data if isinstance(data, tuple) else (data, None)

    def sample_latents(self, batch_size, seed_generator=None):
        """z ~ N(0, I), shape ``(batch_size, latent_dim)``, from the model's
        :class:`keras.random.SeedGenerator` unless another one is given.
        With ``info_codes=K`` the first K entries are a one-hot code, each of
        the K categories equally likely."""
        seed_generator = seed_generator or self.seed_generator
        z = keras.random.normal((batch_size, self.latent_dim), seed=seed_generator)
        if not self.info_codes:
            return z
        codes = keras.random.randint((batch_size,), 0, self.info_codes, seed=seed_generator)
        return self.with_codes(z, codes)

    def with_codes(self, latents, codes):
        """``latents`` with their first ``info_codes`` entries replaced by the
        one-hot InfoGAN ``codes`` (ints, shape ``(B,)``)."""
        codes = ops.convert_to_tensor(codes, "int32")
        one_hot = ops.one_hot(codes, self.info_codes, dtype=latents.dtype)
        return ops.concatenate([one_hot, latents[:, self.info_codes :]], axis=1)

    def generate(self, latents, condition=None, training=False):
        """Run the generator; conditional models also get the ``condition``."""
        inputs = latents if condition is None else [latents, condition]
        return self.generator(inputs, training=training)

    def discriminate(self, samples, condition=None, training=False):
        """Run the discriminator; returns float32 logits ``(B, 1)`` (``(B, n)``
        for several judges; ``B / pack`` rows with PacGAN), or ``(logits, code
        logits)`` for a model with InfoGAN codes. Override it to change what the
        discriminator sees (DiffAugment in notebook 13): every use in the step
        goes through it."""
        if self.pack > 1:
            if samples.shape[0] is not None and samples.shape[0] % self.pack:
                raise ValueError(
                    f"pack={self.pack} needs a batch size that is a multiple of it, "
                    f"got {samples.shape[0]}"
                )
            samples = pack_samples(samples, self.pack)
        inputs = samples if condition is None else [samples, condition]
        out = self.discriminator(inputs, training=training)
        if self.info_codes:
            return tuple(ops.cast(o, "float32") for o in out)
        return ops.cast(out, "float32")

    def judge(self, samples, condition=None, training=False):
        """:meth:`discriminate` as a pair ``(logits, extra head's output or None)``."""
        out = self.discriminate(samples, condition, training=training)
        return out if self.info_codes else (out, None)

    def auxiliary_losses(self, latents, extra) -> dict:
        """Losses both networks add to their adversarial ones, by name: none
        here; InfoGAN's code loss (``info_weight`` times the cross-entropy of
        the code guessed from the fake) for a model with ``info_codes``."""
        if extra is None:
            return {}
        codes = ops.argmax(latents[:, : self.info_codes], axis=-1)
        return {"info_loss": self.info_weight * losses.info_loss(codes, extra)}

    def call(self, latents, condition=None, training=False):
        return self.generate(latents, condition, training=training)

    # --- the training step --------------------------------------------------

    def train_step(self, data):
        real, condition = self.split_batch(data)
        batch_size = ops.shape(real)[0]

        # 1. Extra critic updates when d_steps > 1 (WGAN): discriminator only, fresh fakes.
        for _ in range(self.d_steps - 1):
            latents = replica_share(self.sample_latents, batch_size)
            fake = self.generate(latents, condition, training=True)
            self.discriminator_step(real, fake, condition)

        # 2. One forward pass watched by two tapes: both networks learn from the same fakes.
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            latents = replica_share(self.sample_latents, batch_size)  # (see tf.distribute)
            fake = self.generate(latents, condition, training=True)
            real_logits, _ = self.judge(real, condition, training=True)
            fake_logits, extra = self.judge(fake, condition, training=True)
            d_loss = self.d_loss_fn(real_logits, fake_logits, self.label_smoothing)
            g_loss = self.g_loss_fn(fake_logits)
            aux = self.auxiliary_losses(latents, extra)  # {} unless the family adds one
            with g_tape.stop_recording():
                d_total = d_loss + sum(aux.values()) + self.penalty(real, fake, condition)
            # per_replica: under tf.distribute the replicas' gradients are summed
            d_scaled = self.d_optimizer.scale_loss(per_replica(d_total))
            g_scaled = self.g_optimizer.scale_loss(per_replica(g_loss + sum(aux.values())))

        # 3. Update both networks, each with its own optimizer.
        d_grads = d_tape.gradient(d_scaled, self.discriminator.trainable_weights)
        g_grads = g_tape.gradient(g_scaled, self.generator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_weights))
        self.g_optimizer.apply_gradients(zip(g_grads, self.generator.trainable_weights))

        # 4. Report running means (the progress bar and callbacks read these).
        values = dict(d_loss=d_loss, g_loss=g_loss, **aux)
        values["real_score"], values["fake_score"] = ops.mean(real_logits), ops.mean(fake_logits)
        values["d_grad_norm"] = tf.linalg.global_norm(d_grads)  # of the scaled losses
        values["g_grad_norm"] = tf.linalg.global_norm(g_grads)  # under mixed_float16
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def discriminator_step(self, real, fake, condition=None):
        """One discriminator-only update (the extra critic steps of WGAN; the
        InfoGAN code head learns in the shared step only)."""
        fake = tf.stop_gradient(fake)
        with tf.GradientTape() as tape:
            real_logits, _ = self.judge(real, condition, training=True)
            fake_logits, _ = self.judge(fake, condition, training=True)
            d_loss = self.d_loss_fn(real_logits, fake_logits, self.label_smoothing)
            d_total = d_loss + self.penalty(real, fake, condition)
            scaled = self.d_optimizer.scale_loss(per_replica(d_total))
        grads = tape.gradient(scaled, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

    def penalty(self, real, fake, condition=None):
        """Weighted gradient penalties added to the discriminator loss (0 when off)."""
        total = tf.constant(0.0)
        critic = lambda x: self.judge(x, condition, training=True)[0]
        if self.gp_weight > 0:
            shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)  # one weight per sample
            draw = lambda n: keras.random.uniform((n,) + shape[1:], seed=self.seed_generator)
            alpha = replica_share(draw, shape[0])
            total += self.gp_weight * losses.gradient_penalty(critic, real, fake, alpha)
        if self.r1_gamma > 0:
            total += 0.5 * self.r1_gamma * losses.r1_penalty(critic, real)
        return total

    # --- using a trained model ---------------------------------------------

    @contextlib.contextmanager
    def averaged_generator(self):
        """Inside this block the generator holds the moving average of its weights,
        when its optimizer keeps one (``keras.optimizers.Adam(use_ema=True)``,
        ``--ema`` on the command line); otherwise nothing changes.

        The average draws cleaner samples than the last step's weights (Yazici
        et al. 2019, https://arxiv.org/abs/1806.04498). The weights are put
        back on leaving the block, even after an error.
        """
        optimizer = getattr(self, "g_optimizer", None)  # None until compile()
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # fp16 wrapper
        if optimizer is None or not optimizer.use_ema or not optimizer.built:
            yield self.generator
            return
        weights = self.generator.trainable_variables
        current = [ops.convert_to_numpy(w) for w in weights]
        optimizer.finalize_variable_values(weights)  # weights <- their moving average
        try:
            yield self.generator
        finally:
            for w, value in zip(weights, current):
                w.assign(value)

    def grid_inputs(self, num, seed=1234):
        """Fixed inputs ``(latents (num, latent_dim), condition or None)`` for a
        sample grid; labels and InfoGAN codes cycle so each row shows them all."""
        latents = np.random.default_rng(seed).standard_normal((num, self.latent_dim))
        latents = latents.astype("float32")
        if self.info_codes:
            codes = np.arange(num) % self.info_codes
            latents = ops.convert_to_numpy(self.with_codes(latents, codes))
        if self.num_classes is None:
            return latents, None
        return latents, (np.arange(num) % self.num_classes).astype("int32")

    def sample(self, num, labels=None, seed=None, codes=None, batch_size=64):
        """Generate ``num`` samples as a NumPy float32 array in the generator's range.

        Args:
            num: how many samples.
            labels: conditional models: an int, or ints of shape ``(num,)``;
                cycles through the classes when omitted.
            seed: makes the draw repeatable (otherwise the model's own noise
                stream moves on).
            codes: models with InfoGAN codes: like ``labels``, for the code;
                drawn at random when omitted.
            batch_size: samples generated at once.

        Draws from the averaged generator when there is one.
        """
        if labels is not None and self.num_classes is None:
            raise ValueError("labels= needs a class-conditional model")
        if self.num_classes is not None:
            labels = np.arange(num) % self.num_classes if labels is None else labels
            labels = np.broadcast_to(np.asarray(labels, dtype="int32"), (num,))
            if labels.min() < 0 or labels.max() >= self.num_classes:
                raise ValueError(f"labels must be in [0, {self.num_classes - 1}]")
        if codes is not None:
            if not self.info_codes:
                raise ValueError("codes= needs a model trained with InfoGAN codes (info_codes > 0)")
            codes = np.broadcast_to(np.asarray(codes, dtype="int32"), (num,))
            if codes.min() < 0 or codes.max() >= self.info_codes:
                raise ValueError(f"codes must be in [0, {self.info_codes - 1}]")
        seed_generator = keras.random.SeedGenerator(seed) if seed is not None else None
        chunks = []
        with self.averaged_generator():
            for start in range(0, num, batch_size):
                n = min(batch_size, num - start)
                z = self.sample_latents(n, seed_generator)
                if codes is not None:
                    z = self.with_codes(z, codes[start : start + n])
                y = None if labels is None else ops.convert_to_tensor(labels[start : start + n])
                chunks.append(ops.convert_to_numpy(self.generate(z, y, training=False)))
        return np.concatenate(chunks, axis=0).astype("float32")


# The TrainConfig fields that only adversarial families read; each GAN family lists them in its
# OPTIONS, so tfvidgan.models.build refuses them for the VAEs instead of ignoring them.
GAN_OPTIONS = (
    "loss",
    "d_lr",
    "d_steps",
    "gradient_penalty",
    "r1_gamma",
    "spectral_norm",
    "label_smoothing",
    "ema",
)


def compile_from_config(model: GAN, cfg) -> GAN:
    """Compile a GAN family's ``model`` with the optimizers and loss options of
    ``cfg`` (a :class:`~tfvidgan.config.TrainConfig`): Adam for each network,
    the generator's keeping a weight average when ``cfg.ema > 0``."""
    if not 0.0 <= cfg.ema < 1.0:
        raise ValueError(f"ema={cfg.ema} is not possible: use a momentum in [0, 1), e.g. 0.999")
    betas = dict(beta_1=cfg.beta_1, beta_2=cfg.beta_2)
    ema = dict(use_ema=True, ema_momentum=cfg.ema) if cfg.ema > 0 else {}
    model.compile(
        d_optimizer=keras.optimizers.Adam(cfg.d_lr, **betas),
        g_optimizer=keras.optimizers.Adam(cfg.g_lr, **betas, **ema),
        loss=cfg.loss,
        d_steps=cfg.d_steps,
        gradient_penalty=cfg.gradient_penalty,
        r1_gamma=cfg.r1_gamma,
        label_smoothing=cfg.label_smoothing,
        info_weight=cfg.info_weight,
    )
    return model
