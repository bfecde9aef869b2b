"""Deep conv net in tinygrad: conv8 5x5 relu -> conv16 5x5 relu -> maxpool 2x2 -> fc100 relu -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.04, seed 0): test accuracy 0.9919.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "tinygrad==0.14.0",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import sys

import numpy as np
from tinygrad import Context, Device, Tensor, TinyJit, nn

INPUT = (1, 28, 28)  # one image as the network takes it: (channels, height, width)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def device():
    """tinygrad's device (DEV=CPU, DEV=CUDA, ... picks one; else the first that starts), tried on
    one small kernel, compiled anew (not from tinygrad's cache): its CPU compiles every kernel with
    clang, and a missing clang shows only then."""
    try:
        with Context(CCACHE=0):
            (Tensor([1.0]) + 1).realize()
        return Device.DEFAULT
    except Exception as e:
        sys.exit(f"error: tinygrad has no usable device ({str(e).splitlines()[0]}): its CPU device needs clang "
                 "(apt install clang), with DEV unset or DEV=CPU")


def build_model(params):
    w1, b1, w2, b2, w3, b3, w4, b4 = (Tensor(p) for p in params)
    model = [
        nn.Conv2d(INPUT[0], 8, kernel_size=5), Tensor.relu,       # (n, 8, 24, 24)
        nn.Conv2d(8, 16, kernel_size=5), Tensor.relu,             # (n, 16, 20, 20)
        Tensor.max_pool2d,                                        # (n, 16, 10, 10)
        lambda x: x.flatten(1), nn.Linear(*w3.shape), Tensor.relu,  # (n, 100)
        nn.Linear(*w4.shape)]                                     # x.sequential(model): (n, 10) logits
    # tinygrad keeps kernels as (out, in, h, w) and Linear weights as (out, in), as PyTorch, and
    # flatten reads the map as (c, h, w): move the channel of the canonical (h, w, c) rows of w3
    # first; each into a buffer of its own (.contiguous()): a weight loaded as a view is stepped
    # wrong, in silence
    w3 = w3.reshape(-1, 16, 100).permute(1, 0, 2).reshape(-1, 100)
    nn.state.load_state_dict(model, {"0.weight": w1.permute(3, 2, 0, 1).contiguous(), "0.bias": b1,
                                     "2.weight": w2.permute(3, 2, 0, 1).contiguous(), "2.bias": b2,
                                     "6.weight": w3.T.contiguous(), "6.bias": b3,
                                     "8.weight": w4.T.contiguous(), "8.bias": b4}, verbose=False)
    return model


def weights(model):
    """The trained weights back in the canonical layout, as numpy arrays (for --save)."""
    w1, b1, w2, b2, w3, b3, w4, b4 = nn.state.get_state_dict(model).values()
    w3 = w3.T.reshape(16, -1, 100).permute(1, 0, 2).reshape(-1, 100)  # rows back to (h, w, c)
    return [t.numpy() for t in (w1.permute(2, 3, 1, 0), b1, w2.permute(2, 3, 1, 0), b2, w3, b3,
                                w4.T, b4)]


def compile_train_step(model, optimizer):
    """One SGD step, compiled: a function of a batch that updates the model and the optimizer in
    place and returns the loss. TinyJit runs its first call, captures the kernels of its second
    and replays them after, on batches of the same shape."""
    @TinyJit
    def train_step(x, y):
        optimizer.zero_grad()
        loss = x.sequential(model).sparse_categorical_crossentropy(y).backward()  # the softmax is inside the loss
        # the loss and the step in one schedule: the loss is lazy, and realized after
        # optimizer.step() it would be computed from the new weights
        return loss.realize(*optimizer.schedule_step())
    return train_step


def train_epoch(model, optimizer, train_step, x, y, batch_size):
    total = 0.0
    with Context(TRAINING=1):                   # training mode: tinygrad's optimizer refuses to step without it
        for i in range(0, len(x), batch_size):  # the last batch may be smaller: none is dropped
            xb, yb = Tensor(x[i:i + batch_size]), Tensor(y[i:i + batch_size])
            step = train_step if len(xb) == batch_size else train_step.fxn  # the JIT replays one shape only
            # summed on the host: a sum on the device, outside the JIT, is scheduled anew every step
            total += step(xb, yb).item() * len(xb)
    return total / len(x)                       # the epoch's mean cross-entropy


def predict(model, x):                          # 1,000 images at a time
    return np.concatenate([Tensor(x[i:i + 1000]).sequential(model).argmax(axis=1).numpy() for i in range(0, len(x), 1000)])


def main():
    args = mnist.parse_args(__doc__, epilog=f"device: {device()} (DEV=CPU, DEV=CUDA, ... chooses; its CPU needs clang)",
                            lr=mnist.DEEP_LR)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="chw", dataset=args.dataset)
    c, h, w = INPUT
    flat = (h - 8) // 2 * ((w - 8) // 2) * 16  # the pooled map's size, flat (10 * 10 * 16)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (5, 5, 8, 16), (flat, 100), (100, CLASSES)])
    model = build_model(params)
    optimizer = nn.optim.SGD(nn.state.get_parameters(model), lr=args.lr)
    train_step = compile_train_step(model, optimizer)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, optimizer, train_step, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), weights(model))


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
