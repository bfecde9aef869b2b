"""Conv net in PyTorch: conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9886.
"""
# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "torch==2.13.0",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import torch
from torch import nn

INPUT = (1, 28, 28)  # one image as the network takes it: (channels, height, width)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1

device = torch.accelerator.current_accelerator(check_available=True) or torch.device("cpu")


def build_model(params):
    w1, b1, w2, b2, w3, b3 = (torch.from_numpy(p) for p in params)
    model = nn.Sequential(
        nn.Conv2d(INPUT[0], 8, kernel_size=5), nn.Sigmoid(),  # (n, 8, 24, 24)
        nn.MaxPool2d(2),                                     # (n, 8, 12, 12)
        nn.Flatten(), nn.Linear(*w2.shape), nn.Sigmoid(),    # (n, 100)
        nn.Linear(*w3.shape))                                # (n, 10) logits
    # PyTorch keeps kernels as (out, in, h, w) and Linear weights as (out, in), and Flatten
    # reads the map as (c, h, w): move the channel of the canonical (h, w, c) rows of w2 first
    w2 = w2.reshape(-1, 8, 100).permute(1, 0, 2).reshape(-1, 100)
    model.load_state_dict({"0.weight": w1.permute(3, 2, 0, 1), "0.bias": b1,
                           "4.weight": w2.T, "4.bias": b2, "6.weight": w3.T, "6.bias": b3})
    return model.to(device)


def weights(model):
    """The trained weights back in the canonical layout, as numpy arrays (for --save)."""
    w1, b1, w2, b2, w3, b3 = (t.detach().cpu() for t in model.state_dict().values())
    w2 = w2.T.reshape(8, -1, 100).permute(1, 0, 2).reshape(-1, 100)  # rows back to (h, w, c)
    return [t.numpy() for t in (w1.permute(2, 3, 1, 0), b1, w2, b2, w3.T, b3)]


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)  # the softmax is inside the loss
    loss.backward()
    optimizer.step()
    return loss.detach()


def train_epoch(model, optimizer, x, y, batch_size):
    model.train()                               # training mode (dropout, batch norm would care)
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    total = torch.zeros((), device=device)      # summed on the device: no host sync per step
    for i in range(0, len(x), batch_size):      # the last batch may be smaller: none is dropped
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        total += train_step(model, optimizer, xb, yb) * len(xb)
    return total / len(x)                       # the epoch's mean cross-entropy


@torch.no_grad()
def predict(model, x):
    model.eval()
    x = torch.from_numpy(x).to(device)
    return torch.cat([model(xb).argmax(dim=1) for xb in x.split(1000)]).cpu().numpy()  # 1,000 at a time


def main():
    torch.set_num_threads(1)  # batches of 10 are too small to split: threads only add overhead
    args = mnist.parse_args(__doc__, epilog=f"device: {device} (torch.accelerator's, else the CPU)")
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="chw", dataset=args.dataset)
    c, h, w = INPUT
    flat = (h - 4) // 2 * ((w - 4) // 2) * 8  # the pooled map's size, flat (12 * 12 * 8)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (flat, 100), (100, CLASSES)])
    model = build_model(params)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, optimizer, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), weights(model))


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
