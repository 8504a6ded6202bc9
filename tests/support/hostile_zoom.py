#!/usr/bin/python3
"""A hostile Zoom peer for the zoom tests: a hand-written HTTP/1.1 server on
127.0.0.1 and a free port (prints "PORT <n>") that plays a small Zoom
(docs/zoom.md) until a mode makes it misbehave. It writes raw bytes, so it can
send what no well-behaved server library would: endless bodies and headers,
lying lengths, broken status lines, slow drips.

Credentials: account "acct-h", client "cid-hostile", secret "sec-hostile-42";
tokens are "tokH<n>x9Qz" (all issued ones are listed in the state).

Normal answers (no mode, or a request outside the mode's path):
  POST /oauth/token                     a token (Basic credentials checked)
  GET  /v2/users                        STATE users, one page
  GET  /v2/users/<id>                   role Member; .../settings: webinar add-on, 100
  POST /v2/users/<id>/webinars          201 {"id":81000000001, join_url, start_url}
  GET  /v2/meetings/<id>/recordings     one MP4 "f1" of STATE announced bytes at /rec/f1
  GET  /rec/<id>                        the file: exactly `announced` bytes
  GET  /v2/report/webinars/<id>/participants   STATE participants
  PATCH, PUT, DELETE                    204
Control:
  POST /_control/mode   {"mode": <name>, "announced": n, "users": [...], "participants": [...]}
  GET  /_control/state  {"mode", "tokens", "log": [{"method","path","auth"}]}
Each mode applies to requests whose path starts with its path (MODES below;
a path ending in "$" must match exactly);
run it with --list to print the modes."""

import base64
import email.utils
import gzip
import json
import socketserver
import sys
import threading
import time
import urllib.parse

ACCOUNT, CLIENT, SECRET = "acct-h", "cid-hostile", "sec-hostile-42"
BASIC = "Basic " + base64.b64encode((CLIENT + ":" + SECRET).encode()).decode()
LOCK = threading.Lock()
STATE = {}
STALL = 3600  # seconds: longer than any test, the client must give up first


def reset(arg):
    STATE.clear()
    STATE.update({
        "mode": arg.get("mode", "normal"),
        "announced": arg.get("announced", 1000),
        "users": arg.get("users", [
            {"id": "u1", "email": "u1@uni.test", "first_name": "Sala", "last_name": "Uno", "type": 2},
            {"id": "u2", "email": "u2@uni.test", "first_name": "Sala", "last_name": "Dos", "type": 2}]),
        "participants": arg.get("participants", []),
        "tokens": STATE.get("tokens", []),
        "pages": 0,
        "log": [],
    })


reset({})


def retry_after(value, status=429):
    return lambda h, rq: h.send(status, {"code": status, "message": "slow down"},
                                {"Retry-After": value() if callable(value) else value})


def http_date_in(seconds):
    return lambda: email.utils.formatdate(time.time() + seconds, usegmt=True)


def echo_auth_json(h, rq):
    auth = rq["headers"].get("authorization", "")
    h.send(400, {"code": 300, "message": "Bad request, you sent Authorization: " + auth,
                 "errors": [{"field": "token", "message": auth.split(" ", 1)[-1]}]})


def echo_auth_text(h, rq):
    lines = ["%s: %s" % kv for kv in rq["headers"].items()]
    h.send(500, None, {"Content-Type": "text/plain"}, ("\r\n".join(lines)).encode())


def echo_token_bare(h, rq):
    h.send(404, {"code": 1001, "message": "token " + rq["headers"].get("authorization", "")[7:] +
                 " has no user; try ?access_token=" + STATE["tokens"][-1] + "&x=1"})


def oauth_echo_basic(h, rq):
    h.send(401, {"reason": "Invalid client: Authorization: " + rq["headers"].get("authorization", ""),
                 "error": "invalid_client"})


def oauth_echo_secret(h, rq):
    h.send(400, None, {"Content-Type": "text/plain"},
           ("bad form: client_id=%s&client_secret=%s&body=%s" % (CLIENT, SECRET, rq["body"].decode()))
           .encode())


def endless(h, status, first, chunk):
    h.raw(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % status)
    if first:
        h.chunk(first)  # an empty chunk would end the body
    while True:
        h.chunk(chunk)


def huge_content_length(h, rq):
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{\"users\":[")
    time.sleep(STALL)


