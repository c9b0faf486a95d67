"""Training speed: tfvidgan's ``fit`` against a plain ``@tf.function`` loop.

For each pair, both sides train the *same* networks (tfvidgan's builders, same
sizes, same initial weights) on the *same* batches, in one process, measured in
alternating rounds so machine drift hits both alike:

* "plain loop": the pattern of the TensorFlow DCGAN tutorial - one
  ``@tf.function`` step with two ``GradientTape``s, binary cross-entropy,
  float32 - written out below;
* "tfvidgan": ``GAN.fit`` with the shared ``train_step`` and the precision
  ``tfvidgan.runtime.choose_precision()`` picks for this machine (bf16 on CPUs
  with AMX / AVX512-BF16).

Run: ``python benchmarks/speed.py`` (about 5 minutes on 2 cores). Prints a
Markdown table of samples/s and the ratio. Whether bf16 changes what the samples
look like is measured by ``benchmarks/quality.py --steps N --precision ...``
over several seeds (``benchmarks/README.md``).
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
from tfvidgan.models import dcgan, vgan  # noqa: E402


def plain_loop(generator, discriminator, latent_dim):
    """The tutorial's step: float32, two tapes, BCE on logits."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)

    @tf.function
    def step(real):
        z = tf.random.normal([tf.shape(real)[0], latent_dim])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(z, training=True)
            real_out = discriminator(real, training=True)
            fake_out = discriminator(fake, training=True)
            g_loss = bce(tf.ones_like(fake_out), fake_out)
            d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
        g_opt.apply_gradients(
            zip(
                g_tape.gradient(g_loss, generator.trainable_variables),
                generator.trainable_variables,
            )
        )
        d_opt.apply_gradients(
            zip(
                d_tape.gradient(d_loss, discriminator.trainable_variables),
                discriminator.trainable_variables,
            )
        )
        return g_loss, d_loss

    return step


def build_pair(family, policy, cfg):
    """Generator and discriminator under a dtype policy, seeded identically."""
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    if family == "dcgan":
        g = dcgan.build_generator(cfg["latent"], cfg["size"], 1, cfg["filters"])
        d = dcgan.build_discriminator(cfg["size"], 1, cfg["filters"])
    else:
        g = vgan.build_generator(cfg["latent"], cfg["frames"], cfg["size"], 1, cfg["filters"])
        d = vgan.build_discriminator(cfg["frames"], cfg["size"], 1, cfg["filters"])
    return g, d


def time_plain(step, batches, n):
    step(batches[0])  # trace
    start = time.perf_counter()
    for i in range(n):
        out = step(batches[i % len(batches)])
    float(out[0])
    return time.perf_counter() - start


def time_fit(model, dataset, n):
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)  # trace
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=n, verbose=0)
    return time.perf_counter() - start


def bench(family, cfg, steps, rounds, precision):
    name = "moving_digits" if family == "vgan" else "digits"
    x, _ = data.load_arrays(
        name, cfg["batch"] * 4, image_size=cfg["size"], num_frames=cfg.get("frames", 16)
    )
    batches = [
        tf.constant(data.to_float(x[i * cfg["batch"] : (i + 1) * cfg["batch"]])) for i in range(4)
    ]
    # Without the autotuner (nothing to tune here): an autotuned iterator's teardown when each
    # timed `fit` returns rounded whole timings up to 5.11 s or 10.23 s, the "bimodal" speed
    dataset = data.without_autotune(
        tf.data.Dataset.from_tensor_slices(tf.concat(batches, 0)).batch(cfg["batch"]).repeat()
    )

    g, d = build_pair(family, "float32", cfg)
    step = plain_loop(g, d, cfg["latent"])
    g2, d2 = build_pair(family, precision, cfg)
    model = (vgan.VGAN if family == "vgan" else dcgan.DCGAN)(g2, d2, cfg["latent"], seed=0)
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    keras.mixed_precision.set_global_policy(
        "float32"
    )  # layers keep the policy they were built with

    plain, ours = [], []
    for _ in range(rounds):  # alternate, so drift in machine speed hits both sides
        plain.append(cfg["batch"] * steps / time_plain(step, batches, steps))
        ours.append(cfg["batch"] * steps / time_fit(model, dataset, steps))
    return statistics.median(plain), statistics.median(ours)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    precision = runtime.choose_precision()
    rows = []
    dc = dict(latent=100, size=32, filters=64, batch=256)
    vg = dict(latent=100, size=64, frames=16, filters=32, batch=16)
    for family, cfg, unit in (("dcgan", dc, "images/s"), ("vgan", vg, "clips/s")):
        p, o = bench(
            family,
            cfg,
            args.steps if family == "dcgan" else max(args.steps // 3, 5),
            args.rounds,
            precision,
        )
        rows.append((family, cfg, unit, p, o))
    print(f"\nprecision chosen by tfvidgan.runtime: {precision}; {os.cpu_count()} CPU cores\n")
    print("| model | batch | shape | plain float32 loop | tfvidgan fit | ratio |")
    print("|---|---|---|---|---|---|")
    for family, cfg, unit, p, o in rows:
        shape = (
            f"{cfg['size']}x{cfg['size']}"
            if family == "dcgan"
            else f"{cfg['frames']}x{cfg['size']}x{cfg['size']}"
        )
        print(
            f"| {family} | {cfg['batch']} | {shape} | {p:.0f} {unit} | {o:.0f} {unit} | {o / p:.2f}x |"
        )


if __name__ == "__main__":
    main()
