#!/usr/bin/env python3
"""The AWS endpoint of `make bench-system`: a recording front for moto.

    python3 aws_endpoint.py --upstream http://127.0.0.1:MOTO [--mode fast|proxy]

The Orchestrator's `AWS_ENDPOINT_URL` points here. Every `RunInstances` request is timestamped
on arrival (`time.monotonic()`, CLOCK_MONOTONIC, comparable with the load generator's clock) and
correlated to its job by the `runway:job` tag in the form body.

- `proxy`: every request is forwarded to moto unchanged (the Host header too, so moto's SigV4
  check still passes) — the honest "moto is the AWS endpoint" set-up.
- `fast`: the calls on the launch path — `RunInstances`, `DescribeInstances` filtered by the
  `runway:runner` / `runway:pool` tags, `TerminateInstances` — are answered here from an
  in-memory index in moto's XML shape; everything else (STS `GetCallerIdentity` for /readyz, the
  start-up preflight) goes to moto. moto's `DescribeInstances` with a tag filter scans every
  instance and takes seconds once a thousand exist, which would measure moto, not Runway
  (docs/benchmarks.md). A repeated `ClientToken` returns the first instance, as EC2 does.

The first stdout line is `PORT=<n>`. Control (plain HTTP, no auth):
  GET  /_bench/launches   {"launches": [[job_id, runner_name, arrival_monotonic], ...],
                           "run_instances": total RunInstances requests, "other": other requests}
                           (`?summary=1`: the two counts only)
  POST /_bench/reset      forget the recorded launches (not the instances)
  POST /_bench/mode/M     switch to mode M (fast or proxy)
"""
import argparse
import http.client
import itertools
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


class State:
    def __init__(self, upstream, mode):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.mode = mode
        self.lock = threading.Lock()
        self.launches = []  # (job id, runner name, monotonic arrival)
        self.run_instances = 0
        self.other = 0
        self.by_token = {}  # ClientToken -> instance
        self.by_runner = {}  # runner name -> [instance]
        self.by_pool = {}  # pool -> [instance]
        self.ids = itertools.count(1)
        self.local = threading.local()

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
            self.local.conn = conn
        return conn


def tags_of(form):
    """`TagSpecification.1.Tag.N.Key/Value` of the instance specification → dict."""
    tags, keys = {}, {}
    for name, value in form.items():
        if name.startswith("TagSpecification.1.Tag.") and name.endswith(".Key"):
            keys[name[: -len(".Key")]] = value
    for prefix, key in keys.items():
        tags[key] = form.get(prefix + ".Value", "")
    return tags