def endless_headers(h, rq):
    h.raw(b"HTTP/1.1 200 OK\r\n")
    n = 0
    while True:
        h.raw(b"".join(b"X-Junk-%d: %s\r\n" % (n + i, b"j" * 100) for i in range(100)))
        n += 100


def file_bytes(n):
    return (b"0123456789abcdef" * (n // 16 + 1))[:n]


def download_larger_chunked(h, rq):
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    data = file_bytes(64 * 1024)
    for _ in range(STATE["announced"] * 20 // len(data) + 1):
        h.chunk(data)
    h.raw(b"0\r\n\r\n")


def download_larger_length(h, rq):
    n = STATE["announced"] * 20 + (4 << 20)
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % n)
    while True:
        h.raw(file_bytes(64 * 1024))


def download_endless(h, rq):
    endless(h, 200, b"", file_bytes(64 * 1024))


def download_truncated(h, rq):
    n = STATE["announced"]
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n + file_bytes(n // 2))
    h.close_after = True


def redirect(location):
    return lambda h, rq: h.send(302, None, {"Location": location(h, rq) if callable(location) else location})


def users(*entries):
    def mode(h, rq):
        h.send(200, None, None, b'{"page_size":300,"next_page_token":"","users":[' + b",".join(entries) + b"]}")
    return mode


GOOD_USER = b'{"id":"u1","email":"u1@uni.test","first_name":"Sala","last_name":"Uno","type":2}'


def endless_paging(h, rq):
    with LOCK:
        STATE["pages"] += 1
        n = STATE["pages"]
    h.send(200, {"page_size": 300, "next_page_token": "np%d" % n, "users": []})


def drip(data, pause):
    def mode(h, rq):
        for i in range(len(data)):
            h.raw(data[i:i + 1])
            time.sleep(pause)
    return mode


def stall_after_headers(h, rq):
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
    time.sleep(STALL)


def empty_reply(h, rq):
    h.close_after = True


def unsolicited_gzip(h, rq):
    data = gzip.compress(b'{"users":[]}' + b" " * 100000)
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
          b"Content-Length: %d\r\n\r\n" % len(data) + data)


def html_502(h, rq):
    page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\x1b[1m" + b"<p>proxy</p>\n" * 800 + b"</body></html>"
    h.send(502, None, {"Content-Type": "text/html"}, page)


def deep_json(h, rq):
    depth = 400000
    h.send(200, None, None, b'{"users":' + b"[" * depth + b"]" * depth + b"}")


def recording(url):
    return lambda h, rq: h.send(200, {"id": 5, "recording_files": [
        {"id": "f1", "file_type": "MP4", "file_size": STATE["announced"], "download_url": url}]})


def webinar_reply(**fields):
    base = {"id": 81000000001, "join_url": "https://zoom.test/w/1", "start_url": "https://zoom.test/s/1"}
    base.update(fields)
    return lambda h, rq: h.send(201, base)


def token_reply(**fields):
    def mode(h, rq):
        with LOCK:
            token = "tokH%dx9Qz" % (len(STATE["tokens"]) + 1)
            STATE["tokens"].append(token)
        body = {"access_token": token, "token_type": "bearer", "expires_in": 3600}
        body.update(fields)
        h.send(200, body)
    return mode


# name -> (path prefix it applies to, behaviour)
MODES = {
    # Retry-After: the adapter caps whatever it says
    "retry_after_int_max": ("/v2/", retry_after("2147483647")),
    "retry_after_digits_overflow": ("/v2/", retry_after("99999999999999999999999")),
    "retry_after_iso_far": ("/v2/", retry_after("9999-12-31T23:59:59Z")),
    "retry_after_http_date_far": ("/v2/", retry_after("Fri, 31 Dec 9999 23:59:59 GMT")),
    "retry_after_http_date_soon": ("/v2/", retry_after(http_date_in(120))),
    "retry_after_negative": ("/v2/", retry_after("-5")),
    "retry_after_garbage": ("/v2/", retry_after("soon, maybe")),
    "retry_after_past": ("/v2/", retry_after("2001-01-01T00:00:00Z")),
    "retry_after_bad_fields": ("/v2/", retry_after("2021-13-45T99:99:99Z")),
    "retry_after_503_int_max": ("/v2/", retry_after("2147483647", 503)),
    # credentials echoed back
    "echo_auth_json": ("/v2/", echo_auth_json),
    "echo_auth_text": ("/v2/", echo_auth_text),
    "echo_token_bare": ("/v2/", echo_token_bare),
    "oauth_echo_basic": ("/oauth/", oauth_echo_basic),
    "oauth_echo_secret": ("/oauth/", oauth_echo_secret),
    "download_echo_token": ("/rec/", lambda h, rq: h.send(403, {"code": 403, "message": "denied for " +
                                                                rq["headers"].get("authorization", "")})),
    # sizes
    "endless_body": ("/v2/", lambda h, rq: endless(h, 200, b'{"users":[', b'{"id":"x"},' * 4096)),
    "endless_error_body": ("/v2/", lambda h, rq: endless(h, 500, b'{"code":500,"message":"', b"e" * 65536)),
    "huge_content_length": ("/v2/", huge_content_length),
    "endless_headers": ("/v2/", endless_headers),
    "oauth_endless_body": ("/oauth/", lambda h, rq: endless(h, 200, b'{"access_token":"', b"t" * 65536)),
    "download_larger_chunked": ("/rec/", download_larger_chunked),
    "download_larger_length": ("/rec/", download_larger_length),
    "download_endless": ("/rec/", download_endless),
    "download_truncated": ("/rec/", download_truncated),
    "download_redirect_loop": ("/rec/", redirect(lambda h, rq: rq["path"] + "x")),
    "download_redirect_file": ("/rec/", redirect("file:///etc/passwd")),
    "download_slow_drip": ("/rec/", drip(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + file_bytes(1000), 0.05)),
    # what Zoom's answers contain
    "users_control_chars": ("/v2/users$", users(
        b'{"id":"u1","email":"u1@uni.test","first_name":"Ana\\r\\nBcc: evil@x.test","last_name":"\\u0007P\\u001b[31m\\u202eerez\\t ","type":2}')),
    "users_invalid_utf8": ("/v2/users$", users(
        b'{"id":"u1","email":"u1@uni.test","first_name":"Jos\xe9 \xff\xfe","last_name":"\xc3(\xed\xa0\x80end","type":2}')),
    "users_bad_ids": ("/v2/users$", users(
        GOOD_USER,
        b'{"id":"u2\\r\\nX-Evil: 1","email":"u2@uni.test","first_name":"A","type":2}',
        b'{"id":{"nested":"object"},"email":"u3@uni.test","type":2}',
        b'{"id":' + b"[" * 100000 + b"]" * 100000 + b',"email":"u4@uni.test","type":2}',
        b'{"id":"u 5","email":"u5@uni.test","type":2}',
        b'{"id":"u6","email":"","type":2}',
        b'{"id":"u7","email":"u7@uni.test\\r\\nBcc: evil@x.test","type":2}',
        b'{"id":"u8","email":"no-at-sign","type":2}',
        b'{"id":"u9","email":"u9@uni.test","first_name":null,"last_name":["x"],"type":"2"}',
        b'{"id":12345678901,"email":"n@uni.test","first_name":"Numeric","type":1}')),
    "users_huge_name": ("/v2/users$", users(
        b'{"id":"u1","email":"u1@uni.test","first_name":"' + "ñ".encode() * 300000 + b'","type":2}')),
    "users_lone_surrogate": ("/v2/users$", users(
        b'{"id":"u1","email":"u1@uni.test","first_name":"\\ud800","type":2}')),
    "users_wrong_types": ("/v2/users$", lambda h, rq: h.send(200, {"users": "everyone", "next_page_token": 5})),
    "report_control_chars": ("/v2/report/", lambda h, rq: h.send(200, None, None,
        b'{"next_page_token":"","participants":[{"name":"Eve\\r\\nIntruder\\u0000","user_email":"e\xffve@x.test",'
        b'"join_time":"2021-05-12T07:00:00Z","leave_time":"2021-05-12T99:00:00Z","duration":1e300}]}')),
    "recordings_bad_url": ("/v2/meetings/", recording("file:///etc/passwd")),
    "recordings_crlf_url": ("/v2/meetings/", recording("http://127.0.0.1:1/rec/f1\r\nX-Evil: 1")),
    "webinar_bad_id": ("/v2/users/u1/webinars", webinar_reply(id="8100\r\nX-Evil: 1")),
    "webinar_bad_join_url": ("/v2/users/u1/webinars", webinar_reply(join_url="javascript:alert(1)")),
    "token_crlf": ("/oauth/", token_reply(access_token="tok\r\nX-Injected: 1")),
    "token_expires_huge": ("/oauth/", token_reply(expires_in=1e30)),
    "endless_paging": ("/v2/users$", endless_paging),
    # transport
    "slow_drip_body": ("/v2/", drip(b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + b" " * 200, 0.05)),
    "slow_drip_headers": ("/v2/", drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: 1\r\n" * 200, 0.05)),
    "stall_after_headers": ("/v2/", stall_after_headers),
    "empty_reply": ("/v2/", empty_reply),
    "http09": ("/v2/", lambda h, rq: h.raw(b'{"users":[]}') or setattr(h, "close_after", True)),
    "garbage_status": ("/v2/", lambda h, rq: h.raw(b"HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}")),
    "unsolicited_gzip": ("/v2/", unsolicited_gzip),
    "html_502": ("/v2/", html_502),
    "deep_json": ("/v2/", deep_json),
}


class Handler(socketserver.StreamRequestHandler):
    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def chunk(self, data):
        self.raw(b"%x\r\n" % len(data) + data + b"\r\n")

    def send(self, status, body=None, headers=None, data=None):
        if data is None:
            data = b"" if body is None else json.dumps(body).encode()
        head = "HTTP/1.1 %d X\r\n" % status
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            head += "%s: %s\r\n" % (k, v)
        head += "Content-Length: %d\r\n\r\n" % len(data)
        self.raw(head.encode() + data)

    def handle(self):
        try:
            while self.one_request():
                pass
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up: what most modes test

    def one_request(self):
        line = self.rfile.readline(65536)
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers = {}
        while True:
            h = self.rfile.readline(65536).decode("latin-1")
            if h in ("\r\n", "\n", ""):
                break
            k, _, v = h.partition(":")
            headers[k.strip().lower()] = v.strip()
        body = self.rfile.read(int(headers.get("content-length", "0") or 0))
        url = urllib.parse.urlsplit(target)
        rq = {"method": method, "path": url.path, "query": url.query, "headers": headers, "body": body}
        self.close_after = False
        if url.path.startswith("/_control/"):
            self.control(rq)
            return True
        with LOCK:
            STATE["log"].append({"method": method, "path": url.path, "auth": headers.get("authorization", "")})
            mode = MODES.get(STATE["mode"])
        if mode and (url.path == mode[0][:-1] if mode[0].endswith("$") else url.path.startswith(mode[0])):
            mode[1](self, rq)
        else:
            self.normal(rq)
        return not self.close_after

    def control(self, rq):
        if rq["path"] == "/_control/mode":
            arg = json.loads(rq["body"] or b"{}")
            if arg.get("mode", "normal") not in MODES and arg.get("mode", "normal") != "normal":
                return self.send(400, {"error": "unknown mode"})
            with LOCK:
                reset(arg)
            return self.send(200, {"ok": True})
        with LOCK:
            self.send(200, {k: STATE[k] for k in ("mode", "tokens", "log", "pages")})

    def normal(self, rq):
        method, path = rq["method"], rq["path"]
        if path == "/oauth/token":
            if rq["headers"].get("authorization") != BASIC:
                return self.send(401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
            return token_reply()(self, rq)
        if not rq["headers"].get("authorization", "").startswith("Bearer tokH"):
            return self.send(401, {"code": 124, "message": "Invalid access token."})
        parts = path.strip("/").split("/")
        if path.startswith("/rec/"):
            return self.send(200, None, {"Content-Type": "application/octet-stream"}, file_bytes(STATE["announced"]))
        if method in ("PATCH", "PUT", "DELETE"):
            return self.send(204)
        if parts == ["v2", "users"]:
            return self.send(200, {"page_size": 300, "next_page_token": "", "users": STATE["users"]})
        if parts[:2] == ["v2", "users"] and len(parts) == 3:
            return self.send(200, {"id": parts[2], "role_name": "Member"})
        if parts[:2] == ["v2", "users"] and parts[3:] == ["settings"]:
            return self.send(200, {"feature": {"webinar": True, "webinar_capacity": 100}})
        if parts[:2] == ["v2", "users"] and parts[3:] == ["webinars"] and method == "POST":
            return webinar_reply()(self, rq)
        if parts[:2] == ["v2", "meetings"]:
            base = "http://%s:%d" % self.server.server_address[:2]
            return recording(base + "/rec/f1")(self, rq)
        if parts[:3] == ["v2", "report", "webinars"]:
            return self.send(200, {"next_page_token": "", "participants": STATE["participants"]})
        self.send(404, {"code": 300, "message": "no route"})


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if "--list" in sys.argv:
        print("\n".join(MODES))
        return
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    import signal
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
