"""The scripts through their command line: flags, report lines, learning, parity."""
import subprocess
import sys

import pytest

import mnist
from conftest import ROOT, curve, run

MLPS = ["mlp_numpy.py", "mlp_theano.py", "mlp_tensorflow.py", "mlp_keras.py", "mlp_torch.py"]
CONVS = ["conv_numpy.py", "conv_theano.py", "conv_tensorflow.py", "conv_keras.py",
         "conv_torch.py", "conv_deep_keras.py"]


@pytest.mark.parametrize("flags", [
    ["--epochs", "0"], ["--epochs", "-3"], ["--epochs", "two"], ["--batch-size", "0"],
    ["--lr", "0"], ["--lr", "fast"], ["--seed", "-1"], ["--train-size", "0"],
    ["--target", "1.5"], ["--target", "-0.1"], ["--target", "high"], ["--bogus"],
])
def test_bad_flags_are_argparse_errors(flags):
    with pytest.raises(SystemExit) as exit_:
        mnist.parse_args("x", flags)
    assert exit_.value.code == 2


def test_defaults_are_the_recipe():
    args = mnist.parse_args("x", [])
    assert (args.epochs, args.batch_size, args.lr, args.seed) == (30, 10, 0.2, 0)
    assert args.train_size is None and args.target is None


@pytest.mark.parametrize("script", MLPS + CONVS)
def test_cli_errors_exit_2_and_help_works(script):
    result = run(script, "--epochs", "0")
    assert result.returncode == 2 and "--epochs: must be positive" in result.stderr
    result = run(script, "--help")
    assert result.returncode == 0 and "--train-size" in result.stdout


def test_mlp_numpy_learns_in_one_epoch(real_data_dir):
    accs = curve(run("mlp_numpy.py", "--epochs", "1"))
    assert len(accs) == 1 and accs[0] >= 0.93


def test_target_makes_the_script_fail_when_missed(real_data_dir):
    flags = ["--epochs", "1", "--train-size", "500"]
    missed = run("mlp_numpy.py", *flags, "--target", "0.99")
    assert missed.returncode == 1 and "below the target 0.99" in missed.stderr
    assert run("mlp_numpy.py", *flags, "--target", "0.5").returncode == 0


@pytest.fixture(scope="module")
def reference(real_data_dir):
    """mlp_numpy.py's curve: two epochs on the first 10,000 images, seed 3."""
    return curve(run("mlp_numpy.py", "--epochs", "2", "--train-size", "10000", "--seed", "3"))


@pytest.mark.parametrize("script,backend", [
    ("mlp_theano.py", None), ("mlp_tensorflow.py", None), ("mlp_torch.py", None),
    ("mlp_keras.py", "tensorflow"), ("mlp_keras.py", "torch"),
])
def test_mlp_parity_with_numpy(reference, script, backend):
    """Same seed: same initial weights, same batches, so nearly the same curve."""
    env = {"KERAS_BACKEND": backend} if backend else None
    accs = curve(run(script, "--epochs", "2", "--train-size", "10000", "--seed", "3", env=env))
    assert len(accs) == 2 and reference[0] > 0.85
    for mine, ref in zip(accs, reference):
        assert abs(mine - ref) <= 0.003, (accs, reference)


def test_other_seed_gives_another_curve(reference):
    other = curve(run("mlp_numpy.py", "--epochs", "2", "--train-size", "10000", "--seed", "4"))
    assert other != reference


@pytest.mark.parametrize("script,module,pin", [
    ("mlp_torch.py", "torch", "torch==2.13.0"), ("mlp_tensorflow.py", "tensorflow", "tensorflow=="),
    ("mlp_keras.py", "keras", "keras=="), ("mlp_theano.py", "pytensor", "pytensor=="),
])
def test_missing_framework_is_one_line(script, module, pin):
    code = (f"import sys, runpy; sys.modules[{module!r}] = None; sys.argv = [{script!r}]; "
            f"runpy.run_path({script!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {module} is not installed: pip install '{pin}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
