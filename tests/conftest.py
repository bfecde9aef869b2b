"""Shared fixtures: a local HTTP mirror with scripted failures, synthetic IDX files, real data."""
import gzip
import hashlib
import http.server
import os
import re
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

if os.path.basename(ROOT) == "mutants":
    # Under mutmut (which runs the tests from its mutants/ copy) a mutant of the loader, active
    # in the scripts that the tests start too, could fail to verify a valid file and delete it:
    # keep the real data out of its reach (its tests then skip) and let nothing download.
    for _var in ("MNIST", "FASHION_MNIST"):
        os.environ[f"{_var}_DATA_DIR"] = os.path.join(ROOT, "data-under-mutation", _var.lower())
        os.environ[f"{_var}_MIRROR"] = "http://127.0.0.1:9/"

import mnist  # noqa: E402


def idx_bytes(array):
    """An uncompressed IDX file holding a uint8 array."""
    header = np.array([0x800 + array.ndim, *array.shape], ">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def synthetic(monkeypatch):
    """Small random IDX files (40 train, 10 test) in MNIST's names; their checksums and
    dimensions replace the real ones in the loader's table. Returns {name: (gz bytes, array)}."""
    rng = np.random.default_rng(7)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (40, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, (40,)),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, (10,)),
    }
    files, table = {}, {}
    for name, array in arrays.items():
        raw = idx_bytes(array)
        files[name] = (gzip.compress(raw, mtime=0), array.astype(np.uint8))
        table[name] = (hashlib.sha256(raw).hexdigest(), array.shape)
    monkeypatch.setitem(mnist.DATASETS["mnist"], "files", table)
    return files


class Mirror:
    """A local HTTP server. `plan[name]` is a list of behaviours, one used per request for
    that file (the last one repeats): 'ok', an HTTP status code, 'truncated' (a complete
    response holding half the file), 'wrong' (other bytes), 'stall' (no answer within the
    client's timeout), 'cut' (the connection closes mid-body), 'no-length' (no Content-Length
    header: the body ends when the connection closes)."""

    def __init__(self, files):
        self.files, self.plan, self.requests, self.agents = files, {}, [], []
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                mirror.requests.append(name)
                mirror.agents.append(self.headers.get("User-Agent"))
                steps = mirror.plan.get(name, ["ok"])
                action = steps.pop(0) if len(steps) > 1 else steps[0]
                body = mirror.files[name][0] if name in mirror.files else None
                if body is None or isinstance(action, int):
                    self.send_error(404 if body is None else action)
                    return
                if action == "truncated":
                    body = body[:len(body) // 2]
                elif action == "wrong":
                    body = gzip.compress(b"not the file you are looking for")
                elif action == "stall":
                    time.sleep(1.5)
                self.send_response(200)
                if action == "no-length":  # the body ends when the connection closes
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if action == "cut":
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/mnist/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirrors(synthetic):
    """Two local mirrors serving the synthetic files; close them afterwards."""
    made = [Mirror(synthetic), Mirror(synthetic)]
    yield made
    for m in made:
        m.close()


def data_dir_or_skip(dataset, how):
    """The loader's directory for the dataset, if it holds the four files; else skip, saying
    where it looked and how to get them."""
    folder = mnist.data_dir(dataset)
    if not all(os.path.exists(os.path.join(folder, n)) for n in mnist.DATASETS[dataset]["files"]):
        pytest.skip(f"{dataset} data not found in {folder}: {how}")
    return folder


@pytest.fixture(scope="session")
def real_data_dir():
    """The real MNIST files (the loader's: MNIST_DATA_DIR, else data/mnist)."""
    return data_dir_or_skip("mnist", "run python mlp_numpy.py once to download it, or set "
                                     "MNIST_DATA_DIR to a directory with the four files")


@pytest.fixture(scope="session")
def fashion_dir():
    """The real Fashion-MNIST files (FASHION_MNIST_DATA_DIR, else data/fashion)."""
    return data_dir_or_skip("fashion", "set FASHION_MNIST_DATA_DIR to a directory with the four "
                                       "files (Debian: apt-get install dataset-fashion-mnist)")

EPOCH = re.compile(r"^epoch +(\d+)/(\d+)  loss (\d+\.\d{4})  val accuracy (\d\.\d{4})  \(\d+\.\d s\)$",
                   re.M)
TEST = re.compile(r"\ntest accuracy (\d\.\d{4})\n\Z")


def script_env(env=None):
    """The environment a script runs in: this one, less the user's own Keras backend (a test that
    wants one names it, so that no Keras test depends on how the suite was launched), plus env."""
    clean = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    return dict(clean, **{k: v for k, v in (env or {}).items() if v is not None})


def with_default_sigint(cmd):
    """cmd, started with SIGINT at its default disposition (a small Python restores it, then
    execs cmd in its place, same pid). A background job of a non-interactive shell inherits
    SIGINT ignored, Python leaves an ignored SIGINT ignored in every child, and a script
    started from such a suite would never see Ctrl-C."""
    restore = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
               "os.execv(sys.argv[1], sys.argv[1:])")
    return [sys.executable, "-c", restore, *cmd]


def run(script, *flags, env=None, timeout=900):
    """Run a script of the project through its command line (stdin empty, as in CI)."""
    return subprocess.run([sys.executable, script, *flags], cwd=ROOT, capture_output=True,
                          stdin=subprocess.DEVNULL, text=True, timeout=timeout, env=script_env(env))


def curves(result):
    """(training losses, validation accuracies) of the epoch lines, checking the report's exact
    form: one line per epoch, numbered, then the test accuracy line."""
    assert result.returncode == 0, result.stderr[-2000:]
    assert TEST.search(result.stdout), result.stdout
    lines = EPOCH.findall(result.stdout)
    assert len(lines) == result.stdout.count("\n") - 1, result.stdout
    assert [(int(e), int(n)) for e, n, _, _ in lines] == [(i, len(lines)) for i in range(1, len(lines) + 1)]
    return [float(loss) for _, _, loss, _ in lines], [float(acc) for _, _, _, acc in lines]


def curve(result):
    """The validation accuracies of the epoch lines (see curves)."""
    return curves(result)[1]
