"""The moving parts of the fault test (fault_test.py): GitHub's side (a webhook sender that
records every delivery's outcome and redelivers what was not acknowledged, and the runners that
pick up launched jobs), the fault schedule, and small readers of the database (psql)."""
import heapq
import http.client
import json
import os
import random
import subprocess
import threading
import time
import urllib.request
import uuid

import observe
from replay import post_delivery, workflow_job

REDELIVERY_DELAY = 1.0  # seconds before a delivery without a 2xx answer is sent again


# -- the database, read with psql (the test environment has no Python Postgres driver) ----------

def sql(database_url, query, timeout=10):
    """Rows of `query` as lists of strings; raises RuntimeError when Postgres does not answer."""
    done = subprocess.run(["psql", database_url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed: {done.stderr.strip()[:300]}")
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def quoted(values):
    return ",".join("'" + str(v).replace("'", "''") + "'" for v in values) or "NULL"


# -- deliveries ---------------------------------------------------------------------------------

class Delivery:
    """One webhook delivery (one X-GitHub-Delivery GUID) and every attempt to deliver it."""

    def __init__(self, job_id, action, labels, runner=None, conclusion=None, forged=False):
        self.guid = str(uuid.uuid4())
        self.job_id, self.action = job_id, action
        self.payload = workflow_job(job_id, action, labels, runner, conclusion)
        self.forged = forged  # signed with a wrong secret: must be refused and never stored
        self.outcomes = []  # per attempt: the HTTP status, or None for no answer at all
        self.acked = False
        self.then = []  # (delivery, delay) sent once this one is acknowledged


class Sender:
    """GitHub's webhook sender: a few threads POST deliveries; each outcome is recorded; a
    delivery not answered 2xx (no answer, 503 ...) is delivered again with the same GUID after
    REDELIVERY_DELAY, like a redelivery from GitHub's hook-deliveries API. Before each
    redelivery of a delivery whose every attempt was answered non-2xx, the `deliveries` table
    is checked: such a delivery must not have been counted as received."""

    def __init__(self, webhook_url, database_url, threads=4):
        self.webhook_url, self.database_url = webhook_url, database_url
        self.lock = threading.Condition()
        self.heap, self.seq = [], 0
        self.all, self.known = [], set()  # every delivery, in first-submitted order
        self.in_flight = 0
        self.violations = []
        self.unchecked = 0  # redeliveries whose check found Postgres down (it restarts during the run)
        self.stopping = False
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def submit(self, delivery, delay=0.0):
        with self.lock:
            if delivery.guid not in self.known:
                self.known.add(delivery.guid)
                self.all.append(delivery)
            self.seq += 1
            heapq.heappush(self.heap, (time.time() + delay, self.seq, delivery))
            self.lock.notify()

    def idle(self):
        with self.lock:
            return not self.heap and self.in_flight == 0

    def stop(self):
        with self.lock:
            self.stopping = True
            self.lock.notify_all()

    def work(self):
        while True:
            with self.lock:
                while not self.stopping and (not self.heap or self.heap[0][0] > time.time()):
                    self.lock.wait(timeout=0.05 if not self.heap else max(0.0, self.heap[0][0] - time.time()))
                if self.stopping:
                    return
                _, _, delivery = heapq.heappop(self.heap)
                self.in_flight += 1
            try:
                self.attempt(delivery)
            finally:
                with self.lock:
                    self.in_flight -= 1

    def attempt(self, delivery):
        if delivery.outcomes and all(o is not None for o in delivery.outcomes):
            self.check_not_received(delivery)
        secret = "wrong-secret" if delivery.forged else None
        try:
            status = post_delivery(self.webhook_url, delivery.payload, delivery.guid,
                                   **({"secret": secret} if secret else {}), timeout=10)
        except (OSError, http.client.HTTPException):
            status = None  # refused, reset or timed out: no answer (the Producer was killed)
        delivery.outcomes.append(status)
        if status is not None and 200 <= status < 300:
            if delivery.forged:
                self.violations.append(f"forged delivery {delivery.guid} (job {delivery.job_id}) was answered {status}")
            delivery.acked = True
            for follow, delay in delivery.then:
                self.submit(follow, delay)
        elif delivery.forged:
            return  # refused as it must be; GitHub would not get it accepted by redelivering either
        elif status is not None and 400 <= status < 500 and status not in (408, 429):
            self.violations.append(f"delivery {delivery.guid} ({delivery.action} of job {delivery.job_id}) "
                                   f"answered {status}: the test's payload was refused")
        else:
            self.submit(delivery, REDELIVERY_DELAY)

    def check_not_received(self, delivery):
        try:
            rows = sql(self.database_url, f"SELECT id FROM deliveries WHERE id = {quoted([delivery.guid])}")
        except (RuntimeError, subprocess.TimeoutExpired):
            self.unchecked += 1
            return
        if rows:
            self.violations.append(f"delivery {delivery.guid} ({delivery.action} of job {delivery.job_id}) was answered "
                                   f"{delivery.outcomes} yet is in the deliveries table")


# -- GitHub handing launched runners their jobs -------------------------------------------------

class Runners:
    """Plays the runners: every job the Publisher reports `launched` is picked up by its runner
    (`in_progress` with that runner's name), runs for a moment, and `completed`."""

    def __init__(self, stack, sender, jobs):
        self.stack, self.sender, self.jobs = stack, sender, jobs
        self.started = set()
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        url = self.stack.urls["publisher"] + "/v1/jobs?state=launched&limit=1000"
        while not self.stopping:
            try:
                launched = observe.get_json(url, observe.INTERNAL_TOKEN, timeout=5)["jobs"]
            except (OSError, ValueError, KeyError):
                launched = []  # the Publisher is down for a moment
            for job in launched:
                job_id, runner = job["id"], job.get("runner_name")
                meta = self.jobs.get(job_id)
                if meta is None or meta["kind"] != "regular" or job_id in self.started or not runner:
                    continue
                self.started.add(job_id)
                running = Delivery(job_id, "in_progress", meta["labels"], runner)
                running.then.append((Delivery(job_id, "completed", meta["labels"], runner), random.uniform(0.5, 2.0)))
                self.sender.submit(running)
            time.sleep(0.5)


# -- faults -------------------------------------------------------------------------------------

class Faults:
    """Runs the fault schedule on a thread: (seconds after start, fault) pairs, in order."""

    def __init__(self, stack, proxies, schedule, log):
        self.stack, self.proxies, self.schedule, self.log = stack, proxies, schedule, log
        self.done = []  # (fault, seconds into the run, downtime seconds)
        self.errors = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self, t0):
        self.t0 = t0
        self.thread.start()

    def run(self):
        for at, fault in self.schedule:
            time.sleep(max(0.0, self.t0 + at - time.time()))
            began = time.time()
            try:
                self.inject(fault)
            except Exception as error:  # noqa: BLE001 - reported as a test failure
                self.errors.append(f"{fault}: {error}")
                continue
            self.done.append((fault, round(began - self.t0, 1), round(time.time() - began, 1)))
            self.log(f"[fault] {fault} at +{began - self.t0:.0f}s (back after {time.time() - began:.1f}s)")

    def inject(self, fault):
        if fault.startswith("kill "):
            name = fault[len("kill "):]
            self.stack.kill(name)
            time.sleep(1.0)  # down for a moment: callers see refused connections
            self.stack.restart(name)
        elif fault == "restart postgres":
            subprocess.run([os.environ["RUNWAY_TEST_PG_SCRIPT"], "restart"], check=True, timeout=60)
        elif fault == "throttle kubernetes":
            url = f"https://127.0.0.1:{self.stack.eks['k8s_port']}/standin/throttle?count=20"
            request = urllib.request.Request(url, data=b"", method="POST")
            urllib.request.urlopen(request, timeout=10, context=observe.Pods(self.stack.eks).context).read()
        elif fault == "notifications back":
            proxy_config(self.proxies["notify"], {"drop": False})
        else:
            raise ValueError(f"unknown fault {fault}")


def proxy_config(url, change):
    return observe.post_json(url + "/_faultproxy/config", change)


def proxy_stats(url):
    return observe.get_json(url + "/_faultproxy/stats")


def standin_pods_created(eks):
    """{pod name: times created} from the Kubernetes stand-in, deleted pods included."""
    return observe.get_json(f"https://127.0.0.1:{eks['k8s_port']}/standin/created",
                            context=observe.Pods(eks).context).get("runway/pods", {})


def jit_configs(github_url):
    """{runner name: JIT configurations generated} at the GitHub stand-in."""
    counts = {}
    for config in observe.get_json(github_url + "/_standin/state", timeout=30)["jit_configs"]:
        counts[config["name"]] = counts.get(config["name"], 0) + 1
    return counts


def json_dump(value):
    return json.dumps(value, sort_keys=True)
