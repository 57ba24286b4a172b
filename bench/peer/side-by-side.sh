#!/usr/bin/env bash
# Seconds per training epoch of GpuNet's CPU accelerator and of PyTorch on the same three
# networks, runs interleaved (the machines are noisy), each the median over its epochs; then the
# median over the rounds. Needs python3-torch and libblis4-openmp from Debian.
#   bash bench/peer/side-by-side.sh [ROUNDS=3] [EPOCHS=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
epochs=${2:-2}
data=../shared/data/mnist
dotnet build -c Release src/GpuNet.Cli > /dev/null
gpunet="dotnet src/GpuNet.Cli/bin/Release/net10.0/gpunet.dll"
declare -A bench_name=([mlp512]=mlp-512x2-dropout-adam [cnn16]=cnn16 [cnn2x32]=cnn-2x32-dense512)
results=$(mktemp)
for round in $(seq "$rounds"); do
  for network in mlp512 cnn16 cnn2x32; do
    line=$($gpunet bench --only "${bench_name[$network]}" --epochs "$epochs" --data "$data" --output "$(mktemp -d)" | grep -E "^${bench_name[$network]} ")
    gpunet_seconds=$(echo "$line" | grep -oE '[0-9.]+ s/epoch' | cut -d' ' -f1)
    torch_seconds=$(LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blis-openmp BLIS_NUM_THREADS=2 \
      /usr/bin/python3 bench/peer/pytorch_mnist.py --data "$data" --network "$network" --epochs "$epochs" | grep -oE 'median [0-9.]+' | cut -d' ' -f2)
    echo "round $round $network gpunet $gpunet_seconds pytorch $torch_seconds (load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$network $gpunet_seconds $torch_seconds" >> "$results"
  done
done
echo
echo "| network | GpuNet s/epoch (median) | PyTorch s/epoch (median) | PyTorch ÷ GpuNet |"
echo "|---|---:|---:|---:|"
for network in mlp512 cnn16 cnn2x32; do
  python3 - "$network" "$results" <<'PY'
import statistics, sys
network, path = sys.argv[1], sys.argv[2]
rows = [line.split() for line in open(path) if line.split()[0] == network]
g = statistics.median(float(r[1]) for r in rows)
t = statistics.median(float(r[2]) for r in rows)
print(f"| {network} | {g:.2f} | {t:.2f} | {t / g:.2f}× |")
PY
done
