# %% [markdown]
# # 05 · VAE, and how it differs from a GAN
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/tfvidgan/tfvidgan/blob/main/notebooks/05_vae_vs_gan.ipynb)
#
# A GAN learns to generate by *fooling a critic*. The variational autoencoder (VAE, Kingma & Welling 2013,
# [arXiv:1312.6114](https://arxiv.org/abs/1312.6114)) learns from the same data by *maximising a likelihood*.
# Both end with the same kind of network, a decoder (generator) that turns a noise vector `z` into an image,
# yet their samples look different. In this notebook we train both on the same digits and find out why.
#
# **What you'll learn**
#
# - the VAE's parts: an encoder `q(z | x)`, a decoder `p(x | z)` and a prior `p(z) = N(0, I)`, built in
#   `tfvidgan.models.vae` from the very DCGAN networks of notebook 03;
# - the evidence lower bound, **ELBO = reconstruction - KL**, and how each term is computed;
# - the **reparameterisation trick** `z = mu + sigma * eps` that lets gradients flow through sampling;
# - what a trained VAE can do that a GAN cannot: reconstruct, encode and interpolate between real images;
# - VAE vs GAN side by side: blurrier but covering samples vs sharper, mode-seeking samples, measured with
#   simple sharpness numbers and a small digit classifier.
#
# **Prerequisites:** notebook 03 (DCGAN on digits) and notebook 04.
#
# **CPU time:** about 7 min (normal mode), under a minute in smoke mode.

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
import time
from pathlib import Path

import cv2
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import Markdown, display

import tfvidgan
from tfvidgan import course, data, metrics, models, runtime, train, video_io
from tfvidgan.config import get_config
from tfvidgan.course import nb05, pick
from tfvidgan.layers import Sampling
from tfvidgan.models import dcgan, vae

print("tfvidgan", tfvidgan.__version__, "| smoke mode:", course.SMOKE)
OUT = Path("runs/nb05")  # everything this notebook writes goes here
OUT.mkdir(parents=True, exist_ok=True)
runtime.set_seed(0)


def show_grid(images, title, ncols=8, ax=None):
    """Tile a batch (N, H, W, 1) in [-1, 1] into one picture."""
    ax = ax or plt.figure(figsize=(4, 4)).gca()
    ax.imshow(
        video_io.to_uint8(video_io.image_grid(images, ncols=ncols))[..., 0],
        cmap="gray",
        vmin=0,
        vmax=255,
    )
    ax.set_title(title)
    ax.axis("off")


# %% [markdown]
# ## 1. The data: the same digits as notebook 03
#
# `digits` is a procedural MNIST: one white digit 0-9 per 32x32 grey image, in several fonts, sizes and
# positions. The models see `float32` tensors `(B, 32, 32, 1)` in `[-1, 1]` (black = -1, white = +1).

# %%
num_examples = pick(normal=8192, smoke=64)
batch_size = pick(normal=64, smoke=16)
images, labels = data.load_arrays("digits", num_examples, image_size=32, seed=0)
x_real = data.to_float(images)
print(
    "training images:", x_real.shape, x_real.dtype, "in", (float(x_real.min()), float(x_real.max()))
)
show_grid(x_real[:32], "real digits")
plt.show()

# %% [markdown]
# ## 2. The model: an autoencoder whose code is a distribution
#
# A plain autoencoder squeezes an image into a code `z` and decodes it back. Its codes can land anywhere,
# so decoding a *random* `z` gives garbage: it is not a generative model. The VAE fixes this with three parts:
#
# | part | what it is | in `tfvidgan.models.vae` |
# |---|---|---|
# | prior `p(z)` | `N(0, I)` in `latent_dim` dimensions: where we sample from at generation time | `VAE.sample` |
# | encoder `q(z \| x)` | a Gaussian `N(mu(x), diag(sigma^2(x)))` per image | `build_encoder`: image `(B, 32, 32, 1)` -> `[mu, log_var, z]`, each `(B, latent_dim)` |
# | decoder `p(x \| z)` | a Gaussian around the decoded image `x_hat = g(z)` | `build_decoder`: `z (B, latent_dim)` -> `x_hat (B, 32, 32, 1)` |
#
# The encoder outputs `log_var = log sigma^2` rather than `sigma`: any real number is a valid `log_var`,
# while `sigma` would need to stay positive.
#
# The networks are old friends. The **decoder is exactly the DCGAN generator** of notebook 03, and the encoder
# is the **DCGAN discriminator without its last layer**, with two small dense heads for `mu` and `log_var`:

