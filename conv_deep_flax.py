"""Deep conv net in Flax NNX: conv8 5x5 relu -> conv16 5x5 relu -> maxpool 2x2 -> fc100 relu -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.04, seed 0): test accuracy 0.9923.
"""
import mnist  # first: it turns a missing framework below into a one-line error
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx


def conv(x, w, *args, **kwargs):
    """nnx.Conv's convolution. On a CPU, XLA's own is fast on many images (predict) but slow on
    batches of 10: there, 25 shifted views side by side (im2col by slicing) in one matmul."""
    if len(x) > 100:
        return jax.lax.conv_general_dilated(x, w, *args, **kwargs)
    n, h, wd, c = x.shape
    cols = jnp.concatenate([x[:, i:i + h - 4, j:j + wd - 4] for i in range(5) for j in range(5)],
                           axis=3)              # (n, h - 4, w - 4, 25 * in)
    return cols @ w.reshape(25 * c, -1)


def build_model(params):
    rngs = nnx.Rngs(0)  # the layers' own random init, replaced by the shared weights below
    model = nnx.Sequential(
        nnx.Conv(1, 8, (5, 5), padding="VALID", conv_general_dilated=conv, rngs=rngs), nnx.relu,   # (n, 24, 24, 8)
        nnx.Conv(8, 16, (5, 5), padding="VALID", conv_general_dilated=conv, rngs=rngs), nnx.relu,  # (n, 20, 20, 16)
        partial(nnx.max_pool, window_shape=(2, 2), strides=(2, 2)),                 # (n, 10, 10, 16)
        partial(jnp.reshape, shape=(-1, 1600)),
        nnx.Linear(1600, 100, rngs=rngs), nnx.relu,                                  # (n, 100)
        nnx.Linear(100, 10, rngs=rngs))                                              # (n, 10) logits
    # nnx.Linear keeps its kernel as (in, out) and nnx.Conv as (h, w, in, out), and images are
    # (n, h, w, c): the canonical layout as it is
    layers = [layer for layer in model.layers if isinstance(layer, (nnx.Conv, nnx.Linear))]
    for layer, w, b in zip(layers, params[::2], params[1::2]):
        layer.kernel[...], layer.bias[...] = w, b
    return model


def weights(model):
    """The trained weights as numpy arrays, in the canonical layout (for --save)."""
    b1, w1, b2, w2, b3, w3, b4, w4 = jax.tree.leaves(nnx.state(model, nnx.Param))  # sorted: bias first
    return [np.asarray(v) for v in (w1, b1, w2, b2, w3, b3, w4, b4)]


def cross_entropy(model, x, y):
    return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()


@nnx.jit
def train_step(model, optimizer, x, y):
    """One SGD step: the model and the optimizer are updated in place; returns the batch's loss."""
    loss, grads = nnx.value_and_grad(cross_entropy)(model, x, y)
    optimizer.update(model, grads)
    return loss


@nnx.jit  # the full batches run as one compiled loop: no Python between the steps
@nnx.scan(in_axes=(nnx.Carry, 0, 0), out_axes=(nnx.Carry, 0))  # called on x (batches, batch size, 28, 28, 1)
def train_batches(carry, x, y):                 # one batch of x at a time; carry: (model, optimizer)
    return carry, train_step(*carry, x, y)


def train_epoch(model, optimizer, x, y, batch_size):
    """The epoch, in place: returns the epoch's mean cross-entropy."""
    n = len(x) // batch_size * batch_size
    _, losses = train_batches((model, optimizer), x[:n].reshape(-1, batch_size, *x.shape[1:]),
                              y[:n].reshape(-1, batch_size))
    total = losses.sum() * batch_size
    if n < len(x):                              # the last, smaller batch: none is dropped
        total += train_step(model, optimizer, x[n:], y[n:]) * (len(x) - n)
    return total / len(x)


@nnx.jit
def predict(model, x):
    return model(x).argmax(axis=1)


def main():
    args = mnist.parse_args(__doc__, lr=mnist.DEEP_LR)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(
        shape=(28, 28, 1), dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(5, 5, 1, 8), (5, 5, 8, 16), (10 * 10 * 16, 100),
                                            (100, 10)])
    model = build_model(params)
    optimizer = nnx.Optimizer(model, optax.sgd(args.lr), wrt=nnx.Param)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train):  # this epoch's batch order
        loss = train_epoch(model, optimizer, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), weights(model))


if __name__ == "__main__":
    main()
