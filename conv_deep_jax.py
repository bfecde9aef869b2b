"""Deep conv net in JAX: conv8 5x5 relu -> conv16 5x5 relu -> maxpool 2x2 -> fc100 relu -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.04, seed 0): test accuracy 0.9920.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "jax==0.10.2",
#   "jaxlib==0.10.2",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import jax
import jax.numpy as jnp

INPUT = (28, 28, 1)  # one image as the network takes it: (height, width, channels)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def conv(x, w):
    """Valid convolution, stride 1: x (n, h, w, in) by w (kh, kw, in, out), XLA's own."""
    return jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))


def max_pool(a):
    """2x2 max-pool; its gradient goes to one maximum per window, as in TF and PyTorch."""
    return jax.lax.reduce_window(a, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def feed_forward(params, x):
    w1, b1, w2, b2, w3, b3, w4, b4 = params
    a1 = jax.nn.relu(conv(x, w1) + b1)                          # (n, 24, 24, 8)
    pooled = max_pool(jax.nn.relu(conv(a1, w2) + b2))           # (n, 20, 20, 16) -> (n, 10, 10, 16)
    h = jax.nn.relu(pooled.reshape(len(x), -1) @ w3 + b3)       # (n, 100)
    return h @ w4 + b4                          # (n, 10) logits: the softmax is inside the loss


def cross_entropy(params, x, y):
    log_p = jax.nn.log_softmax(feed_forward(params, x))
    return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))


@jax.jit
def train_step(params, x, y, lr):
    """One SGD step: new params (a list of arrays, updated functionally) and the batch's loss."""
    loss, grads = jax.value_and_grad(cross_entropy)(params, x, y)
    return [p - lr * g for p, g in zip(params, grads)], loss


def train_epoch(params, x, y, batch_size, lr):
    """The epoch, a Python loop over the compiled step: the trained params and the epoch's mean
    cross-entropy. Not lax.scan: XLA:CPU runs a convolution inside a loop body slower than called
    from Python (6.7x here at batch 10; jax-ml/jax#12868, docs/frameworks.md#the-jax-scripts)."""
    total = 0.0
    for i in range(0, len(x), batch_size):      # the last batch may be smaller: none is dropped
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]  # NumPy slices, as the JAX docs batch
        params, loss = train_step(params, xb, yb, lr)
        total += loss * len(xb)                 # summed on the device: no host sync per step
    return params, total / len(x)


@jax.jit
def predict(params, x):                         # 1,000 images at a time (lax.map batches the map)
    return jax.lax.map(lambda image: jnp.argmax(feed_forward(params, image[None])[0]), x, batch_size=1000)


def main():
    args = mnist.parse_args(__doc__, lr=mnist.DEEP_LR)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)
    h, w, c = INPUT
    flat = (h - 8) // 2 * ((w - 8) // 2) * 16  # the pooled map's size, flat (10 * 10 * 16)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (5, 5, 8, 16), (flat, 100), (100, CLASSES)])
    params = [jnp.asarray(p) for p in params]
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        params, loss = train_epoch(params, x, y, args.batch_size, args.lr)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(params, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(params, x_test), y_test), params)


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
