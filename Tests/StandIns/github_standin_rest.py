"""REST side of the GitHub API stand-in: authentication (App JWT, installation tokens) and the
endpoints Runway calls. Mixed into the request handler of github_standin.py (see its docstring)."""

import base64
import json
import secrets
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
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




class RestMixin:
    """Authentication and REST routes; expects `self.state`, `self.headers`, `self.json_body`."""

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
                                   "installation": self.current_credential(), "encoded_jit_config": encoded,
                                   "traceparent": self.headers.get("traceparent")})
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
        from github_standin_control import deliver
        deliver(self.state, original["event"], original.get("payload"), original["guid"], redelivery=True)
