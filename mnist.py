"""MNIST (and Fashion-MNIST): download, verify, cache and load; plus what every script shares.

Data: `load_data()` returns ((x_train, y_train), (x_val, y_val), (x_test, y_test)), the last
`validation_size` official training images split off as the validation set. The four official
IDX files are cached in `data/mnist/` (or `data/fashion/`) beside this file, or in the
directory that `MNIST_DATA_DIR` (`FASHION_MNIST_DATA_DIR`) names, and are verified on every
load by the SHA-256 of their decompressed content, their IDX magic number and dimensions.

Skeleton, the helpers that every script's loop calls: `parse_args` (the flags), `init_weights`
(the one initialiser), `epochs` (each epoch's batch order), `accuracy`, `report` (the epoch's
line, and the stop on divergence), `finish` (the test line, --save and --target), `check_labels`.
Run as a program (a script beside this file), Ctrl-C, a missing framework and unusable data are
one line on stderr (the excepthook at the end); imported by another program, this module changes
nothing global: no hook, no environment variable.
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
import zlib


def _run_as_program():
    """Whether the program running is a script beside this file (one of ours, or a copy of one
    with its mnist.py), rather than another program that imports one (a notebook, a test)."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    here = os.path.dirname(os.path.abspath(__file__))
    return bool(path) and os.path.dirname(os.path.abspath(path)) == here


PROGRAM = _run_as_program()

# Run as a program: NumPy's (and PyTensor's) OpenBLAS on one thread, as the TensorFlow, Keras and
# PyTorch scripts set theirs in main(): batches of 10 are too small to split, and a second thread
# only adds overhead. Set before numpy loads OpenBLAS; a user's own setting wins. JAX, Flax and
# MLX keep their own thread pools, which this does not reach (docs/running.md).
if PROGRAM and not any(os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                                                    "OMP_NUM_THREADS")):
    os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402

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


def load_data(shape=(784,), validation_size=10000, dataset="mnist"):
    """((x_train, y_train), (x_val, y_val), (x_test, y_test)): x float32 in [0, 1], each image
    reshaped to `shape` (784 pixels: (784,) flat, (28, 28, 1) for NHWC, (1, 28, 28) for NCHW);
    y int64 labels 0..9."""
    if int(np.prod(shape)) != 784:
        raise ValueError(f"shape must hold an image's 784 pixels, as (784,), (28, 28, 1) or (1, 28, 28), not {shape}")
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {list(DATASETS)}, not {dataset!r}")
    x_train, y_train, x_test, y_test = (fetch(name, dataset) for name in DATASETS[dataset]["files"])
    if not 0 <= validation_size <= len(x_train):
        raise ValueError(f"validation_size must be in 0..{len(x_train)}, not {validation_size}")

    def prepare(x, y):
        return (x.reshape((len(x),) + tuple(shape)) / np.float32(255)).astype(np.float32), y.astype(np.int64)

    n = len(x_train) - validation_size
    return (prepare(x_train[:n], y_train[:n]), prepare(x_train[n:], y_train[n:]),
            prepare(x_test, y_test))


def load_npz(path, shape):
    """Your own data, as load_data gives MNIST: ((x_train, y_train), (x_val, y_val), (x_test,
    y_test)) from a .npz file holding those six arrays (np.savez(path, x_train=..., ...)). x: images
    (n, height, width, channels) or (n, features), floats in [0, 1] or uint8 pixels (divided by
    255), shaped here to `shape`, the script's INPUT (channels first where INPUT is (c, h, w)); y:
    integer labels 0..k-1. A missing array or an image that does not fit INPUT is a DataError."""
    try:
        with np.load(path) as f:
            arrays = {name: f[name] for name in f.files}
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a readable .npz file ({e})") from None
    shape, sets = tuple(shape), []
    for part in ("train", "val", "test"):
        missing = [name for name in (f"x_{part}", f"y_{part}") if name not in arrays]
        if missing:
            raise DataError(f"{path} has no {' or '.join(missing)}: it needs x_train, y_train, x_val, "
                            "y_val, x_test and y_test")
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        one = x.shape[1:]
        if one == shape:
            pass
        elif len(shape) == 3 and one == shape[1:] + shape[:1]:
            x = x.transpose(0, 3, 1, 2)  # (n, h, w, c) to the (n, c, h, w) of a channels-first INPUT
        elif len(shape) == 1 and int(np.prod(one)) == shape[0]:
            x = x.reshape(len(x), -1)  # images to flat vectors
        else:
            raise DataError(f"{path}: x_{part} holds images of shape {one}, which do not fit INPUT = {shape}")
        x = x / np.float32(255) if x.dtype == np.uint8 else x
        if not np.issubdtype(x.dtype, np.floating) or not np.isfinite(x).all():
            raise DataError(f"{path}: x_{part} must hold finite floats (or uint8 pixels), not {x.dtype}")
        sets.append((x.astype(np.float32), y))
    return tuple(sets)


