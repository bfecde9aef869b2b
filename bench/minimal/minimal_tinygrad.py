"""The yardstick of mlp_tinygrad.py: a TinyJit step that realizes its loss with the optimizer's
step, as tinygrad's own MNIST example trains (github.com/tinygrad/tinygrad,
examples/beautiful_mnist.py), each batch handed in from NumPy and no sum of the losses kept; --gather
keeps the whole training set on the device and gathers each batch inside the step by index, as that
example draws its batches."""
import common
import numpy as np
from tinygrad import Context, Tensor, TinyJit, nn


def main():
    args, x, y = common.setup(__doc__, ("--gather", "the data on the device, each batch gathered in the step"))
    model = [nn.Linear(784, 100), Tensor.sigmoid, nn.Linear(100, 10)]
    optimizer = nn.optim.SGD(nn.state.get_parameters(model), lr=args.lr)
    data = (Tensor(x), Tensor(y)) if args.gather else None

    @TinyJit
    def step(x, y):
        if args.gather:  # x: the batch's indices into the data on the device
            x, y = data[0][x], data[1][x]
        optimizer.zero_grad()
        loss = x.sequential(model).sparse_categorical_crossentropy(y).backward()
        return loss.realize(*optimizer.schedule_step())

    with Context(TRAINING=1):
        for epoch, start in common.epochs(args):
            for i in range(0, len(x) - args.batch_size + 1, args.batch_size):  # whole batches: one shape
                if args.gather:
                    loss = step(Tensor(np.arange(i, i + args.batch_size, dtype=np.int32)), None)
                else:
                    loss = step(Tensor(x[i:i + args.batch_size]), Tensor(y[i:i + args.batch_size]))
            common.report(epoch, start, loss.item())


if __name__ == "__main__":
    main()
