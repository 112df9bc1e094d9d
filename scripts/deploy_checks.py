#!/usr/bin/env python3
"""Deployment-file checks that need Python: pools files, EKS manifest selection, ECS against moto.

  deploy_checks.py pools FILE...        every key is one Runway knows (RunwayKit/PoolsValidator)
  deploy_checks.py k8s-files DIR        prints the Kubernetes manifests in DIR (not kustomization
                                        files, not pools files), one per line
  deploy_checks.py kustomization DIR    every resource listed exists, every manifest is listed
  deploy_checks.py ecs DIR              registers each taskdef-*.json with moto's ECS, creates each
                                        iam-*.json with moto's IAM (RUNWAY_TEST_MOTO_URL and the
                                        RUNWAY_TEST_AWS_* credentials), and checks that each task's
                                        secrets are readable under its execution policy

Prints one `ok: …` or `FAIL: …` line per check; exits 1 when any check failed.
"""
import fnmatch
import glob
import json
import os
import sys

import yaml

failures = 0


def ok(message: str) -> None:
    print(f"ok: {message}")


def fail(message: str) -> None:
    global failures
    failures += 1
    print(f"FAIL: {message}")


# Keys RunwayKit's PoolsValidator accepts (Sources/RunwayKit/PoolsValidator.swift).
TOP_KEYS = {"pools", "ignore_labels", "global_max_runners"}
POOL_KEYS = {"name", "host", "os", "labels", "orchestrator_url", "max_runners", "launch_rate", "launch_burst",
             "idle_timeout", "max_lifetime", "max_attempts", "launch_timeout", "runner_group_id", "scope",
             "enterprise", "ec2", "eks"}
EC2_KEYS = {"image_id", "instance_types", "subnet_ids", "security_group_ids", "instance_profile", "spot",
            "root_volume_gib", "runner_path", "runner_version", "tags", "metadata_hop_limit"}
EKS_KEYS = {"cluster", "namespace", "image", "resources", "node_selector", "tolerations", "service_account"}


def check_pools(paths: list[str]) -> None:
    for path in paths:
        problems = []
        doc = yaml.safe_load(open(path))
        if not isinstance(doc, dict) or not isinstance(doc.get("pools"), list) or not doc["pools"]:
            fail(f"{path}: needs a non-empty top-level 'pools' list")
            continue
        problems += [f"unknown top-level key '{k}'" for k in set(doc) - TOP_KEYS]
        names = set()
        for i, pool in enumerate(doc["pools"]):
            where = f"pools[{i}]"
            problems += [f"{where}: unknown key '{k}'" for k in set(pool) - POOL_KEYS]
            for key in ("name", "host", "os", "labels", "orchestrator_url"):
                if key not in pool:
                    problems.append(f"{where}: '{key}' is required")
            if pool.get("name") in names:
                problems.append(f"{where}: name '{pool.get('name')}' is used twice")
            names.add(pool.get("name"))
            host = pool.get("host")
            if host not in ("ec2", "eks"):
                problems.append(f"{where}: host must be ec2 or eks")
            elif not isinstance(pool.get(host), dict):
                problems.append(f"{where}: an {host} pool needs an '{host}' mapping")
            else:
                allowed = EC2_KEYS if host == "ec2" else EKS_KEYS
                problems += [f"{where}.{host}: unknown key '{k}'" for k in set(pool[host]) - allowed]
        if problems:
            fail(f"{path}: " + "; ".join(problems))
        else:
            ok(f"pools file {path} ({len(doc['pools'])} pools)")


def documents(path: str) -> list:
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def is_manifest(path: str) -> bool:
    docs = documents(path)
    return bool(docs) and all(isinstance(d, dict) and "apiVersion" in d and "kind" in d for d in docs) \
        and not any(d["kind"] == "Kustomization" for d in docs)


def k8s_files(directory: str) -> None:
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        if is_manifest(path):
            print(path)


def check_kustomization(directory: str) -> None:
    kustomization = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml")))
    listed = set(kustomization.get("resources", []))
    generated = {f for g in kustomization.get("configMapGenerator", []) for f in g.get("files", [])}
    missing = [r for r in listed if not os.path.exists(os.path.join(directory, r))]
    manifests = {os.path.basename(p) for p in glob.glob(os.path.join(directory, "*.yaml")) if is_manifest(p)}
    # Examples that must be created by hand are the only manifests left out.
    unlisted = sorted(m for m in manifests - listed if not m.endswith(".example.yaml"))
    unknown_files = [f for f in generated if not os.path.exists(os.path.join(directory, f))]
    if missing or unlisted or unknown_files:
        fail(f"{directory}/kustomization.yaml: missing {missing}, not listed {unlisted}, generator files missing {unknown_files}")
    else:
        ok(f"{directory}/kustomization.yaml lists all {len(listed)} manifests")


