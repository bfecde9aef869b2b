"""The shared skeleton on its own: the helpers that every script's loop calls (mnist.epochs,
report, finish), parse_args, init_weights, the save path and mnist.run, driven by the
scripts' own loop with small arrays and recording fakes of train_epoch and predict. No framework,
no training, no real data: these run in well under a second each."""
import os
import re
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

import mnist
from conftest import ROOT

LINE = re.compile(r"^epoch +(\d+)/(\d+)  loss (\d+\.\d{4})  val accuracy (\d\.\d{4})  \(\d+\.\d s\)$")


def small_data(n_train=40, n_val=8, n_test=4):
    """Images whose one feature is their index in their set, offset per set (train 0.., val
    1000.., test 2000..), so that a fake can tell which images it was given and in what order.
    Labels are chosen so that predicting `index % 10` is right on 1/4 of the validation set
    and 3/4 of the test set."""
    x_train = np.arange(n_train, dtype=np.float32)[:, None]
    y_train = np.arange(n_train) % 10
    x_val = 1000 + np.arange(n_val, dtype=np.float32)[:, None]
    y_val = np.where(np.arange(n_val) < n_val // 4, x_val[:, 0] % 10, (x_val[:, 0] + 1) % 10)
    x_test = 2000 + np.arange(n_test, dtype=np.float32)[:, None]
    y_test = np.where(np.arange(n_test) < 3 * n_test // 4, x_test[:, 0] % 10, (x_test[:, 0] + 1) % 10)
    return (x_train, y_train.astype(np.int64)), (x_val, y_val.astype(np.int64)), (x_test, y_test.astype(np.int64))


class Fakes:
    """A recording train_epoch and predict; train_epoch returns losses[epoch - 1]."""

    def __init__(self, losses=None, raise_in_epoch=None):
        self.orders, self.labels, self.predicted = [], [], []
        self.losses, self.raise_in_epoch = losses, raise_in_epoch
        self.params = [np.full((1, 3), 7, np.float32), np.arange(3, dtype=np.float32)]

    def train_epoch(self, x, y):
        self.orders.append(x[:, 0].astype(int))
        self.labels.append(y)
        if len(self.orders) == self.raise_in_epoch:
            raise KeyboardInterrupt
        return self.losses[len(self.orders) - 1] if self.losses else 2.0 / len(self.orders)

    def predict(self, x):
        self.predicted.append(x[:, 0].astype(int))
        return x[:, 0].astype(int) % 10

    def weights(self):
        return self.params


def loop(args, data, train_epoch, predict, weights):
    """The loop exactly as every script writes it in main(), with the given pieces."""
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, 10):
        loss = train_epoch(x, y)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(x_val), y_val) if len(x_val) else None)
    mnist.finish(args, mnist.accuracy(predict(x_test), y_test), weights())


def run(argv, data=None, fakes=None):
    fakes = fakes or Fakes()
    loop(mnist.parse_args("x", argv), data or small_data(), fakes.train_epoch, fakes.predict, fakes.weights)
    return fakes


@pytest.fixture(autouse=True)
def no_epoch_in_progress(monkeypatch):
    """Each test starts as a fresh script does: no epoch begun yet, no data loaded."""
    monkeypatch.setitem(mnist._epoch, "number", 0)
    monkeypatch.setattr(mnist, "_loaded", {"dataset": None, "input": None})


# --- the batch order ---------------------------------------------------------------------------

def test_every_epoch_gets_a_new_permutation_of_the_whole_training_set():
    fakes = run(["--epochs", "4"])
    assert len(fakes.orders) == 4
    for order, labels in zip(fakes.orders, fakes.labels):
        assert sorted(order) == list(range(40))  # every image once, none dropped
        np.testing.assert_array_equal(labels, order % 10)  # the labels travel with their images
    assert all(list(a) != list(b) for i, a in enumerate(fakes.orders) for b in fakes.orders[:i])
    assert list(fakes.orders[0]) != list(range(40))  # shuffled, not file order


