"""The conv nets through their command line: parity with conv_numpy.py, both Keras backends."""
import pytest

from conftest import curve, run

FLAGS = ["--epochs", "1", "--train-size", "10000", "--seed", "3"]


@pytest.fixture(scope="module")
def reference(real_data_dir):
    """conv_numpy.py's validation accuracy after one epoch on the first 10,000 images."""
    return curve(run("conv_numpy.py", *FLAGS))


@pytest.mark.parametrize("script,backend", [
    ("conv_theano.py", None), ("conv_tensorflow.py", None), ("conv_torch.py", None),
    ("conv_keras.py", "tensorflow"), ("conv_keras.py", "torch"),
])
def test_conv_parity_with_numpy(reference, script, backend):
    """Same seed: same initial weights, same batches, so nearly the same network after an epoch."""
    env = {"KERAS_BACKEND": backend} if backend else None
    accs = curve(run(script, *FLAGS, env=env))
    assert len(accs) == 1 and reference[0] > 0.8
    assert abs(accs[0] - reference[0]) <= 0.005, (accs, reference)


def test_conv_deep_keras_learns_alike_on_both_backends(real_data_dir):
    flags = ["--epochs", "1", "--train-size", "5000", "--seed", "3"]
    on_tf = curve(run("conv_deep_keras.py", *flags, env={"KERAS_BACKEND": "tensorflow"}))
    on_torch = curve(run("conv_deep_keras.py", *flags, env={"KERAS_BACKEND": "torch"}))
    assert on_tf[0] > 0.9 and abs(on_tf[0] - on_torch[0]) <= 0.005, (on_tf, on_torch)


def test_conv_deep_keras_states_its_own_learning_rate():
    result = run("conv_deep_keras.py", "--help")
    assert result.returncode == 0 and "default: 0.02" in result.stdout
