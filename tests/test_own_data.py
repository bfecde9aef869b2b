"""A copied script moved to the user's own data (docs/own-data.md): the documented edits, made
to a copy of every script, train it on a data set of another image size and class count built
here; bad labels stop with one line in every script; a script imported by another program
changes nothing global."""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import mnist
from conftest import ROOT, curves, script_env
from test_conv import LATER_ACC, LATER_LOSS
from test_scripts import CONVS, DEEPS, MLPS
from test_templates import ACC, LOSS

HEIGHT, WIDTH, K = 21, 25, 5  # not MNIST's 28x28 and 10, and odd: any size left at MNIST's shows
EPOCHS = ["--epochs", "3"]


def doc():
    with open(os.path.join(ROOT, "docs", "own-data.md"), encoding="utf-8") as f:
        return f.read()


def layout(script):
    return "flat" if script.startswith("mlp_") else "chw" if script.endswith(("_torch.py", "_tinygrad.py")) else "hwc"


def edits(script, data, image=(HEIGHT, WIDTH, 1), classes=K, given=None):
    """The three edits of docs/own-data.md for this script and images of shape image (height,
    width, channels), as (old, new) pairs; given: an INPUT of the user's instead of the right one."""
    h, w, c = image
    old, new = {"flat": ("(784,)", (h * w * c,)), "chw": ("(1, 28, 28)", (c, h, w)),
                "hwc": ("(28, 28, 1)", (h, w, c))}[layout(script)]
    call = f'shape=INPUT, layout="{layout(script)}"'
    return [(f"INPUT = {old}", f"INPUT = {given or new}"), ("CLASSES = 10", f"CLASSES = {classes}"),
            (f"mnist.load_data({call}, dataset=args.dataset)", f'mnist.load_npz("{data}", {call})')]


def test_the_docs_name_these_edits():
    text = doc()
    for old, new in [("INPUT = (28, 28, 1)", "INPUT = (height, width, channels)"),
                     ("INPUT = (784,)", "INPUT = (height * width * channels,)"),
                     ("INPUT = (1, 28, 28)", "INPUT = (channels, height, width)"),
                     ("CLASSES = 10", "CLASSES = k"),
                     ('mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)',
                      'mnist.load_npz("my_data.npz", shape=INPUT, layout="hwc")')]:
        assert f"`{old}`" in text and f"`{new}`" in text, (old, new)


def shapes(n, rng):
    """n images HEIGHT x WIDTH x 1 of K kinds of 8x8 stroke, each kind about its own place
    (within 2 pixels), on faint noise: 0 a horizontal bar, 1 a vertical bar, 2 a diagonal, 3 an
    anti-diagonal, 4 a square."""
    y = rng.integers(0, K, n)
    x = rng.uniform(0, 0.15, (n, HEIGHT, WIDTH, 1)).astype(np.float32)
    places = [(2, 2), (2, 14), (10, 2), (10, 14), (6, 8)]  # the top-left corners, jittered below
    d = np.arange(8)
    for image, label in zip(x, y):
        r, c = np.add(places[label], rng.integers(-2, 3, 2))
        if label == 0:
            image[r + 3:r + 5, c:c + 8] = 1
        elif label == 1:
            image[r:r + 8, c + 3:c + 5] = 1
        elif label == 2:
            image[r + d, c + d] = 1
        elif label == 3:
            image[r + d, c + 7 - d] = 1
        else:
            image[r:r + 8, c:c + 8] = 1
            image[r + 2:r + 6, c + 2:c + 6] = 0
    return x, y


@pytest.fixture(scope="module")
def own_data(tmp_path_factory):
    """data.npz: 1,500 training, 300 validation and 300 test images of `shapes`."""
    rng = np.random.default_rng(0)
    sets = {name: shapes(n, rng) for name, n in (("train", 1500), ("val", 300), ("test", 300))}
    path = tmp_path_factory.mktemp("own") / "data.npz"
    np.savez(path, **{f"{v}_{name}": a for name, (x, y) in sets.items() for v, a in zip("xy", (x, y))})
    return path


