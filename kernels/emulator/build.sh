#!/bin/sh
# Builds the host emulator of the CUDA driver: the kernel sources of kernels/*.cu compiled for
# the CPU, behind the driver-API entry points CudaAccelerator calls.
# Usage: kernels/emulator/build.sh <output .so>
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/libgpunet_cuda_emulator.so}
mkdir -p "$(dirname "$out")"
${CXX:-g++} -std=c++17 -O3 -fPIC -shared -fvisibility=hidden -ffp-contract=off -Wall -Wextra -Werror \
    -Wno-unused-function -Wno-unused-parameter \
    -x c++ "$here/kernels.cpp" "$here/grid.cpp" "$here/fibers.cpp" "$here/driver.cpp" \
    -o "$out.tmp"
mv "$out.tmp" "$out"
