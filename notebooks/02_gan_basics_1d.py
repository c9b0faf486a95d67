# %% [markdown]
# # 02 · GAN basics on a 1-D Gaussian
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/02_gan_basics_1d.ipynb)
#
# The first GAN of the course learns a distribution you can draw on paper: numbers from N(4, 1.25²).
# Everything a video GAN does later happens here already, in one dimension where we can *see* it.
#
# **What you'll learn**
#
# - the minimax game of Goodfellow et al. 2014, "Generative Adversarial Nets"
#   (https://arxiv.org/abs/1406.2661), and its value function;
# - the GAN losses written from logits with TensorFlow ops, checked against `tfvidgan.losses`;
# - how to train with `model.fit` and the shared `GAN.train_step`, and watch the generated histogram move
#   towards the data with a small Keras callback;
# - what the discriminator learns: the optimal discriminator `D*(x) = p_data / (p_data + p_g)`, computed by
#   hand and compared with a trained one, and why `D ≈ 1/2` at the end;
# - a failure mode made visible: the original minimax generator loss **saturates** when the discriminator
#   is confident, and the non-saturating loss fixes it.
#
# **Prerequisites:** notebook 01 (datasets, the shared training step).
#
# **CPU time:** about 1 min (normal mode), under a minute in smoke mode.

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
import inspect
import warnings
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from scipy import stats

from tfvidgan import course, data, losses, runtime
from tfvidgan.course import nb02, pick
from tfvidgan.models import gaussian

# Tiny MLPs on single numbers gain nothing from bfloat16, and bfloat16 keeps only ~3 significant digits
# (4.0 +- 0.016): too coarse to measure a standard deviation to 1 %. So this notebook forces float32;
# the image and video notebooks use runtime.set_precision() ("auto").
print("precision:", runtime.set_precision("float32"), "| smoke mode:", course.SMOKE)
runtime.set_seed(0)
warnings.filterwarnings(
    "ignore", message=".*shuffle=True.*"
)  # Keras notes our tf.data pipeline shuffles itself
OUT = Path("runs/nb02")
OUT.mkdir(parents=True, exist_ok=True)

MEAN, STD = 4.0, 1.25  # the real distribution N(4, 1.25^2)
LATENT = 4  # size of the noise vector z
xs = np.linspace(-2.0, 10.0, 241, dtype=np.float32)  # where we draw densities and D's belief
p_data = nb02.normal_pdf(xs, MEAN, STD)

# %% [markdown]
# ## 1. The game
#
# Two networks play against each other:
#
# - the **generator** `G` maps noise `z ~ N(0, I)` (shape `(B, 4)`) to a sample `G(z)` (shape `(B, 1)`);
# - the **discriminator** `D` maps a sample to the probability `D(x)` that it came from the data.
#
# Goodfellow et al. write the game as one value function that `D` maximises and `G` minimises:
#
# $$\min_G \max_D \; V(D, G) = \mathbb{E}_{x \sim p_\text{data}}\big[\log D(x)\big] + \mathbb{E}_{z \sim p_z}\big[\log\big(1 - D(G(z))\big)\big].$$
#
# `D` wants `D(x) → 1` on real numbers and `D(G(z)) → 0` on fakes; `G` wants its fakes to get
# `D(G(z)) → 1`. The paper proves two facts we will check with our own eyes:
#
# 1. for a fixed `G`, the best discriminator is $D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$;
# 2. the game's equilibrium is $p_g = p_\text{data}$, where $D^* = \tfrac12$ everywhere and $V = -\log 4$.
#
# ## 2. The real data
#
# `tfvidgan.data` renders the samples locally; `make_dataset("gaussian1d", ...)` batches them as
# `(B, 1)` float32. Unlike pixels they are *not* squashed into `[-1, 1]`: the generator's last layer is
# linear so it can reach a mean of 4.

# %%
real, _ = data.load_arrays("gaussian1d", 20000, seed=1)
print("real samples:", real.shape, real.dtype, f"mean {real.mean():.3f}, std {real.std():.3f}")

batch_size = 256
ds = data.make_dataset("gaussian1d", batch_size=batch_size, num=pick(normal=16384, smoke=1024))
print("one batch:", next(iter(ds)).shape)