# %%
print(inspect.getsource(vae.build_encoder))
print(inspect.getsource(vae.build_decoder))

# %% [markdown]
# Let us check that claim by counting weights: the decoder and a DCGAN generator with the same sizes have
# the same number of parameters, and so do the encoder's feature extractor and a DCGAN discriminator
# without its top.

# %%
latent_dim = 16
base_filters = pick(normal=32, smoke=8)
decoder_check = vae.build_decoder(latent_dim, 32, 1, base_filters)
generator_check = dcgan.build_generator(latent_dim, 32, 1, base_filters)
encoder_check = vae.build_encoder(latent_dim, 32, 1, base_filters)
features_check = dcgan.build_discriminator(32, 1, base_filters, include_top=False)
print("decoder", decoder_check.count_params(), "== DCGAN generator", generator_check.count_params())
assert decoder_check.count_params() == generator_check.count_params()
features_in_encoder = encoder_check.get_layer("features").count_params()
print(
    "encoder features",
    features_in_encoder,
    "== DCGAN discriminator without top",
    features_check.count_params(),
)
assert features_in_encoder == features_check.count_params()
mu_check, log_var_check, z_check = encoder_check(x_real[:4])
print(
    "encoder outputs:",
    mu_check.shape,
    log_var_check.shape,
    z_check.shape,
    "| decoder output:",
    decoder_check(z_check).shape,
)

# %% [markdown]
# ## 3. The reparameterisation trick
#
# The encoder gives `mu` and `log_var`; we must *sample* `z ~ N(mu, sigma^2)` and decode it. Sampling is not
# differentiable with respect to `mu` and `sigma`... unless we write it as a deterministic function of them
# and of noise that does not depend on them:
#
# $$z = \mu + \sigma \odot \varepsilon, \qquad \sigma = \exp(\tfrac12 \log\sigma^2), \qquad \varepsilon \sim N(0, I).$$
#
# Now `dz/dmu = 1` and `dz/dlog_var = 0.5 * sigma * eps`: ordinary gradients, so the encoder can be trained by
# backpropagation through the sample (Kingma & Welling 2013, Sec. 2.4). In `tfvidgan` this is one small layer:

# %%
print(inspect.getsource(Sampling))

# %% [markdown]
# Build it by hand and compare. To use the *same* `eps` as the layer we use a trick: a second `Sampling` layer
# with the same seed, fed `mu = 0` and `log_var = 0`, returns `0 + 1 * eps`, i.e. the noise itself.

# %%
mu = np.array([[0.0, 1.0, -2.0], [0.5, 0.5, 0.5]], np.float32)  # (B=2, latent_dim=3)
log_var = np.array([[0.0, -1.0, 1.0], [-4.0, 0.0, 2.0]], np.float32)

sampling = Sampling(seed=42, dtype="float32")
z_library = keras.ops.convert_to_numpy(sampling([mu, log_var]))
eps = keras.ops.convert_to_numpy(
    Sampling(seed=42, dtype="float32")([np.zeros_like(mu), np.zeros_like(log_var)])
)
z_by_hand = mu + np.exp(0.5 * log_var) * eps
print("eps      :", eps.round(3).tolist())
print("z library:", z_library.round(3).tolist())
np.testing.assert_allclose(z_library, z_by_hand, rtol=1e-6, atol=1e-6)
print("same mu, log_var and eps -> same z")

# %% [markdown]
# And the gradients really flow through the sample. With `loss = sum(z)`: the gradient with respect to `mu` is 1
# everywhere, and with respect to `log_var` it is `0.5 * sigma * eps = 0.5 * (z - mu)`.

# %%
mu_var, log_var_var = tf.Variable(mu), tf.Variable(log_var)
with tf.GradientTape() as tape:
    z = sampling([mu_var, log_var_var])  # a fresh eps
    loss = tf.reduce_sum(z)
grad_mu, grad_log_var = tape.gradient(loss, [mu_var, log_var_var])
np.testing.assert_allclose(grad_mu.numpy(), np.ones_like(mu))
np.testing.assert_allclose(grad_log_var.numpy(), 0.5 * (z.numpy() - mu), rtol=1e-5, atol=1e-6)
print("d sum(z) / d log_var:", grad_log_var.numpy().round(3).tolist())

