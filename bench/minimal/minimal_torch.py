"""The plainest PyTorch training loop of the MLP: the yardstick of mlp_torch.py."""
import time

import common
import torch
from torch import nn


def main():
    args, x, y = common.setup(__doc__)
    torch.set_num_threads(1)  # as mlp_torch.py
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
    x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    model = nn.Sequential(nn.Linear(784, 100), nn.Sigmoid(), nn.Linear(100, 10)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    model.train()
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        for i in range(0, len(x), args.batch_size):
            loss = nn.functional.cross_entropy(model(x[i:i + args.batch_size]), y[i:i + args.batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        common.report(epoch, start, loss.item())


if __name__ == "__main__":
    main()
