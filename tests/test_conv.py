"""The conv nets through their command line: parity with conv_numpy.py, and of the deep nets
with each other, Keras on every backend."""
import pytest

import mnist
from conftest import curves, run
from test_scripts import DEEPS, KERAS_BACKENDS

pytestmark = pytest.mark.slow  # every test here trains

FLAGS = ["--epochs", "1", "--train-size", "10000", "--seed", "3"]


@pytest.fixture(scope="module")
def reference(real_data_dir):
    """conv_numpy.py's (loss, validation accuracy) after one epoch on the first 10,000 images."""
    return curves(run("conv_numpy.py", *FLAGS))


@pytest.mark.parametrize("script,backend", [
    ("conv_theano.py", None), ("conv_tensorflow.py", None), ("conv_torch.py", None),
    ("conv_jax.py", None)] + [("conv_keras.py", backend) for backend in KERAS_BACKENDS])
def test_conv_parity_with_numpy(reference, script, backend):
    """Same seed: same initial weights, same batches, so nearly the same network after an epoch."""
    env = {"KERAS_BACKEND": backend} if backend else None
    (loss,), (acc,) = curves(run(script, *FLAGS, env=env))
    (ref_loss,), (ref_acc,) = reference
    assert ref_acc > 0.8 and abs(acc - ref_acc) <= 0.005, (acc, ref_acc)
    assert abs(loss - ref_loss) <= 0.005, (loss, ref_loss)


DEEP_FLAGS = ["--epochs", "1", "--train-size", "5000", "--seed", "3"]


DEEP_CONFIGS = [(s, None) for s in DEEPS if "keras" not in s] + \
    [("conv_deep_keras.py", backend) for backend in KERAS_BACKENDS]


@pytest.fixture(scope="module")
def deep_curves(real_data_dir):
    """Each deep net's (loss, validation accuracy) after one epoch on 5,000 images."""
    results = {}
    for script, backend in DEEP_CONFIGS:
        (loss,), (acc,) = curves(run(script, *DEEP_FLAGS, env={"KERAS_BACKEND": backend} if backend else None))
        results[f"{script} {backend or ''}".strip()] = loss, acc
    return results


def test_deep_nets_learn_alike(deep_curves):
    """Every deep net, Keras on every backend, within 0.005 of each other in accuracy (0.01 in
    loss) after the same epoch from the same weights."""
    losses = [loss for loss, _ in deep_curves.values()]
    accs = [acc for _, acc in deep_curves.values()]
    assert len(deep_curves) == len(DEEP_CONFIGS) and min(accs) > 0.9, deep_curves
    assert max(accs) - min(accs) <= 0.005, deep_curves
    assert max(losses) - min(losses) <= 0.01, deep_curves


@pytest.mark.parametrize("script", DEEPS)
def test_deep_nets_share_and_state_their_learning_rate(script):
    result = run(script, "--help")
    text = " ".join(result.stdout.split())  # argparse wraps the help
    assert result.returncode == 0 and f"default: {mnist.DEEP_LR} (measured" in text
    assert "seeds 0, 1, 2: test accuracy 0.99" in text