plt.figure(figsize=(6, 2.6))
plt.hist(real[:, 0], bins=80, density=True, alpha=0.5, label="samples")
plt.plot(xs, p_data, "k", label="p_data = N(4, 1.25²)")
plt.legend()
plt.show()

# %% [markdown]
# ## 3. The two players
#
# Both are small MLPs from `tfvidgan.models.gaussian`. The discriminator returns a **logit** `l` (any
# real number), not a probability: `D(x) = sigmoid(l)`. Working with logits keeps the losses numerically
# stable (section 4). We give the discriminator 64 hidden units, the generator 32.

# %%
print(inspect.getsource(gaussian.build_generator))
print(inspect.getsource(gaussian.build_discriminator))

# %%
generator = gaussian.build_generator(latent_dim=LATENT, hidden=32)
discriminator = gaussian.build_discriminator(hidden=64)
z = keras.random.normal((5, LATENT), seed=0)
print("z       :", z.shape)
print("G(z)    :", generator(z).shape, generator(z).numpy().ravel().round(3))
print("D(G(z)) :", discriminator(generator(z)).shape, "(logits)")
print(f"parameters: G {generator.count_params()}, D {discriminator.count_params()}")

# %% [markdown]
# ## 4. The losses, by hand
#
# Keras minimises, so we turn both goals into losses. With `D = sigmoid(l)`:
#
# - $\log D = \log \sigma(l) = -\operatorname{softplus}(-l)$ and $\log(1 - D) = \log \sigma(-l) = -\operatorname{softplus}(l)$,
#   where $\operatorname{softplus}(u) = \log(1 + e^u)$ never overflows in TensorFlow.
# - **Discriminator** (maximise `V`): minimise $-V = \operatorname{softplus}(-l_\text{real}) + \operatorname{softplus}(l_\text{fake})$,
#   which is the binary cross-entropy with targets 1 for real and 0 for fake.
# - **Generator**, *minimax* form (minimise `V`): minimise $\log(1 - D(G(z))) = -\operatorname{softplus}(l_\text{fake})$.
# - **Generator**, *non-saturating* form (Section 3 of the paper): maximise $\log D(G(z))$, i.e. minimise
#   $\operatorname{softplus}(-l_\text{fake})$. Same fixed point, but strong gradients when `D` rejects the
#   fakes; section 7 shows why that matters. It is the default loss of `tfvidgan`.


# %%
def d_loss_by_hand(real_logits, fake_logits):
    """-V(D, G) from logits: -mean(log D(x)) - mean(log(1 - D(G(z))))."""
    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(
        tf.nn.softplus(fake_logits)
    )


def g_loss_by_hand(fake_logits):
    """Non-saturating generator loss: -mean(log D(G(z)))."""
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


rng = np.random.default_rng(0)
real_logits = tf.constant(rng.normal(2.0, 3.0, (64, 1)), tf.float32)
fake_logits = tf.constant(rng.normal(-2.0, 3.0, (64, 1)), tf.float32)
np.testing.assert_allclose(
    d_loss_by_hand(real_logits, fake_logits),
    losses.non_saturating_discriminator_loss(real_logits, fake_logits),
    rtol=1e-6,
)
np.testing.assert_allclose(
    g_loss_by_hand(fake_logits), losses.non_saturating_generator_loss(fake_logits), rtol=1e-6
)
print("hand-made losses == tfvidgan.losses.non_saturating_*")

# Why logits? The "textbook" formula breaks as soon as D is confident:
confident = tf.constant([[20.0]])
naive = -tf.math.log(1.0 - tf.sigmoid(confident))  # sigmoid(20) rounds to 1.0 in float32
print(
    "naive -log(1 - D) at logit 20:",
    float(naive[0, 0]),
    "| softplus(20):",
    float(tf.nn.softplus(confident)[0, 0]),
)

