"""Training speed: tfvidgan's ``fit`` against a plain ``@tf.function`` loop, every family.

The families come from the registry (``tfvidgan.models.FAMILIES``, image and video
kinds), so a family added to it is measured without editing this script; one whose
file is not there yet is skipped with a note. For each family both sides train the
*same* networks (built by the family's ``from_config`` on its ``demo`` preset, or
``full`` with ``--preset full``; the fit side's weights copied from the plain side's)
on the *same* batches, in one process, measured in alternating rounds so machine drift
hits both alike:

* "plain loop": the pattern of the TensorFlow DCGAN tutorial - one ``@tf.function``
  step with two ``GradientTape``s, float32 - written out below with the loss maths
  of the family's config (binary cross-entropy for the non-saturating loss). It
  calls the networks as the family does (``split_batch`` for the condition: labels
  or a first frame; ``sample_latents``, ``generate`` and ``discriminate`` for the
  latents and the networks' inputs) and the family's extra losses and penalties,
  but none of tfvidgan's step. A VAE family gets the one-tape ELBO loop instead;
* "tfvidgan": ``model.fit`` with the shared ``train_step`` and the precision
  ``tfvidgan.runtime.choose_precision()`` picks for this machine (bf16 on CPUs with
  AMX, fp16 on GPUs with tensor cores).

Run: ``python benchmarks/speed.py`` (``make bench``; about 7 minutes on 2 cores
for the nine image and video families of the registry; run it alone on the
machine, a run that shares the CPU is not a valid row). Prints a Markdown table of samples/s and
the ratio, against the target of 1.6x. Quick check: ``--families dcgan vgan
--rounds 1 --steps 3``. Whether bf16 changes what the samples look like is measured
by ``benchmarks/quality.py --steps N --precision ...`` over several seeds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfvidgan import data, runtime  # noqa: E402
from tfvidgan.config import get_config  # noqa: E402
from tfvidgan.models import FAMILIES, build, family_module  # noqa: E402
from tfvidgan.models.base import GAN  # noqa: E402
from tfvidgan.train import make_dataset, resolve_data  # noqa: E402

TARGET = 1.6  # the bar: fit at least 1.6x the plain float32 loop
BATCHES = 4  # distinct batches cycled by both sides


# ---- the plain losses (float32, written out as in the TensorFlow tutorials) ------------


def _bce(logits, target):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(target, logits))


def plain_losses(cfg):
    """``(g_loss(fake), d_loss(real, fake))`` of ``cfg.loss``, the same maths as
    :mod:`tfvidgan.losses`, or None for a loss this script does not write out."""
    s = cfg.label_smoothing
    pairs = {
        "non_saturating": (
            lambda f: _bce(f, tf.ones_like(f)),
            lambda r, f: _bce(r, tf.fill(tf.shape(r), 1.0 - s)) + _bce(f, tf.zeros_like(f)),
        ),
        "hinge": (
            lambda f: -tf.reduce_mean(f),
            lambda r, f: tf.reduce_mean(tf.nn.relu(1.0 - r)) + tf.reduce_mean(tf.nn.relu(1.0 + f)),
        ),
        "wasserstein": (
            lambda f: -tf.reduce_mean(f),
            lambda r, f: tf.reduce_mean(f) - tf.reduce_mean(r),
        ),
        "least_squares": (
            lambda f: 0.5 * tf.reduce_mean(tf.square(f - 1.0)),
            lambda r, f: (
                0.5 * tf.reduce_mean(tf.square(r - (1.0 - s))) + 0.5 * tf.reduce_mean(tf.square(f))
            ),
        ),
    }
    return pairs.get(cfg.loss)


# ---- the plain loops -------------------------------------------------------------------


def plain_gan_step(model, cfg):
    """A two-tape ``@tf.function`` step on ``model``'s float32 networks and optimizers."""
    g_loss_fn, d_loss_fn = plain_losses(cfg)
    gen, disc = model.generator, model.discriminator
    g_opt, d_opt = model.g_optimizer, model.d_optimizer
    extra_terms = cfg.gradient_penalty > 0 or cfg.r1_gamma > 0

    @tf.function
    def step(batch):
        real, condition = model.split_batch(batch)
        n = tf.shape(real)[0]
        for _ in range(cfg.d_steps - 1):  # WGAN's extra critic updates
            fake = tf.stop_gradient(
                model.generate(model.sample_latents(n), condition, training=True)
            )
            with tf.GradientTape() as tape:
                r, _ = model.judge(real, condition, training=True)
                f, _ = model.judge(fake, condition, training=True)
                loss = d_loss_fn(r, f) + (
                    model.penalty(real, fake, condition) if extra_terms else 0.0
                )
            d_opt.apply_gradients(
                zip(tape.gradient(loss, disc.trainable_variables), disc.trainable_variables)
            )
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            z = model.sample_latents(n)
            fake = model.generate(z, condition, training=True)
            real_out, _ = model.judge(real, condition, training=True)
            fake_out, extra = model.judge(fake, condition, training=True)
            aux = sum(model.auxiliary_losses(z, extra).values())  # InfoGAN etc.; 0 if none
            g_loss = g_loss_fn(fake_out) + aux
            d_loss = d_loss_fn(real_out, fake_out) + aux
            if extra_terms:
                with g_tape.stop_recording():
                    d_loss += model.penalty(real, fake, condition)
        g_grads = g_tape.gradient(g_loss, gen.trainable_variables)
        d_grads = d_tape.gradient(d_loss, disc.trainable_variables)
        g_opt.apply_gradients(zip(g_grads, gen.trainable_variables))
        d_opt.apply_gradients(zip(d_grads, disc.trainable_variables))
        return g_loss, d_loss

    return step


