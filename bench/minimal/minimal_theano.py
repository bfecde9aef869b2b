"""The plainest PyTensor training loop of the MLP (shared variables, a function with updates): the
yardstick of mlp_theano.py."""
import common
import numpy as np
import pytensor
import pytensor.tensor as pt


def main():
    args, x, y = common.setup(__doc__)
    rng = np.random.default_rng(0)
    params = [pytensor.shared((rng.standard_normal((784, 100)) / 28).astype("float32")),
              pytensor.shared(np.zeros(100, "float32")),
              pytensor.shared((rng.standard_normal((100, 10)) / 10).astype("float32")),
              pytensor.shared(np.zeros(10, "float32"))]
    w1, b1, w2, b2 = params
    xb, yb = pt.matrix("x", dtype="float32"), pt.vector("y", dtype="int64")
    p = pt.special.softmax(pt.sigmoid(xb @ w1 + b1) @ w2 + b2, axis=1)
    loss = -pt.log(p[pt.arange(yb.shape[0]), yb]).mean()
    updates = [(q, q - np.float32(args.lr) * g) for q, g in zip(params, pytensor.grad(loss, params))]
    train_step = pytensor.function([xb, yb], loss, updates=updates)
    for epoch, start in common.epochs(args):
        for i in range(0, len(x), args.batch_size):
            loss = train_step(x[i:i + args.batch_size], y[i:i + args.batch_size])
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
