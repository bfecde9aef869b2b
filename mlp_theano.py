"""MLP in PyTensor (Theano's successor): 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9796.
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
import pytensor
import pytensor.tensor as pt

INPUT = (784,)  # one image as the network takes it: 784 pixels, flat
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def feed_forward(params, x):
    w1, b1, w2, b2 = params
    h = pt.sigmoid(x @ w1 + b1)                 # (n, 100)
    return h @ w2 + b2                          # (n, 10) logits


def compile_train_step(params, lr):
    """One SGD step, compiled: a function (x, y) that updates the shared params in place and
    returns the batch's loss."""
    x, y = pt.matrix("x", dtype="float32"), pt.vector("y", dtype="int64")  # a batch of images, its labels
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
    """The prediction, compiled: a function x -> class labels."""
    x = pt.matrix("x", dtype="float32")
    return pytensor.function([x], pt.argmax(feed_forward(params, x), axis=1))


def main():
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="flat", dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(INPUT[0], 100), (100, CLASSES)])
    params = [pytensor.shared(p) for p in params]  # the model: variables the compiled step updates
    train_step, predict = compile_train_step(params, args.lr), compile_predict(params)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(train_step, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(x_test), y_test), [p.get_value() for p in params])


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
