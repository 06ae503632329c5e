#!/usr/bin/env bash
# Prepares what a GPU machine without Java needs for benchmarks/gpu-check.sh, in .gpu/ (git-ignored):
# a trimmed Java runtime (jlink: no java.desktop, so bench writes its rows and summary but no charts),
# the jar and its libraries, and the mnist-sample digits gzipped. Sized to travel with the working
# tree (the device tool carries at most 64 MiB in all): it prints the total.
#
#   benchmarks/gpu-prepare.sh            then, on the GPU machine (carry: .gpu):
#   DATA=.gpu/data bash benchmarks/gpu-check.sh .gpu/jre .gpu "$OUT"
#
# The runtime is jlinked from $JAVA_HOME, else from the JDK of the java on the PATH (17 here), not
# newest-java's: JDK 25's runtime is 45 MB against 17's 36, and with the 20 MB of jars it would not
# travel. The mnist-sample digits come from $DATA (default data/), prepared there if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DATA:-data}"
if [ -n "${JAVA_HOME:-}" ]; then
  jdk="$JAVA_HOME"
elif command -v jlink >/dev/null 2>&1; then
  jdk="$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")"
else
  echo "error: no jlink: set JAVA_HOME to a JDK 17 or later (a JRE has no jlink)" >&2
  exit 2
fi
if [ ! -x "$jdk/bin/jlink" ]; then
  echo "error: $jdk has no bin/jlink: set JAVA_HOME to a JDK 17 or later (a JRE has no jlink)" >&2
  exit 2
fi
make -s build
target/spikestep data mnist-sample --data "$DATA" >/dev/null
rm -rf .gpu
mkdir -p .gpu/data/mnist-sample
"$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output .gpu/jre
cp target/spikestep.jar .gpu/
cp -r target/lib .gpu/lib
for f in "$DATA"/mnist-sample/*-ubyte; do gzip -9 -c "$f" > ".gpu/data/mnist-sample/$(basename "$f").gz"; done
echo "prepared .gpu: $(du -sh .gpu | cut -f1) (jre $(du -sh .gpu/jre | cut -f1), jars $(du -sh .gpu/lib | cut -f1), data $(du -sh .gpu/data | cut -f1))"
