"""The yardstick of mlp_torch.py: PyTorch's own training loop, eager, as its tutorials write it
(docs.pytorch.org/tutorials/beginner/basics/optimization_tutorial.html); --compile runs the model
through torch.compile, as its tutorial trains a compiled model (docs.pytorch.org/tutorials/
intermediate/torch_compile_tutorial.html), to answer whether it pays for a small net on a CPU."""
import common
import torch
from torch import nn


def main():
    args, x, y = common.setup(__doc__, ("--compile", "the model through torch.compile (default: eager)"))
    torch.set_num_threads(1)  # as mlp_torch.py
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    model = nn.Sequential(nn.Linear(784, 100), nn.Sigmoid(), nn.Linear(100, 10)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    if args.compile:
        model = torch.compile(model)
    model.train()
    for epoch, start in common.epochs(args):
        for i in range(0, len(x), args.batch_size):
            loss = nn.functional.cross_entropy(model(x[i:i + args.batch_size]), y[i:i + args.batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        common.report(epoch, start, loss.item())


if __name__ == "__main__":
    main()
