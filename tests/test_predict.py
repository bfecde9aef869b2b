"""--save and predict.py: weights from any script, NumPy forward pass, image preprocessing."""
import importlib
import io
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFilter, ImageOps

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
    theirs = module.predict(module.build_model(params), x_test.reshape(-1, *shape))
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
    assert_one_line_error(cli(corrupted, digit), "not a .npz file (a damaged zip archive)")
    other = tmp_path / "other.npz"
    np.savez(other, w1=np.zeros((784, 50), np.float32), b1=np.zeros(50, np.float32),
             w2=np.zeros((50, 10), np.float32), b2=np.zeros(10, np.float32))
    assert_one_line_error(cli(other, digit), "match none of the models")
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, w1=np.array([{"a": 1}], dtype=object))
    assert_one_line_error(cli(pickled, digit), "w1.npy is an array of |O, not of numbers as --save writes them")
    result = cli(mlp_weights)
    assert result.returncode == 2  # argparse: an image is required


def test_swapped_arguments_say_which_comes_first(tmp_path):
    """predict.py IMAGE WEIGHTS (the two swapped): the message says that weights come first, and
    passes on none of NumPy's advice to unpickle."""
    result = cli(os.path.join(ROOT, "docs", "seven.png"), os.path.join(ROOT, "docs", "weights", "mlp.npz"))
    assert_one_line_error(result, "not a .npz file (not a zip archive): the first argument must be weights saved "
                                  "by a script's --save (for example docs/weights/mlp.npz)")
    assert "pickle" not in result.stderr and len(result.stderr) < 300


def test_save_needs_a_writable_npz_path(tmp_path):
    for bad in ["weights.txt", str(tmp_path / "no" / "such" / "dir.npz")]:
        with pytest.raises(SystemExit) as exit_:
            mnist.parse_args("x", ["--save", bad])
        assert exit_.value.code == 2


