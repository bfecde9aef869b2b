"""The third use, a script copied as a template: each test copies one script and mnist.py into
an empty directory, changes one thing there as a user would, runs the copy, and checks that the
change takes effect and that the curve is still the one every framework traces
(docs/testing.md#templates)."""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import ROOT, curves, script_env
from test_conv import EARLY_ACC, EARLY_LOSS, LATER_ACC, LATER_LOSS
from test_scripts import CONVS, DEEPS, MLPS

pytestmark = pytest.mark.slow  # every test here trains

FLAGS = ["--epochs", "1", "--train-size", "10000", "--seed", "3"]
EARLY = ["--epochs", "1", "--train-size", "300", "--seed", "3"]  # 30 steps of a deep net
# the parity tests' bounds at batch 10 (tests/test_conv.py), kept at any batch size
ACC, LOSS = 0.005, 0.005


def copy(tmp_path, script, *edits):
    """script and mnist.py copied into an empty directory, and each edit (old, new) made in the
    copy of script: every occurrence of old, which must occur, replaced."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix=script.removesuffix(".py") + "-", dir=tmp_path))
    shutil.copy(os.path.join(ROOT, "mnist.py"), folder)
    with open(os.path.join(ROOT, script), encoding="utf-8") as f:
        text = f.read()
    for old, new in edits:
        assert old in text, f"{script} no longer has {old!r}: update this template test"
        text = text.replace(old, new)
    (folder / script).write_text(text, encoding="utf-8")
    return folder / script


def train(path, data_dir, *flags, env=None):
    """The copy's result, run in its own directory (nothing of the project's on its path), and
    the (losses, validation accuracies) of its epoch lines."""
    result = subprocess.run([sys.executable, path.name, *flags], cwd=path.parent, text=True,
                            capture_output=True, stdin=subprocess.DEVNULL, timeout=900,
                            env=script_env(dict(env or {}, MNIST_DATA_DIR=data_dir)))
    return result, curves(result)


def close(got, want, loss_tol, acc_tol):
    (loss, acc), (ref_loss, ref_acc) = [(c[0][-1], c[1][-1]) for c in (got, want)]
    return abs(loss - ref_loss) <= loss_tol and abs(acc - ref_acc) <= acc_tol


@pytest.fixture(scope="module")
def at_128(real_data_dir, tmp_path_factory):
    """Each model's reference curve at --batch-size 128, from a copy: NumPy's for the MLP and
    the conv net, TensorFlow's for the deep net; each far from its curve at batch 10."""
    tmp = tmp_path_factory.mktemp("reference")
    curves = {}
    for script in ("mlp_numpy.py", "conv_numpy.py", "conv_deep_tensorflow.py"):
        path = copy(tmp, script)
        curves[script] = train(path, real_data_dir, *FLAGS, "--batch-size", "128")[1]
        at_10 = train(path, real_data_dir, *FLAGS)[1]
        assert not close(curves[script], at_10, 10 * LATER_LOSS, 10 * LOSS), (curves[script], at_10)
    return curves


@pytest.mark.parametrize("script", MLPS + CONVS + DEEPS)
def test_a_copy_at_batch_size_128_keeps_the_parity(real_data_dir, tmp_path, at_128, script):
    """--batch-size 128 in a copied script: 79 steps an epoch instead of 1,000, and the curve
    that the other frameworks trace at 128, within the bounds of the parity tests at 10."""
    _, got = train(copy(tmp_path, script), real_data_dir, *FLAGS, "--batch-size", "128")
    reference = ("conv_deep_tensorflow.py" if script.startswith("conv_deep_") else
                 "conv_numpy.py" if script.startswith("conv_") else "mlp_numpy.py")
    # the deep nets part as rounding grows: 79 steps lie between the bounds of 30 and of 500
    loss_tol, acc_tol = (LATER_LOSS, LATER_ACC) if "deep" in script else (LOSS, ACC)
    assert close(got, at_128[reference], loss_tol, acc_tol), (got, at_128[reference])


# One layer changed alike in two copies, the torch one the reference: every size that follows
# from the change edited by hand, as a user does (the pooled map's size, from INPUT). Sizes:
# "SAME" (torch: padding=2) keeps 28x28, a 3x3 kernel gives 26x26.
CONV_FLAT, DEEP_FLAT = "(h - 4) // 2 * ((w - 4) // 2)", "(h - 8) // 2 * ((w - 8) // 2)"
SAME_CONV = [('padding="VALID"', 'padding="SAME"'), (CONV_FLAT, "h // 2 * (w // 2)")]
SAME_CONV_TORCH = [("kernel_size=5)", "kernel_size=5, padding=2)"), (CONV_FLAT, "h // 2 * (w // 2)")]
SAME_DEEP = [('padding="VALID"', 'padding="SAME"'), (DEEP_FLAT, "h // 2 * (w // 2)")]
SAME_DEEP_TORCH = [("kernel_size=5)", "kernel_size=5, padding=2)"), (DEEP_FLAT, "h // 2 * (w // 2)")]
KERNEL_3 = [("(5, 5, c, 8)", "(3, 3, c, 8)"), (CONV_FLAT, "(h - 2) // 2 * ((w - 2) // 2)")]
KERNEL_3_TORCH = KERNEL_3 + [("nn.Conv2d(INPUT[0], 8, kernel_size=5)", "nn.Conv2d(INPUT[0], 8, kernel_size=3)")]
KERNEL_3_DEEP = [("(5, 5, c, 8)", "(3, 3, c, 8)"), (DEEP_FLAT, "(h - 6) // 2 * ((w - 6) // 2)")]
KERNEL_3_DEEP_TORCH = KERNEL_3_DEEP + [("nn.Conv2d(INPUT[0], 8, kernel_size=5)", "nn.Conv2d(INPUT[0], 8, kernel_size=3)")]