def copy(tmp_path, script, data, name="data.npz", **kinds):
    """script and mnist.py in an empty directory, with the documented edits for data (saved there
    as name); kinds: edits' image, classes or given."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix=script.removesuffix(".py") + "-", dir=tmp_path))
    shutil.copy(os.path.join(ROOT, "mnist.py"), folder)
    shutil.copy(data, folder / name)
    with open(os.path.join(ROOT, script), encoding="utf-8") as f:
        text = f.read()
    for old, new in edits(script, name, **kinds):
        assert text.count(old) == 1, f"{script} should hold {old!r} once: update docs/own-data.md"
        text = text.replace(old, new)
    (folder / script).write_text(text, encoding="utf-8")
    return folder / script


def run_copy(path, *flags):
    return subprocess.run([sys.executable, path.name, *flags], cwd=path.parent, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=900,
                          env=script_env({"MNIST_DATA_DIR": str(path.parent / "no-mnist-here")}))


REFERENCE = {"mlp_": "mlp_numpy.py", "conv_": "conv_numpy.py", "conv_deep_": "conv_deep_tensorflow.py"}


def model(script):
    return "conv_deep_" if script.startswith("conv_deep_") else script[:script.index("_") + 1]


@pytest.fixture(scope="module")
def reference(own_data, tmp_path_factory):
    """Each model's curve on own_data, from its reference script's copy (NumPy; the deep net:
    TensorFlow)."""
    tmp = tmp_path_factory.mktemp("reference")
    return {m: curves(run_copy(copy(tmp, script, own_data), *EPOCHS)) for m, script in REFERENCE.items()}


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", MLPS + CONVS + DEEPS)
def test_a_copy_learns_another_image_size_and_class_count(tmp_path, own_data, reference, script):
    """3 epochs of 1,500 images: well above chance (1/5) on the validation and test sets, from
    the three documented edits alone (and nothing of MNIST on the disk); and the same network
    as the other frameworks', within the parity bounds of tests/test_conv.py (the deep nets:
    those of 500 steps), so that a size or a layout gone wrong on non-square images shows even
    where the copy still learns."""
    result = run_copy(copy(tmp_path, script, own_data), *EPOCHS)
    losses, accs = curves(result)
    test = float(re.search(r"test accuracy (\S+)", result.stdout).group(1))
    assert len(accs) == 3 and accs[-1] >= 0.6 and test >= 0.6, result.stdout
    assert losses[-1] < losses[0], result.stdout
    ref_losses, ref_accs = reference[model(script)]
    loss_tol, acc_tol = (LATER_LOSS, LATER_ACC) if "deep" in script else (LOSS, ACC)
    assert all(abs(a - b) <= loss_tol for a, b in zip(losses, ref_losses)), (losses, ref_losses)
    assert all(abs(a - b) <= acc_tol for a, b in zip(accs, ref_accs)), (accs, ref_accs)


def bad_labels(tmp_path, own_data, change):
    """A copy of own_data whose y_train is changed by change(y)."""
    with np.load(own_data) as f:
        arrays = dict(f)
    arrays["y_train"] = change(arrays["y_train"])
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def assert_one_line(result, text):
    assert result.returncode == 1 and result.stdout == "", (result.stdout, result.stderr[-3000:])
    assert result.stderr.endswith(f"error: {text}\n") and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "smaller --lr" not in result.stderr and "nan" not in result.stderr.lower()


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", MLPS + CONVS + DEEPS)
def test_a_label_past_the_last_class_is_one_line_in_every_script(tmp_path, own_data, script):
    """A label K among K outputs: one line, exit 1, before anything trains (MLX trained on,
    JAX and Flax went NaN and blamed the rate, PyTorch, TensorFlow and Keras gave tracebacks)."""
    data = bad_labels(tmp_path, own_data, lambda y: np.where(np.arange(len(y)) == 7, K, y))
    result = run_copy(copy(tmp_path, script, data), *EPOCHS)
    assert_one_line(result, f"label {K} is out of range: the network has {K} outputs (CLASSES), "
                            f"for the labels 0..{K - 1}")


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", MLPS)
def test_one_hot_and_float_labels_are_one_line(tmp_path, own_data, script):
    """The labels that NumPy and PyTensor took before (one-hot rows), and floats."""
    folder = tmp_path / "one-hot"
    folder.mkdir()
    data = bad_labels(folder, own_data, lambda y: np.eye(K, dtype=np.float32)[y])
    assert_one_line(run_copy(copy(folder, script, data), *EPOCHS),
                    f"y_train in data.npz are one-hot rows, shape (1500, {K}): give integer labels 0, 1, ... "
                    "instead (y.argmax(axis=1))")
    data = bad_labels(tmp_path, own_data, lambda y: y.astype(np.float32))
    assert_one_line(run_copy(copy(tmp_path, script, data), *EPOCHS),
                    "y_train in data.npz must be integers 0, 1, ..., one per image, not float32 of shape (1500,) "
                    "(y.astype(np.int64))")


IMPORTS = """
import os, sys, threading
sys.path.insert(0, sys.argv[1])
import numpy, pytensor, tensorflow as tf, keras, torch, jax, flax, optax, mlx.core, tinygrad  # the host's own
def state():
    return (sys.excepthook, dict(os.environ), torch.get_num_threads(),
            tf.config.threading.get_inter_op_parallelism_threads(),
            tf.config.threading.get_intra_op_parallelism_threads(), pytensor.config.floatX)
