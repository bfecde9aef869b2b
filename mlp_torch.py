"""MLP in PyTorch: 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD."""
import mnist  # first: it turns a missing framework below into a one-line error
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # batches of 10 are too small to split: threads only add overhead


def feed_forward(params):
    w1, b1, w2, b2 = (torch.from_numpy(p) for p in params)
    model = nn.Sequential(nn.Linear(784, 100), nn.Sigmoid(), nn.Linear(100, 10))  # (n, 10) logits
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


@torch.no_grad()
def predict(model, x):
    return model(torch.from_numpy(x).to(device)).argmax(dim=1).cpu().numpy()


def main():
    args = mnist.parse_args(__doc__)
    data = mnist.load_data(shape=(784,), dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(784, 100), (100, 10)])
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