def check_labels(y, classes, x=None):
    """Stop with one line (a DataError) unless y is what every script trains on: integer class
    labels 0..classes-1, one per image of x (if given); never one-hot rows, floats or a label
    that the network has no output for."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        raise DataError(f"the labels are one-hot rows, shape {y.shape}: give integer labels "
                        f"0..{classes - 1} instead (y.argmax(axis=1))")
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"the labels must be integers 0..{classes - 1}, one per image, not {y.dtype} "
                        f"of shape {y.shape}" + (" (y.astype(np.int64))" if y.ndim == 1 else ""))
    if x is not None and len(x) != len(y):
        raise DataError(f"{len(x)} images but {len(y)} labels")
    if len(y) and (y.min() < 0 or y.max() >= classes):
        bad = y.min() if y.min() < 0 else y.max()
        raise DataError(f"label {bad} is out of range: the network has {classes} outputs (CLASSES), "
                        f"for the labels 0..{classes - 1}")


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
    _one_line_errors_first()  # main() calls this first: after the framework's imports
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
    Weights ~ normal / sqrt(fan_in), drawn in order from the seed; biases are zero.
    """
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
    _one_line_errors_first()  # after the model was built and compiled
    check_labels(y, classes, x)
    _epoch["classes"] = classes
    if args.train_size is not None and args.train_size > len(x):  # a smaller set than MNIST's
        print(f"error: --train-size: {args.train_size} is more than the {len(x)} training images",
              file=sys.stderr)
        sys.exit(2)
    x, y = x[:args.train_size], y[:args.train_size]
    rng = np.random.default_rng([args.seed, 1])
    with np.errstate(all="ignore"):
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
    if args.save:
        save_weights(args.save, weights, args.dataset)
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


def _one_line_errors(kind, error, tb):
    """A missing framework, unusable data or Ctrl-C is one line on stderr, not a traceback."""
    pin = _not_installed(error) if issubclass(kind, ModuleNotFoundError) else None
    if pin:
        print(f"error: {error.name.split('.')[0]} is not installed: pip install '{pin}' (or pip install -r "
              f"requirements.txt)", file=sys.stderr)
    elif issubclass(kind, DataError):
        print(f"error: {error}", file=sys.stderr)
    elif interrupted(error):  # Ctrl-C: one line, the shell's code for SIGINT, nothing saved
        epoch = _epoch["number"]
        print(f"interrupted at epoch {epoch}" if epoch else "interrupted", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)  # an excepthook cannot choose the exit code otherwise
    else:
        (_next_excepthook or sys.__excepthook__)(kind, error, tb)


_next_excepthook = None  # the hook that the one-line errors hand everything else to


def _one_line_errors_first():
    """Run as a program: put the one-line errors back in front of sys.excepthook, handing
    everything else on to the hook found there: a framework imported after mnist may have
    replaced ours with its own (PyTensor does, at import, to print its graph's trace), and would
    then print a traceback for Ctrl-C and for missing data. Imported by another program: nothing."""
    global _next_excepthook
    if PROGRAM and sys.excepthook is not _one_line_errors:
        _next_excepthook, sys.excepthook = sys.excepthook, _one_line_errors


_one_line_errors_first()  # first of all: a framework that the script imports next may be missing