# %% [markdown]
# ## 4. The objective: ELBO = reconstruction - KL
#
# We would like to maximise the log-likelihood of the data, `log p(x) = log ∫ p(x | z) p(z) dz`, but the integral
# over `z` is intractable. The encoder turns it into a bound that *is* tractable (Kingma & Welling 2013, Eq. 3):
#
# $$\log p(x) \;\ge\; \text{ELBO}(x) = \underbrace{\mathbb{E}_{q(z|x)}\big[\log p(x \mid z)\big]}_{\text{reconstruction}}
#   \;-\; \underbrace{\mathrm{KL}\big(q(z \mid x)\,\|\,p(z)\big)}_{\text{stay close to the prior}} .$$
#
# - **Reconstruction.** With a Gaussian decoder `p(x | z) = N(x_hat, I)`, `-log p(x | z)` is
#   `0.5 * sum((x - x_hat)^2)` plus a constant `0.5 * D * log(2 pi)` (`D = 32 * 32` pixels). One sample of `z`
#   per image is enough for the expectation: the reparameterisation trick makes it an unbiased, differentiable estimate.
# - **KL.** Both distributions are Gaussian, so the KL has a closed form, summed over the `latent_dim` dimensions:
#   `0.5 * sum(sigma^2 + mu^2 - 1 - log sigma^2)`. It is 0 only when `mu = 0, sigma = 1`: every code would then be
#   the prior itself and carry no information about the image. The two terms pull against each other.
#
# `VAE.compute_terms` computes the two batch means; `VAE.train_step` minimises `reconstruction + beta * KL` (the
# negative ELBO; `beta = 1` is the plain VAE) with **one** optimizer for both networks. Compare with the GAN's
# `train_step` of notebook 03: no second network to fool, no alternating updates, just one loss going down.

# %%
print(inspect.getsource(vae.VAE.compute_terms))
print(inspect.getsource(vae.VAE.train_step))

# %% [markdown]
# ## 5. Train the VAE with `model.fit`
#
# `runtime.set_precision()` picks the fastest numeric format for this machine (`mixed_bfloat16` on a CPU with
# bf16 instructions, `mixed_float16` on a recent GPU, else `float32`). It must be called *before* building the
# networks. `mu`, `log_var`, `z` and the output pixels stay `float32` either way.
#
# The model reports `reconstruction_loss`, `kl_loss` and `elbo` (per image, in nats) every epoch.

# %%
print("precision:", runtime.set_precision())
train_steps = pick(
    normal=5000, smoke=4
)  # the same number of updates for the VAE and, later, the GAN
steps_per_epoch = pick(normal=200, smoke=2)
dataset = data.make_dataset(
    "digits", batch_size=batch_size, num=num_examples, image_size=32, seed=0
)

runtime.set_seed(0)
vae_model = vae.VAE(
    vae.build_encoder(latent_dim, 32, 1, base_filters, seed=0),
    vae.build_decoder(latent_dim, 32, 1, base_filters),
    latent_dim,
    seed=0,
)
vae_model.compile(optimizer=keras.optimizers.Adam(1e-3))
start = time.monotonic()
vae_history = vae_model.fit(
    dataset, epochs=train_steps // steps_per_epoch, steps_per_epoch=steps_per_epoch, verbose=2
)
vae_minutes = (time.monotonic() - start) / 60
print(f"VAE: {train_steps} steps in {vae_minutes:.1f} min")

# %%
hist = vae_history.history
epochs = np.arange(1, len(hist["elbo"]) + 1)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
axes[0].plot(epochs, hist["elbo"], label="ELBO (up is better)")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("nats per image")
axes[0].legend()
axes[1].plot(epochs, hist["reconstruction_loss"], label="reconstruction loss")
axes[1].plot(epochs, hist["kl_loss"], label="KL")
axes[1].set_xlabel("epoch")
axes[1].legend()
for ax in axes:
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the two curves together. In the first epochs the KL *rises*: the encoder learns to put information about the
# image into `z`, which costs nats of KL but saves many more nats of reconstruction. Afterwards the KL drifts down
# slowly while the reconstruction keeps improving: the model learns to spend its nats more efficiently. The ELBO
# climbs steadily, with none of the tug-of-war oscillations of GAN losses: it is a number you can trust to compare
# runs (higher = a tighter bound on the data likelihood), something a GAN never gives you.
#
# ## 6. What the VAE learned
#
# ### Checking the KL term numerically
#
# Take a batch of real digits and let the trained encoder give `mu` and `log_var`. The KL that
# `compute_terms` reports comes from the closed form. Let us estimate the same number the slow, obvious way:
# the definition `KL = E_q[log q(z) - log p(z)]`, averaged over thousands of samples of `z` (Monte Carlo).

