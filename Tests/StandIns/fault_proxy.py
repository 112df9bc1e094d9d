#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for Runway's fault test (Python stdlib only).

    fault_proxy.py --target http://127.0.0.1:PORT [--throttle 0.2] [--drop] [--seed N]

Listens on 127.0.0.1 (port 0 unless --port) and prints `PORT=<n>` as its first stdout line.
Every request is forwarded to --target byte for byte: same method, path and query, every header
as the client sent it (Host included, so a SigV4 signature made for the proxy's address still
verifies at the target; only the hop-by-hop `Connection`/`Keep-Alive` are not passed on), same
body. The target's status, headers and body come back unchanged (a chunked answer is relayed
with a Content-Length instead).

Faults:
- throttle P: each request is answered, without reaching the target, with the throttling error
  AWS would send, with probability P. The shape follows the service in the SigV4 credential
  scope of the request's Authorization header:
    ec2   HTTP 503 `<Response><Errors><Error><Code>RequestLimitExceeded</Code>…` (EC2 XML)
    sts   HTTP 400 `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>…` (Query XML)
    other HTTP 429 `{"message": "Rate exceeded"}` with `x-amzn-ErrorType: ThrottlingException`
          (REST-JSON, e.g. EKS)
- drop: each request is read and the connection closed without an answer (the caller sees an
  empty reply, as when a peer dies mid-request).

Control (never forwarded):
  GET  /_faultproxy/stats    {"forwarded": n, "throttled": {"RequestLimitExceeded": n, ...},
                              "dropped": n, "upstream_errors": n}
  POST /_faultproxy/config   {"throttle": 0.2, "drop": true}  (either key; answers the new config)
"""
import argparse
import http.client
import json
import random
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}
SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([a-z0-9-]+)/aws4_request")


class Proxy:
    def __init__(self, target, throttle, drop, seed):
        parts = urlsplit(target)
        self.host, self.port = parts.hostname, parts.port or 80
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.config = {"throttle": throttle, "drop": drop}
        self.stats = {"forwarded": 0, "throttled": {}, "dropped": 0, "upstream_errors": 0}

    def decide(self):
        """'drop', 'throttle' or 'forward' for the next request."""
        with self.lock:
            if self.config["drop"]:
                self.stats["dropped"] += 1
                return "drop"
            if self.config["throttle"] > 0 and self.random.random() < self.config["throttle"]:
                return "throttle"
            return "forward"

    def count(self, key, code=None):
        with self.lock:
            if code is None:
                self.stats[key] += 1
            else:
                self.stats[key][code] = self.stats[key].get(code, 0) + 1


def throttle_answer(authorization):
    """(status, headers, body, code) of the throttling error for the request's service."""
    match = SCOPE.search(authorization or "")
    service = match.group(1) if match else ""
    request_id = str(uuid.uuid4())
    if service == "ec2":
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                f"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
        return 503, [("Content-Type", "text/xml;charset=UTF-8")], body.encode(), "RequestLimitExceeded"
    if service == "sts":
        body = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                f"<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return 400, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body.encode(), "Throttling"
    body = json.dumps({"message": "Rate exceeded"}).encode()
    return 429, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ThrottlingException"),
                 ("x-amzn-RequestId", request_id)], body, "ThrottlingException"


def make_handler(proxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, headers, body):
            self.send_response_only(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting (its timeout)

        def control(self, body):
            if self.command == "GET" and self.path == "/_faultproxy/stats":
                with proxy.lock:
                    data = json.dumps(proxy.stats).encode()
                return self.answer(200, [("Content-Type", "application/json")], data)
            if self.command == "POST" and self.path == "/_faultproxy/config":
                change = json.loads(body or b"{}")
                with proxy.lock:
                    proxy.config.update({k: change[k] for k in ("throttle", "drop") if k in change})
                    data = json.dumps(proxy.config).encode()
                return self.answer(200, [("Content-Type", "application/json")], data)
            return self.answer(404, [("Content-Type", "application/json")], b'{"error": "unknown control path"}')

        def serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/_faultproxy/"):
                return self.control(body)
            action = proxy.decide()
            if action == "drop":
                self.close_connection = True
                return
            if action == "throttle":
                status, headers, data, code = throttle_answer(self.headers.get("Authorization"))
                proxy.count("throttled", code)
                return self.answer(status, headers, data)
            self.forward(body)

        def forward(self, body):
            upstream = http.client.HTTPConnection(proxy.host, proxy.port, timeout=60)
            try:
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        upstream.putheader(name, value)
                upstream.endheaders(body if body else None)
                response = upstream.getresponse()
                data = response.read()
                headers = [(k, v) for k, v in response.getheaders()
                           if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
            except (OSError, http.client.HTTPException):
                proxy.count("upstream_errors")
                return self.answer(502, [("Content-Type", "text/plain")], b"fault proxy: target unreachable")
            finally:
                upstream.close()
            proxy.count("forwarded")
            self.answer(response.status, headers, data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = serve

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="http://host:port to forward to")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--throttle", type=float, default=0.0, help="share of requests answered with throttling")
    parser.add_argument("--drop", action="store_true", help="close every connection without an answer")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    proxy = Proxy(args.target, args.throttle, args.drop, args.seed)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(proxy))
    server.daemon_threads = True
    print("PORT=%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