def png_chunk(kind, data):
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width, height):
    """A valid, all-black 1-bit PNG, written directly: its pixels compress to almost nothing,
    however many there are (what makes a decompression bomb)."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    pixels = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b""))


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


# --- predict.py in process (fast): the forward pass, the weights, the command line ---------------

SHAPES = {"mlp": [(784, 100), (100, 10)], "conv": [(5, 5, 1, 8), (1152, 100), (100, 10)],
          "deep conv": [(5, 5, 1, 8), (5, 5, 8, 16), (1600, 100), (100, 10)]}


def reference_probabilities(params, activation, x):
    """The forward pass written out the long way: convolution as a sum over the 25 offsets,
    max-pool as the maximum of the four offsets, softmax from its definition."""
    act = (lambda z: 1 / (1 + np.exp(-z))) if activation == "sigmoid" else (lambda z: np.maximum(z, 0))
    a = x.astype(np.float64)
    for i in range(0, len(params) - 4, 2):  # the conv layers
        w, b = params[i], params[i + 1]
        size = a.shape[1] - 4
        a = act(sum(a[:, di:di + size, dj:dj + size] @ w[di, dj] for di in range(5) for dj in range(5)) + b)
    if len(params) > 4:
        a = np.maximum.reduce([a[:, i::2, j::2] for i in (0, 1) for j in (0, 1)])
    a = act(a.reshape(len(a), -1) @ params[-4] + params[-3])
    z = a @ params[-2] + params[-1]
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (float64: no overflow at these scales)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("model", list(SHAPES))
def test_probabilities_match_the_forward_pass_written_out(model):
    activation = predict.MODELS[model][1]
    params = mnist.init_weights(1, SHAPES[model])
    for b in params[1::2]:
        b[:] = np.random.default_rng(2).normal(size=b.shape)  # biases that matter
    x = np.random.default_rng(3).random((3, 28, 28, 1), np.float32)
    p = predict.probabilities(params, activation, x)
    assert p.shape == (3, 10) and np.allclose(p.sum(axis=1), 1)
    np.testing.assert_allclose(p, reference_probabilities(params, activation, x), rtol=1e-4, atol=1e-6)


def test_probabilities_do_not_overflow_on_large_logits():
    params = mnist.init_weights(1, SHAPES["mlp"])
    params[2] *= 2000  # logits in the thousands: a naive softmax overflows to nan
    x = np.random.default_rng(3).random((2, 28, 28, 1), np.float32)
    p = predict.probabilities(params, "sigmoid", x)
    assert np.isfinite(p).all() and np.allclose(p.sum(axis=1), 1) and (p.max(axis=1) > 0.99).all()


@pytest.mark.parametrize("model,dataset", [("mlp", "mnist"), ("conv", "fashion"), ("deep conv", "mnist")])
def test_weights_load_as_saved(tmp_path, model, dataset):
    params = mnist.init_weights(4, SHAPES[model])
    mnist.save_weights(str(tmp_path / "w.npz"), [p.astype(np.float64) for p in params], dataset)
    loaded, activation, name = predict.load_weights(str(tmp_path / "w.npz"))
    assert (activation, name) == (predict.MODELS[model][1], dataset)
    assert [p.dtype for p in loaded] == [np.float32] * len(params)
    for a, b in zip(loaded, params):
        np.testing.assert_array_equal(a, b)


def load_error(path):
    with pytest.raises(predict.InputError) as error:
        predict.load_weights(str(path))
    return str(error.value)


def test_weights_that_are_not_a_models_are_refused_with_the_reason(tmp_path):
    mlp = mnist.init_weights(0, SHAPES["mlp"])
    assert load_error(tmp_path / "none.npz") == f"{tmp_path / 'none.npz'}: no such file"
    (tmp_path / "text.npz").write_text("not a zip")
    assert load_error(tmp_path / "text.npz").startswith(f"{tmp_path / 'text.npz'}: not a .npz file (not a zip archive): "
                                                        "the first argument")
    np.savez(tmp_path / "pickled.npz", w1=np.array([{"a": 1}], dtype=object))
    assert load_error(tmp_path / "pickled.npz").endswith(": w1.npy is an array of |O, not of numbers as --save writes them")
    assert "allow_pickle" not in load_error(tmp_path / "pickled.npz")
    np.savez(tmp_path / "gap.npz", w1=mlp[0], b1=mlp[1], w3=mlp[2], b3=mlp[3])
    assert load_error(tmp_path / "gap.npz") == \
        f"{tmp_path / 'gap.npz'}: no array 'w2' (not weights saved by a script's --save)"
    np.savez(tmp_path / "other.npz", w1=np.zeros((784, 50)), b1=np.zeros(50), w2=np.zeros((50, 10)), b2=np.zeros(10))
    assert load_error(tmp_path / "other.npz") == (f"{tmp_path / 'other.npz'}: weights of shapes "
                                                  "[(784, 50), (50, 10)] match none of the models (mlp, conv, deep conv)")
    np.savez(tmp_path / "bias.npz", w1=mlp[0], b1=np.zeros(99), w2=mlp[2], b2=mlp[3])
    assert "match none of the models" in load_error(tmp_path / "bias.npz")
    np.savez(tmp_path / "extra.npz", w1=mlp[0], b1=mlp[1], w2=mlp[2], b2=mlp[3], w3=np.zeros(3))
    assert load_error(tmp_path / "extra.npz") == f"{tmp_path / 'extra.npz'}: unexpected content for the mlp model"
    np.savez(tmp_path / "dataset.npz", dataset=np.array("cifar"), w1=mlp[0], b1=mlp[1], w2=mlp[2], b2=mlp[3])
    assert load_error(tmp_path / "dataset.npz") == (f"{tmp_path / 'dataset.npz'}: weights trained on cifar, not MNIST or "
                                                    "Fashion-MNIST: predict.py and the draw page read MNIST-like digits "
                                                    "only (28x28, grey)")
    np.savez(tmp_path / "plain.npz", w1=mlp[0], b1=mlp[1], w2=mlp[2], b2=mlp[3])  # no dataset: MNIST
    assert predict.load_weights(str(tmp_path / "plain.npz"))[2] == "mnist"
    mlp[1][0] = np.nan
    mnist.save_weights(str(tmp_path / "nan.npz"), mlp, "mnist")
    assert load_error(tmp_path / "nan.npz") == f"{tmp_path / 'nan.npz'}: the weights hold NaN or infinity (a diverged run?)"


def digit_image():
    """A thick ring with a tail, like a handwritten 9, dark on light, off-centre on a 200x120 page."""
    ys, xs = np.indices((120, 200))
    r = np.hypot(ys - 40, xs - 70)
    ink = ((r > 15) & (r < 26)) | ((xs >= 86) & (xs < 96) & (ys >= 40) & (ys < 105))
    return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))


def test_predict_prints_the_top_3_of_each_image(tmp_path, capsys):
    params = mnist.init_weights(5, SHAPES["conv"])
    mnist.save_weights(str(tmp_path / "w.npz"), params, "fashion")
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    digit_image().save(paths[0])
    digit_image().transpose(Image.Transpose.ROTATE_90).save(paths[1])
    predict.main([str(tmp_path / "w.npz"), *map(str, paths)])
    x = np.stack([predict.preprocess(Image.open(p)) for p in paths])
    names = predict.CLASSES["fashion"]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for path, line, p in zip(paths, lines, predict.probabilities(params, "sigmoid", x)):
        top = np.argsort(p)[::-1][:3]
        assert line == (f"{path}  {names[top[0]]}  {p[top[0]]:.4f}  top-3: "
                        f"{names[top[0]]} {p[top[0]]:.4f}, {names[top[1]]} {p[top[1]]:.4f}, {names[top[2]]} {p[top[2]]:.4f}")


def main_error(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        predict.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "" and err.count("\n") == 1
    return err.rstrip("\n")


def test_bad_input_is_one_line_naming_the_file(untrained, tmp_path, capsys):
    digit = tmp_path / "digit.png"
    digit_image().save(digit)
    assert main_error(capsys, tmp_path / "none.npz", digit) == f"predict.py: error: {tmp_path / 'none.npz'}: no such file"
    assert main_error(capsys, untrained, tmp_path / "none.png") == f"predict.py: error: {tmp_path / 'none.png'}: no such file"
    (tmp_path / "text.png").write_text("not an image")
    assert main_error(capsys, untrained, tmp_path / "text.png").startswith(
        f"predict.py: error: {tmp_path / 'text.png'}: not a readable image (")
    Image.new("L", (28, 28), 255).save(tmp_path / "blank.png")
    assert main_error(capsys, untrained, tmp_path / "blank.png") == f"predict.py: error: {tmp_path / 'blank.png'}: no ink found"
    (tmp_path / "bomb.png").write_bytes(png_bytes(10000, 10000))
    assert main_error(capsys, untrained, tmp_path / "bomb.png").startswith(
        f"predict.py: error: {tmp_path / 'bomb.png'}: too large an image (")
    with pytest.raises(SystemExit) as exit_:
        predict.main([str(untrained)])  # an image is required: argparse's usage error
    assert exit_.value.code == 2 and "required: IMAGE" in capsys.readouterr().err


def close(a, b, tolerance=0.01):
    return a.shape == b.shape and float(np.abs(a - b).mean()) <= tolerance


def test_preprocessing_makes_any_rendering_of_a_digit_the_same_mnist_image():
    """Dark on light or light on dark, colour, transparent, grey paper, a wide margin, a faint
    speck, another scale, or a photo's EXIF rotation: the same 28x28 image comes out."""
    image = digit_image()
    base = predict.preprocess(image)
    assert base.shape == (28, 28, 1) and base.dtype == np.float32
    assert base.min() == 0 and 0.99 <= base.max() <= 1 and (base > 0.5).sum() > 60
    ink = np.asarray(image) < 128
    transparent = np.zeros((*ink.shape, 4), np.uint8)
    transparent[ink] = (0, 0, 0, 255)  # black ink, the rest transparent
    grey_paper = np.where(ink, 0, 200).astype(np.uint8)
    speck = np.asarray(image).copy()
    speck[110:113, 190:193] = 235  # a faint mark far from the digit: no ink, not cropped to
    big = image.resize((600, 360), Image.NEAREST)
    rotated = image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display" undoes ROTATE_90
    rotated_file = io.BytesIO()
    rotated.save(rotated_file, "PNG", exif=exif.tobytes())
    variants = {
        "inverted": ImageOps.invert(image),
        "colour": Image.merge("RGB", [image] * 3),
        "transparent": Image.fromarray(transparent, "RGBA"),
        "grey paper": Image.fromarray(grey_paper),
        "margin": ImageOps.expand(image, 150, fill=255),
        "speck": Image.fromarray(speck),
        "exif rotation": Image.open(io.BytesIO(rotated_file.getvalue())),
    }
    for name, variant in variants.items():
        assert close(predict.preprocess(variant), base), name
    assert close(predict.preprocess(big), base, 0.03)  # resampled from another size
    assert not close(predict.preprocess(rotated), base, 0.05)  # without its EXIF: another image