def test_the_same_seed_gives_the_same_orders_and_another_seed_others():
    first = run(["--epochs", "3", "--seed", "5"]).orders
    again = run(["--epochs", "3", "--seed", "5"]).orders
    other = run(["--epochs", "3", "--seed", "6"]).orders
    assert all((a == b).all() for a, b in zip(first, again))
    assert all((a != b).any() for a, b in zip(first, other))


def test_the_batch_order_is_its_own_stream_of_the_seed():
    """The order is drawn from the seed's stream [seed, 1], apart from the weights' [seed, 0]."""
    orders = run(["--epochs", "2", "--seed", "9"]).orders
    rng = np.random.default_rng([9, 1])
    for order in orders:
        np.testing.assert_array_equal(order, rng.permutation(40))


def test_train_size_takes_the_first_n_images():
    fakes = run(["--epochs", "2", "--train-size", "15"])
    assert all(sorted(order) == list(range(15)) for order in fakes.orders)


def test_a_train_size_above_the_training_set_is_a_usage_error(capsys):
    # checked against the data, whatever its size (a user's own may hold more than MNIST's 50,000)
    assert mnist.parse_args("x", ["--train-size", "60000"]).train_size == 60000
    with pytest.raises(SystemExit) as exit_:
        run(["--epochs", "1", "--train-size", "41"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "error: --train-size: 41 is more than the 40 training images\n"


# --- the report ----------------------------------------------------------------------------------

def test_report_lines_validation_on_the_validation_set_test_on_the_test_set(capsys):
    fakes = run(["--epochs", "2"], fakes=Fakes(losses=[0.51234, 0.25]))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3
    assert [LINE.match(line).groups()[:4] for line in out[:2]] == [
        ("1", "2", "0.5123", "0.2500"), ("2", "2", "0.2500", "0.2500")]
    assert out[2] == "test accuracy 0.7500"
    # predict saw the validation set after each epoch, then the test set once
    assert [list(p) for p in fakes.predicted] == [list(range(1000, 1008))] * 2 + [list(range(2000, 2004))]


class FlushRecorder:
    """A stdout that keeps what had been written at each flush."""

    def __init__(self):
        self.text, self.flushed = "", []

    def write(self, text):
        self.text += text

    def flush(self):
        self.flushed.append(self.text)


def test_each_report_line_is_flushed_as_it_is_printed(monkeypatch):
    """compare.py and a user's `| tee` read the lines live: each is flushed when printed."""
    out = FlushRecorder()
    monkeypatch.setattr(sys, "stdout", out)
    run(["--epochs", "2"])
    lines = out.text.splitlines(keepends=True)
    assert len(lines) == 3
    assert ["".join(lines[:i]) for i in (1, 2, 3)] == [t for t in out.flushed if t.endswith("\n")][:3]


def test_an_epoch_reports_its_own_seconds(capsys):
    run(["--epochs", "2"])
    seconds = [float(s) for s in re.findall(r"\((\d+\.\d) s\)", capsys.readouterr().out)]
    assert len(seconds) == 2 and all(0 <= s < 5 for s in seconds)


def test_report_outside_its_epoch_is_a_clear_error(monkeypatch):
    """A template's own loop that calls report for an epoch that epochs() did not yield gets a
    plain error, not a line timed from whenever."""
    monkeypatch.setattr(mnist, "_epoch", {"number": 0, "start": 0.0})
    args = mnist.parse_args("x", [])
    with pytest.raises(RuntimeError, match=r"mnist.report\(epoch=1\) outside its epoch: .*none yet"):
        mnist.report(args, 1, 0.5, 0.9)
    x, y = small_data()[0]
    for epoch, _ in mnist.epochs(args, x, y, 10):
        with pytest.raises(RuntimeError, match=rf"epoch={epoch + 1}\) outside .*\({epoch}\)"):
            mnist.report(args, epoch + 1, 0.5, 0.9)
        break


def test_numpy_warnings_are_silenced_during_the_run(recwarn):
    """A diverging NumPy run overflows; the loss reports it, not a screen of RuntimeWarnings."""
    def overflowing(x, y):
        return float(np.exp(np.float32(100)) * 0)  # overflows to inf, times 0: nan
    with pytest.raises(SystemExit):
        loop(mnist.parse_args("x", []), small_data(), overflowing, Fakes().predict, Fakes().weights)
    assert [str(w.message) for w in recwarn] == []


def test_numpy_warnings_are_back_once_the_epochs_are_done(recwarn):
    run(["--epochs", "1"])
    np.exp(np.float32(100))
    assert [str(w.message) for w in recwarn] == ["overflow encountered in exp"]


def test_accuracy_takes_labels_and_stops_on_one_hot_rows():
    labels, y = np.array([3, 1, 4, 1]), np.array([3, 1, 5, 9])
    assert mnist.accuracy(labels, y) == 0.5
    with pytest.raises(mnist.DataError, match=r"\(4,\) predicted labels against \(4, 10\) true ones"):
        mnist.accuracy(labels, np.eye(10, dtype=np.float32)[y])


def test_no_validation_set_is_said_so(capsys):
    (train, val, test) = small_data()
    run(["--epochs", "1"], data=(train, (val[0][:0], val[1][:0]), test))
    assert "  no validation set  " in capsys.readouterr().out


@pytest.mark.parametrize("target,code", [("0.75", None), ("0.7", None), ("0.76", 1), ("1", 1)])
def test_target_decides_the_exit_code(capsys, target, code):
    if code is None:
        run(["--epochs", "1", "--target", target])
        return
    with pytest.raises(SystemExit) as exit_:
        run(["--epochs", "1", "--target", target])
    assert exit_.value.code == f"test accuracy 0.7500 is below the target {float(target)}"
    assert "test accuracy 0.7500" in capsys.readouterr().out  # reported before failing


# --- divergence and interrupts -------------------------------------------------------------------

@pytest.mark.parametrize("loss", [float("nan"), float("inf"), 9.3])
def test_a_diverged_loss_stops_the_run_with_one_line_and_saves_nothing(tmp_path, capsys, loss):
    path = tmp_path / "w.npz"
    fakes = Fakes(losses=[0.5, loss, 0.1])
    with pytest.raises(SystemExit) as exit_:
        run(["--epochs", "3", "--save", str(path)], fakes=fakes)
    message = exit_.value.code
    assert isinstance(message, str) and "\n" not in message  # sys.exit(str): one line, exit 1
    assert message.startswith("error: training diverged in epoch 2") and "smaller --lr than 0.2" in message
    assert len(fakes.orders) == 2 and os.listdir(tmp_path) == []
    assert capsys.readouterr().out.count("\n") == 1  # epoch 1's line only


def test_a_high_but_finite_loss_is_not_divergence():
    assert not mnist.diverged(4 * np.log(10) - 0.01) and not mnist.diverged(0.0)
    assert mnist.diverged(4 * np.log(10) + 0.01) and mnist.diverged(float("nan"))
    assert not mnist.diverged(4 * np.log(10))  # the bound itself is still a (very bad) run


@pytest.fixture
def hook(monkeypatch):
    """sys.excepthook as it was before a test: mnist.run leaves one that keeps Python quiet about
    the interrupt it re-raises; the test's own is put back afterwards."""
    seen = []
    monkeypatch.setattr(sys, "excepthook", lambda *args: seen.append(args))
    return seen


def interrupted_run(capsys, main):
    """mnist.run(main), which must end in the KeyboardInterrupt that Python turns into death by
    SIGINT; then what it printed, after checking that the excepthook it left is quiet about it."""
    with pytest.raises(KeyboardInterrupt) as error:
        mnist.run(main)
    assert type(error.value) is KeyboardInterrupt  # exactly: Python exits by SIGINT only for it
    sys.excepthook(KeyboardInterrupt, error.value, None)  # what Python does with it: nothing shows
    return capsys.readouterr()


def test_ctrl_c_is_one_line_then_an_interrupt_and_saves_nothing(tmp_path, capsys, hook):
    path = tmp_path / "w.npz"
    out, err = interrupted_run(capsys, lambda: run(["--epochs", "5", "--save", str(path)],
                                                   fakes=Fakes(raise_in_epoch=3)))
    assert err == "interrupted at epoch 3\n" and out.count("\n") == 2 and hook == []
    assert os.listdir(tmp_path) == []


def test_ctrl_c_while_finishing_names_the_last_epoch_and_saves_nothing(tmp_path, capsys, hook):
    path = tmp_path / "w.npz"
    fakes = Fakes()

    def weights():
        raise KeyboardInterrupt
    out, err = interrupted_run(capsys, lambda: loop(mnist.parse_args("x", ["--epochs", "2", "--save", str(path)]),
                                                    small_data(), fakes.train_epoch, fakes.predict, weights))
    assert err == "interrupted at epoch 2\n" and os.listdir(tmp_path) == []


def test_ctrl_c_before_the_first_epoch_names_none(capsys, hook):
    def main():
        raise KeyboardInterrupt
    assert interrupted_run(capsys, main).err == "interrupted\n"


def test_ctrl_c_flushes_what_was_printed_before_it(monkeypatch, hook):
    out, err = FlushRecorder(), FlushRecorder()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)

    def main():
        print("epoch  1/2 ...")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        mnist.run(main)
    assert out.flushed[0] == "epoch  1/2 ...\n" and err.flushed == ["interrupted\n"]


def test_an_interrupt_wrapped_by_compiled_code_is_still_ctrl_c(capsys, hook):
    """PyTensor's numba backend turns the KeyboardInterrupt into a SystemError raised from it."""
    def wrapped(x, y):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as e:
            raise SystemError("returned a result with an exception set") from e
    args = mnist.parse_args("x", ["--epochs", "2"])
    out, err = interrupted_run(capsys, lambda: loop(args, small_data(), wrapped, Fakes().predict, Fakes().weights))
    assert err == "interrupted at epoch 1\n"


def test_other_errors_keep_their_traceback_and_the_hook_is_left_alone(hook):
    error = ValueError("a bug")

    def main():
        raise error
    with pytest.raises(ValueError):
        mnist.run(main)
    sys.excepthook(ValueError, error, None)
    assert hook == [(ValueError, error, None)]  # the hook that was there: a traceback


def test_after_an_interrupt_the_hook_passes_everything_else_on(capsys, hook):
    with pytest.raises(KeyboardInterrupt):
        mnist.run(lambda: run(["--epochs", "2"], fakes=Fakes(raise_in_epoch=1)))
    other = KeyboardInterrupt()
    sys.excepthook(KeyboardInterrupt, other, None)
    assert hook == [(KeyboardInterrupt, other, None)]


def test_data_errors_are_one_line_exit_1(capsys):
    def main():
        raise mnist.DataError("no mirror")
    with pytest.raises(SystemExit) as exit_:
        mnist.run(main)
    assert exit_.value.code == 1 and capsys.readouterr().err == "error: no mirror\n"


def test_an_interrupt_given_as_the_cause_only_is_still_ctrl_c():
    error = SystemError("wrapped")
    error.__cause__ = KeyboardInterrupt()  # `raise ... from` outside an except block: no context
    assert error.__context__ is None and mnist.interrupted(error)
    assert not mnist.interrupted(ValueError("a bug"))


def test_other_errors_in_training_propagate():
    def broken(x, y):
        raise ValueError("a bug in the script")
    with pytest.raises(ValueError, match="a bug in the script"):
        loop(mnist.parse_args("x", []), small_data(), broken, Fakes().predict, Fakes().weights)


# --- the save path --------------------------------------------------------------------------------

def test_save_writes_exactly_the_canonical_arrays(tmp_path, capsys):
    path = tmp_path / "w.npz"
    fakes = Fakes()
    fakes.params = [np.ones((2, 3)), np.zeros(3), np.full((3, 4), 0.5, np.float64), np.arange(4)]
    run(["--epochs", "1", "--save", str(path), "--dataset", "fashion"], fakes=fakes)
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["b1", "b2", "dataset", "w1", "w2"]
        assert str(f["dataset"]) == "fashion"
        for name, expected in zip(["w1", "b1", "w2", "b2"], fakes.params):
            assert f[name].dtype == np.float32
            np.testing.assert_array_equal(f[name], expected)
    assert os.listdir(tmp_path) == ["w.npz"]  # no temporary file left beside it
    assert f"saved the weights to {path}" in capsys.readouterr().err


def test_saved_files_get_the_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        mnist.save_weights(str(tmp_path / "w.npz"), [np.ones((2, 3)), np.zeros(3)], "mnist")
    finally:
        os.umask(old)
    assert (tmp_path / "w.npz").stat().st_mode & 0o777 == 0o640


def test_a_killed_save_leaves_no_npz(tmp_path):
    """SIGKILL in the middle of writing: no .npz appears (the temporary file may stay)."""
    code = ("import os, signal, sys, numpy as np; sys.path.insert(0, sys.argv[1]); import mnist\n"
            "real = np.savez\n"
            "def dying(f, **arrays):\n"
            "    f.write(b'PK' * 1000); f.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
            "np.savez = dying\n"
            "mnist.save_weights(sys.argv[2], [np.ones((50, 50)), np.zeros(50)], 'mnist')\n")
    result = subprocess.run([sys.executable, "-c", code, ROOT, str(tmp_path / "w.npz")],
                            capture_output=True, text=True)
    assert result.returncode == -signal.SIGKILL
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".npz")]
    assert os.listdir(tmp_path)  # it was killed while writing: the temporary file was there