# %%
batch = x_real[:16]
mu_b, log_var_b, _ = (
    keras.ops.convert_to_numpy(t).astype(np.float64)
    for t in vae_model.encoder(batch, training=False)
)
_, kl_library = vae_model.compute_terms(batch)
kl_library = float(kl_library)

rng = np.random.default_rng(0)
draws = pick(normal=4000, smoke=500)
eps_mc = rng.standard_normal((draws,) + mu_b.shape)  # (S, B, latent_dim)
z_mc = mu_b + np.exp(0.5 * log_var_b) * eps_mc
log_q = -0.5 * (eps_mc**2 + log_var_b + np.log(2 * np.pi))  # log N(z; mu, sigma^2), per dimension
log_p = -0.5 * (z_mc**2 + np.log(2 * np.pi))  # log N(z; 0, 1), per dimension
kl_per_dim = (log_q - log_p).mean(axis=(0, 1))  # (latent_dim,), averaged over samples and images
kl_monte_carlo = kl_per_dim.sum()
print(f"KL from VAE.compute_terms: {kl_library:.3f} nats | Monte Carlo: {kl_monte_carlo:.3f} nats")
np.testing.assert_allclose(kl_monte_carlo, kl_library, rtol=0.05, atol=0.05)

plt.figure(figsize=(7, 2.5))
plt.bar(np.arange(latent_dim), kl_per_dim)
plt.xlabel("latent dimension")
plt.ylabel("KL (nats)")
plt.title("how much information each latent dimension carries")
plt.show()

# %% [markdown]
# The per-dimension bars show how the VAE spends its KL budget: dimensions near 0 nats are switched off (the
# encoder leaves them equal to the prior, the decoder ignores them), the tall ones carry the digit's identity,
# size, position and style.
#
# ### Reconstructions
#
# A GAN has no encoder, so it cannot do this: give the VAE a real image, encode it, decode it. Top row: inputs,
# bottom row: reconstructions (decoded from `mu`, the most likely code).

# %%
x_test, y_test = data.load_arrays(
    "digits", pick(normal=1000, smoke=64), image_size=32, seed=1
)  # held-out digits
x_test = data.to_float(x_test)
mu_test, _, _ = vae_model.encoder(x_test[:12], training=False)
recon = keras.ops.convert_to_numpy(vae_model.decoder(mu_test, training=False))
show_grid(np.concatenate([x_test[:12], recon]), "top: input, bottom: VAE reconstruction", ncols=12)
plt.gcf().set_size_inches(10, 2.2)
plt.show()

# %% [markdown]
# Digit, font, size and position all survive the trip through 16 numbers; look closely and the edges are a little
# softer than the input's. With a KL price on every nat, the code keeps what matters most for the squared error.
#
# ### Samples from the prior
#
# Generation ignores the encoder: draw `z ~ N(0, I)` and decode. `VAE.sample` returns the decoder's *mean*
# image `x_hat`. (A true sample of `p(x | z) = N(x_hat, I)` would add noise of standard deviation 1 to every
# pixel, i.e. mostly noise; everyone shows the mean.)

# %%
vae_samples = vae_model.sample(64)
show_grid(vae_samples, "VAE: decoded z ~ N(0, I)")
plt.show()

# %% [markdown]
# ### A walk in latent space
#
# Encode two real digits, walk in a straight line from one code to the other and decode each point. Because the
# KL term packs all codes close to `N(0, I)`, the space between them decodes to plausible images too.


# %%
def first_index(digit):
    return int(np.flatnonzero(y_test == digit)[0]) if np.any(y_test == digit) else 0


