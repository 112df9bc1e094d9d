#!/usr/bin/env python3
"""Loopback HTTP(S) server for the HTTPClient tests.

Binds 127.0.0.1 on port 0, prints the port on the first line of stdout, and exits when its
stdin closes (so it never outlives the test process). With --cert/--key it speaks TLS.

Routes (any method):
  /echo                 200, JSON {method, path, query, headers: [[name, value]...], body}
  /multi                200 with two X-Multi and two Set-Cookie fields
  /slow?ms=N            waits N ms, then 200
  /flaky?key=K&fail=N&status=S&retry_after=V
                        the first N hits for K answer S (default 503) with Retry-After V if given,
                        later hits 200 "ok"
  /hits?key=K           how many times /flaky was hit for K
  /bytes?n=N            200 with N bytes
  /peer                 the client's source port (shows connection reuse)
  /redirect             302 to /echo
"""
import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

hits = {}
hits_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = url.path
        if path == "/echo":
            answer = {
                "method": self.command,
                "path": path,
                "query": url.query,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
            }
            self._send(200, json.dumps(answer).encode(), [("Content-Type", "application/json")])
        elif path == "/multi":
            self._send(200, b"multi", [("X-Multi", "a"), ("X-Multi", "b"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
        elif path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            self._send(200, b"slow")
        elif path == "/flaky":
            key = query.get("key", "")
            with hits_lock:
                hits[key] = hits.get(key, 0) + 1
                count = hits[key]
            if count <= int(query.get("fail", "1")):
                headers = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
                self._send(int(query.get("status", "503")), b"try later", headers)
            else:
                self._send(200, b"ok")
        elif path == "/hits":
            with hits_lock:
                count = hits.get(query.get("key", ""), 0)
            self._send(200, str(count).encode())
        elif path == "/bytes":
            self._send(200, b"x" * int(query.get("n", "0")))
        elif path == "/peer":
            self._send(200, str(self.client_address[1]).encode())
        elif path == "/redirect":
            self._send(302, b"", [("Location", "/echo")])
        else:
            self._send(404, b"not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _route


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def handle_error(self, request, client_address):
        pass  # clients that time out or fail TLS leave broken sockets behind; that is expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)

    def exit_when_parent_goes():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
