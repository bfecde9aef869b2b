"""Conv net in PyTorch: conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD."""
import mnist  # first: it turns a missing framework below into a one-line error
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # batches of 10 are too small to split: threads only add overhead


def feed_forward(params):
    w1, b1, w2, b2, w3, b3 = (torch.from_numpy(p) for p in params)
    model = nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=5), nn.Sigmoid(),        # (n, 8, 24, 24)
        nn.MaxPool2d(2),                                     # (n, 8, 12, 12)
        nn.Flatten(), nn.Linear(1152, 100), nn.Sigmoid(),    # (n, 100)
        nn.Linear(100, 10))                                  # (n, 10) logits
    # PyTorch keeps kernels as (out, in, h, w) and Linear weights as (out, in), and Flatten
    # reads the map as (c, h, w): reorder the canonical (h, w, c) rows of w2 to match
    w2 = w2.reshape(12, 12, 8, 100).permute(2, 0, 1, 3).reshape(1152, 100)
    model.load_state_dict({"0.weight": w1.permute(3, 2, 0, 1), "0.bias": b1,
                           "4.weight": w2.T, "4.bias": b2, "6.weight": w3.T, "6.bias": b3})
    return model.to(device)


def weights(model):
    """The trained weights back in the canonical layout, as numpy arrays (for --save)."""
    w1, b1, w2, b2, w3, b3 = (t.detach().cpu() for t in model.state_dict().values())
    w2 = w2.T.reshape(8, 12, 12, 100).permute(1, 2, 0, 3).reshape(1152, 100)  # rows to (h, w, c)
    return [t.numpy() for t in (w1.permute(2, 3, 1, 0), b1, w2, b2, w3.T, b3)]


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)  # the softmax is inside the loss
    loss.backward()
    optimizer.step()
    return loss.detach()


@torch.no_grad()
def predict(model, x):
    return model(torch.from_numpy(x).to(device)).argmax(dim=1).cpu().numpy()


def main():
    args = mnist.parse_args(__doc__)
    data = mnist.load_data(shape=(1, 28, 28), dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(5, 5, 1, 8), (12 * 12 * 8, 100), (100, 10)])
    model = feed_forward(params)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

    def train_epoch(x, y):
        x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
        total = torch.zeros((), device=device)  # summed on the device: no host sync per step
        for i in range(0, len(x), args.batch_size):
            xb, yb = x[i:i + args.batch_size], y[i:i + args.batch_size]
            total += train_step(model, optimizer, xb, yb) * len(xb)
        return total / len(x)                   # the epoch's mean cross-entropy

    mnist.run(args, data, train_epoch, lambda x: predict(model, x), lambda: weights(model))


if __name__ == "__main__":
    main()