def plain_vae_step(model):
    """A one-tape ``@tf.function`` ELBO step on ``model``'s float32 networks."""
    weights = [w for net in _networks(model).values() for w in net.trainable_variables]
    optimizer = model.optimizer

    @tf.function
    def step(batch):
        x = batch[0] if isinstance(batch, tuple) else batch
        with tf.GradientTape() as tape:
            reconstruction, kl = model.compute_terms(x, training=True)
            loss = reconstruction + model.beta * kl
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return loss, kl

    return step


def plain_step(model, cfg):
    """The family's plain loop, or ``(None, reason)`` when there is none."""
    if isinstance(model, GAN):
        if plain_losses(cfg) is None:
            return None, f"no plain version of the {cfg.loss!r} loss here"
        return plain_gan_step(model, cfg), ""
    if hasattr(model, "compute_terms"):
        return plain_vae_step(model), ""
    return None, "neither a GAN nor a VAE with compute_terms"


# ---- building and timing -----------------------------------------------------------------


def _networks(model) -> dict:
    """The Keras networks among the model's checkpoint items (not its optimizers)."""
    return {k: v for k, v in model.checkpoint_items().items() if isinstance(v, keras.Model)}


def build_under(cfg, policy):
    """The family's compiled model with its layers built under ``policy``."""
    runtime.set_seed(cfg.seed)
    keras.mixed_precision.set_global_policy(policy)
    try:
        return build(cfg)
    finally:  # layers keep the policy they were built with
        keras.mixed_precision.set_global_policy("float32")


def fixed_batches(cfg):
    """``BATCHES`` batches of the family's dataset (labels included when it is
    conditional), as tensors: both sides train on exactly these."""
    return list(make_dataset(cfg).take(BATCHES))


def time_plain(step, batches, n):
    step(batches[0])  # trace
    start = time.perf_counter()
    for i in range(n):
        out = step(batches[i % len(batches)])
    float(out[0])  # wait for the last step
    return time.perf_counter() - start


def time_fit(model, dataset, n):
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)  # trace
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=n, verbose=0)
    return time.perf_counter() - start


