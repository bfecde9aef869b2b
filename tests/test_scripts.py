"""The scripts through their command line: flags, report lines, learning, parity, divergence
and Ctrl-C."""
import os
import re
import signal
import subprocess
import sys

import pytest

import mnist
from conftest import ROOT, curve, curves, run, script_env, with_default_sigint

MLPS = ["mlp_numpy.py", "mlp_theano.py", "mlp_tensorflow.py", "mlp_keras.py", "mlp_torch.py",
        "mlp_jax.py", "mlp_flax.py", "mlp_mlx.py", "mlp_tinygrad.py"]
CONVS = ["conv_numpy.py", "conv_theano.py", "conv_tensorflow.py", "conv_keras.py",
         "conv_torch.py", "conv_jax.py", "conv_flax.py", "conv_mlx.py", "conv_tinygrad.py"]
DEEPS = ["conv_deep_tensorflow.py", "conv_deep_keras.py", "conv_deep_torch.py", "conv_deep_jax.py",
         "conv_deep_flax.py", "conv_deep_mlx.py", "conv_deep_tinygrad.py"]
KERAS_BACKENDS = ["tensorflow", "torch", "jax"]


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
    assert (args.train_size, args.target, args.dataset, args.save) == (None, None, "mnist", None)


@pytest.mark.slow
@pytest.mark.parametrize("script", MLPS + CONVS + DEEPS)
def test_cli_errors_exit_2_and_help_works(script):
    result = run(script, "--epochs", "0")
    assert result.returncode == 2 and "--epochs: must be positive" in result.stderr
    result = run(script, "--help")
    assert result.returncode == 0 and "--train-size" in result.stdout


@pytest.mark.slow
def test_mlp_numpy_learns_in_one_epoch(real_data_dir):
    accs = curve(run("mlp_numpy.py", "--epochs", "1"))
    assert len(accs) == 1 and accs[0] >= 0.93


@pytest.mark.slow
def test_target_makes_the_script_fail_when_missed(real_data_dir):
    flags = ["--epochs", "1", "--train-size", "500"]
    missed = run("mlp_numpy.py", *flags, "--target", "0.99")
    assert missed.returncode == 1 and "below the target 0.99" in missed.stderr
    assert run("mlp_numpy.py", *flags, "--target", "0.5").returncode == 0


@pytest.fixture(scope="module")
def reference(real_data_dir):
    """mlp_numpy.py's (losses, accuracies): two epochs on the first 10,000 images, seed 3."""
    return curves(run("mlp_numpy.py", "--epochs", "2", "--train-size", "10000", "--seed", "3"))


@pytest.mark.slow
@pytest.mark.parametrize("script,backend", [
    ("mlp_theano.py", None), ("mlp_tensorflow.py", None), ("mlp_torch.py", None),
    ("mlp_jax.py", None), ("mlp_flax.py", None), ("mlp_mlx.py", None), ("mlp_tinygrad.py", None)] +
    [("mlp_keras.py", backend) for backend in KERAS_BACKENDS])
def test_mlp_parity_with_numpy(reference, script, backend):
    """Same seed: same initial weights, same batches, so nearly the same curves: validation
    accuracy within 0.003, and the training loss (the mean cross-entropy) within 0.002."""
    env = {"KERAS_BACKEND": backend} if backend else None
    losses, accs = curves(run(script, "--epochs", "2", "--train-size", "10000", "--seed", "3", env=env))
    ref_losses, ref_accs = reference
    assert len(accs) == 2 and ref_accs[0] > 0.85 and ref_losses[1] < ref_losses[0] < 1
    for mine, ref in zip(accs, ref_accs):
        assert abs(mine - ref) <= 0.003, (accs, ref_accs)
    for mine, ref in zip(losses, ref_losses):
        assert abs(mine - ref) <= 0.002, (losses, ref_losses)


@pytest.mark.slow
def test_other_seed_gives_another_curve(reference):
    other = curves(run("mlp_numpy.py", "--epochs", "2", "--train-size", "10000", "--seed", "4"))
    assert other != reference


@pytest.mark.parametrize("script,module", [
    ("mlp_torch.py", "torch"), ("mlp_tensorflow.py", "tensorflow"), ("mlp_keras.py", "keras"),
    ("mlp_theano.py", "pytensor"), ("mlp_jax.py", "jax"), ("mlp_flax.py", "flax"), ("mlp_flax.py", "optax"),
    ("mlp_mlx.py", "mlx"), ("mlp_tinygrad.py", "tinygrad"),
])
def test_a_missing_framework_is_pythons_own_message(script, module):
    """Imported at the top, before mnist.run: Python's own report (docs/running.md says why),
    whose last line names the module; exit code 1."""
    code = (f"import sys, runpy; sys.modules[{module!r}] = None; sys.argv = [{script!r}]; "
            f"runpy.run_path({script!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: ") and f"{module}" in last, result.stderr


