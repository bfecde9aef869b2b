"""The plainest NumPy training loop of the MLP: the yardstick of mlp_numpy.py."""
import common
import numpy as np


def main():
    args, x, y = common.setup(__doc__)
    rng = np.random.default_rng(0)
    w1 = (rng.standard_normal((784, 100)) / 28).astype(np.float32)
    w2 = (rng.standard_normal((100, 10)) / 10).astype(np.float32)
    b1, b2 = np.zeros(100, np.float32), np.zeros(10, np.float32)
    for epoch, start in common.epochs(args):
        for i in range(0, len(x), args.batch_size):
            xb, yb = x[i:i + args.batch_size], y[i:i + args.batch_size]
            h = 1 / (1 + np.exp(-(xb @ w1 + b1)))
            z = h @ w2 + b2
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            loss = -np.log(p[np.arange(len(yb)), yb]).mean()
            p[np.arange(len(yb)), yb] -= 1
            dz = p / len(yb)
            dh = dz @ w2.T * h * (1 - h)
            w1 -= args.lr * xb.T @ dh
            b1 -= args.lr * dh.sum(axis=0)
            w2 -= args.lr * h.T @ dz
            b2 -= args.lr * dz.sum(axis=0)
        common.report(epoch, start, loss)


if __name__ == "__main__":
    main()
