"""Deep conv net in Flax NNX: conv8 5x5 relu -> conv16 5x5 relu -> maxpool 2x2 -> fc100 relu -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.04, seed 0): test accuracy 0.9918.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "flax==0.12.8",
#   "optax==0.2.8",
#   "jax==0.10.2",
#   "jaxlib==0.10.2",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
from functools import partial

import jax
import numpy as np
import optax
from flax import nnx

INPUT = (28, 28, 1)  # one image as the network takes it: (height, width, channels)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def build_model(params):
    rngs = nnx.Rngs(0)  # the layers' own random init, replaced by the shared weights below
    w = params[::2]  # the kernels: the layers' sizes
    model = nnx.Sequential(
        nnx.Conv(*w[0].shape[2:], w[0].shape[:2], padding="VALID", rngs=rngs), nnx.relu,  # (n, 24, 24, 8)
        nnx.Conv(*w[1].shape[2:], w[1].shape[:2], padding="VALID", rngs=rngs), nnx.relu,  # (n, 20, 20, 16)
        partial(nnx.max_pool, window_shape=(2, 2), strides=(2, 2)),                 # (n, 10, 10, 16)
        lambda a: a.reshape(len(a), -1),                                             # (n, 1600)
        nnx.Linear(*w[2].shape, rngs=rngs), nnx.relu,                                # (n, 100)
        nnx.Linear(*w[3].shape, rngs=rngs))                                          # (n, 10) logits
    # nnx.Linear keeps its kernel as (in, out) and nnx.Conv as (h, w, in, out), and images are
    # (n, h, w, c): the canonical layout as it is
    layers = [layer for layer in model.layers if isinstance(layer, (nnx.Conv, nnx.Linear))]
    for layer, w, b in zip(layers, params[::2], params[1::2]):
        layer.kernel[...], layer.bias[...] = w, b
    return model


def weights(model):
    """The trained weights as numpy arrays, in the canonical layout (for --save)."""
    layers = [layer for layer in model.layers if isinstance(layer, (nnx.Conv, nnx.Linear))]
    return [np.asarray(v[...]) for layer in layers for v in (layer.kernel, layer.bias)]


def cross_entropy(model, x, y):
    return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()


@nnx.jit
def train_step(model, optimizer, x, y):
    """One SGD step: the model and the optimizer are updated in place; returns the batch's loss."""
    loss, grads = nnx.value_and_grad(cross_entropy)(model, x, y)
    optimizer.update(model, grads)
    return loss


def train_epoch(model, optimizer, x, y, batch_size):
    """The epoch, in place, a Python loop over the compiled step: returns the epoch's mean
    cross-entropy. Not nnx.scan: XLA:CPU runs a convolution inside a loop body slower than called
    from Python (5.8x here at batch 10; jax-ml/jax#12868, docs/frameworks.md#the-jax-scripts)."""
    model.train()                               # training mode (dropout, batch norm would care)
    step = nnx.cached_partial(train_step, model, optimizer)  # nnx.jit's graph walk once, not per step
    total = 0.0
    for i in range(0, len(x), batch_size):      # the last batch may be smaller: none is dropped
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        total += step(xb, yb) * len(xb)         # summed on the device: no host sync per step
    return total / len(x)


@nnx.jit
def predict(model, x):                          # 1,000 images at a time (lax.map batches the map)
    model.eval()
    return jax.lax.map(lambda image: model(image[None])[0].argmax(), x, batch_size=1000)


def main():
    args = mnist.parse_args(__doc__, lr=mnist.DEEP_LR)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)
    h, w, c = INPUT
    flat = (h - 8) // 2 * ((w - 8) // 2) * 16  # the pooled map's size, flat (10 * 10 * 16)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (5, 5, 8, 16), (flat, 100), (100, CLASSES)])
    model = build_model(params)
    optimizer = nnx.Optimizer(model, optax.sgd(args.lr), wrt=nnx.Param)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, optimizer, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), weights(model))


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
