"""The plainest Flax NNX training loop of the MLP (nnx.jit step, optax, a Python loop): the
yardstick of mlp_flax.py."""
import time

import common
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, rngs):
        self.hidden = nnx.Linear(784, 100, rngs=rngs)
        self.out = nnx.Linear(100, 10, rngs=rngs)

    def __call__(self, x):
        return self.out(nnx.sigmoid(self.hidden(x)))


@nnx.jit
def train_step(model, optimizer, x, y):
    def loss_fn(model):
        return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def main():
    args, x, y = common.setup(__doc__)
    model = MLP(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(args.lr), wrt=nnx.Param)
    x, y = jnp.asarray(x), jnp.asarray(y)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for i in range(0, len(x), args.batch_size):
            loss = train_step(model, optimizer, x[i:i + args.batch_size], y[i:i + args.batch_size])
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
