"""Classify images with weights saved by any script's --save, in NumPy.

    python predict.py weights.npz digit.png [more.png ...]

Prints one line per image: its path, the predicted class, its probability, and the top 3.
Any PNG or JPEG of any size, colour or grey, dark on light or light on dark, is made
MNIST-like first: grayscale, inverted when the background is light, cropped to the ink,
scaled into a 20x20 box and centred by its centre of mass in 28x28.
"""
import argparse
import io
import math
import os
import re
import struct
import sys
import warnings
import zipfile
import zlib

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# The models the scripts train, by the shapes of their weights (the canonical layout of
# mnist.init_weights), with the activation of their hidden layers
MODELS = {
    "mlp": ([(784, 100), (100, 10)], "sigmoid"),
    "conv": ([(5, 5, 1, 8), (1152, 100), (100, 10)], "sigmoid"),
    "deep conv": ([(5, 5, 1, 8), (5, 5, 8, 16), (1600, 100), (100, 10)], "relu"),
}
CLASSES = {
    "mnist": [str(d) for d in range(10)],
    "fashion": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot"],
}


class InputError(Exception):
    """Bad input: the message is the one line the user sees."""


MAX_WEIGHTS = 16 * 2 ** 20  # bytes, of a file and of its arrays inflated; the largest net saves under 1 MiB
MAX_TEXT = 256  # characters of the dataset's name
SWAPPED = (": the first argument must be weights saved by a script's --save (for example docs/weights/mlp.npz), "
           "the images after it")


def read_npz(path):
    """{name: array or str} of a .npz file, read as the draw page reads it (docs/pages/draw.js,
    unzip and npy): every size checked before anything is inflated or allocated, each array's
    bytes exactly its header's shape, text no longer than MAX_TEXT. InputError says why not."""
    try:
        size = os.path.getsize(path)
        if size > MAX_WEIGHTS:  # before reading it
            raise InputError(f"too large a file ({size / 2 ** 20:.1f} MiB; weights saved by --save are under 1 MiB)")
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError("no such file") from None
    except OSError as e:
        raise InputError(f"cannot read it ({e.strerror})") from None
    if size < 22 or data[:4] != b"PK\x03\x04":
        raise InputError("not a .npz file (not a zip archive)")
    entries = {}
    try:
        if not central_directory_fits(data):
            raise zipfile.BadZipFile("an entry runs past the end")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = 0
            for info in archive.infolist():  # the sizes that the central directory gives, before inflating
                total += info.file_size
                if total > MAX_WEIGHTS:
                    raise InputError(f"{info.filename} inflates to more than the largest weights ({total / 2 ** 20:.1f} "
                                     "MiB; weights saved by --save are under 1 MiB)")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise InputError(f"not a .npz file as NumPy writes it ({info.filename} compressed by method "
                                     f"{info.compress_type})")
            for info in archive.infolist():
                entries[info.filename] = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        raise InputError("not a .npz file (a damaged zip archive)") from None
    arrays = {}
    for name, data in entries.items():
        if not name.endswith(".npy"):
            raise InputError(f"not .npy arrays ({name})")
        arrays[name[:-4]] = npy(name, data)
    return arrays


