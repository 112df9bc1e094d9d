#!/usr/bin/env python3
"""`make bench-system`: the whole Runway stack under webhook load, on loopback.

    scripts/test-env.sh python3 bench/system/system_bench.py BIN_DIR > section.md

Starts scripts/demo/stack.py's Stack with the release executables in BIN_DIR, flow control
lifted on the `ec2-ubuntu` pool and `ec2-windows` set to 200 launches/s for the burst, and the
EC2 Orchestrator's AWS endpoint pointed at bench/system/aws_endpoint.py (in front of the
test-env moto). Then: latency at 10/100/500 jobs/s, a rising rate until something saturates, a
burst of 10,000 jobs, peak RSS. Progress goes to stderr, the RESULTS.md section to stdout.
How each figure is measured: docs/benchmarks.md.
"""
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "demo"))
sys.path.insert(0, HERE)

import procstat  # noqa: E402
import report  # noqa: E402
from stack import WEBHOOK_SECRET, Stack, work_directory  # noqa: E402

LABELS = {"ec2-ubuntu": ["self-hosted", "linux", "x64"], "ec2-windows": ["self-hosted", "windows"]}
LIFTED = {"max_runners": 100_000, "launch_rate": 10_000, "launch_burst": 100_000}
QUIET = {"LOG_LEVEL": "warning"}  # no per-request log lines (as in the other benchmarks)
UNPACED = {"RUNWAY_ORCHESTRATOR_JIT_RATE": "100000", "RUNWAY_ORCHESTRATOR_JIT_BURST": "100000"}
BURST_RATE = int(os.environ.get("BENCH_SYSTEM_BURST_RATE", "200"))
BURST_JOBS = int(os.environ.get("BENCH_SYSTEM_BURST_JOBS", "10000"))
LATENCY_RUNS = [tuple(int(x) for x in run.split(":"))  # (jobs/s offered, seconds)
                for run in os.environ.get("BENCH_SYSTEM_LATENCY", "10:20,100:10,500:5").split(",")]
STEP_RATES = [int(r) for r in os.environ.get("BENCH_SYSTEM_STEPS", "100,150,200,250,300,400,600").split(",")]
STEP_SECONDS = int(os.environ.get("BENCH_SYSTEM_STEP_SECONDS", "6"))
SERVICES = ["producer", "publisher", "orchestrator-ec2", "orchestrator-eks"]


def log(message):
    print(f"bench-system: {message}", file=sys.stderr, flush=True)


