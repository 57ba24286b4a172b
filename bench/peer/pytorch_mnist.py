#!/usr/bin/python3
"""The peer measurement for `gpunet bench`: the same networks in PyTorch on the CPU, seconds per
training epoch over the 60,000 MNIST training images, each with Keras's defaults where PyTorch's
differ (Glorot-uniform weights and zero biases; RMSprop's rho 0.9 and Adam's and RMSprop's
epsilon 1e-7; batch norm's momentum 0.99 and epsilon 1e-3), as GpuNet's configs get them. Run with
2 threads, BLIS (OpenMP build) for matrix products, as the issue's reference figures were taken:

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
    if name == "chollet":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64 * 3 * 3, 64), nn.ReLU(),
                             nn.Linear(64, 10)), 64
    if name == "mlp256x8bn":
        # Keras's Dense(256, sigmoid) then BatchNormalization(): momentum 0.99 is PyTorch's 0.01.
        layers, width = [nn.Flatten()], 784
        for _ in range(8):
            layers += [nn.Linear(width, 256), nn.Sigmoid(), nn.BatchNorm1d(256, eps=1e-3, momentum=0.01)]
            width = 256
        return nn.Sequential(*layers, nn.Linear(256, 10)), 100
    raise SystemExit(f"unknown network {name}")


NETWORKS = ["mlp512", "cnn16", "cnn2x32", "chollet", "mlp256x8bn"]


def optimizer_for(name, parameters):
    """Each network's optimizer as its GpuNet config names it, with Keras's defaults."""
    if name == "chollet":
        return torch.optim.RMSprop(parameters, lr=1e-3, alpha=0.9, eps=1e-7)
    if name == "mlp256x8bn":
        return torch.optim.SGD(parameters, lr=0.1)
    return torch.optim.Adam(parameters, lr=1e-3, eps=1e-7)


def keras_init(model):
    """Keras's Dense and Conv2D start from Glorot-uniform weights and zero biases."""
    for layer in model.modules():
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--network", default="mlp512", choices=NETWORKS)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x = torch.from_numpy(read_idx(f"{args.data}/train-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy(read_idx(f"{args.data}/train-labels-idx1-ubyte.gz").astype(np.int64))
    model, batch = network(args.network)
    keras_init(model)
    optimizer = optimizer_for(args.network, model.parameters())
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
