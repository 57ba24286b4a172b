#!/usr/bin/env bash
# Seconds per training epoch of GpuNet's CPU accelerator and of PyTorch on the same five
# networks (pytorch_mnist.py mirrors Keras's defaults for each), runs interleaved (the machines
# are noisy), each the median over its epochs; then the median over the rounds, and GpuNet's
# lead per round. Needs python3-torch and libblis4-openmp from Debian.
#   bash bench/peer/side-by-side.sh [ROUNDS=3] [EPOCHS=2] [NETWORK…]
# GpuNet runs its widest vector path; for the AVX2 path on an AVX-512 machine, turn AVX-512 off
# for the process: DOTNET_EnableAVX512=0 bash bench/peer/side-by-side.sh (the path is printed).
# PyTorch is then held to AVX2 as well where it can be (its own kernels and oneDNN's; BLIS picks
# its kernels by the CPU), so that both sides run what an AVX2 machine would.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
epochs=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
networks=${*:-mlp512 cnn16 cnn2x32 chollet mlp256x8bn}
data=../shared/data/mnist
dotnet build -c Release src/GpuNet.Cli > /dev/null
gpunet="dotnet src/GpuNet.Cli/bin/Release/net10.0/gpunet.dll"
# Each network's config: the suite folder and its name there.
declare -A suite=([mlp512]=configs/bench [cnn16]=configs/bench [cnn2x32]=configs/bench [chollet]=bench/peer [mlp256x8bn]=configs/bench)
declare -A bench_name=([mlp512]=mlp-512x2-dropout-adam [cnn16]=cnn16 [cnn2x32]=cnn-2x32-dense512 [chollet]=chollet-convnet
  [mlp256x8bn]=mlp-256x8-sigmoid-bn)
peer_isa=()
if [ "${DOTNET_EnableAVX512:-1}" = 0 ]; then peer_isa=(ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2); fi
results=$(mktemp)
for round in $(seq "$rounds"); do
  for network in $networks; do
    output=$($gpunet bench --suite "${suite[$network]}" --only "${bench_name[$network]}" --epochs "$epochs" --data "$data" --output "$(mktemp -d)")
    [ "$round" = 1 ] && echo "$output" | grep -m1 '^Benchmark on'
    gpunet_seconds=$(echo "$output" | grep -E "^${bench_name[$network]} " | grep -oE '[0-9.]+ s/epoch' | cut -d' ' -f1)
    torch_seconds=$(env "${peer_isa[@]}" LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blis-openmp BLIS_NUM_THREADS=2 \
      /usr/bin/python3 bench/peer/pytorch_mnist.py --data "$data" --network "$network" --epochs "$epochs" | grep -oE 'median [0-9.]+' | cut -d' ' -f2)
    echo "round $round $network gpunet $gpunet_seconds pytorch $torch_seconds (load $(cut -d' ' -f1 /proc/loadavg))"
    echo "$network $gpunet_seconds $torch_seconds" >> "$results"
  done
done
echo
echo "| network | GpuNet s/epoch (median) | PyTorch s/epoch (median) | PyTorch ÷ GpuNet | per round |"
echo "|---|---:|---:|---:|---|"
for network in $networks; do
  python3 - "$network" "$results" <<'PY'
import statistics, sys
network, path = sys.argv[1], sys.argv[2]
rows = [line.split() for line in open(path) if line.split()[0] == network]
g = statistics.median(float(r[1]) for r in rows)
t = statistics.median(float(r[2]) for r in rows)
rounds = ", ".join(f"{float(r[2]) / float(r[1]):.2f}" for r in rows)
print(f"| {network} | {g:.2f} | {t:.2f} | {t / g:.2f}× | {rounds} |")
PY
done
