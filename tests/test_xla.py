"""Every family's training step compiles with XLA (issue 16).

Keras compiles ``fit`` with XLA on GPUs and not on CPUs, so an XLA-unsafe op
(``numpy_function``, a data-dependent shape) in a step would only fail on a
user's GPU. Here every family of the registry runs one ``fit`` step with
``jit_compile=True`` on the CPU, and must move its weights to finite values.
"""

import numpy as np
import pytest

from tfvidgan import models, train
from tfvidgan.config import get_config

FIRST = next(iter(models.FAMILIES))


@pytest.mark.parametrize(
    "family",  # 20-45 s each on 2 shared cores: only the first family is in the fast suite
    [pytest.param(f, marks=() if f == FIRST else pytest.mark.slow) for f in models.FAMILIES],
)
def test_one_fit_step_of_every_family_compiles_with_xla(family):
    cfg = train.resolve_data(get_config(family, "tiny"))
    model = models.build(cfg)
    model.jit_compile = True  # what Keras picks on a GPU
    nets = [v for k, v in model.checkpoint_items().items() if hasattr(v, "trainable_weights")]
    before = [np.array(w) for net in nets for w in net.trainable_weights]
    history = model.fit(train.make_dataset(cfg), epochs=1, steps_per_epoch=1, verbose=0).history
    assert model.jit_compile is True and model.trained_steps == 1
    after = [np.array(w) for net in nets for w in net.trainable_weights]
    assert all(np.isfinite(a).all() for a in after)
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    assert history and all(np.isfinite(v[-1]) for v in history.values())