@pytest.mark.parametrize("script,edits,torch_edits", [
    ("conv_flax.py", SAME_CONV, SAME_CONV_TORCH),
    ("conv_deep_flax.py", SAME_DEEP, SAME_DEEP_TORCH),
    ("conv_jax.py", KERNEL_3, KERNEL_3_TORCH),
    ("conv_deep_jax.py", KERNEL_3_DEEP, KERNEL_3_DEEP_TORCH),
    ("conv_tinygrad.py", KERNEL_3_TORCH, KERNEL_3_TORCH),
], ids=["flax-same-padding", "deep-flax-same-padding", "jax-3x3-kernel", "deep-jax-3x3-kernel", "tinygrad-3x3-kernel"])
def test_a_changed_conv_layer_trains_and_predicts_the_changed_net(real_data_dir, tmp_path, script,
                                                                  edits, torch_edits):
    """A padding that nnx.Conv supports, or another kernel size: the copy trains and predicts
    that network, as PyTorch does with the same change. (Flax's training steps went through a
    convolution that dropped nnx.Conv's padding, and JAX's assumed a 5x5 kernel.)"""
    deep = "deep" in script
    flags = EARLY if deep else FLAGS
    torch_script = "conv_deep_torch.py" if deep else "conv_torch.py"
    _, got = train(copy(tmp_path, script, *edits), real_data_dir, *flags)
    _, want = train(copy(tmp_path, torch_script, *torch_edits), real_data_dir, *flags)
    _, unchanged = train(copy(tmp_path, torch_script), real_data_dir, *flags)
    loss_tol, acc_tol = (EARLY_LOSS, EARLY_ACC) if deep else (LOSS, ACC)
    assert close(got, want, loss_tol, acc_tol), (got, want)
    assert not close(want, unchanged, loss_tol, acc_tol), (want, unchanged)  # the change shows


DECAY = "0.5 ** (epoch - 1)"  # the learning rate halved every epoch
DECAY_FLAGS = ["--epochs", "3", "--train-size", "10000", "--seed", "3"]


@pytest.fixture(scope="module")
def decayed(real_data_dir, tmp_path_factory):
    """mlp_numpy.py's curve with DECAY, and without: the reference for the schedules below."""
    tmp = tmp_path_factory.mktemp("decay")
    call = "train_epoch(params, x, y, args.batch_size, args.lr)"
    _, with_decay = train(copy(tmp, "mlp_numpy.py", (call, call[:-1] + f" * {DECAY})")),
                          real_data_dir, *DECAY_FLAGS)
    _, without = train(copy(tmp, "mlp_numpy.py"), real_data_dir, *DECAY_FLAGS)
    assert not close(with_decay, without, LOSS, ACC), (with_decay, without)
    return with_decay


def test_tensorflow_takes_a_decayed_rate_without_retracing(real_data_dir, tmp_path, decayed):
    """The rate decayed in the loop: the curve of NumPy's with the same decay, from one trace of
    train_epoch. (The rate went in as a Python float, and each new one traced the graph anew.)"""
    call = "train_epoch(params, x, y, args.batch_size, lr)"
    path = copy(tmp_path, "mlp_tensorflow.py", (call, call[:-1] + f" * {DECAY})"),
                ("    mnist.finish(", '    open("traces", "w").write(str(train_epoch.experimental_get_tracing_count()))\n'
                                     "    mnist.finish("))
    _, got = train(path, real_data_dir, *DECAY_FLAGS)
    assert close(got, decayed, LOSS, ACC), (got, decayed)
    assert (path.parent / "traces").read_text() == "1"


def test_keras_schedules_see_the_epoch(real_data_dir, tmp_path, decayed):
    """A learning-rate schedule added as a callback to fit: it sees epochs 0, 1, 2 and the curve
    is NumPy's with the same decay. (fit ran epochs=1 every epoch: a schedule saw epoch 0 only.)"""
    schedule = "keras.callbacks.LearningRateScheduler(lambda epoch: 0.2 * 0.5 ** epoch)"  # from 0
    path = copy(tmp_path, "mlp_keras.py",
                ("shuffle=False, verbose=0)", f"shuffle=False, verbose=0, callbacks=[{schedule}])"))
    _, got = train(path, real_data_dir, *DECAY_FLAGS)
    assert close(got, decayed, LOSS, ACC), (got, decayed)


@pytest.mark.parametrize("script", ["mlp_theano.py", "conv_theano.py"])
def test_pytensor_leaves_the_host_programs_floatx_alone(real_data_dir, tmp_path, script):
    """A program that imports the copied module keeps its own pytensor.config.floatX, and the
    script trains under the default float64 as under float32. (It set floatX = "float32" for
    the whole process at import.)"""
    path = copy(tmp_path, script)
    host = (f"import pytensor; before = pytensor.config.floatX; import {path.stem}; "
            "print(before, pytensor.config.floatX)")
    result = subprocess.run([sys.executable, "-c", host], cwd=path.parent, capture_output=True,
                            text=True, timeout=300, env=script_env({"PYTENSOR_FLAGS": "floatX=float64"}))
    assert result.returncode == 0 and result.stdout.split() == ["float64", "float64"], result
    reference = copy(tmp_path, "conv_numpy.py" if script.startswith("conv") else "mlp_numpy.py")
    _, want = train(reference, real_data_dir, *FLAGS)
    for floatx in ("float64", "float32"):
        _, got = train(path, real_data_dir, *FLAGS, env={"PYTENSOR_FLAGS": f"floatX={floatx}"})
        assert close(got, want, LOSS, ACC), (floatx, got, want)