# %% [markdown]
# ## 5. Training with `model.fit`
#
# `GaussianGAN` is the shared `GAN` of `tfvidgan.models.base` with nothing overridden: `compile` takes one
# optimizer per network and a loss name, and `fit` runs the shared step of notebook 01: per batch, one
# discriminator and one generator update, both from the same forward pass. Adam with `beta_1 = 0.5` is the usual GAN setting (Radford et al. 2015,
# https://arxiv.org/abs/1511.06434); a cosine decay of the learning rate calms the end of training.
#
# To *watch* the game we add a small Keras callback. After every epoch it stores
# the generator's output for a fixed set of noise vectors, and the discriminator's belief `sigmoid(D(x))`
# on a grid of `x`.


# %%
class Snapshots(keras.callbacks.Callback):
    """After every epoch: samples from fixed latents, sigmoid(D(x)) on `grid`, and the epoch's logs."""

    def __init__(self, grid, num=5000, seed=1):
        super().__init__()
        self.grid, self.num, self.seed = grid.reshape(-1, 1), num, seed
        self.steps, self.samples, self.beliefs, self.logs = [], [], [], []

    def on_train_begin(self, logs=None):
        if not self.steps:  # first fit call: draw the latents once and take a snapshot at step 0
            rng = np.random.default_rng(self.seed)
            self.z = rng.standard_normal((self.num, self.model.latent_dim)).astype("float32")
            self.record(0, {})

    def on_epoch_end(self, epoch, logs=None):
        self.record(self.steps[-1] + self.params["steps"], logs or {})

    def record(self, step, logs):
        self.steps.append(step)
        self.samples.append(keras.ops.convert_to_numpy(self.model.generate(self.z))[:, 0])
        belief = keras.ops.sigmoid(self.model.discriminate(self.grid))
        self.beliefs.append(keras.ops.convert_to_numpy(belief)[:, 0])
        self.logs.append({k: float(v) for k, v in logs.items()})


# %%
steps = pick(normal=8000, smoke=40)
early, late = pick(
    normal=(25, 500), smoke=(5, 10)
)  # steps per epoch: fine snapshots first, then coarse
early_epochs = pick(normal=20, smoke=2)  # the first 500 steps in detail: that is where most happens
runtime.set_seed(2)
generator = gaussian.build_generator(latent_dim=LATENT, hidden=32)
discriminator = gaussian.build_discriminator(hidden=64)
gan = gaussian.GaussianGAN(generator, discriminator, latent_dim=LATENT, seed=2)


def adam():
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.05)
    return keras.optimizers.Adam(schedule, beta_1=0.5)


gan.compile(d_optimizer=adam(), g_optimizer=adam(), loss="non_saturating")
snaps = Snapshots(xs)
# Two fit calls continue the same training (optimizer state and schedule live in the model).
gan.fit(ds, steps_per_epoch=early, epochs=early_epochs, callbacks=[snaps], verbose=0)
history = gan.fit(
    ds,
    steps_per_epoch=late,
    epochs=(steps - early * early_epochs) // late,
    callbacks=[snaps],
    verbose=2,
)

# %% [markdown]
# Each panel below is one moment of training: the generated histogram (orange) against the real density
# (black), and on the right axis the discriminator's belief `sigmoid(D(x))` (green). Look at how `D`
# pushes: wherever it says "real" (> 1/2), the generator moves mass there. Early on `D` says "more to the
# right", and `G` follows; around step 100 it has gone too far (a long right tail) and has to come back.
# At the end the histogram sits on the density and `D` is close to 1/2 wherever there is data: it can no
# longer tell. (Far out in the tails there are no samples at all, and `D` says whatever it likes.)


# %%
def show_snapshot(ax, samples, belief, title):
    ax.hist(
        samples,
        bins=np.linspace(-2, 10, 61),
        density=True,
        color="tab:orange",
        alpha=0.6,
        label="p_g (generated)",
    )
    ax.plot(xs, p_data, "k", lw=1.5, label="p_data")
    ax.set_ylim(0, 0.8)
    ax.set_title(title, fontsize=10)
    twin = ax.twinx()
    twin.plot(xs, belief, "tab:green", lw=1.5, label="sigmoid(D(x))")
    twin.axhline(0.5, color="tab:green", ls=":", lw=1)
    twin.set_ylim(0, 1.05)
    return twin


