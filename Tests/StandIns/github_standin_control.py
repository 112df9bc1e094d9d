"""Control API of the GitHub API stand-in (`/_standin/...`) and webhook sending. Mixed into
the request handler of github_standin.py (see its docstring for the API)."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

from github_standin_rest import Answer, iso


class ControlMixin:
    """`/_standin/...` routes; expects `self.state`."""

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
