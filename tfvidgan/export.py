"""Use a trained generator without tfvidgan: a TensorFlow SavedModel and a ``.keras`` file.

``tfvidgan export --run runs/demo --out exported/`` (or :func:`export_run`) writes::

    exported/saved_model/      TensorFlow SavedModel; signature "serving_default":
                               latents (+ labels or first_frame) -> uint8 video/images
    exported/generator.keras   the generator as a Keras model (float32 in [-1, 1]); skipped
                               with a warning when a layer cannot be serialised
    exported/signature.json    input and output names, shapes and dtypes

The SavedModel needs only TensorFlow, in any language TensorFlow serves from
(Python, C++, TF Serving, TFLite converter)::

    import tensorflow as tf
    generator = tf.saved_model.load("exported/saved_model")
    serve = generator.signatures["serving_default"]
    clips = serve(latents=tf.random.normal((4, 64)))["video"]   # uint8 (4, T, H, W, C)

The weights are the generator's moving average when the run kept one
(``--ema``), as :meth:`~tfvidgan.models.base.GAN.sample` draws from it.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import tensorflow as tf

from tfvidgan import models, runtime
from tfvidgan.checkpoint import restore_checkpoint
from tfvidgan.runs import check_writable, load_config
from tfvidgan.train import resolve_data

OUTPUT_NAMES = {5: "video", 4: "images"}  # by rank; anything else is "samples" (float32)


def _input_name(condition) -> str:
    """What a family's condition is called in the signature."""
    if np.issubdtype(condition.dtype, np.integer):
        return "labels"
    return "first_frame" if condition.ndim >= 4 else "condition"


def _spec(example, name) -> tf.TensorSpec:
    dtype = "int32" if np.issubdtype(example.dtype, np.integer) else "float32"
    return tf.TensorSpec((None,) + tuple(example.shape[1:]), dtype, name=name)


def export_model(model, out_dir) -> dict:
    """Write ``model``'s generator to ``out_dir`` (see the module docstring).

    Returns ``{"saved_model": path, "keras": path, "signature": dict}``.
    """
    out = check_writable(out_dir)
    latents, condition = model.grid_inputs(2)
    specs = [_spec(np.asarray(latents), "latents")]
    if condition is not None:
        condition = np.asarray(condition)
        specs.append(_spec(condition, _input_name(condition)))
    example = np.asarray(model.generate(latents, condition, training=False))
    output = OUTPUT_NAMES.get(example.ndim, "samples")

    module = tf.Module()  # holds every network's variables that generate() may use
    networks = [n for n in model.checkpoint_items().values() if hasattr(n, "trainable_weights")]
    module.saved_variables = [v.value for net in networks for v in net.variables]

    def generate(latents, condition=None):
        x = tf.cast(model.generate(latents, condition, training=False), tf.float32)
        if output == "samples":
            return {output: x}
        pixels = tf.round((tf.clip_by_value(x, -1.0, 1.0) + 1.0) * 127.5)
        return {output: tf.cast(pixels, tf.uint8)}

    # the signature's input names are the arguments' names
    serve = {
        "latents": lambda latents: generate(latents),
        "labels": lambda latents, labels: generate(latents, labels),
        "first_frame": lambda latents, first_frame: generate(latents, first_frame),
        "condition": lambda latents, condition: generate(latents, condition),
    }[specs[-1].name]
    # autograph=False: nothing to convert (plain tensor maths), and AutoGraph cannot parse
    # lambdas that share a line on some versions (TF 2.20 / Python 3.13: Colab's)
    module.serve = tf.function(serve, input_signature=specs, autograph=False)
    signature = {
        "inputs": {s.name: {"shape": list(s.shape), "dtype": s.dtype.name} for s in specs},
        "outputs": {
            output: {
                "shape": [None, *example.shape[1:]],
                "dtype": "float32" if output == "samples" else "uint8",
            }
        },
        "range": "0..255" if output != "samples" else "as trained",
    }
    keras_file = out / "generator.keras"
    with model.averaged_generator() as generator:  # bake in the weight average, if any
        tf.saved_model.save(
            module, str(out / "saved_model"), signatures={"serving_default": module.serve}
        )
        try:
            generator.save(keras_file)
        except (NotImplementedError, TypeError, ValueError) as err:  # a layer without get_config
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            warnings.warn(
                f"{keras_file.name} not written ({type(err).__name__}: {reason}); "
                "the SavedModel is complete",
                stacklevel=2,
            )
            keras_file.unlink(missing_ok=True)
            keras_file = None
    (out / "signature.json").write_text(json.dumps(signature, indent=2))
    return {"saved_model": out / "saved_model", "keras": keras_file, "signature": signature}


def export_run(run_dir, out_dir) -> dict:
    """Load the newest intact checkpoint of a run folder and export its generator.

    The networks are rebuilt in float32 whatever precision the run trained
    in, so the export runs on any device. Raises
    :class:`~tfvidgan.checkpoint.CheckpointError` when the run has no checkpoint.
    """
    cfg = resolve_data(load_config(run_dir))
    cfg.precision = "float32"
    runtime.set_precision("float32")
    model = models.build(cfg)
    restore_checkpoint(model, run_dir, networks_only=True)
    return export_model(model, out_dir)
