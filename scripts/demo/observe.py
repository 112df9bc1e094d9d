"""Read-only views of the demo's world: the Publisher's jobs, moto's instances, the Kubernetes
stand-in's pods (with a real EKS token, like kubectl), the GitHub stand-in's runners."""
import base64
import json
import ssl
import urllib.request

import boto3
from botocore.signers import RequestSigner

from stack import CLUSTER, INTERNAL_TOKEN, NAMESPACE, REGION


def get_json(url, token=None, context=None, timeout=10):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
        return json.loads(answer.read())


def post_json(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def jobs(publisher_url):
    """Every job the Publisher knows, by id."""
    return {job["id"]: job for job in get_json(publisher_url + "/v1/jobs?limit=1000", INTERNAL_TOKEN)["jobs"]}


def job(publisher_url, job_id):
    try:
        return get_json(f"{publisher_url}/v1/jobs/{job_id}", INTERNAL_TOKEN)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def instances(stack):
    """Every instance moto has ever run: [(runner name or id, state)]."""
    ec2 = stack.ec2_client()
    found = []
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
                name = tags.get("Name", instance["InstanceId"])
                found.append((name, instance["State"]["Name"]))
    return found


class Pods:
    """Lists pods in the Kubernetes stand-in behind the patched moto's EKS cluster."""

    def __init__(self, eks_info):
        self.info = eks_info
        session = boto3.session.Session(aws_access_key_id=eks_info["access_key"],
                                        aws_secret_access_key=eks_info["secret"], region_name=REGION)
        self.session = session
        self.context = ssl.create_default_context(cafile=eks_info["ca"])
        self.context.check_hostname = False

    def token(self):
        sts = self.session.client("sts", region_name=REGION)
        signer = RequestSigner(sts.meta.service_model.service_id, REGION, "sts", "v4",
                               self.session.get_credentials(), self.session.events)
        url = signer.generate_presigned_url({
            "method": "GET", "url": f"https://sts.{REGION}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
            "body": {}, "headers": {"x-k8s-aws-id": CLUSTER}, "context": {}},
            region_name=REGION, expires_in=60, operation_name="")
        return "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")

    def list(self):
        """[(pod name, phase, deleting)]"""
        url = f"https://127.0.0.1:{self.info['k8s_port']}/api/v1/namespaces/{NAMESPACE}/pods"
        items = get_json(url, self.token(), self.context)["items"]
        return [(p["metadata"]["name"], p.get("status", {}).get("phase", "?"), bool(p["metadata"].get("deletionTimestamp")))
                for p in items]


def github_runners(github_url):
    """{runner name: runner} over every scope of the GitHub stand-in."""
    state = get_json(github_url + "/_standin/state")
    runners = state.get("runners", {})
    found = {}
    if isinstance(runners, dict):
        for value in runners.values():
            for runner in (value if isinstance(value, list) else value.values() if isinstance(value, dict) else []):
                found[runner["name"]] = runner
    else:
        for runner in runners:
            found[runner["name"]] = runner
    return found


def mark_busy(github_url, runner, busy):
    post_json(f"{github_url}/_standin/runners/{runner['id']}", {"busy": busy, "status": "online"})


def metric(url, name):
    """Sum of a Prometheus counter over its label sets."""
    with urllib.request.urlopen(url + "/metrics", timeout=5) as answer:
        text = answer.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total
