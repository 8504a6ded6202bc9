#!/usr/bin/python3
"""Fake Zoom API v2 + OAuth server for the zoom tests (docs/zoom.md).

Listens on 127.0.0.1 and a free port, prints "PORT <n>" when ready.
  POST /oauth/token                      Server-to-Server OAuth (§1)
  /v2/...                                the endpoints sala's adapter uses (§2-§7)
  GET  /rec/download/<file>              302 -> /storage/<file> (needs the bearer token)
Control (tests only):
  POST /_control/reset      {"users":[...], "account_id", "client_id", "client_secret",
                             "daily_create_limit" (default 100, per host and UTC day)}
  POST /_control/fault      {"method","path","status","body","headers","delay","times"}
                            (path is a prefix of the request path; times: how many answers)
  POST /_control/expire_tokens            every issued token now answers 401 code 124
  POST /_control/live/<webinar id>        mark a webinar live (Zoom has no start API)
  POST /_control/report/<webinar id>      [participants]
  POST /_control/recordings/<webinar id>  [{"id","file_type","content"}]
  GET  /_control/state                    webinars, passwords, settings, trash, log
The server checks methods, paths, auth headers and bodies and answers Zoom's
{"code","message"} errors; every request is logged for the tests."""

import base64
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {}
PASSCODE_RE = re.compile(r"^[A-Za-z0-9@\-_*!]{0,10}$")
UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MEETING_ONLY = {"participant_video", "join_before_host", "waiting_room", "mute_upon_entry", "encryption_type"}


def reset(cfg):
    STATE.clear()
    STATE.update({
        "account_id": cfg.get("account_id", "acct-1"),
        "client_id": cfg.get("client_id", "cid-1"),
        "client_secret": cfg.get("client_secret", "csecret-1"),
        "users": {u["id"]: u for u in cfg.get("users", [])},
        "user_order": [u["id"] for u in cfg.get("users", [])],
        "tokens": {},            # token -> "valid" | "expired"
        "tokens_issued": 0,
        "webinars": {},
        "next_webinar": 81234567890,
        "passwords": {},
        "settings": {},
        "reports": {},
        "recordings": {},
        "files": {},
        "trash": [],
        "faults": [],
        # docs/zoom.md §8: webinar create/update, 100 a day per host (UTC day).
        "daily_create_limit": cfg.get("daily_create_limit", 100),
        "creates_today": {},
        "log": [],
    })


reset({})


