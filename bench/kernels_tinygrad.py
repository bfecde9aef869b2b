"""The kernels of a tinygrad script's training step: each kernel's time, summed over replayed JIT
steps of random data of MNIST's shapes, as tinygrad's DEBUG=2 reports it (docs/frameworks.md and
docs/benchmarks.md quote these tables).

    taskset -c 0 python bench/kernels_tinygrad.py conv_deep_tinygrad.py --batch-size 100 --steps 10
"""
import argparse
import collections
import contextlib
import importlib
import io
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import mnist  # noqa: E402

# the shapes each script's main() draws its weights in, for MNIST
SHAPES = {"mlp_tinygrad.py": [(784, 100), (100, 10)],
          "conv_tinygrad.py": [(5, 5, 1, 8), (12 * 12 * 8, 100), (100, 10)],
          "conv_deep_tinygrad.py": [(5, 5, 1, 8), (5, 5, 8, 16), (10 * 10 * 16, 100), (100, 10)]}
# a kernel's line under DEBUG=2: "*** CPU  12 r_10_100_196_4  arg 3 mem 0.01 GB tm 210.25us/ ..."
KERNEL = re.compile(r"\*\*\*\s+\S+\s+\d+\s+(\S+).*?tm\s+([\d.]+)(us|ms)")


def kernel_times(script, batch_size, steps):
    """({kernel name: milliseconds a step}, kernels launched a step), over the script's own
    train_epoch on steps batches of batch_size, its JIT's steps replayed."""
    from tinygrad import Context, nn
    s = importlib.import_module(script.removesuffix(".py"))
    model = s.build_model(mnist.init_weights(0, SHAPES[script]))
    optimizer = nn.optim.SGD(nn.state.get_parameters(model), lr=0.01)
    train_step = s.compile_train_step(model, optimizer)
    rng = np.random.default_rng(0)
    x = rng.random((steps * batch_size, *s.INPUT), dtype=np.float32)
    y = rng.integers(0, s.CLASSES, steps * batch_size)  # int64, as mnist.py's labels
    s.train_epoch(model, optimizer, train_step, x[:3 * batch_size], y[:3 * batch_size], batch_size)  # run, capture, replay
    times, launches, out = collections.defaultdict(float), 0, io.StringIO()
    with contextlib.redirect_stdout(out), Context(DEBUG=2):
        s.train_epoch(model, optimizer, train_step, x, y, batch_size)
    for line in out.getvalue().splitlines():
        m = KERNEL.search(re.sub(r"\x1b\[[0-9;]*m", "", line))  # without the colours
        if m:
            times[m[1]] += float(m[2]) * (1e-3 if m[3] == "us" else 1) / steps
            launches += 1
    return times, launches // steps


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("script", choices=sorted(SHAPES))
    p.add_argument("--batch-size", type=mnist.positive(int), default=10, metavar="N", help="default: 10")
    p.add_argument("--steps", type=mnist.positive(int), default=10, metavar="N", help="steps timed, default: 10")
    p.add_argument("--top", type=mnist.positive(int), default=6, metavar="N", help="kernels listed, default: 6")
    args = p.parse_args()
    times, launches = kernel_times(args.script, args.batch_size, args.steps)
    if not times:
        sys.exit("error: tinygrad printed no kernel times under DEBUG=2")
    total = sum(times.values())
    print(f"{args.script}, batch {args.batch_size}: {launches} kernels a step ({len(times)} names), {total:.2f} ms, "
          f"{total / args.batch_size * 1000:.1f} us an image")
    for name, ms in sorted(times.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {name:32s} {ms:9.2f} ms {ms / args.batch_size * 1000:9.1f} us an image {100 * ms / total:5.1f} %")


if __name__ == "__main__":
    main()
