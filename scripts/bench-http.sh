#!/usr/bin/env bash
# make bench-http — wrk against Runway's HTTP server and a minimal Hummingbird 2 server answering
# the same two routes (GET /healthz, POST /json with a 6 KiB JSON body decoded with Codable),
# keep-alive and `Connection: close`, 64 connections, BENCH_RUNS runs each (default 3) alternating
# between the two servers; medians of requests/s and p50/p99 latency, peak RSS (VmHWM) of each
# server. Writes the table to bench/RESULTS.md (section "http") and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
duration="${BENCH_SECONDS:-10}"
runs="${BENCH_RUNS:-3}"
connections=64
threads=2

if ! command -v wrk >/dev/null; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "building the two servers (release)…" >&2
swift build -c release --package-path bench/runway-http >&2
swift build -c release --package-path bench/hummingbird/yardstick >&2
runway_bin="$(swift build -c release --package-path bench/runway-http --show-bin-path)/runway-http-bench"
hb_bin="$(swift build -c release --package-path bench/hummingbird/yardstick --show-bin-path)/hb-bench"

# Raw wrk outputs stay in .build-bench/http (git-ignored) for a look after the run.
work="$root/.build-bench/http"
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
runway_port="$(free_port)"
hb_port="$(free_port)"
"$runway_bin" "$runway_port" >"$work/runway.log" 2>&1 &
runway_pid=$!
pids+=("$runway_pid")
"$hb_bin" "$hb_port" >"$work/hb.log" 2>&1 &
hb_pid=$!
pids+=("$hb_pid")
for port in "$runway_port" "$hb_port"; do
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.1
    done
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server on $port did not start" >&2; exit 1; }
done

# The 6 KiB order: 30 lines of realistic fields.
python3 - "$work/order.json" <<'PY'
import json, sys
lines = [{"sku": f"SKU-{i:06d}", "name": f"Widget model {i} with a longer descriptive name",
          "quantity": i % 7 + 1, "price": round(3.5 + i * 1.25, 2), "tags": ["hardware", "blue", f"batch-{i % 5}"]}
         for i in range(30)]
order = {"id": 4242, "customer": "ACME Corporation, Procurement Department", "lines": lines}
body = json.dumps(order)
while len(body) < 6144:
    order["customer"] += " x"
    body = json.dumps(order)
open(sys.argv[1], "w").write(body)
PY
cat >"$work/post.lua" <<EOF2
local f = io.open("$work/order.json", "r")
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
EOF2
for port in "$runway_port" "$hb_port"; do
    curl -fs -X POST -H 'Content-Type: application/json' --data-binary "@$work/order.json" "http://127.0.0.1:$port/json" >/dev/null \
        || { echo "POST /json failed on $port" >&2; exit 1; }
done

run_wrk() { # server port scenario run
    local server="$1" port="$2" scenario="$3" run="$4" args=()
    case "$scenario" in
        get-keepalive) args=("http://127.0.0.1:$port/healthz") ;;
        post-keepalive) args=(-s "$work/post.lua" "http://127.0.0.1:$port/json") ;;
        get-close) args=(-H "Connection: close" "http://127.0.0.1:$port/healthz") ;;
        post-close) args=(-H "Connection: close" -s "$work/post.lua" "http://127.0.0.1:$port/json") ;;
    esac
    wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${args[@]}" >"$work/$server-$scenario-$run.txt" 2>&1
    echo "  $scenario run $run $server: $(grep 'Requests/sec' "$work/$server-$scenario-$run.txt")" >&2
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
scenarios=(get-keepalive post-keepalive get-close post-close)
for scenario in "${scenarios[@]}"; do
    for run in $(seq "$runs"); do
        run_wrk runway "$runway_port" "$scenario" "$run"
        run_wrk hummingbird "$hb_port" "$scenario" "$run"
    done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
runway_rss="$(awk '/VmHWM/ {print $2}' "/proc/$runway_pid/status")"
hb_rss="$(awk '/VmHWM/ {print $2}' "/proc/$hb_pid/status")"

table="$(python3 - "$work" "$runs" "$runway_rss" "$hb_rss" "$duration" "$load_start" "$load_end" <<'PY'
import re, statistics, sys, os, subprocess, datetime
work, runs, runway_rss, hb_rss, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
load_start, load_end = sys.argv[6], sys.argv[7]

def ms(value):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if m.group(2) == "m": return float(m.group(1)) * 60000
    n, unit = float(m.group(1)), m.group(2)
    return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n

def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    # The latency distribution lines ("     50%    1.23ms"), not the "+/- Stdev" percentages.
    p50 = ms(re.search(r"^\s+50%\s+(\S+)\s*$", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)\s*$", text, re.M).group(1))
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m: errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m: errors += int(m.group(1))
    return rps, p50, p99, errors

targets = {"get-keepalive": 3, "post-keepalive": 2, "get-close": 4, "post-close": None}
names = {"get-keepalive": "GET /healthz, keep-alive", "post-keepalive": "POST 6 KiB JSON, keep-alive",
         "get-close": "GET /healthz, Connection: close", "post-close": "POST 6 KiB JSON, Connection: close"}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
out = ["## HTTP server (`make bench-http`)", "",
       f"{datetime.date.today().isoformat()} · `nproc` {os.cpu_count()} · {cpu} · wrk -t2 -c64 -d{duration}s, "
       f"median of {runs} runs alternating Runway / Hummingbird 2 (release builds, no per-request logging on either side).", "",
       "| scenario | Runway req/s | Hummingbird req/s | ratio (target) | Runway p50 / p99 ms | Hummingbird p50 / p99 ms | errors R / H |",
       "|---|---:|---:|---:|---:|---:|---:|"]
for s in ["get-keepalive", "post-keepalive", "get-close", "post-close"]:
    r = [parse(f"{work}/runway-{s}-{i}.txt") for i in range(1, runs + 1)]
    h = [parse(f"{work}/hummingbird-{s}-{i}.txt") for i in range(1, runs + 1)]
    med = lambda rows, k: statistics.median(x[k] for x in rows)
    ratio = med(r, 0) / med(h, 0)
    target = f" (≥ {targets[s]}x)" if targets[s] else ""
    out.append(f"| {names[s]} | {med(r,0):,.0f} | {med(h,0):,.0f} | {ratio:.2f}x{target} | "
               f"{med(r,1):.2f} / {med(r,2):.2f} | {med(h,1):.2f} / {med(h,2):.2f} | {sum(x[3] for x in r)} / {sum(x[3] for x in h)} |")
out.append("")
out.append(f"Peak RSS (VmHWM over all runs): Runway {runway_rss / 1024:.1f} MB, Hummingbird {hb_rss / 1024:.1f} MB (target: Runway < 25 MB).")
out.append("")
out.append(f"Load average (1/5/15 min) at start {load_start}, at end {load_end}: wrk and both servers share 2 cores "
           "with whatever else runs, so ratios move between runs. Errors are wrk socket errors plus non-2xx answers.")
print("\n".join(out))
PY
)"
echo "$table"
echo "$table" | scripts/bench-section.sh http
