#!/usr/bin/env bash
# Prepares what a GPU machine without Java needs for benchmarks/gpu-check.sh, in .gpu/ (git-ignored):
# a trimmed Java runtime (jlink: no java.desktop, so bench writes its rows and summary but no charts),
# the jar and its libraries, and the mnist-sample digits gzipped. Sized to travel with the working
# tree (the device tool carries at most 64 MiB in all): it prints the total.
#
#   benchmarks/gpu-prepare.sh            then, on the GPU machine (carry: .gpu):
#   DATA=.gpu/data bash benchmarks/gpu-check.sh .gpu/jre .gpu "$OUT"
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build
java --add-modules jdk.incubator.vector -jar target/spikestep.jar data mnist-sample --data data >/dev/null
rm -rf .gpu
mkdir -p .gpu/data/mnist-sample
jlink --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output .gpu/jre
cp target/spikestep.jar .gpu/
cp -r target/lib .gpu/lib
for f in data/mnist-sample/*-ubyte; do gzip -9 -c "$f" > ".gpu/data/mnist-sample/$(basename "$f").gz"; done
echo "prepared .gpu: $(du -sh .gpu | cut -f1) (jre $(du -sh .gpu/jre | cut -f1), jars $(du -sh .gpu/lib | cut -f1), data $(du -sh .gpu/data | cut -f1))"
