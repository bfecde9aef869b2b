"""--save and predict.py: weights from any script, NumPy forward pass, image preprocessing."""
import importlib
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

import mnist
import predict
from conftest import ROOT, run
from test_scripts import CONVS, DEEPS, MLPS

TEST_LINE = "test accuracy "


def reported_accuracy(result):
    assert result.returncode == 0, result.stderr[-2000:]
    return float(result.stdout.rsplit(TEST_LINE, 1)[1])


@pytest.fixture(scope="module")
def test_set(real_data_dir):
    return mnist.load_data(shape=(28, 28, 1))[2]


def weights_of(path):
    params, activation, _ = predict.load_weights(str(path))
    return params, activation


@pytest.mark.slow
@pytest.mark.parametrize("script,backend", [(s, None) for s in MLPS + CONVS + DEEPS] +
                         [(s, b) for s in ["mlp_keras.py", "conv_keras.py", "conv_deep_keras.py"]
                          for b in ["torch", "jax"]])
def test_saved_weights_and_partial_batches(real_data_dir, test_set, tmp_path, script, backend):
    """One step on 25 images, as one batch of 25 or one partial batch (batch size 30): the
    saved weights must agree (no batch dropped), differ from the initial ones, and give
    predict.py the test accuracy that the script itself reported."""
    env = {"KERAS_BACKEND": backend} if backend else None
    flags = ["--epochs", "1", "--train-size", "25", "--lr", "1"]
    whole = run(script, *flags, "--batch-size", "25", "--save", str(tmp_path / "a.npz"), env=env)
    partial = run(script, *flags, "--batch-size", "30", "--save", str(tmp_path / "b.npz"), env=env)
    (a, activation), (b, _) = weights_of(tmp_path / "a.npz"), weights_of(tmp_path / "b.npz")
    shapes = [w.shape for w in a[::2]]
    initial = mnist.init_weights(0, shapes)
    for wa, wb in zip(a, b):
        np.testing.assert_allclose(wa, wb, atol=1e-5)
    assert all(not np.allclose(wa, w0) for wa, w0 in zip(a, initial))  # every array trained
    x_test, y_test = test_set
    mine = mnist.accuracy(predict.probabilities(a, activation, x_test).argmax(axis=1), y_test)
    assert abs(mine - reported_accuracy(whole)) <= 0.0002
    assert abs(reported_accuracy(partial) - reported_accuracy(whole)) <= 0.0002


@pytest.mark.slow
@pytest.mark.parametrize("script,shape", [("mlp_torch.py", (784,)), ("conv_torch.py", (1, 28, 28))])
def test_predict_matches_the_scripts_own_forward_pass(real_data_dir, test_set, tmp_path, script, shape):
    path = tmp_path / "w.npz"
    result = run(script, "--epochs", "1", "--train-size", "10000", "--save", str(path))
    params, activation = weights_of(path)
    x_test, y_test = test_set
    ours = predict.probabilities(params, activation, x_test).argmax(axis=1)
    module = importlib.import_module(script.removesuffix(".py"))
    theirs = module.predict(module.feed_forward(params), x_test.reshape(-1, *shape))
    assert mnist.accuracy(ours, y_test) > 0.85
    assert (ours != theirs).sum() <= 2  # argmax near-ties may differ in float rounding
    assert abs(mnist.accuracy(ours, y_test) - reported_accuracy(result)) <= 0.0002


