"""Deep conv net in TensorFlow 2 (low level): conv8 5x5 relu -> conv16 5x5 relu -> maxpool 2x2 -> fc100 relu -> softmax10, SGD."""
import mnist  # first: it turns a missing framework below into a one-line error
import tensorflow as tf

tf.config.threading.set_inter_op_parallelism_threads(1)  # batches of 10 are too small to split:
tf.config.threading.set_intra_op_parallelism_threads(1)  # threads only add overhead


def feed_forward(params, x):
    w1, b1, w2, b2, w3, b3, w4, b4 = params
    a1 = tf.nn.relu(tf.nn.conv2d(x, w1, strides=1, padding="VALID") + b1)   # (n, 24, 24, 8)
    a2 = tf.nn.relu(tf.nn.conv2d(a1, w2, strides=1, padding="VALID") + b2)  # (n, 20, 20, 16)
    pooled = tf.nn.max_pool2d(a2, ksize=2, strides=2, padding="VALID")      # (n, 10, 10, 16)
    h = tf.nn.relu(tf.reshape(pooled, (-1, 1600)) @ w3 + b3)                # (n, 100)
    return h @ w4 + b4                          # (n, 10) logits: the softmax is inside the loss


def train_step(params, x, y, lr):
    with tf.GradientTape() as tape:
        logits = feed_forward(params, x)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    for param, grad in zip(params, tape.gradient(loss, params)):
        param.assign_sub(lr * grad)
    return loss


@tf.function
def predict(params, x):
    return tf.argmax(feed_forward(params, x), axis=1)


def main():
    args = mnist.parse_args(__doc__, lr=mnist.DEEP_LR)
    data = mnist.load_data(shape=(28, 28, 1), dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(5, 5, 1, 8), (5, 5, 8, 16), (10 * 10 * 16, 100),
                                            (100, 10)])
    params = [tf.Variable(p) for p in params]

    @tf.function  # the whole epoch runs as one graph: no Python between the steps
    def train_epoch(x, y):
        total = 0.0                             # summed in the graph: no host sync per step
        for i in tf.range(0, tf.shape(x)[0], args.batch_size):
            xb, yb = x[i:i + args.batch_size], y[i:i + args.batch_size]
            total += train_step(params, xb, yb, args.lr) * tf.cast(tf.shape(xb)[0], tf.float32)
        return total / tf.cast(tf.shape(x)[0], tf.float32)  # the epoch's mean cross-entropy

    mnist.run(args, data, train_epoch, lambda x: predict(params, x),
              lambda: [p.numpy() for p in params])


if __name__ == "__main__":
    main()
