#!/usr/bin/env python3
"""Peak RSS of one runner listing: where the Publisher's and the EC2 Orchestrator's VmHWM goes.

    scripts/test-env.sh python3 bench/system/list_rss.py BIN_DIR [RUNNERS]

Starts the bench-system stack (system_bench.Bench, release executables in BIN_DIR), puts RUNNERS
(default 18,000) live instances of pool `ec2-ubuntu` straight into bench/system/aws_endpoint.py
(no jobs: to the Publisher they are orphans younger than the 5-minute grace, so nothing is torn
down), then reads /proc/PID/status VmHWM / VmRSS of both services: idle, after one
`GET /v1/runners?pool=ec2-ubuntu` sent here (the Orchestrator alone), and after two reconcile
passes (the Publisher lists every pool through the Orchestrator). Prints one table.

LIST_RSS_HEAPTRACK=DIR runs both services under heaptrack (DIR/<service>.*.zst, read with
`heaptrack_print -f FILE`) to see which allocations make the peak; the RSS table then describes
the heaptrack wrappers, not the services.
"""
import os
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ.setdefault("BENCH_SYSTEM_RECONCILE", "5s")

import system_bench  # noqa: E402  (puts scripts/demo on the path)
import stack  # noqa: E402
from stack import INTERNAL_TOKEN  # noqa: E402

HEAPTRACK = os.environ.get("LIST_RSS_HEAPTRACK")
if HEAPTRACK:
    _spawn = stack.Stack.spawn

    def _traced(self, name, argv, *args, **kwargs):
        if name in ("publisher", "orchestrator-ec2"):
            argv = ["heaptrack", "-o", os.path.join(HEAPTRACK, name)] + argv
        return _spawn(self, name, argv, *args, **kwargs)

    stack.Stack.spawn = _traced


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                fields[key] = int(value.split()[0]) / 1024
    return fields


def seed(endpoint, count):
    started = time.time()
    for n in range(count):
        name = f"runway-ec2-ubuntu-{900_000_000 + n}-0"
        form = {"Action": "RunInstances", "ImageId": "ami-1e749f67", "InstanceType": "m5.large",
                "SubnetId": "subnet-bench", "ClientToken": f"seed-{n}",
                "TagSpecification.1.ResourceType": "instance",
                "TagSpecification.1.Tag.1.Key": "runway:runner", "TagSpecification.1.Tag.1.Value": name,
                "TagSpecification.1.Tag.2.Key": "runway:pool", "TagSpecification.1.Tag.2.Value": "ec2-ubuntu",
                "TagSpecification.1.Tag.3.Key": "runway:job", "TagSpecification.1.Tag.3.Value": str(900_000_000 + n),
                "TagSpecification.1.Tag.4.Key": "runway:owner", "TagSpecification.1.Tag.4.Value": "bench-org",
                "TagSpecification.1.Tag.5.Key": "runway:installation", "TagSpecification.1.Tag.5.Value": "4242",
                "TagSpecification.1.Tag.6.Key": "Name", "TagSpecification.1.Tag.6.Value": name}
        urllib.request.urlopen(urllib.request.Request(endpoint + "/", data=urllib.parse.urlencode(form).encode()), timeout=30).read()
    return time.time() - started


def main():
    bin_dir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 18_000
    bench = system_bench.Bench(bin_dir)
    try:
        bench.start()
        pids = {name: proc.pid for name, proc, _ in bench.stack.children if name in ("publisher", "orchestrator-ec2")}
        time.sleep(12)  # a couple of empty reconcile passes
        rows = [("idle", {n: status(p) for n, p in pids.items()})]
        took = seed(bench.endpoint, count)
        system_bench.log(f"seeded {count} instances in {took:.0f} s")
        rows.append(("seeded", {n: status(p) for n, p in pids.items()}))
        orchestrator = next(u for n, u in bench.stack.urls.items() if n == "orchestrator-ec2") \
            if "orchestrator-ec2" in bench.stack.urls else None
        if orchestrator:
            request = urllib.request.Request(orchestrator + "/v1/runners?pool=ec2-ubuntu",
                                             headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"})
            started = time.time()
            body = urllib.request.urlopen(request, timeout=120).read()
            system_bench.log(f"one listing: {len(body)} bytes, {body.count(b'runner_name')} runners, {time.time() - started:.2f} s")
            rows.append(("after one GET /v1/runners", {n: status(p) for n, p in pids.items()}))
        time.sleep(16)  # at least two reconcile passes at 5 s
        rows.append(("after reconcile passes", {n: status(p) for n, p in pids.items()}))
        print(f"| {count} runners | publisher VmHWM | publisher VmRSS (anon) | orchestrator-ec2 VmHWM | orchestrator-ec2 VmRSS (anon) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for label, s in rows:
            p, o = s["publisher"], s["orchestrator-ec2"]
            print(f"| {label} | {p['VmHWM']:.1f} MB | {p['VmRSS']:.1f} ({p['RssAnon']:.1f}) MB "
                  f"| {o['VmHWM']:.1f} MB | {o['VmRSS']:.1f} ({o['RssAnon']:.1f}) MB |")
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