def test_preprocessing_keeps_the_aspect_ratio_of_a_thin_stroke():
    image = Image.new("L", (200, 200), 255)
    image.paste(0, (90, 20, 110, 180))  # a vertical bar, 20 x 160: a "1"
    x = predict.preprocess(image)[:, :, 0]
    rows, cols = np.nonzero(x > 0.5)
    assert rows.max() - rows.min() + 1 == 20 and cols.max() - cols.min() + 1 in (2, 3, 4)


def on_a_page(ink, pad=20):
    """A white page with a black shape (a boolean array) in the middle."""
    page = np.full((ink.shape[0] + 2 * pad, ink.shape[1] + 2 * pad), 255, np.uint8)
    page[pad:pad + ink.shape[0], pad:pad + ink.shape[1]] = np.where(ink, 0, 255)
    return Image.fromarray(page)


def test_preprocessing_a_20_pixel_shape_is_exact():
    """A shape exactly 20 pixels tall and wide is not resampled: it lands, intact and at full
    strength, with its centre of mass at (14, 14), or as near as the 28x28 frame allows."""
    square, tee, narrow = np.ones((20, 20), bool), np.zeros((20, 20), bool), np.zeros((20, 10), bool)
    tee[:2], tee[:, 10] = True, True  # a T with a thin stem: its mass is near its top
    narrow[:2], narrow[:, 5] = True, True
    for shape, top, left in [(square, 4, 4), (tee, 8, 4), (tee[::-1], 0, 4), (tee.T, 4, 8), (tee.T[:, ::-1], 4, 0),
                             (narrow, 8, 9), (narrow.T, 9, 8)]:
        expected = np.zeros((28, 28), np.float32)
        expected[top:top + shape.shape[0], left:left + shape.shape[1]] = shape
        np.testing.assert_array_equal(predict.preprocess(on_a_page(shape))[:, :, 0], expected)
    # grey ink (a pencil) comes out at full strength too
    pencil = np.asarray(on_a_page(square)).copy()
    pencil[pencil == 0] = 128
    expected = np.zeros((28, 28), np.float32)
    expected[4:24, 4:24] = 1
    np.testing.assert_array_equal(predict.preprocess(Image.fromarray(pencil))[:, :, 0], expected)
    # ink is what is darker than a fifth of the darkest ink: a fainter stroke (at 0.4 of it) counts
    pencil[10:12, 20:40] = 204
    assert not close(predict.preprocess(Image.fromarray(pencil)), expected[:, :, None], 0.05)