@pytest.fixture(scope="module")
def mlp_weights(real_data_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("w") / "mlp.npz"
    assert run("mlp_numpy.py", "--epochs", "1", "--save", str(path)).returncode == 0
    return path


def save_variants(digit, folder):
    """The digit as a user might photograph or draw it: inverted, rescaled, coloured, JPEG."""
    dark_on_light = Image.fromarray((255 - digit * 255).astype(np.uint8))
    variants = {
        "big_inverted.png": dark_on_light.resize((112, 112), Image.BICUBIC),
        "small_light_on_dark.png": Image.fromarray((digit * 255).astype(np.uint8)).resize((56, 56)),
    }
    padded = Image.new("L", (200, 150), 255)  # a wide margin of paper around the digit
    padded.paste(dark_on_light.resize((84, 84)), (20, 50))
    variants["padded.png"] = padded
    wide = Image.new("RGB", (300, 120), (250, 245, 230))  # off-white paper, off-centre, JPEG
    wide.paste(dark_on_light.resize((84, 84), Image.BICUBIC).convert("RGB"), (170, 20))
    variants["wide.jpg"] = wide
    rgba = Image.new("RGBA", (84, 84), (0, 0, 0, 0))  # transparent, with blue ink
    ink = np.asarray(Image.fromarray((digit * 255).astype(np.uint8)).resize((84, 84)))
    rgba.putalpha(Image.fromarray(ink))
    variants["transparent.png"] = Image.alpha_composite(Image.new("RGBA", (84, 84), (0, 0, 255, 0)), rgba)
    paths = []
    for name, image in variants.items():
        image.save(folder / name)
        paths.append(str(folder / name))
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("index", [0, 1, 2, 3, 4])
def test_mnist_test_image_inverted_and_rescaled(test_set, mlp_weights, tmp_path, index):
    x_test, y_test = test_set
    digit = x_test[index, :, :, 0]
    paths = save_variants(digit, tmp_path)
    for path in paths:  # preprocessing recovers an image close to the original
        recovered = predict.load_image(path)[:, :, 0]
        assert np.corrcoef(recovered.ravel(), digit.ravel())[0, 1] > 0.8, path
    result = subprocess.run([sys.executable, "predict.py", str(mlp_weights), *paths], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths)
    for path, line in zip(paths, lines):
        fields = line.split()
        assert fields[0] == path and fields[1] == str(y_test[index]) and "top-3:" in line


def test_preprocessing_centres_by_mass_in_a_20_pixel_box():
    image = Image.new("L", (300, 100), 255)
    image.paste(0, (100, 20, 160, 80))  # a black 60x60 square off-centre on white paper
    x = predict.preprocess(image)[:, :, 0]
    rows, cols = np.nonzero(x > 0.5)
    assert rows.max() - rows.min() + 1 in (19, 20, 21) and cols.max() - cols.min() + 1 in (19, 20, 21)
    ys, xs = np.indices(x.shape)
    assert abs((ys * x).sum() / x.sum() - 14) <= 0.5 and abs((xs * x).sum() / x.sum() - 14) <= 0.5


def cli(*args):
    return subprocess.run([sys.executable, "predict.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def assert_one_line_error(result, text):
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("predict.py: error: ") and text in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.slow
def test_bad_input_is_one_line_and_exit_2(mlp_weights, tmp_path):
    digit = tmp_path / "digit.png"
    Image.new("L", (28, 28), 0).save(tmp_path / "blank.png")
    Image.fromarray(np.eye(28, dtype=np.uint8) * 255).save(digit)
    assert cli(mlp_weights, digit).returncode == 0
    assert_one_line_error(cli(tmp_path / "missing.npz", digit), "no such file")
    assert_one_line_error(cli(mlp_weights, tmp_path / "missing.png"), "no such file")
    (tmp_path / "text.png").write_text("not an image")
    assert_one_line_error(cli(mlp_weights, tmp_path / "text.png"), "not a readable image")
    assert_one_line_error(cli(mlp_weights, tmp_path / "blank.png"), "no ink")
    corrupted = tmp_path / "corrupted.npz"
    corrupted.write_bytes(mlp_weights.read_bytes()[:500])
    assert_one_line_error(cli(corrupted, digit), "not a readable .npz")
    other = tmp_path / "other.npz"
    np.savez(other, w1=np.zeros((784, 50), np.float32), b1=np.zeros(50, np.float32),
             w2=np.zeros((50, 10), np.float32), b2=np.zeros(10, np.float32))
    assert_one_line_error(cli(other, digit), "match none of the models")
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, w1=np.array([{"a": 1}], dtype=object))
    assert_one_line_error(cli(pickled, digit), "not a readable .npz")
    result = cli(mlp_weights)
    assert result.returncode == 2  # argparse: an image is required


def test_save_needs_a_writable_npz_path(tmp_path):
    for bad in ["weights.txt", str(tmp_path / "no" / "such" / "dir.npz")]:
        with pytest.raises(SystemExit) as exit_:
            mnist.parse_args("x", ["--save", bad])
        assert exit_.value.code == 2


def png_bytes(width, height):
    """A valid, all-black 1-bit PNG, written directly: its pixels compress to almost nothing,
    however many there are (what makes a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    pixels = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


@pytest.fixture
def untrained(tmp_path):
    """MLP weights as a script's --save writes them, without training."""
    path = tmp_path / "untrained.npz"
    mnist.save_weights(str(path), mnist.init_weights(0, [(784, 100), (100, 10)]), "mnist")
    return path


def test_a_decompression_bomb_is_one_line_and_exit_2(untrained, tmp_path):
    small, bomb = tmp_path / "small.png", tmp_path / "bomb.png"
    small.write_bytes(png_bytes(28, 28))
    assert Image.open(small).size == (28, 28)  # the writer makes real PNGs
    bomb.write_bytes(png_bytes(20000, 20000))  # 400 million pixels in a file of some 60 KB
    assert bomb.stat().st_size < 100_000
    assert_one_line_error(cli(untrained, bomb), "too large an image")
    bomb.write_bytes(png_bytes(10000, 10000))  # past Pillow's warning limit, under its error limit
    assert_one_line_error(cli(untrained, bomb), "too large an image")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_one_line_and_exit_2(untrained, tmp_path, bad):
    params = mnist.init_weights(0, [(784, 100), (100, 10)])
    params[3][4] = bad  # one bias of the output layer
    path = tmp_path / "diverged.npz"
    mnist.save_weights(str(path), params, "mnist")
    digit = tmp_path / "digit.png"
    Image.fromarray(np.eye(28, dtype=np.uint8) * 255).save(digit)
    assert cli(untrained, digit).returncode == 0
    assert_one_line_error(cli(path, digit), "NaN or infinity")
