#!/usr/bin/env bash
# The WASM build in Node against native, on the reference corpus (issue 5). Builds the npm
# package (crates/extramile-wasm/build.sh) when missing, then times native and WASM in turn,
# PAIRS times (default 5): this host's speed swings within minutes, so each WASM figure is
# set against the native figure taken just before it, and the median of the ratios is given.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -f crates/extramile-wasm/pkg/node/extramile_wasm.js ] || bash crates/extramile-wasm/build.sh
requests="$(mktemp)"
trap 'rm -f "$requests"' EXIT
cargo build -q --release --locked -p extramile-benches --example wasm_requests
ratios=()
for _ in $(seq "${PAIRS:-5}"); do
  native="$("${CARGO_TARGET_DIR:-target}/release/examples/wasm_requests" "$requests")"
  native_ns="$(echo "$native" | sed -E 's/.*"native_ns_per_eval": ([0-9]+).*/\1/')"
  wasm="$(node benches/wasm/node_bench.mjs "$requests" benches/reference/reference.policy "$native_ns")"
  echo "$wasm"
  ratios+=("$(echo "$wasm" | sed -E 's/.*"ratio":([0-9.]+).*/\1/')")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{r[NR]=$1} END {print "median ratio of " NR " pairs: " r[int((NR+1)/2)]}'
