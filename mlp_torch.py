"""MLP in PyTorch: 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9796.
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

INPUT = (784,)  # one image as the network takes it: 784 pixels, flat
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1

device = torch.accelerator.current_accelerator(check_available=True) or torch.device("cpu")


def build_model(params):
    w1, b1, w2, b2 = (torch.from_numpy(p) for p in params)
    model = nn.Sequential(nn.Linear(*w1.shape), nn.Sigmoid(), nn.Linear(*w2.shape))  # (n, 10) logits
    # nn.Linear keeps its weight as (out, in): transpose from the canonical (in, out)
    model.load_state_dict({"0.weight": w1.T, "0.bias": b1, "2.weight": w2.T, "2.bias": b2})
    return model.to(device)


def weights(model):
    """The trained weights back in the canonical layout, as numpy arrays (for --save)."""
    w1, b1, w2, b2 = (t.detach().cpu() for t in model.state_dict().values())
    return [t.numpy() for t in (w1.T, b1, w2.T, b2)]


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
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="flat", dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(INPUT[0], 100), (100, CLASSES)])
    model = build_model(params)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, optimizer, x, y, args.batch_size)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), weights(model))


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
