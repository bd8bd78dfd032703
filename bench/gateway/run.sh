#!/usr/bin/env bash
# Streaming requests direct to a fast local upstream, through nginx, and through tpd gateway; same load generator
# (tpd bench), same upstream, runs interleaved. Writes JSON per run under $OUT (default bench/gateway/out) and a
# markdown table on stdout. Usage: bench/gateway/run.sh [request scale per mille, default 1000] [repeats, default 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
REQ=${1:-1000}
REPEATS=${2:-3}
OUT=${OUT:-/tmp/tpd-bench-gateway}
mkdir -p "$OUT" /tmp/tpd-bench-nginx
dotnet build -c Release src/Tpd.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/gateway/Upstream -v q -nologo >/dev/null
TPD=src/Tpd.Cli/bin/Release/net10.0/tpd
UPSTREAM=bench/gateway/Upstream/bin/Release/net10.0/Tpd.Bench.Upstream.dll

GATEWAY_PID=""
UPSTREAM_PID=""
cleanup() {
  for p in $GATEWAY_PID $UPSTREAM_PID; do kill "$p" 2>/dev/null || true; done
  [ -f /tmp/tpd-bench-nginx/nginx.pid ] && kill "$(cat /tmp/tpd-bench-nginx/nginx.pid)" 2>/dev/null || true
}
trap cleanup EXIT

start_upstream() { # $1 = token delay in microseconds
  if [ -n "$UPSTREAM_PID" ]; then kill "$UPSTREAM_PID"; wait "$UPSTREAM_PID" 2>/dev/null || true; fi
  dotnet "$UPSTREAM" --port 18090 --token-delay-us "$1" >/dev/null 2>&1 &
  UPSTREAM_PID=$!
  until curl -sf http://127.0.0.1:18090/health >/dev/null; do sleep 0.1; done
}
nginx -c "$PWD/bench/gateway/nginx.conf"
"$TPD" gateway --config bench/gateway/gateway.yaml --log-level warning >"$OUT/gateway.log" 2>&1 &
GATEWAY_PID=$!

declare -A URL=([direct]=http://127.0.0.1:18090 [nginx]=http://127.0.0.1:18091 [gateway]=http://127.0.0.1:18092)
# scenario: name, concurrency, output tokens, upstream token delay (us), requests (scaled by $REQ / 1000)
SCENARIOS=("latency-c1 1 32 0 3000" "throughput-c8 8 32 0 4000" "paced-c32 32 64 1000 1500")
for s in "${SCENARIOS[@]}"; do
  read -r name conc out delay n <<<"$s"
  n=$(( n * REQ / 1000 ))
  start_upstream "$delay"
  until curl -sf http://127.0.0.1:18092/health >/dev/null; do sleep 0.2; done
  for rep in $(seq 1 "$REPEATS"); do
    for target in direct nginx gateway; do
      "$TPD" bench --url "${URL[$target]}" --served-model bench --input 16 --output "$out" \
        --concurrency "$conc" --requests "$n" --warmup 200 --records "$OUT/$name-$target-$rep.jsonl" --json \
        >"$OUT/$name-$target-$rep.json"
    done
  done
done
curl -s http://127.0.0.1:18092/metrics >"$OUT/gateway-metrics.txt"
python3 bench/gateway/summarise.py "$OUT" "$REPEATS"
