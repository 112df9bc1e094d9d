"""The demo's look at the Publisher's status page (`GET /`): headless Chromium renders it,
saves a screenshot and dumps the DOM, which is checked for the pools and jobs.

    check(publisher_url, directory, pools) -> (ok, message)

Without Chromium the demo prints a note and goes on (`make demo` does not need a browser).
The screenshot lands in the demo's work directory, which a successful run removes: set
RUNWAY_DEMO_SCREENSHOT=PATH to keep a copy.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile

TIMEOUT = 40  # seconds per browser run; generous for a busy 2-core machine


def browser():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(path, args):
    """Runs headless Chromium with its own throw-away profile; returns stdout (raises on failure)."""
    profile = tempfile.mkdtemp(prefix="runway-chromium-")
    argv = [path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--no-pings", "--proxy-server=http://127.0.0.1:9", "--mute-audio"] + args
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    try:
        out, err = child.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise RuntimeError(f"chromium did not finish within {TIMEOUT} s")
    finally:
        try:
            os.killpg(child.pid, signal.SIGKILL)  # helpers left behind
        except ProcessLookupError:
            pass
        shutil.rmtree(profile, ignore_errors=True)
    if child.returncode != 0:
        raise RuntimeError(f"chromium exited {child.returncode}: {err.decode(errors='replace')[-500:]}")
    return out.decode(errors="replace")


def check(publisher_url, directory, pools):
    """Screenshots the status page into `directory` and checks its DOM lists every pool in `pools`."""
    path = browser()
    if path is None:
        return True, "status page: skipped (chromium is not installed; scripts/install-deps.sh installs it)"
    url = publisher_url.rstrip("/") + "/"
    screenshot = os.path.join(directory, "status-page.png")
    try:
        dom = run_chromium(path, ["--dump-dom", url])
        run_chromium(path, [f"--screenshot={screenshot}", "--window-size=1280,1600", url])
    except (OSError, RuntimeError) as error:
        return False, f"status page: FAILED ({error})"
    shown = re.findall(r'<tr data-pool="([^"]+)">', dom)
    jobs = len(re.findall(r'<tr data-job="\d+">', dom))
    missing = [p for p in pools if p not in shown]
    problems = []
    if missing:
        problems.append(f"pools missing: {missing}")
    if jobs == 0:
        problems.append("no jobs shown")
    if '<svg id="queue-time-chart"' not in dom:
        problems.append("no queue-time chart")
    if not os.path.exists(screenshot) or os.path.getsize(screenshot) < 10_000:
        problems.append("no screenshot")
    if problems:
        return False, f"status page: FAILED ({'; '.join(problems)})"
    keep = os.environ.get("RUNWAY_DEMO_SCREENSHOT")  # the work directory is removed after a good run
    if keep:
        shutil.copyfile(screenshot, keep)
        screenshot = keep
    return True, f"status page: OK ({len(shown)} pools, {jobs} jobs shown) screenshot {screenshot}"
