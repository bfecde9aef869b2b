"""MLP in TensorFlow 2 (low level): 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9796.
"""
# /// script
# requires-python = ">=3.11,<3.14"  # TensorFlow 2.21 has wheels for 3.10-3.13
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "tensorflow==2.21.0",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import tensorflow as tf

INPUT = (784,)  # one image as the network takes it: 784 pixels, flat
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def feed_forward(params, x):
    w1, b1, w2, b2 = params
    h = tf.sigmoid(x @ w1 + b1)                 # (n, 100)
    return h @ w2 + b2                          # (n, 10) logits: the softmax is inside the loss


def train_step(params, x, y, lr):
    with tf.GradientTape() as tape:
        logits = feed_forward(params, x)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    for param, grad in zip(params, tape.gradient(loss, params)):
        param.assign_sub(lr * grad)
    return loss


@tf.function  # the whole epoch runs as one graph: no Python between the steps
def train_epoch(params, x, y, batch_size, lr):
    total = 0.0                                 # summed in the graph: no host sync per step
    for i in tf.range(0, tf.shape(x)[0], batch_size):  # the last batch may be smaller
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        total += train_step(params, xb, yb, lr) * tf.cast(tf.shape(xb)[0], tf.float32)
    return total / tf.cast(tf.shape(x)[0], tf.float32)  # the epoch's mean cross-entropy


def predict(params, x):                         # eagerly, 1,000 images at a time
    return tf.concat([tf.argmax(feed_forward(params, x[i:i + 1000]), axis=1) for i in range(0, len(x), 1000)], 0)


def main():
    tf.config.threading.set_inter_op_parallelism_threads(1)  # batches of 10 are too small to split:
    tf.config.threading.set_intra_op_parallelism_threads(1)  # threads only add overhead
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="flat", dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(INPUT[0], 100), (100, CLASSES)])
    params = [tf.Variable(p) for p in params]   # the model: variables that the steps update
    lr = tf.constant(args.lr)  # a tensor: a new rate (a schedule) reuses the graph, a new float retraces
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(params, x, y, args.batch_size, lr)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(params, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(params, x_test), y_test), [p.numpy() for p in params])


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
