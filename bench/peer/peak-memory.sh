#!/usr/bin/env bash
# Peak resident memory (GNU time's maximum RSS) of 2-epoch training runs: GpuNet's
# `gpunet train` of the 784-512-512-10 network and of the two-block CNN, and PyTorch's same two
# networks (bench/peer/pytorch_mnist.py, which reports its own ru_maxrss). Needs GNU time
# (apt-get install time), python3-torch and libblis4-openmp.
#   bash bench/peer/peak-memory.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
data=../shared/data/mnist
runs=$(mktemp -d)
dotnet build -c Release src/GpuNet.Cli > /dev/null
for config in configs/mnist-mlp512-dropout-adam.yaml configs/mnist-cnn-2x32-dense512.yaml; do
  kb=$( { /usr/bin/time -f '%M' dotnet src/GpuNet.Cli/bin/Release/net10.0/gpunet.dll train "$config" --epochs 2 \
    --data "$data" --runs "$runs" > /dev/null; } 2>&1 | tail -1)
  echo "GpuNet $config: peak RSS $((kb / 1024)) MiB ($kb KB)"
done
for network in mlp512 cnn2x32; do
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blis-openmp BLIS_NUM_THREADS=2 \
    /usr/bin/python3 bench/peer/pytorch_mnist.py --data "$data" --network "$network" --epochs 2 | grep -o 'peak RSS.*' | sed "s/^/PyTorch $network: /"
done
