"""Formats the `system` section of bench/RESULTS.md from system_bench.py's measurements."""
import os
import platform
import subprocess
import time

SERVICES = ("producer", "publisher", "orchestrator-ec2", "orchestrator-eks")
COLUMNS = ("producer", "publisher", "orchestrator-ec2", "postgres", "aws-endpoint", "github-standin", "moto",
           "moto-eks", "load generator")
TARGET_P50_MS, TARGET_P99_MS, TARGET_CPU_MS, TARGET_RSS_MB = 15, 100, 2, 40
START_LOAD = os.getloadavg()[0]  # imported when the benchmark starts


def saturated(run):
    """A step fell behind when the generator could not offer 90% of the rate (the Producer's acks
    slowed it), a job was not acknowledged or not launched within the drain time, or the median
    webhook→launch latency passed 100 ms (a queue was building; unloaded it is ~5 ms)."""
    return (run["load"]["achieved_rate"] < 0.9 * run["offered"] or run["acked"] < run["count"]
            or run["launched"] < run["acked"] or percentile(run["latencies"], 0.5) > 100)


def percentile(values, q):
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * q))]


def cpu_breakdown(runs):
    names = SERVICES + ("postgres",)
    lines = ["| run | " + " | ".join(names) + " | 3 services |", "| --- | " + " | ".join("---:" for _ in names) + " | ---: |"]
    for label, run in runs:
        per = [run["cpu"].get(n, 0.0) * 1000 / max(run["launched"], 1) for n in names]
        lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in per) + f" | {service_cpu_ms(run):.2f} |")
    return lines


def service_cpu_ms(run):
    total = sum(run["cpu"].get(name, 0.0) for name in SERVICES)
    return total * 1000 / max(run["launched"], 1)


def shares(run):
    """CPU share of each of our processes over the run (100% = one core), without the machine total."""
    return {name: seconds / run["wall"] * 100 for name, seconds in run["cpu"].items() if name != "(machine)"}


def machine_share(run):
    return run["cpu"].get("(machine)", 0.0) / run["wall"] * 100


def version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def machine_line():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    pg = os.path.join(os.path.dirname(os.environ.get("RUNWAY_TEST_PG_CTL", "/")), "postgres")
    swift = version(["swift", "--version"]).replace("Swift version ", "")
    moto = version(["python3", "-c", "import moto; print(moto.__version__)"])
    commit = version(["git", "rev-parse", "--short", "HEAD"])
    load = os.getloadavg()[0]
    return (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · `nproc` {os.cpu_count()} · {cpu} · "
            f"Swift {swift.split(' (')[0]} · {version([pg, '--version'])} · moto {moto} · Python "
            f"{platform.python_version()} · commit {commit} · 1-min load average {START_LOAD:.1f} at the start, "
            f"{load:.1f} at the end (the machine is shared)")


