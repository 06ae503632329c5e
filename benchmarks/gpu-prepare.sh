#!/usr/bin/env bash
# Prepares what a GPU machine without Java needs for benchmarks/gpu-check.sh, in .gpu/ (git-ignored):
# a trimmed Java runtime (jlink: no java.desktop, so bench writes its rows and summary but no charts),
# the jar and its libraries, and the mnist-sample digits gzipped. Sized to travel with the working
# tree (the device tool carries at most 64 MiB in all): it adds up what travels and refuses more.
#
# Run it in the checkout the session was started in: the device tool sends that one (with .gpu as a
# carried path), never a helper's worktree. Then the device call is
#
#   run(command='DATA=.gpu/data bash benchmarks/gpu-check.sh .gpu/jre .gpu', carry=[".gpu"], timeout_s=480)
#
# gpu-check.sh works in a directory under /tmp there and copies into $OUT the 6 files that come back
# (of the 8 the tool returns): report.md, bench-cuda-summary.md, bench-cuda.csv, bench-cpu-summary.md,
# bench-cpu.csv and gpu-check.tgz (the rest without checkpoints and PTX); its output ends with a summary.
#
# The runtime is jlinked from $JAVA_HOME, else from the JDK of the jlink on the PATH (17 here), not
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
java_version="$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' .gpu/jre/release)"
echo "prepared .gpu: $(du -sh .gpu | cut -f1) (jre $(du -sh .gpu/jre | cut -f1) jlinked from $jdk, Java $java_version; jars $(du -sh .gpu/lib | cut -f1), data $(du -sh .gpu/data | cut -f1))"
# What the device tool sends: the tracked and untracked-not-ignored files, and the carried .gpu.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  tree_bytes="$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')"
else # a copy without .git: every file but the build outputs, an upper bound
  tree_bytes="$(du -sb --exclude=./.gpu --exclude=./target --exclude=./build . | cut -f1)"
fi
gpu_bytes="$(du -sb .gpu | cut -f1)"
limit=$((64 * 1024 * 1024))
total=$((tree_bytes + gpu_bytes))
echo "travels: $((total / 1048576)) MiB of the 64 MiB the device tool carries (working tree $((tree_bytes / 1048576)) MiB, .gpu $((gpu_bytes / 1048576)) MiB)"
if [ "$total" -gt "$limit" ]; then
  rm -rf .gpu # a .gpu that cannot travel would only make the device call fail
  echo "error: .gpu (removed) with the working tree is $total bytes, over the device tool's 64 MiB ($limit): jlink from a JDK 17 (set JAVA_HOME to it; Java $java_version's runtime is larger) or remove untracked files" >&2
  exit 1
fi
