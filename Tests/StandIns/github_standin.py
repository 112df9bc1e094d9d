#!/usr/bin/env python3
"""GitHub REST API stand-in for Runway's tests and demo (Python stdlib + `cryptography`).

It checks what GitHub checks for the calls Runway makes, on 127.0.0.1, and keeps its state in
memory so tests can inspect it.

Start:
    python3 github_standin.py (--app-public-key PUB.pem | --app-private-key-out KEY.pem)
        [--app-id 4242] [--client-id Iv1.x]
        [--fixtures DIR] [--port 0] [--installation ID:ACCOUNT[:Organization|User|Enterprise]]...
        [--webhook-url URL --webhook-secret S] [--exit-on-stdin-eof]
Code: this file (process, state, dispatch, faults), github_standin_rest.py (JWT/token checks
and REST routes), github_standin_control.py (control API, webhook sending).
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
Every answer carries x-ratelimit-{limit,remaining,reset,used,resource} per credential (the
App JWT and each installation have their own hourly budget, config `rate_limit`, default
5000; over budget answers 403 with remaining 0 until the reset) and x-github-request-id.
With --app-private-key-out the stand-in creates the App key pair itself (for the demo).

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
  POST /_standin/sink             a webhook receiver for self-tests: records headers and raw body
                                  in state "received" (point webhook_url here)
  POST /_standin/config           {"token_ttl": seconds, "conflict_status": 409|422,
                                   "webhook_url": ..., "webhook_secret": ...,
                                   "rate_limit": 5000}
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.hazmat.primitives import serialization

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from github_standin_control import ControlMixin  # noqa: E402
from github_standin_rest import DOCS, Answer, RestMixin  # noqa: E402


def generate_app_key(path):
    """Creates an RSA 2048 App key, writes the private half (PKCS#1 PEM, like GitHub's
    downloads) to `path` with mode 0600, and returns the public key."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key.public_key()


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.app_id = str(args.app_id)
        self.client_id = args.client_id
        if args.app_public_key:
            self.public_key = serialization.load_pem_public_key(open(args.app_public_key, "rb").read())
        else:
            self.public_key = generate_app_key(args.app_private_key_out)
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
        self.received = []        # webhook requests POSTed to /_standin/sink
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
            "received": self.received,
            "requests": self.requests,
            "faults": self.faults,
            "config": {k: v for k, v in self.config.items() if k != "webhook_secret"},
        }



class Handler(RestMixin, ControlMixin, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "github-standin"
    # Headers and body go out in two writes; without TCP_NODELAY the body waits for the client's
    # delayed ACK (~40 ms per call on Linux), which dominated the system benchmark's latency.
    disable_nagle_algorithm = True
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
        if path == "/_standin/sink" and method == "POST":
            with st.lock:
                st.received.append({"headers": dict(self.headers.items()), "body": raw.decode("utf-8", "replace")})
            return self.send(202, {})
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
            del st.requests[:-5000]  # a long demo run keeps the recent ones
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
        """Counts the call against the credential's hourly budget; over budget answers 403."""
        st = self.state
        now = time.time()
        with st.lock:
            window = st.budgets.get(credential)
            if window is None or window["reset"] <= now:
                window = st.budgets[credential] = {"used": 0, "reset": int(now) + 3600}
            window["used"] += 1
            used, reset, limit = window["used"], window["reset"], st.config["rate_limit"]
        headers = {"x-ratelimit-limit": limit, "x-ratelimit-remaining": max(0, limit - used),
                   "x-ratelimit-reset": reset, "x-ratelimit-used": min(used, limit), "x-ratelimit-resource": "core"}
        if used > limit:
            raise Answer(403, "API rate limit exceeded for %s." % credential.replace(":", " ID "), headers=headers)
        return headers


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app-public-key", help="PEM public key of the App (or use --app-private-key-out)")
    parser.add_argument("--app-private-key-out", help="generate the App key pair and write the private key here")
    parser.add_argument("--app-id", default="4242")
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--fixtures", default=os.path.join(here, "..", "GitHubTests", "Fixtures", "rest"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--installation", action="append")
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default=None)
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    args = parser.parse_args()
    if not args.app_public_key and not args.app_private_key_out:
        parser.error("one of --app-public-key or --app-private-key-out is required")

    Handler.state = State(args)
    ThreadingHTTPServer.request_queue_size = 256  # listen backlog (default 5) for bursts of launches
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
