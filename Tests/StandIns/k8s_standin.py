#!/usr/bin/env python3
"""A Kubernetes API stand-in for Runway's tests: HTTPS on loopback, EKS-token authentication,
official-schema validation, Kubernetes Status errors.

  k8s_standin.py --cluster NAME --region us-east-1 --credential AKID:SECRET [--namespace runway]

Prints one JSON line {"port", "ca", "wrong_ca"} once it listens, then serves until its stdin
closes (the test process ended) or it is terminated.

What it checks, like the real thing:
- TLS with a server certificate signed by a throwaway CA made with `openssl` at start
  ("wrong_ca" is an unrelated CA with the same subject, for the handshake-failure test).
- `Authorization: Bearer k8s-aws-v1.<base64url presigned STS GetCallerIdentity URL>` verified the
  way aws-iam-authenticator's pkg/token/token.go does: size and prefix, https STS host, path `/`,
  only the allowed query parameters, each once, Action=GetCallerIdentity, x-k8s-aws-id among
  the signed headers, 0 <= X-Amz-Expires <= 900, X-Amz-Date not older than 15 minutes; then the
  SigV4 query signature is recomputed with the test credentials and *this* cluster's name as
  x-k8s-aws-id (the real authenticator lets STS do that step) and compared in constant time.
- Every created object validated with kubernetes-validate --strict (the official JSON schema).
- Pods and Secrets: create (201, 409 AlreadyExists, 422 Invalid, ?dryRun=All), get (404 NotFound),
  list (labelSelector, limit/continue), delete (200 with deletionTimestamp, 404).
- Namespace "forbidden" answers 403 Forbidden; POST /standin/throttle?count=N makes the next N
  API calls answer 429 TooManyRequests with Retry-After: 1.
- GET /standin/created (no auth) counts every object ever created, by "namespace/plural" and
  name, deleted ones included (the fault test counts pods launched per runner name).
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import kubernetes_validate

K8S_VERSION = "1.37.0"
ALLOWED_PARAMS = {p.lower() for p in (
    "Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
    "X-Amz-Security-Token", "X-Amz-Signature", "X-Amz-SignedHeaders")}
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def make_certificates(work):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for name in ("ca", "wrong-ca"):
        run("req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "1",
            "-subj", "/CN=runway-test-cluster-ca", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver")
    with open(os.path.join(work, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "1", "-extfile", "ext.cnf")
    return os.path.join(work, "ca.pem"), os.path.join(work, "wrong-ca.pem"), \
        os.path.join(work, "server.pem"), os.path.join(work, "server.key")


def quote(s):
    return urllib.parse.quote(s, safe="-_.~")


class TokenError(Exception):
    pass


def verify_token(header, cluster, credentials, now=None):
    """Returns the access key id of a valid token; raises TokenError otherwise."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if not header or not header.startswith("Bearer "):
        raise TokenError("no bearer token")
    token = header[len("Bearer "):]
    if len(token) > 4096 or not token.startswith("k8s-aws-v1."):
        raise TokenError("token is not an EKS token")
    body = token[len("k8s-aws-v1."):]
    if "=" in body:
        raise TokenError("token has base64 padding")
    try:
        url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    except Exception:
        raise TokenError("token is not base64url")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https":
        raise TokenError("presigned URL is not https")
    host = parts.netloc.lower()
    if not re.fullmatch(r"sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?", host):
        raise TokenError("presigned URL host is not an STS endpoint")
    if parts.path != "/":
        raise TokenError("presigned URL path is not /")
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    seen = {}
    for k, v in pairs:
        if k.lower() not in ALLOWED_PARAMS:
            raise TokenError("unexpected query parameter")
        if k.lower() in seen:
            raise TokenError("repeated query parameter")
        seen[k.lower()] = (k, v)
    q = {k: v for k, v in pairs}
    if q.get("Action") != "GetCallerIdentity":
        raise TokenError("presigned action is not GetCallerIdentity")
    signed_headers = q.get("X-Amz-SignedHeaders", "").split(";")
    if "x-k8s-aws-id" not in signed_headers:
        raise TokenError("x-k8s-aws-id is not signed")
    try:
        expires = int(q.get("X-Amz-Expires", ""))
        date = datetime.datetime.strptime(q.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise TokenError("bad X-Amz-Expires or X-Amz-Date")
    if not 0 <= expires <= 900:
        raise TokenError("X-Amz-Expires out of range")
    if now - date > datetime.timedelta(minutes=15):
        raise TokenError("token expired")
    if date - now > datetime.timedelta(minutes=5):
        raise TokenError("token from the future")
    cred = q.get("X-Amz-Credential", "").split("/")
    if len(cred) != 5 or cred[4] != "aws4_request" or cred[3] != "sts":
        raise TokenError("bad credential scope")
    access_key, day, region = cred[0], cred[1], cred[2]
    secret = credentials.get(access_key)
    if secret is None:
        raise TokenError("unknown access key")
    canonical_query = "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(
        (k, v) for k, v in pairs if k != "X-Amz-Signature"))
    header_values = {"host": parts.netloc, "x-k8s-aws-id": cluster}
    if set(signed_headers) - set(header_values):
        raise TokenError("unexpected signed header")
    canonical_headers = "".join(f"{h}:{header_values[h]}\n" for h in signed_headers)
    creq = "\n".join(["GET", "/", canonical_query, canonical_headers, ";".join(signed_headers),
                      hashlib.sha256(b"").hexdigest()])
    scope = f"{day}/{region}/sts/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", q["X-Amz-Date"], scope, hashlib.sha256(creq.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (day, region, "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, q.get("X-Amz-Signature", "")):
        raise TokenError("signature does not match (wrong key, secret or cluster id)")
    return access_key


def status(code, reason, message, name=None, kind=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if name is not None or kind is not None:
        body["details"] = {k: v for k, v in (("name", name), ("kind", kind)) if v is not None}
    return code, body


def matches(labels, selector):
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k) != v:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class Cluster:
    KINDS = {"pods": ("Pod", "PodList"), "secrets": ("Secret", "SecretList")}

    def __init__(self, name, credentials, namespaces):
        self.name = name
        self.credentials = credentials
        self.namespaces = set(namespaces)
        self.objects = {}  # (namespace, plural) -> {name: object}
        self.throttle = 0
        self.lock = threading.Lock()
        self.seen_tokens = 0
        self.created = {}  # (namespace, plural) -> {name: times created}, kept after deletion

    def handle(self, method, path, query, headers, body):
        if path == "/standin/throttle" and method == "POST":
            with self.lock:
                self.throttle = int(query.get("count", ["1"])[0])
            return 200, {"ok": True}
        if path == "/standin/created" and method == "GET":
            with self.lock:
                return 200, {f"{ns}/{plural}": dict(names) for (ns, plural), names in self.created.items()}
        try:
            verify_token(headers.get("Authorization"), self.name, self.credentials)
        except TokenError as e:
            return status(401, "Unauthorized", f"Unauthorized: {e}")
        with self.lock:
            self.seen_tokens += 1
            if self.throttle > 0:
                self.throttle -= 1
                return status(429, "TooManyRequests", "Too many requests, please try again later.")
        m = re.fullmatch(r"/api/v1/namespaces/([^/]+)/(pods|secrets)(?:/([^/]+))?", path)
        if not m:
            return status(404, "NotFound", "the server could not find the requested resource")
        namespace, plural, name = m.groups()
        kind, list_kind = self.KINDS[plural]
        if namespace == "forbidden":
            return status(403, "Forbidden", f'{plural} is forbidden: User "runway" cannot access {plural} in the namespace "{namespace}"',
                          kind=plural)
        if method == "POST" and name is None:
            return self.create(namespace, plural, kind, body, query.get("dryRun") == ["All"])
        if namespace not in self.namespaces:
            if method == "GET" and name is None:
                return 200, {"kind": list_kind, "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": []}
            return status(404, "NotFound", f'namespaces "{namespace}" not found', name=namespace, kind="namespaces")
        with self.lock:
            store = self.objects.setdefault((namespace, plural), {})
            if method == "GET" and name is None:
                items = [o for o in store.values() if matches(o["metadata"].get("labels", {}), query.get("labelSelector", [""])[0])]
                items.sort(key=lambda o: o["metadata"]["name"])
                start = int(query.get("continue", ["0"])[0] or 0)
                limit = int(query.get("limit", ["0"])[0] or 0) or len(items)
                page = items[start:start + limit]
                meta = {"resourceVersion": "1"}
                if start + limit < len(items):
                    meta["continue"] = str(start + limit)
                return 200, {"kind": list_kind, "apiVersion": "v1", "metadata": meta, "items": page}
            if method == "GET":
                if name not in store:
                    return status(404, "NotFound", f'{plural} "{name}" not found', name=name, kind=plural)
                return 200, store[name]
            if method == "DELETE":
                obj = store.pop(name, None)
                if obj is None:
                    return status(404, "NotFound", f'{plural} "{name}" not found', name=name, kind=plural)
                obj["metadata"]["deletionTimestamp"] = now_rfc3339()
                return 200, obj
        return status(405, "MethodNotAllowed", "method not allowed")

    def create(self, namespace, plural, kind, body, dry_run):
        try:
            obj = json.loads(body)
        except ValueError:
            return status(400, "BadRequest", "the body is not JSON")
        if not isinstance(obj, dict) or obj.get("kind") != kind or obj.get("apiVersion") != "v1":
            return status(400, "BadRequest", f"the body is not a v1 {kind}")
        meta = obj.get("metadata") or {}
        name = meta.get("name", "")
        if meta.get("namespace", namespace) != namespace:
            return status(400, "BadRequest", "the namespace of the object does not match the namespace of the request")
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = ".".join(str(p) for p in e.absolute_path) or "(root)"
            return status(422, "Invalid", f'{kind} "{name}" is invalid: {path}: {e.message}', name=name, kind=plural)
        if not DNS1123.match(name) or len(name) > 253:
            return status(422, "Invalid", f'{kind} "{name}" is invalid: metadata.name: Invalid value', name=name, kind=plural)
        if namespace not in self.namespaces:
            return status(404, "NotFound", f'namespaces "{namespace}" not found', name=namespace, kind="namespaces")
        with self.lock:
            store = self.objects.setdefault((namespace, plural), {})
            if name in store:
                return status(409, "AlreadyExists", f'{plural} "{name}" already exists', name=name, kind=plural)
            meta.update({"namespace": namespace, "uid": str(uuid.uuid4()), "resourceVersion": "1",
                         "creationTimestamp": now_rfc3339()})
            obj["metadata"] = meta
            if kind == "Pod":
                obj["status"] = {"phase": "Pending"}
            if not dry_run:
                store[name] = obj
                created = self.created.setdefault((namespace, plural), {})
                created[name] = created.get(name, 0) + 1
        return 201, obj


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_handler(cluster):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urllib.parse.urlsplit(self.path)
            code, obj = cluster.handle(self.command, parts.path, urllib.parse.parse_qs(parts.query),
                                       self.headers, body)
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if code == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

    return Handler


def start(cluster_name, credentials, namespaces=("runway",)):
    """Starts the stand-in on a background thread; returns (server, info dict)."""
    work = tempfile.mkdtemp(prefix="runway-k8s-standin-")
    ca, wrong_ca, cert, key = make_certificates(work)
    cluster = Cluster(cluster_name, credentials, namespaces)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(cluster))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, {"port": server.server_address[1], "ca": ca, "wrong_ca": wrong_ca, "work": work}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--credential", action="append", default=[], help="AKID:SECRET")
    parser.add_argument("--namespace", action="append", default=[])
    args = parser.parse_args()
    credentials = dict(c.split(":", 1) for c in args.credential)
    _, info = start(args.cluster, credentials, args.namespace or ["runway"])
    print(json.dumps(info), flush=True)
    sys.stdin.read()  # returns at EOF: the test process is gone


if __name__ == "__main__":
    main()
