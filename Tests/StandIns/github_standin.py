#!/usr/bin/env python3
"""GitHub REST API stand-in for Runway's tests and demo (Python stdlib + `cryptography`).

It checks what GitHub checks for the calls Runway makes, on 127.0.0.1, and keeps its state in
memory so tests can inspect it.

Start:
    python3 github_standin.py --app-public-key PUB.pem [--app-id 4242] [--client-id Iv1.x]
        [--fixtures DIR] [--port 0] [--installation ID:ACCOUNT[:Organization|User|Enterprise]]...
        [--webhook-url URL --webhook-secret S] [--exit-on-stdin-eof]
The first stdout line is `PORT=<n>`; use it as GITHUB_API_URL=http://127.0.0.1:<n>.
By default installation 1 is on organisation `octo-org`. `--fixtures` defaults to
../GitHubTests/Fixtures/rest next to this file (GitHub's documented example responses).

What is enforced (as github.com does):
- every call needs a `User-Agent` (else 403); `X-GitHub-Api-Version`, when sent, must be a
  known version (else 400);
- `/app/...` and `/{repos,orgs,users}/.../installation` need `Authorization: Bearer <JWT>`:
  RS256 signature checked with the App public key, `iss` = App id or client id, `exp` in the
  future and at most 10 minutes ahead, `iat` not in the future (60 s skew allowed), else 401;
- runner endpoints under /orgs/{org}, /repos/{owner}/{repo} and /enterprises/{slug} need an
  unexpired installation token (`ghs_…`) minted by POST /app/installations/{id}/access_tokens
  for an installation on that owner (401 otherwise; 403 for another account's installation);
- runner names are unique per scope: generate-jitconfig with a taken name answers 409
  (or 422, see config `conflict_status`); deleting a busy runner answers 422;
- generate-jitconfig validates name, runner_group_id, labels (1..100) and work_folder (422).
Every answer carries x-ratelimit-{limit,remaining,reset,used,resource} per credential and
x-github-request-id.

REST endpoints served: POST /app/installations/{id}/access_tokens;
GET /repos/{o}/{r}/installation, /orgs/{o}/installation, /users/{u}/installation;
POST {scope}/actions/runners/generate-jitconfig; GET {scope}/actions/runners (?name=,
per_page, page; Link header); GET|DELETE {scope}/actions/runners/{id};
GET /app/hook/deliveries (?per_page, cursor; Link header); GET /app/hook/deliveries/{id};
POST /app/hook/deliveries/{id}/attempts (202; re-sends the payload to --webhook-url if set).

Control API (no auth; JSON bodies):
  GET  /_standin/state            everything: installations, tokens minted per installation,
                                  runners per scope, jit_configs, deliveries, redeliveries,
                                  requests (method, path, status, auth kind), pending faults
  POST /_standin/reset            forget runners, JIT configs, tokens, deliveries, faults, log
  POST /_standin/faults           queue an injected answer for the next matching request:
       {"match": {"method": "POST", "path": "generate-jitconfig"},   (substring of the path)
        "status": 401|404|409|422|500|502|503...,  "body": {...},  "headers": {...},
        "rate_limit": "primary"|"secondary",  "retry_after": seconds,
        "delay_ms": n (slow answer; combine with a normal answer by omitting status),
        "truncate": true (declare the full Content-Length, send half, close),
        "times": n (default 1)}
  POST /_standin/installations    {"id": 7, "account": "acme", "target_type": "Organization"}
  POST /_standin/runners          {"scope": "orgs/acme", "name": "r1", "busy": true,
                                   "status": "online", "labels": ["self-hosted"]}  -> runner
  POST /_standin/runners/{id}     {"busy": false, "status": "offline"}  (update)
  POST /_standin/deliveries       seed a delivery: {"guid", "event", "action", "status_code",
                                   "status", "installation_id", "repository_id",
                                   "delivered_at", "redelivery", "payload"}  -> delivery
  POST /_standin/deliver          send {"event", "payload", "guid"?} to --webhook-url now,
                                   signed with --webhook-secret, and record the delivery
  POST /_standin/config           {"token_ttl": seconds, "conflict_status": 409|422,
                                   "webhook_url": ..., "webhook_secret": ...,
                                   "rate_limit": 5000}
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

API_VERSIONS = {"2022-11-28", "2026-03-10"}
DOCS = "https://docs.github.com/rest"


def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Answer(Exception):
    """Raised by handlers to answer with a status and a GitHub-style error body."""

    def __init__(self, status, message, headers=None, body=None):
        super().__init__(message)
        self.status = status
        self.body = body if body is not None else {"message": message, "documentation_url": DOCS}
        self.headers = headers or {}


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.app_id = str(args.app_id)
        self.client_id = args.client_id
        self.public_key = serialization.load_pem_public_key(open(args.app_public_key, "rb").read())
        self.fixtures = args.fixtures
        self.config = {"token_ttl": 3600, "conflict_status": 409, "webhook_url": args.webhook_url,
                       "webhook_secret": args.webhook_secret, "rate_limit": 5000}
        self.installations = {}
        for spec in args.installation or ["1:octo-org:Organization"]:
            parts = spec.split(":")
            self.installations[int(parts[0])] = {"id": int(parts[0]), "account": parts[1],
                                                 "target_type": parts[2] if len(parts) > 2 else "Organization"}
        self.reset()

    def reset(self):
        self.tokens = {}          # token -> {installation_id, expires_at}
        self.tokens_minted = {}   # installation id -> count
        self.runners = {}         # scope -> {id: runner}
        self.jit_configs = []
        self.deliveries = []      # newest first
        self.redeliveries = []
        self.requests = []
        self.faults = []
        self.budgets = {}         # credential -> used this window
        self.next_runner_id = 1000
        self.next_delivery_id = 5000

    def fixture(self, name):
        with open(os.path.join(self.fixtures, name)) as f:
            return json.load(f)

    def snapshot(self):
        return {
            "installations": list(self.installations.values()),
            "tokens_minted": {str(k): v for k, v in self.tokens_minted.items()},
            "runners": {scope: list(r.values()) for scope, r in self.runners.items()},
            "jit_configs": self.jit_configs,
            "deliveries": self.deliveries,
            "redeliveries": self.redeliveries,
            "requests": self.requests,
            "faults": self.faults,
            "config": {k: v for k, v in self.config.items() if k != "webhook_secret"},
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github-standin"
    state = None  # set in main

    def log_message(self, fmt, *args):  # keep stdout clean (first line is the port)
        pass

    # ---- plumbing -------------------------------------------------------------------------
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def json_body(self, raw):
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise Answer(400, "Problems parsing JSON")
        if not isinstance(value, dict):
            raise Answer(400, "Problems parsing JSON")
        return value

    def send(self, status, body=None, headers=None, truncate=False):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Request-Id", uuid.uuid4().hex[:8].upper() + ":" + uuid.uuid4().hex[:6].upper())
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if truncate else data)
        self.wfile.flush()

    def dispatch(self, method):
        st = self.state
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        raw = self.read_body()
        if path.startswith("/_standin/"):
            try:
                status, body = self.control(method, path, self.json_body(raw))
            except Answer as a:
                status, body = a.status, a.body
            return self.send(status, body)

        auth_kind, credential = "none", "anonymous"
        fault = self.take_fault(method, path)
        try:
            if fault and fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000)
            auth_kind, credential = self.authenticate(path)
            rl_headers = self.rate_headers(credential)
            if fault and (fault.get("status") or fault.get("rate_limit")):
                status, body, headers = self.fault_answer(fault, rl_headers)
            else:
                status, body, extra = self.route(method, path, query, raw)
                headers = dict(rl_headers, **(extra or {}))
        except Answer as a:
            status, body, headers = a.status, a.body, a.headers
        with st.lock:
            st.requests.append({"method": method, "path": path, "status": status, "auth": auth_kind})
        self.send(status, body, headers, truncate=bool(fault and fault.get("truncate")))

    def take_fault(self, method, path):
        st = self.state
        with st.lock:
            for fault in st.faults:
                match = fault.get("match") or {}
                if match.get("method") and match["method"].upper() != method:
                    continue
                if match.get("path") and match["path"] not in path:
                    continue
                fault["times"] = fault.get("times", 1) - 1
                if fault["times"] <= 0:
                    st.faults.remove(fault)
                return dict(fault)
        return None

    def fault_answer(self, fault, rl_headers):
        headers = dict(rl_headers, **(fault.get("headers") or {}))
        retry_after = fault.get("retry_after")
        if fault.get("rate_limit") == "primary":
            headers.update({"x-ratelimit-remaining": "0",
                            "x-ratelimit-reset": str(int(time.time() + (retry_after or 60)))})
            status = fault.get("status", 403)
            body = {"message": "API rate limit exceeded for installation.", "documentation_url": DOCS}
        elif fault.get("rate_limit") == "secondary":
            if retry_after is not None:
                headers["retry-after"] = str(retry_after)
            status = fault.get("status", 403)
            body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                    "documentation_url": DOCS}
        else:
            status = fault["status"]
            if retry_after is not None:
                headers["retry-after"] = str(retry_after)
            body = {"message": {401: "Bad credentials", 404: "Not Found", 409: "Conflict",
                                422: "Validation Failed"}.get(status, "Server Error"), "documentation_url": DOCS}
        return status, fault.get("body", body), headers

    def rate_headers(self, credential):
        st = self.state
        with st.lock:
            used = st.budgets.get(credential, 0) + 1
            st.budgets[credential] = used
            limit = st.config["rate_limit"]
        reset = (int(time.time()) // 3600 + 1) * 3600
        return {"x-ratelimit-limit": limit, "x-ratelimit-remaining": max(0, limit - used),
                "x-ratelimit-reset": reset, "x-ratelimit-used": used, "x-ratelimit-resource": "core"}

    # ---- authentication -------------------------------------------------------------------
    def authenticate(self, path):
        if not self.headers.get("User-Agent"):
            raise Answer(403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header")
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:
            raise Answer(400, "Invalid API version: " + version)
        auth = self.headers.get("Authorization") or ""
        scheme, _, credential = auth.partition(" ")
        if not credential or scheme.lower() not in ("bearer", "token"):
            raise Answer(401, "Requires authentication")
        if path.startswith("/app") or path.endswith("/installation"):
            self.verify_jwt(credential)
            return "jwt", "app"
        installation = self.verify_token(credential)
        return "installation", "installation:%d" % installation

    def verify_jwt(self, token):
        st = self.state
        parts = token.split(".")
        if len(parts) != 3:
            raise Answer(401, "A JSON web token could not be decoded")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            raise Answer(401, "A JSON web token could not be decoded")
        if header.get("alg") != "RS256":
            raise Answer(401, "A JSON web token could not be decoded")
        try:
            st.public_key.verify(signature, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise Answer(401, "A JSON web token could not be decoded")
        now = time.time()
        iss, iat, exp = str(claims.get("iss")), claims.get("iat"), claims.get("exp")
        if iss not in (st.app_id, st.client_id):
            raise Answer(401, "'Issuer' claim ('iss') must be an Integer")
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise Answer(401, "'Issued at' claim ('iat') and 'Expiration time' claim ('exp') are required")
        if iat > now + 60:
            raise Answer(401, "'Issued at' claim ('iat') must be an Integer representing a time in the past")
        if exp <= now:
            raise Answer(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
        if exp > now + 600 + 5 or exp - iat > 660:
            raise Answer(401, "'Expiration time' claim ('exp') is too far in the future")

    def verify_token(self, token):
        st = self.state
        with st.lock:
            entry = st.tokens.get(token)
        if entry is None or entry["expires_at"] <= time.time():
            raise Answer(401, "Bad credentials")
        return entry["installation_id"]

    # ---- REST routes ----------------------------------------------------------------------
    def route(self, method, path, query, raw):
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["app", "installations"] and len(parts) == 4 and parts[3] == "access_tokens" and method == "POST":
            return self.mint_token(int(parts[2]) if parts[2].isdigit() else -1)
        if path.endswith("/installation") and method == "GET":
            return self.installation_for(parts)
        if parts[:3] == ["app", "hook", "deliveries"]:
            return self.deliveries_route(method, parts[3:], query)
        scope, rest = self.scope_of(parts)
        if scope is not None and rest[:2] == ["actions", "runners"]:
            self.check_installation_owns(scope)
            return self.runners_route(method, scope, rest[2:], query, raw)
        raise Answer(404, "Not Found")

    def scope_of(self, parts):
        if len(parts) >= 2 and parts[0] in ("orgs", "enterprises"):
            return parts[0] + "/" + parts[1], parts[2:]
        if len(parts) >= 3 and parts[0] == "repos":
            return "repos/%s/%s" % (parts[1], parts[2]), parts[3:]
        return None, parts

    def check_installation_owns(self, scope):
        st = self.state
        installation_id = int(self.current_credential().split(":")[1])
        account = st.installations.get(installation_id, {}).get("account")
        if scope.split("/")[1].lower() != (account or "").lower():
            raise Answer(403, "Resource not accessible by integration")

    def current_credential(self):
        token = (self.headers.get("Authorization") or "").partition(" ")[2]
        return "installation:%d" % self.verify_token(token)

    def mint_token(self, installation_id):
        st = self.state
        with st.lock:
            if installation_id not in st.installations:
                raise Answer(404, "Not Found")
            token = "ghs_" + secrets.token_hex(18)
            expires = time.time() + st.config["token_ttl"]
            st.tokens[token] = {"installation_id": installation_id, "expires_at": expires}
            st.tokens_minted[installation_id] = st.tokens_minted.get(installation_id, 0) + 1
        body = st.fixture("installation-access-token.201.json")
        body.update({"token": token, "expires_at": iso(expires), "repository_selection": "all", "repositories": []})
        return 201, body, None

    def installation_for(self, parts):
        st = self.state
        account = parts[1] if len(parts) >= 3 else ""
        for inst in st.installations.values():
            if inst["account"].lower() == account.lower():
                body = st.fixture("repo-installation.get.200.json")
                body.update({"id": inst["id"], "target_type": inst["target_type"], "app_id": int(st.app_id),
                             "access_tokens_url": "/app/installations/%d/access_tokens" % inst["id"]})
                body["account"].update({"login": inst["account"], "type": inst["target_type"]})
                return 200, body, None
        raise Answer(404, "Not Found")

    def runners_route(self, method, scope, rest, query, raw):
        st = self.state
        if rest == ["generate-jitconfig"] and method == "POST":
            return self.generate_jit(scope, self.json_body(raw))
        if not rest and method == "GET":
            with st.lock:
                runners = sorted(st.runners.get(scope, {}).values(), key=lambda r: r["id"])
            if "name" in query:
                runners = [r for r in runners if r["name"] == query["name"]]
            per_page = max(1, min(100, int(query.get("per_page", 30))))
            page = max(1, int(query.get("page", 1)))
            chunk = runners[(page - 1) * per_page: page * per_page]
            headers = {}
            last = max(1, (len(runners) + per_page - 1) // per_page)
            if page < last:
                base = "http://%s/%s/actions/runners?per_page=%d" % (self.headers.get("Host"), scope, per_page)
                if "name" in query:
                    base += "&name=" + quote(query["name"], safe="")
                headers["Link"] = '<%s&page=%d>; rel="next", <%s&page=%d>; rel="last"' % (base, page + 1, base, last)
            return 200, {"total_count": len(runners), "runners": chunk}, headers
        if len(rest) == 1 and rest[0].isdigit():
            runner_id = int(rest[0])
            with st.lock:
                runner = st.runners.get(scope, {}).get(runner_id)
                if runner is None:
                    raise Answer(404, "Not Found")
                if method == "GET":
                    return 200, runner, None
                if method == "DELETE":
                    if runner["busy"]:
                        raise Answer(422, 'Bad request - Runner "%s" is still running a job"' % runner["name"])
                    del st.runners[scope][runner_id]
                    return 204, None, None
        raise Answer(404, "Not Found")

    def generate_jit(self, scope, body):
        st = self.state
        name, group, labels = body.get("name"), body.get("runner_group_id"), body.get("labels")
        folder = body.get("work_folder", "_work")
        errors = []
        if not isinstance(name, str) or not name:
            errors.append("name is required")
        if not isinstance(group, int) or isinstance(group, bool) or group < 1:
            errors.append("runner_group_id is required")
        if not isinstance(labels, list) or not 1 <= len(labels) <= 100 or not all(isinstance(l, str) and l for l in labels):
            errors.append("labels must have between 1 and 100 items")
        if not isinstance(folder, str):
            errors.append("work_folder must be a string")
        if errors:
            raise Answer(422, "Validation Failed", body={"message": "Validation Failed", "errors": errors,
                                                         "documentation_url": DOCS})
        with st.lock:
            taken = any(r["name"] == name for r in st.runners.get(scope, {}).values())
            if taken:
                status = st.config["conflict_status"]
                message = "Already exists - A runner with the name %s already exists." % name
                raise Answer(status, message, body={"message": message if status == 409 else "Validation Failed",
                                                    "errors": [message], "documentation_url": DOCS})
            runner_id = st.next_runner_id
            st.next_runner_id += 1
            runner = {"id": runner_id, "name": name, "os": "unknown", "status": "offline", "busy": False,
                      "ephemeral": True, "runner_group_id": group,
                      "labels": [{"id": i + 1, "name": l, "type": "read-only" if l == "self-hosted" else "custom"}
                                 for i, l in enumerate(labels)]}
            st.runners.setdefault(scope, {})[runner_id] = runner
            files = {".runner": {"agentId": runner_id, "agentName": name, "poolId": group, "workFolder": folder,
                                 "ephemeral": True},
                     ".credentials": {"scheme": "OAuthAccessToken", "data": {"clientId": str(uuid.uuid4())}},
                     ".credentials_rsaparams": {"fake": secrets.token_hex(8)}}
            encoded = base64.b64encode(json.dumps(
                {k: base64.b64encode(json.dumps(v).encode()).decode() for k, v in files.items()}).encode()).decode()
            st.jit_configs.append({"runner_id": runner_id, "name": name, "scope": scope, "labels": labels,
                                   "runner_group_id": group, "work_folder": folder,
                                   "installation": self.current_credential(), "encoded_jit_config": encoded})
        return 201, {"runner": {k: v for k, v in runner.items() if k not in ("ephemeral", "runner_group_id")},
                     "encoded_jit_config": encoded}, None

    def deliveries_route(self, method, rest, query):
        st = self.state
        if not rest and method == "GET":
            per_page = max(1, min(100, int(query.get("per_page", 30))))
            with st.lock:
                items = list(st.deliveries)
            start = 0
            if "cursor" in query:
                cursor = query["cursor"]
                ids = [str(d["id"]) for d in items]
                if not cursor.startswith("v1_") or cursor[3:] not in ids:
                    raise Answer(422, "Validation Failed: invalid cursor")
                start = ids.index(cursor[3:])
            page = items[start: start + per_page]
            headers = {}
            if start + per_page < len(items):
                headers["Link"] = '<http://%s/app/hook/deliveries?per_page=%d&cursor=v1_%d>; rel="next"' % (
                    self.headers.get("Host"), per_page, items[start + per_page]["id"])
            return 200, [self.summary(d) for d in page], headers
        if rest and rest[0].isdigit():
            with st.lock:
                found = next((d for d in st.deliveries if d["id"] == int(rest[0])), None)
            if found is None:
                raise Answer(404, "Not Found")
            if len(rest) == 1 and method == "GET":
                detail = self.summary(found)
                detail.update({"url": st.config["webhook_url"] or "https://example.invalid/webhook",
                               "request": {"headers": {"X-GitHub-Event": found["event"],
                                                       "X-GitHub-Delivery": found["guid"]},
                                           "payload": found.get("payload")},
                               "response": {"headers": {}, "payload": None}})
                return 200, detail, None
            if rest[1:] == ["attempts"] and method == "POST":
                with st.lock:
                    st.redeliveries.append({"delivery_id": found["id"], "guid": found["guid"], "at": iso(time.time())})
                threading.Thread(target=self.redeliver, args=(found,), daemon=True).start()
                return 202, {}, None
        raise Answer(404, "Not Found")

    @staticmethod
    def summary(d):
        keys = ("id", "guid", "delivered_at", "redelivery", "duration", "status", "status_code", "event", "action",
                "installation_id", "repository_id")
        return {k: d.get(k) for k in keys}

    def redeliver(self, original):
        deliver(self.state, original["event"], original.get("payload"), original["guid"], redelivery=True)

    # ---- control API ----------------------------------------------------------------------
    def control(self, method, path, body):
        st = self.state
        parts = [p for p in path.split("/") if p][1:]
        if method == "GET" and parts == ["state"]:
            with st.lock:
                return 200, json.loads(json.dumps(st.snapshot()))
        if method != "POST":
            raise Answer(404, "Not Found")
        with st.lock:
            if parts == ["reset"]:
                st.reset()
                return 200, {}
            if parts == ["faults"]:
                st.faults.append(body)
                return 201, body
            if parts == ["config"]:
                st.config.update({k: v for k, v in body.items() if k in st.config})
                return 200, {k: v for k, v in st.config.items() if k != "webhook_secret"}
            if parts == ["installations"]:
                inst = {"id": int(body["id"]), "account": body["account"],
                        "target_type": body.get("target_type", "Organization")}
                st.installations[inst["id"]] = inst
                return 201, inst
            if parts == ["runners"]:
                runner_id = st.next_runner_id
                st.next_runner_id += 1
                runner = {"id": runner_id, "name": body["name"], "os": body.get("os", "linux"),
                          "status": body.get("status", "online"), "busy": bool(body.get("busy", False)),
                          "ephemeral": body.get("ephemeral", True),
                          "labels": [{"id": i + 1, "name": l, "type": "custom"}
                                     for i, l in enumerate(body.get("labels", ["self-hosted"]))]}
                st.runners.setdefault(body["scope"], {})[runner_id] = runner
                return 201, runner
            if len(parts) == 2 and parts[0] == "runners" and parts[1].isdigit():
                for runners in st.runners.values():
                    if int(parts[1]) in runners:
                        runners[int(parts[1])].update({k: v for k, v in body.items() if k in ("busy", "status")})
                        return 200, runners[int(parts[1])]
                raise Answer(404, "Not Found")
            if parts == ["deliveries"]:
                return 201, record_delivery(st, body)
        if parts == ["deliver"]:
            return 202, deliver(st, body.get("event", "workflow_job"), body.get("payload"), body.get("guid"))
        raise Answer(404, "Not Found")


def record_delivery(st, body):
    """Adds a delivery (caller holds the lock); newest first like GitHub."""
    delivery = {"id": st.next_delivery_id, "guid": body.get("guid") or str(uuid.uuid4()),
                "delivered_at": body.get("delivered_at") or iso(time.time()),
                "redelivery": bool(body.get("redelivery", False)), "duration": body.get("duration", 0.05),
                "status": body.get("status", "OK"), "status_code": body.get("status_code", 200),
                "event": body.get("event", "workflow_job"), "action": body.get("action"),
                "installation_id": body.get("installation_id"), "repository_id": body.get("repository_id"),
                "payload": body.get("payload")}
    st.next_delivery_id += 1
    st.deliveries.insert(0, delivery)
    return delivery


def deliver(st, event, payload, guid=None, redelivery=False):
    """POSTs a signed delivery to the configured webhook URL and records the outcome."""
    guid = guid or str(uuid.uuid4())
    url, secret = st.config["webhook_url"], st.config["webhook_secret"]
    status_code, status, started = 0, "no webhook URL configured", time.time()
    if url:
        data = json.dumps(payload or {}).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/standin",
                   "X-GitHub-Event": event, "X-GitHub-Delivery": guid, "X-GitHub-Hook-ID": "1"}
        if secret:
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as r:
                status_code, status = r.status, "OK"
        except urllib.error.HTTPError as e:
            status_code, status = e.code, "Invalid HTTP Response: %d" % e.code
        except (urllib.error.URLError, OSError):
            status_code, status = 0, "failed to connect"
    action = payload.get("action") if isinstance(payload, dict) else None
    installation = (payload or {}).get("installation", {}).get("id") if isinstance(payload, dict) else None
    with st.lock:
        return record_delivery(st, {"guid": guid, "event": event, "action": action, "status_code": status_code,
                                    "status": status, "installation_id": installation, "redelivery": redelivery,
                                    "duration": round(time.time() - started, 3), "payload": payload})


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app-public-key", required=True)
    parser.add_argument("--app-id", default="4242")
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--fixtures", default=os.path.join(here, "..", "GitHubTests", "Fixtures", "rest"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--installation", action="append")
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default=None)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()

    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("PORT=%d" % server.server_address[1], flush=True)
    if args.exit_on_stdin_eof:
        def watch():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
