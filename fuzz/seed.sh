#!/usr/bin/env bash
# Copies the examples and the golden/hostile test corpora into fuzz/corpus/TARGET as seeds.
# Idempotent; the seeded corpus folders are not committed (see .gitignore).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/{parse,parsers,check,format,evaluate,json_contract,time_ops}
policies=(examples/*/*.policy crates/extramile/tests/corpus/diagnostics/*.policy crates/extramile/tests/corpus/eval/*.policy)
if compgen -G "crates/extramile/tests/corpus/hostile/*.policy" >/dev/null; then
  policies+=(crates/extramile/tests/corpus/hostile/*.policy)
fi
for f in "${policies[@]}"; do
  name=$(echo "$f" | tr '/' '_')
  cp "$f" "fuzz/corpus/parse/$name"
  cp "$f" "fuzz/corpus/parsers/$name"
  cp "$f" "fuzz/corpus/check/$name"
  cp "$f" "fuzz/corpus/format/$name"
done
# evaluate: one selector byte (policy, role, now) then the facts.
for f in examples/*/incidents/*.json crates/extramile/tests/corpus/incidents/*.json; do
  [ -e "$f" ] || continue
  name=$(echo "$f" | tr '/' '_')
  for selector in 0 1 2 3 5 130; do
    { printf "\\$(printf '%03o' "$selector")"; cat "$f"; } > "fuzz/corpus/evaluate/${selector}_$name"
  done
done
# json_contract: evaluation requests of the golden corpus.
for f in crates/extramile/tests/corpus/eval/*.json; do
  cp "$f" "fuzz/corpus/json_contract/$(basename "$f")"
done
# time_ops: any bytes build a policy; a few fixed seeds start it off.
for seed in 0 1 2 3 4; do
  head -c 256 < <(yes "$seed" | tr -d '\n') > "fuzz/corpus/time_ops/seed_$seed"
done
echo "seeded: $(for t in parse parsers check format evaluate json_contract time_ops; do printf '%s=%s ' "$t" "$(ls fuzz/corpus/$t | wc -l)"; done)"