# --- init_weights ----------------------------------------------------------------------------------

SHAPES = [(784, 100), (100, 10), (5, 5, 8, 16)]


def test_init_weights_layout_dtype_and_zero_biases():
    params = mnist.init_weights(0, SHAPES)
    assert [p.shape for p in params] == [(784, 100), (100,), (100, 10), (10,), (5, 5, 8, 16), (16,)]
    assert all(p.dtype == np.float32 for p in params)
    assert all((b == 0).all() for b in params[1::2])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_init_weights_are_normal_with_variance_one_over_fan_in(seed):
    """Sample mean and standard deviation against N(0, 1/fan_in). The bounds are over six
    standard errors wide (and the draws are seeded): they cannot flake, yet a scale of
    1/fan_in, 1/sqrt(fan_out), or a uniform draw falls far outside them."""
    for w, shape in zip(mnist.init_weights(seed, SHAPES)[::2], SHAPES):
        fan_in, n = np.prod(shape[:-1]), w.size
        sigma = 1 / np.sqrt(fan_in)
        assert abs(w.mean()) < 6 * sigma / np.sqrt(n)
        assert abs(w.std() / sigma - 1) < 6 / np.sqrt(2 * n) + 0.01
        kurtosis = np.mean((w / w.std()) ** 4)  # 3 for a normal distribution, 1.8 for uniform
        assert abs(kurtosis - 3) < 0.5


