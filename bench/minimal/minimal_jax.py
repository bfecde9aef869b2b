"""The yardstick of mlp_jax.py: a jax.jit step called from a Python loop on batches sliced from
NumPy, as the JAX docs train a network ("Training a simple neural network, with tensorflow/datasets
data loading", docs.jax.dev/en/latest/notebooks/neural_network_with_tfds_data.html: the batches
come from tfds.as_numpy). Slicing a device array instead costs a dispatch per slice (52-57 against
26 µs a step at batch 10, measured 2026-12-07)."""
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
    for epoch, start in common.epochs(args):
        for i in range(0, len(x), args.batch_size):  # x, y: NumPy arrays
            params, loss = train_step(params, x[i:i + args.batch_size], y[i:i + args.batch_size], args.lr)
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
