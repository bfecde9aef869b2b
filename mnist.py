"""MNIST (and Fashion-MNIST): download, verify, cache and load; plus what every script shares.

Data: `load_data()` returns ((x_train, y_train), (x_val, y_val), (x_test, y_test)), the last
`validation_size` official training images split off as the validation set. The four official
IDX files are cached in `data/mnist/` (or `data/fashion/`) beside this file, or in the
directory that `MNIST_DATA_DIR` (`FASHION_MNIST_DATA_DIR`) names, and are verified on every
load by the SHA-256 of their decompressed content, their IDX magic number and dimensions.

Skeleton, the helpers that every script's loop calls: `parse_args` (the flags), `init_weights`
(the one initialiser), `epochs` (each epoch's batch order), `accuracy`, `report` (the epoch's
line, and the stop on divergence), `finish` (the test line, --save and --target), `check_labels`;
and `run(main)`, which each script's `if __name__ == "__main__":` line calls: what a run needs
(BLAS on one thread, unusable data as one line, Ctrl-C as one line and then death by SIGINT).
Imported by another program, this module and the scripts change nothing global.
"""
import argparse
import contextlib
import gzip
import hashlib
import importlib.util
import os
import re
import sys
import tempfile
import time
import zipfile
import zlib


import numpy as np