def test_init_weights_follow_the_seed():
    a, b, c = (mnist.init_weights(s, SHAPES) for s in (4, 4, 5))
    assert all((x == y).all() for x, y in zip(a, b))
    assert all((x != z).any() for x, z in zip(a[::2], c[::2]))


def test_init_weights_are_the_published_draws():
    """The seed's stream [seed, 0], drawn layer after layer: every published curve depends on
    exactly these numbers, so they must not change from one version to the next."""
    rng = np.random.default_rng([3, 0])
    for w, shape in zip(mnist.init_weights(3, SHAPES)[::2], SHAPES):
        np.testing.assert_array_equal(w, (rng.standard_normal(shape) / np.sqrt(np.prod(shape[:-1])))
                                      .astype(np.float32))


# --- flags -----------------------------------------------------------------------------------------

def test_flags_parse_into_the_recipe_and_scripts_may_change_defaults():
    args = mnist.parse_args("x", ["--epochs", "3", "--batch-size", "7", "--lr", "0.5", "--seed", "2",
                                  "--train-size", "100", "--target", "0.9", "--dataset", "fashion"])
    assert (args.epochs, args.batch_size, args.lr, args.seed) == (3, 7, 0.5, 2)
    assert (args.train_size, args.target, args.dataset, args.save) == (100, 0.9, "fashion", None)
    assert mnist.parse_args("x", [], lr=mnist.DEEP_LR).lr == mnist.DEEP_LR
    assert mnist.parse_args("x", ["--lr", "0.3"], lr=mnist.DEEP_LR).lr == 0.3


