"""tfvidgan.runtime: precision choice and seeds."""

import keras
import numpy as np
import pytest

from tfvidgan import runtime


def test_choose_precision_auto_follows_the_hardware(monkeypatch):
    monkeypatch.delenv("TFVIDGAN_PRECISION", raising=False)
    monkeypatch.setattr(runtime.tf.config, "list_physical_devices", lambda kind=None: [])
    monkeypatch.setattr(runtime, "cpu_supports_bf16", lambda: True)
    assert runtime.choose_precision("auto") == "mixed_bfloat16"
    monkeypatch.setattr(runtime, "cpu_supports_bf16", lambda: False)
    assert runtime.choose_precision("auto") == "float32"
    monkeypatch.setattr(runtime.tf.config, "list_physical_devices", lambda kind=None: ["gpu:0"])
    monkeypatch.setattr(runtime, "gpu_supports_fp16", lambda: True)
    assert runtime.choose_precision("auto") == "mixed_float16"
    monkeypatch.setattr(runtime, "gpu_supports_fp16", lambda: False)
    assert runtime.choose_precision("auto") == "float32"  # an old GPU: no tensor cores


def test_precision_override_by_argument_and_environment(monkeypatch):
    monkeypatch.setenv("TFVIDGAN_PRECISION", "float32")
    assert runtime.choose_precision("auto") == "float32"
    assert runtime.choose_precision("mixed_float16") == "mixed_float16"
    with pytest.raises(ValueError, match="mixed_bfloat16") as err:
        runtime.choose_precision("fp8")
    assert "unknown precision 'fp8'" in str(err.value)


@pytest.mark.parametrize(
    "cpuinfo, expected",
    [
        ("flags : avx2 amx_bf16 amx_tile", True),
        ("flags : avx512f avx512_bf16", False),  # measured slower than float32 without AMX
        ("flags : sse4_2 avx2", False),
        (None, False),
    ],
)
def test_cpu_bf16_detection_reads_the_cpu_flags(monkeypatch, cpuinfo, expected):
    import io

    def fake_open(path, *args, **kwargs):
        assert path == "/proc/cpuinfo"
        if cpuinfo is None:
            raise OSError("not Linux")
        return io.StringIO(cpuinfo)

    monkeypatch.setattr(runtime, "open", fake_open, raising=False)  # shadows the builtin
    runtime.cpu_supports_bf16.cache_clear()
    try:
        assert runtime.cpu_supports_bf16() is expected
    finally:
        runtime.cpu_supports_bf16.cache_clear()


def test_set_precision_sets_the_keras_policy():
    assert runtime.set_precision("mixed_bfloat16") == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    layer = keras.layers.Dense(2)
    assert layer.compute_dtype == "bfloat16" and layer.variable_dtype == "float32"


def test_set_seed_makes_keras_and_numpy_noise_repeatable():
    runtime.set_seed(3)
    a, b = keras.random.normal((4,)).numpy(), np.random.rand(3)
    runtime.set_seed(3)
    np.testing.assert_array_equal(a, keras.random.normal((4,)).numpy())
    np.testing.assert_array_equal(b, np.random.rand(3))
