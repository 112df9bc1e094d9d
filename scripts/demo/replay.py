#!/usr/bin/env python3
"""`make demo`: starts the Runway stack (stack.py), replays a realistic stream of signed
`workflow_job` deliveries, shows jobs flowing, and checks the end state (summary table).

    scripts/test-env.sh python3 scripts/demo/replay.py [--keep]

Exit 0 when every expectation holds; 1 with the failed expectations listed otherwise.
"""
import argparse
import hashlib
import shutil
import hmac
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import observe  # noqa: E402
import statuspage  # noqa: E402
import trace  # noqa: E402
from stack import WEBHOOK_SECRET, Stack, work_directory  # noqa: E402

LABELS = {"ec2-ubuntu": ["self-hosted", "linux", "x64"], "ec2-windows": ["self-hosted", "windows"],
          "eks-ubuntu": ["self-hosted", "linux", "container"]}
COUNTS = {"ec2-ubuntu": 14, "ec2-windows": 6, "eks-ubuntu": 14}
TERMINAL = {"done", "cancelled", "unroutable", "failed"}


def workflow_job(job_id, action, labels, runner=None, conclusion=None):
    """A `workflow_job` webhook payload as GitHub sends it (organisation octo-org, installation 1)."""
    return {"action": action, "workflow_job": {
        "id": job_id, "run_id": job_id // 10, "run_attempt": 1, "status": action,
        "conclusion": conclusion or ("success" if action == "completed" else None), "labels": labels,
        "runner_name": runner, "runner_id": None, "created_at": "2026-11-29T08:00:00Z",
        "started_at": "2026-11-29T08:00:00Z", "completed_at": None, "name": f"build-{job_id}"},
        "repository": {"id": 1, "name": "octo-repo", "full_name": "octo-org/octo-repo",
                       "owner": {"login": "octo-org", "id": 7, "type": "Organization"}},
        "organization": {"login": "octo-org", "id": 7}, "installation": {"id": 1}}


def post_delivery(webhook_url, payload, delivery, secret=WEBHOOK_SECRET, timeout=15):
    """POSTs one signed delivery like GitHub's Hookshot; returns the HTTP status. No answer at all
    (refused, reset, timed out) raises OSError (urllib.error.URLError is one)."""
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": "workflow_job", "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": signature, "User-Agent": "GitHub-Hookshot/demo"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


