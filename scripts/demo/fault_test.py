#!/usr/bin/env python3
"""The fault test (`scripts/fault-test.sh`, part of `make test`): 500 jobs over the demo's three
pools while every service is SIGKILLed and restarted, Postgres restarts, 20% of the
Orchestrators' AWS calls are throttled and the Publisher's notifications are dropped; then
checks, from the database, moto, the Kubernetes stand-in and the GitHub stand-in (never from
logs), that no job was lost or launched twice and that nothing is left running.

    scripts/test-env.sh python3 scripts/demo/fault_test.py

Exit 0 when every check holds; 1 with each violation (and its job ids) listed otherwise.
See docs/fault-tests.md.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fault_checks import check, summary  # noqa: E402
from faults import Delivery, Faults, Runners, Sender, proxy_config, quoted, sql  # noqa: E402
from replay import LABELS  # noqa: E402
from stack import Stack, work_directory  # noqa: E402

REGULAR = {"ec2-ubuntu": 100, "ec2-windows": 40, "eks-ubuntu": 332}  # moto slows down as instances pile up
SPECIAL = {"cancelled": 8, "raced": 8, "unroutable": 6, "hosted": 6}  # 472 + 28 = 500 jobs
FORGED = 6  # extra deliveries signed with a wrong secret
ARRIVAL = 40.0  # seconds over which the 500 jobs are queued
THROTTLE = 0.2
ROUND = [(5, "kill producer"), (12, "kill publisher"), (19, "kill orchestrator-ec2"),
         (26, "kill orchestrator-eks"), (33, "restart postgres")]
ROUNDS = int(os.environ.get("FAULT_TEST_ROUNDS", "1"))  # more rounds, 40 s apart: a harsher run by hand
SCHEDULE = sorted([(at + 40 * n, fault) for n in range(ROUNDS) for at, fault in ROUND] + [(45, "notifications back")]
                  + [(at, "throttle kubernetes") for at in (8, 22, 36)])  # the next 20 Kubernetes API calls answer 429
POOL_OVERRIDES = {name: {"idle_timeout": "5s"} for name in REGULAR}  # a racing cancellation's runner is reaped soon
SETTLE_TIMEOUT = 150  # seconds after the last job is queued for everything to finish
SERVICE_ENV = {  # logs: warnings, plus the Publisher's reconciler actions and the Orchestrators' launches
    "producer": {"LOG_LEVEL": "warning"}, "orchestrator-ec2": {"LOG_LEVEL": "info"}, "orchestrator-eks": {"LOG_LEVEL": "info"},
    "publisher": {"LOG_LEVEL": "info", "PUBLISHER_LEASE": "15s", "PUBLISHER_ORCHESTRATOR_TIMEOUT": "10s", "PUBLISHER_BACKOFF_BASE": "500ms",
                  "PUBLISHER_BACKOFF_MAX": "4s", "PUBLISHER_RECONCILE_INTERVAL": "3s",
                  "PUBLISHER_CLAIM_BATCH": "5", "PUBLISHER_GRANTS_PER_POOL": "2", "PUBLISHER_TEARDOWN_INTERVAL": "1s",
                  "PUBLISHER_ORPHAN_GRACE": "20s"},
}


def log(message):
    print(message, flush=True)


def make_jobs():
    jobs, next_id = {}, 9_100_000_000 + int(time.time()) % 100_000 * 1000
    for pool, count in REGULAR.items():
        for _ in range(count):
            next_id += 1
            jobs[next_id] = {"kind": "regular", "pool": pool, "labels": LABELS[pool]}
    for kind, count in SPECIAL.items():
        for n in range(count):
            next_id += 1
            pool = list(REGULAR)[n % 3]
            labels = {"unroutable": ["self-hosted", "linux", "gpu-a100"], "hosted": ["ubuntu-latest"]}.get(kind, LABELS[pool])
            jobs[next_id] = {"kind": kind, "pool": pool, "labels": labels}
    return jobs, next_id


def deliveries_for(jobs, last_id):
    """The first deliveries of every job, interleaved over the pools, plus the forged ones."""
    first = []
    for job_id, meta in jobs.items():
        if meta["kind"] == "cancelled":  # cancelled before it was queued with us: completed arrives first
            done = Delivery(job_id, "completed", meta["labels"], conclusion="cancelled")
            done.then.append((Delivery(job_id, "queued", meta["labels"]), 0.0))
            first.append(done)
        elif meta["kind"] == "raced":  # cancelled soon after queuing: races the launch; a runner
            queued = Delivery(job_id, "queued", meta["labels"])  # launched anyway is reaped once idle
            delay = (job_id % 4) * 0.5  # 0 to 1.5 s
            queued.then.append((Delivery(job_id, "completed", meta["labels"], conclusion="cancelled"), delay))
            first.append(queued)
        else:
            first.append(Delivery(job_id, "queued", meta["labels"]))
    first.sort(key=lambda d: (d.job_id * 7919) % 1000003)  # a fixed shuffle: pools and kinds interleave
    forged = [Delivery(last_id + n + 1, "queued", LABELS["ec2-ubuntu"], forged=True) for n in range(FORGED)]
    step = len(first) // (FORGED + 1)
    for n, delivery in enumerate(forged):
        first.insert((n + 1) * step, delivery)
    return first


def start_stack(stack):
    def endpoint(kind, url):
        name = {"aws:orchestrator-ec2": "aws-proxy-ec2", "aws:orchestrator-eks": "aws-proxy-eks", "notify": "notify-proxy"}[kind]
        return stack.proxy(name, url, *(["--drop"] if kind == "notify" else []))
    stack.start(log=log, endpoint=endpoint)
    return {"aws-ec2": stack.urls["aws-proxy-ec2"], "aws-eks": stack.urls["aws-proxy-eks"], "notify": stack.urls["notify-proxy"]}


class Run:
    def __init__(self, stack, proxies):
        self.stack, self.proxies = stack, proxies
        self.db = stack.database_url
        self.jobs, last_id = make_jobs()
        self.first = deliveries_for(self.jobs, last_id)
        self.sender = Sender(stack.urls["producer"] + "/webhook", self.db)
        self.faults = Faults(stack, proxies, SCHEDULE, log)

    def go(self):
        for url in (self.proxies["aws-ec2"], self.proxies["aws-eks"]):
            proxy_config(url, {"throttle": THROTTLE})
        t0 = time.time()
        self.faults.start(t0)
        self.runners = Runners(self.stack, self.sender, self.jobs)
        log(f"== {len(self.jobs)} jobs queued over {ARRIVAL:.0f} s; faults: " + ", ".join(f"+{a}s {f}" for a, f in SCHEDULE)
            + f"; {THROTTLE:.0%} of AWS calls throttled; notifications dropped until 'notifications back'")
        for n, delivery in enumerate(self.first):
            self.sender.submit(delivery, delay=max(0.0, t0 + ARRIVAL * n / len(self.first) - time.time()))
        deadline = t0 + ARRIVAL + SETTLE_TIMEOUT + 40 * (ROUNDS - 1)
        while time.time() < deadline:
            time.sleep(2)
            progress = self.progress(t0)
            if progress is not None and progress["settled"] and not self.faults.thread.is_alive():
                break
        self.runners.stopping = True
        self.sender.stop()
        return time.time() - t0

    def progress(self, t0):
        try:
            states = dict(sql(self.db, f"SELECT dispatch_state, count(*) FROM jobs WHERE id IN ({quoted(self.jobs)}) GROUP BY 1"))
            live = int(sql(self.db, "SELECT count(*) FROM runners WHERE state <> 'gone'")[0][0])
        except (RuntimeError, subprocess.TimeoutExpired):
            log(f"[+{time.time() - t0:.0f}s] database unavailable")
            return None
        acked = sum(d.acked for d in self.sender.all if not d.forged)
        unacked = sum(not d.acked for d in self.sender.all if not d.forged)
        log(f"[+{time.time() - t0:.0f}s] jobs " + " ".join(f"{s}={n}" for s, n in sorted(states.items()))
            + f" | live runners={live} | deliveries acked={acked} waiting={unacked}")
        unfinished = sum(int(n) for s, n in states.items() if s in ("pending", "dispatching", "launched"))
        everything_sent = time.time() > t0 + ARRIVAL and self.sender.idle() and unacked == 0
        return {"settled": everything_sent and unfinished == 0 and live == 0}


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    began = time.time()
    admin_url = os.environ.get("RUNWAY_TEST_DATABASE_URL", "")
    database = f"runway_faults_{os.getpid()}"
    if not admin_url:
        sys.exit("fault test: RUNWAY_TEST_DATABASE_URL is not set (run through scripts/test-env.sh)")
    sql(admin_url, f"CREATE DATABASE {database}")  # a database of its own: nothing left by other tests
    os.environ["RUNWAY_TEST_DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + database
    stack = Stack(work_directory(), service_env=SERVICE_ENV, pool_overrides=POOL_OVERRIDES)
    status = 1
    try:
        log(f"== fault test: starting the stack (logs in {stack.work})")
        proxies = start_stack(stack)
        run = Run(stack, proxies)
        elapsed = run.go()
        violations, figures = check(run)
        summary(run, figures, elapsed, time.time() - began)
        if violations:
            log("\nFAULT TEST FAILED — violations:\n  " + "\n  ".join(violations))
        else:
            log("\nOK: every job launched exactly once or correctly not at all, every runner torn down, 0 orphans, "
                "no unacknowledged delivery counted as received.")
        status = 1 if violations else 0
    except KeyboardInterrupt:
        status = 130
    except Exception as error:  # noqa: BLE001 - report any failure plainly, then stop everything
        log(f"\nfault test FAILED: {error!r}")
    finally:
        stack.stop()
        if status == 0:
            shutil.rmtree(stack.work, ignore_errors=True)
        else:
            log(f"service logs kept in {stack.work}")
    return status


if __name__ == "__main__":
    sys.exit(main())
