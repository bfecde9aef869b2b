"""Conv net in JAX: conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9886.
"""
import mnist  # first: it turns a missing framework below into a one-line error
import jax
import jax.numpy as jnp


def conv(x, w):
    """Valid convolution, stride 1: x (n, h, w, in), w (kh, kw, in, out). XLA's own, fast on
    many images (predict)."""
    return jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))


def conv_by_matmul(x, w):
    """The same convolution as one matmul of the kh * kw shifted views side by side (im2col by
    slicing): on a CPU, 7x faster than XLA's own on batches of 10."""
    kh, kw, c_in, c_out = w.shape
    h, wd = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    cols = jnp.concatenate([x[:, i:i + h, j:j + wd] for i in range(kh) for j in range(kw)],
                           axis=3)              # (n, h, w, kh * kw * in)
    return cols @ w.reshape(kh * kw * c_in, c_out)


# the training steps' convolution: the matmul on a CPU only, whatever the batch size (a speed
# path: the same maths, other rounding)
TRAIN_CONV = conv_by_matmul if jax.default_backend() == "cpu" else conv


def max_pool(a):
    """2x2 max-pool; its gradient goes to one maximum per window, as in TF and PyTorch."""
    return jax.lax.reduce_window(a, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def feed_forward(params, x, conv=conv):
    w1, b1, w2, b2, w3, b3 = params
    pooled = max_pool(jax.nn.sigmoid(conv(x, w1) + b1))         # (n, 24, 24, 8) -> (n, 12, 12, 8)
    h = jax.nn.sigmoid(pooled.reshape(len(x), 1152) @ w2 + b2)  # (n, 100)
    return h @ w3 + b3                          # (n, 10) logits: the softmax is inside the loss


def cross_entropy(params, x, y):
    log_p = jax.nn.log_softmax(feed_forward(params, x, TRAIN_CONV))
    return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))


@jax.jit
def train_step(params, x, y, lr):
    """One SGD step: new params (a list of arrays, updated functionally) and the batch's loss."""
    loss, grads = jax.value_and_grad(cross_entropy)(params, x, y)
    return [p - lr * g for p, g in zip(params, grads)], loss


@jax.jit  # the full batches run as one compiled loop: no Python between the steps
def train_batches(params, xs, ys, lr):          # xs (batches, batch size, 28, 28, 1)
    return jax.lax.scan(lambda p, batch: train_step(p, *batch, lr), params, (xs, ys))


def train_epoch(params, x, y, batch_size, lr):
    """The epoch: the trained params and the epoch's mean cross-entropy."""
    n = len(x) // batch_size * batch_size
    params, losses = train_batches(params, x[:n].reshape(-1, batch_size, *x.shape[1:]),
                                   y[:n].reshape(-1, batch_size), lr)
    total = losses.sum() * batch_size
    if n < len(x):                              # the last, smaller batch: none is dropped
        params, loss = train_step(params, x[n:], y[n:], lr)
        total += loss * (len(x) - n)
    return params, total / len(x)


@jax.jit
def predict(params, x):
    return jnp.argmax(feed_forward(params, x), axis=1)


def main():
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(
        shape=(28, 28, 1), dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(5, 5, 1, 8), (12 * 12 * 8, 100), (100, 10)])
    params = [jnp.asarray(p) for p in params]
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train):  # this epoch's batch order
        params, loss = train_epoch(params, x, y, args.batch_size, args.lr)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(params, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(params, x_test), y_test), params)


if __name__ == "__main__":
    main()
