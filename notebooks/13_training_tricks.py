# %% [markdown]
# # 13 · Training tricks and failure modes
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/13_training_tricks.ipynb)
#
# GANs fail in a handful of typical ways. This notebook provokes each failure on purpose, on problems small
# enough to train in seconds, shows how `tfvidgan.callbacks.alarms` notices it, and tries the standard fixes side by side.
#
# **What you'll learn**
#
# - **mode collapse** made visible on a ring of 8 Gaussians, and `ModeCollapseMonitor` raising the alarm;
# - **vanishing gradients** of the minimax generator loss, and `GradientNormAlarm`;
# - the fixes, each one option of `GAN.compile`: WGAN-GP, hinge loss + spectral normalisation, the R1
#   penalty, two learning rates (TTUR), one-sided label smoothing; compared in one table;
# - **DiffAugment**: a differentiable augmentation of real *and* fake images, added to DCGAN by overriding
#   one hook (`discriminate`) instead of rewriting the training step;
# - **NaN**: `WeightGuard` stopping a diverging run, and `tfvidgan.train.train` keeping the last good checkpoint.
#
# **Prerequisites:** notebook 12; notebook 02 (GAN losses) and the DCGAN notebook.
#
# **CPU time:** about 6.5 min (normal mode), under a minute in smoke mode.

# %%
# Colab: install tfvidgan next to Colab's own TensorFlow (its version floors admit Colab's, so pip keeps it).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/tfvidgan/tfvidgan"],
        check=True,
    )

# %%
import json
import shutil
import warnings
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Markdown, display

import tfvidgan.runs
import tfvidgan.train
from tfvidgan import course, data, losses, runtime, video_io
from tfvidgan.callbacks import alarms as health  # the training-health alarms
from tfvidgan.config import get_config
from tfvidgan.course import nb13, pick
from tfvidgan.layers import maybe_spectral_norm
from tfvidgan.metrics import classifiers, distances
from tfvidgan.models import dcgan
from tfvidgan.models.base import GAN

# The toy problems are tiny MLPs: float32 is as fast as bfloat16 there, and exact. The DCGAN section switches
# to runtime.set_precision() ("auto": bfloat16 on CPUs with AMX).
print("precision:", runtime.set_precision("float32"), "| smoke mode:", course.SMOKE)
# The health alarms warn with TrainingHealthWarning; we collect them with alarm_summary() instead.
warnings.simplefilter("ignore", health.TrainingHealthWarning)
warnings.filterwarnings(
    "ignore", message="Matrix is singular"
)  # SciPy, on digit features (see notebook 12)
OUT = Path("runs/nb13")
OUT.mkdir(parents=True, exist_ok=True)


def show_table(header, rows, digits=3):
    """Show a list of rows as a Markdown table (floats rounded to `digits` significant digits)."""
    fmt = lambda v: f"{v:.{digits}g}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    display(Markdown("\n".join(lines)))


# %% [markdown]
# ## 1. A toy with many modes: 8 Gaussians on a ring
#
# The classic test for mode collapse (Metz et al. 2016, "Unrolled GANs", https://arxiv.org/abs/1611.02163):
# the data are points in 2-D drawn from 8 narrow Gaussians (σ = 0.02) on a circle of radius 2. A generator
# that covers every mode must split its noise into 8 clusters; one that collapses puts all its samples on
# one or two of them. Samples are `(B, 2)` float32; we build the `tf.data` pipeline here, the same way
# `tfvidgan.data.make_dataset` builds the image pipelines (shuffle, repeat, batch, prefetch).