before = state()
for name in sys.argv[2:]:
    __import__(name)
    after = state()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    env = {k for k in set(before[1]) | set(after[1]) if before[1].get(k) != after[1].get(k)}
    print(name, changed, sorted(env))
"""


@pytest.mark.slow  # it starts frameworks
def test_imports_change_nothing_global(tmp_path):
    """Another program (here, one in another directory) imports mnist and every script: its
    sys.excepthook, environment, thread counts and floatX stay as they were."""
    modules = ["mnist"] + [s.removesuffix(".py") for s in MLPS + CONVS + DEEPS]
    (tmp_path / "host.py").write_text(IMPORTS)
    result = subprocess.run([sys.executable, "host.py", ROOT, *modules], cwd=tmp_path, text=True,
                            capture_output=True, timeout=600, env=script_env({"TF_CPP_MIN_LOG_LEVEL": "2"}))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [f"{m} [] []" for m in modules], result.stdout


def test_check_labels_takes_integer_labels_in_range():
    mnist.check_labels(np.array([0, 4, 2], np.int32), 5, np.zeros((3, 2)))
    mnist.check_labels(np.array([], np.int64), 5)
    for y, x, message in [
        (np.array([0, 5]), None, "label 5 is out of range: the network has 5 outputs (CLASSES), for the labels 0..4"),
        (np.array([-1, 2]), None, "label -1 is out of range"),
        (np.array([0.0, 1.0]), None, "the labels must be integers 0..4, one per image, not float64 of shape (2,)"),
        (np.eye(5)[[0, 1]], None, "the labels are one-hot rows, shape (2, 5)"),
        (np.array([[1], [2]]), None, "the labels must be integers 0..4, one per image, not int64 of shape (2, 1)"),
        (np.array([0, 1]), np.zeros((3, 2)), "3 images but 2 labels"),
    ]:
        with pytest.raises(mnist.DataError) as error:
            mnist.check_labels(y, 5, x)
        assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_the_divergence_bound_follows_the_class_count():
    assert not mnist.diverged(4 * np.log(100) - 0.01, 100) and mnist.diverged(4 * np.log(100) + 0.01, 100)
    assert mnist.diverged(4 * np.log(2) + 0.01, 2)


def test_load_npz_shapes_images_to_input_and_checks_the_file(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (4, 6, 7, 3)).astype(np.uint8)
    arrays = {f"{v}_{p}": (x if v == "x" else np.arange(4)) for p in ("train", "val", "test") for v in "xy"}
    np.savez(tmp_path / "d.npz", **arrays)
    (xt, yt), _, _ = mnist.load_npz(tmp_path / "d.npz", (6, 7, 3), "hwc")
    assert xt.dtype == np.float32 and np.array_equal(xt, x / np.float32(255)) and list(yt) == [0, 1, 2, 3]
    (xc, _), _, _ = mnist.load_npz(tmp_path / "d.npz", (3, 6, 7), "chw")  # channels first
    assert np.array_equal(xc, xt.transpose(0, 3, 1, 2))
    (xf, _), _, _ = mnist.load_npz(tmp_path / "d.npz", (126,), "flat")  # flat
    assert np.array_equal(xf, xt.reshape(4, -1))
    with pytest.raises(mnist.DataError, match=r"^INPUT = \(7, 6, 3\) does not fit x_train in d.npz, images of "
                       r"\(6, 7, 3\) \(height, width, channels\): this script takes INPUT = \(6, 7, 3\)"):
        mnist.load_npz(tmp_path / "d.npz", (7, 6, 3), "hwc")
    del arrays["y_val"]
    np.savez(tmp_path / "e.npz", **arrays)
    with pytest.raises(mnist.DataError, match="has no y_val: it needs x_train, y_train, x_val"):
        mnist.load_npz(tmp_path / "e.npz", (6, 7, 3), "hwc")


# --- what a user hands over next (the table of docs/own-data.md) --------------------------------

def arrays(image=(12, 12, 1), n=(60, 20, 20), k=K, seed=0):
    """Six arrays of random uint8 images of shape image and labels 0..k-1 (every one in y_train)."""
    rng = np.random.default_rng(seed)
    out = {}
    for part, size in zip(("train", "val", "test"), n):
        out[f"x_{part}"] = rng.integers(0, 256, (size, *image)).astype(np.uint8)
        out[f"y_{part}"] = np.arange(size) % k
    return out


def npz(tmp_path, name="data.npz", **changes):
    """arrays() with changes (a value, or a function of the array it replaces), saved as name."""
    data = arrays()
    for key, change in changes.items():
        data[key] = change(data[key]) if callable(change) else change
    path = tmp_path / name
    np.savez(path, **data)
    return path


def assert_one_line_error(result, *words):
    """Exit code not 0, nothing on stdout, one line on stderr (error: ...) holding words, no
    traceback and no advice about the rate."""
    err = result.stderr
    assert result.returncode not in (0, None) and result.stdout == "", (result.returncode, result.stdout, err[-3000:])
    lines = [line for line in err.splitlines() if line.startswith("error")]  # TensorFlow logs as it loads
    assert len(lines) == 1 and err.endswith(lines[0] + "\n"), err[-3000:]
    assert "Traceback" not in err and "--lr" not in err, err[-3000:]
    for word in words:
        assert word in lines[0], (word, lines[0])


NUMPY_TORCH_JAX_TF_MLX = ["mlp_numpy.py", "conv_torch.py", "conv_deep_jax.py", "conv_tensorflow.py", "conv_mlx.py"]


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", NUMPY_TORCH_JAX_TF_MLX + ["mlp_keras.py", "conv_flax.py", "conv_tinygrad.py"])
@pytest.mark.parametrize("kind", ["0..255", "-1..1"])
def test_pixels_outside_0_1_are_one_line(tmp_path, script, kind):
    """Float pixels 0..255 (MLPs trained to chance, the deep nets blamed the rate): one line
    saying to scale them; likewise -1..1 (standardised) pixels."""
    change = {"0..255": lambda x: x.astype(np.float32), "-1..1": lambda x: x / np.float32(127.5) - 1}[kind]
    data = npz(tmp_path, x_train=change, x_val=change, x_test=change)
    result = run_copy(copy(tmp_path, script, data, image=(12, 12, 1)), *EPOCHS)
    low = "0" if kind == "0..255" else "-1"
    assert_one_line_error(result, f"x_train in data.npz holds values from {low} to ", "scale them to [0, 1]",
                          "x / 255")


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", ["mlp_numpy.py", "conv_torch.py", "conv_deep_flax.py", "mlp_keras.py", "conv_mlx.py"])
@pytest.mark.parametrize("where", ["x_train", "x_test"])
def test_nan_in_the_images_is_one_line_saying_where(tmp_path, script, where):
    def with_nan(x):
        x = x.astype(np.float32) / 255
        x[3, 2, 1, 0] = np.nan
        return x
    data = npz(tmp_path, **{where: with_nan})
    result = run_copy(copy(tmp_path, script, data, image=(12, 12, 1)), *EPOCHS)
    assert_one_line_error(result, f"{where} in data.npz holds 1 NaN or infinite values, the first in image 3 at (2, 1, 0)")


BAD_LABELS = {  # what y_val or y_test holds instead of integer labels: the line's words
    "strings": (lambda y: y.astype(str), "must be integers 0, 1, ..., one per image, not <U"),
    "one-hot": (lambda y: np.eye(K, dtype=np.float32)[y], "are one-hot rows, shape (20, 5)"),
    "past the classes": (lambda y: np.where(np.arange(len(y)) == 4, K + 2, y), f"holds label {K + 2}, which no "
                         "training image has (y_train: 0..4)"),
    "floats": (lambda y: y.astype(np.float64), "(y.astype(np.int64))"),
    "too few": (lambda y: y[:-1], "20 images but 19 labels in y_"),
}


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", ["mlp_numpy.py", "conv_deep_torch.py", "mlp_jax.py", "conv_keras.py"])
@pytest.mark.parametrize("split", ["y_val", "y_test"])
def test_bad_validation_and_test_labels_are_one_line_before_training(tmp_path, script, split):
    """Only y_train was checked: val and test accuracy 0.0000 with exit 0, or a one-hot y_val
    failing after a whole epoch. Each kind names the split."""
    for kind, (change, words) in BAD_LABELS.items():
        folder = tmp_path / kind
        folder.mkdir()
        result = run_copy(copy(folder, script, npz(folder, **{split: change}), image=(12, 12, 1)), *EPOCHS)
        assert_one_line_error(result, words, f"{split} in data.npz")


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script,size", [("conv_numpy.py", 5), ("conv_torch.py", 5), ("conv_jax.py", 5),
                                         ("conv_keras.py", 3), ("conv_mlx.py", 4), ("conv_flax.py", 5),
                                         ("conv_theano.py", 5), ("conv_deep_tensorflow.py", 9),
                                         ("conv_deep_torch.py", 9), ("conv_deep_jax.py", 7), ("conv_deep_mlx.py", 9),
                                         ("conv_tinygrad.py", 5), ("conv_deep_tinygrad.py", 9)])
def test_images_too_small_for_the_net_are_one_line(tmp_path, script, size):
    """A traceback in five frameworks; conv_jax.py and conv_deep_jax.py trained to chance on an
    empty map with exit 0."""
    image = (size, size + 1, 2)
    data = npz(tmp_path, **{f"x_{p}": arrays(image)[f"x_{p}"] for p in ("train", "val", "test")})
    result = run_copy(copy(tmp_path, script, data, image=image), *EPOCHS)
    given = (2, size, size + 1) if layout(script) == "chw" else image
    assert_one_line_error(result, f"INPUT = {given} is too small for this network", "at least 6x6 pixels, the deep nets 10x10")


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", ["conv_torch.py", "conv_deep_torch.py", "conv_numpy.py", "conv_deep_jax.py",
                                    "conv_flax.py", "conv_keras.py", "conv_mlx.py", "conv_tinygrad.py"])
def test_input_in_the_other_channel_order_is_one_line(tmp_path, script):
    """PyTorch's (c, h, w) where the script takes (h, w, c), and the other way round: a
    negative-dimensions ValueError from init_weights, naming nothing."""
    image = (12, 12, 3)
    data = npz(tmp_path, **{f"x_{p}": arrays(image)[f"x_{p}"] for p in ("train", "val", "test")})
    wrong, right = ((12, 12, 3), "(3, 12, 12)") if layout(script) == "chw" else ((3, 12, 12), "(12, 12, 3)")
    result = run_copy(copy(tmp_path, script, data, image=image, given=wrong), *EPOCHS)
    assert_one_line_error(result, f"INPUT = {wrong} does not fit x_train in data.npz, images of (12, 12, 3) "
                                  f"(height, width, channels): this script takes INPUT = {right}")


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", ["mlp_numpy.py", "mlp_torch.py", "mlp_flax.py", "mlp_tensorflow.py", "mlp_mlx.py",
                                    "mlp_theano.py", "mlp_tinygrad.py"])
def test_an_mlp_given_image_dimensions_is_one_line(tmp_path, script):
    image = (16, 16, 3)
    data = npz(tmp_path, **{f"x_{p}": arrays(image)[f"x_{p}"] for p in ("train", "val", "test")})
    result = run_copy(copy(tmp_path, script, data, image=image, given=image), *EPOCHS)
    assert_one_line_error(result, "INPUT = (16, 16, 3) does not fit x_train in data.npz", "this script takes INPUT = (768,)")


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", ["mlp_numpy.py", "conv_torch.py", "conv_jax.py", "mlp_keras.py"])
def test_files_that_are_not_a_npz_are_one_line(tmp_path, script):
    """A .npy (a TypeError traceback), a text file (NumPy's advice to unpickle), a cut-off zip,
    pickled objects."""
    good = npz(tmp_path, "good.npz")
    np.save(tmp_path / "one.npy", arrays()["x_train"])
    (tmp_path / "text.npz").write_text("x_train,y_train\n0,1\n")
    (tmp_path / "cut.npz").write_bytes(good.read_bytes()[:5000])
    np.savez(tmp_path / "objects.npz", **dict(arrays(), y_val=np.array([{"a": 1}] * 20, dtype=object)))
    for name, words in [("one.npy", "is one array (np.save), not the six of a .npz: save them with np.savez("),
                        ("text.npz", "is not a .npz file (a zip of arrays): save the six arrays with np.savez("),
                        ("cut.npz", "is a damaged or cut-off .npz file"),
                        ("objects.npz", "holds Python objects, not arrays of numbers")]:
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        result = run_copy(copy(folder, script, tmp_path / name, name=name), *EPOCHS)
        assert_one_line_error(result, f"error: {name} {words}")
        assert "allow_pickle" not in result.stderr


@pytest.mark.slow  # it starts frameworks
@pytest.mark.parametrize("script", ["mlp_numpy.py", "conv_deep_torch.py", "conv_jax.py", "mlp_keras.py", "conv_mlx.py",
                                    "mlp_tinygrad.py"])
def test_save_after_own_data_records_the_data_file(tmp_path, script):
    data = npz(tmp_path, "digits.npz", **{f"x_{p}": arrays((12, 12, 1))[f"x_{p}"] for p in ("train", "val", "test")})
    path = copy(tmp_path, script, data, name="digits.npz", image=(12, 12, 1))
    result = run_copy(path, "--epochs", "1", "--save", "w.npz")
    assert result.returncode == 0, result.stderr[-3000:]
    with np.load(path.parent / "w.npz") as f:
        assert str(f["dataset"]) == "digits.npz"


def test_load_npz_names_each_fix(tmp_path):
    """The lines of docs/own-data.md that the copies above do not reach, on the loader alone."""
    def error(layout, shape, **changes):
        with pytest.raises(mnist.DataError) as raised:
            mnist.load_npz(npz(tmp_path, **changes), shape, layout)
        return str(raised.value)
    assert error("hwc", (12, 12, 1), x_train=lambda x: x.astype(np.int64)) == (
        "x_train in data.npz holds int64 values: give floats in [0, 1] or uint8 pixels (x.astype(np.uint8))")
    vectors = {f"x_{p}": (lambda x: x.reshape(len(x), -1)[:, :13]) for p in ("train", "val", "test")}
    assert error("hwc", (12, 12, 1), **vectors) == ("x_train in data.npz holds vectors of 13 values, not images: "
                                                     "a conv net takes images (n, height, width, channels)")
    (x, y), _, _ = mnist.load_npz(npz(tmp_path, **{k: (lambda v: v / np.float32(255)) for k in vectors}), (144,), "flat")
    assert x.shape == (60, 144) and x.dtype == np.float32 and x.max() <= 1
    first = {f"x_{p}": (lambda x: np.repeat(x, 3, axis=3).transpose(0, 3, 1, 2)) for p in ("train", "val", "test")}
    assert error("hwc", (12, 12, 3), **first) == (
        "INPUT = (12, 12, 3) does not fit x_train in data.npz, images of (3, 12, 12) (height, width, channels): this "
        "script takes INPUT = (3, 12, 12), (height, width, channels); or, if they are channels-first, save them as "
        "(n, height, width, channels): x.transpose(0, 2, 3, 1)")
    grey = {f"x_{p}": (lambda x: x[..., 0]) for p in ("train", "val", "test")}  # (n, h, w): one channel
    (x, _), _, _ = mnist.load_npz(npz(tmp_path, **grey), (1, 12, 12), "chw")
    assert x.shape == (60, 1, 12, 12)
    assert error("hwc", (12, 12, 1), y_test=lambda y: y - 1).startswith("label -1 in y_test in data.npz is negative")
    with pytest.raises(mnist.DataError, match=r"^INPUT = \(28, 28, 1\) does not fit MNIST, images of \(28, 28, 1\) "
                       r"\(height, width, channels\): this script takes INPUT = \(1, 28, 28\)"):
        mnist.load_data(shape=(28, 28, 1), layout="chw")  # before any file is read


def test_init_weights_stops_a_layer_without_units(monkeypatch):
    monkeypatch.setitem(mnist._loaded, "input", (5, 6, 2))
    with pytest.raises(mnist.DataError, match=r"^INPUT = \(5, 6, 2\) is too small for this network: it leaves a "
                       r"layer of shape \(0, 100\); the conv nets take images of at least 6x6 pixels"):
        mnist.init_weights(0, [(5, 5, 2, 8), (0, 100), (100, 5)])
    assert len(mnist.init_weights(0, [(5, 5, 2, 8), (8, 100)])) == 4
