"""MLP in JAX: 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD."""
import mnist  # first: it turns a missing framework below into a one-line error
import jax
import jax.numpy as jnp


def feed_forward(params, x):
    w1, b1, w2, b2 = params
    h = jax.nn.sigmoid(x @ w1 + b1)             # (n, 100)
    return h @ w2 + b2                          # (n, 10) logits: the softmax is inside the loss


def cross_entropy(params, x, y):
    log_p = jax.nn.log_softmax(feed_forward(params, x))
    return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))


@jax.jit
def train_step(params, x, y, lr):
    """One SGD step: new params (a list of arrays, updated functionally) and the batch's loss."""
    loss, grads = jax.value_and_grad(cross_entropy)(params, x, y)
    return [p - lr * g for p, g in zip(params, grads)], loss


@jax.jit
def predict(params, x):
    return jnp.argmax(feed_forward(params, x), axis=1)


def main():
    args = mnist.parse_args(__doc__)
    data = mnist.load_data(shape=(784,), dataset=args.dataset)
    params = [jnp.asarray(p) for p in mnist.init_weights(args.seed, [(784, 100), (100, 10)])]

    @jax.jit  # the whole epoch's full batches run as one compiled loop: no Python between steps
    def train_batches(params, xs, ys):          # xs (batches, batch size, 784)
        return jax.lax.scan(lambda p, batch: train_step(p, *batch, args.lr), params, (xs, ys))

    def train_epoch(x, y):
        nonlocal params
        n = len(x) // args.batch_size * args.batch_size
        params, losses = train_batches(params, x[:n].reshape(-1, args.batch_size, *x.shape[1:]),
                                       y[:n].reshape(-1, args.batch_size))
        total = losses.sum() * args.batch_size
        if n < len(x):                          # the last, smaller batch: none is dropped
            params, loss = train_step(params, x[n:], y[n:], args.lr)
            total += loss * (len(x) - n)
        return total / len(x)

    mnist.run(args, data, train_epoch, lambda x: predict(params, x), lambda: params)


if __name__ == "__main__":
    main()
