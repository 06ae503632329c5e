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
#   JRE_DIR     a Java 17+ runtime (e.g. made by benchmarks/gpu-prepare.sh, see README "CUDA backend")
#   LIB_DIR     spikestep.jar and its libraries (target/spikestep.jar + target/lib/*.jar, copied together)
#   REPORT_DIR  where report.md, the PTX, the bench rows and the runs go (default: a new directory
#               under /tmp when the results are returned, below, else ./gpu-check-report)
# Environment:
#   DATA        the folder holding mnist-sample (default data/; .gpu/data after gpu-prepare.sh); without
#               it the check stops at once with FAIL, before any device time is spent on a partial report
#   RETURN_DIR  where the few files worth keeping are copied (default: $OUT, the device tool's folder that
#               comes back, which takes at most 8 files no more than 2 folders down): report.md, each
#               bench's summary.md and bench.csv under flat names, and gpu-check.tgz of the rest without
#               checkpoints and PTX. report.md is copied after every section, the rest on exit, also when
#               the check is interrupted.
#   PYTHON      the python for the PyTorch reference (default python3, then /usr/bin/python3)
#   GPU_CHECK_QUICK=1  small sizes (the emulated run); ARCH  nvcc's -arch (default compute_80)
# The last lines it prints are a summary, one line per section, then overall PASS or FAIL.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jre="${1:?usage: gpu-check.sh JRE_DIR LIB_DIR [REPORT_DIR]}"
lib="${2:?usage: gpu-check.sh JRE_DIR LIB_DIR [REPORT_DIR]}"
back="${RETURN_DIR:-${OUT:-}}"
data="${DATA:-$here/data}"
if [ ! -d "$data/mnist-sample" ]; then
  # Only kernels could be checked without it: a second run would be needed anyway, so none is spent here.
  echo "error: no $data/mnist-sample: give DATA=.gpu/data (made by benchmarks/gpu-prepare.sh; carry .gpu)" >&2
  echo "overall: FAIL"
  exit 2
fi
if [ -n "${3:-}" ]; then
  report="$3"
elif [ -n "$back" ]; then
  # Never the returned folder itself: the runs write dozens of files there, more than come back.
  report="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
else
  report=gpu-check-report
fi
if [ -e "$report/report.md" ]; then
  # Its train and rstdp runs would be refused over the earlier ones (same --out): a new directory, not a FAIL.
  echo "error: $report holds an earlier report (report.md); give a new REPORT_DIR" >&2
  exit 2
fi
mkdir -p "$report"
[ -z "$back" ] || mkdir -p "$back"
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

# cuBLAS: JCuda 12.6's JCublas2 natives link libcublas.so.12 (versioned symbols), which a CUDA 13 image
# may have only inside a toolkit or a Python wheel (nvidia/cublas/lib) the loader does not search: its
# folder goes first on LD_LIBRARY_PATH when found; without it the products run on the tiled GEMM kernel.
cublas_dir=""
IFS=: read -r -a ldpath <<<"${LD_LIBRARY_PATH:-}"
for d in "${ldpath[@]}"; do
  if [ -n "$d" ] && compgen -G "$d/libcublas.so.12*" >/dev/null; then cublas_dir="$d"; break; fi
done
if [ -z "$cublas_dir" ] && ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.12 '; then
  cublas_dir="$(dirname "$(ldconfig -p | sed -n 's/.*libcublas\.so\.12 .*=> //p' | head -1)")"
fi
if [ -z "$cublas_dir" ]; then # the Python wheels' folders (the device's torch lives in a venv under /opt)
  for sp in $("${PYTHON:-python3}" -c "import site; print(*site.getsitepackages())" 2>/dev/null); do
    if compgen -G "$sp/nvidia/cublas/lib/libcublas.so.12*" >/dev/null; then
      cublas_dir="$sp/nvidia/cublas/lib"
      export LD_LIBRARY_PATH="$cublas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      break
    fi
  done
fi
if [ -z "$cublas_dir" ]; then
  found="$(find /usr/local/cuda*/lib64 /usr/local/cuda*/targets /usr/local /opt /usr/lib/python3* \
    -maxdepth 8 -name 'libcublas.so.12*' -print -quit 2>/dev/null)"
  if [ -n "$found" ]; then
    cublas_dir="$(dirname "$found")"
    export LD_LIBRARY_PATH="$cublas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi
# The PyTorch reference: the first of $PYTHON (default python3) and /usr/bin/python3 whose torch sees CUDA.
py=""
for p in "${PYTHON:-python3}" /usr/bin/python3; do
  if "$p" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
    py="$(command -v "$p")"
    break
  fi
