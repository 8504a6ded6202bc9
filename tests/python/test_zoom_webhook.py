"""Zoom webhooks in from Python, without the server (docs/zoom.md §13): the
signature check and the handshake against Python's own hmac, the parsed
event, and DurableLifecycle.note_* written by one process and seen by another
on the same SQLite file (R15, R19: the report and the recordings count from
Zoom's end)."""

import hashlib
import hmac
import json
import subprocess
import sys
import textwrap

import pytest

import sala
from conftest import madrid, symposium_users, utc, webinar

pytestmark = pytest.mark.skipif(not sala.HAVE_ZOOM, reason="built without sala::zoom")

SECRET = "whsec-python-0123"


def signed(body, ts):
    return "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()


def test_signature_and_handshake_agree_with_pythons_hmac():
    body = b'{"event":"webinar.started","payload":{"object":{"id":1}}}'
    now = 1764687600
    assert sala.verify_zoom_signature(SECRET, signed(body, now), str(now), body, now)
    assert sala.verify_zoom_signature(SECRET, signed(body, now), str(now), body, utc(2025, 12, 2, 15, 4))
    stale = sala.verify_zoom_signature(SECRET, signed(body, now), str(now), body, now + 301)
    assert not stale and stale.field == "x-zm-request-timestamp" and SECRET not in repr(stale)
    wrong = sala.verify_zoom_signature(SECRET, signed(body, now), str(now), body + b"x", now)
    assert not wrong and wrong.field == "x-zm-signature"
    with pytest.raises(sala.InvalidSettingsError):
        sala.verify_zoom_signature("", "v0=00", str(now), body, now)
    with pytest.raises(sala.InvalidArgumentError):
        sala.verify_zoom_signature(SECRET, "v0=00", str(now), body, "now")
    reply = json.loads(sala.zoom_url_validation_reply(SECRET, "abc_DEF-123"))
    assert reply == {"plainToken": "abc_DEF-123",
                     "encryptedToken": hmac.new(SECRET.encode(), b"abc_DEF-123", hashlib.sha256).hexdigest()}


def test_parsed_event_and_its_errors():
    ev = sala.parse_zoom_event(json.dumps({
        "event": "recording.completed", "event_ts": 1764687600123, "download_token": "tok",
        "payload": {"account_id": "a1", "object": {"id": 97871060099, "uuid": "u==", "recording_files": [
            {"id": "f1", "file_type": "MP4", "download_url": "https://zoom.example/f1", "file_size": 5}]}}}))
    assert ev.kind == sala.ZoomEventKind.RECORDING_COMPLETED and ev.webinar_id == "97871060099"
    assert ev.event_ts == utc(2025, 12, 2, 15, 0).replace(microsecond=123000)
    assert [f.id for f in ev.recordings] == ["f1"] and ev.download_token == "tok"
    assert "tok" not in repr(ev)
    assert ev.delivery_key == "recording.completed/1764687600123/a1/97871060099/u=="
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.parse_zoom_event(b'{"event":"webinar.started","payload":{"object":{"id":[]}}}')
    assert e.value.field == "payload.object.id"


PEER = textwrap.dedent("""
    import sys, datetime as dt, sala
    path, what, webinar_id = sys.argv[1:4]
    dp = sala.DurablePlatform(sala.SqliteStore.open(path), sala.ManualClock(dt.datetime(2021, 5, 12, 13, tzinfo=dt.timezone.utc)))
    life = sala.DurableLifecycle(dp, sala.FakeConferencing([]), sala.FakeMailer())
    when = dt.datetime(2021, 5, 12, 13, 30, tzinfo=dt.timezone.utc)
    if what == "started":
        r = life.note_webinar_started(webinar_id, when)
    elif what == "ended":
        r = life.note_webinar_ended(webinar_id, when)
    else:
        f = sala.RecordingFile("f1", "MP4", "https://zoom.example/rec/f1", 3)
        r = life.note_recording_completed(webinar_id, [f], when)
    print(r.outcome, None if r.request is None else int(r.request))
""")