pairs = [(1, 7), (3, 8), (0, 6)]
steps_t = np.linspace(0, 1, 10, dtype=np.float32)[:, None]
rows = []
for a, b in pairs:
    mu_ab, _, _ = vae_model.encoder(x_test[[first_index(a), first_index(b)]], training=False)
    mu_ab = keras.ops.convert_to_numpy(mu_ab)
    path = (1 - steps_t) * mu_ab[0] + steps_t * mu_ab[1]  # (10, latent_dim)
    rows.append(keras.ops.convert_to_numpy(vae_model.decoder(path, training=False)))
show_grid(np.concatenate(rows), "VAE: straight lines between encoded digits", ncols=10)
plt.gcf().set_size_inches(9, 3)
plt.show()

# %% [markdown]
# ## 7. A GAN on the same data
#
# Now the adversarial route, with the configuration system of notebook 03: the `dcgan` `demo` preset
# (latent 64, same 32-filter networks, batch 64, Adam 2e-4, a discriminator that judges pairs of images as in
# PacGAN, end of notebook 03), `models.build` and `train.make_dataset`.
# For a fair comparison both models take the **same number of updates** (`train_steps`) **on the same batches**.
# A GAN step costs about 1.5x a VAE step on the CPU: it runs the discriminator on real and fake images and updates
# two networks.

# %%
cfg = get_config(
    "dcgan",
    pick(normal="demo", smoke="tiny"),
    steps=train_steps,
    steps_per_epoch=pick(normal=200, smoke=2),
    num_examples=num_examples,
    batch_size=batch_size,
)
print(cfg)
runtime.set_seed(0)
gan = models.build(cfg)
start = time.monotonic()
gan.fit(
    train.make_dataset(cfg),
    epochs=cfg.steps // cfg.steps_per_epoch,
    steps_per_epoch=cfg.steps_per_epoch,
    verbose=2,
)
gan_minutes = (time.monotonic() - start) / 60
print(
    f"GAN: {train_steps} steps in {gan_minutes:.1f} min (VAE: {train_steps} steps in {vae_minutes:.1f} min)"
)

# %% [markdown]
# ## 8. Side by side

# %%
gan_samples = gan.sample(64)
fig, axes = plt.subplots(1, 3, figsize=(15, 5.3))
show_grid(x_test[:64], "real (held out)", ax=axes[0])
show_grid(vae_samples, f"VAE ({vae_minutes:.1f} min)", ax=axes[1])
show_grid(gan_samples, f"GAN ({gan_minutes:.1f} min)", ax=axes[2])
plt.tight_layout()
fig.savefig(OUT / "real_vae_gan.png", dpi=80)
plt.show()

# %% [markdown]
# Look closely. The **VAE** digits are smooth, with soft grey edges, and the classes come in about the right
# proportions. The **GAN** digits are crisp, nearly black-and-white like the real ones, but some are odd hybrids
# or malformed strokes, and certain shapes may show up more often than others. The GAN can also walk between
# two random codes, but it has no encoder to find the code of a *given* image:

# %%
z_ends = keras.random.normal((2, cfg.latent_dim), seed=7)
z_path = (1 - steps_t) * z_ends[0] + steps_t * z_ends[1]
show_grid(
    keras.ops.convert_to_numpy(gan.generate(z_path)),
    "GAN: a straight line between two random codes",
    ncols=10,
)
plt.gcf().set_size_inches(9, 1.3)
plt.show()

# %% [markdown]
# ## 9. Measuring the difference
#
# Eyes are good judges, but numbers make the comparison repeatable. Three cheap image statistics, each averaged
# over 1000 images and computed on real digits too, so we know the target value:
#
# - **mean gradient magnitude**: the average size of pixel-to-pixel changes; sharp edges give large values;
# - **Laplacian variance**: the variance of the second derivative (OpenCV's 3x3 Laplacian, interior pixels),
#   a classic focus measure used by cameras; blur flattens it. You re-implement it in Exercise 5.3;
# - **grey pixels**: the share of pixels strictly between dark and bright (`-0.6 < x < 0.6`). Real digits are
#   almost black-and-white; blur creates grey.
#
# And two about *content*, read by a small digit classifier trained right here on labelled real digits:
#
# - **confident**: the share of samples the classifier labels with probability > 0.9 (it looks like one clear digit);
# - **class entropy**: the entropy of the histogram of predicted classes, `log(10) = 2.30` nats when all ten
#   digits are equally frequent; mode dropping lowers it.