done
cp="$ptxroot:$lib/spikestep.jar:$lib/lib/*:$lib/*"
main() { "$java" "${jvmopts[@]}" -cp "$cp" dev.spikestep.cli.Main "$@"; }

# Each section's status and headline, printed again as the summary at the end.
status=0
summary=()
running=""
note() { # status, title, headline
  summary+=("| $2 | $1 | $(echo "$3" | cut -c1-160) |")
  [ "$1" = ok ] || [ "$1" = skipped ] || status=1
}
# What comes back: report.md after every section (a run killed at its limit still returns the report
# so far), the benches' summaries and rows and the rest in one archive at the end.
send_back() {
  [ -n "$back" ] || return 0
  cp "$log" "$back/report.md" 2>/dev/null
  [ "${1:-}" = all ] || return 0
  for b in cuda cpu; do
    [ -f "$report/bench-$b/summary.md" ] && cp "$report/bench-$b/summary.md" "$back/bench-$b-summary.md"
    [ -f "$report/bench-$b/bench.csv" ] && cp "$report/bench-$b/bench.csv" "$back/bench-$b.csv"
  done
  tar -czf "$back/gpu-check.tgz" -C "$report" --exclude=./ptx --exclude=checkpoints --exclude='*.lock' \
    --exclude=./report.md --exclude=./.section.out . 2>/dev/null
}
finish() {
  local rc=$?
  trap - EXIT
  [ ${#summary[@]} -gt 0 ] || return "$rc"
  [ "$rc" -eq 0 ] || status=1
  [ -z "$running" ] || note "interrupted" "$running" "stopped by exit $rc while it ran"
  say ""
  say "## summary"
  say "| section | status | headline |"
  say "| --- | --- | --- |"
  for line in "${summary[@]}"; do say "$line"; done
  say ""
  say "overall: $([ $status -eq 0 ] && echo PASS || echo "FAIL$([ "$rc" -eq 0 ] || echo " (interrupted, exit $rc)")")"
  send_back all
  [ -z "$back" ] || echo "returned to $back: $(cd "$back" && ls | tr '\n' ' ')(full work directory: $report)"
  exit $((rc != 0 ? rc : status))
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run() { # title, headline (a sed -nE script over the output), then the command; output goes to the report
  local title="$1" headline="$2"; shift 2
  local out="$report/.section.out"
  say "## $title"; say '```'
  running="$title"
  : >"$out"
  "$@" 2>&1 | tee -a "$log" "$out"; local rc=${PIPESTATUS[0]}
  running=""
  say '```'; say "exit code: $rc"; say ""
  note "$([ "$rc" -eq 0 ] && echo ok || echo "FAIL (exit $rc)")" "$title" \
    "$(sed -nE "$headline" "$out" | tail -2 | paste -sd ';' | sed 's/;/; /g')"
  send_back
  return "$rc"
}

# Local PTX first on the classpath: it overrides any PTX inside the jar. Built before info, so that info
# names and loads the PTX every later section runs.
nvcc="${NVCC:-nvcc}"
nvcc_failed=""
nvcc_log="$report/nvcc.out"
: >"$nvcc_log"
for cu in "$here"/kernels/*.cu; do
  name="$(basename "$cu" .cu)"
  "$nvcc" -ptx -lineinfo -fmad=false -arch="${ARCH:-compute_80}" -o "$ptxroot/kernels/$name.ptx" "$cu" >>"$nvcc_log" 2>&1 \
    || { echo "nvcc failed on $cu" >>"$nvcc_log"; nvcc_failed="$nvcc_failed $name"; rm -f "$ptxroot/kernels/$name.ptx"; }
done
# spikestep info first, unprinted: its gemm line says whether cuBLAS loaded, for the header.
info="$report/info.out"
main info >"$info" 2>&1
info_rc=$?
gemm="$(sed -n 's/^gemm: //p' "$info")"
if [[ "$gemm" == cuBLAS* ]]; then
  cublas="loaded from ${cublas_dir:-the default library path}"
elif [ -n "$cublas_dir" ]; then
  cublas="libcublas.so.12 in $cublas_dir did not load (gemm: ${gemm:-none}): tiled GEMM kernel measured"
else
  cublas="not found (no libcublas.so.12; tiled GEMM kernel measured)"
fi
say "# Spikestep GPU check"
say ""
say "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
# The commit the jar was built from (make build records it), not this directory's: a copy carried to
# a GPU machine has no .git.
say "- commit: $(main --version 2>/dev/null | sed -n 's/.*(commit \(.*\))$/\1/p' | grep . || echo unknown)"
say "- nvcc: $("$nvcc" --version 2>/dev/null | tail -1 || echo none)"
say "- gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi (see info below)")"
say "- cublas: $cublas"
say "- python: $([ -n "$py" ] && "$py" -c "import torch; print('$py, torch', torch.__version__, 'with CUDA', torch.version.cuda)" 2>&1 \
  || echo "none with torch and CUDA (${PYTHON:-python3}, /usr/bin/python3): PyTorch reference skipped")"
say "- sizes: $([ "${GPU_CHECK_QUICK:-0}" = 1 ] && echo "quick (GPU_CHECK_QUICK=1)" || echo full)"
say ""
say "## spikestep info"; say '```'
tee -a "$log" <"$info"
say '```'; say "exit code: $info_rc"; say ""
note "$([ "$info_rc" -eq 0 ] && echo ok || echo "FAIL (exit $info_rc)")" "spikestep info" "gemm: ${gemm:-none}; cublas $cublas"

[ -z "$nvcc_failed" ] || { say "## nvcc -ptx"; say '```'; tee -a "$log" <"$nvcc_log"; say '```'; say ""; }
note "$([ -z "$nvcc_failed" ] && echo ok || echo FAIL)" "nvcc -ptx kernels/*.cu" "${nvcc_failed:+failed:$nvcc_failed}"
step='s#^lif/exp +([0-9.]+) +[0-9.-]+ +[0-9]+ +([0-9.]+).*#lif/exp training step \1 ms, \2 s/60k epoch#p'
run "selftest: cuda against cpu" 's/^(selftest .*)/\1/p' main selftest --backend cuda
run "bench --backend cuda (kernels,step; ${bench_size[*]})" "$step" main bench \
  --backend cuda --what kernels,step --dt 5 "${bench_size[@]}" \
  --dataset mnist-sample --data "$data" --out "$report/bench-cuda"
run "bench --backend cpu (same sizes)" "$step" main bench \
  --backend cpu --what kernels,step --dt 5 "${bench_size[@]}" \
  --dataset mnist-sample --data "$data" --out "$report/bench-cpu"
trained='s/^final test accuracy ([^,]*),.*/test accuracy \1/p; s/^ +0 \|.*\| +([0-9.]+)$/epoch \1 s/p'
for b in cuda cpu; do
  run "train 1 epoch, $b" "$trained" main train --model lif --integrator exp --dt 5 "${train_size[@]}" \
    --epochs 1 --readout max --batch 128 --seed 0 --dataset mnist-sample --data "$data" --backend "$b" \
    --out "$report/results-$b"
done
# R-STDP (SPEC 6): a short run per backend, then T = 2000 on cuda (time-chunked buffers: fits memory).
rstdp='s/^final test \(all ([0-9]+) samples\): (accuracy [^,]*),.*/\2 of \1/p; s/^ +0 \|.*\| +([0-9.]+)$/epoch \1 s/p'
for b in cuda cpu; do
  run "rstdp 1 epoch (${rstdp_size[*]}), $b" "$rstdp" main rstdp --integrator euler \
    --dt 0.1 "${rstdp_size[@]}" --epochs 1 --seed 0 \
    --dataset mnist-sample --data "$data" --backend "$b" --out "$report/results-$b"
done
run "rstdp long (${rstdp_long[*]}), cuda" "$rstdp" main rstdp --integrator euler \
  --dt 0.01 "${rstdp_long[@]}" --epochs 1 --seed 0 \
  --dataset mnist-sample --data "$data" --backend cuda --out "$report/results-cuda"
# The seed notebook's per-step PyTorch model on the same GPU, when torch sees it.
if [ -n "$py" ]; then
  for mi in lif/exp izh/symplectic; do
    run "PyTorch per-step reference on this GPU, ${mi}" \
      's/.*"median_step_s": ([0-9.e-]+).*"s_per_60k_epoch": ([0-9.e-]+).*/median step \1 s, \2 s\/60k epoch/p' \
      "$py" "$here/benchmarks/reference/seed_model.py" \
      --data "$data/mnist-sample" --model "${mi%/*}" --integrator "${mi#*/}" --dt 5 --T 50 --batch 128 \
      --warmup 2 --repeats 10 --device cuda
  done
else
  say "## PyTorch reference"; say "skipped: no python with torch and CUDA (${PYTHON:-python3}, /usr/bin/python3)"; say ""
  note skipped "PyTorch reference" "no python with torch and CUDA"
fi