@pytest.mark.parametrize("module,pin", [("requests", "requests==2.34.2"), ("tqdm", "tqdm==4.70.1")])
def test_a_missing_download_package_is_one_line_when_a_download_needs_it(tmp_path, module, pin):
    """requests and tqdm load only to download: missing, they are the one-line error then."""
    code = (f"import sys, runpy; sys.modules[{module!r}] = None; sys.argv = ['mlp_numpy.py']; "
            "runpy.run_path('mlp_numpy.py', run_name='__main__')")
    env = dict(os.environ, MNIST_DATA_DIR=str(tmp_path), MNIST_MIRROR="http://127.0.0.1:9/")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.endswith(f"error: {module} is not installed: pip install '{pin}' (or pip install -r "
                                  "requirements.txt)\n")


@pytest.mark.slow
def test_a_diverging_run_stops_with_exit_1_and_saves_nothing(real_data_dir, tmp_path):
    path = tmp_path / "w.npz"
    result = run("mlp_numpy.py", "--lr", "80", "--epochs", "2", "--save", str(path))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: training diverged in epoch 1 (loss ")
    assert "try a smaller --lr than 80" in result.stderr and result.stderr.count("\n") == 1
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("script", MLPS)
def test_ctrl_c_during_training_is_one_line_and_death_by_sigint(real_data_dir, tmp_path, script):
    """SIGINT once the first epoch has been reported: one line, no traceback, nothing saved, and
    the process dies by SIGINT (a shell's 130), as Python ends on an uncaught Ctrl-C."""
    path = tmp_path / "w.npz"
    cmd = [sys.executable, "-u", script, "--epochs", "200", "--train-size", "2000", "--save", str(path)]
    proc = subprocess.Popen(with_default_sigint(cmd), cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=script_env())
    try:
        first = proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert first.startswith("epoch  1/200  loss "), (first, err)
    assert proc.returncode == -signal.SIGINT, (proc.returncode, err)
    assert re.search(r"\ninterrupted at epoch \d+\n\Z", "\n" + err) and "Traceback" not in err, err
    assert "test accuracy" not in out and os.listdir(tmp_path) == []


IGNORING_SIGINT = ("import signal, subprocess, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                   "sys.exit(subprocess.call(sys.argv[1:]))")  # as a background job of `bash -c` starts one
SEES_SIGINT = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"


@pytest.mark.parametrize("restored,sees", [(True, "True"), (False, "False")])
def test_the_ctrl_c_tests_reach_the_script_however_the_suite_was_launched(restored, sees):
    """Launched with SIGINT ignored, the suite still starts its script with Python's own Ctrl-C
    handler in place (and, the control: without with_default_sigint, it would not be)."""
    cmd = [sys.executable, "-c", SEES_SIGINT]
    result = subprocess.run([sys.executable, "-c", IGNORING_SIGINT,
                             *(with_default_sigint(cmd) if restored else cmd)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0 and result.stdout == sees + "\n", result.stderr


def test_scripts_run_without_the_users_keras_backend(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert "KERAS_BACKEND" not in script_env()
    assert script_env({"KERAS_BACKEND": "jax"})["KERAS_BACKEND"] == "jax"
    assert "KERAS_BACKEND" not in script_env({"KERAS_BACKEND": None})


@pytest.mark.slow
@pytest.mark.parametrize("script", MLPS)
def test_missing_data_is_one_line_in_every_framework(tmp_path, script):
    """Also where the framework put its own excepthook in place of mnist's (PyTensor does)."""
    result = run(script, env={"MNIST_DATA_DIR": str(tmp_path), "MNIST_MIRROR": "http://127.0.0.1:9/"})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: could not download train-images-idx3-ubyte.gz from any mirror:"], result.stderr


@pytest.mark.parametrize("script", ["mlp_tinygrad.py", "conv_tinygrad.py", "conv_deep_tinygrad.py"])
@pytest.mark.parametrize("dev,why", [(None, "(no usable devices)"), ("CPU", "No such file or directory: 'clang'"),
                                     ("CUDA", "failed to load library cuda")])
def test_tinygrad_without_a_device_is_one_line_saying_what_to_install(tmp_path, script, dev, why):
    """tinygrad's CPU device compiles every kernel with clang: on a PATH without clang (here only
    Python on it) the run, and --help that names the device, stop with one line saying to install
    it; so does a DEV that does not start (no CUDA here), exit code 1."""
    (tmp_path / "python").symlink_to(os.path.realpath(sys.executable))
    env = dict(script_env(), PATH=str(tmp_path))
    env.pop("DEV", None)
    if dev:
        env["DEV"] = dev
    for flags in (["--epochs", "1", "--train-size", "10"], ["--help"]):
        result = subprocess.run([str(tmp_path / "python"), script, *flags], cwd=ROOT, capture_output=True,
                                text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)
        assert result.returncode == 1 and result.stdout == "", (result.returncode, result.stderr)
        assert result.stderr.startswith("error: tinygrad has no usable device (") and result.stderr.count("\n") == 1
        assert why in result.stderr and "its CPU device needs clang (apt install clang)" in result.stderr