def central_directory_fits(data):
    """Whether every entry of a zip's central directory lies inside the file, as the page checks:
    zipfile reads a name that runs past the end as far as the file goes."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        return False
    count, at = struct.unpack_from("<H", data, end + 10)[0], struct.unpack_from("<I", data, end + 16)[0]
    for _ in range(count if count != 0xFFFF else 0):  # (ZIP64's count: zipfile's own checks)
        if at + 46 > len(data) or data[at:at + 4] != b"PK\x01\x02":
            return False
        at += 46 + sum(struct.unpack_from("<HHH", data, at + 28))  # name, extra field, comment
        if at > len(data):
            return False
    return True


def npy(name, data):
    """One .npy array of a .npz: a float32 array, or for text (the dataset) a str."""
    def bad(why):
        return InputError(f"{name} is {why}")
    if len(data) < 12 or data[:6] != b"\x93NUMPY":
        raise bad("not a .npy array")
    major = data[6]
    start, length = (10, int.from_bytes(data[8:10], "little")) if major == 1 else (12, int.from_bytes(data[8:12], "little"))
    header = data[start:start + length].decode("utf-8" if major >= 3 else "latin1", errors="replace")
    descr = re.search(r"'descr':\s*'([^']*)'", header)
    order = re.search(r"'fortran_order':\s*(True|False)", header)
    dims = re.search(r"'shape':\s*\(([^)]*)\)", header)
    shape = [d.strip() for d in dims.group(1).split(",") if d.strip()] if dims else None
    if not descr or not order or shape is None or not all(d.isdigit() for d in shape):
        raise bad("not a .npy array (its header)")
    shape = [int(d) for d in shape]
    count, body = math.prod(shape), start + length
    text = re.fullmatch(r"[<>=|]U(\d+)", descr.group(1))
    number = re.fullmatch(r"([<>=|])f([48])", descr.group(1))
    if not text and not number:
        raise bad(f"an array of {descr.group(1)}, not of numbers as --save writes them")
    width = 4 * int(text.group(1)) if text else int(number.group(2))
    if text and count * width // 4 > MAX_TEXT:
        raise bad(f"too long a text ({count * width // 4} characters; a dataset's name is short)")
    if body + count * width > len(data):
        raise bad("cut short")
    if body + count * width < len(data):
        raise bad("longer than its array (not written by --save)")
    big = descr.group(1)[0] == ">"
    if text:
        codes = np.frombuffer(data, ">u4" if big else "<u4", count * width // 4, body)
        codes = codes[codes != 0]
        if (codes > 0x10FFFF).any() or ((codes >= 0xD800) & (codes <= 0xDFFF)).any():
            raise bad("not text (a character past U+10FFFF, or a lone surrogate)")
        return "".join(map(chr, codes))
    array = np.frombuffer(data, (">" if big else "<") + f"f{width}", count, body)
    return array.reshape(shape, order="F" if order.group(1) == "True" else "C").astype(np.float32)


def weights_model(arrays):
    """(params, activation, dataset) of the arrays of a --save file, or InputError: the model by
    its shapes, the dataset one of CLASSES, nothing else in the file, every weight finite."""
    dataset = arrays.pop("dataset", "mnist")
    if not isinstance(dataset, str):
        raise InputError("dataset.npy is not text, as --save writes it")
    if dataset not in CLASSES:
        raise InputError(f"weights trained on {dataset}, not MNIST or Fashion-MNIST: predict.py and the draw page "
                         "read MNIST-like digits only (28x28, grey)")
    layers, params = len(arrays) // 2, []
    for i in range(1, layers + 1):
        for kind in "wb":
            if not isinstance(arrays.get(f"{kind}{i}"), np.ndarray):
                raise InputError(f"no array '{kind}{i}' (not weights saved by a script's --save)")
            params.append(arrays.pop(f"{kind}{i}"))
    shapes = [w.shape for w in params[::2]]
    for name, (model_shapes, activation) in MODELS.items():
        if shapes == model_shapes and all(b.shape == (s[-1],) for b, s in zip(params[1::2], shapes)):
            if arrays:
                raise InputError(f"unexpected content for the {name} model")
            if not all(np.isfinite(p).all() for p in params):
                raise InputError("the weights hold NaN or infinity (a diverged run?)")
            return params, activation, dataset
    shown = ", ".join(f"({', '.join(map(str, s))}{',' if len(s) == 1 else ''})" for s in shapes)
    raise InputError(f"weights of shapes [{shown}] match none of the models ({', '.join(MODELS)})")


def load_weights(path):
    """(params, activation, dataset) from a .npz written by a script's --save; InputError
    "PATH: why", in the words of the draw page (tests/test_pages.py runs one table of bad files
    against both)."""
    try:
        return weights_model(read_npz(path))
    except InputError as e:
        raise InputError(f"{path}: {e}" + (SWAPPED if str(e) == "not a .npz file (not a zip archive)" else "")) from None


def conv(x, w, b):
    """Valid cross-correlation: x (n, h, w, c_in), w (5, 5, c_in, c_out) -> (n, h-4, w-4, c_out)."""
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[:2], axis=(1, 2))
    return np.einsum("nhwcij,ijco->nhwo", windows, w, optimize=True) + b


def probabilities(params, activation, x):
    """Softmax outputs for images x (n, 28, 28, 1) in [0, 1]. The float32 weights and image in
    float64 arithmetic, as the draw page's JavaScript computes (float32's rounding alone would put
    the two about 1e-6 apart on the deep net)."""
    params, x = [np.asarray(p, np.float64) for p in params], np.asarray(x, np.float64)
    act = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "relu": lambda z: np.maximum(z, 0)}[activation]
    *convs, (w_fc, b_fc), (w_out, b_out) = zip(params[::2], params[1::2])
    a = x if convs else x.reshape(len(x), 784)
    if convs:
        for w, b in convs:
            a = act(conv(a, w, b))
        n, h, wd, c = a.shape
        a = a.reshape(n, h // 2, 2, wd // 2, 2, c).max(axis=(2, 4)).reshape(n, -1)  # 2x2 max-pool
    z = act(a @ w_fc + b_fc) @ w_out + b_out
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def edge_median(grey):
    """The paper's grey level: the median of the image's outermost rows and columns."""
    return np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]))


def preprocess(image):
    """An MNIST-like (28, 28, 1) float32 array in [0, 1] from a PIL image."""
    image = ImageOps.exif_transpose(image)  # photos: upright as the camera held them
    if "A" in image.getbands() or "transparency" in image.info:  # transparent: onto white paper
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    grey = np.asarray(image.convert("L"), np.float32) / 255
    if edge_median(grey) > 0.5:
        grey = 1 - grey  # dark ink on a light background: make it light on dark, as MNIST is
    paper = edge_median(grey)
    grey = np.clip((grey - paper) / max(1 - paper, 1e-3), 0, 1)  # the background becomes 0
    rows, cols = np.nonzero(grey > 0.2 * grey.max()) if grey.max() > 0 else ((), ())
    if len(rows) == 0:
        raise InputError("no ink found")
    ink = grey[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = 20 / max(ink.shape)  # the longer side becomes 20 pixels, the aspect ratio stays
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    small = np.asarray(Image.fromarray((ink / ink.max() * 255).astype(np.uint8)).resize(
        size, Image.LANCZOS), np.float32) / 255
    ys, xs = np.indices(small.shape)
    cy, cx = (ys * small).sum() / small.sum(), (xs * small).sum() / small.sum()
    top = int(np.clip(round(14 - cy), 0, 28 - small.shape[0]))  # centre of mass to (14, 14)
    left = int(np.clip(round(14 - cx), 0, 28 - small.shape[1]))
    out = np.zeros((28, 28), np.float32)
    out[top:top + small.shape[0], left:left + small.shape[1]] = small
    return out[:, :, None]


def load_image(path):
    try:
        with warnings.catch_warnings():  # past Pillow's pixel limit, refuse rather than warn
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return preprocess(image)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise InputError(f"{path}: too large an image ({e})") from None
    except (UnidentifiedImageError, OSError) as e:
        raise InputError(f"{path}: not a readable image ({e})") from None
    except InputError as e:
        raise InputError(f"{path}: {e}") from None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("weights", metavar="FILE.npz", help="weights saved by a script's --save")
    p.add_argument("images", metavar="IMAGE", nargs="+", help="PNG or JPEG files")
    args = p.parse_args(argv)
    try:
        params, activation, dataset = load_weights(args.weights)
        x = np.stack([load_image(path) for path in args.images])
    except InputError as e:
        print(f"predict.py: error: {e}", file=sys.stderr)
        sys.exit(2)
    names = CLASSES[dataset]
    for path, probs in zip(args.images, probabilities(params, activation, x)):
        top = np.argsort(probs)[::-1][:3]
        print(f"{path}  {names[top[0]]}  {probs[top[0]]:.4f}  top-3: " +
              ", ".join(f"{names[k]} {probs[k]:.4f}" for k in top))


if __name__ == "__main__":
    main()
