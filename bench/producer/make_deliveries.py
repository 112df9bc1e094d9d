#!/usr/bin/env python3
"""Writes N signed workflow_job deliveries for the Producer benchmark, one per line:
delivery-id <TAB> X-Hub-Signature-256 <TAB> body. Each has a unique delivery id and job id so
every request is a real durable upsert."""
import hashlib
import hmac
import json
import sys

count, secret, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
with open(out, "w") as f:
    for i in range(1, count + 1):
        body = json.dumps({
            "action": "queued",
            "workflow_job": {"id": 10_000_000 + i, "run_id": 5_000_000 + i, "run_attempt": 1, "status": "queued",
                             "conclusion": None, "labels": ["self-hosted", "linux", "bench"], "runner_name": None,
                             "created_at": "2026-11-29T08:00:00Z", "started_at": "2026-11-29T08:00:00Z",
                             "completed_at": None, "name": "build", "workflow_name": "CI", "head_branch": "main"},
            "repository": {"id": 1, "name": "repo", "full_name": "octo/repo", "owner": {"login": "octo", "id": 7}},
            "organization": {"login": "octo", "id": 7}, "installation": {"id": 1},
        }, separators=(",", ":"))
        sig = "sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
        f.write(f"bench-{i}\t{sig}\t{body}\n")
