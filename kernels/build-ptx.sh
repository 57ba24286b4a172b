#!/bin/sh
# Compiles every kernel family to PTX for sm_70 with clang-14 in CUDA mode, without the CUDA
# toolkit. The PTX is committed and embedded in GpuNet.Core; a test re-runs this compile and
# checks the committed files are identical. Usage: kernels/build-ptx.sh [output folder]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/ptx}
mkdir -p "$out"
for source in "$here"/*.cu; do
    family=$(basename "$source" .cu)
    clang-14 -x cuda --cuda-device-only --cuda-gpu-arch=sm_70 -nocudainc -nocudalib -O3 -S \
        -o "$out/$family.ptx" "$source"
done