wanted = [0, 25, 50, 100, 200, 500, steps // 4, steps]
shown = np.unique([np.argmin(np.abs(np.array(snaps.steps) - w)) for w in wanted])
fig, axes = plt.subplots(2, 4, figsize=(15, 6), constrained_layout=True)
for ax in axes.flat[len(shown) :]:
    ax.axis("off")
for ax, i in zip(axes.flat, shown):
    twin = show_snapshot(ax, snaps.samples[i], snaps.beliefs[i], f"step {snaps.steps[i]}")
axes.flat[0].legend(loc="upper left", fontsize=8)
twin.legend(loc="upper right", fontsize=8)
fig.savefig(OUT / "snapshots.png", dpi=80)
plt.show()

# %% [markdown]
# The same story in numbers. The generated mean races past 4, **overshoots**, comes back; the spread
# follows, and both keep wobbling a little around their targets: `G` moves, `D` reacts, `G` corrects.
# A GAN does not descend one loss, it chases a moving target, which is why the learning rate decays here.
# At the equilibrium `D = 1/2`, so the discriminator loss tends to `2 log 2 = log 4 ≈ 1.386` and the
# generator loss to `log 2 ≈ 0.693`: flat loss curves at those values mean "balanced", not "done learning".

# %%
means = [s.mean() for s in snaps.samples]
stds = [s.std() for s in snaps.samples]
logged = snaps.logs[1:]  # each snapshot after step 0 carries the mean losses of its epoch
fig, axes = plt.subplots(1, 2, figsize=(13, 3.2))
axes[0].plot(snaps.steps, means, "o-", label="mean of G(z)")
axes[0].plot(snaps.steps, stds, "o-", label="std of G(z)")
axes[0].axhline(MEAN, color="tab:blue", ls=":")
axes[0].axhline(STD, color="tab:orange", ls=":")
axes[1].plot(snaps.steps[1:], [log["d_loss"] for log in logged], "o-", label="d_loss")
axes[1].plot(snaps.steps[1:], [log["g_loss"] for log in logged], "o-", label="g_loss")
axes[1].axhline(np.log(4), color="tab:blue", ls=":", label="log 4")
axes[1].axhline(np.log(2), color="tab:orange", ls=":", label="log 2")
for ax in axes:
    ax.set_xscale("symlog", linthresh=100)  # linear up to 100 steps, logarithmic after
    ax.set_xlim(left=0)
    ax.set_xlabel("generator steps (log scale after 100)")
    ax.legend()
plt.show()

# %% [markdown]
# ### The result
#
# 20 000 fresh samples from the trained generator against N(4, 1.25²). The Kolmogorov-Smirnov statistic
# is the largest gap between the two cumulative distribution functions (0 = identical).

# %%
fake = gan.sample(20000)[:, 0]
# A frozen distribution: `kstest(x, "norm", args=(MEAN, STD))` breaks on SciPy 1.18 (scipy issue 25448)
ks = stats.kstest(fake, stats.norm(MEAN, STD).cdf).statistic
print(
    f"generated: mean {fake.mean():.3f} (target {MEAN}), std {fake.std():.3f} (target {STD}), KS statistic {ks:.3f}"
)

fig, ax = plt.subplots(figsize=(6, 3))
show_snapshot(
    ax,
    fake,
    snaps.beliefs[-1],
    f"after {steps} steps: mean {fake.mean():.2f}, std {fake.std():.2f}",
)
fig.savefig(OUT / "final.png", dpi=80)
plt.show()
if not course.SMOKE:
    assert abs(fake.mean() - MEAN) < 0.25 and abs(fake.std() - STD) < 0.25, (
        "training did not converge this time"
    )

# %% [markdown]
# ## 6. What does the discriminator learn?
#
# **Proposition 1** of the paper: for a *fixed* generator, `V` is maximised pointwise by
# $D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}$ (maximise $a \log y + b \log(1 - y)$ over $y$:
# the answer is $y = a / (a + b)$).
#
# We can test it exactly with a generator that cannot learn: `G(z) = 2.5 + 0.8 z` is a single Dense layer
# with fixed weights, so $p_g = N(2.5, 0.8^2)$ is known in closed form. We train only the discriminator by
# giving the generator a learning rate of 0. It is the same `GaussianGAN` and the same `train_step`.

# %%
fixed_generator = keras.Sequential(
    [keras.Input((1,)), keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.8),
                                           bias_initializer=keras.initializers.Constant(2.5))],
    name="fixed_generator",
)  # fmt: skip
probe = gaussian.GaussianGAN(
    fixed_generator, gaussian.build_discriminator(hidden=64), latent_dim=1, seed=3
)
probe.compile(
    d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    g_optimizer=keras.optimizers.SGD(learning_rate=0.0),
)
probe.fit(ds, steps_per_epoch=pick(normal=1500, smoke=20), epochs=1, verbose=0)