# %%
def mean_gradient_magnitude(x):
    """Per image: mean of |grad x| with forward differences, over (H-1) x (W-1) pixels."""
    x = np.asarray(x, np.float64)[..., 0]
    dx = np.diff(x, axis=2)[:, :-1, :]
    dy = np.diff(x, axis=1)[:, :, :-1]
    return np.sqrt(dx**2 + dy**2).mean(axis=(1, 2))


def laplacian_variance_cv2(x):
    """Per image: variance of OpenCV's 3x3 Laplacian over the interior pixels."""
    x = np.asarray(x, np.float64)[..., 0]
    return np.array([cv2.Laplacian(img, cv2.CV_64F, ksize=1)[1:-1, 1:-1].var() for img in x])


def grey_fraction(x):
    return (np.abs(np.asarray(x)) < 0.6).mean(axis=(1, 2, 3))


num_eval = pick(normal=1000, smoke=64)
sets = {"real": x_test[:num_eval], "VAE": vae_model.sample(num_eval), "GAN": gan.sample(num_eval)}

# %% [markdown]
# The classifier: two strided convolutions and a dense layer, trained for a few hundred steps on labelled real
# digits (a different seed from the test digits). It is a judge, not a state-of-the-art model: its accuracy on
# held-out real digits is printed below.