def filters_of(form):
    filters, i = {}, 1
    while f"Filter.{i}.Name" in form:
        values, j = [], 1
        while f"Filter.{i}.Value.{j}" in form:
            values.append(form[f"Filter.{i}.Value.{j}"])
            j += 1
        filters[form[f"Filter.{i}.Name"]] = values
        i += 1
    return filters


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def instance_xml(inst):
    tags = "".join(f"<item><key>{esc(k)}</key><value>{esc(v)}</value></item>" for k, v in inst["tags"].items())
    code = 0 if inst["state"] == "pending" else 48
    return (f"<item><instanceId>{inst['id']}</instanceId><imageId>{esc(inst['image'])}</imageId>"
            f"<instanceState><code>{code}</code><name>{inst['state']}</name></instanceState>"
            f"<instanceType>{esc(inst['type'])}</instanceType><launchTime>{inst['launch']}</launchTime>"
            f"<clientToken>{esc(inst['token'])}</clientToken><subnetId>{esc(inst['subnet'])}</subnetId>"
            f"<privateIpAddress>10.0.0.1</privateIpAddress><groupSet></groupSet>"
            f"<metadataOptions><httpTokens>required</httpTokens><httpPutResponseHopLimit>1</httpPutResponseHopLimit>"
            f"</metadataOptions><tagSet>{tags}</tagSet></item>")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall
    state = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, content_type="text/xml;charset=UTF-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        arrival = time.monotonic()
        st = self.state
        if self.path.startswith("/_bench/"):
            return self.control(st)
        form = {}
        if body and self.command == "POST" and b"Action=" in body:
            form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        action = form.get("Action")
        if action == "RunInstances":
            tags = tags_of(form)
            with st.lock:
                st.run_instances += 1
                st.launches.append((tags.get("runway:job"), tags.get("runway:runner"), arrival))
        else:
            with st.lock:
                st.other += 1
        if st.mode == "fast" and action in ("RunInstances", "DescribeInstances", "TerminateInstances"):
            answer = getattr(self, action.lower())(st, form)
            if answer is not None:
                return self.reply(200, answer.encode())
        self.forward(st, body)

    def forward(self, st, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        for attempt in range(2):
            conn = st.connection()
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                st.local.conn = None
                if attempt:
                    return self.reply(502, b"upstream unreachable", "text/plain")
        passed = [(k, v) for k, v in answer.getheaders()
                  if k.lower() not in ("content-length", "connection", "transfer-encoding", "content-type", "date", "server")]
        self.reply(answer.status, data, answer.getheader("Content-Type") or "text/xml", passed)

    def runinstances(self, st, form):
        tags = tags_of(form)
        token = form.get("ClientToken", "")
        with st.lock:
            inst = st.by_token.get(token) if token else None
            if inst is None:
                inst = {"id": "i-%017x" % next(st.ids), "image": form.get("ImageId", ""),
                        "type": form.get("InstanceType", ""), "subnet": form.get("SubnetId", ""),
                        "launch": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                        "token": token, "tags": tags, "state": "pending"}
                if token:
                    st.by_token[token] = inst
                st.by_runner.setdefault(tags.get("runway:runner"), []).append(inst)
                st.by_pool.setdefault(tags.get("runway:pool"), []).append(inst)
            item = instance_xml(inst)
        return (f'<?xml version="1.0" encoding="UTF-8"?><RunInstancesResponse xmlns="{NS}">'
                f"<requestId>bench</requestId><reservationId>r-{inst['id'][2:]}</reservationId>"
                f"<ownerId>123456789012</ownerId><groupSet></groupSet><instancesSet>{item}</instancesSet>"
                f"</RunInstancesResponse>")

    def describeinstances(self, st, form):
        filters = filters_of(form)
        states = set(filters.pop("instance-state-name", []))
        runners, pools = filters.pop("tag:runway:runner", None), filters.pop("tag:runway:pool", None)
        if filters or form.get("InstanceId.1") or (runners is None and pools is None):
            return None  # not a launch-path query: moto answers
        with st.lock:
            found = [i for r in runners for i in st.by_runner.get(r, [])] if runners is not None else \
                    [i for p in pools for i in st.by_pool.get(p, [])]
            if runners is not None and pools is not None:
                found = [i for i in found if i["tags"].get("runway:pool") in pools]
            found = [i for i in found if not states or i["state"] in states]
            start = int(form.get("NextToken") or 0)
            size = int(form.get("MaxResults") or 1000)
            page = found[start:start + size]
            items = "".join(f"<item><reservationId>r-{i['id'][2:]}</reservationId><ownerId>123456789012</ownerId>"
                            f"<groupSet></groupSet><instancesSet>{instance_xml(i)}</instancesSet></item>" for i in page)
        token = f"<nextToken>{start + size}</nextToken>" if start + size < len(found) else ""
        return (f'<?xml version="1.0" encoding="UTF-8"?><DescribeInstancesResponse xmlns="{NS}">'
                f"<requestId>bench</requestId><reservationSet>{items}</reservationSet>{token}</DescribeInstancesResponse>")

    def terminateinstances(self, st, form):
        ids = {v for k, v in form.items() if k.startswith("InstanceId.")}
        items = []
        with st.lock:
            for inst in (i for group in st.by_runner.values() for i in group if i["id"] in ids):
                items.append(f"<item><instanceId>{inst['id']}</instanceId><previousState><code>16</code>"
                             f"<name>{inst['state']}</name></previousState><currentState><code>48</code>"
                             f"<name>terminated</name></currentState></item>")
                inst["state"] = "terminated"
        return (f'<?xml version="1.0" encoding="UTF-8"?><TerminateInstancesResponse xmlns="{NS}">'
                f"<requestId>bench</requestId><instancesSet>{''.join(items)}</instancesSet></TerminateInstancesResponse>")

    def control(self, st):
        if self.path.startswith("/_bench/launches"):
            with st.lock:
                answer = {"run_instances": st.run_instances, "other": st.other}
                if "summary" not in self.path:
                    answer["launches"] = list(st.launches)
            return self.reply(200, json.dumps(answer).encode(), "application/json")
        if self.path.startswith("/_bench/mode/"):
            st.mode = self.path.rsplit("/", 1)[1]
            return self.reply(200, b"{}", "application/json")
        if self.path.startswith("/_bench/reset"):
            with st.lock:
                st.launches, st.run_instances, st.other = [], 0, 0
            return self.reply(200, b"{}", "application/json")
        self.reply(404, b"{}", "application/json")

    do_GET = do_POST = do_PUT = do_DELETE = route


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--mode", choices=["fast", "proxy"], default="fast")
    args = parser.parse_args()
    Handler.state = State(args.upstream, args.mode)
    server = Server(("127.0.0.1", 0), Handler)
    print(f"PORT={server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
