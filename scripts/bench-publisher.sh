#!/usr/bin/env bash
# `make bench-publisher`: the Publisher end to end against a no-op Orchestrator on loopback with
# flow control lifted, next to pgbench running the same claim query on the same Postgres.
#   1. throughput: N pending jobs, one notify; jobs dispatched per second until the Orchestrator
#      has received every call;
#   2. latency: jobs become claimable at 1,000/s offered, each followed by a notify (as the
#      Producer does); notify → Orchestrator-call latency p50/p99;
#   3. pgbench: the store's claim statement (batch = PUBLISHER_CLAIM_BATCH) on a table of pending
#      rows, jobs claimed per second;
#   4. Publisher peak RSS.
# Writes the `publisher` section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${BENCH_JOBS:-20000}"
LATENCY_JOBS="${BENCH_LATENCY_JOBS:-5000}"
BATCH="${BENCH_BATCH:-20}"
swift build -c release --product publisher >/dev/null
BIN="$(swift build -c release --show-bin-path)/publisher"
export JOBS LATENCY_JOBS BATCH BIN
PYFILE="$(mktemp /tmp/bench-publisher.XXXXXX.py)"
trap 'rm -f "$PYFILE"' EXIT
cat > "$PYFILE" <<'PY'
import asyncio, json, os, statistics, subprocess, sys, time, re

DB = os.environ["RUNWAY_TEST_DATABASE_URL"]
WORK = os.environ["RUNWAY_TEST_WORK"] + "/bench-publisher"
os.makedirs(WORK, exist_ok=True)
JOBS, LAT_JOBS, BATCH, BIN = int(os.environ["JOBS"]), int(os.environ["LATENCY_JOBS"]), int(os.environ["BATCH"]), os.environ["BIN"]
TOKEN = "bench-internal-token-0123456789"

def psql(sql):
    return subprocess.run(["psql", DB, "-qAtc", sql], check=True, capture_output=True, text=True).stdout.strip()

received = {}          # runner name -> receive time
async def orchestrator(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length) if length else b""
            now = time.time()
            if head.startswith(b"POST"):
                name = json.loads(body)["runner_name"]
                received.setdefault(name, now)
                out = json.dumps({"runner_name": name, "provider_id": "i-" + name}).encode()
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
            else:
                out = b"{\"runners\": []}"
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