# %%
judge = keras.Sequential(
    [
        keras.Input((32, 32, 1)),
        keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(10, dtype="float32"),
    ],
    name="judge",
)
judge.compile(
    optimizer=keras.optimizers.Adam(1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
labelled = data.make_dataset(
    "digits", batch_size=batch_size, num=num_examples, image_size=32, seed=5, with_labels=True
)
judge.fit(labelled, epochs=1, steps_per_epoch=pick(normal=600, smoke=3), verbose=0)
_, judge_accuracy = judge.evaluate(x_test, y_test, verbose=0)
print(f"judge accuracy on held-out real digits: {judge_accuracy:.1%}")


def judge_probs(x):
    return keras.ops.convert_to_numpy(
        keras.ops.softmax(judge.predict(x, verbose=0, batch_size=250))
    )


# %%
rows = [
    "| images | mean gradient magnitude | Laplacian variance | grey pixels | confident | class entropy (max 2.30) |",
    "|---|---|---|---|---|---|",
]
histograms = {}
for name, x in sets.items():
    probs = judge_probs(x)
    histograms[name] = metrics.class_histogram(probs, 10, normalize=True)
    entropy = -np.sum(histograms[name] * np.log(histograms[name] + 1e-12))
    rows.append(
        f"| {name} | {mean_gradient_magnitude(x).mean():.3f} | {laplacian_variance_cv2(x).mean():.3f} "
        f"| {grey_fraction(x).mean():.1%} | {np.mean(probs.max(axis=1) > 0.9):.0%} | {entropy:.2f} |"
    )
display(Markdown("\n".join(rows)))

plt.figure(figsize=(8, 2.8))
for k, (name, h) in enumerate(histograms.items()):
    plt.bar(np.arange(10) + 0.27 * (k - 1), h, width=0.27, label=name)
plt.xticks(range(10))
plt.xlabel("digit predicted by the judge")
plt.ylabel("share of samples")
plt.legend()
plt.show()

# %% [markdown]
# Typical results on a 2-core CPU (yours will differ a little): the GAN's sharpness numbers sit close to the real
# digits' or even above them, the VAE's Laplacian variance is clearly lower and it has more grey pixels. The judge's
# class histogram is flatter for the VAE, while the GAN over-produces some digits and under-produces others: the
# first signs of mode seeking. With these small budgets both are still far from perfect; a judge that calls only
# about 70% of samples "confident" is telling you that many samples, of either model, are not clean digits yet.
#
# ## 10. Why: likelihood vs adversarial objective
#
# **What each objective punishes.** Maximum likelihood (the VAE maximises a bound on it) minimises
# `KL(p_data || p_model)`: wherever there is data and the model puts almost no probability, the cost is huge.
# So the model must **cover every mode**, every digit, every style, and when it is unsure it spreads its
# probability out. With a Gaussian decoder "spreading out" means predicting the *average* of the plausible images:
# `x_hat` is the mean of everything that could have produced a given code, and the mean of several slightly
# different strokes is a blurry stroke. Blur is the price of the squared-error likelihood, not a bug of training.
#
# A GAN's generator is never asked to explain every training image. It is only punished for samples the
# discriminator can tell apart from real ones. Producing a perfect "1" again and again costs little, while one
# blurry image is caught at once. The adversarial objective behaves more like the reverse direction,
# `KL(p_model || p_data)` (Jensen-Shannon sits in between): **mode seeking**, sharp samples, and the risk of
# missing modes (mode collapse). Theis, van den Oord & Bethge 2015
# ([arXiv:1511.01844](https://arxiv.org/abs/1511.01844)) discuss how these criteria disagree; Goodfellow's NIPS
# 2016 tutorial ([arXiv:1701.00160](https://arxiv.org/abs/1701.00160), Sec. 3.2.5) draws the two KL directions.
#
# | | VAE | GAN |
# |---|---|---|
# | objective | maximise ELBO (bound on `log p(x)`) | fool a discriminator |
# | training | one loss, one optimizer, stable | two players, can oscillate or collapse |
# | samples | blurrier, cover all modes | sharper, may drop modes |
# | extras | encoder: reconstruct, encode, interpolate real images; a likelihood bound to compare models | none of these |
#
# Later work combines the two: a VAE with an adversarial loss on its reconstructions (VAE-GAN, Larsen et al. 2015,
# [arXiv:1512.09300](https://arxiv.org/abs/1512.09300)), or a GAN with an encoder (BiGAN, Donahue et al. 2016,
# [arXiv:1605.09782](https://arxiv.org/abs/1605.09782)).
#
# One more knob: `VAE(beta=...)` weights the KL term (beta-VAE, Higgins et al. 2017). Because the reconstruction
# term is `0.5 * sum((x - x_hat)^2) / s^2` for a decoder with standard deviation `s` (here `s = 1`), multiplying the
# KL by `beta` is the same, up to a constant factor, as choosing `s^2 = beta`: `beta < 1` trusts pixels more (sharper
# reconstructions, a less regular latent space, worse prior samples), `beta > 1` the opposite.
#
# ## Exercises
#
# ### Exercise 5.1: the closed-form KL
#
# Write `kl_diag_gaussian(mu, log_var)` that returns `KL(N(mu, diag(exp(log_var))) || N(0, I))` for every row:
# inputs `(B, D)`, output `(B,)`. Derive it per dimension from
# `KL = E_q[log q(z) - log p(z)]` with `log N(z; m, s^2) = -0.5 * ((z - m)^2 / s^2 + log s^2 + log 2 pi)`;
# the check compares with the closed form and a Monte Carlo estimate.


# %%
def kl_diag_gaussian(mu, log_var):
    # TODO: one KL per row, summed over the latent dimensions (NumPy is fine)
    raise course.TODO


# %%
course.check("Exercise 5.1", kl_diag_gaussian, nb05.check_kl)

# %% [markdown]
# ### Exercise 5.2: the beta-VAE loss
#
# Write `beta_vae_loss(images, recon, mu, log_var, beta)`: the batch mean of
# `0.5 * sum over pixels of (images - recon)^2 + beta * KL`. Shapes: `images`, `recon` `(B, H, W, C)`;
# `mu`, `log_var` `(B, D)`. The check runs a tiny `VAE` and compares with its `compute_terms` for several `beta`.


# %%
def beta_vae_loss(images, recon, mu, log_var, beta):
    # TODO: reconstruction + beta * KL, averaged over the batch
    raise course.TODO


# %%
course.check("Exercise 5.2", beta_vae_loss, nb05.check_beta_vae_loss)

# %% [markdown]
# ### Exercise 5.3: a sharpness measure in NumPy
#
# Write `laplacian_variance(images)` for images `(N, H, W, 1)` in `[-1, 1]`, returning `(N,)`: apply the 3x3
# Laplacian kernel `[[0, 1, 0], [1, -4, 1], [0, 1, 0]]` at every **interior** pixel (skip the one-pixel border)
# using array slicing, then take the variance per image. The check compares with OpenCV's `cv2.Laplacian`.
# Then compute it on `sets["VAE"]` and `sets["GAN"]`: which is sharper?


# %%
def laplacian_variance(images):
    # TODO: slice the four neighbours of every interior pixel, combine, take the variance per image
    raise course.TODO


# %%
course.check("Exercise 5.3", laplacian_variance, nb05.check_laplacian_variance)