def test_flag_boundaries_seed_0_and_target_0_are_valid():
    args = mnist.parse_args("x", ["--seed", "0", "--target", "0"])
    assert (args.seed, args.target) == (0, 0.0)


@pytest.mark.parametrize("argv,message", [
    (["--epochs", "0"], "argument --epochs: must be positive, not 0"),
    (["--seed", "-1"], "argument --seed: must be 0 or more, not -1"),
    (["--target", "1.5"], "argument --target: must be an accuracy in 0..1, not 1.5"),
    (["--save", "w.txt"], "argument --save: must name a .npz file, not w.txt"),
])
def test_a_bad_flag_is_one_usage_line_naming_the_problem(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        mnist.parse_args("x", argv)
    assert exit_.value.code == 2 and capsys.readouterr().err.splitlines()[-1].endswith(message)


def test_save_into_something_that_is_not_a_folder_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit) as exit_:
        mnist.parse_args("x", ["--save", str(tmp_path / "file" / "w.npz")])
    assert exit_.value.code == 2 and "cannot write into" in capsys.readouterr().err


def help_text(capsys, epilog=None, **defaults):
    with pytest.raises(SystemExit) as exit_:
        mnist.parse_args("First line.\nMore.", ["--help"], epilog=epilog, **defaults)
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal's width