def peer(path, what, webinar_id):
    out = subprocess.run([sys.executable, "-c", PEER, str(path), what, webinar_id], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")
def test_R15_R19_notes_from_another_process_reach_this_one(tmp_path):
    path = tmp_path / "sala.db"
    clock = sala.ManualClock(utc(2021, 5, 1))
    zoom, mail = sala.FakeConferencing(symposium_users(), clock), sala.FakeMailer()
    dp = sala.DurablePlatform(sala.SqliteStore.open(str(path), create=True), clock)
    life = sala.DurableLifecycle(dp, zoom, mail)
    rep = dp.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    dp.activate(rep.new_rooms[0])
    dp.set_mode(rep.new_rooms[0], sala.RoomMode.AUTOMATIC)
    s = dp.submit(webinar("Taller", 2021, 5, 12, 16, 0, 60))  # 14:00-15:00 UTC
    clock.set(utc(2021, 5, 12, 13, 0))
    life.tick(utc(2021, 5, 12, 13, 0))
    wid = life.state().webinars[s.id].webinar.handle.webinar_id
    assert life.status(s.id) == sala.WebinarStatus.FUTURE

    assert peer(path, "started", "no-such-webinar") == ["unknown_webinar", "None"]
    assert peer(path, "started", wid) == ["applied", str(int(s.id))]
    life.take_in()
    assert life.status(s.id) == sala.WebinarStatus.RUNNING  # before its 14:00 start: Zoom said so
    assert life.state().webinars[s.id].started_at == utc(2021, 5, 12, 13, 30)
    assert peer(path, "started", wid) == ["applied", str(int(s.id))]  # a repeat changes nothing
    life.take_in()
    assert life.state().webinars[s.id].started_at == utc(2021, 5, 12, 13, 30)

    # Without the webhook the report waits for the grace end (15:00 UTC); ended at 13:30, it is due then.
    assert peer(path, "ended", wid) == ["applied", str(int(s.id))]
    assert peer(path, "recording", wid) == ["applied", str(int(s.id))]
    life.take_in()
    rec = life.state().webinars[s.id]
    assert rec.steps[sala.StepKind.END_WEBINAR].done and [f.id for f in rec.recordings] == ["f1"]
    clock.set(utc(2021, 5, 12, 13, 31))
    life.tick(utc(2021, 5, 12, 13, 31))
    assert life.report_of(s.id) is not None  # fetched at 13:31, not at 15:00
    assert zoom.count(sala.FakeConferencing.Method.END_WEBINAR) == 0  # Zoom ended it already
    assert not any(m.idempotency_key.startswith("end-warning/") for m in mail.sent())


@pytest.mark.skipif(not sala.HAVE_SQLITE, reason="built without sala::sqlite")
def test_app_deauthorized_keeps_booked_rooms_and_tells_the_admin(tmp_path):
    clock = sala.ManualClock(utc(2021, 5, 1))
    zoom, mail = sala.FakeConferencing(symposium_users(), clock), sala.FakeMailer()
    dp = sala.DurablePlatform(sala.SqliteStore.open(str(tmp_path / "d.db"), create=True), clock)
    life = sala.DurableLifecycle(dp, zoom, mail)
    rep = dp.link_account("symposium", sala.PoolKind.OWN, symposium_users())
    for r in rep.new_rooms[:2]:
        dp.activate(r)
        dp.set_mode(r, sala.RoomMode.AUTOMATIC)
    s = dp.submit(webinar("Taller", 2021, 5, 12, 16, 0, 60))
    with pytest.raises(sala.NotFoundError):
        life.account_deauthorized("nobody", madrid(2021, 5, 1, 12))
    out = life.account_deauthorized("symposium", madrid(2021, 5, 1, 12))
    assert [int(r) for r in out.still_booked] == [int(s.assignment.value())]
    assert [int(r) for r in out.booked] == [int(s.id)]
    assert len(out.deactivated) == 1 and not dp.get_room(out.deactivated[0]).active
    life.tick(madrid(2021, 5, 1, 12))
    notice = [m for m in mail.sent() if m.idempotency_key.startswith("app-deauthorized/symposium/")]
    assert len(notice) == 1 and "Taller" in notice[0].text_body
