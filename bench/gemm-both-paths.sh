#!/usr/bin/env bash
# GEMM throughput of the CPU accelerator on its AVX-512 path and on its AVX2 path (AVX-512 turned
# off for the process; on a machine without AVX-512 both runs take the AVX2 path), one after the
# other, into docs/bench/gemm-cpu.md. Each percentage is of an FMA-only loop measured in the same
# run, by the wall clock and by processor time (the latter stays meaningful on a busy machine).
#   bash bench/gemm-both-paths.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release src/GpuNet.Cli > /dev/null
gpunet="dotnet src/GpuNet.Cli/bin/Release/net10.0/gpunet.dll"
out=docs/bench/gemm-cpu.md
{
  echo "# GEMM on the CPU accelerator, both vector paths"
  echo
  echo "\`bash bench/gemm-both-paths.sh\`, $(date -u +%Y-%m-%d)."
  for path in AVX-512 AVX2; do
    echo
    echo "## $path path"
    echo
    if [ "$path" = AVX2 ]; then export DOTNET_EnableAVX512=0 DOTNET_EnableAVX512F=0; fi
    $gpunet bench --gemm --output "$(mktemp -d)" | grep -v '^Wrote '
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
