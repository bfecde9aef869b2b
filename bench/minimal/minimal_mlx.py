"""The plainest MLX training loop of the MLP (nn.value_and_grad, optimizer.update, mx.eval per
step, as MLX's own examples): the yardstick of mlp_mlx.py."""
import time

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
    x, y = mx.array(x), mx.array(y)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for i in range(0, len(x), args.batch_size):
            loss, grads = loss_and_grad(model, x[i:i + args.batch_size], y[i:i + args.batch_size])
            optimizer.update(model, grads)
            mx.eval(model.parameters(), optimizer.state)
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