def latency_table(runs):
    lines = ["| offered jobs/s | generator achieved | jobs acked / launched | p50 | p99 | max | CPU per job, 3 services | target |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for run in runs:
        lat = run["latencies"]
        target = f"p50 < {TARGET_P50_MS} ms, p99 < {TARGET_P99_MS} ms" if run["offered"] == 100 else ""
        lines.append(f"| {run['offered']} | {run['load']['achieved_rate']:.0f}/s | {run['acked']} / {run['launched']} | "
                     f"{percentile(lat, 0.5):.1f} ms | {percentile(lat, 0.99):.1f} ms | {lat[-1] if lat else float('nan'):.1f} ms | "
                     f"{service_cpu_ms(run):.2f} ms | {target} |")
    return lines


def saturation_table(steps):
    lines = ["| offered jobs/s | generator achieved | launched jobs/s | p50 / p99 latency | " + " | ".join(COLUMNS)
             + " | sum | whole machine |",
             "| ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in COLUMNS) + " | ---: | ---: |"]
    for step in steps:
        share = shares(step)
        cells = " | ".join(f"{share.get(name, 0):.0f}%" for name in COLUMNS)
        lat = step["latencies"]
        lines.append(f"| {step['offered']} | {step['load']['achieved_rate']:.0f}/s | {step['launch_rate']:.0f}/s | "
                     f"{percentile(lat, 0.5):.0f} / {percentile(lat, 0.99):.0f} ms | "
                     f"{cells} | {sum(share.values()):.0f}% | {machine_share(step):.0f}% |")
    return lines


def saturation_verdict(steps):
    last = steps[-1]
    share = shares(last)
    top = max(share, key=share.get)
    kept_up = [s for s in steps if not saturated(s)]
    machine = f"the whole machine was {machine_share(last):.0f}% busy of {os.cpu_count() * 100}%"
    if not saturated(last):
        return (f"No step saturated up to {last['offered']} jobs/s offered; the busiest process at that step was "
                f"**{top}** ({share[top]:.0f}% of one core), {machine}.")
    sustained = (f"**{max(s['launch_rate'] for s in kept_up):.0f} jobs/s** launched at the last step that kept up"
                 if kept_up else f"below {last['offered']} jobs/s (the first step already fell behind)")
    bound = ("a single-threaded stand-in at one full core is the bottleneck" if share[top] >= 90 and top not in SERVICES
             and top != "postgres" else "the machine's two cores are the limit" if machine_share(last) >= 180
             else "no process is at a full core: the limit is latency/concurrency, not CPU")
    return (f"Sustained: {sustained}. At {last['offered']} jobs/s offered the generator achieved "
            f"{last['load']['achieved_rate']:.0f}/s and {last['launch_rate']:.0f} launches/s followed; the busiest "
            f"process was **{top}** at {share[top]:.0f}% of one core and {machine} ({bound}).")


def burst_lines(run, rate):
    db_total, db_launched, db_retried = (int(x) for x in run["db"])
    runners, runner_jobs = (int(x) for x in run["db_runners"])
    expected = run["count"] / rate
    lost = run["count"] - run["launched"]
    duplicates = run["run_instances"] - run["launched"]
    return [
        f"{run['count']:,} signed deliveries sent as fast as possible (16 connections): all sent in "
        f"{run['count'] / max(run['load']['achieved_rate'], 1e-9):.1f} s ({run['load']['achieved_rate']:.0f}/s), "
        f"{run['acked']:,} acknowledged with 202.",
        f"Drained at the pool's `launch_rate: {rate}` in **{run['drain_seconds']:.1f} s** from the first send to the "
        f"last RunInstances (expected {run['count']:,}/{rate} = {expected:.0f} s; {run['launch_rate']:.0f} launches/s "
        f"overall: {run['during_rate']:.0f}/s while the webhooks were still arriving, {run['after_rate']:.0f}/s after; "
        f"whole machine {machine_share(run):.0f}% busy of {os.cpu_count() * 100}%).",
        f"Nothing lost, nothing doubled: the AWS endpoint saw {run['run_instances']:,} RunInstances for "
        f"{run['launched']:,} distinct jobs ({duplicates} repeated, {lost} missing); the database has {db_launched:,} "
        f"of {db_total:,} jobs `launched` ({db_retried} needed a retry) and {runners:,} runner rows for "
        f"{runner_jobs:,} jobs. CPU per job over the burst, 3 services: {service_cpu_ms(run):.2f} ms.",
    ]


def moto_line(run):
    lat = run["latencies"]
    return (f"Reference with moto answering the launch path too (`DescribeInstances` by tag, `RunInstances`; "
            f"{run['offered']} jobs/s for {run['count'] // run['offered']} s, moto starting empty): "
            f"{run['acked']} acked, {run['launched']} launched, p50 {percentile(lat, 0.5):.0f} ms, "
            f"p99 {percentile(lat, 0.99):.0f} ms — moto's tag-filtered `DescribeInstances` scans every instance, "
            f"so this grows with the instances launched; the table above uses the recording endpoint instead.")


def section(latency, steps, burst, rss, burst_rate, moto=None):
    out = ["## System (`make bench-system`)", "", machine_line(), "",
           "Release builds of the Producer, the Publisher and two Orchestrators as separate processes "
           "(scripts/demo/stack.py), Postgres 15 with fsync on, the GitHub App stand-in, moto, and "
           "bench/system/aws_endpoint.py as the EC2 endpoint (launch-path calls answered from memory, the rest "
           "forwarded to moto; see docs/benchmarks.md for why and for how each figure is measured). Flow control "
           "lifted on `ec2-ubuntu` (rate 10,000/s, max_runners 100,000, JIT pacing 100,000/s); services at "
           "`LOG_LEVEL=warning` (no per-request log lines). Latency = "
           "RunInstances arrival at the AWS endpoint − the load generator's receipt of the webhook's 202 "
           "(same CLOCK_MONOTONIC, correlated by the `runway:job` tag).", "",
           "### End-to-end latency, webhook 202 → RunInstances", ""]
    out += latency_table(latency)
    if moto:
        out += ["", moto_line(moto)]
    out += ["", "For reference, the seed's path (DynamoDB stream → Lambda → SNS → SQS → Lambda) typically takes seconds.",
            "", "### Sustained rate and the first component to saturate", "",
            f"{steps[0]['count'] // steps[0]['offered']} s steps, rising until one falls behind (generator under 90% "
            "of the offer, a job not launched within 15 s, or median latency over 100 ms). Launched jobs/s = launches / "
            "(last launch − first send). CPU share = CPU seconds / wall seconds of the step (100% = one core), from "
            "/proc/PID/stat; *whole machine* is every process on the host from /proc/stat, other tenants included.", ""]
    out += saturation_table(steps)
    out += ["", saturation_verdict(steps), "", "### CPU per job and memory", ""]
    runs = latency + steps + [burst]
    cpu = [service_cpu_ms(r) for r in runs if r["launched"]]
    out += [f"CPU per launched job, Producer + Publisher + Orchestrators (utime + stime deltas ÷ jobs launched): "
            f"{min(cpu):.2f}–{max(cpu):.2f} ms over the runs above (target < {TARGET_CPU_MS} ms). Per process, "
            "ms of CPU per launched job (the timers — Publisher poll 1 s, reconcile 15 s, tear-down 1 s — are spread "
            "over fewer jobs at low rates):", ""]
    labels = [(f"{r['offered']} jobs/s", r) for r in latency] + [(f"step {s['offered']} jobs/s", s) for s in steps]
    out += cpu_breakdown(labels + [("burst", burst)])
    out += ["",
            "| service | peak RSS (VmHWM) | target | at the end: anonymous / file-backed RSS |", "| --- | ---: | --- | ---: |"]
    for name in SERVICES:
        m = rss.get(name, {})
        peak = f"{m['VmHWM']:.1f} MB" if "VmHWM" in m else "?"
        split = f"{m.get('RssAnon', 0):.1f} / {m.get('RssFile', 0):.1f} MB"
        out.append(f"| {name} | {peak} | < {TARGET_RSS_MB} MB | {split} |")
    out += ["", "File-backed RSS is mostly the dynamically linked Swift runtime, Foundation and ICU, libcrypto, "
            "libcurl's and libpq's dependencies (pages shared with every other Swift process); an idle service "
            "starts at about 35 MB, about 4 MB of it anonymous. No job of the benchmark completes, so every runner "
            f"stays alive: {int(rss.get('live runners', 0)):,} at the end. The Publisher's reconcile pass (every 15 s) "
            "lists every runner of each pool through the Orchestrator (the whole pool in memory at once), "
            "and that listing is what lifts both above 40 MB: with reconciliation off, 9,000 launches leave the "
            "Orchestrator at 39 MB and the Publisher at 41 MB (docs/benchmarks.md, \"Where the listing's peak "
            "RSS comes from\")."]
    out += ["", f"### Burst of {burst['count']:,} queued jobs", ""]
    out += burst_lines(burst, burst_rate)
    return "\n".join(out)
