"""MLP in PyTensor (Theano's successor): 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD."""
import mnist  # first: it turns a missing framework below into a one-line error
import pytensor
import pytensor.tensor as pt

pytensor.config.floatX = "float32"  # Python floats in the graph stay float32, as the weights are


def feed_forward(params, x):
    w1, b1, w2, b2 = params
    h = pt.sigmoid(x @ w1 + b1)                 # (n, 100)
    return h @ w2 + b2                          # (n, 10) logits


def train_step(params, lr):
    """Compile one SGD step: a function (x, y) that updates the shared params in place and
    returns the batch's loss."""
    x, y = pt.matrix("x"), pt.matrix("y")       # a batch of images, its one-hot labels
    log_p = pt.special.log_softmax(feed_forward(params, x), axis=1)
    loss = -pt.mean(pt.sum(y * log_p, axis=1))  # mean cross-entropy
    grads = pytensor.grad(loss, params)
    return pytensor.function([x, y], loss, updates=[(p, p - lr * g) for p, g in zip(params, grads)])


def predict(params):
    """Compile the prediction: a function x -> class labels."""
    x = pt.matrix("x")
    return pytensor.function([x], pt.argmax(feed_forward(params, x), axis=1))


def main():
    args = mnist.parse_args(__doc__)
    data = mnist.load_data(shape=(784,), one_hot=True, dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(784, 100), (100, 10)])
    params = [pytensor.shared(p) for p in params]
    step = train_step(params, args.lr)

    def train_epoch(x, y):
        total = 0.0
        for i in range(0, len(x), args.batch_size):
            xb, yb = x[i:i + args.batch_size], y[i:i + args.batch_size]
            total += step(xb, yb) * len(xb)
        return total / len(x)                   # the epoch's mean cross-entropy

    mnist.run(args, data, train_epoch, predict(params), lambda: [p.get_value() for p in params])


if __name__ == "__main__":
    main()