# %%
MODES, RADIUS, SPREAD = 8, 2.0, 0.02
angles = 2 * np.pi * np.arange(MODES) / MODES
CENTRES = (RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype("float32")  # (8, 2)


def ring_samples(num, seed):
    rng = np.random.default_rng(seed)
    return CENTRES[rng.integers(MODES, size=num)] + rng.normal(0, SPREAD, (num, 2)).astype(
        "float32"
    )


def ring_dataset(batch_size=256, num=65536, seed=0):
    ds = tf.data.Dataset.from_tensor_slices(ring_samples(num, seed))
    ds = (
        ds.shuffle(num, seed=seed)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    return data.without_autotune(ds)  # no wait for tf.data's tuner thread when each short fit ends


def mode_stats(samples):
    """(modes covered, fraction of high-quality samples), after VEEGAN (Srivastava et al. 2017,
    https://arxiv.org/abs/1705.07761). High quality: within 3 sigma of a centre. A mode is covered when
    >= 1 % of the samples lie within 0.2 of its centre (a looser radius: a young generator is not yet precise)."""
    dist = np.linalg.norm(samples[:, None] - CENTRES[None], axis=-1)  # (N, 8)
    near = dist.min(axis=1) < 0.2
    nearest = dist.argmin(axis=1)[near]
    covered = int(sum(np.sum(nearest == k) >= 0.01 * len(samples) for k in range(MODES)))
    return covered, float(np.mean(dist.min(axis=1) < 3 * SPREAD))


real_points = ring_samples(2000, seed=1)
print("one batch:", next(iter(ring_dataset())).shape, "| real data: modes", mode_stats(real_points))
plt.figure(figsize=(3.2, 3.2))
plt.scatter(*real_points.T, s=2)
plt.gca().set_aspect("equal")
plt.title("real data")
plt.show()

# %% [markdown]
# The two players are small MLPs (3 hidden layers of 128 units); `maybe_spectral_norm` wraps the
# discriminator's layers when asked (section 3). Both go into the package's `GAN`, whose `train_step` and
# `compile` options are what this notebook is about.


# %%
def mlp(inputs, outputs, name, spectral_norm=False, hidden=128):
    x = keras.Input((inputs,))
    h = x
    for _ in range(3):
        h = maybe_spectral_norm(keras.layers.Dense(hidden), spectral_norm)(h)
        h = keras.layers.LeakyReLU(0.2)(h) if name == "discriminator" else keras.layers.ReLU()(h)
    return keras.Model(
        x, maybe_spectral_norm(keras.layers.Dense(outputs), spectral_norm)(h), name=name
    )


class Snapshots(keras.callbacks.Callback):
    """Samples from fixed latents at the end of every epoch."""

    def __init__(self, num=1000):
        super().__init__()
        self.z = np.random.default_rng(7).standard_normal((num, 2)).astype("float32")
        self.samples = []

    def on_epoch_end(self, epoch, logs=None):
        self.samples.append(keras.ops.convert_to_numpy(self.model.generate(self.z)))


STEPS = pick(normal=3000, smoke=40)
PER_EPOCH = pick(normal=250, smoke=10)


def train_ring(
    loss="non_saturating", d_lr=1e-3, g_lr=1e-3, spectral_norm=False, seed=0, **compile_options
):
    """Train one GAN on the ring; return the model, its health callbacks and its snapshots."""
    runtime.set_seed(seed)
    model = GAN(
        mlp(2, 2, "generator"), mlp(2, 1, "discriminator", spectral_norm), latent_dim=2, seed=seed
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(d_lr, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(g_lr, beta_1=0.5),
        loss=loss,
        **compile_options,
    )
    callbacks = health.default_health_callbacks("vector", real_batch=ring_samples(256, seed=5))
    snapshots = Snapshots()
    model.fit(
        ring_dataset(seed=seed),
        steps_per_epoch=PER_EPOCH,
        epochs=STEPS // PER_EPOCH,
        callbacks=callbacks + [snapshots],
        verbose=0,
    )
    return model, callbacks, snapshots


# %% [markdown]
# ## 2. Mode collapse, made visible
#
# A reliable way to get it: let the generator learn much faster than the discriminator (Adam 5e-3 for G,
# 1e-4 for D). We look at the samples after every epoch and let `default_health_callbacks("vector",
# real_batch=...)` watch: a `LossRatioAlarm`, a `GradientNormAlarm` and a `ModeCollapseMonitor`, which
# compares the mean pairwise distance of 64 fresh samples with that of real data after every epoch and
# warns below 30 %.

# %%
model, callbacks, snaps = train_ring(d_lr=1e-4, g_lr=5e-3)
monitor = next(cb for cb in callbacks if isinstance(cb, health.ModeCollapseMonitor))
shown = np.unique(np.linspace(0, len(snaps.samples) - 1, 6).round().astype(int))
fig, axes = plt.subplots(1, len(shown), figsize=(2.6 * len(shown), 2.8))
for ax, i in zip(np.atleast_1d(axes), shown):
    ax.scatter(*CENTRES.T, s=40, c="lightgrey")
    ax.scatter(*snaps.samples[i].T, s=2, c="tab:red")
    ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xticks=[], yticks=[])
    ax.set_title(
        f"step {(i + 1) * PER_EPOCH}\ndiversity {monitor.history[i]['ratio']:.0%} of real",
        fontsize=9,
    )
plt.show()
print("modes covered, high-quality fraction:", mode_stats(model.sample(2000)))
print("diversity ratio per epoch:", [round(h["ratio"], 2) for h in monitor.history])
print(health.alarm_summary(callbacks) or "no alarms")

# %% [markdown]
# The generator does not spread over the ring: nearly all its samples sit in one small clump, which
# wanders around. A slow discriminator changes its mind slowly, so the fast generator can move *all* its
# samples to whatever spot the current discriminator likes best; when D finally learns to reject that spot,
# the clump moves on. The diversity ratio stays far below the real data's and `ModeCollapseMonitor` fires.
# Notice that **nothing in the losses says so**: mode collapse is a property of the *samples*, so the
# monitor generates some.
#
# ## 3. Vanishing gradients: minimax vs non-saturating
#
# With $D = \sigma(l)$ the original minimax generator loss $\log(1 - D(G(z))) = -\operatorname{softplus}(l)$
# has the gradient $-\sigma(l)$ with respect to the fake logit $l$; the non-saturating loss
# $-\log D(G(z)) = \operatorname{softplus}(-l)$ has $-(1 - \sigma(l))$. When the discriminator confidently
# rejects fakes ($l \ll 0$) the first vanishes, the second is about -1:

# %%
fake_logits = tf.Variable([[-10.0], [-5.0], [0.0], [5.0]])
for name in ("minimax", "non_saturating"):
    g_loss_fn, _ = losses.get_loss(name)
    with tf.GradientTape() as tape:
        loss = g_loss_fn(fake_logits) * 4  # the losses average over the batch; undo it
    print(
        f"{name:15s} d loss / d logit at logits -10, -5, 0, 5:",
        tape.gradient(loss, fake_logits).numpy().ravel().round(5),
    )

# %% [markdown]
# Now in training. We place the generator far from the data (its output shifted to (6, 6)), let the
# discriminator learn to reject it (the generator's learning rate is 0 for 200 steps), then continue
# with plain SGD for the generator, once per loss. A `GradientNormAlarm` with thresholds suited to this
# toy (`min_norm=1e-3` over 20 batches) watches the `g_grad_norm` that `train_step` logs.

# %%
runtime.set_seed(1)
far_generator = mlp(2, 2, "generator")
kernel, bias = far_generator.layers[-1].get_weights()
far_generator.layers[-1].set_weights([0.2 * kernel, bias + 6.0])
confident_discriminator = mlp(2, 1, "discriminator")
warmup = GAN(far_generator, confident_discriminator, latent_dim=2, seed=1)
warmup.compile(
    d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.SGD(0.0)
)
warmup.fit(ring_dataset(), steps_per_epoch=pick(normal=200, smoke=10), epochs=1, verbose=0)
print(
    f"after the warm-up D(G(z)) = {float(tf.reduce_mean(tf.sigmoid(warmup.discriminate(warmup.sample(500))))):.1e}"
)


def copy_of(net):
    clone = keras.models.clone_model(net)
    clone.set_weights(net.get_weights())
    return clone


fig, axes = plt.subplots(1, 2, figsize=(11, 3))
for loss in ("minimax", "non_saturating"):
    model = GAN(copy_of(far_generator), copy_of(confident_discriminator), latent_dim=2, seed=2)
    model.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.SGD(0.05),
        loss=loss,
    )
    alarm = health.GradientNormAlarm(window=20, min_norm=1e-3, max_norm=None)
    snaps = Snapshots(num=500)
    history = model.fit(
        ring_dataset(),
        steps_per_epoch=pick(normal=50, smoke=5),
        epochs=6,
        callbacks=[alarm, snaps],
        verbose=0,
    )
    axes[0].semilogy(np.maximum(history.history["g_grad_norm"], 1e-12), "o-", label=loss)
    axes[1].plot([np.linalg.norm(s.mean(0) - 0.0) for s in snaps.samples], "o-", label=loss)
    print(f"{loss}: {health.alarm_summary([alarm]) or 'no alarm'}")
axes[0].set(xlabel="epoch", ylabel="generator gradient norm (floored at 1e-12)")
axes[1].set(xlabel="epoch", ylabel="distance of the samples' mean from the ring's centre")
for ax in axes:
    ax.legend()
plt.show()

# %% [markdown]
# The minimax generator receives gradients four to six orders of magnitude smaller and does not move; the
# non-saturating one walks back to the data. (The alarm also reports the discriminator's gradients
# vanishing: a discriminator that is certain has nothing left to learn either.) That is why `non_saturating` is the default loss of
# `tfvidgan`, and why `GradientNormAlarm` says "use the non_saturating (not minimax) loss" when the
# generator's gradients vanish.
#
# ## 4. The fixes, side by side
#
# Every fix is an argument of `GAN.compile` (or of the network builder), so trying one is one line:
#
# | fix | what it does | paper |
# |---|---|---|
# | `loss="wasserstein", gradient_penalty=10, d_steps=5` | a critic estimating the Wasserstein-1 distance, kept 1-Lipschitz by a penalty on its gradient norm at points between real and fake; 5 critic steps per generator step | Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028 |
# | `loss="hinge"` + spectral norm in D | margin loss; every layer of D divided by its largest singular value, so D is 1-Lipschitz | Miyato et al. 2018, https://arxiv.org/abs/1802.05957 |
# | `r1_gamma=1` | penalise D's gradient on *real* data: D cannot build steep walls around the data | Mescheder et al. 2018, https://arxiv.org/abs/1801.04406 |
# | `d_optimizer` faster than `g_optimizer` | two time-scale update rule (TTUR): D tracks the current G more closely | Heusel et al. 2017, https://arxiv.org/abs/1706.08500 |
# | `label_smoothing=0.1` | real target 0.9 instead of 1 (one-sided: fakes keep target 0): an over-confident D is penalised. TF-GAN's `label_smoothing` moves the target half as far (`1 - s/2`), so its 0.2 is this 0.1 | Salimans et al. 2016, https://arxiv.org/abs/1606.03498 |
# | `g_optimizer=keras.optimizers.Adam(..., use_ema=True)` | `model.sample` draws from a running average of G's weights, not the last step's | Yazici et al. 2019, https://arxiv.org/abs/1806.04498 |
# | `pack=2` in the model, with a discriminator for twice the channels (`--pack 2`) | D judges two samples at once, stacked along channels, both real or both fake: a generator that keeps drawing the same few samples is easy to catch in a pair | Lin et al. 2018 (PacGAN), https://arxiv.org/abs/1712.04086 |
# | `info_codes=10` in the model and the discriminator builder (`--info-codes 10`) | z starts with a one-hot code; a second head of D must guess the code back from the sample, and both networks are trained to make that easy: each code becomes one distinct kind of sample, with no labels | Chen et al. 2016, https://arxiv.org/abs/1606.03657 |
#
# (The last three rows are for the image and video GANs on digits and are not run below; what they did
# for the video GAN in 30-minute runs is in `benchmarks/README.md`.)
#
# Now the *standard* recipe (non-saturating, Adam 1e-3 for both players) against each fix. On this toy
# the standard recipe sometimes collapses and sometimes not, depending on the seed, and a single run per
# method would tell us little. So every configuration trains with three seeds, each for the same number of
# generator steps (WGAN-GP makes 5 critic steps per generator step, so it takes longer). WGAN-GP uses the
# learning rate of its paper (1e-4).

# %%
fixes = {
    "standard (non-saturating)": dict(),
    "WGAN-GP": dict(loss="wasserstein", gradient_penalty=10.0, d_steps=5, d_lr=1e-4, g_lr=1e-4),
    "hinge + spectral norm": dict(loss="hinge", spectral_norm=True),
    "R1, gamma = 1": dict(r1_gamma=1.0),
    "TTUR: D 4e-3, G 1e-3": dict(d_lr=4e-3, g_lr=1e-3),
    "label smoothing 0.1": dict(label_smoothing=0.1),
}
SEEDS = pick(normal=(0, 1, 2), smoke=(0,))
results = {}
for name, options in fixes.items():
    runs = []
    for seed in SEEDS:
        model, callbacks, snaps = train_ring(seed=seed, **options)
        samples = model.sample(2000)
        monitor = next(cb for cb in callbacks if isinstance(cb, health.ModeCollapseMonitor))
        alarms = {a["kind"] for cb in callbacks for a in getattr(cb, "alarms", [])}
        runs.append(
            dict(
                samples=samples,
                modes=mode_stats(samples),
                ratio=monitor.history[-1]["ratio"],
                alarms=alarms,
            )
        )
    results[name] = runs

fig, axes = plt.subplots(
    len(SEEDS), len(results), figsize=(2.3 * len(results), 2.4 * len(SEEDS)), squeeze=False
)
for col, (name, runs) in enumerate(results.items()):
    for row, r in enumerate(runs):
        ax = axes[row, col]
        ax.scatter(*CENTRES.T, s=30, c="lightgrey")
        ax.scatter(*r["samples"][:1000].T, s=1, c="tab:red")
        ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xticks=[], yticks=[])
        ax.set_title(f"{name}\nseed {SEEDS[row]}" if row == 0 else f"seed {SEEDS[row]}", fontsize=8)
