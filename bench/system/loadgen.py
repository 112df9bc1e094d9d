#!/usr/bin/env python3
"""Open-loop webhook load generator of `make bench-system`.

    python3 loadgen.py URL DELIVERIES FIRST COUNT RATE OUT [--threads N]

Sends deliveries FIRST..FIRST+COUNT-1 of DELIVERIES (pre-signed lines written by
`system_bench.py`: job id <TAB> delivery id <TAB> X-Hub-Signature-256 <TAB> body) to URL
(the Producer's /webhook) on keep-alive connections, one per thread. Delivery i is due at
start + i / RATE (RATE 0: as fast as possible). A thread that falls behind sends at once, so the
achieved rate is measured, not assumed. Writes OUT as JSON: per job the 202's receive time
(`time.monotonic()`), the achieved send rate, how late sends were, errors and this process's CPU.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def main():
    args = sys.argv[1:]
    threads = 24
    if "--threads" in args:
        at = args.index("--threads")
        threads = int(args[at + 1])
        del args[at:at + 2]
    url, path, first, count, rate, out = args[0], args[1], int(args[2]), int(args[3]), float(args[4]), args[5]
    with open(path) as f:
        lines = f.read().splitlines()[first:first + count]
    requests = []
    for line in lines:
        job, delivery, signature, body = line.split("\t", 3)
        requests.append((int(job), body.encode(), {
            "Content-Type": "application/json", "X-GitHub-Event": "workflow_job", "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature, "User-Agent": "GitHub-Hookshot/bench"}))
    target = urllib.parse.urlsplit(url)
    lock = threading.Lock()
    cursor = [0]
    acks, sent_at, late, errors = {}, [], [], []
    start = time.monotonic() + 0.2

    def worker():
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        while True:
            with lock:
                i = cursor[0]
                cursor[0] += 1
            if i >= len(requests):
                break
            due = start + i / rate if rate > 0 else start
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            job, body, headers = requests[i]
            sent = time.monotonic()
            try:
                conn.request("POST", target.path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                status = type(error).__name__
            acked = time.monotonic()
            with lock:
                sent_at.append(sent)
                late.append(sent - due)
                if status == 202:
                    acks[job] = acked
                else:
                    errors.append(str(status))
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    sent_at.sort()
    late.sort()
    span = sent_at[-1] - sent_at[0] if len(sent_at) > 1 else 0
    cpu = os.times()
    result = {
        "count": len(requests), "acked": len(acks), "errors": errors[:20], "error_count": len(errors),
        "first_sent": sent_at[0] if sent_at else None, "last_sent": sent_at[-1] if sent_at else None,
        "achieved_rate": (len(sent_at) - 1) / span if span > 0 else 0.0,
        "late_p50_ms": late[len(late) // 2] * 1000 if late else 0.0,
        "late_p99_ms": late[min(len(late) - 1, int(len(late) * 0.99))] * 1000 if late else 0.0,
        "cpu_seconds": cpu.user + cpu.system, "acks": acks,
    }
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
