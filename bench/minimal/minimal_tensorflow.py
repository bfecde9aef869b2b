"""The yardstick of mlp_tensorflow.py: a GradientTape step, and the epoch's loop inside one
tf.function, so that the whole epoch is one graph, as TensorFlow's guide to tf.function teaches
("Better performance with tf.function", tensorflow.org/guide/function: a loop over tf.range or a
tf.data.Dataset inside a tf.function becomes a tf.while_loop). The batches are slices of one
tensor; --tf-data iterates a tf.data.Dataset instead (the guide's other loop, and what Keras's
fit feeds its steps from), to measure what that costs."""
import common
import tensorflow as tf


def main():
    args, x, y = common.setup(__doc__, ("--tf-data", "batches from a tf.data.Dataset (default: slices)"))
    tf.config.threading.set_inter_op_parallelism_threads(1)  # as mlp_tensorflow.py
    tf.config.threading.set_intra_op_parallelism_threads(1)
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(args.batch_size)
    x, y = tf.constant(x), tf.constant(y)
    params = [tf.Variable(tf.random.normal((784, 100)) / 28), tf.Variable(tf.zeros(100)),
              tf.Variable(tf.random.normal((100, 10)) / 10), tf.Variable(tf.zeros(10))]

    def train_step(xb, yb):
        w1, b1, w2, b2 = params
        with tf.GradientTape() as tape:
            z = tf.sigmoid(xb @ w1 + b1) @ w2 + b2
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, z))
        for param, grad in zip(params, tape.gradient(loss, params)):
            param.assign_sub(args.lr * grad)
        return loss

    @tf.function
    def train_epoch():
        loss = 0.0
        if args.tf_data:
            for xb, yb in data:
                loss = train_step(xb, yb)
        else:
            for i in tf.range(0, tf.shape(x)[0], args.batch_size):
                loss = train_step(x[i:i + args.batch_size], y[i:i + args.batch_size])
        return loss

    for epoch, start in common.epochs(args):
        common.report(epoch, start, train_epoch())


if __name__ == "__main__":
    main()
