"""The fault test's checks and summary table (see fault_test.py and docs/fault-tests.md).

Everything is read from where the truth is: jobs, runners and deliveries from Postgres; every
instance moto ever ran (terminated ones included); every pod the Kubernetes stand-in ever
created (deleted ones included); the runner registrations and JIT configurations at the GitHub
stand-in; and the sender's own record of each delivery's outcome."""
import re

import observe
from faults import jit_configs, proxy_stats, quoted, sql, standin_pods_created

RUNNER_NAME = re.compile(r"^runway-(.+)-(\d+)-(\d+)$")
EXPECTED_STATE = {"regular": {"done"}, "cancelled": {"cancelled"}, "raced": {"cancelled", "done"},
                  "unroutable": {"unroutable"}, "hosted": {None}}
MAX_LAUNCHES = {"regular": 1, "cancelled": 0, "raced": 1, "unroutable": 0, "hosted": 0}


def job_of(runner_name):
    match = RUNNER_NAME.match(runner_name or "")
    return int(match.group(2)) if match else None


def short(ids, limit=12):
    ids = sorted(ids)
    return ", ".join(str(i) for i in ids[:limit]) + (f" … (+{len(ids) - limit})" if len(ids) > limit else "")


def check(run):
    """(violations, figures) after the run."""
    stack, jobs, sender = run.stack, run.jobs, run.sender
    violations = list(sender.violations) + [f"fault not injected: {e}" for e in run.faults.errors]
    figures = {}

    # Deliveries: every one acknowledged in the end, and acknowledged ones (only those) received.
    genuine = [d for d in sender.all if not d.forged]
    forged = [d for d in sender.all if d.forged]
    never = [d for d in genuine if not d.acked]
    for d in never[:10]:
        violations.append(f"delivery {d.guid} ({d.action} of job {d.job_id}) never acknowledged: answers {d.outcomes}")
    if len(never) > 10:
        violations.append(f"... and {len(never) - 10} more deliveries never acknowledged")
    stored = {row[0] for row in sql(run.db, f"SELECT id FROM deliveries WHERE id IN ({quoted(d.guid for d in sender.all)})")}
    missing = [d for d in genuine if d.acked and d.guid not in stored]
    if missing:
        violations.append(f"{len(missing)} deliveries answered 2xx are not in the deliveries table, jobs: "
                          + short({d.job_id for d in missing}))
    forged_stored = [d for d in forged if d.guid in stored]
    forged_jobs = {int(r[0]) for r in sql(run.db, f"SELECT id FROM jobs WHERE id IN ({quoted(d.job_id for d in forged)})")}
    if forged_stored or forged_jobs:
        violations.append(f"deliveries refused with a wrong signature were stored: jobs {short(forged_jobs | {d.job_id for d in forged_stored})}")
    outcomes = [o for d in sender.all for o in d.outcomes]
    figures["deliveries"] = (len(genuine), len(forged), len(outcomes), sum(o is None for o in outcomes),
                             sorted({o for o in outcomes if o is not None and not 200 <= o < 300}),
                             sum(o is not None and not 200 <= o < 300 for o in outcomes), sender.unchecked)

    # Final job states.
    rows = sql(run.db, f"SELECT id, dispatch_state, status, coalesce(launched_runner, ''), attempts, coalesce(last_error, '') "
                       f"FROM jobs WHERE id IN ({quoted(jobs)})")
    db_jobs = {int(r[0]): r for r in rows}
    wrong = {}
    for job_id, meta in jobs.items():
        state = db_jobs[job_id][1] if job_id in db_jobs else None
        if state not in EXPECTED_STATE[meta["kind"]]:
            detail = f" ({db_jobs[job_id][5][:80]})" if job_id in db_jobs and db_jobs[job_id][5] else ""
            wrong.setdefault(f"{meta['kind']} job is {state or 'not stored'}, expected "
                             f"{' or '.join(str(s) for s in sorted(EXPECTED_STATE[meta['kind']], key=str))}{detail}", set()).add(job_id)
    for problem, ids in sorted(wrong.items()):
        violations.append(f"{problem}: jobs {short(ids)}")
    figures["states"] = {}
    for job_id, meta in jobs.items():
        key = (meta["kind"], db_jobs[job_id][1] if job_id in db_jobs else "not stored")
        figures["states"][key] = figures["states"].get(key, 0) + 1
    figures["attempts"] = sum(int(r[4]) for r in rows)

    # Launches: instances ever run in moto and pods ever created in the Kubernetes stand-in.
    instances = [(name, state) for name, state in observe.instances(stack) if job_of(name) in jobs]
    pods = {name: n for name, n in standin_pods_created(stack.eks).items() if job_of(name) in jobs}
    launches = {}
    for name, _ in instances:
        launches.setdefault(job_of(name), []).append(name)
    for name, n in pods.items():
        launches.setdefault(job_of(name), []).extend([name] * n)
    duplicates = {j: names for j, names in launches.items() if len(names) > MAX_LAUNCHES[jobs[j]["kind"]] and MAX_LAUNCHES[jobs[j]["kind"]]}
    for job_id, names in sorted(duplicates.items())[:20]:
        violations.append(f"job {job_id} ({jobs[job_id]['pool']}) launched {len(names)} times: {sorted(names)}")
    not_to_launch = {j for j, names in launches.items() if names and MAX_LAUNCHES[jobs[j]["kind"]] == 0}
    if not_to_launch:
        violations.append(f"jobs that must not run were launched: {short(not_to_launch)} "
                          f"({', '.join(sorted({jobs[j]['kind'] for j in not_to_launch}))})")
    unlaunched = {j for j, meta in jobs.items() if meta["kind"] == "regular" and not launches.get(j)}
    if unlaunched:
        violations.append(f"regular jobs never launched: {short(unlaunched)}")

    # Tear-down: nothing running, nothing registered, every runner row gone.
    running = [(n, s) for n, s in instances if s not in ("shutting-down", "terminated")]
    live_pods = [n for n, _, deleting in observe.Pods(stack.eks).list() if not deleting and job_of(n) in jobs]
    registered = [n for n in observe.github_runners(stack.urls["github"]) if job_of(n) in jobs]
    live_rows = sql(run.db, f"SELECT name, state FROM runners WHERE launched_for_job IN ({quoted(jobs)}) AND state <> 'gone'")
    if running:
        violations.append(f"orphan instances still {running[0][1]}: jobs {short({job_of(n) for n, _ in running})}")
    if live_pods:
        violations.append(f"orphan pods still live: jobs {short({job_of(n) for n in live_pods})}")
    if registered:
        violations.append(f"runners still registered at GitHub: jobs {short({job_of(n) for n in registered})}")
    if live_rows:
        violations.append(f"runners not torn down in the database: {short(r[0] + ' ' + r[1] for r in live_rows)}")

    # JIT configurations: at least one per launched runner (several when a throttled launch was retried).
    jit = {n: c for n, c in jit_configs(stack.urls["github"]).items() if job_of(n) in jobs}
    no_jit = {job_of(n) for names in launches.values() for n in names if n not in jit}
    if no_jit:
        violations.append(f"runners launched without a JIT configuration at GitHub: jobs {short(no_jit)}")
    figures.update(instances=len(instances), terminated=len(instances) - len(running), pods=sum(pods.values()),
                   pods_removed=sum(pods.values()) - len(live_pods), launched_jobs=len(launches),
                   duplicates=len(duplicates), orphans=len(running) + len(live_pods), registered=len(registered),
                   jit=sum(jit.values()), jit_regenerated=sum(1 for c in jit.values() if c > 1))
    figures["proxies"] = {name: proxy_stats(url) for name, url in run.proxies.items()}
    return violations, figures


