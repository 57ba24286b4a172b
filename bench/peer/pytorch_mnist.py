#!/usr/bin/python3
"""The peer measurement for `gpunet bench`: the same networks in PyTorch on the CPU, seconds per
training epoch over the 60,000 MNIST training images. Run with 2 threads, BLIS (OpenMP build) for
matrix products, as the issue's reference figures were taken:

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blis-openmp BLIS_NUM_THREADS=2 \
        /usr/bin/python3 bench/peer/pytorch_mnist.py --data ../shared/data/mnist --network mlp512 --epochs 3

Prints one line per epoch and the median, plus the peak resident set size.
"""
import argparse
import gzip
import resource
import statistics
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def network(name):
    if name == "mlp512":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
                             nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10)), 120
    if name == "cnn16":
        return nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.2),
                             nn.Linear(16 * 12 * 12, 10)), 120
    if name == "cnn2x32":
        return nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 4 * 4, 512), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10)), 120
    raise SystemExit(f"unknown network {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--network", default="mlp512", choices=["mlp512", "cnn16", "cnn2x32"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.from_numpy(read_idx(f"{args.data}/train-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy(read_idx(f"{args.data}/train-labels-idx1-ubyte.gz").astype(np.int64))
    model, batch = network(args.network)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    seconds = []
    for epoch in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x))
        model.train()
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: {seconds[-1]:.2f} s, last loss {loss.item():.4f}", flush=True)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.network}: median {statistics.median(seconds):.2f} s/epoch over {args.epochs}, peak RSS {rss_mib:.0f} MiB")


if __name__ == "__main__":
    main()
