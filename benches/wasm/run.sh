#!/usr/bin/env bash
# The WASM build in Node against native, on the reference corpus (issue 5). Builds the npm
# package (crates/extramile-wasm/build.sh) when missing, then prints both figures and the ratio.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -f crates/extramile-wasm/pkg/node/extramile_wasm.js ] || bash crates/extramile-wasm/build.sh
requests="$(mktemp)"
native="$(cargo run -q --release --locked -p extramile-benches --example wasm_requests -- "$requests")"
echo "native: $native"
native_ns="$(echo "$native" | sed -E 's/.*"native_ns_per_eval": ([0-9]+).*/\1/')"
node benches/wasm/node_bench.mjs "$requests" benches/reference/reference.policy "$native_ns"
rm -f "$requests"
