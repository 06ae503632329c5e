#!/usr/bin/env bash
# Checks a folder against what the device tool brings back from $OUT (its README's limits): at most
# 8 files, 16 MiB each and 64 MiB together, no more than 2 folders down, every name of letters, digits,
# '.', '_' and '-'; and that each file named after it is there. Anything past these limits stays on
# the GPU machine, so benchmarks/gpu-check.sh's results must fit them.
#
# Usage: benchmarks/check-returned.sh DIR [FILE...]
set -euo pipefail
dir="${1:?usage: check-returned.sh DIR [FILE...]}"
shift
fail() { echo "error: $dir: $*" >&2; exit 1; }
[ -d "$dir" ] || fail "no such folder"
files="$(cd "$dir" && find . -mindepth 1 -type f | sort)"
count="$(printf '%s' "$files" | grep -c . || true)"
[ "$count" -le 8 ] || fail "$count files, the device tool brings back 8: $(echo $files)"
bad="$(cd "$dir" && find . -mindepth 1 | grep -E '^\./([^/]+/){3,}|[^A-Za-z0-9._/-]' || true)"
[ -z "$bad" ] || fail "past 2 folders down or named with other than letters, digits, '.', '_', '-': $bad"
big="$(cd "$dir" && find . -type f -size +16M)"
[ -z "$big" ] || fail "over 16 MiB: $big"
total="$(du -sb "$dir" | cut -f1)"
[ "$total" -le $((64 * 1024 * 1024)) ] || fail "$total bytes, over 64 MiB"
for f in "$@"; do [ -f "$dir/$f" ] || fail "no $f among the files: $(echo $files)"; done
echo "$dir: $count files, $total bytes: within what the device tool brings back"
