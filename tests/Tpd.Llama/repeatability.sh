#!/usr/bin/env bash
# Run-to-run repeatability of `tpd bench` against the llama.cpp test server on this machine; the figures in
# docs/validation/llama-engine.md come from it. Needs the .NET SDK, jq and curl.
#
#   tests/Tpd.Llama/repeatability.sh [RUNS] [OUT_DIR] [server options...]
#
# Starts one server (default model unless server options say otherwise), then RUNS times back to back the same sweep:
# concurrency 1 at 64 and 512 prompt tokens, concurrency 2, 4 and 8 at 64, each point 32 requests (2 warm-up) of
# 64 output tokens (ignore_eos). Prints, per point, the median over runs of each run's p50 TTFT and p50 TPOT and their
# spread (max/min, coefficient of variation), then the engine's own per-token decode time at 1 and 8 sequences.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
out=${2:-$(mktemp -d)}
shift $(( $# > 2 ? 2 : $# ))
mkdir -p "$out"

dotnet build -c Release tests/Tpd.Llama -v q --nologo >/dev/null
dotnet build -c Release src/Tpd.Cli -v q --nologo >/dev/null
server=tests/Tpd.Llama/bin/Release/net10.0/Tpd.Llama.dll
tpd=src/Tpd.Cli/bin/Release/net10.0/tpd.dll

dotnet "$server" --port 0 --lifetime 3600 "$@" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '  url ' "$out/server.log" && break; sleep 0.2; done
url=$(awk '$1 == "url" { print $2 }' "$out/server.log")
cat "$out/server.log"

points="c1-in64:1:64 c1-in512:1:512 c2-in64:2:64 c4-in64:4:64 c8-in64:8:64"
for run in $(seq "$runs"); do
  curl -s "$url/stats" >"$out/stats-$run-before.json"
  echo "run $run: $(uptime | sed 's/.*load/load/')" | tee -a "$out/load.txt"
  for p in $points; do
    IFS=: read -r name conc input <<<"$p"
    dotnet "$tpd" bench --url "$url" --concurrency "$conc" --requests 32 --warmup 2 --input "$input" --output 64 \
      --no-progress --json --records "$out/records-$run-$name.jsonl" >"$out/summary-$run-$name.json" 2>>"$out/bench.log"
  done
  curl -s "$url/stats" >"$out/stats-$run-after.json"
done

# Median, max/min and CV (population std / mean) of one figure over the runs.
spread() { sort -g | awk '{ v[NR] = $1; s += $1; q += $1 * $1 } END {
  m = s / NR; sd = sqrt(q / NR - m * m); med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  printf "%.2f ms | %.2f-%.2f ms | %.2f | %.1f %%", med * 1000, v[1] * 1000, v[NR] * 1000, v[NR] / v[1], 100 * sd / m }'; }
figure() { jq -r --arg f "$1" '.figures[] | select(.name == $f) | .value' "$2"; }

echo
echo "| point | p50 TTFT: median over runs | min-max | max/min | CV | p50 TPOT: median over runs | min-max | max/min | CV |"
echo "|---|---|---|---|---|---|---|---|---|"
for p in $points; do
  name=${p%%:*}
  ttft=$(for run in $(seq "$runs"); do figure ttft_p50_seconds "$out/summary-$run-$name.json"; done | spread)
  tpot=$(for run in $(seq "$runs"); do figure tpot_p50_seconds "$out/summary-$run-$name.json"; done | spread)
  echo "| $name | $ttft | $tpot |"
done

# The engine's decode-only steps of each run (from /stats, before and after it): seconds per step / sequences.
echo
echo "| sequences in the step | per-token decode time: median over runs | min-max | max/min | CV |"
echo "|---|---|---|---|---|"
for n in 1 8; do
  per_token=$(for run in $(seq "$runs"); do
    jq -n --argjson n "$n" --slurpfile a "$out/stats-$run-before.json" --slurpfile b "$out/stats-$run-after.json" '
      def at(s): (s[0].decode_steps[] | select(.sequences == $n)) // {steps: 0, mean_seconds: 0};
      ((at($b) | .steps * .mean_seconds) - (at($a) | .steps * .mean_seconds)) as $sec
      | (at($b).steps - at($a).steps) as $steps
      | if $steps > 0 then $sec / $steps / $n else empty end'
  done | spread)
  echo "| $n | $per_token |"
done
echo
echo "raw files: $out"
