"""Formats the `system` section of bench/RESULTS.md from system_bench.py's measurements."""
import os
import platform
import subprocess
import time

SERVICES = ("producer", "publisher", "orchestrator-ec2", "orchestrator-eks")
COLUMNS = ("producer", "publisher", "orchestrator-ec2", "postgres", "aws-endpoint", "github-standin", "moto",
           "moto-eks", "load generator")
TARGET_P50_MS, TARGET_P99_MS, TARGET_CPU_MS, TARGET_RSS_MB = 15, 100, 2, 40


def saturated(run):
    """A step is saturated when the generator, the acks or the launches fell below 90% of the offer."""
    offered = run["offered"]
    return (run["load"]["achieved_rate"] < 0.9 * offered or run["launch_rate"] < 0.9 * offered
            or run["launched"] < run["acked"] or run["acked"] < run["count"])


def percentile(values, q):
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * q))]


def service_cpu_ms(run):
    total = sum(run["cpu"].get(name, 0.0) for name in SERVICES)
    return total * 1000 / max(run["launched"], 1)


def shares(run):
    return {name: seconds / run["wall"] * 100 for name, seconds in run["cpu"].items()}


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
            f"{platform.python_version()} · commit {commit} · load average {load:.1f} at the end")


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
    lines = ["| offered jobs/s | generator achieved | launched jobs/s | " + " | ".join(COLUMNS) + " | all |",
             "| ---: | ---: | ---: | " + " | ".join("---:" for _ in COLUMNS) + " | ---: |"]
    for step in steps:
        share = shares(step)
        cells = " | ".join(f"{share.get(name, 0):.0f}%" for name in COLUMNS)
        lines.append(f"| {step['offered']} | {step['load']['achieved_rate']:.0f}/s | {step['launch_rate']:.0f}/s | "
                     f"{cells} | {sum(share.values()):.0f}% |")
    return lines


def saturation_verdict(steps):
    last = steps[-1]
    share = shares(last)
    top = max(share, key=share.get)
    sustained = max((s["launch_rate"] for s in steps if not saturated(s)), default=0)
    if not saturated(last):
        return (f"No step saturated up to {last['offered']} jobs/s offered; the busiest process at that step was "
                f"**{top}** ({share[top]:.0f}% of one core).")
    return (f"Sustained: **{sustained:.0f} jobs/s** launched (last step that kept up). At {last['offered']} jobs/s "
            f"offered the generator achieved {last['load']['achieved_rate']:.0f}/s and {last['launch_rate']:.0f} "
            f"launches/s followed; the busiest process was **{top}** at {share[top]:.0f}% of one core "
            f"(machine total {sum(share.values()):.0f}% of {os.cpu_count() * 100}%).")


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
        f"last RunInstances (expected {run['count']:,}/{rate} = {expected:.0f} s; {run['launch_rate']:.0f} launches/s).",
        f"Nothing lost, nothing doubled: the AWS endpoint saw {run['run_instances']:,} RunInstances for "
        f"{run['launched']:,} distinct jobs ({duplicates} repeated, {lost} missing); the database has {db_launched:,} "
        f"of {db_total:,} jobs `launched` ({db_retried} needed a retry) and {runners:,} runner rows for "
        f"{runner_jobs:,} jobs. CPU per job over the burst, 3 services: {service_cpu_ms(run):.2f} ms.",
    ]


def section(latency, steps, burst, rss, burst_rate):
    out = ["## System (`make bench-system`)", "", machine_line(), "",
           "Release builds of the Producer, the Publisher and two Orchestrators as separate processes "
           "(scripts/demo/stack.py), Postgres 15 with fsync on, the GitHub App stand-in, moto, and "
           "bench/system/aws_endpoint.py as the EC2 endpoint (launch-path calls answered from memory, the rest "
           "forwarded to moto; see docs/benchmarks.md for why and for how each figure is measured). Flow control "
           "lifted on `ec2-ubuntu` (rate 10,000/s, max_runners 100,000, JIT pacing 100,000/s). Latency = "
           "RunInstances arrival at the AWS endpoint − the load generator's receipt of the webhook's 202 "
           "(same CLOCK_MONOTONIC, correlated by the `runway:job` tag).", "",
           "### End-to-end latency, webhook 202 → RunInstances", ""]
    out += latency_table(latency)
    out += ["", "For reference, the seed's path (DynamoDB stream → Lambda → SNS → SQS → Lambda) typically takes seconds.",
            "", "### Sustained rate and the first component to saturate", "",
            f"{steps[0]['count'] // steps[0]['offered']} s steps; CPU share = CPU seconds / wall seconds of the step "
            "(100% = one core), from /proc/PID/stat.", ""]
    out += saturation_table(steps)
    out += ["", saturation_verdict(steps), "", "### CPU per job and memory", ""]
    runs = latency + steps + [burst]
    cpu = [service_cpu_ms(r) for r in runs if r["launched"]]
    out += [f"CPU per launched job, Producer + Publisher + Orchestrators (utime + stime deltas ÷ jobs launched): "
            f"{min(cpu):.2f}–{max(cpu):.2f} ms over the runs above (target < {TARGET_CPU_MS} ms).", "",
            "| service | peak RSS (VmHWM) | target |", "| --- | ---: | --- |"]
    for name in SERVICES:
        value = rss.get(name)
        out.append(f"| {name} | {value:.1f} MB | < {TARGET_RSS_MB} MB |" if value else f"| {name} | ? | < {TARGET_RSS_MB} MB |")
    out += ["", f"### Burst of {burst['count']:,} queued jobs", ""]
    out += burst_lines(burst, burst_rate)
    return "\n".join(out)
