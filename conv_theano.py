"""Conv net in PyTensor (Theano's successor): conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD.

PyTensor 3 has no CNN conv2d or pool_2d op, so both are built here from array operations:
the convolution gathers every 5x5 window with one precomputed index array and multiplies the
windows by the kernels in one matmul (im2col); max-pooling is a max over one axis of them.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9886.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "pytensor==3.0.7",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import numpy as np
import pytensor
import pytensor.tensor as pt

INPUT = (28, 28, 1)  # one image as the network takes it: (height, width, channels)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1

# im2col indices: PATCHES[p, k] lists the 25 pixels (of an image flattened to (h * w, c)) of the
# 5x5 window under conv output position k (of 4) of 2x2 pooling window p (of 12x12), so that
# pooling is a max over one axis and the pooled (12, 12, 8) map stays in (row, column, channel) order
h, w = INPUT[:2]
i, j, di, dj = np.ix_(range(0, h - 5, 2), range(0, w - 5, 2), range(2), range(2))
r, c = np.ix_(range(5), range(5))
PATCHES = ((i + di) * w + j + dj).reshape(-1, 4, 1) + (r * w + c).reshape(1, 1, 25)


def feed_forward(params, x):
    w1, b1, w2, b2, w3, b3 = params
    cols = x.reshape((x.shape[0], -1, x.shape[3]))[:, PATCHES]  # (n, 144, 4, 25, c): 5x5 windows
    cols = cols.reshape((x.shape[0], *PATCHES.shape[:2], -1))  # (n, 144, 4, 25 * c)
    a1 = pt.sigmoid(cols @ w1.reshape((-1, 8)) + b1)        # (n, 144, 4, 8): conv 24x24x8
    # max-pool: keep the first maximum of each window, masked by its argmax, so that its
    # gradient goes to that one element, as in TF and PyTorch (pt.max would give it whole to
    # every tied element, and the blank background of a digit is all ties)
    first = pt.argmax(a1, axis=2, keepdims=True)            # (n, 144, 1, 8)
    pooled = pt.sum(a1 * pt.eq(pt.arange(4)[:, None], first), axis=2)  # (n, 144, 8): 12x12x8
    h = pt.sigmoid(pooled.reshape((x.shape[0], -1)) @ w2 + b2)  # (n, 100)
    return h @ w3 + b3                                      # (n, 10) logits


def compile_train_step(params, lr):
    """One SGD step, compiled: a function (x, y) that updates the shared params in place and
    returns the batch's loss."""
    x, y = pt.tensor4("x", dtype="float32"), pt.vector("y", dtype="int64")  # a batch of (n, 28, 28, 1) images, labels
    log_p = pt.special.log_softmax(feed_forward(params, x), axis=1)
    loss = -pt.mean(log_p[pt.arange(y.shape[0]), y])  # mean cross-entropy
    grads = pytensor.grad(loss, params)
    lr = pt.constant(lr, dtype="float32")  # a Python float would be config.floatX and upcast the step
    return pytensor.function([x, y], loss, updates=[(p, p - lr * g) for p, g in zip(params, grads)])


def train_epoch(train_step, x, y, batch_size):
    total = 0.0
    for i in range(0, len(x), batch_size):      # the last batch may be smaller: none is dropped
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        total += train_step(xb, yb) * len(xb)
    return total / len(x)                       # the epoch's mean cross-entropy


def compile_predict(params):
    """The prediction, compiled: a function x -> class labels (in chunks: the windows are 18x x)."""
    x = pt.tensor4("x", dtype="float32")
    labels = pytensor.function([x], pt.argmax(feed_forward(params, x), axis=1))
    return lambda x: np.concatenate([labels(x[i:i + 100]) for i in range(0, len(x), 100)])


def main():
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)
    h, w, c = INPUT
    flat = (h - 4) // 2 * ((w - 4) // 2) * 8  # the pooled map's size, flat (12 * 12 * 8)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (flat, 100), (100, CLASSES)])
    params = [pytensor.shared(p) for p in params]  # the model: variables the compiled step updates
    train_step, predict = compile_train_step(params, args.lr), compile_predict(params)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(train_step, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(x_test), y_test), [p.get_value() for p in params])


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
