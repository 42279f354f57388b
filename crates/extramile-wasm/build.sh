#!/usr/bin/env bash
# Builds the npm package `extramile` into crates/extramile-wasm/pkg/ from a fresh clone:
#   pkg/web/   ES module for browsers and bundlers (call the default export `init()` first)
#   pkg/node/  CommonJS module for Node (ready on require/import)
# Installs what it needs idempotently: the wasm32 target, wasm-bindgen-cli at the exact
# version of the `wasm-bindgen` crate in Cargo.lock, and the npm dev tools (binaryen's
# wasm-opt). Prints the raw and gzip size of the optimised .wasm.
# Uses $CARGO_TARGET_DIR when set (default: the workspace's target/).
#
#   bash crates/extramile-wasm/build.sh           install what is missing, then build pkg/
#   bash crates/extramile-wasm/build.sh --tools   only install what is missing
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
cd "$here"

say() { printf '  -> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the crate exactly, or wasm-bindgen refuses the module.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")"
[ -n "$bindgen_version" ] || { echo "wasm-bindgen is not in Cargo.lock" >&2; exit 2; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes)"
  # Not --locked: the CLI's own lock file pins a crate version the registry does not serve.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

[ "${1:-}" = "--tools" ] && exit 0

say "cargo build (profile wasm-release: opt-level 3, LTO, one codegen unit)"
cargo build -p extramile-wasm --lib --target wasm32-unknown-unknown --profile wasm-release --locked
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/extramile_wasm.wasm"

version="$(awk -F'"' '/^version = / { print $2; exit }' "$root/Cargo.toml")"
rm -rf pkg
mkdir -p pkg
# The features rustc's wasm32 target emits by default; wasm-opt must allow them.
features=(--enable-bulk-memory --enable-mutable-globals --enable-sign-ext
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
say "wasm-bindgen --target web and --target nodejs"
wasm-bindgen --target web --out-dir pkg/web "$wasm"
wasm-bindgen --target nodejs --out-dir pkg/node "$wasm"
say "wasm-opt -O3 (binaryen from npm)"
npx --no-install wasm-opt -O3 "${features[@]}" pkg/web/extramile_wasm_bg.wasm -o pkg/web/extramile_wasm_bg.wasm.opt
# wasm-bindgen emits the same module for both targets; optimise it once when it does.
if cmp -s pkg/web/extramile_wasm_bg.wasm pkg/node/extramile_wasm_bg.wasm; then
  cp pkg/web/extramile_wasm_bg.wasm.opt pkg/node/extramile_wasm_bg.wasm
else
  npx --no-install wasm-opt -O3 "${features[@]}" pkg/node/extramile_wasm_bg.wasm -o pkg/node/extramile_wasm_bg.wasm
fi
mv pkg/web/extramile_wasm_bg.wasm.opt pkg/web/extramile_wasm_bg.wasm
# The web build is an ES module; tell Node and bundlers so.
printf '{\n  "type": "module"\n}\n' > pkg/web/package.json
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" npm/package.json > pkg/package.json
cp npm/README.md pkg/README.md

raw="$(wc -c < pkg/web/extramile_wasm_bg.wasm)"
gz="$(gzip -9 -c pkg/web/extramile_wasm_bg.wasm | wc -c)"
echo "extramile $version (wasm-bindgen $bindgen_version): pkg/web/extramile_wasm_bg.wasm is $raw bytes raw, $gz bytes gzip -9"