def test_help_states_every_flag_and_its_default(capsys):
    text = help_text(capsys)
    for expected in ["First line. options:", "--epochs EPOCHS default: 30",
                     "--batch-size BATCH_SIZE default: 10", "--lr LR learning rate, default: 0.2 --seed",
                     "--seed SEED weights and batch order, default: 0",
                     "--train-size N train on the first N training images only (quick runs; MNIST has 50000)",
                     "--target ACC exit 1 when the final test accuracy is below ACC",
                     "--dataset {mnist,fashion} mnist, or fashion for Fashion-MNIST; default: mnist",
                     "--save FILE.npz write the trained weights to FILE.npz (for predict.py)"]:
        assert expected in text, expected
    assert "device" not in text
    for variable in ("MNIST_DATA_DIR", "MNIST_MIRROR", "FASHION_MNIST_DATA_DIR"):  # the environment
        assert re.search(rf"\b{variable}\b", text.split("(for predict.py) environment: ")[1]), variable
    assert "(for predict.py) device: cpu (the CPU) environment: MNIST_DATA_DIR" in help_text(
        capsys, epilog="device: cpu (the CPU)")
    deep = help_text(capsys, lr=mnist.DEEP_LR)
    assert f"--lr LR {mnist.DEEP_LR_HELP % {'default': mnist.DEEP_LR}} --seed" in deep


# --- BLAS threads ---------------------------------------------------------------------------------

BLAS = ("import sys; sys.path.insert(0, sys.argv[1]); import mnist, threadpoolctl\n"
        "def threads():\n"
        "    return sorted({p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'})\n"
        "print('import', threads())\n"
        "mnist.run(lambda: print('run', threads()))\n"
        "print('after', threads())\n")