def summary(run, figures, elapsed, total):
    log = print
    log("\n== fault test summary")
    log(f"{'kind':<12}{'final state':<14}{'jobs':>6}")
    for (kind, state), n in sorted(figures["states"].items()):
        log(f"{kind:<12}{state:<14}{n:>6}")
    genuine, forged, attempts, unanswered, statuses, refused, unchecked = figures["deliveries"]
    throttled = {name: sum(stats["throttled"].values()) for name, stats in figures["proxies"].items() if name.startswith("aws")}
    forwarded = {name: stats["forwarded"] for name, stats in figures["proxies"].items() if name.startswith("aws")}
    rows = [
        ("jobs", len(run.jobs)),
        ("jobs launched (instances or pods exist)", figures["launched_jobs"]),
        ("EC2 instances launched / terminated (moto)", f"{figures['instances']} / {figures['terminated']}"),
        ("pods created / removed (Kubernetes stand-in)", f"{figures['pods']} / {figures['pods_removed']}"),
        ("duplicate launches", figures["duplicates"]),
        ("orphans (running instances + live pods)", figures["orphans"]),
        ("runners still registered at GitHub", figures["registered"]),
        ("JIT configs generated (runners with more than one)", f"{figures['jit']} ({figures['jit_regenerated']})"),
        ("failed launch attempts recorded (jobs.attempts)", figures["attempts"]),
        ("deliveries (+ forged, refused)", f"{genuine} (+{forged})"),
        ("delivery attempts / no answer / non-2xx", f"{attempts} / {unanswered} / {refused} {statuses or ''}"),
        ("redelivery checks skipped (Postgres down)", unchecked),
    ]
    for fault, at, downtime in run.faults.done:
        if fault == "throttle kubernetes":
            rows.append((f"fault: next 20 Kubernetes calls answer 429 at +{at:.0f}s", "20"))
        else:
            rows.append((f"fault: {fault} at +{at:.0f}s", f"{downtime:.1f}s"))
    for name in sorted(throttled):
        rows.append((f"fault: AWS calls throttled ({name})", f"{throttled[name]} of {throttled[name] + forwarded[name]}"))
    rows.append(("fault: Publisher notifications dropped", figures["proxies"]["notify"]["dropped"]))
    rows.append(("time: run / whole test (s)", f"{elapsed:.0f} / {total:.0f}"))
    for label, value in rows:
        log(f"{label:<52}{value!s:>24}")
