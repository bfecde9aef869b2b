"""Classify images with weights saved by any script's --save, in NumPy.

    python predict.py weights.npz digit.png [more.png ...]

Prints one line per image: its path, the predicted class, its probability, and the top 3.
Any PNG or JPEG of any size, colour or grey, dark on light or light on dark, is made
MNIST-like first: grayscale, inverted when the background is light, cropped to the ink,
scaled into a 20x20 box and centred by its centre of mass in 28x28.
"""
import argparse
import sys
import warnings
import zipfile

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


def npz_problem(path, error):
    """Why np.load could not read path, said without NumPy's advice to unpickle (never do that
    with a file of unknown origin), and with which argument comes first."""
    try:
        with open(path, "rb") as f:
            zipped = f.read(4) == b"PK\x03\x04"
    except OSError as e:
        return f"cannot read it ({e.strerror})"
    if not zipped:
        return ("not a .npz file: the first argument must be weights saved by a script's --save "
                "(for example docs/weights/mlp.npz), the images after it")
    if "pickle" in str(error):
        return "not a readable .npz file (it holds Python objects: not weights saved by --save)"
    return f"not a readable .npz file ({error})"


def load_weights(path):
    """(params, activation, dataset) from a .npz written by a script's --save."""
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = dict(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: {npz_problem(path, e)}") from None
    dataset = str(arrays.pop("dataset", "mnist"))
    layers = len(arrays) // 2
    try:
        params = [arrays.pop(f"{kind}{i}") for i in range(1, layers + 1) for kind in "wb"]
    except KeyError as e:
        raise InputError(f"{path}: no array {e} (not weights saved by a script's --save)") from None
    shapes = [w.shape for w in params[::2]]
    for name, (model_shapes, activation) in MODELS.items():
        if shapes == model_shapes and all(b.shape == (s[-1],) for b, s in zip(params[1::2], shapes)):
            if dataset not in CLASSES or arrays:
                raise InputError(f"{path}: unexpected content for the {name} model")
            if not all(np.isfinite(p).all() for p in params):
                raise InputError(f"{path}: the weights hold NaN or infinity (a diverged run?)")
            return [p.astype(np.float32) for p in params], activation, dataset
    raise InputError(f"{path}: weights of shapes {shapes} match none of the models "
                     f"({', '.join(MODELS)})")


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