p_g = nb02.normal_pdf(xs, 2.5, 0.8)
d_star = p_data / (p_data + p_g)
learned = keras.ops.convert_to_numpy(keras.ops.sigmoid(probe.discriminate(xs[:, None])))[:, 0]
bulk = (p_data + p_g) > 0.02  # where there are samples to learn from
print(
    f"largest |learned D - D*| where p_data + p_g > 0.02: {np.abs(learned - d_star)[bulk].max():.3f}"
)

fig, ax = plt.subplots(figsize=(8, 3.2))
ax.plot(xs, p_data, "k", label="p_data = N(4, 1.25²)")
ax.plot(xs, p_g, "tab:orange", label="p_g = N(2.5, 0.8²) (fixed)")
ax.set_ylim(0, 0.7)
ax.legend(loc="upper left")
twin = ax.twinx()
twin.plot(xs, d_star, "tab:green", lw=3, alpha=0.5, label="D*(x) by hand")
twin.plot(xs, learned, "tab:green", ls="--", label="sigmoid(D(x)) learned")
twin.axhline(0.5, color="gray", ls=":")
twin.legend(loc="upper right")
plt.show()

# %% [markdown]
# The learned curve follows `D*` wherever samples exist; far out in the tails there is no data on either
# side and the network extrapolates freely.
#
# **Theorem 1** goes further: plugging $D^*$ into `V` gives $-\log 4 + 2\,\mathrm{JSD}(p_\text{data} \| p_g)$,
# so training `G` against an optimal `D` minimises the Jensen-Shannon divergence. The discriminator loss is
# $-V$: at the optimum it equals $\log 4 - 2\,\mathrm{JSD}$. We integrate the JSD numerically and compare:


# %%
def kl(p, q):
    return np.trapezoid(np.where(p > 0, p * np.log(p / q), 0.0), xs)


mix = 0.5 * (p_data + p_g)
jsd = 0.5 * kl(p_data, mix) + 0.5 * kl(p_g, mix)
fresh_real = data.gaussian_1d(20000, seed=5)
fresh_fake = keras.ops.convert_to_numpy(
    fixed_generator(np.random.default_rng(5).standard_normal((20000, 1)).astype("float32"))
)
measured = float(
    losses.non_saturating_discriminator_loss(
        probe.discriminate(fresh_real), probe.discriminate(fresh_fake)
    )
)
print(f"JSD = {jsd:.4f} nats -> log 4 - 2 JSD = {np.log(4) - 2 * jsd:.4f}")
print(
    f"loss of the trained discriminator on fresh samples = {measured:.4f} (never below the optimum, up to sampling noise)"
)

# %% [markdown]
# ### And at the end of our GAN's training?
#
# We do not know $p_g$ in closed form for the trained generator, but we can estimate it from 20 000
# samples with a kernel density estimate and compute `D*` the same way. Both are close to 1/2 in the bulk:
# the discriminator has been fooled, exactly as the theory predicts at $p_g = p_\text{data}$.