class Replay:
    def __init__(self, stack):
        self.stack = stack
        self.webhook = stack.urls["producer"] + "/webhook"
        self.publisher = stack.urls["publisher"]
        self.latencies = []
        self.rejected = []
        self.next_id = 7_000_000 + int(time.time()) % 100_000 * 100
        self.jobs = {}  # id -> {"pool", "labels", "kind"}
        self.pods_seen = set()

    def new_job(self, pool, kind="normal", labels=None):
        self.next_id += 1
        self.jobs[self.next_id] = {"pool": pool, "labels": labels or LABELS[pool], "kind": kind}
        return self.next_id

    def payload(self, job_id, action, runner=None, conclusion=None):
        return workflow_job(job_id, action, self.jobs[job_id]["labels"], runner, conclusion)

    def send(self, job_id, action, runner=None, conclusion=None, delivery=None):
        delivery = delivery or str(uuid.uuid4())
        started = time.perf_counter()
        status = post_delivery(self.webhook, self.payload(job_id, action, runner, conclusion), delivery)
        self.latencies.append((time.perf_counter() - started) * 1000)
        if status // 100 != 2:
            self.rejected.append((job_id, action, status))
        return delivery

    # -- progress ----------------------------------------------------------------------------

    def progress(self, title, done, timeout, interval=1.0):
        """Prints jobs by state per pool until done(jobs) or the timeout; returns the last jobs."""
        deadline = time.time() + timeout
        tty = sys.stdout.isatty()
        while True:
            jobs = {i: j for i, j in observe.jobs(self.publisher).items() if i in self.jobs}
            self.pods_seen.update(name for name, _, _ in observe.Pods(self.stack.eks).list())
            counts = {}
            for j in jobs.values():
                key = j.get("pool") or "-"
                counts.setdefault(key, {}).setdefault(j["dispatch_state"], 0)
                counts[key][j["dispatch_state"]] += 1
            line = "  ".join(f"{pool}: " + ",".join(f"{s}={n}" for s, n in sorted(states.items()))
                             for pool, states in sorted(counts.items()))
            print(("\r\033[K" if tty else "") + f"[{title}] {line}", end="" if tty else "\n", flush=True)
            if done(jobs) or time.time() > deadline:
                if tty:
                    print()
                return jobs, done(jobs)
            time.sleep(interval)

    # -- the scenario ------------------------------------------------------------------------

    def run(self):
        failures = []
        regular = [self.new_job(pool) for pool, n in COUNTS.items() for _ in range(n)]
        cancelled = self.new_job("ec2-ubuntu", "cancelled")
        raced = self.new_job("eks-ubuntu", "cancelled")
        out_of_order = regular[1]
        swap = (regular[2], regular[3])
        duplicate = regular[0]
        unroutable = self.new_job("ec2-ubuntu", "unroutable", ["self-hosted", "linux", "gpu-a100"])
        hosted = self.new_job("ec2-ubuntu", "hosted", ["ubuntu-latest"])

        print(f"\n== replay: {len(self.jobs)} jobs queued over {len(COUNTS)} pools "
              f"(+ a cancelled job, a duplicate delivery, an out-of-order pair, a swapped runner pair, "
              f"an unserved label, a GitHub-hosted job)")
        first = None
        for job_id in regular:
            delivery = self.send(job_id, "queued")
            first = first or delivery
        self.send(cancelled, "completed", conclusion="cancelled")  # cancelled before it was ever queued with us
        self.send(cancelled, "queued")  # ... its queued delivery arrives late
        self.send(raced, "queued")  # cancelled right after queuing: a race with the launch;
        self.send(raced, "completed", conclusion="cancelled")  # a runner launched anyway is reaped when idle
        self.send(duplicate, "queued", delivery=first)  # GitHub re-sends a delivery
        self.send(unroutable, "queued")
        self.send(hosted, "queued")

        launchable = set(regular)
        jobs, ok = self.progress("launching", lambda js: all(
            js.get(i, {}).get("dispatch_state") == "launched" for i in launchable), timeout=120)
        if not ok:
            failures.append("not every job was launched within 120 s")
        runner_of = {i: jobs[i]["runner_name"] for i in launchable if jobs.get(i, {}).get("runner_name")}

        # Runners pick up jobs; GitHub may give a job to another job's runner.
        assigned = dict(runner_of)
        if swap[0] in runner_of and swap[1] in runner_of:
            assigned[swap[0]], assigned[swap[1]] = runner_of[swap[1]], runner_of[swap[0]]
        registered = observe.github_runners(self.stack.urls["github"])
        for job_id, runner in assigned.items():
            if runner in registered:
                observe.mark_busy(self.stack.urls["github"], registered[runner], True)
            if job_id == out_of_order:
                continue  # its in_progress arrives after its completed, below
            self.send(job_id, "in_progress", runner)
        print(f"== {len(assigned)} jobs in progress (jobs {swap[0]} and {swap[1]} swapped runners)")
        page_ok, page_message = statuspage.check(self.publisher, self.stack.work, sorted(COUNTS))
        print("== " + page_message)
        if not page_ok:
            failures.append(page_message)
        for job_id, runner in assigned.items():
            self.send(job_id, "completed", runner)
            if runner in registered:
                observe.mark_busy(self.stack.urls["github"], registered[runner], False)
        if out_of_order in assigned:
            self.send(out_of_order, "in_progress", assigned[out_of_order])  # late, must not move it back

        expected = {i: "done" for i in regular}
        expected.update({cancelled: "cancelled", unroutable: "unroutable"})
        jobs, ok = self.progress("completing", lambda js: all(
            js.get(i, {}).get("dispatch_state") == s for i, s in expected.items()), timeout=60)
        raced_state = jobs.get(raced, {}).get("dispatch_state")
        if raced_state not in ("cancelled", "done"):
            failures.append(f"job {raced} (cancelled after queuing) is {raced_state}, expected cancelled or done")
        print(f"== job {raced}, cancelled right after queuing, ended {raced_state}"
              + (" (its surplus runner must be reaped once idle)" if raced_state == "done" else " (nothing launched)"))
        for job_id, state in expected.items():
            actual = jobs.get(job_id, {}).get("dispatch_state")
            if actual != state:
                failures.append(f"job {job_id} ({self.jobs[job_id]['kind']}) is {actual}, expected {state}")
        if jobs.get(out_of_order, {}).get("status") != "completed":
            failures.append(f"out-of-order job {out_of_order} moved back to {jobs.get(out_of_order, {}).get('status')}")
        hosted_job = observe.job(self.publisher, hosted)
        if hosted_job is not None and hosted_job.get("dispatch_state") not in (None, "ignored"):
            failures.append(f"GitHub-hosted job {hosted} was taken: {hosted_job.get('dispatch_state')}")

        orphans = self.wait_for_teardown(timeout=60)
        return failures, jobs, runner_of, orphans, hosted_job

    def live(self):
        instances = [(n, s) for n, s in observe.instances(self.stack) if s in ("pending", "running")]
        pods = [(n, p) for n, p, deleting in observe.Pods(self.stack.eks).list() if not deleting]
        return instances, pods

    def wait_for_teardown(self, timeout):
        deadline = time.time() + timeout
        while True:
            instances, pods = self.live()
            print(f"[tear-down] running instances={len(instances)} live pods={len(pods)}", flush=True)
            if not instances and not pods or time.time() > deadline:
                return instances + pods
            time.sleep(2)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def summary(replay, failures, jobs, runner_of, orphans, hosted_job):
    stack = replay.stack
    instances = observe.instances(stack)
    by_state = {}
    for job_id, meta in replay.jobs.items():
        j = jobs.get(job_id)
        pool = (j or {}).get("pool") or "(none)"
        state = (j or {}).get("dispatch_state") or ("not stored" if meta["kind"] == "hosted" else "missing")
        if meta["kind"] == "hosted":
            state = "ignored" if hosted_job is None else state
        by_state.setdefault(pool, {}).setdefault(state, 0)
        by_state[pool][state] += 1
    print("\n== summary")
    print(f"{'pool':<14}{'state':<14}{'jobs':>6}")
    for pool, states in sorted(by_state.items()):
        for state, n in sorted(states.items()):
            print(f"{pool:<14}{state:<14}{n:>6}")
    ec2_jobs = [r for i, r in runner_of.items() if replay.jobs[i]["pool"].startswith("ec2-")]
    eks_jobs = [r for i, r in runner_of.items() if replay.jobs[i]["pool"] == "eks-ubuntu"]
    names = [n for n, _ in instances]
    terminated = [n for n, s in instances if s in ("shutting-down", "terminated")]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    launches_metric = sum(observe.metric(stack.urls[o], "runway_orchestrator_launches_total")
                          for o in ("orchestrator-ec2", "orchestrator-eks"))
    live_pods = [n for n, _, deleting in observe.Pods(stack.eks).list() if not deleting]
    github_left = [n for n in observe.github_runners(stack.urls["github"]) if n.startswith("runway-")]
    rows = [
        ("EC2 instances launched (moto)", len(instances)), ("EC2 instances terminated", len(terminated)),
        ("pods launched (seen in the Kubernetes stand-in)", len(replay.pods_seen)),
        ("pods removed", len(replay.pods_seen - set(live_pods))),
        ("launches counted by the Orchestrators", int(launches_metric)),
        ("orphans left (running instances + live pods)", len(orphans)),
        ("runners still registered at GitHub", len(github_left)),
        ("webhooks sent / rejected", f"{len(replay.latencies)} / {len(replay.rejected)}"),
        ("webhook ack p50 / p90 / p99 / max (ms)", " / ".join(f"{percentile(replay.latencies, p):.1f}" for p in (50, 90, 99, 100))),
    ]
    for label, value in rows:
        print(f"{label:<52}{value:>16}")
    if len(instances) != len(ec2_jobs) or duplicates:
        failures.append(f"{len(instances)} instances for {len(ec2_jobs)} launched EC2 jobs (duplicates: {duplicates})")
    launched_jobs = [j for j in jobs.values() if j.get("launched_at")]
    if int(launches_metric) != len(launched_jobs):
        failures.append(f"the Orchestrators launched {int(launches_metric)} runners for {len(launched_jobs)} launched jobs")
    if len(replay.pods_seen) > len(eks_jobs):
        failures.append(f"{len(replay.pods_seen)} pods for {len(eks_jobs)} launched EKS jobs")
    if orphans:
        failures.append(f"orphans left after tear-down: {orphans}")
    if github_left:
        failures.append(f"runners still registered at GitHub: {github_left}")
    if replay.rejected:
        failures.append(f"webhooks rejected: {replay.rejected[:5]}")
    problem = trace.print_hops(stack, jobs)
    if problem:
        failures.append(problem)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running (until Ctrl-C) and print its URLs")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack(work_directory())
    status = 1
    try:
        print("== starting the stack (logs in %s)" % stack.work)
        stack.start()
        replay = Replay(stack)
        failures, jobs, runner_of, orphans, hosted_job = replay.run()
        summary(replay, failures, jobs, runner_of, orphans, hosted_job)
        if failures:
            print("\nFAILED expectations:\n  " + "\n  ".join(failures))
        else:
            print("\nOK: every job reached its expected state; every runner launched was torn down; 0 orphans.")
        if args.keep:
            print("\n== --keep: the stack stays up until Ctrl-C")
            for name, url in stack.urls.items():
                print(f"  {name:<18}{url}")
            print(f"  internal token    {observe.INTERNAL_TOKEN}\n  logs              {stack.work}")
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
        status = 1 if failures else 0
    except KeyboardInterrupt:
        status = 130
    except Exception as error:  # noqa: BLE001 - report any failure plainly, then stop everything
        print(f"\ndemo FAILED: {error}", file=sys.stderr)
    finally:
        stack.stop()
        if status == 0:
            shutil.rmtree(stack.work, ignore_errors=True)
        else:
            print(f"service logs kept in {stack.work}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