def blas_threads(tmp_path, **env):
    """The BLAS threads that NumPy really uses (threadpoolctl) after `import mnist`, inside
    mnist.run(main), and after it, in a fresh process."""
    clean = {k: v for k, v in os.environ.items() if k not in mnist.BLAS_VARIABLES}
    result = subprocess.run([sys.executable, "-c", BLAS, ROOT], capture_output=True, text=True, cwd=tmp_path,
                            env=dict(clean, **env))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_blas_runs_on_one_thread_in_a_run_unless_the_user_says_otherwise(tmp_path):
    cores = min(2, len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else 2
    assert blas_threads(tmp_path) == [f"import [{cores}]", "run [1]", f"after [{cores}]"]
    # OpenBLAS takes the user's number, up to the cores this process may use
    assert blas_threads(tmp_path, OPENBLAS_NUM_THREADS="2") == [f"{w} [{cores}]" for w in ("import", "run", "after")]
    assert blas_threads(tmp_path, OMP_NUM_THREADS="1") == [f"{w} [1]" for w in ("import", "run", "after")]


def test_the_epochs_hold_runs_threads_for_a_blas_loaded_since(monkeypatch):
    """PyTensor loads SciPy's BLAS while main() compiles: mnist.epochs limits what is loaded by
    then, for its loop; outside mnist.run it limits nothing."""
    calls = []

    class Limits:
        def __init__(self, limits, user_api):
            calls.append((limits, user_api))

        def __enter__(self):
            calls.append("enter")

        def __exit__(self, *exc):
            calls.append("exit")
    import threadpoolctl
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", Limits)
    list(mnist.epochs(mnist.parse_args("x", ["--epochs", "1"]), *small_data()[0], 10))
    assert calls == []
    mnist.run(lambda: list(mnist.epochs(mnist.parse_args("x", ["--epochs", "1"]), *small_data()[0], 10)))
    assert calls == [(1, "blas"), "enter", (1, "blas"), "enter", "exit", "exit"]
    assert mnist._run["blas"] is None  # run is over


# --- a package that a download needs, missing ----------------------------------------------------

def missing(capsys, error):
    def main():
        raise error
    with pytest.raises(SystemExit) as exit_:
        mnist.run(main)
    assert exit_.value.code == 1
    return capsys.readouterr().err.removesuffix("\n")


def test_a_missing_pinned_package_is_one_line_with_its_pin(capsys, monkeypatch):
    for module, pin in [("requests", "requests==2.34.2"), ("tqdm.auto", "tqdm==4.70.1"), ("torch.nn", "torch==2.13.0")]:
        monkeypatch.setitem(sys.modules, module.split(".")[0], None)  # not installed
        assert missing(capsys, ModuleNotFoundError(f"No module named '{module}'", name=module)) == (
            f"error: {module.split('.')[0]} is not installed: pip install '{pin}' (or pip install -r requirements.txt)")


def test_a_module_that_is_installed_or_not_pinned_keeps_its_traceback(monkeypatch):
    """Nothing false: a module that requirements.txt does not pin (a typo in the user's own
    module), or one whose package is installed (a broken install inside a framework)."""
    monkeypatch.setitem(sys.modules, "my_modle", None)
    for error in (ModuleNotFoundError("x", name="my_modle"), ModuleNotFoundError("x", name="numpy._core.gone"),
                  ModuleNotFoundError("no name")):
        def main(error=error):
            raise error
        with pytest.raises(ModuleNotFoundError) as raised:
            mnist.run(main)
        assert raised.value is error


def test_the_pin_is_read_beside_mnist_py_or_else_in_the_scripts_own_block(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # not the working directory's requirements.txt
    monkeypatch.setitem(sys.modules, "torch", None)
    assert "pip install 'torch==2.13.0'" in missing(capsys, ModuleNotFoundError("x", name="torch"))
    # a template copied without requirements.txt: the PEP 723 block of the script run
    copy = tmp_path / "conv_torch.py"
    shutil.copy(os.path.join(ROOT, "conv_torch.py"), copy)
    monkeypatch.setattr(sys.modules["__main__"], "__file__", str(copy), raising=False)
    monkeypatch.setattr(os.path, "isfile", lambda path: path == str(copy))
    assert "pip install 'torch==2.13.0'" in missing(capsys, ModuleNotFoundError("x", name="torch"))
    copy.write_text("import torch\n")  # no block, no requirements.txt: its traceback
    assert mnist._not_installed(ModuleNotFoundError("x", name="torch")) is None


def test_imported_by_another_program_the_helpers_change_nothing_global(monkeypatch):
    theirs = object()
    monkeypatch.setattr(sys, "excepthook", theirs)
    before = dict(os.environ)
    mnist.parse_args("x", [])
    list(mnist.epochs(mnist.parse_args("x", ["--epochs", "1"]), *small_data()[0], 10))
    assert sys.excepthook is theirs and dict(os.environ) == before