def check_ecs(directory: str) -> None:
    import boto3

    endpoint = os.environ.get("RUNWAY_TEST_MOTO_URL")
    key = os.environ.get("RUNWAY_TEST_AWS_ACCESS_KEY_ID")
    secret = os.environ.get("RUNWAY_TEST_AWS_SECRET_ACCESS_KEY")
    if not (endpoint and key and secret):
        fail("ECS checks need RUNWAY_TEST_MOTO_URL and RUNWAY_TEST_AWS_* (run inside scripts/test-env.sh)")
        return
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
    ecs = session.client("ecs", endpoint_url=endpoint)
    iam = session.client("iam", endpoint_url=endpoint)
    run_id = os.getpid()

    policies = {}
    for path in sorted(glob.glob(os.path.join(directory, "iam-*.json"))):
        name = os.path.basename(path)[:-len(".json")]
        document = json.load(open(path))
        policies[name] = document
        try:
            arn = iam.create_policy(PolicyName=f"runway-{name}-{run_id}", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
            stored = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
            stored = json.loads(stored) if isinstance(stored, str) else stored
            if stored != document:
                fail(f"{path}: IAM stored a different document")
            else:
                ok(f"IAM CreatePolicy {path}")
        except Exception as error:  # noqa: BLE001 - the message is the report
            fail(f"{path}: IAM CreatePolicy rejected it: {error}")
    for path in sorted(glob.glob(os.path.join(directory, "trust-*.json"))):
        try:
            iam.create_role(RoleName=f"runway-check-{run_id}-{os.path.basename(path)[:-5]}",
                            AssumeRolePolicyDocument=open(path).read())
            ok(f"IAM CreateRole (trust policy) {path}")
        except Exception as error:  # noqa: BLE001
            fail(f"{path}: IAM CreateRole rejected the trust policy: {error}")

    for path in sorted(glob.glob(os.path.join(directory, "taskdef-*.json"))):
        service = os.path.basename(path)[len("taskdef-"):-len(".json")]
        definition = json.load(open(path))
        try:
            registered = ecs.register_task_definition(**definition)["taskDefinition"]
            described = ecs.describe_task_definition(taskDefinition=registered["taskDefinitionArn"])["taskDefinition"]
            names = [c["name"] for c in described["containerDefinitions"]]
            expected = [c["name"] for c in definition["containerDefinitions"]]
            # moto stores unknown enum values without complaint: check the file's own value too.
            mode = definition.get("networkMode")
            if mode != "awsvpc" or described["networkMode"] != "awsvpc" or sorted(names) != sorted(expected):
                fail(f"{path}: network mode {mode} (registered {described['networkMode']}), containers {names}")
            else:
                ok(f"ECS RegisterTaskDefinition {path} ({described['family']}:{described['revision']})")
        except Exception as error:  # noqa: BLE001
            fail(f"{path}: ECS RegisterTaskDefinition rejected it: {error}")
            continue
        check_task_shape(path, definition)
        check_secret_access(path, definition, policies.get(f"iam-{service}-execution"))
        check_task_role(path, service, definition, policies)


def check_task_shape(path: str, definition: dict) -> None:
    problems = []
    # Fargate's valid cpu/memory pairs (MiB) for the sizes Runway uses.
    fargate = {"256": {"512", "1024", "2048"}, "512": {str(m) for m in range(1024, 4097, 1024)},
               "1024": {str(m) for m in range(2048, 8193, 1024)}}
    if definition.get("memory") not in fargate.get(definition.get("cpu"), set()):
        problems.append(f"cpu {definition.get('cpu')} / memory {definition.get('memory')} is not a Fargate size")
    for c in definition["containerDefinitions"]:
        if c.get("essential", True):
            if not c.get("readonlyRootFilesystem"):
                problems.append(f"{c['name']}: root filesystem not read-only")
            if c.get("user", "0").split(":")[0] in ("0", "root"):
                problems.append(f"{c['name']}: runs as root")
            if "logConfiguration" not in c:
                problems.append(f"{c['name']}: no log configuration")
            if c.get("portMappings") and "healthCheck" not in c:
                problems.append(f"{c['name']}: serves HTTP without a health check")
        for env in c.get("environment", []):
            if any(word in env["name"] for word in ("SECRET", "TOKEN", "PRIVATE_KEY", "PASSWORD", "DATABASE_URL")):
                problems.append(f"{c['name']}: {env['name']} is plain environment, not a secret")
    if problems:
        fail(f"{path}: " + "; ".join(problems))
    else:
        ok(f"{path}: non-root, read-only, logged, health-checked, secrets not in plain environment")


def check_secret_access(path: str, definition: dict, policy) -> None:
    wanted = [s["valueFrom"] for c in definition["containerDefinitions"] for s in c.get("secrets", [])]
    if policy is None:
        fail(f"{path}: no iam-<service>-execution.json for its execution role")
        return
    allowed = []
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if statement["Effect"] == "Allow" and any(a in ("secretsmanager:GetSecretValue", "ssm:GetParameters") for a in actions):
            allowed += resources
    # A Secrets Manager ARN gains a random "-XXXXXX" suffix; the policy's "-*" covers it.
    unreadable = [w for w in wanted if not any(fnmatch.fnmatchcase(w + "-AbCdEf", r) or fnmatch.fnmatchcase(w, r) for r in allowed)]
    extra = [r for r in allowed if not any(fnmatch.fnmatchcase(w + "-AbCdEf", r) or fnmatch.fnmatchcase(w, r) for w in wanted)]
    if unreadable or extra:
        fail(f"{path}: secrets not readable {unreadable}; execution policy grants unused {extra}")
    else:
        ok(f"{path}: execution role reads exactly its {len(wanted)} secrets")


def check_task_role(path: str, service: str, definition: dict, policies: dict) -> None:
    has_role = "taskRoleArn" in definition
    has_policy = f"iam-{service}-task" in policies
    if has_role != has_policy:
        fail(f"{path}: taskRoleArn {'set' if has_role else 'absent'} but iam-{service}-task.json {'exists' if has_policy else 'is missing'}")
    else:
        ok(f"{path}: AWS rights {'from iam-' + service + '-task.json' if has_role else 'none (no task role)'}")


def main() -> None:
    command, args = sys.argv[1], sys.argv[2:]
    if command == "pools":
        check_pools(args)
    elif command == "k8s-files":
        k8s_files(args[0])
    elif command == "kustomization":
        check_kustomization(args[0])
    elif command == "ecs":
        check_ecs(args[0])
    else:
        sys.exit(f"unknown command {command}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