def test_a_40_pixel_shape_is_halved_with_lanczos():
    """Larger ink is scaled into the 20-pixel box with Pillow's Lanczos filter (anti-aliased, as
    MNIST's digits were), then placed by its centre of mass."""
    tee = np.zeros((20, 20), bool)
    tee[:2], tee[:, 10] = True, True
    big = np.kron(tee, np.ones((2, 2), bool))  # the T at twice the size: 40 x 40
    small = Image.fromarray(np.where(big, 255, 0).astype(np.uint8)).resize((20, 20), Image.LANCZOS)
    expected = np.zeros((28, 28), np.float32)
    expected[8:28, 4:24] = np.asarray(small, np.float32) / 255
    np.testing.assert_array_equal(predict.preprocess(on_a_page(big))[:, :, 0], expected)


def test_the_paper_is_the_median_of_the_outermost_pixels():
    """Only the outermost rows and columns count. Here 12 of their values are 0.2 and 12 are
    0.8, so the median is 0.5; the lines one pixel further in hold other values."""
    grey = np.full((8, 4), 0.2, np.float32)
    grey[1:-1, [0, -1]] = 0.8
    assert predict.edge_median(grey) == pytest.approx(0.5)
    assert predict.edge_median(grey.T) == pytest.approx(0.5)


