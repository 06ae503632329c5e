#!/usr/bin/env bash
# Spikestep's CPU backend against the seed notebook's PyTorch per-step model, side by side in one
# run on the same machine and data: LIF/exp and Izhikevich/symplectic at dt 5, T 50, batch 128.
# Prints a Markdown table with the ratio; raw rows go to $OUT/bench.csv, $OUT/bench.jsonl (with the
# phase breakdown) and $OUT/pytorch.jsonl; the load average before and after is printed, since a
# busy machine makes every number slower.
#
#   benchmarks/cpu-vs-pytorch.sh [THREADS]      (needs Debian's python3-torch for the reference)
#
# Spikestep runs on src/main/sh/newest-java's JDK (JAVA_HOME, else the newest installed); JDKS="DIR DIR ..."
# runs it on each of those JDK homes in turn instead, one table row per JDK, against the same
# PyTorch measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-2}"
DATA="${DATA:-data}"
OUT="${OUT:-results/bench-$(date +%Y%m%d-%H%M%S)}"
REPEATS="${REPEATS:-20}"
# Steps before the clock starts, at least: bench then goes on until the JIT is quiet (JitQuiet);
# JDK 17's C2 takes 10-20 steps to compile the larger Vector API neuron kernels.
WARMUP="${WARMUP:-20}"
PY_REPEATS="${PY_REPEATS:-5}"
PY=/usr/bin/python3
mkdir -p "$OUT"
make -s build
target/spikestep data mnist-sample --data "$DATA" >/dev/null 2>&1
if ! "$PY" -c "import torch" 2>/dev/null; then
  echo "error: the PyTorch reference needs torch for $PY: apt-get install python3-torch" >&2
  exit 2
fi
read -r -a jdks <<<"${JDKS:-${JAVA_HOME:-$(dirname "$(dirname "$(src/main/sh/newest-java)")")}}"
for home in "${jdks[@]}"; do
  if [ ! -x "$home/bin/java" ]; then
    echo "error: JDKS names $home, which has no bin/java" >&2
    exit 2
  fi
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; torch $("$PY" -c 'import torch; print(torch.__version__)')"
echo
echo "| model | integrator | JDK | Spikestep s/step | PyTorch s/step | speed-up | Spikestep s per 60k epoch | PyTorch s per 60k epoch |"
echo "|---|---|---|---|---|---|---|---|"
for mi in lif/exp izh/symplectic; do
  model="${mi%/*}"; integ="${mi#*/}"
  "$PY" benchmarks/reference/seed_model.py --data "$DATA/mnist-sample" --model "$model" --integrator "$integ" \
      --dt 5 --T 50 --batch 128 --threads "$threads" --warmup 2 --repeats "$PY_REPEATS" >>"$OUT/pytorch.jsonl"
  for home in "${jdks[@]}"; do
    JAVA_HOME="$home" target/spikestep bench --what step --model "$model" --integrator "$integ" \
        --dt 5 --T 50 --batch 128 --threads "$threads" --warmup "$WARMUP" --repeats "$REPEATS" \
        --dataset mnist-sample --data "$DATA" --out "$OUT" 2>/dev/null >"$OUT/spikestep-$model-$(basename "$home").txt"
    "$PY" - "$OUT" "$model" "$integ" <<'PYEOF'
import json, sys
out, model, integ = sys.argv[1:]
ss = [json.loads(l) for l in open(f"{out}/bench.jsonl") if l.strip()]
pt = [json.loads(l) for l in open(f"{out}/pytorch.jsonl") if l.strip()]
s = [r for r in ss if r["kind"] == "step" and r["model"] == model and r["integrator"] == integ][-1]
s["median_step_s"] = s["median_ms"] / 1e3
p = [r for r in pt if r["model"] == model and r["integrator"] == integ][-1]
jdk = s["jvm"].split()[-1]
print(f"| {model} | {integ} | {jdk} | {s['median_step_s']:.4f} | {p['median_step_s']:.3f} | "
      f"{p['median_step_s'] / s['median_step_s']:.1f}x | {s['s_per_60k_epoch']:.1f} | {p['s_per_60k_epoch']:.0f} |")
PYEOF
  done
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