DATASETS = {
    "mnist": {
        "dir_env": "MNIST_DATA_DIR",
        "mirror_env": "MNIST_MIRROR",
        "subdir": "mnist",
        "mirrors": [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",  # answers 403/404 for years: last resort
        ],
        # file name -> (SHA-256 of the decompressed content, IDX dimensions)
        "files": {
            "train-images-idx3-ubyte.gz": (
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", (60000, 28, 28)),
            "train-labels-idx1-ubyte.gz": (
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", (60000,)),
            "t10k-images-idx3-ubyte.gz": (
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", (10000, 28, 28)),
            "t10k-labels-idx1-ubyte.gz": (
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", (10000,)),
        },
    },
    "fashion": {
        "dir_env": "FASHION_MNIST_DATA_DIR",
        "mirror_env": "FASHION_MNIST_MIRROR",
        "subdir": "fashion",
        "mirrors": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        "files": {
            "train-images-idx3-ubyte.gz": (
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", (60000, 28, 28)),
            "train-labels-idx1-ubyte.gz": (
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", (60000,)),
            "t10k-images-idx3-ubyte.gz": (
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", (10000, 28, 28)),
            "t10k-labels-idx1-ubyte.gz": (
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", (10000,)),
        },
    },
}
TIMEOUT = (10, 30)  # seconds: connect, read (between two chunks of the body)
HEADERS = {"User-Agent": "simple-neural-networks-mnist-loader/1.0"}
DEEP_LR = 0.04  # the learning rate of every conv_deep_*.py (ReLU at 0.2 is unstable)
DEEP_LR_HELP = ("learning rate, default: %(default)s (measured with conv_deep_tensorflow.py, seeds 0, 1, 2: "
                "test accuracy 0.9922, 0.9925, 0.9916)")


class DataError(Exception):
    """The data could not be had, or cannot be used: the message says why and what to do."""


def data_dir(dataset="mnist"):
    spec = DATASETS[dataset]
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", spec["subdir"])
    return os.environ.get(spec["dir_env"]) or default


def mirrors(dataset="mnist"):
    spec = DATASETS[dataset]
    urls = os.environ.get(spec["mirror_env"], "").split(",")
    return [u.strip().rstrip("/") + "/" for u in urls if u.strip()] or spec["mirrors"]


def read_idx(path, sha256, dims):
    """Decompress, verify and parse one IDX file; raises ValueError saying what is wrong."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"not a complete gzip file ({e})") from None
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise ValueError("SHA-256 of the decompressed content does not match")
    magic = 0x800 + len(dims)  # unsigned bytes, then the number of dimensions
    header = np.frombuffer(raw, ">u4", count=1 + len(dims))
    if header[0] != magic or tuple(header[1:]) != dims:
        raise ValueError(f"IDX header {tuple(header)} is not magic {magic:#x} with dims {dims}")
    return np.frombuffer(raw, np.uint8, offset=4 * (1 + len(dims))).reshape(dims)


@contextlib.contextmanager
def replacing(path):
    """The name of a new temporary file beside path, to write; when the with-block succeeds it
    gets the permissions of any new file (the umask's) and is renamed to path, atomically.
    Otherwise it is removed: path is never left half-written."""
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=os.path.dirname(os.path.abspath(path)))
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0)  # the only way to read it is to set it: set it straight back
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private (0600)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download(url, path, sha256, dims):
    """Stream url into a temporary file beside path; rename it into place once it verifies."""
    import requests  # here, not at the top: a missing one is then the excepthook's one line
    from tqdm import tqdm

    with replacing(path) as tmp:
        with open(tmp, "wb") as f, requests.get(url, stream=True, timeout=TIMEOUT,
                                                headers=HEADERS) as r:
            r.raise_for_status()
            total = int(r.headers.get("Content-Length", 0)) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=os.path.basename(path),
                      disable=not sys.stderr.isatty(), leave=False) as bar:
                for chunk in r.iter_content(chunk_size=1 << 16):
                    f.write(chunk)
                    bar.update(len(chunk))
        return read_idx(tmp, sha256, dims)


def fetch(name, dataset="mnist"):
    """The verified content of one file, from the cache or else from the first mirror that works."""
    sha256, dims = DATASETS[dataset]["files"][name]
    folder = data_dir(dataset)
    path = os.path.join(folder, name)
    if os.path.exists(path):
        try:
            return read_idx(path, sha256, dims)
        except ValueError as e:
            print(f"{path}: {e}; deleting it and downloading it again", file=sys.stderr)
            try:
                os.remove(path)
            except OSError as e:
                raise DataError(f"{path} fails verification and cannot be deleted: {e}") from None
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise DataError(f"cannot create the data directory {folder}: {e}") from None
    import requests

    failures = []
    for base in mirrors(dataset):
        print(f"downloading {base}{name}", file=sys.stderr)
        try:
            return download(base + name, path, sha256, dims)
        except (requests.RequestException, ValueError, OSError) as e:
            failures.append(f"  {base}: {reason(e)}")
    spec = DATASETS[dataset]
    raise DataError(f"could not download {name} from any mirror:\n" + "\n".join(failures) +
                    f"\nTo run offline, copy the four files into {folder} (or set {spec['dir_env']} to a "
                    f"directory that holds them),\n  or set {spec['mirror_env']} to mirrors that serve them "
                    f"(base URLs, comma-separated).\n  The files: {', '.join(spec['files'])}")


def reason(error):
    """Why a download failed, in a few words: what failed, not the exception's whole chain."""
    import requests

    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} {error.response.reason}"[:120]
    if isinstance(error, (requests.ConnectTimeout, requests.ReadTimeout)):
        return "timed out"
    if isinstance(error, requests.ConnectionError):
        text = repr(error)
        for words, said in (("NameResolution", "name resolution failed"),
                            ("getaddrinfo", "name resolution failed"),
                            ("Connection refused", "connection refused"),
                            ("Network is unreachable", "network unreachable"),
                            ("timed out", "timed out")):
            if words in text:
                return said
        return "the connection failed or broke off"
    if isinstance(error, requests.RequestException):
        return f"{type(error).__name__}"
    if isinstance(error, ValueError):
        return str(error)[:160]
    return f"{type(error).__name__}: {error.strerror or error}"[:160]


LAYOUTS = {  # how a script's INPUT holds one image of (height, width, channels), by the layout's name
    "flat": "(features,): its height * width * channels values in a row, as an MLP takes them",
    "hwc": "(height, width, channels)",
    "chw": "(channels, height, width), as the conv layers of PyTorch and tinygrad take it",
}
_loaded = {"dataset": None, "input": None}  # what the last load gave: --save records its name


def input_shape(image, layout):
    """The INPUT that a script of this layout takes for images of shape (height, width, channels),
    or for vectors (features,); None where it takes none (a conv net given vectors)."""
    if layout == "flat":
        return (int(np.prod(image)),)
    if len(image) != 3:
        return None
    h, w, c = image
    return (h, w, c) if layout == "hwc" else (c, h, w)


def check_input(shape, layout, image, source):
    """Stop with one line (a DataError) unless INPUT, the script's `shape`, is what its layout
    takes for the images of source, each of shape `image` (height, width, channels)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {list(LAYOUTS)}, not {layout!r}")
    shape, image = tuple(shape), tuple(image)
    want = input_shape(image, layout)
    if shape == want:
        return
    if want is None:
        raise DataError(f"{source} holds vectors of {image[0]} values, not images: a conv net takes images "
                        "(n, height, width, channels)")
    hint = ""
    if len(image) == 3 and input_shape(image[1:] + image[:1], layout) == shape:
        hint = "; or, if they are channels-first, save them as (n, height, width, channels): x.transpose(0, 2, 3, 1)"
    what = f"images of {image} (height, width, channels)" if len(image) == 3 else f"vectors of {image[0]} values"
    raise DataError(f"INPUT = {shape} does not fit {source}, {what}: "
                    f"this script takes INPUT = {want}, {LAYOUTS[layout]}{hint}")


def load_data(shape=(784,), validation_size=10000, dataset="mnist", layout=None):
    """((x_train, y_train), (x_val, y_val), (x_test, y_test)): x float32 in [0, 1], each image
    reshaped to `shape`, the script's INPUT, in its layout (LAYOUTS: "flat" (784,), "hwc"
    (28, 28, 1), "chw" (1, 28, 28); None: any shape of 784 pixels); y int64 labels 0..9."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {list(DATASETS)}, not {dataset!r}")
    if layout is not None:
        check_input(shape, layout, (28, 28, 1), {"mnist": "MNIST", "fashion": "Fashion-MNIST"}[dataset])
    elif int(np.prod(shape)) != 784:
        raise ValueError(f"shape must hold an image's 784 pixels, as (784,), (28, 28, 1) or (1, 28, 28), not {shape}")
    x_train, y_train, x_test, y_test = (fetch(name, dataset) for name in DATASETS[dataset]["files"])
    if not 0 <= validation_size <= len(x_train):
        raise ValueError(f"validation_size must be in 0..{len(x_train)}, not {validation_size}")

    def prepare(x, y):
        return (x.reshape((len(x),) + tuple(shape)) / np.float32(255)).astype(np.float32), y.astype(np.int64)

    n = len(x_train) - validation_size
    _loaded.update(dataset=dataset, input=tuple(shape))
    return (prepare(x_train[:n], y_train[:n]), prepare(x_train[n:], y_train[n:]),
            prepare(x_test, y_test))


NPZ_HELP = "np.savez(path, x_train=..., y_train=..., x_val=..., y_val=..., x_test=..., y_test=...)"


def _read_npz(path):
    """The arrays of a .npz file, or a DataError saying in one line what the file is instead."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            head = f.read(6)
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror}") from None
    if head == b"\x93NUMPY":
        raise DataError(f"{name} is one array (np.save), not the six of a .npz: save them with {NPZ_HELP}")
    if head[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise DataError(f"{name} is not a .npz file (a zip of arrays): save the six arrays with {NPZ_HELP}")
    try:
        with np.load(path, allow_pickle=False) as f:
            return {key: f[key] for key in f.files}
    except ValueError as e:
        if "pickle" in str(e):  # never NumPy's advice to unpickle a file of unknown origin
            raise DataError(f"{name} holds Python objects, not arrays of numbers: save them with {NPZ_HELP}") from None
        raise DataError(f"{name} is a damaged .npz file ({e})") from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
        raise DataError(f"{name} is a damaged or cut-off .npz file ({e})") from None


def load_npz(path, shape, layout):
    """Your own data, as load_data gives MNIST: ((x_train, y_train), (x_val, y_val), (x_test,
    y_test)) from a .npz file holding those six arrays (np.savez(path, x_train=..., ...)). x: images
    (n, height, width, channels), (n, height, width) for one channel, or vectors (n, features);
    floats in [0, 1] or uint8 pixels (divided by 255), shaped here to `shape`, the script's INPUT,
    in its layout (LAYOUTS). y: integer labels, one per image; every label of y_val and y_test is
    one of y_train's. Anything else is a DataError, one line, before any weights are made."""
    arrays, name, sets = _read_npz(path), os.path.basename(path), []
    missing = [key for key in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test") if key not in arrays]
    if missing:
        raise DataError(f"{name} has no {' or '.join(missing)}: it needs x_train, y_train, x_val, "
                        "y_val, x_test and y_test")
    for part in ("train", "val", "test"):
        x, y, source = arrays[f"x_{part}"], arrays[f"y_{part}"], f"x_{part} in {name}"
        if x.ndim not in (2, 3, 4) or 0 in x.shape:
            raise DataError(f"{source} has shape {x.shape}: give images (n, height, width, channels) "
                            "or vectors (n, features)")
        x = x[..., None] if x.ndim == 3 else x  # (n, h, w): one channel
        check_input(shape, layout, x.shape[1:], source)
        check_labels(y, None, x, f"y_{part} in {name}")
        unknown = ~np.isin(y, arrays["y_train"]) if part != "train" else None  # y_train: itself
        if unknown is not None and unknown.any():
            raise DataError(f"y_{part} in {name} holds label {y[unknown][0]}, which no training image has "
                            f"(y_train: {arrays['y_train'].min()}..{arrays['y_train'].max()}): the network cannot learn it")
        x = pixels(x, source)
        x = x.reshape(len(x), -1) if layout == "flat" else x.transpose(0, 3, 1, 2) if layout == "chw" else x
        sets.append((x, y.astype(np.int64)))
    _loaded.update(dataset=name, input=tuple(shape))
    return tuple(sets)


def pixels(x, source):
    """x as float32 in [0, 1] (uint8 pixels divided by 255), or a DataError saying what is wrong
    with it: NaN or infinity (and where), values outside [0, 1], a type that holds no pixels."""
    if x.dtype == np.uint8:
        return x / np.float32(255)
    if not np.issubdtype(x.dtype, np.floating):
        byte = np.issubdtype(x.dtype, np.integer) and x.min() >= 0 and x.max() <= 255
        raise DataError(f"{source} holds {x.dtype} values: give floats in [0, 1] or uint8 pixels"
                        + (" (x.astype(np.uint8))" if byte else ""))
    finite = np.isfinite(x)
    if not finite.all():
        where = np.argwhere(~finite)[0]
        raise DataError(f"{source} holds {(~finite).sum()} NaN or infinite values, the first in image "
                        f"{where[0]} at {tuple(int(i) for i in where[1:])}")
    low, high = float(x.min()), float(x.max())
    if low < 0 or high > 1:
        raise DataError(f"{source} holds values from {low:g} to {high:g}: scale them to [0, 1] (pixels "
                        "0..255: x / 255, or give them as uint8)")
    return x.astype(np.float32)


def check_labels(y, classes, x=None, name=None):
    """Stop with one line (a DataError) unless y is what every script trains on: integer class
    labels 0..classes-1 (classes None: 0 or more), one per image of x (if given); never one-hot
    rows, floats, strings or a label that the network has no output for. name: whose labels."""
    y, whose = np.asarray(y), name or "the labels"
    labels = f"0..{classes - 1}" if classes else "0, 1, ..."
    if y.ndim == 2 and y.shape[1] > 1:
        raise DataError(f"{whose} are one-hot rows, shape {y.shape}: give integer labels {labels} instead "
                        "(y.argmax(axis=1))")
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        fix = " (y.astype(np.int64))" if y.ndim == 1 and np.issubdtype(y.dtype, np.number) else ""
        raise DataError(f"{whose} must be integers {labels}, one per image, not {y.dtype} of shape {y.shape}{fix}")
    if x is not None and len(x) != len(y):
        raise DataError(f"{len(x)} images but {len(y)} labels" + (f" in {name}" if name else ""))
    if len(y) and (y.min() < 0 or (classes and y.max() >= classes)):
        bad = y.min() if y.min() < 0 else y.max()
        raise DataError(f"label {bad} is out of range: the network has {classes} outputs (CLASSES), for the labels "
                        f"0..{classes - 1}" if classes else f"label {bad} in {whose} is negative: labels are 0, 1, ...")


# --- The skeleton every script shares -------------------------------------------------------

def positive(kind):
    """An argparse type: a number of that kind, greater than 0 (the scripts' and compare.py's flags)."""
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its "invalid ... value" error
    return parse


def _fraction(text):
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be an accuracy in 0..1, not {text}")
    return value


def seed(text):
    """An argparse type: a seed, an int of 0 or more."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _npz_path(text):
    folder = os.path.dirname(os.path.abspath(text))
    if not text.endswith(".npz"):
        raise argparse.ArgumentTypeError(f"must name a .npz file, not {text}")
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write into {folder}")
    return text


def parse_args(description, argv=None, epilog=None, **defaults):
    """The flags every script takes, with the recipe's defaults (a script may change them);
    --help shows the first line of description, and epilog (if any) after the flags."""
    env = ("environment: MNIST_DATA_DIR, the directory of the four MNIST files (default: data/mnist "
           "beside mnist.py); MNIST_MIRROR, the mirrors to download them from (base URLs, "
           "comma-separated; for a machine offline, a local one); FASHION_MNIST_DATA_DIR and "
           "FASHION_MNIST_MIRROR, the same for --dataset fashion.")
    p = argparse.ArgumentParser(description=description.strip().splitlines()[0],
                                epilog=f"{epilog} {env}" if epilog else env)
    p.add_argument("--epochs", type=positive(int), default=30, help="default: %(default)s")
    p.add_argument("--batch-size", type=positive(int), default=10, help="default: %(default)s")
    p.add_argument("--lr", type=positive(float), default=0.2,
                   help=DEEP_LR_HELP if defaults.get("lr") == DEEP_LR else "learning rate, default: %(default)s")
    p.add_argument("--seed", type=seed, default=0, help="weights and batch order, default: %(default)s")
    p.add_argument("--train-size", type=positive(int), metavar="N",
                   help="train on the first N training images only (quick runs; MNIST has 50000)")
    p.add_argument("--target", type=_fraction, metavar="ACC",
                   help="exit 1 when the final test accuracy is below ACC")
    p.add_argument("--dataset", choices=list(DATASETS), default="mnist",
                   help="mnist, or fashion for Fashion-MNIST; default: %(default)s")
    p.add_argument("--save", type=_npz_path, metavar="FILE.npz",
                   help="write the trained weights to FILE.npz (for predict.py)")
    p.set_defaults(**defaults)
    return p.parse_args(argv)


def init_weights(seed, shapes):
    """[w1, b1, w2, b2, ...] as float32 numpy arrays, the same for every framework.

    Canonical layout: the LAST axis is the layer's output units, so a dense weight is
    (fan_in, fan_out) and a conv kernel is (height, width, in_channels, out_channels).
    Weights ~ normal / sqrt(fan_in), drawn in order from the seed; biases are zero. A shape
    without units (images too small for the net leave its dense layer none) is a DataError.
    """
    empty = next((shape for shape in shapes if min(shape) < 1), None)
    if empty is not None:
        given = f"INPUT = {_loaded['input']}" if _loaded["input"] else "INPUT"
        raise DataError(f"{given} is too small for this network: it leaves a layer of shape {tuple(empty)}; "
                        "the conv nets take images of at least 6x6 pixels, the deep nets 10x10")
    rng = np.random.default_rng([seed, 0])  # [seed, 1] is the batch order's stream
    params = []
    for shape in shapes:
        fan_in = int(np.prod(shape[:-1]))
        params.append((rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32))
        params.append(np.zeros(shape[-1], np.float32))
    return params


def accuracy(predicted, y):
    """The fraction of predicted class labels that equal the true labels y."""
    predicted, y = np.asarray(predicted), np.asarray(y)
    if predicted.shape != y.shape:
        raise DataError(f"{predicted.shape} predicted labels against {y.shape} true ones: "
                        "give integer labels, one per image")
    return float(np.mean(predicted == y))


def save_weights(path, params, dataset):
    """Write [w1, b1, w2, b2, ...] (canonical layout) and the dataset's name to a .npz file."""
    arrays = {f"{'wb'[i % 2]}{i // 2 + 1}": np.asarray(p, np.float32) for i, p in enumerate(params)}
    with replacing(path) as tmp, open(tmp, "wb") as f:  # a run stopped while saving leaves no .npz
        np.savez(f, dataset=np.array(dataset), **arrays)
    print(f"saved the weights to {path}", file=sys.stderr)


def diverged(loss, classes=10):
    """Whether an epoch's mean cross-entropy says that training diverged: not finite, or over
    four times that of a uniform guess (ln classes per image), which no learning run comes near."""
    return not np.isfinite(loss) or loss > 4 * np.log(classes)


def interrupted(error):
    """Whether error is Ctrl-C's KeyboardInterrupt, or another exception that it caused:
    compiled code may wrap it (PyTensor's numba backend raises a SystemError from it)."""
    while error is not None:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__cause__ or error.__context__
    return False


_epoch = {"number": 0, "start": 0.0, "classes": 10}  # the epoch in progress: its report, Ctrl-C


def epochs(args, x, y, classes):
    """For each epoch, 1 to args.epochs: (epoch, (x, y)), the first args.train_size training
    images and their labels shuffled into this epoch's batch order. The order is drawn from the
    seed's stream [seed, 1], so every framework sees the same batches. The labels are checked
    first (check_labels: integers 0..classes-1). NumPy's overflow warnings are off meanwhile: a
    diverging run is reported by its loss instead (see report)."""
    check_labels(y, classes, x, "y_train")
    _epoch["classes"] = classes
    if args.train_size is not None and args.train_size > len(x):  # a smaller set than MNIST's
        print(f"error: --train-size: {args.train_size} is more than the {len(x)} training images",
              file=sys.stderr)
        sys.exit(2)
    x, y = x[:args.train_size], y[:args.train_size]
    rng = np.random.default_rng([args.seed, 1])
    # run's BLAS threads again, for a BLAS loaded since it began (PyTensor's compiler loads SciPy's)
    blas = blas_threads() if _run["blas"] is not None else contextlib.nullcontext()
    with np.errstate(all="ignore"), blas:
        for epoch in range(1, args.epochs + 1):
            _epoch.update(number=epoch, start=time.perf_counter())
            order = rng.permutation(len(x))
            yield epoch, (x[order], y[order])


def report(args, epoch, loss, val_accuracy):
    """Print the epoch's line: its mean training loss, the validation accuracy (None: there is no
    validation set) and its seconds so far. A diverged loss stops the run instead: one line,
    exit code 1, nothing saved."""
    if epoch != _epoch["number"]:  # its seconds are those of the epoch that epochs() yielded
        raise RuntimeError(f"mnist.report(epoch={epoch}) outside its epoch: call it in the loop over "
                           f"mnist.epochs(...), for the epoch it yielded ({_epoch['number'] or 'none yet'})")
    loss, seconds = float(loss), time.perf_counter() - _epoch["start"]
    if diverged(loss, _epoch["classes"]):
        sys.exit(f"error: training diverged in epoch {epoch} (loss {loss:.4g}): try a "
                 f"smaller --lr than {args.lr:g}; nothing was saved")
    val = "no validation set" if val_accuracy is None else f"val accuracy {val_accuracy:.4f}"
    print(f"epoch {epoch:2d}/{args.epochs}  loss {loss:.4f}  {val}  ({seconds:.1f} s)", flush=True)


def finish(args, test_accuracy, weights):
    """After the last epoch: write weights (the canonical layout) to --save, if given; print the
    test accuracy line; exit 1 if it is below --target."""
    if args.save:  # with the name of the data it learnt: --dataset's, or the file that load_npz read
        save_weights(args.save, weights, _loaded["dataset"] or args.dataset)
    print(f"test accuracy {test_accuracy:.4f}", flush=True)
    if args.target is not None and test_accuracy < args.target:
        sys.exit(f"test accuracy {test_accuracy:.4f} is below the target {args.target}")


def _not_installed(error):
    """The pin of the package that a ModuleNotFoundError says is missing, if requirements.txt
    (or the script's own PEP 723 block) pins it and it really is not installed; else None (a
    typo in the user's own module, or a broken install inside a framework: its traceback)."""
    top = (error.name or "").split(".")[0]
    try:
        if not top or importlib.util.find_spec(top) is not None:
            return None
    except (ImportError, ValueError):  # a module without a spec: it is there
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    pins = []
    if os.path.isfile(os.path.join(here, "requirements.txt")):
        with open(os.path.join(here, "requirements.txt"), encoding="utf-8") as f:
            pins += re.findall(r"^([A-Za-z][\w.-]*==[^\s;#]+)", f.read(), re.M)
    script = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    if os.path.isfile(script):  # a copied script without requirements.txt: its own PEP 723 block
        with open(script, encoding="utf-8") as f:
            block = re.search(r"^# /// script$(.*?)^# ///$", f.read(), re.M | re.S)
        pins += re.findall(r'"([A-Za-z][\w.-]*==[^";\s]+)', block.group(1)) if block else []
    modules = {"pillow": "PIL"}  # the packages whose module has another name
    return next((pin for pin in pins if modules.get(pin.split("=")[0], pin.split("=")[0]) == top), None)


BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
_run = {"blas": None}  # run's BLAS threads (None: as they are), which epochs() holds while it runs


def blas_threads():
    """The one rule for BLAS threads, as a context (threadpoolctl): the BLAS libraries loaded so far
    (NumPy's, SciPy's) on one thread, since batches of 10 are too small to split; as the
    environment says where OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS is set. run()
    and epochs() hold it, and so do the minimal loops (bench/minimal/common.py)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=None if any(os.environ.get(v) for v in BLAS_VARIABLES) else 1,
                             user_api="blas")


def run(main):
    """Run main() as the program: each script's `if __name__ == "__main__":` line calls this, so
    that importing a script or this module changes nothing global. What a run needs:
    - the BLAS that NumPy and PyTensor call on one thread (threadpoolctl), as the TensorFlow,
      Keras and PyTorch scripts set theirs in main(): batches of 10 are too small to split. Your
      own OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS or OMP_NUM_THREADS wins;
    - unusable data (a DataError), or a pinned package that a download needs and that is not
      installed: one line on stderr, exit code 1;
    - Ctrl-C: one line ("interrupted at epoch N"), nothing saved, then Python's own end for an
      interrupt: atexit handlers run, and the process dies by SIGINT, so a shell loop stops too."""
    _run["blas"] = None if any(os.environ.get(v) for v in BLAS_VARIABLES) else 1
    try:
        with blas_threads():
            main()
    except DataError as e:  # the line printed here, not by Python: a profiler may catch the exit
        print(f"error: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    except ModuleNotFoundError as e:
        pin = _not_installed(e)
        if pin is None:
            raise
        print(f"error: {e.name.split('.')[0]} is not installed: pip install '{pin}' (or pip install -r "
              "requirements.txt)", file=sys.stderr, flush=True)
        sys.exit(1)
    except BaseException as e:
        if not interrupted(e):
            raise
        epoch = _epoch["number"]
        sys.stdout.flush()
        print(f"interrupted at epoch {epoch}" if epoch else "interrupted", file=sys.stderr, flush=True)
        interrupt = KeyboardInterrupt()
        previous = sys.excepthook

        def said(kind, error, tb):  # the line above said it: no traceback for this interrupt
            if error is not interrupt:
                previous(kind, error, tb)
        sys.excepthook = said
        raise interrupt from None  # uncaught, Python exits through SIGINT (its exit code 130 in a shell)
    finally:
        _run["blas"] = None
