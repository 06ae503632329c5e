#!/usr/bin/env bash
# GPU check for a machine with a GPU and nvcc but possibly no JDK: builds the PTX with the local nvcc
# (or NVCC=PATH: the driver loads PTX only from an nvcc no newer than itself), puts it on the
# classpath beside the jars, prints `spikestep info`, runs `spikestep selftest --backend cuda` (GPU
# against the CPU backend), `spikestep bench --backend cuda` (fused kernels per neuron x integrator with CUDA events: ns per
# neuron-step, GB/s against the peak; the training step by phase; rows in bench-cuda/), the same
# bench on the CPU, one training epoch on cuda and on cpu (the notebook's 44 s/epoch comparison),
# short R-STDP runs (T 200 on cuda and cpu, T 2000 on cuda), the PyTorch per-step reference on the
# same GPU when torch with CUDA is there, and writes a report.
#
# CI runs it end to end on the emulated driver (make gpu-check-emulated: LD_LIBRARY_PATH=target/emu,
# GPU_CHECK_QUICK=1 for small sizes), so the script a GPU session runs once is known to work up to the
# hardware; there every timing is emulated and the report says so.
#
# Usage: benchmarks/gpu-check.sh JRE_DIR LIB_DIR [REPORT_DIR]
#   JRE_DIR   a Java 17+ runtime (e.g. made by jlink, see README "CUDA backend")
#   LIB_DIR   spikestep.jar and its libraries (target/spikestep.jar + target/lib/*.jar, copied together)
#   REPORT_DIR  where report.md and the logs go (default: $OUT, else ./gpu-check-report)
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jre="${1:?usage: gpu-check.sh JRE_DIR LIB_DIR [REPORT_DIR]}"
lib="${2:?usage: gpu-check.sh JRE_DIR LIB_DIR [REPORT_DIR]}"
report="${3:-${OUT:-gpu-check-report}}"
if [ -e "$report/report.md" ]; then
  # Its train and rstdp runs would be refused over the earlier ones (same --out): a new directory, not a FAIL.
  echo "error: $report holds an earlier report (report.md); give a new REPORT_DIR" >&2
  exit 2
