#!/usr/bin/env bash
# The GPU check: one self-contained gpunet, packed here, run on a machine with an NVIDIA GPU
# (which needs the driver only: no .NET, no CUDA toolkit).
#
#   bash bench/gpu-check.sh pack         # here: publish gpunet for linux-x64 with its runtime, and
#                                        # MNIST, into gpu-check/bundle.tar.xz (about 40 MB)
#   bash bench/gpu-check.sh run [OUT]    # there: unpack, then gpunet doctor --backend cuda, GEMM
#                                        # with cuBLAS and with the ILGPU kernel, and the
#                                        # deep-versus-shallow suite for one epoch; logs into OUT
#
# BACKEND=ilgpu-cpu ONLY=mlp-256x2-relu bash bench/gpu-check.sh run  tries the run step without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=gpu-check/bundle.tar.xz

pack() {
  rm -rf gpu-check/stage && mkdir -p gpu-check/stage/data/mnist
  # Untrimmed: trimming breaks ILGPU, which compiles kernels from IL at run time.
  dotnet publish src/GpuNet.Cli/GpuNet.Cli.csproj -c Release -r linux-x64 --self-contained -o gpu-check/stage/gpunet > /dev/null
  cp ../shared/data/mnist/*.gz gpu-check/stage/data/mnist/
  cp -r configs gpu-check/stage/
  tar -C gpu-check/stage -cJf "$bundle" .
  rm -rf gpu-check/stage
  echo "packed $(du -h "$bundle" | cut -f1) into $bundle"
}

run() {
  out=${1:-${OUT:-gpu-check/out}}
  backend=${BACKEND:-cuda}
  mkdir -p "$out"
  work=$(mktemp -d)
  tar -C "$work" -xJf "$bundle"
  gpunet="$work/gpunet/gpunet"
  step() {  # step NAME SECONDS COMMAND...: runs one part with a time limit, its output kept in OUT/NAME.log
    local name=$1 seconds=$2; shift 2
    echo "== $name: $*" | tee "$out/$name.log"
    local start=$SECONDS status=0
    timeout "$seconds" "$@" >> "$out/$name.log" 2>&1 || status=$?
    echo "== $name: exit $status after $((SECONDS - start)) s" | tee -a "$out/$name.log"
    tail -n +2 "$out/$name.log" | tail -n 40
  }
  { command -v nvidia-smi > /dev/null && nvidia-smi; uname -a; nproc; } > "$out/machine.log" 2>&1 || true
  cat "$out/machine.log"
  step doctor 150 "$gpunet" doctor --backend "$backend"
  step gemm 60 "$gpunet" bench --gemm --backend "$backend" --output "$out"
  GPUNET_CUBLAS=0 step gemm-ilgpu-kernel 90 "$gpunet" bench --gemm --backend "$backend" --output "$out/ilgpu-kernel"
  step bench 150 "$gpunet" bench --backend "$backend" --epochs 1 --suite "$work/configs/bench" \
    ${ONLY:+--only "$ONLY"} --data "$work/data/mnist" --output "$out/bench"
  rm -rf "$work"
}

case "${1:-}" in
  pack) pack ;;
  run) shift; run "$@" ;;
  *) echo "usage: bash bench/gpu-check.sh pack | run [OUT]" >&2; exit 2 ;;
esac
