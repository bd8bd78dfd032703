"""Summarises bench/gateway/run.sh output: per scenario and target, the median over repeats of each figure."""
import json
import statistics
import sys
from pathlib import Path

out, repeats = Path(sys.argv[1]), int(sys.argv[2])
scenarios = ["latency-c1", "throughput-c8", "paced-c32"]
targets = ["direct", "nginx", "gateway"]


def fig(path, name):
    d = json.loads(path.read_text())
    return next(f["value"] for f in d["figures"] if f["name"] == name)


def med(s, t, name):
    return statistics.median(fig(out / f"{s}-{t}-{r}.json", name) for r in range(1, repeats + 1))


print("| scenario | target | req/s | events/s | TTFT p50 ms | TTFT p99 ms | E2E p50 ms | E2E p99 ms | added TTFT p50 ms | added TTFT p99 ms | errors |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in scenarios:
    base50, base99 = med(s, "direct", "ttft_p50_seconds"), med(s, "direct", "ttft_p99_seconds")
    for t in targets:
        rps = med(s, t, "request_throughput_per_second")
        tokens = med(s, t, "output_token_throughput_tokens_per_second")
        # Events per request: one per output token, plus the usage chunk and [DONE].
        events = tokens + 2 * rps
        p50, p99 = med(s, t, "ttft_p50_seconds"), med(s, t, "ttft_p99_seconds")
        e50, e99 = med(s, t, "e2e_p50_seconds"), med(s, t, "e2e_p99_seconds")
        errors = med(s, t, "error_requests")
        added = "" if t == "direct" else f"{(p50 - base50) * 1e3:+.3f} | {(p99 - base99) * 1e3:+.3f}"
        if t == "direct":
            added = "- | -"
        print(f"| {s} | {t} | {rps:,.0f} | {events:,.0f} | {p50 * 1e3:.3f} | {p99 * 1e3:.3f} | {e50 * 1e3:.3f} | {e99 * 1e3:.3f} | {added} | {errors:.0f} |")


# The gateway's own measure of what it adds (arrival to upstream send + first upstream read to client flush).
metrics = (out / "gateway-metrics.txt").read_text().splitlines()
buckets = []
for line in metrics:
    if line.startswith("tpd_gateway_overhead_seconds_bucket"):
        le = line.split('le="')[1].split('"')[0]
        buckets.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
total = buckets[-1][1]


def upper(q):
    return next(le for le, n in buckets if n >= q * total)


print()
print(f"gateway overhead histogram over {total:,.0f} requests: p50 <= {upper(0.5) * 1e3:g} ms, p99 <= {upper(0.99) * 1e3:g} ms, p99.9 <= {upper(0.999) * 1e3:g} ms")
