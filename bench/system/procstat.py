"""CPU time and peak RSS of the benchmark's processes, from /proc (no perf needed).

A snapshot maps a component name to CPU seconds (utime + stime of /proc/PID/stat). Postgres is
the postmaster plus its live children (backends, walwriter, …) plus the CPU of children it has
already reaped (cutime + cstime), so short-lived backends are not lost.
"""
import os

TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    """Fields after the `(comm)` of /proc/PID/stat, numbered as in proc(5) from field 3."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def cpu_seconds(pid, reaped_children=False):
    try:
        fields = stat_fields(pid)
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICK


def children_of(parent):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(stat_fields(entry)[1]) == parent:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def find_process(needle):
    """The first process whose command line contains every string of `needle`."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    line = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if all(part in line for part in needle):
                return int(entry)
    return None


class Processes:
    """Named processes to sample; `postgres` is handled as a process tree."""

    def __init__(self, pids, postmaster=None):
        self.pids = {name: pid for name, pid in pids.items() if pid}
        self.postmaster = postmaster

    def snapshot(self):
        snap = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        if self.postmaster:
            total = cpu_seconds(self.postmaster, reaped_children=True)
            total += sum(cpu_seconds(child) for child in children_of(self.postmaster))
            snap["postgres"] = total
        snap["(machine)"] = machine_busy_seconds()
        return snap

    def memory_mb(self, name):
        """`VmHWM` (peak RSS), and the current `RssAnon` / `RssFile` split, in MB."""
        found = {}
        try:
            with open(f"/proc/{self.pids[name]}/status") as f:
                for line in f:
                    key = line.split(":", 1)[0]
                    if key in ("VmHWM", "RssAnon", "RssFile"):
                        found[key] = int(line.split()[1]) / 1024
        except (OSError, KeyError):
            pass
        return found

    def peak_rss_mb(self, name):
        return self.memory_mb(name).get("VmHWM")


def machine_busy_seconds():
    """CPU seconds spent not idle by the whole machine (every process, other tenants too), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


def delta(before, after):
    return {name: after[name] - before.get(name, 0.0) for name in after}
