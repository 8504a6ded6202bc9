"""The real adapters and stores from Python, each against a real peer the test
starts itself: .eml files, an SMTP server on loopback (aiosmtpd), a fake Zoom
HTTP server on loopback, SQLite files (R16: a restarted host repeats nothing)."""

import email
import email.policy
import http.server
import json
import socket
import threading

import pytest

import sala
from conftest import madrid, seed_2086_settings, symposium_users, utc, webinar


def message(key="credentials/1/1", subject="Credenciales: webinar sesión turno de tarde"):
    return sala.MailMessage(sender=sala.MailAddress("no-reply@symposium.events", "Symposium"),
                            to=[sala.MailAddress("ana@uni.example", "Ana Núñez")], subject=subject,
                            text_body="Usuario: symposiumwebinar09@symposium.events", html_body="<p>hola</p>",
                            idempotency_key=key)


@pytest.mark.skipif(not sala.HAVE_OUTBOX, reason="built without sala::outbox")
def test_outbox_mailer_writes_one_eml_per_key(tmp_path):
    box = sala.OutboxMailer(str(tmp_path / "outbox"))
    box.send(message())
    box.send(message())  # a resend overwrites, never adds (R16)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert [str(f) for f in files] == [box.path_for("credentials/1/1")]
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Credenciales: webinar sesión turno de tarde"
    assert parsed["Message-ID"] == sala.rfc5322_message_id(message())
    assert "Subject: =?UTF-8?" in sala.format_rfc5322(message())
    with pytest.raises(sala.BackendError):
        sala.OutboxMailer("/proc/sala-cannot-create-this")


@pytest.mark.skipif(not sala.HAVE_SMTP, reason="built without sala::smtp")
def test_smtp_mailer_sends_to_a_real_server_on_loopback():
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        mailer = sala.SmtpMailer(sala.SmtpConfig("127.0.0.1", port))
        sala.Mailer.send(mailer, message())
        [env] = sink.envelopes
        assert env.rcpt_tos == ["ana@uni.example"]
        parsed = email.message_from_bytes(env.content, policy=email.policy.default)
        assert parsed["Subject"] == "Credenciales: webinar sesión turno de tarde"
    finally:
        ctl.stop()
    # Nobody listens any more: a retryable BackendError, not a crash.
    with pytest.raises(sala.BackendError) as e:
        sala.Mailer.send(mailer, message())
    assert e.value.retryable
    with pytest.raises(sala.InvalidSettingsError):
        sala.SmtpMailer(sala.SmtpConfig("", 25))
    assert "password=<hidden>" in repr(sala.SmtpConfig(password="secret")) and "secret" not in repr(
        sala.SmtpConfig(password="secret"))


class FakeZoomHandler(http.server.BaseHTTPRequestHandler):
    seen = []

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(("POST", self.path))
        self.reply(200, {"access_token": "tok", "token_type": "bearer", "expires_in": 3600})

    def do_GET(self):
        self.seen.append(("GET", self.path, self.headers.get("Authorization")))
        self.reply(429, {"code": 429, "message": "Too many requests"}, [("Retry-After", "7")])

    def do_DELETE(self):
        self.seen.append(("DELETE", self.path))
        self.reply(404, {"code": 3001, "message": "Webinar does not exist"})


@pytest.mark.skipif(not sala.HAVE_ZOOM, reason="built without sala::zoom")
def test_zoom_rest_errors_arrive_as_zoom_error_with_status_and_retry_after():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeZoomHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        zoom = sala.ZoomRest(sala.ZoomConfig("acc", "cid", "secret", api_base=base + "/v2",
                                             oauth_url=base + "/oauth/token"))
        with pytest.raises(sala.ZoomError) as e:
            sala.Conferencing.list_users(zoom)
        assert isinstance(e.value, sala.BackendError)
        assert (e.value.http_status, e.value.retryable, e.value.retry_after_seconds) == (429, True, 7)
        sala.Conferencing.delete_webinar(zoom, "97871060099")  # 404 3001 counts as done
        assert zoom.tokens_fetched() == 1
        assert any(s[0] == "GET" and s[1].startswith("/v2/users") and s[2] == "Bearer tok"
                   for s in FakeZoomHandler.seen)
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(sala.InvalidSettingsError) as e:
        sala.ZoomRest(sala.ZoomConfig("", "cid", "secret"))
    assert e.value.field == "account_id"
    assert "s3cr3t" not in repr(sala.ZoomConfig("acc", "cid", "s3cr3t"))


@pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")
def test_sqlite_durable_platform_survives_a_restart(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    dp = sala.DurablePlatform(sala.SqliteStore.open(path), clock, seed_2086_settings())
    rep = dp.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    for r in rep.new_rooms[:2]:
        dp.activate(r)
        dp.set_mode(r, sala.RoomMode.AUTOMATIC)
    a = dp.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    before = dp.state()
    with pytest.raises(sala.RuleViolationError):
        dp.set_mode(a.assignment.room, sala.RoomMode.MANUAL)  # R3, rolled back
    del dp
    again = sala.DurablePlatform(sala.SqliteStore.open(path), clock)
    assert again.state() == before
    assert again.reservation_of(a.id).room == sala.RoomId(1)
    assert again.get_request(a.id).start == madrid(2021, 5, 12, 15, 5)
    with pytest.raises(sala.StoreError):
        (tmp_path / "not-sala.db").write_bytes(b"not a database at all" * 100)
        sala.SqliteStore.open(str(tmp_path / "not-sala.db"))


@pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")
def test_R16_durable_lifecycle_restarted_never_repeats_a_step(tmp_path):
    path = str(tmp_path / "sala.db")
    clock = sala.ManualClock(utc(2021, 5, 1))
    zoom, sent = sala.FakeConferencing(symposium_users(), clock), []

    class Recording(sala.Mailer):
        def send(self, m):
            sent.append(m.idempotency_key)

    def host():
        dp = sala.DurablePlatform(sala.SqliteStore.open(path), clock, seed_2086_settings())
        return dp, sala.DurableLifecycle(dp, zoom, Recording())

    dp, lc = host()
    rep = dp.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    dp.activate(rep.new_rooms[0])
    dp.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    s = dp.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    lc.tick(madrid(2021, 5, 12, 15, 3))  # webinar created, credentials mailed
    assert sum(k.startswith("credentials/") for k in sent) == 1
    del lc, dp  # the host goes down
    dp, lc = host()
    clock.set(madrid(2021, 5, 12, 16, 30))
    lc.tick(madrid(2021, 5, 12, 16, 30))  # back after the end: catch up, repeat nothing
    assert sum(k.startswith("credentials/") for k in sent) == 1
    assert len(sent) == len(set(sent))
    assert zoom.count(sala.FakeConferencing.Method.CREATE_WEBINAR) == 1
    assert dp.status(s.id) is sala.WebinarStatus.FINISHED
    assert zoom.count(sala.FakeConferencing.Method.END_WEBINAR) == 1
