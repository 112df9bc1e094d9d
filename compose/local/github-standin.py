#!/usr/bin/env python3
"""Starts Tests/StandIns/github_standin.py for the local compose stack.

The stand-in is written for tests on loopback (it binds 127.0.0.1 and takes the App's public key);
in a container it must listen on every address, and the stack has the App's private key as a
secret. This launcher derives the public key, binds 0.0.0.0 and runs the stand-in unchanged.

  github-standin.py PRIVATE_KEY_PEM [stand-in arguments...]
"""
import http.server
import runpy
import sys

from cryptography.hazmat.primitives import serialization

STANDIN = "/opt/runway/Tests/StandIns/github_standin.py"


class AnyAddressServer(http.server.ThreadingHTTPServer):
    """The stand-in's server class, listening on all addresses of the container."""

    def __init__(self, address, handler, *args, **kwargs):
        super().__init__(("0.0.0.0", address[1]), handler, *args, **kwargs)


def main() -> None:
    private_pem = open(sys.argv[1], "rb").read()
    key = serialization.load_pem_private_key(private_pem, password=None)
    public_path = "/tmp/github-app-public-key.pem"
    with open(public_path, "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))
    http.server.ThreadingHTTPServer = AnyAddressServer
    sys.argv = [STANDIN, "--app-public-key", public_path] + sys.argv[2:]
    runpy.run_path(STANDIN, run_name="__main__")


if __name__ == "__main__":
    main()
