#!/usr/bin/env python3
"""A moto server patched for Runway's end-to-end AWS tests, with its helpers, in one process.

  moto_eks_patch.py --cluster NAME

Prints one JSON line when ready, then serves until stdin closes:
  moto_url, region, access_key, secret (an IAM user's key, signature checking ON),
  role_arn (a role to assume with web identity), cluster,
  k8s_port, ca, wrong_ca (the Kubernetes stand-in of k8s_standin.py, accepting tokens signed
  with the IAM user's key or with the assumed-role keys below),
  creds_url, creds_token (a container-credentials endpoint, ECS/EKS Pod Identity style,
  serving assumed-role credentials that moto accepts), imds_url (a strict IMDSv2 endpoint
  serving other assumed-role credentials).

Patches, each mirroring real AWS where stock moto differs:
- EKS DescribeCluster returns the stand-in's https endpoint and base64 PEM CA (stock moto
  returns an unreachable endpoint and random text as the CA).
- STS AssumeRoleWithWebIdentity is exempt from signature checks: AWS does not sign it (the web
  identity token authenticates the call). moto does not validate the token itself.
"""
import argparse
import base64
import json
import logging
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from moto import settings  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.eks.models import eks_backends  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

import k8s_standin  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"

_original_auth = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _auth(self, iam_request_cls, resource="*"):
    if self._get_action() == "AssumeRoleWithWebIdentity":
        return
    return _original_auth(self, iam_request_cls, resource)


ActionAuthenticatorMixin._authenticate_and_authorize_action = _auth


def credentials_server(container_creds, container_token, imds_creds):
    imds_token = "imds-" + base64.b16encode(os.urandom(8)).decode()

    def document(creds, code=False):
        doc = {"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
               "Token": creds["SessionToken"], "Expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")}
        if code:
            doc.update({"Code": "Success", "Type": "AWS-HMAC"})
        return doc

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, code, body, content_type="application/json"):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_PUT(self):
            if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.reply(200, imds_token, "text/plain")
            self.reply(400, "missing X-aws-ec2-metadata-token-ttl-seconds", "text/plain")

        def do_GET(self):
            if self.path == "/v2/credentials/runway":
                if self.headers.get("Authorization") != container_token:
                    return self.reply(401, {"message": "bad authorization token"})
                return self.reply(200, document(container_creds))
            if self.path.startswith("/latest/meta-data/"):
                if self.headers.get("X-aws-ec2-metadata-token") != imds_token:
                    return self.reply(401, "", "text/plain")
                if self.path == "/latest/meta-data/iam/security-credentials/":
                    return self.reply(200, "runway-instance-role", "text/plain")
                if self.path == "/latest/meta-data/iam/security-credentials/runway-instance-role":
                    return self.reply(200, document(imds_creds, code=True))
            self.reply(404, "not found", "text/plain")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request lines in test output
    parser = argparse.ArgumentParser()
    parser.add_argument("--cluster", required=True)
    args = parser.parse_args()

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    url = f"http://{host}:{port}"
    boot = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")

    # Set-up while auth is still off (INITIAL_NO_AUTH_ACTION_COUNT defaults to infinity).
    iam = boto3.client("iam", **boot)
    iam.create_user(UserName="runway-e2e")
    policy = iam.create_policy(PolicyName="runway-e2e-all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="runway-e2e", PolicyArn=policy["Policy"]["Arn"])
    key = iam.create_access_key(UserName="runway-e2e")["AccessKey"]
    role = iam.create_role(RoleName="runway-orchestrator", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:*"}]}))["Role"]
    iam.attach_role_policy(RoleName="runway-orchestrator", PolicyArn=policy["Policy"]["Arn"])
    sts = boto3.client("sts", **boot)
    container = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="container")["Credentials"]
    imds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="instance")["Credentials"]

    accepted = {key["AccessKeyId"]: key["SecretAccessKey"],
                container["AccessKeyId"]: container["SecretAccessKey"], imds["AccessKeyId"]: imds["SecretAccessKey"]}
    _, k8s = k8s_standin.start(args.cluster, accepted)
    eks = boto3.client("eks", **boot)
    eks.create_cluster(name=args.cluster, roleArn=role["Arn"], resourcesVpcConfig={"subnetIds": []})
    cluster = eks_backends[ACCOUNT][REGION].clusters[args.cluster]
    cluster.endpoint = f"https://127.0.0.1:{k8s['port']}"
    with open(k8s["ca"], "rb") as f:
        cluster.certificate_authority = {"data": base64.b64encode(f.read()).decode()}
    cluster.status = "ACTIVE"

    container_token = "pod-identity-" + base64.b16encode(os.urandom(8)).decode()
    creds_url = credentials_server(container, container_token, imds)

    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # every later call is SigV4-verified
    print(json.dumps({
        "moto_url": url, "region": REGION, "access_key": key["AccessKeyId"], "secret": key["SecretAccessKey"],
        "role_arn": role["Arn"], "cluster": args.cluster, "k8s_port": k8s["port"], "ca": k8s["ca"],
        "wrong_ca": k8s["wrong_ca"], "creds_url": creds_url + "/v2/credentials/runway", "creds_token": container_token,
        "imds_url": creds_url, "container_key": container["AccessKeyId"], "imds_key": imds["AccessKeyId"],
    }), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
