"""Conv net in TensorFlow 2 (low level): conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9886.
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

INPUT = (28, 28, 1)  # one image as the network takes it: (height, width, channels)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1


def feed_forward(params, x):
    w1, b1, w2, b2, w3, b3 = params
    a1 = tf.sigmoid(tf.nn.conv2d(x, w1, strides=1, padding="VALID") + b1)  # (n, 24, 24, 8)
    pooled = tf.nn.max_pool2d(a1, ksize=2, strides=2, padding="VALID")    # (n, 12, 12, 8)
    h = tf.sigmoid(tf.reshape(pooled, (tf.shape(x)[0], -1)) @ w2 + b2)   # (n, 100)
    return h @ w3 + b3                          # (n, 10) logits: the softmax is inside the loss


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
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)
    h, w, c = INPUT
    flat = (h - 4) // 2 * ((w - 4) // 2) * 8  # the pooled map's size, flat (12 * 12 * 8)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (flat, 100), (100, CLASSES)])
    params = [tf.Variable(p) for p in params]   # the model: variables that the steps update
    lr = tf.constant(args.lr)  # a tensor: a new rate (a schedule) reuses the graph, a new float retraces
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(params, x, y, args.batch_size, lr)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(params, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(params, x_test), y_test), [p.numpy() for p in params])


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
