"""The yardstick of mlp_flax.py: an nnx.jit step through nnx.cached_partial, called from a Python
loop on batches sliced from NumPy, as Flax's guide to nnx.jit's cost per call teaches it
("Performance considerations", flax.readthedocs.io/en/latest/guides/performance.html: cache the
graph traversal of the model and optimizer instead of repeating it at every call)."""
import common
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
    step = nnx.cached_partial(train_step, model, optimizer)
    for epoch, start in common.epochs(args):
        for i in range(0, len(x), args.batch_size):  # x, y: NumPy arrays
            loss = step(x[i:i + args.batch_size], y[i:i + args.batch_size])
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
