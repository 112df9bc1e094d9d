"""Starts the whole Runway stack as separate loopback processes for the demo.

Expects the environment of scripts/test-env.sh (Postgres and a signature-checking moto).
Started here: the GitHub API stand-in, a patched moto with the Kubernetes stand-in behind its
EKS DescribeCluster (Tests/StandIns/moto_eks_patch.py), two Orchestrators (EC2 pools on the
test-env moto, the EKS pool on the patched one), the Publisher and the Producer. Every child is
stopped by Stack.stop(), which callers run on every exit path.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STANDINS = os.path.join(ROOT, "Tests", "StandIns")
BIN = os.path.join(ROOT, ".build", "debug")
REGION = "us-east-1"
CLUSTER = "runway-demo"
NAMESPACE = "runway"
UBUNTU_AMI, WINDOWS_AMI = "ami-1e749f67", "ami-03cf127a"  # bundled with moto (amis.json)
INTERNAL_TOKEN = "demo-internal-token-" + os.urandom(8).hex()
WEBHOOK_SECRET = "demo-webhook-secret-" + os.urandom(8).hex()


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"demo: {name} is not set (run through scripts/test-env.sh)")
    return value


class Stack:
    def __init__(self, work, *, bin_dir=None, ec2_endpoint=None, pool_overrides=None, service_env=None):
        """Optional knobs (benchmarks): `bin_dir` holds the executables (default .build/debug);
        `ec2_endpoint` is the EC2 Orchestrator's AWS endpoint (default the test-env moto);
        `pool_overrides` maps a pool name to pools-file fields to replace (the key `global` sets
        top-level fields); `service_env` maps a service name to extra environment variables."""
        self.work = work
        self.bin_dir = bin_dir or BIN
        self.ec2_endpoint = ec2_endpoint
        self.pool_overrides = pool_overrides or {}
        self.service_env = service_env or {}
        self.children = []  # (name, Popen, log path)
        self.urls = {}
        self.moto_url = env("RUNWAY_TEST_MOTO_URL")
        self.ec2_credentials = (env("RUNWAY_TEST_AWS_ACCESS_KEY_ID"), env("RUNWAY_TEST_AWS_SECRET_ACCESS_KEY"))
        self.database_url = env("RUNWAY_TEST_DATABASE_URL")
        self.eks = None
        self.specs = {}  # service name -> (executable, environment), for restart()
        self.restarts = {}  # service name -> times restarted

    # -- processes ---------------------------------------------------------------------------

    def spawn(self, name, argv, extra_env=None, stdin=subprocess.DEVNULL, log_name=None):
        log_path = os.path.join(self.work, f"{log_name or name}.log")
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("RUNWAY_TEST_")}
        child_env.update(extra_env or {})
        log = open(log_path, "wb")
        proc = subprocess.Popen(argv, env=child_env, stdout=log, stderr=subprocess.STDOUT, stdin=stdin,
                                start_new_session=True)
        self.children.append((name, proc, log_path))
        return proc, log_path

    def service(self, name, executable, extra_env):
        port_file = os.path.join(self.work, f"{name}.port")
        settings = {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "RUNWAY_PORT_FILE": port_file,
                    "LOG_FORMAT": "json", "LOG_LEVEL": "info", "RUNWAY_INTERNAL_TOKEN": INTERNAL_TOKEN}
        settings.update(extra_env)
        settings.update(self.service_env.get(name, {}))
        self.specs[name] = (executable, settings)
        proc, log_path = self.spawn(name, [os.path.join(self.bin_dir, executable)], settings)
        url = self.wait_port(name, proc, log_path, lambda: read_int(port_file))
        self.wait_ready(name, url, proc, log_path)
        self.urls[name] = url
        return url

    def wait_port(self, name, proc, log_path, read, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            port = read()
            if port:
                return f"http://127.0.0.1:{port}"
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        self.fail_start(name, log_path)

    def wait_ready(self, name, url, proc, log_path, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except Exception:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        self.fail_start(name, log_path)

    def kill(self, name):
        """SIGKILLs a service (its whole process group) and waits for it: no clean shutdown."""
        for child_name, proc, _ in self.children:
            if child_name == name and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()

    def restart(self, name):
        """Kills a service if it runs, then starts it again with the same settings on the SAME
        port (so the URLs the other services were given keep working); returns when it is ready."""
        self.kill(name)
        executable, settings = self.specs[name]
        port = self.urls[name].rsplit(":", 1)[1]
        port_file = settings["RUNWAY_PORT_FILE"]
        if os.path.exists(port_file):
            os.remove(port_file)
        self.restarts[name] = self.restarts.get(name, 0) + 1
        proc, log_path = self.spawn(name, [os.path.join(self.bin_dir, executable)], {**settings, "HTTP_PORT": port},
                                    log_name=f"{name}.restart{self.restarts[name]}")
        url = self.wait_port(name, proc, log_path, lambda: read_int(port_file))
        if url != self.urls[name]:
            raise RuntimeError(f"{name} came back on {url}, not {self.urls[name]}")
        self.wait_ready(name, url, proc, log_path)
        return url

    def proxy(self, name, target, *options):
        """Starts Tests/StandIns/fault_proxy.py in front of `target`; returns its URL."""
        proc, log_path = self.spawn(name, [sys.executable, os.path.join(STANDINS, "fault_proxy.py"),
                                           "--target", target, *options])
        url = self.wait_port(name, proc, log_path, lambda: read_prefixed(log_path, "PORT="))
        self.urls[name] = url
        return url

    @staticmethod
    def fail_start(name, log_path):
        with open(log_path, errors="replace") as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f"{name} did not start (log {log_path}):\n{tail}")

    def stop(self):
        for name, proc, _ in reversed(self.children):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, proc, _ in reversed(self.children):
            try:
                proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.children = []

    # -- the stack ---------------------------------------------------------------------------

    def start(self, log=print, endpoint=None):
        """Starts everything. Optional, for tests: `endpoint(kind, url)` returns the URL a service is
        given instead of `url` (kinds `aws:orchestrator-ec2`, `aws:orchestrator-eks`: the
        Orchestrators' AWS endpoint; `notify`: the Producer's PUBLISHER_URL), e.g. a fault proxy's."""
        endpoint = endpoint or (lambda kind, url: url)
        key_path = os.path.join(self.work, "github-app.pem")
        gh, gh_log = self.spawn("github-standin", [sys.executable, os.path.join(STANDINS, "github_standin.py"),
                                                   "--app-private-key-out", key_path, "--app-id", "4242"])
        self.urls["github"] = self.wait_port("github-standin", gh, gh_log, lambda: read_prefixed(gh_log, "PORT="))
        log(f"  github stand-in   {self.urls['github']}")

        eks, eks_log = self.spawn("moto-eks", [sys.executable, os.path.join(STANDINS, "moto_eks_patch.py"),
                                               "--cluster", CLUSTER], stdin=subprocess.PIPE)
        self.eks_stdin = eks.stdin  # the patched moto serves until its stdin closes
        deadline = time.time() + 60
        while self.eks is None and time.time() < deadline:
            self.eks = read_json_line(eks_log)
            if eks.poll() is not None:
                self.fail_start("moto-eks", eks_log)
            time.sleep(0.1)
        if self.eks is None:
            self.fail_start("moto-eks", eks_log)
        log(f"  moto (EC2)        {self.moto_url}")
        log(f"  moto (EKS)        {self.eks['moto_url']}  → kubernetes stand-in https://127.0.0.1:{self.eks['k8s_port']}")

        subprocess.run([os.path.join(self.bin_dir, "runway"), "migrate"], check=True, env={**os.environ, "DATABASE_URL": self.database_url},
                       stdout=subprocess.DEVNULL)
        log("  database migrated")

        subnet, group = self.ec2_network()
        placeholder = self.write_pools(subnet, group, "http://127.0.0.1:1", "http://127.0.0.1:1", "pools.boot.yaml")
        # Debug on the Orchestrators logs each GitHub and AWS call with its duration (scripts/demo/trace.py).
        github = {"LOG_LEVEL": "debug", "GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY_FILE": key_path, "GITHUB_API_URL": self.urls["github"],
                  "AWS_REGION": REGION}
        ec2 = self.service("orchestrator-ec2", "orchestrator", {
            **github, "RUNWAY_POOLS": placeholder, "RUNWAY_ORCHESTRATOR_POOLS": "ec2-ubuntu,ec2-windows",
            "AWS_ENDPOINT_URL": endpoint("aws:orchestrator-ec2", self.ec2_endpoint or self.moto_url), "AWS_ACCESS_KEY_ID": self.ec2_credentials[0],
            "AWS_SECRET_ACCESS_KEY": self.ec2_credentials[1]})
        eks_url = self.service("orchestrator-eks", "orchestrator", {
            **github, "RUNWAY_POOLS": placeholder, "RUNWAY_ORCHESTRATOR_POOLS": "eks-ubuntu",
            "AWS_ENDPOINT_URL": endpoint("aws:orchestrator-eks", self.eks["moto_url"]), "AWS_ACCESS_KEY_ID": self.eks["access_key"],
            "AWS_SECRET_ACCESS_KEY": self.eks["secret"]})
        pools = self.write_pools(subnet, group, ec2, eks_url)
        log(f"  orchestrator-ec2  {ec2}  (ec2-ubuntu, ec2-windows)")
        log(f"  orchestrator-eks  {eks_url}  (eks-ubuntu)")

        publisher = self.service("publisher", "publisher", {
            "DATABASE_URL": self.database_url, "RUNWAY_POOLS": pools, "PUBLISHER_POLL_INTERVAL": "1s",
            # The stand-in has no GitHub rate limits; each Orchestrator still paces at its default 2.7/s.
            "PUBLISHER_JIT_RATE": "10",
            "PUBLISHER_RECONCILE_INTERVAL": "2s", "PUBLISHER_TEARDOWN_INTERVAL": "1s", "PUBLISHER_ORPHAN_GRACE": "20s"})
        log(f"  publisher         {publisher}")
        producer = self.service("producer", "producer", {
            "DATABASE_URL": self.database_url, "RUNWAY_POOLS": pools, "PUBLISHER_URL": endpoint("notify", publisher),
            "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET})
        log(f"  producer          {producer}/webhook")

    def ec2_network(self):
        ec2 = self.ec2_client()
        subnet = ec2.describe_subnets()["Subnets"][0]
        groups = ec2.describe_security_groups()["SecurityGroups"]
        group = next(g for g in groups if g.get("VpcId") == subnet["VpcId"])
        return subnet["SubnetId"], group["GroupId"]

    def ec2_client(self):
        return boto3.client("ec2", endpoint_url=self.moto_url, region_name=REGION,
                            aws_access_key_id=self.ec2_credentials[0], aws_secret_access_key=self.ec2_credentials[1])

    def write_pools(self, subnet, group, ec2_url, eks_url, name="pools.yaml"):
        path = os.path.join(self.work, name)
        text = f"""# Demo pools: three host+OS combinations served by two Orchestrators.
ignore_labels: ["ubuntu-*", "windows-*", "macos-*"]
global_max_runners: 100
pools:
  - name: ec2-ubuntu
    host: ec2
    os: ubuntu
    labels: [runway, x64]
    orchestrator_url: {ec2_url}
    max_runners: 30
    launch_rate: 20
    launch_burst: 20
    idle_timeout: 15s
    ec2: {{image_id: {UBUNTU_AMI}, instance_types: [t3.micro], subnet_ids: [{subnet}], security_group_ids: [{group}], spot: false}}
  - name: ec2-windows
    host: ec2
    os: windows
    labels: [runway, x64]
    orchestrator_url: {ec2_url}
    max_runners: 10
    launch_rate: 10
    launch_burst: 10
    idle_timeout: 15s
    ec2: {{image_id: {WINDOWS_AMI}, instance_types: [t3.medium], subnet_ids: [{subnet}], security_group_ids: [{group}], spot: false}}
  - name: eks-ubuntu
    host: eks
    os: ubuntu
    labels: [runway, container]
    orchestrator_url: {eks_url}
    max_runners: 30
    launch_rate: 20
    launch_burst: 20
    idle_timeout: 15s
    eks:
      cluster: {CLUSTER}
      namespace: {NAMESPACE}
      resources:
        requests: {{cpu: "1", memory: 2Gi}}
        limits: {{cpu: "2", memory: 4Gi}}
"""
        if self.pool_overrides:
            text = self.override_pools(text)
        with open(path, "w") as f:
            f.write(text)
        return path

    def override_pools(self, text):
        import yaml
        document = yaml.safe_load(text)
        document.update(self.pool_overrides.get("global", {}))
        for pool in document["pools"]:
            pool.update(self.pool_overrides.get(pool["name"], {}))
        return yaml.safe_dump(document, sort_keys=False)


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def read_prefixed(path, prefix):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(prefix):
                    return int(line[len(prefix):].strip())
    except (OSError, ValueError):
        pass
    return None


def read_json_line(path):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("{"):
                    return json.loads(line)
    except (OSError, ValueError):
        pass
    return None


def work_directory():
    return tempfile.mkdtemp(prefix="runway-demo-")
