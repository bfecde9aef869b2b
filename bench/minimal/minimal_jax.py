"""The plainest JAX training loop of the MLP (a jitted step, a Python loop): the yardstick of
mlp_jax.py."""
import time

import common
import jax
import jax.numpy as jnp


def loss_fn(params, x, y):
    w1, b1, w2, b2 = params
    z = jax.nn.sigmoid(x @ w1 + b1) @ w2 + b2
    return -jnp.take_along_axis(jax.nn.log_softmax(z), y[:, None], axis=1).mean()


@jax.jit
def train_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return [p - lr * g for p, g in zip(params, grads)], loss


def main():
    args, x, y = common.setup(__doc__)
    k1, k2 = jax.random.split(jax.random.key(0))
    params = [jax.random.normal(k1, (784, 100)) / 28, jnp.zeros(100),
              jax.random.normal(k2, (100, 10)) / 10, jnp.zeros(10)]
    x, y = jnp.asarray(x), jnp.asarray(y)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for i in range(0, len(x), args.batch_size):
            params, loss = train_step(params, x[i:i + args.batch_size], y[i:i + args.batch_size], args.lr)
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