fi
mkdir -p "$report"
java="$jre/bin/java"
# The launcher's JVM options (src/main/sh/jvm-options); the CPU comparisons use the Vector API kernels
# when the runtime has the module (see README's jlink line), else the option naming it is left out.
read -r -a jvmopts <<<"$("$here/src/main/sh/jvm-options")"
if ! "$java" --list-modules 2>/dev/null | grep -q '^jdk.incubator.vector'; then
  kept=()
  for ((i = 0; i < ${#jvmopts[@]}; i++)); do
    if [ "${jvmopts[i]}" = --add-modules ]; then i=$((i + 1)); else kept+=("${jvmopts[i]}"); fi
  done
  jvmopts=("${kept[@]}")
fi
ptxroot="$report/ptx"
mkdir -p "$ptxroot/kernels"
log="$report/report.md"
: > "$log"
say() { echo "$*" | tee -a "$log"; }
# Sizes: the real check (default), or GPU_CHECK_QUICK=1's small ones for a run on the emulated driver.
if [ "${GPU_CHECK_QUICK:-0}" = 1 ]; then
  bench_size=(--T 8 --batch 8 --neurons 64 --warmup 1 --repeats 2)
  train_size=(--T 20 --train-samples 512 --eval-batches 4)
  rstdp_size=(--T 20 --max-train-batches 2 --max-test-batches 1 --batch 16 --test-batch 32)
  rstdp_long=(--T 200 --max-train-batches 1 --max-test-batches 1 --batch 8 --test-batch 16)
else
  bench_size=(--T 50 --batch 128 --neurons 256 --warmup 5 --repeats 20)
  train_size=(--T 50)
  rstdp_size=(--T 200 --max-train-batches 20 --max-test-batches 4 --batch 64 --test-batch 256)
  rstdp_long=(--T 2000 --max-train-batches 4 --max-test-batches 2 --batch 64 --test-batch 256)
fi

say "# Spikestep GPU check"
say ""
say "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
# The commit the jar was built from (make build records it), not this directory's: a copy carried to
# a GPU machine has no .git.
say "- commit: $("$java" -cp "$lib/spikestep.jar:$lib/lib/*:$lib/*" dev.spikestep.cli.Main --version 2>/dev/null | sed -n 's/.*(commit \(.*\))$/\1/p' | grep . || echo unknown)"
nvcc="${NVCC:-nvcc}"
say "- nvcc: $("$nvcc" --version 2>/dev/null | tail -1 || echo none)"
say "- gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi (see info below)")"
say "- sizes: $([ "${GPU_CHECK_QUICK:-0}" = 1 ] && echo "quick (GPU_CHECK_QUICK=1)" || echo full)"
say ""

# Local PTX first on the classpath: it overrides any PTX inside the jar.
status=0
for cu in "$here"/kernels/*.cu; do
  name="$(basename "$cu" .cu)"
  "$nvcc" -ptx -lineinfo -fmad=false -arch="${ARCH:-compute_80}" -o "$ptxroot/kernels/$name.ptx" "$cu" \
    || { say "nvcc failed on $cu"; status=1; }
done
cp="$ptxroot:$lib/spikestep.jar:$lib/lib/*:$lib/*"
run() { # title, then the command; output goes to the report in a code block
  local title="$1"; shift
  say "## $title"; say '```'
  "$@" 2>&1 | tee -a "$log"; local rc=${PIPESTATUS[0]}
  say '```'; say "exit code: $rc"; say ""
  return "$rc"
}
run "spikestep info" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main info || status=1
run "selftest: cuda against cpu" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main selftest --backend cuda || status=1
data="${DATA:-$here/data}"
# The kernel benchmark needs no data; the training-step part needs data/mnist-sample.
what=kernels
[ -d "$data/mnist-sample" ] && what=kernels,step
run "bench --backend cuda ($what; ${bench_size[*]})" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main bench \
  --backend cuda --what "$what" --dt 5 "${bench_size[@]}" \
  --dataset mnist-sample --data "$data" --out "$report/bench-cuda" || status=1
run "bench --backend cpu (same sizes)" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main bench \
  --backend cpu --what "$what" --dt 5 "${bench_size[@]}" \
  --dataset mnist-sample --data "$data" --out "$report/bench-cpu" || status=1
if [ -d "$data/mnist-sample" ]; then
  for b in cuda cpu; do
    run "train 1 epoch, $b" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main train --model lif --integrator exp --dt 5 "${train_size[@]}" \
      --epochs 1 --readout max --batch 128 --seed 0 --dataset mnist-sample --data "$data" --backend "$b" \
      --out "$report/results-$b" || status=1
  done
  # R-STDP (SPEC 6): a short run per backend, then T = 2000 on cuda (time-chunked buffers: fits memory).
  for b in cuda cpu; do
    run "rstdp 1 epoch (${rstdp_size[*]}), $b" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main rstdp --integrator euler \
      --dt 0.1 "${rstdp_size[@]}" --epochs 1 --seed 0 \
      --dataset mnist-sample --data "$data" --backend "$b" --out "$report/results-$b" || status=1
  done
  run "rstdp long (${rstdp_long[*]}), cuda" "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main rstdp --integrator euler \
    --dt 0.01 "${rstdp_long[@]}" --epochs 1 --seed 0 \
    --dataset mnist-sample --data "$data" --backend cuda --out "$report/results-cuda" || status=1
  # The seed notebook's per-step PyTorch model on the same GPU, when torch sees it.
  if /usr/bin/python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
    for mi in lif/exp izh/symplectic; do
      run "PyTorch per-step reference on this GPU, ${mi}" /usr/bin/python3 "$here/benchmarks/reference/seed_model.py" \
        --data "$data/mnist-sample" --model "${mi%/*}" --integrator "${mi#*/}" --dt 5 --T 50 --batch 128 \
        --warmup 2 --repeats 10 --device cuda || status=1
    done
  else
    say "## PyTorch reference"; say "skipped: /usr/bin/python3 has no torch with CUDA here"; say ""
  fi
else
  say "## train and rstdp runs"; say "skipped: no $data/mnist-sample (run 'spikestep data mnist-sample' where there is network, copy data/ along)"; say ""
fi
say "overall: $([ $status -eq 0 ] && echo PASS || echo FAIL)"
exit $status