class Notifier:
    async def open(self, port):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        self.pending = 0
    async def send(self):
        body = b"{\"reason\":\"bench\"}"
        self.writer.write(b"POST /v1/notify HTTP/1.1\r\nHost: p\r\nAuthorization: Bearer " + TOKEN.encode() +
                          b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
        await self.reader.readexactly(length)

def seed(first, count, start_expr, step_ms, pool="bench"):
    psql(f"""INSERT INTO jobs (id, run_id, run_attempt, repository, owner, installation_id, labels, pool, status,
             dispatch_state, next_attempt_at, received_at, updated_at)
             SELECT g, g, 1, 'octo/repo', 'octo', 42, ARRAY['self-hosted','linux'], '{pool}', 'queued', 'pending',
                    {start_expr} + (g - {first}) * interval '{step_ms} millisecond', now(), now()
             FROM generate_series({first}, {first + count - 1}) AS g""")

def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0

async def main():
    server = await asyncio.start_server(orchestrator, "127.0.0.1", 0, backlog=1024)
    oport = server.sockets[0].getsockname()[1]
    with open(f"{WORK}/pools.yaml", "w") as f:
        f.write(f"""pools:
  - name: bench
    host: ec2
    os: ubuntu
    labels: [linux]
    orchestrator_url: http://127.0.0.1:{oport}
    max_runners: 100000
    launch_rate: 10000
    launch_burst: 100000
    ec2: {{image_id: ami-1, instance_types: [c7i.large], subnet_ids: [subnet-a], security_group_ids: [sg-1]}}
""")
    env = dict(os.environ, DATABASE_URL=DB, RUNWAY_POOLS=f"{WORK}/pools.yaml", RUNWAY_INTERNAL_TOKEN=TOKEN, HTTP_HOST="127.0.0.1",
               HTTP_PORT="0", RUNWAY_PORT_FILE=f"{WORK}/port", RUNWAY_MIGRATE="1", LOG_LEVEL="warning",
               PUBLISHER_CLAIM_BATCH=str(BATCH), PUBLISHER_JIT_RATE="100000", PUBLISHER_JIT_BURST="100000",
               PUBLISHER_RECONCILE_INTERVAL="1h", DATABASE_POOL_SIZE="8")
    if os.path.exists(f"{WORK}/port"): os.remove(f"{WORK}/port")
    proc = subprocess.Popen([BIN], env=env, stdout=subprocess.DEVNULL, stderr=open(f"{WORK}/publisher.log", "w"))
    for _ in range(600):
        if os.path.exists(f"{WORK}/port") and open(f"{WORK}/port").read().strip(): break
        if proc.poll() is not None: break
        await asyncio.sleep(0.05)
    else:
        proc.terminate()
    if not (os.path.exists(f"{WORK}/port") and open(f"{WORK}/port").read().strip()):
        sys.stderr.write(open(f"{WORK}/publisher.log").read())
        sys.exit("the publisher did not start")
    pport = int(open(f"{WORK}/port").read())
    notifier = Notifier(); await notifier.open(pport)

    # 1. Throughput.
    seed(1, JOBS, "now() - interval '1 hour'", 0)
    t0 = time.time()
    await notifier.send()
    while len(received) < JOBS:
        await asyncio.sleep(0.005)
        if time.time() - t0 > 300: sys.exit("throughput phase timed out")
    t1 = max(received.values())
    throughput = JOBS / (t1 - t0)

    # 2. Latency at 1,000 jobs/s offered: job i becomes claimable at start + i ms and is notified then.
    received.clear()
    first = 10_000_000
    start = time.time() + 1.0
    seed(first, LAT_JOBS, f"to_timestamp({start})", 1)
    due = {}
    for i in range(LAT_JOBS):
        t = start + i / 1000.0
        delay = t - time.time()
        if delay > 0: await asyncio.sleep(delay)
        due[f"runway-bench-{first + i}-0"] = t
        await notifier.send()
    while len(received) < LAT_JOBS:
        await asyncio.sleep(0.01)
        if time.time() - start > 120: sys.exit("latency phase timed out")
    lat = sorted((received[n] - due[n]) * 1000 for n in due)
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
    rss = peak_rss_mb(proc.pid)
    proc.terminate(); proc.wait(timeout=30)
    server.close()

    # 3. pgbench: the same claim statement, same batch, on a fresh pool of pending rows.
    seed(20_000_000, 200_000, "now() - interval '1 hour'", 0, pool="pgbench")
    with open(f"{WORK}/claim.sql", "w") as f:
        f.write(f"""WITH picked AS (SELECT id FROM jobs WHERE pool = 'pgbench' AND dispatch_state = 'pending' AND status = 'queued'
  AND next_attempt_at <= now() ORDER BY received_at, id LIMIT {BATCH} FOR UPDATE SKIP LOCKED)
UPDATE jobs AS j SET dispatch_state = 'dispatching', lease_owner = 'pgbench', lease_token = nextval('jobs_lease_token'),
  lease_expires_at = now() + interval '1 minute', updated_at = now() FROM picked WHERE j.id = picked.id RETURNING j.*;
""")
    out = subprocess.run(["pgbench", "-n", "-f", f"{WORK}/claim.sql", "-c", "4", "-j", "2", "-T", "10", DB],
                         check=True, capture_output=True, text=True).stdout
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
    raw = tps * BATCH
    ratio = throughput / raw
    print(f"""## Publisher (`make bench-publisher`)
{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, release build, Postgres on loopback, no-op Orchestrator (Python asyncio) on loopback, flow control lifted, claim batch {BATCH}.

| Measure | Result | Target |
|---|---|---|
| End-to-end dispatch, {JOBS:,} pending jobs, one notify | {throughput:,.0f} jobs/s | ≥ 0.5× raw claim rate |
| pgbench, same claim statement, 4 clients, batch {BATCH} | {raw:,.0f} jobs/s ({tps:,.0f} claims/s) | reference |
| Ratio end to end / pgbench | {ratio:.2f}× | ≥ 0.5× |
| notify → Orchestrator call, {LAT_JOBS:,} jobs at 1,000/s offered, p50 | {p50:.1f} ms | < 5 ms |
| same, p99 | {p99:.1f} ms | < 50 ms |
| Publisher peak RSS (VmHWM) | {rss:.1f} MB | < 40 MB |

The load generator is one Python event loop that both serves the no-op Orchestrator and sends the
notifies, on the same 2 cores as Postgres and the Publisher; the Publisher's own
`runway_publisher_claimed_to_launched_seconds` histogram is the figure without it.
""", flush=True)

import logging
logging.getLogger("asyncio").setLevel(logging.CRITICAL)
asyncio.run(main())
PY
scripts/test-env.sh python3 "$PYFILE" | tee /dev/stderr | scripts/bench-section.sh publisher
