"""Conv net in NumPy: conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9886.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import numpy as np

INPUT = (28, 28, 1)  # one image as the network takes it: (height, width, channels)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1

# im2col indices: PATCHES[p, k] lists the 25 pixels (of an image flattened to (h * w, c)) of the
# 5x5 window under conv output position k (of 4) of 2x2 pooling window p (of 12x12), so that
# pooling is a max over one axis and the pooled (12, 12, 8) map stays in (row, column, channel) order
h, w = INPUT[:2]
i, j, di, dj = np.ix_(range(0, h - 5, 2), range(0, w - 5, 2), range(2), range(2))
r, c = np.ix_(range(5), range(5))
PATCHES = ((i + di) * w + j + dj).reshape(-1, 4, 1) + (r * w + c).reshape(1, 1, 25)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def feed_forward(params, x):
    w1, b1, w2, b2, w3, b3 = params
    cols = x.reshape(len(x), -1, x.shape[3])[:, PATCHES]    # (n, 144, 4, 25, c): 5x5 windows
    cols = cols.reshape(*cols.shape[:3], -1)                # (n, 144, 4, 25 * c)
    a1 = sigmoid(cols @ w1.reshape(-1, 8) + b1)             # (n, 144, 4, 8): conv 24x24x8
    pooled = a1.max(axis=2)                                 # (n, 144, 8): pooled 12x12x8
    h = sigmoid(pooled.reshape(len(x), -1) @ w2 + b2)       # (n, 100)
    z = h @ w3 + b3                                         # (n, 10)
    z = z - z.max(axis=1, keepdims=True)                    # the largest logit 0: no overflow
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    return cols, a1, pooled, h, z - np.log(s), e / s        # ..., log softmax, softmax


def train_step(params, x, y, lr):
    w1, b1, w2, b2, w3, b3 = params
    cols, a1, pooled, h, log_p, p = feed_forward(params, x)
    rows = np.arange(len(x))
    dz3 = p.copy()
    dz3[rows, y] -= 1                                       # softmax minus the one-hot labels:
    dz3 /= len(x)                                           # mean cross-entropy wrt logits
    dz2 = (dz3 @ w3.T) * h * (1 - h)                        # (n, 100)
    dpool = (dz2 @ w2.T).reshape(pooled.shape[0], -1, 1, 8)  # (n, 144, 1, 8)
    first = a1.argmax(axis=2)[:, :, None]                   # one max per window takes it all,
    da1 = np.where(np.arange(4)[:, None] == first, dpool, 0)  # as in TF and PyTorch (n, 144, 4, 8)
    dz1 = da1 * a1 * (1 - a1)
    dw1 = (cols.reshape(-1, cols.shape[3]).T @ dz1.reshape(-1, 8)).reshape(w1.shape)  # (5, 5, c, 8)
    grads = (dw1, dz1.sum(axis=(0, 1, 2)), pooled.reshape(len(x), -1).T @ dz2, dz2.sum(axis=0),
             h.T @ dz3, dz3.sum(axis=0))
    for param, grad in zip(params, grads):
        param -= lr * grad
    return -log_p[rows, y].sum() / len(x)                   # the batch's mean cross-entropy


def train_epoch(params, x, y, batch_size, lr):
    total = 0.0
    for i in range(0, len(x), batch_size):                  # the last batch may be smaller
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        total += train_step(params, xb, yb, lr) * len(xb)
    return total / len(x)                                   # the epoch's mean cross-entropy


def predict(params, x):
    return np.concatenate([feed_forward(params, x[i:i + 100])[-1].argmax(axis=1)
                           for i in range(0, len(x), 100)])  # in chunks: the windows are 18x x


def main():
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)
    h, w, c = INPUT
    flat = (h - 4) // 2 * ((w - 4) // 2) * 8  # the pooled map's size, flat (12 * 12 * 8)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (flat, 100), (100, CLASSES)])
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(params, x, y, args.batch_size, args.lr)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(params, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(params, x_test), y_test), params)


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
