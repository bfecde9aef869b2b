"""The yardstick of mlp_mlx.py: the step compiled with mx.compile over the model's and optimizer's
state, then mx.eval of that state each step, as MLX's own MNIST example trains
(github.com/ml-explore/mlx-examples, mnist/main.py)."""
from functools import partial

import common
import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim


def main():
    args, x, y = common.setup(__doc__)
    model = nn.Sequential(nn.Linear(784, 100), nn.Sigmoid(), nn.Linear(100, 10))
    optimizer = optim.SGD(learning_rate=args.lr)

    def loss_fn(model, x, y):
        return nn.losses.cross_entropy(model(x), y, reduction="mean")
    loss_and_grad = nn.value_and_grad(model, loss_fn)
    state = [model.state, optimizer.state]

    @partial(mx.compile, inputs=state, outputs=state)
    def step(x, y):
        loss, grads = loss_and_grad(model, x, y)
        optimizer.update(model, grads)
        return loss

    x, y = mx.array(x), mx.array(y)
    for epoch, start in common.epochs(args):
        for i in range(0, len(x), args.batch_size):
            loss = step(x[i:i + args.batch_size], y[i:i + args.batch_size])
            mx.eval(state)
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