def http_json(url, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


class Bench:
    def __init__(self, bin_dir):
        self.work = work_directory()
        self.bin_dir = bin_dir
        self.next_job = 300_000_000
        self.endpoint_proc = None
        self.stack = None

    # -- set-up --------------------------------------------------------------------------------

    def start(self):
        moto = os.environ["RUNWAY_TEST_MOTO_URL"]
        log_path = os.path.join(self.work, "aws-endpoint.log")
        self.endpoint_proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "aws_endpoint.py"), "--upstream", moto, "--mode", "fast"],
            stdout=open(log_path, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        port = None
        for _ in range(100):
            with open(log_path) as f:
                line = f.readline()
            if line.startswith("PORT="):
                port = int(line[5:])
                break
            time.sleep(0.05)
        if port is None:
            raise RuntimeError("aws_endpoint.py did not start")
        self.endpoint = f"http://127.0.0.1:{port}"
        self.stack = Stack(
            self.work, bin_dir=self.bin_dir, ec2_endpoint=self.endpoint,
            pool_overrides={"global": {"global_max_runners": 100_000}, "ec2-ubuntu": LIFTED,
                            "ec2-windows": {"max_runners": 100_000, "launch_rate": BURST_RATE, "launch_burst": 20}},
            service_env={"publisher": {**QUIET, "PUBLISHER_JIT_RATE": "100000", "PUBLISHER_JIT_BURST": "100000",
                                       "PUBLISHER_RECONCILE_INTERVAL": os.environ.get("BENCH_SYSTEM_RECONCILE", "15s"), "PUBLISHER_ORPHAN_GRACE": "5m"},
                         "producer": QUIET,
                         "orchestrator-ec2": {**UNPACED, "LOG_LEVEL": os.environ.get("BENCH_SYSTEM_ORCHESTRATOR_LOG_LEVEL", "warning")},
                         "orchestrator-eks": {**UNPACED, **QUIET}})
        self.stack.start(log=lambda line: log(line.strip()))
        http_json(self.stack.urls["github"] + "/_standin/config", {"rate_limit": 1_000_000_000})
        pids = {name: proc.pid for name, proc, _ in self.stack.children}
        pids["aws-endpoint"] = self.endpoint_proc.pid
        pids["moto"] = procstat.find_process(["moto_server", moto.rsplit(":", 1)[1]])
        with open(os.path.join(os.environ["RUNWAY_TEST_PG_DATA"], "postmaster.pid")) as f:
            postmaster = int(f.readline())
        self.procs = procstat.Processes(pids, postmaster)

    def stop(self):
        if self.stack:
            self.stack.stop()
        if self.endpoint_proc and self.endpoint_proc.poll() is None:
            self.endpoint_proc.terminate()
            self.endpoint_proc.wait(timeout=10)

    # -- load ------------------------------------------------------------------------------------

    def deliveries(self, pool, count):
        first = self.next_job
        self.next_job += count
        path = os.path.join(self.work, f"deliveries-{first}.tsv")
        secret = WEBHOOK_SECRET.encode()
        with open(path, "w") as f:
            for job in range(first, first + count):
                body = json.dumps({"action": "queued", "workflow_job": {
                    "id": job, "run_id": job // 10, "run_attempt": 1, "status": "queued", "conclusion": None,
                    "labels": LABELS[pool], "runner_name": None, "runner_id": None,
                    "created_at": "2026-11-29T08:00:00Z", "started_at": "2026-11-29T08:00:00Z",
                    "completed_at": None, "name": f"build-{job}"},
                    "repository": {"id": 1, "name": "octo-repo", "full_name": "octo-org/octo-repo",
                                   "owner": {"login": "octo-org", "id": 7, "type": "Organization"}},
                    "organization": {"login": "octo-org", "id": 7}, "installation": {"id": 1}},
                    separators=(",", ":"))
                signature = "sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
                f.write(f"{job}\tbench-{job}\t{signature}\t{body}\n")
        return path, range(first, first + count)

    def run(self, pool, rate, count, drain_timeout, threads=24):
        """Offers `count` jobs at `rate`/s (0: as fast as possible) and waits for their launches."""
        path, jobs = self.deliveries(pool, count)
        http_json(self.endpoint + "/_bench/reset", {})
        out = os.path.join(self.work, f"load-{jobs.start}.json")
        before = self.procs.snapshot()
        started = time.monotonic()
        subprocess.run([sys.executable, os.path.join(HERE, "loadgen.py"), self.stack.urls["producer"] + "/webhook",
                        path, "0", str(count), str(rate), out, "--threads", str(threads)], check=True)
        with open(out) as f:
            load = json.load(f)
        acked = len(load["acks"])
        deadline = time.monotonic() + drain_timeout
        while time.monotonic() < deadline:
            if http_json(self.endpoint + "/_bench/launches?summary=1")["run_instances"] >= acked:
                break
            time.sleep(0.1)
        ended = time.monotonic()
        after = self.procs.snapshot()
        launches = http_json(self.endpoint + "/_bench/launches")["launches"]
        first_launch = {}
        for job, _, arrival in launches:
            if job is not None and int(job) in jobs:
                first_launch.setdefault(int(job), arrival)
        acks = {int(job): t for job, t in load["acks"].items()}
        latencies = sorted((first_launch[j] - acks[j]) * 1000 for j in acks if j in first_launch)
        last_launch = max(first_launch.values(), default=ended)
        span = max(last_launch - load["first_sent"], 1e-9) if load["first_sent"] else 0
        cpu = procstat.delta(before, after)
        cpu["load generator"] = load["cpu_seconds"]
        arrivals = sorted(first_launch.values())
        last_sent = load["last_sent"] or ended
        during = sum(1 for t in arrivals if t <= last_sent)
        after = len(arrivals) - during
        return {
            "during_rate": during / max(last_sent - (load["first_sent"] or last_sent), 1e-9),
            "after_rate": after / max(last_launch - last_sent, 1e-9) if after else 0.0,
            "pool": pool, "offered": rate, "count": count, "jobs": jobs, "load": load, "acked": acked,
            "launched": len(first_launch), "run_instances": len(launches), "latencies": latencies,
            "launch_rate": len(first_launch) / span if span else 0.0, "drain_seconds": span,
            "wall": ended - started, "cpu": cpu,
        }

    # -- phases ----------------------------------------------------------------------------------

    def latency(self):
        runs = []
        for rate, seconds in LATENCY_RUNS:
            log(f"latency: {rate} jobs/s for {seconds} s")
            runs.append(self.run("ec2-ubuntu", rate, rate * seconds, drain_timeout=30))
        return runs

    def moto_reference(self, rate=10, seconds=10):
        """The same load with moto answering the launch path too (proxy mode), while moto is still small."""
        log(f"moto reference: {rate} jobs/s for {seconds} s with moto answering every call")
        http_json(self.endpoint + "/_bench/mode/proxy", {})
        try:
            return self.run("ec2-ubuntu", rate, rate * seconds, drain_timeout=60)
        finally:
            http_json(self.endpoint + "/_bench/mode/fast", {})

    def saturation(self):
        steps = []
        for rate in STEP_RATES:
            log(f"saturation step: {rate} jobs/s for {STEP_SECONDS} s")
            step = self.run("ec2-ubuntu", rate, rate * STEP_SECONDS, drain_timeout=15)
            steps.append(step)
            if report.saturated(step):
                break
        self.settle()
        return steps

    def settle(self, timeout=60):
        """Waits until no ec2-ubuntu job is pending, so the burst starts from an empty queue."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.sql(
                "SELECT count(*) FROM jobs WHERE dispatch_state IN ('pending', 'dispatching')") != "0":
            time.sleep(0.5)

    def burst(self):
        log(f"burst: {BURST_JOBS} jobs as fast as possible, pool launch rate {BURST_RATE}/s")
        run = self.run("ec2-windows", 0, BURST_JOBS, drain_timeout=BURST_JOBS / BURST_RATE * 2 + 30, threads=16)
        first, last = run["jobs"].start, run["jobs"].stop - 1
        run["db"] = self.sql(
            f"SELECT count(*), count(*) FILTER (WHERE dispatch_state = 'launched'), count(*) FILTER (WHERE attempts > 1)"
            f" FROM jobs WHERE id BETWEEN {first} AND {last}").split("|")
        run["db_runners"] = self.sql(
            f"SELECT count(*), count(DISTINCT launched_for_job) FROM runners WHERE launched_for_job BETWEEN {first} AND {last}").split("|")
        return run

    def sql(self, query):
        psql = os.path.join(os.path.dirname(os.environ["RUNWAY_TEST_PG_CTL"]), "psql")
        answer = subprocess.run([psql, "-X", "-q", "-At", os.environ["RUNWAY_TEST_DATABASE_URL"], "-c", query],
                                check=True, capture_output=True, text=True)
        return answer.stdout.strip()


def main():
    bench = Bench(sys.argv[1])
    try:
        bench.start()
        moto = bench.moto_reference()
        latency = bench.latency()
        steps = bench.saturation()
        burst = bench.burst()
        rss = {name: bench.procs.memory_mb(name) for name in SERVICES}
        rss["live runners"] = bench.sql("SELECT count(*) FROM runners WHERE state <> 'gone'")
        print(report.section(latency, steps, burst, rss, BURST_RATE, moto))
    finally:
        bench.stop()
        if os.environ.get("BENCH_SYSTEM_KEEP") == "1":
            log(f"logs kept in {bench.work}")
        else:
            shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