def decode_segment(seg):
    # docs/zoom.md §0: a UUID may arrive encoded twice.
    seg = urllib.parse.unquote(seg)
    if "%" in seg:
        seg = urllib.parse.unquote(seg)
    return seg


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    # -- plumbing -----------------------------------------------------------
    def reply(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message):
        self.reply(status, {"code": code, "message": message})

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def json_body(self, raw):
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self.error(400, 300, "Content-Type must be application/json")
            return None
        try:
            return json.loads(raw.decode())
        except ValueError:
            self.error(400, 300, "Malformed JSON")
            return None

    def handle_any(self, method):
        try:
            self.dispatch(method)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        raw = self.read_body()
        path = url.path
        if not path.startswith("/_control"):
            with LOCK:
                STATE["log"].append({"method": method, "path": path, "query": url.query,
                                     "auth": self.headers.get("Authorization", "")[:6],
                                     "body": raw.decode(errors="replace")})
                fault = None
                for f in STATE["faults"]:
                    if f["times"] > 0 and f.get("method", method) == method and path.startswith(f["path"]):
                        f["times"] -= 1
                        fault = dict(f)
                        break
            if fault:
                if fault.get("delay"):
                    time.sleep(fault["delay"])
                if fault.get("status"):
                    return self.reply(fault["status"], fault.get("body"), fault.get("headers"))
        if path.startswith("/_control/"):
            return self.control(method, path, raw)
        if path == "/oauth/token":
            return self.oauth(method, query, raw)
        if path.startswith("/storage/"):
            return self.storage(path)
        if not self.authorised(query):
            return
        if path.startswith("/rec/download/"):
            fid = path[len("/rec/download/"):]
            if fid not in STATE["files"]:
                return self.error(404, 3301, "No such file")
            return self.reply(302, None, {"Location": "/storage/" + fid + "?sig=s"})
        if path.startswith("/v2/"):
            return self.api(method, path[3:], query, raw)
        self.error(404, 404, "No route")

    def do_GET(self): self.handle_any("GET")
    def do_POST(self): self.handle_any("POST")
    def do_PUT(self): self.handle_any("PUT")
    def do_PATCH(self): self.handle_any("PATCH")
    def do_DELETE(self): self.handle_any("DELETE")

    # -- control ------------------------------------------------------------
    def control(self, method, path, raw):
        arg = json.loads(raw.decode()) if raw else {}
        with LOCK:
            if path == "/_control/reset":
                reset(arg)
            elif path == "/_control/fault":
                arg.setdefault("times", 1)
                STATE["faults"].append(arg)
            elif path == "/_control/expire_tokens":
                for t in STATE["tokens"]:
                    STATE["tokens"][t] = "expired"
            elif path.startswith("/_control/live/"):
                wid = path.rsplit("/", 1)[1]
                w = STATE["webinars"].get(wid)
                if not w:
                    return self.error(404, 3001, "no webinar")
                if any(o["live"] for o in STATE["webinars"].values() if o["host_id"] == w["host_id"]):
                    return self.error(400, 3000, "host already has a live webinar")  # §10
                w["live"] = True
            elif path.startswith("/_control/report/"):
                STATE["reports"][path.rsplit("/", 1)[1]] = arg
            elif path.startswith("/_control/recordings/"):
                wid = path.rsplit("/", 1)[1]
                STATE["recordings"][wid] = arg
                for f in arg:
                    STATE["files"][f["id"]] = f["content"]
            elif path == "/_control/state":
                state = {k: v for k, v in STATE.items() if k not in ("files",)}
                return self.reply(200, state)
            else:
                return self.error(404, 404, "unknown control")
        self.reply(200, {"ok": True})

    # -- OAuth (§1) ---------------------------------------------------------
    def oauth(self, method, query, raw):
        if method != "POST":
            return self.reply(405, {"reason": "method", "error": "invalid_request"})
        params = dict(query)
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            params.update(urllib.parse.parse_qs(raw.decode()))
        expected = "Basic " + base64.b64encode(
            (STATE["client_id"] + ":" + STATE["client_secret"]).encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self.reply(401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
        if params.get("grant_type") != ["account_credentials"]:
            return self.reply(400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"})
        if params.get("account_id") != [STATE["account_id"]]:
            return self.reply(400, {"reason": "Invalid account_id", "error": "invalid_request"})
        with LOCK:
            STATE["tokens_issued"] += 1
            token = "tok-%d" % STATE["tokens_issued"]
            STATE["tokens"][token] = "valid"
        self.reply(200, {"access_token": token, "token_type": "bearer", "expires_in": 3600,
                         "scope": "user:read:admin webinar:write:admin"})

    def authorised(self, query):
        if "access_token" in query:
            self.error(401, 124, "Invalid access token, this access token is not supported as query parameter string.")
            return False
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            self.error(401, 124, "Invalid access token.")
            return False
        state = STATE["tokens"].get(auth[7:])
        if state == "expired":
            self.error(401, 124, "Access token is expired.")
            return False
        if state != "valid":
            self.error(401, 124, "Invalid access token.")
            return False
        return True

    def storage(self, path):
        fid = path[len("/storage/"):]
        content = STATE["files"].get(fid)
        if content is None:
            return self.error(404, 3301, "No such file")
        data = content.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # -- API (§2-§7) --------------------------------------------------------
    def page(self, items, key, query):
        size = min(int(query.get("page_size", ["30"])[0]), 300)
        token = query.get("next_page_token", [""])[0]
        start = 0
        if token:
            if not token.startswith("np:"):
                return self.error(400, 300, "The next page token is invalid or expired.")
            start = int(token[3:])
        chunk = items[start:start + size]
        nxt = "np:%d" % (start + size) if start + size < len(items) else ""
        self.reply(200, {"page_size": size, "total_records": len(items), "next_page_token": nxt, key: chunk})

    def api(self, method, path, query, raw):
        parts = [decode_segment(p) for p in path.strip("/").split("/")]
        with LOCK:
            users, webinars = STATE["users"], STATE["webinars"]
            if parts == ["users"] and method == "GET":
                status = query.get("status", ["active"])[0]
                items = [{k: users[i][k] for k in ("id", "email", "first_name", "last_name", "type", "role_id")}
                         for i in STATE["user_order"] if users[i].get("status", "active") == status]
                return self.page(items, "users", query)
            if len(parts) >= 2 and parts[0] == "users":
                uid = parts[1]
                if uid not in users:
                    return self.error(404, 1001, "User does not exist: " + uid)
                user = users[uid]
                if len(parts) == 2 and method == "GET":
                    return self.reply(200, dict(user))
                if parts[2:] == ["settings"] and method == "GET":
                    return self.reply(200, {"feature": user.get("feature", {}),
                                            "in_meeting": STATE["settings"].get(uid, {})})
                if parts[2:] == ["settings"] and method == "PATCH":
                    body = self.json_body(raw)
                    if body is None:
                        return
                    if set(body) != {"in_meeting"} or not set(body["in_meeting"]) <= {"waiting_room", "auto_saving_chat"} \
                            or not all(isinstance(v, bool) for v in body["in_meeting"].values()):
                        return self.error(400, 300, "Validation Failed.")
                    STATE["settings"].setdefault(uid, {}).update(body["in_meeting"])
                    return self.reply(204)
                if parts[2:] == ["password"] and method == "PUT":
                    body = self.json_body(raw)
                    if body is None:
                        return
                    pw = body.get("password")
                    if not isinstance(pw, str) or len(pw) < 8:
                        return self.error(400, 1124, "Have at least 8 characters")
                    if len(pw) > 31:
                        return self.error(400, 300, "Password should be less than 32 characters")
                    if STATE["passwords"].get(uid) == pw:
                        return self.error(400, 300, "New password can not be the same as the old one")
                    STATE["passwords"][uid] = pw
                    return self.reply(204)
                if parts[2:] == ["webinars"] and method == "POST":
                    return self.create_webinar(user, raw)
            if len(parts) >= 2 and parts[0] == "webinars":
                wid = parts[1]
                w = webinars.get(wid)
                if w is None:
                    return self.error(404, 3001, "Webinar %s not found or has expired." % wid)
                if len(parts) == 2 and method == "DELETE":
                    if w["live"]:
                        return self.error(400, 3002, "Webinar is in progress and can not be deleted.")
                    del webinars[wid]
                    return self.reply(204)
                if parts[2:] == ["status"] and method == "PUT":
                    body = self.json_body(raw)
                    if body is None:
                        return
                    if body != {"action": "end"}:
                        return self.error(400, 300, "Invalid action")
                    w["live"] = False
                    w["ended"] = True
                    return self.reply(204)
            if parts[:2] == ["report", "webinars"] and parts[3:] == ["participants"] and method == "GET":
                rows = STATE["reports"].get(parts[2])
                if rows is None:
                    return self.error(404, 3001, "Webinar does not exist.")
                return self.page(rows, "participants", query)
            if parts[0] == "meetings" and parts[2:] == ["recordings"]:
                wid = parts[1]
                files = STATE["recordings"].get(wid)
                if method == "GET":
                    if not files:
                        return self.error(404, 3301, "There is no recording for this meeting")
                    base = "http://%s:%d" % self.server.server_address[:2]
                    return self.reply(200, {"id": int(wid) if wid.isdigit() else wid, "recording_count": len(files),
                                            "recording_files": [
                                                {"id": f["id"], "file_type": f["file_type"],
                                                 "file_size": len(f["content"]), "status": "completed",
                                                 "download_url": base + "/rec/download/" + f["id"]}
                                                for f in files]})
                if method == "DELETE":
                    if query.get("action", ["trash"]) != ["trash"]:
                        return self.error(400, 300, "sala must only trash")
                    if not files:
                        return self.error(404, 3301, "There is no recording for this meeting")
                    STATE["trash"].append(wid)
                    del STATE["recordings"][wid]
                    return self.reply(204)
        self.error(404, 300, "No route for %s %s" % (method, path))

    def create_webinar(self, user, raw):
        body = self.json_body(raw)
        if body is None:
            return
        if not user.get("feature", {}).get("webinar"):
            return self.error(400, 200, "Subscription plan for webinar is missing.")
        day = time.strftime("%Y-%m-%d", time.gmtime())
        key = user["id"] + "/" + day
        if STATE["creates_today"].get(key, 0) >= STATE["daily_create_limit"]:
            return self.reply(429, {"code": 429, "message": "You have exceeded the daily rate limit (%d) of Webinar "
                                    "Create/Update API requests permitted for this particular user."
                                    % STATE["daily_create_limit"]},
                              {"X-RateLimit-Category": "Light", "X-RateLimit-Type": "Daily-limit",
                               "X-RateLimit-Limit": str(STATE["daily_create_limit"]), "X-RateLimit-Remaining": "0",
                               "Retry-After": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() + 86400))})
        STATE["creates_today"][key] = STATE["creates_today"].get(key, 0) + 1
        errors = []
        if not isinstance(body.get("topic"), str) or not body["topic"] or len(body["topic"]) > 200:
            errors.append("topic")
        if body.get("type") != 5:
            errors.append("type")
        if not isinstance(body.get("start_time"), str) or not UTC_RE.match(body["start_time"]):
            errors.append("start_time")
        if not isinstance(body.get("duration"), int) or body["duration"] <= 0:
            errors.append("duration")
        if "timezone" in body and not isinstance(body["timezone"], str):
            errors.append("timezone")
        if "password" in body and not (isinstance(body["password"], str) and PASSCODE_RE.match(body["password"])):
            errors.append("password")
        settings = body.get("settings", {})
        if settings.get("approval_type") not in (0, 1, 2) or MEETING_ONLY & set(settings):
            errors.append("settings")
        if errors:
            return self.reply(400, {"code": 300, "message": "Validation Failed.",
                                    "errors": [{"field": f, "message": "Invalid field."} for f in errors]})
        wid = str(STATE["next_webinar"])
        STATE["next_webinar"] += 1
        w = {"id": int(wid), "uuid": "u/%s//x==" % wid, "host_id": user["id"], "topic": body["topic"],
             "type": 5, "start_time": body["start_time"], "duration": body["duration"],
             "timezone": body.get("timezone", ""), "password": body.get("password", ""),
             "agenda": body.get("agenda", ""), "settings": settings,
             "join_url": "https://zoom.test/w/%s?tk=join" % wid,
             "start_url": "https://zoom.test/s/%s?zak=host" % wid, "live": False}
        STATE["webinars"][wid] = w
        self.reply(201, {k: v for k, v in w.items() if k != "live"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    main()