# %%
p_g_trained = stats.gaussian_kde(fake)(xs)
d_star_trained = p_data / (p_data + p_g_trained)
belief_trained = snaps.beliefs[-1]
inside = (xs > MEAN - 2 * STD) & (xs < MEAN + 2 * STD)
print(f"within 2 std of the mean: D* in [{d_star_trained[inside].min():.2f}, {d_star_trained[inside].max():.2f}], "
      f"learned D in [{belief_trained[inside].min():.2f}, {belief_trained[inside].max():.2f}]")  # fmt: skip

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(xs, p_data, "k", label="p_data")
ax.plot(xs, p_g_trained, "tab:orange", label="p_g (KDE of the trained G)")
ax.set_ylim(0, 0.45)
ax.legend(loc="upper left")
twin = ax.twinx()
twin.plot(xs, d_star_trained, "tab:green", lw=3, alpha=0.5, label="D* from the densities")
twin.plot(xs, belief_trained, "tab:green", ls="--", label="sigmoid(D(x)) learned")
twin.axhline(0.5, color="gray", ls=":")
twin.set_ylim(0, 1.05)
twin.legend(loc="upper right")
plt.show()

# %% [markdown]
# ## 7. A failure mode: the minimax generator loss saturates
#
# Early in training the fakes are bad and `D` rejects them confidently: `D(G(z)) ≈ 0`, a very negative
# logit. Look at the gradient each generator loss sends back through the logit `l`:
#
# - minimax: $\frac{d}{dl}\big[-\operatorname{softplus}(l)\big] = -\sigma(l) = -D(G(z)) \to 0$: **no signal exactly when G needs it most**;
# - non-saturating: $\frac{d}{dl}\operatorname{softplus}(-l) = -(1 - \sigma(l)) \to -1$: full signal.
#
# We let TensorFlow differentiate the library's two losses:

# %%
logits = tf.Variable(np.linspace(-12.0, 4.0, 161, dtype=np.float32)[:, None])
per_logit = {}
for name in ("minimax", "non_saturating"):
    g_loss_fn, _ = losses.get_loss(name)
    with tf.GradientTape() as tape:
        loss = (
            g_loss_fn(logits) * logits.shape[0]
        )  # the losses average; undo it to get d(loss_i)/d(l_i)
    per_logit[name] = np.abs(tape.gradient(loss, logits).numpy()[:, 0])

d_of_fake = tf.sigmoid(logits).numpy()[:, 0]
plt.figure(figsize=(6, 3.2))
for name, grad in per_logit.items():
    plt.loglog(d_of_fake, grad, label=f"{name} generator loss")
plt.xlabel("D(G(z)): how 'real' the discriminator finds the fake")
plt.ylabel("|d loss / d logit|")
plt.legend()
plt.show()
i = np.argmin(np.abs(logits.numpy()[:, 0] + 8))
print(
    f"at D(G(z)) = {d_of_fake[i]:.1e}: minimax gradient {per_logit['minimax'][i]:.1e}, non-saturating {per_logit['non_saturating'][i]:.2f}"
)

# %% [markdown]
# ### The same thing during training
#
# Start the generator far from the data (we shift its output by -8), and let the discriminator become
# confident first (the generator's learning rate is 0 for a few hundred steps). Then train two copies of
# this position, identical except for the generator loss, with plain SGD on the generator as in the paper.

# %%
runtime.set_seed(4)
far_generator = gaussian.build_generator(latent_dim=LATENT, hidden=32)
kernel, bias = far_generator.get_layer("sample").get_weights()
far_generator.get_layer("sample").set_weights([kernel, bias - 8.0])
sharp_discriminator = gaussian.build_discriminator(hidden=64)
warmup = gaussian.GaussianGAN(far_generator, sharp_discriminator, latent_dim=LATENT, seed=4)
warmup.compile(
    d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.SGD(0.0)
)
warmup.fit(ds, steps_per_epoch=pick(normal=500, smoke=10), epochs=1, verbose=0)
fake_logits = warmup.discriminate(warmup.sample(1000))
print(
    f"after warm-up: fakes around {warmup.sample(1000).mean():.2f}, mean D(G(z)) = {float(tf.reduce_mean(tf.sigmoid(fake_logits))):.1e}"
)


def copy_of(model):
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def train_from_warm_start(loss, g_optimizer):
    model = gaussian.GaussianGAN(
        copy_of(far_generator), copy_of(sharp_discriminator), latent_dim=LATENT, seed=5
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=g_optimizer, loss=loss
    )
    snapshots = Snapshots(xs, num=2000)
    fit = model.fit(
        ds,
        steps_per_epoch=pick(normal=50, smoke=5),
        epochs=pick(normal=12, smoke=2),
        callbacks=[snapshots],
        verbose=0,
    )
    return snapshots, fit.history["g_grad_norm"]