def test_ink_ties_are_broken_one_way():
    """Paper of exactly mid-grey (its edge half 127, half 128: a median of 0.5) counts as dark,
    so light ink on it is found; paper of 128 alone (128 / 255 > 0.5) is light, so dark ink on it
    is found; a pixel at exactly a fifth of the ink's maximum is not ink."""
    square = np.zeros((28, 28), np.float32)
    square[4:24, 4:24] = 1
    page = np.full((60, 60), 127, np.uint8)
    page[30:] = 128
    page[20:40, 20:40] = 255
    np.testing.assert_array_equal(predict.preprocess(Image.fromarray(page))[:, :, 0], square)
    page[:] = 128
    page[20:40, 20:40] = 0
    np.testing.assert_array_equal(predict.preprocess(Image.fromarray(page))[:, :, 0], square)
    page = np.zeros((60, 60), np.uint8)
    page[20:40, 20:40] = 255
    page[5, 50] = 51  # 51 / 255: exactly 0.2 of the ink
    np.testing.assert_array_equal(predict.preprocess(Image.fromarray(page))[:, :, 0], square)
    page[5, 50] = 52  # just above: a speck of ink, so the crop takes it in
    assert not close(predict.preprocess(Image.fromarray(page)), square[:, :, None], 0.05)


def test_preprocessing_keeps_a_one_pixel_line_one_pixel_wide():
    line = np.zeros((200, 1), bool) | True  # 200 tall, 1 wide: it scales to 20 by 0.1
    for shape in [line, line.T]:
        x = predict.preprocess(on_a_page(shape))[:, :, 0]
        rows, cols = np.nonzero(x > 0)
        assert sorted([len(set(rows)), len(set(cols))]) == [1, 20]


def test_preprocessing_a_smooth_digit_either_way_round():
    """Grey levels (a blurred stroke) survive: light on dark and dark on light agree."""
    smooth = digit_image().filter(ImageFilter.GaussianBlur(3))
    assert close(predict.preprocess(ImageOps.invert(smooth)), predict.preprocess(smooth))


def test_preprocessing_puts_transparent_images_on_white_paper():
    image = digit_image()
    base = predict.preprocess(image)
    ink = np.asarray(image) < 128
    # a palette image whose background colour is black too, but transparent
    palette = Image.fromarray(ink.astype(np.uint8), "P")
    palette.putpalette([0, 0, 0] * 256)
    palette.info["transparency"] = 0
    grey_alpha = Image.merge("LA", [Image.new("L", image.size, 0), Image.fromarray(np.where(ink, 255, 0).astype(np.uint8))])
    for variant in [palette, grey_alpha]:
        assert close(predict.preprocess(variant), base), variant.mode
    # paper lighter than its median in places (a reflection inside the ring) is still paper
    shiny = np.where(ink, 0, 200).astype(np.uint8)
    ys, xs = np.indices(shiny.shape)
    shiny[np.hypot(ys - 40, xs - 70) < 14] = 255  # the hole of the ring
    assert close(predict.preprocess(Image.fromarray(shiny)), base)


def test_an_image_that_pillow_warns_about_is_still_read(tmp_path):
    """Only the decompression-bomb warning is made an error: a PNG with a broken animation
    chunk (acTL with 0 frames, which Pillow warns of) is read as the still image it holds."""
    plain = io.BytesIO()
    digit_image().save(plain, "PNG")
    data = plain.getvalue()
    actl = png_chunk(b"acTL", struct.pack(">II", 0, 0))  # 0 frames, 0 plays
    (tmp_path / "broken.png").write_bytes(data[:33] + actl + data[33:])  # after the IHDR chunk
    with pytest.warns(UserWarning, match="Invalid APNG"):
        x = predict.load_image(tmp_path / "broken.png")
    np.testing.assert_array_equal(x, predict.preprocess(digit_image()))


def test_probabilities_are_a_softmax_per_image():
    """Each image's logits are shifted by its own maximum: images with far apart logits in one
    batch must not underflow to 0/0."""
    params = mnist.init_weights(1, SHAPES["mlp"])
    params[2] *= 1e5
    x = np.stack([np.zeros((28, 28, 1), np.float32), np.ones((28, 28, 1), np.float32)])
    p = predict.probabilities(params, "sigmoid", x)
    assert np.isfinite(p).all() and np.allclose(p.sum(axis=1), 1)


def test_predict_help_names_its_arguments(capsys):
    with pytest.raises(SystemExit) as exit_:
        predict.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert "FILE.npz IMAGE [IMAGE ...] Classify images with weights saved by any script's --save, in NumPy." in text
    assert "FILE.npz weights saved by a script's --save IMAGE PNG or JPEG files" in text
