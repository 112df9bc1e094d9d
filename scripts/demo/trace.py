"""Follows one job's W3C trace through the services' JSON logs and prints its per-hop timings:
the webhook at the Producer, the claim and launch at the Publisher, the Orchestrator's GitHub
JIT-config and AWS calls. Times are relative to the webhook's arrival at the Producer."""
import json
import os
from datetime import datetime

SERVICES = ("producer", "publisher", "orchestrator-ec2", "orchestrator-eks")


def parse_ts(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def events_of(stack, trace_id):
    """(start, end, service, what) for every log line of the trace; end is the line's time."""
    found = []
    for service in SERVICES:
        path = os.path.join(stack.work, f"{service}.log")
        try:
            lines = open(path, errors="replace").read().splitlines()
        except OSError:
            continue
        for line in lines:
            if trace_id not in line or not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("trace.id") != trace_id:
                continue
            end = parse_ts(entry["ts"])
            took = float(entry.get("duration_ms", "0")) / 1000
            found.append((end - took, end, service, describe(entry)))
    return sorted(found, key=lambda e: (e[1], e[0]))


def describe(entry):
    msg = entry.get("msg", "")
    if msg == "request":
        return f"{entry.get('http.method')} {entry.get('http.route')} → {entry.get('http.status')} ({entry.get('duration_ms')} ms)"
    if msg == "AWS call":
        return f"AWS {entry.get('aws.operation')} → {entry.get('http.status')} ({entry.get('duration_ms')} ms)"
    if msg == "GitHub call":
        return f"GitHub {entry.get('github.operation')} → {entry.get('http.status')} ({entry.get('duration_ms')} ms)"
    if msg == "runner launched":
        return (f"runner launched: queued {entry.get('queued_ms')} ms before the claim, Orchestrator call "
                f"{entry.get('orchestrator_ms')} ms, recorded in {entry.get('record_ms')} ms")
    return msg


def print_hops(stack, jobs, pool_prefix="ec2-"):
    """Prints the timeline of the first launched job of a pool starting with `pool_prefix`; returns
    a problem string when no such job has a complete trace, else None."""
    candidates = [j for j in sorted(jobs.values(), key=lambda j: j["id"])
                  if (j.get("pool") or "").startswith(pool_prefix) and j.get("launched_at") and j.get("trace_id")]
    if not candidates:
        return f"no launched {pool_prefix}* job has a trace id"
    job = candidates[0]
    trace_id = job["trace_id"]
    events = events_of(stack, trace_id)
    services = {service for _, _, service, _ in events}
    print(f"\n== one job's trace: job {job['id']} ({job['pool']}), trace {trace_id}")
    if not events:
        return f"no log line carries trace {trace_id}"
    origin = min(start for start, _, _, _ in events)
    print("  (when each step ended, from the webhook's arrival at the Producer; durations in brackets)")
    for start, end, service, what in events:
        print(f"  +{(end - origin) * 1000:7.1f} ms  {service:<17} {what}")
    missing = {"producer", "publisher"} - services
    if not any(s.startswith("orchestrator") for s in services):
        missing.add("orchestrator")
    if missing:
        return f"trace {trace_id} is missing hops: {sorted(missing)}"
    return None
