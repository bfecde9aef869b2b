"""MLP in MLX: 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9796.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "mlx==0.32.4",
#   "mlx-cpu==0.32.4; sys_platform == 'linux'",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
from functools import partial

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
import numpy as np

INPUT = (784,)  # one image as the network takes it: 784 pixels, flat
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def build_model(params):
    w = params[::2]  # the kernels: the layers' sizes
    model = nn.Sequential(nn.Linear(*w[0].shape), nn.Sigmoid(), nn.Linear(*w[1].shape))  # (n, 10) logits
    # nn.Linear keeps its weight as (out, in): the canonical (in, out) with its last axis first
    layers = [layer for layer in model.layers if isinstance(layer, (nn.Conv2d, nn.Linear))]
    for layer, w, b in zip(layers, params[::2], params[1::2]):
        layer.weight, layer.bias = mx.array(np.moveaxis(w, -1, 0)), mx.array(b)  # out axis first
    return model


def weights(model):
    """The trained weights back in the canonical layout, as numpy arrays (for --save)."""
    layers = [layer for layer in model.layers if isinstance(layer, (nn.Conv2d, nn.Linear))]
    return [np.moveaxis(np.array(v), 0, -1) for layer in layers for v in (layer.weight, layer.bias)]


def cross_entropy(model, x, y):
    return nn.losses.cross_entropy(model(x), y, reduction="mean")  # the softmax is inside the loss


def compile_train_step(model, optimizer):
    """One SGD step, compiled: a function of a batch that updates the model and the optimizer
    (mx.compile tracks their arrays as the step's inputs and outputs) and returns the loss."""
    loss_and_grad = nn.value_and_grad(model, cross_entropy)

    @partial(mx.compile, inputs=[model.state, optimizer.state], outputs=[model.state, optimizer.state])
    def train_step(x, y):
        loss, grads = loss_and_grad(model, x, y)
        optimizer.update(model, grads)
        return loss
    return train_step


def train_epoch(model, optimizer, train_step, x, y, batch_size):
    model.train()                               # training mode (dropout, batch norm would care)
    x, y = mx.array(x), mx.array(y)
    total = mx.array(0.0)
    for i in range(0, len(x), batch_size):      # the last batch may be smaller: none is dropped
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        total = total + train_step(xb, yb) * len(xb)
        # MLX is lazy: this computes the step now; without it the whole epoch's graph would
        # pile up in memory before anything runs
        mx.eval(model.state, optimizer.state, total)
    return total / len(x)                       # the epoch's mean cross-entropy


def predict(model, x):
    model.eval()                                # 1,000 images at a time
    return np.concatenate([np.array(model(mx.array(x[i:i + 1000])).argmax(axis=1)) for i in range(0, len(x), 1000)])


def main():
    args = mnist.parse_args(__doc__, epilog=f"device: {mx.default_device()}")
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="flat", dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(INPUT[0], 100), (100, CLASSES)])
    model = build_model(params)
    optimizer = optim.SGD(learning_rate=args.lr)
    train_step = compile_train_step(model, optimizer)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, optimizer, train_step, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), weights(model))


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
