#!/usr/bin/env bash
# Client capacity: how many requests/s and streamed events/s `tpd bench` sustains against a zero-delay twin on this
# machine, beside wrk on the same endpoint for plain POSTs. Results go in bench/results/client-capacity.md.
# Usage: bench/client-capacity/run.sh [concurrency] [requests]   (from the repository root; needs wrk: apt-get install -y wrk)
set -euo pipefail
CONCURRENCY=${1:-64}
REQUESTS=${2:-20000}
PORT=${PORT:-8123}
OUT=${OUT:-/tmp/tpd-client-capacity}
mkdir -p "$OUT"

dotnet build src/Tpd.Cli -c Release -v q -nologo >/dev/null
TPD=src/Tpd.Cli/bin/Release/net10.0/tpd

echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)' | sed 's/  */ /g'
dotnet --version
uptime
date -u +%Y-%m-%dT%H:%MZ

"$TPD" twin --zero-delay --port "$PORT" --duration 600 >"$OUT/twin.txt" 2>&1 &
TWIN=$!
trap 'kill -TERM $TWIN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done

echo "== tpd bench: streaming completions, 32 token ids in, 16 out, closed loop, concurrency $CONCURRENCY"
/usr/bin/time -f "bench process: %e s wall, %U s user, %S s sys, %M KiB max RSS" \
  "$TPD" bench --url "http://127.0.0.1:$PORT" --served-model llama-3.1-8b --input 32 --output 16 \
    --concurrency "$CONCURRENCY" --requests "$REQUESTS" --warmup 200 --records "$OUT/records.jsonl" --json >"$OUT/bench.json"
python3 - "$OUT/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
figures = {f["name"]: f for f in d["figures"]}
for name in ("ok_requests", "duration_seconds", "request_throughput_per_second", "output_token_throughput_tokens_per_second", "mean_concurrency", "ttft_p50_seconds", "ttft_p99_seconds"):
    if name in figures:
        f = figures[name]
        print(f"{name}: {f['value']} {f['unit']}")
rate = figures.get("request_throughput_per_second", {}).get("value")
out = figures.get("output_token_throughput_tokens_per_second", {}).get("value")
if rate and out:
    # Events per request: one per token, the usage chunk and [DONE].
    print(f"streamed events/s: {out + 2 * rate:.0f}")
print(f"achieved rate: {d['achieved_rate_per_second']:.0f} req/s, client CPU {d['client_cpu_share'] * 100:.0f} %, client bottleneck flag: {d['client_bottleneck']}")
PY

echo "== wrk: plain POST /v1/completions (non-streaming, same request), 2 threads, $CONCURRENCY connections, 15 s"
wrk -t2 -c"$CONCURRENCY" -d15s --latency -s bench/client-capacity/post.lua "http://127.0.0.1:$PORT/v1/completions"

echo "== wrk: streaming POST (same request with \"stream\": true), 15 s"
STREAM=1 wrk -t2 -c"$CONCURRENCY" -d15s --latency -s bench/client-capacity/post.lua "http://127.0.0.1:$PORT/v1/completions"