plt.show()
show_table(
    [
        "configuration",
        "modes covered (of 8) per seed",
        "high-quality samples (mean)",
        "collapsed runs",
        "runs with a mode_collapse alarm",
    ],
    [
        [
            name,
            " / ".join(str(r["modes"][0]) for r in runs),
            float(np.mean([r["modes"][1] for r in runs])),
            f"{sum(r['ratio'] < 0.3 for r in runs)} of {len(runs)}",
            f"{sum('mode_collapse' in r['alarms'] for r in runs)} of {len(runs)}",
        ]
        for name, runs in results.items()
    ],
)
by_coverage = sorted(results, key=lambda n: -np.mean([r["modes"][0] for r in results[n]]))
by_quality = sorted(results, key=lambda n: -np.mean([r["modes"][1] for r in results[n]]))
print("most modes covered on average:", ", ".join(by_coverage[:3]))
print("most high-quality samples    :", ", ".join(by_quality[:3]))

# %% [markdown]
# How to read it ("collapsed" = final diversity below 30 % of the real data's; GAN training is chaotic,
# so another machine or TensorFlow version moves the individual numbers):
#
# - **Look at the pictures first.** Points exactly on the 8 blobs are high-quality samples; a smear along
#   the circle or bridges between blobs cover the modes but miss the σ = 0.02 precision.
# - **One seed proves little.** In the run we recorded, the standard recipe covered all 8 modes for one seed,
#   4 for another and collapsed onto one for the third; R1 covered every mode for every seed, TTUR and label
#   smoothing nearly every mode (6-8), label smoothing with the most high-quality samples; WGAN-GP and
#   hinge + spectral norm were still clouds around the ring after the same number of generator steps. Their critics are (softly or strictly) 1-Lipschitz:
#   smooth critics that cannot build walls steep enough for σ = 0.02 blobs quickly, and WGAN-GP also runs at
#   a 10x smaller learning rate. Your numbers will differ in detail, the picture rarely.
# - **The monitor agrees with the pictures**: compare the last two columns. (An alarm can also come from an
#   early epoch, when a young generator's samples are still alike; the "collapsed runs" column uses the
#   final check.)
# - On images the ranking is different again (spectral norm is a staple of image GANs): try the fixes on
#   *your* problem, a few short runs each, with the health callbacks on.
#
# ## 5. DiffAugment: one overridden hook
#
# With little data, the discriminator memorises the training images and its feedback to the generator
# degrades. Augmenting only the real images does not help: the generator then learns to produce augmented
# images. **DiffAugment** (Zhao et al. 2020, https://arxiv.org/abs/2006.10738) applies the *same kind* of
# random, **differentiable** augmentation T to real *and* fake images, every time D looks at them, in D's
# and G's updates alike: D sees T(x) and T(G(z)), and the gradient flows back through T into G.
#
# In `tfvidgan` the discriminator is only ever called through `GAN.discriminate`, in the discriminator
# step, the generator step and the gradient penalties. So DiffAugment is a subclass that overrides that
# one hook; the shared `train_step` stays untouched:


# %%
def random_translate(images, max_shift):
    """Shift each image (B, H, W, C) by its own random (dy, dx) in [-max_shift, max_shift], filling with -1 (black).

    Pad, then gather a shifted window of rows and columns per image: only gathers, so the gradient flows
    back to every pixel that stays in the frame."""
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    shift = tf.random.uniform([batch, 2], -max_shift, max_shift + 1, dtype=tf.int32)
    padded = tf.pad(
        images,
        [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]],
        constant_values=-1.0,
    )
    rows = (
        tf.range(height)[None, :] + max_shift - shift[:, :1]
    )  # (B, H): source row of each output row
    cols = tf.range(width)[None, :] + max_shift - shift[:, 1:]  # (B, W)
    out = tf.gather(padded, rows, axis=1, batch_dims=1)  # (B, H, W + 2 max_shift, C)
    return tf.gather(out, cols, axis=2, batch_dims=1)  # (B, H, W, C)


def diff_augment(images):
    """Random brightness, contrast and translation (1/8 of the frame), as in DiffAugment's 'color,translation'."""
    x = tf.cast(images, tf.float32)
    batch = tf.shape(x)[0]
    x = x + tf.random.uniform([batch, 1, 1, 1], -0.25, 0.25)  # brightness
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    x = (x - mean) * tf.random.uniform([batch, 1, 1, 1], 0.75, 1.25) + mean  # contrast
    return random_translate(x, max(1, x.shape[1] // 8))


class DiffAugmentDCGAN(dcgan.DCGAN):
    """DCGAN whose discriminator sees augmented real and fake images while training."""

    def discriminate(self, samples, labels=None, training=False):
        if training:
            samples = diff_augment(samples)
        return super().discriminate(samples, labels, training=training)


digits, _ = data.load_arrays("digits", 8, seed=3)
augmented = diff_augment(data.to_float(np.repeat(digits[:1], 8, axis=0))).numpy()
plt.figure(figsize=(8, 1.4))
plt.imshow(
    video_io.image_grid(np.concatenate([data.to_float(digits[:1]), augmented]), ncols=9)[..., 0],
    cmap="gray",
    vmin=-1,
    vmax=1,
)
plt.title("a digit and 8 random augmentations of it", fontsize=9)
plt.axis("off")
plt.show()

# Gradients flow through the translation: 1 for every pixel that stays in the frame, 0 for those shifted out.
x = tf.Variable(data.to_float(digits))
with tf.GradientTape() as tape:
    total = tf.reduce_sum(random_translate(x, 4))
grad = tape.gradient(total, x).numpy()
print(
    "gradient of sum(random_translate(x)) w.r.t. x:",
    grad.shape,
    "values",
    np.unique(grad),
    f"| pixels still in the frame: {grad.mean():.0%}",
)

# %% [markdown]
# Does it help? DiffAugment shines when data are scarce, so both DCGANs below see only **128** training
# digits, at 16x16 pixels to keep the runs short, for the same number of steps. Besides the samples and the
# digit-FID (notebook 12; 1000 samples against 1000 fresh 16x16 digits, both upsampled to the classifier's
# 32x32 the same way) we track how much D has **memorised** its training set: after every epoch, the mean
# logit it gives the training digits minus the mean logit on fresh digits it has never seen. A
# discriminator that generalises scores both alike.

# %%
print("precision:", runtime.set_precision())  # bf16 on CPUs with AMX: ~1.7x faster here
DIGITS_NUM, SIZE = 128, 16
DC_STEPS = pick(normal=3000, smoke=4)
train_digits = data.to_float(
    data.load_arrays("digits", DIGITS_NUM, image_size=SIZE, seed=0)[0]
)  # what make_dataset(seed=0) holds
fresh_digits = data.to_float(data.load_arrays("digits", 1000, image_size=SIZE, seed=99)[0])
fresh_features = classifiers.image_features(fresh_digits)


class MemorisationGap(keras.callbacks.Callback):
    """After every epoch: mean D logit on the training digits minus on fresh digits."""

    def __init__(self):
        super().__init__()
        self.gaps = []

    def on_epoch_end(self, epoch, logs=None):
        train_logit = float(np.mean(self.model.discriminate(train_digits)))
        fresh_logit = float(np.mean(self.model.discriminate(fresh_digits[:DIGITS_NUM])))
        self.gaps.append(train_logit - fresh_logit)


def train_dcgan(model_class, seed=0):
    runtime.set_seed(seed)
    filters, latent = pick(normal=32, smoke=4), 32
    model = model_class(
        dcgan.build_generator(latent, SIZE, 1, filters),
        dcgan.build_discriminator(SIZE, 1, filters),
        latent,
        seed=seed,
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    ds = data.make_dataset(
        "digits", batch_size=pick(normal=64, smoke=16), num=DIGITS_NUM, image_size=SIZE, seed=0
    )
    callbacks = health.default_health_callbacks("image", real_batch=train_digits[:64])
    gap = MemorisationGap()
    per_epoch = pick(normal=100, smoke=2)
    model.fit(
        ds,
        steps_per_epoch=per_epoch,
        epochs=DC_STEPS // per_epoch,
        callbacks=callbacks + [gap],
        verbose=0,
    )
    samples = model.sample(pick(normal=1000, smoke=64))
    monitor = next(cb for cb in callbacks if isinstance(cb, health.ModeCollapseMonitor))
    return dict(
        samples=samples,
        callbacks=callbacks,
        gaps=gap.gaps,
        diversity=monitor.history[-1]["ratio"],
        fid=distances.frechet_distance_from_features(
            fresh_features, classifiers.image_features(samples)
        ),
        recognisable=float(np.mean(classifiers.image_probs(samples).max(1) >= 0.9)),
    )


dc_runs = {"DCGAN": train_dcgan(dcgan.DCGAN), "DCGAN + DiffAugment": train_dcgan(DiffAugmentDCGAN)}
fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), gridspec_kw=dict(width_ratios=[1, 1, 1.3]))
for ax, (name, r) in zip(axes, dc_runs.items()):
    ax.imshow(video_io.image_grid(r["samples"][:64], ncols=8)[..., 0], cmap="gray", vmin=-1, vmax=1)
    ax.set_title(f"{name}: {DC_STEPS} steps on {DIGITS_NUM} digits", fontsize=9)
    ax.axis("off")
for name, r in dc_runs.items():
    axes[2].plot(
        np.arange(1, len(r["gaps"]) + 1) * pick(normal=100, smoke=2),
        r["gaps"],
        "o-",
        ms=3,
        label=name,
    )
axes[2].axhline(0, color="k", lw=0.8)
axes[2].set(
    xlabel="generator steps", ylabel="D logit: training - fresh digits", title="memorisation"
)
axes[2].legend()
fig.savefig(OUT / "diffaugment.png", dpi=80)
plt.show()
show_table(
    [
        "run",
        "digit-FID",
        "recognisable (p >= 0.9)",
        "final memorisation gap",
        "final diversity vs real",
        "alarms",
    ],
    [
        [
            name,
            r["fid"],
            r["recognisable"],
            r["gaps"][-1],
            r["diversity"],
            ", ".join(
                sorted({a["kind"] for cb in r["callbacks"] for a in getattr(cb, "alarms", [])})
            )
            or "-",
        ]
        for name, r in dc_runs.items()
    ],
)
for name, r in dc_runs.items():
    print(f"{name}:", health.alarm_summary(r["callbacks"]) or "no alarms")

# %% [markdown]
# In the memorisation plot the plain discriminator's gap grows: it scores the 128 digits it has seen
# higher than fresh ones, i.e. it partly judges *which* images are real instead of *what* real images look
# like. With DiffAugment it never sees the same pixels twice and the gap stays near 0. In a run this short
# the samples of the two are of similar quality; the paper's gains (e.g. on 100-image datasets) come from
# long training, where a memorising discriminator gives the generator ever worse feedback. Note also how to
# read the `ModeCollapseMonitor`: an alarm early in training (the samples of a young generator all look
# alike) matters less than the final diversity ratio in the table.
#
# ## 6. NaN: stop at once, keep the last good checkpoint
#
# One exploding update (a learning rate far too high, a critic without a Lipschitz constraint, float16
# overflow) turns weights into Inf or NaN, and every later step is garbage. `WeightGuard` checks the
# losses after every batch and all weights every `every` steps; when something is non-finite it records
# why in `tripped` and stops `fit`. Here is the ring GAN with a learning rate of 1000:

# %%
runtime.set_precision("float32")
guard = health.WeightGuard(every=1)
model = GAN(mlp(2, 2, "generator"), mlp(2, 1, "discriminator"), latent_dim=2, seed=0)
model.compile(d_optimizer=keras.optimizers.Adam(1e3), g_optimizer=keras.optimizers.Adam(1e3))
model.fit(ring_dataset(), steps_per_epoch=50, epochs=4, callbacks=[guard], verbose=0)
print(f"stopped after {model.trained_steps} of 200 steps:", guard.tripped)

# %% [markdown]
# `tfvidgan.train.train` (what `tfvidgan train` runs) puts a `WeightGuard` in front of its `Checkpoint`
# callback: a checkpoint is written after every epoch, *unless* the guard has tripped. When training
# diverges it raises `TrainingDiverged`, and the run folder still holds the last good checkpoint, from which
# training resumes. To make a run diverge half-way we add a deliberately broken learning-rate schedule as an
# extra callback: at generator step `at`, both learning rates jump to 1e10. Adam moves every weight by about
# the learning rate per step, so float32 overflows within two steps.


# %%
class LearningRateBomb(keras.callbacks.Callback):
    """A broken schedule: at generator step `at` both learning rates become `lr`."""

    def __init__(self, at, lr=1e10):
        super().__init__()
        self.at, self.lr = at, lr

    def on_train_batch_begin(self, batch, logs=None):
        if self.model.trained_steps == self.at:
            for optimizer in (self.model.d_optimizer, self.model.g_optimizer):
                optimizer.learning_rate.assign(self.lr)


cfg = get_config(
    "gaussian", "tiny", steps=pick(normal=300, smoke=40), steps_per_epoch=pick(normal=50, smoke=10)
)
run_dir = OUT / "diverging"
shutil.rmtree(run_dir, ignore_errors=True)  # start from scratch every time the notebook runs
try:
    tfvidgan.train.train(
        cfg, run_dir, extra_callbacks=[LearningRateBomb(at=pick(normal=175, smoke=25))], verbose=0
    )
except tfvidgan.train.TrainingDiverged as err:
    print("TrainingDiverged:", err)
print("checkpoint.json:", json.loads((run_dir / "checkpoint.json").read_text()))
history = tfvidgan.runs.read_history(run_dir / "history.csv")
show_table(
    ["epoch", "d_loss", "g_loss", "d_grad_norm"],
    [
        [int(e) + 1, d, g, n]
        for e, d, g, n in zip(
            history["epoch"], history["d_loss"], history["g_loss"], history["d_grad_norm"]
        )
    ],
)

# %% [markdown]
# The epoch in which the bomb went off logged non-finite losses, but its weights were never saved: the
# checkpoint is the one of the last finished, healthy epoch. Calling `train` again on the same folder
# (without the bomb) resumes from it, optimizers included, and finishes the run.
#
# A caveat: `WeightGuard` sees only *non-finite* numbers. With a merely large learning rate (try 1e3 above)
# the weights can blow up to 1e20 and stay finite for a while, and those checkpoints are saved.
# `GradientNormAlarm` is the callback that warns about such exploding-but-finite gradients (`train` prints its
# warnings at the end); `tfvidgan.runs.read_history(run / "history.csv")` shows when it started.

# %%
model = tfvidgan.train.train(cfg, run_dir, verbose=0)
fake = model.sample(5000)
print(
    f"resumed and finished: step {model.trained_steps}, samples mean {fake.mean():.2f} std {fake.std():.2f} "
    f"(target N(4, 1.25²); a tiny run, not converged)"
)

# %% [markdown]
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/13_training_tricks_solutions.ipynb`.
#
# ### Exercise 13.1: the hinge discriminator loss
#
# From raw logits `(B, 1)`: $\mathbb{E}[\max(0, 1 - D(x))] + \mathbb{E}[\max(0, 1 + D(G(z)))]$
# (Lim & Ye 2017, https://arxiv.org/abs/1705.02894). The check compares with
# `tfvidgan.losses.hinge_discriminator_loss`.


# %%
def my_hinge_d_loss(real_logits, fake_logits):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 13.1", my_hinge_d_loss, nb13.check_hinge_d_loss)

# %% [markdown]
# ### Exercise 13.2: the R1 penalty
#
# $R_1 = \mathbb{E}_{x \sim \text{data}}\big[\lVert \nabla_x D(x) \rVert^2\big]$ (Mescheder et al. 2018): the squared
# norm of the critic's gradient with respect to its *input*, per real sample, averaged over the batch.
# `critic` maps `real` (images `(B, H, W, C)` or videos `(B, T, H, W, C)`) to logits `(B, 1)`. Use
# `tf.GradientTape` and `tape.watch(real)`. (`GAN.compile(r1_gamma=γ)` adds γ/2 · R1 to the discriminator's loss.)


# %%
def my_r1_penalty(critic, real):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 13.2", my_r1_penalty, nb13.check_r1_penalty)

# %% [markdown]
# ### Exercise 13.3: a differentiable translation
#
# The building block of DiffAugment's translation: move every image of a batch `(B, H, W, C)` down by `dy`
# and right by `dx` pixels (negative values: up / left), fill the uncovered border with -1 (black), keep
# the shape, and use only TensorFlow ops so gradients flow back to the pixels. Unlike `tf.roll`, nothing
# wraps around.


# %%
def my_shift(images, dy, dx):
    # TODO: tf.pad with constant_values=-1, then slice an H x W window
    raise course.TODO


# %%
course.check("Exercise 13.3", my_shift, nb13.check_shift)
