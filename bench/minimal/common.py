"""What every minimal loop shares: its flags, its random data (MNIST's shapes), its epochs (with
the project's one BLAS-thread rule) and its timing line.

The minimal loops are yardsticks, not examples: each trains the MLP (784 -> 100 sigmoid -> 10) in
the fastest idiom that its framework's own docs or official examples teach (each names its
source), so that bench/sweep.py can set a script's time against what the framework's authors
would write for speed. The data is random (the arithmetic is MNIST's); the line
`train_epoch N SECONDS` is bench/timed.py's, and its interval ends when the loss is on the host.
"""
import argparse
import os
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [BENCH, os.path.dirname(BENCH)]
from timed import device  # noqa: E402  bench/timed.py's: the same line as the scripts' rows
import mnist  # noqa: E402  the project's mnist.py: its BLAS-thread rule


def setup(description, switch=None):
    """The flags (those of the scripts that the sweep sets, and switch, a flag of this loop's own:
    (name, help)) and the data: x (n, 784) float32 in [0, 1), y (n,) integer labels 0..9."""
    p = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    if switch:
        p.add_argument(switch[0], action="store_true", help=switch[1])
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--train-size", type=int, default=5000)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((args.train_size, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.train_size)
    return args, x, y


def epochs(args):
    """For each epoch, 1 to args.epochs: (epoch, its start time), with the BLAS threads as the
    scripts run (mnist.blas_threads: one, unless the environment says otherwise)."""
    with mnist.blas_threads():
        for epoch in range(1, args.epochs + 1):
            yield epoch, time.perf_counter()


def report(epoch, start, loss):
    """Print the epoch's line, once its loss is on the host (float() waits for the device); before
    the first, the device."""
    float(loss)
    seconds = time.perf_counter() - start
    if epoch == 1:
        framework = os.path.basename(sys.argv[0]).removesuffix(".py").rsplit("_", 1)[-1]
        print(f"device {device(framework)}", flush=True)
    print(f"train_epoch {epoch} {seconds:.6f}", flush=True)