def bench(name, steps, rounds, precision, preset="demo"):
    """``(row dict)`` for family ``name`` at ``preset``, or raise ``SkipFamily``."""
    cfg = resolve_data(get_config(name, preset, precision=precision))
    cfg.num_examples = cfg.batch_size * BATCHES
    plain_model = build_under(cfg, "float32")
    step, reason = plain_step(plain_model, cfg)
    if step is None:
        raise SkipFamily(reason)
    fit_model = build_under(cfg, precision)
    for key, net in _networks(plain_model).items():  # same initial weights on both sides
        _networks(fit_model)[key].set_weights(net.get_weights())
    batches = fixed_batches(cfg)
    first = batches[0]
    if isinstance(first, tuple):
        stacked = tuple(tf.concat([b[i] for b in batches], 0) for i in range(len(first)))
    else:
        stacked = tf.concat(batches, 0)
    # Without the autotuner (nothing to tune here): an autotuned iterator's teardown when each
    # timed `fit` returns rounded whole timings up to 5.11 s or 10.23 s, the "bimodal" speed
    dataset = data.without_autotune(
        tf.data.Dataset.from_tensor_slices(stacked)
        .batch(cfg.batch_size, drop_remainder=True)
        .repeat()
    )
    plain, ours = [], []
    for _ in range(rounds):  # alternate, so drift in machine speed hits both sides
        plain.append(cfg.batch_size * steps / time_plain(step, batches, steps))
        ours.append(cfg.batch_size * steps / time_fit(fit_model, dataset, steps))
    real = first[0] if isinstance(first, tuple) else first
    return dict(
        family=name,
        kind=FAMILIES[name].kind,
        batch=cfg.batch_size,
        shape="x".join(str(d) for d in real.shape[1:-1]),
        plain=statistics.median(plain),
        ours=statistics.median(ours),
    )


class SkipFamily(Exception):
    """A family this script cannot measure (the reason is printed)."""


def measured_families(requested):
    """Image and video families of the registry (or ``requested``), in registry order."""
    names = requested or [n for n, f in FAMILIES.items() if f.kind in ("image", "video")]
    unknown = [n for n in names if n not in FAMILIES]
    if unknown:
        raise SystemExit(f"unknown families {unknown}; the registry has {list(FAMILIES)}")
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--families", nargs="*", default=None, help="default: every image and video family"
    )
    parser.add_argument("--steps", type=int, default=30, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--preset", default="demo", choices=("demo", "full"), help="the networks and batch measured"
    )
    args = parser.parse_args()
    precision = runtime.choose_precision()
    rows, notes = [], []
    for name in measured_families(args.families):
        try:
            family_module(name)
        except ModuleNotFoundError as err:
            notes.append(f"{name}: skipped, its file is not there yet ({err})")
            continue
        try:
            rows.append(bench(name, args.steps, args.rounds, precision, args.preset))
        except SkipFamily as err:
            notes.append(f"{name}: skipped, {err}")
            continue
        except Exception as err:  # a family being written right now must not stop the others
            notes.append(f"{name}: FAILED, {type(err).__name__}: {str(err).splitlines()[0]}")
            continue
        plain, ours = rows[-1]["plain"], rows[-1]["ours"]
        print(f"measured {name}: {plain:.1f} -> {ours:.1f} per s, {ours / plain:.2f}x", flush=True)
    print(f"\nprecision chosen by tfvidgan.runtime: {precision}; {os.cpu_count()} CPU cores;")
    print(f"{args.rounds} rounds of {args.steps} steps, median; {args.preset} presets\n")
    print("| family | kind | batch | shape | plain float32 loop | tfvidgan fit | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        unit = "clips/s" if r["kind"] == "video" else "images/s"
        ratio = r["ours"] / r["plain"]
        mark = "" if ratio >= TARGET else f" (below {TARGET}x)"
        print(
            f"| {r['family']} | {r['kind']} | {r['batch']} | {r['shape']} | "
            f"{r['plain']:.0f} {unit} | {r['ours']:.0f} {unit} | {ratio:.2f}x{mark} |"
        )
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