runs = {
    "minimax, SGD": train_from_warm_start("minimax", keras.optimizers.SGD(0.01)),
    "non-saturating, SGD": train_from_warm_start("non_saturating", keras.optimizers.SGD(0.01)),
}

fig, axes = plt.subplots(1, 2, figsize=(13, 3.2))
for name, (snapshots, grad_norms) in runs.items():
    axes[0].plot(snapshots.steps, [s.mean() for s in snapshots.samples], "o-", label=name)
    axes[1].semilogy(snapshots.steps[1:], grad_norms, "o-", label=name)
axes[0].axhline(MEAN, color="k", ls=":", label="data mean")
axes[0].set_ylabel("mean of G(z)")
axes[1].set_ylabel("generator gradient norm")
for ax in axes:
    ax.set_xlabel("generator steps")
    ax.legend()
plt.show()

# %% [markdown]
# With the minimax loss the generator does not move: its gradients are several orders of magnitude smaller. The
# non-saturating loss walks straight to the data. This is why the paper recommends it, and why it is the
# default in `tfvidgan`.
#
# A caveat worth knowing: **Adam partly hides the problem**. It divides each step by a running estimate of
# the gradient's size, so a consistently tiny gradient still gives normal-sized steps. Try it:

# %%
snapshots, grad_norms = train_from_warm_start("minimax", keras.optimizers.Adam(1e-3, beta_1=0.5))
print("minimax + Adam, mean of G(z) over time:", np.round([s.mean() for s in snapshots.samples], 2))

# %% [markdown]
# Adam escapes here, but the saturated gradient is mostly noise relative to its size, and in
# high-dimensional image models the minimax loss remains slower and less stable. Other failure modes —
# a discriminator that wins too easily, mode collapse, oscillation like the one in section 5 — come back
# with the image GANs of the next notebooks, together with their remedies (other losses, penalties,
# spectral normalisation).
#
# ## Exercises
#
# Replace each `raise course.TODO` by your code and run the cell, then the check cell below it.
# The solutions are in `notebooks/solutions/02_gan_basics_1d_solutions.ipynb`.
#
# ### Exercise 2.1: the minimax generator loss
#
# Implement $\mathbb{E}\big[\log(1 - D(G(z)))\big]$ from the fake **logits** `(B, 1)`, numerically stable
# (no `log(1 - sigmoid(...))`: it returns `-inf` for a logit of 40). The check compares with
# `tfvidgan.losses.minimax_generator_loss`.


# %%
def my_minimax_generator_loss(fake_logits):
    # TODO: one line with tf.nn.softplus and tf.reduce_mean
    raise course.TODO


# %%
course.check("Exercise 2.1", my_minimax_generator_loss, nb02.check_minimax_generator_loss)

# %% [markdown]
# ### Exercise 2.2: the least-squares generator loss
#
# LSGAN (Mao et al. 2017, https://arxiv.org/abs/1611.04076) replaces the log loss by a squared error on the
# discriminator's **raw** output: the discriminator regresses real to 1 and fake to 0, and the generator
# minimises $\tfrac12\,\mathbb{E}\big[(D(G(z)) - 1)^2\big]$. Implement it (check:
# `tfvidgan.losses.least_squares_generator_loss`). You can then train the GAN of section 5 with
# `loss="least_squares"`.


# %%
def my_least_squares_generator_loss(fake_logits):
    # TODO
    raise course.TODO


# %%
course.check(
    "Exercise 2.2", my_least_squares_generator_loss, nb02.check_least_squares_generator_loss
)

# %% [markdown]
# ### Exercise 2.3: the optimal discriminator
#
# Given two arrays of density values `p_data` and `p_g` (same shape, one value per `x`), return
# $D^*(x)$ for every `x`. The check uses N(4, 1.25²) against N(2.5, 0.8²), and two equal densities.


# %%
def my_optimal_discriminator(p_data, p_g):
    # TODO
    raise course.TODO


# %%
course.check("Exercise 2.3", my_optimal_discriminator, nb02.check_optimal_discriminator)
