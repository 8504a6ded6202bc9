"""The lifecycle (R12-R16, R19, R20) driving backends written in Python: every
step once, catch-up after an outage (R16), Python exceptions retried as
BackendError, and the C++ fakes usable from Python."""

import datetime as dt
import gc

import pytest

import sala
from conftest import Seed, madrid, seed_2086_settings, symposium_users, utc, webinar


class PyMailer(sala.Mailer):
    def __init__(self, fail_first=0):
        super().__init__()
        self.sent, self.fail_first, self.attempts = [], fail_first, 0

    def send(self, message):
        self.attempts += 1
        if self.fail_first > 0:
            self.fail_first -= 1
            raise ConnectionRefusedError("smtp.invalid:25 refused")
        self.sent.append(message)

    def keys(self, prefix=""):
        return [m.idempotency_key for m in self.sent if m.idempotency_key.startswith(prefix)]


class PyZoom(sala.Conferencing):
    def __init__(self, fail_create=0):
        super().__init__()
        self.live, self.created, self.ended, self.passwords, self.fail_create = {}, [], [], [], fail_create

    def list_users(self):
        return symposium_users()

    def create_webinar(self, spec):
        if self.fail_create > 0:
            self.fail_create -= 1
            raise sala.BackendError("zoom 429", retryable=True, retry_after_seconds=60)
        wid = str(1000 + len(self.created))
        self.created.append((wid, spec.host_user_id, spec.topic, spec.start))
        self.live[wid] = spec
        return sala.WebinarHandle(wid, f"https://zoom.invalid/j/{wid}", f"https://zoom.invalid/s/{wid}")

    def delete_webinar(self, webinar_id):
        self.live.pop(webinar_id, None)

    def end_webinar(self, webinar_id):
        self.ended.append(webinar_id)

    def set_user_password(self, user_id, password):
        assert sala.room_password_problem(password) == ""
        self.passwords.append((user_id, password))

    def participants_report(self, webinar_id):
        spec = self.live[webinar_id]
        return [sala.Participant("Ana", "ana@uni.example", spec.start, spec.start + spec.duration, 3000),
                sala.Participant("Luis", "luis@uni.example", spec.start, spec.start + dt.timedelta(minutes=10), 600)]

    def list_recordings(self, webinar_id):
        return []

    def download_recording(self, file, destination_path):
        pass

    def trash_recordings(self, webinar_id):
        pass

    def apply_room_settings(self, user_id, settings):
        pass


def run_minutes(lc, begin, end):
    t = begin
    while t <= end:
        lc.tick(t)
        t += dt.timedelta(minutes=1)


@pytest.fixture
def world():
    f = Seed(seed_2086_settings()).activate_all()
    zoom, mail = PyZoom(), PyMailer()
    opts = sala.LifecycleOptions()
    opts.language = sala.Language.EN
    opts.admin = sala.MailAddress("admin@symposium.events", "Admin")
    lc = sala.Lifecycle(f.p, zoom, mail, opts)
    return f, zoom, mail, lc


def test_R12_R15_the_life_of_event_2086_on_python_backends(world):
    f, zoom, mail, lc = world
    inp = webinar("webinar sesión turno de tarde", 2021, 5, 12, 15, 5, 50)
    inp.panelists = ["panel@example.org"]
    s = f.p.submit(inp)
    assert lc.dirty
    lc.tick(utc(2021, 5, 1))
    assert [c[1:3] for c in zoom.created] == [("u09", "webinar sesión turno de tarde")]
    assert zoom.created[0][3] == utc(2021, 5, 12, 13, 5)
    assert mail.keys("credentials/") == []
    steps = []
    lc.on_step(steps.append)
    run_minutes(lc, madrid(2021, 5, 12, 14, 58), madrid(2021, 5, 12, 15, 3))
    # R12: credentials at start - 3 min, to the organizer, once.
    [cred] = [m for m in mail.sent if m.idempotency_key.startswith("credentials/")]
    assert [a.email for a in cred.to] == ["support@symposium.events"]
    creds = lc.credentials_of(s.id)
    assert creds.user_name == "symposiumwebinar09@symposium.events"
    assert creds.password in cred.text_body and creds.valid_until == utc(2021, 5, 12, 13, 55)
    assert "password=<hidden>" in repr(creds)
    run_minutes(lc, madrid(2021, 5, 12, 15, 4), madrid(2021, 5, 12, 16, 10))
    assert lc.credentials_of(s.id) is None  # R15: the password expired at the grace end
    assert any("panel@example.org" in [a.email for a in m.to] for m in mail.sent)  # join link
    # R14, R15: warning, end, password rotated, report.
    assert len([k for k in mail.keys() if "warning" in k]) == 1
    assert zoom.ended == [zoom.created[0][0]]
    assert len(zoom.passwords) == 2 and zoom.passwords[0][1] != zoom.passwords[1][1]
    report = lc.report_of(s.id)
    assert report.people() == 2 and "ana@uni.example" in report.csv("Europe/Madrid")
    assert len(set(mail.keys())) == len(mail.keys())  # nothing sent twice (R16)
    first = {e.step: e.at for e in steps if e.outcome is sala.StepOutcome.DONE}
    assert first[sala.StepKind.MAIL_CREDENTIALS] == madrid(2021, 5, 12, 15, 2)
    assert first[sala.StepKind.END_WEBINAR] == madrid(2021, 5, 12, 15, 55)
    assert all(e.at.tzinfo is dt.timezone.utc for e in steps)


def test_R16_catch_up_after_a_one_day_outage_runs_each_step_once(world):
    f, zoom, mail, lc = world
    f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    lc.tick(utc(2021, 5, 1))
    lc.tick(madrid(2021, 5, 13, 16, 0))  # down the whole day
    lc.tick(madrid(2021, 5, 13, 16, 1))
    assert len(zoom.created) == 1 and len(zoom.ended) == 1
    assert len(mail.keys("credentials/")) == 1
    assert len(set(mail.keys())) == len(mail.keys())
    effects = lc.effects()
    assert effects and all(isinstance(e, sala.Effect) for e in effects)


def test_R16_a_python_mailer_that_raises_is_retried_not_crashed():
    f = Seed(seed_2086_settings()).activate_all()
    zoom, mail = PyZoom(fail_create=2), PyMailer(fail_first=3)
    opts = sala.LifecycleOptions()
    opts.backoff_base, opts.backoff_max = 1, 2
    lc = sala.Lifecycle(f.p, zoom, mail, opts)
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    run_minutes(lc, madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 12, 16, 30))
    assert len(zoom.created) == 1  # two 429s, then once
    assert mail.attempts == len(mail.sent) + 3
    assert len(mail.keys("credentials/")) == 1 and len(set(mail.keys())) == len(mail.keys())
    rec = lc.state().webinars[s.id]
    assert rec.steps[sala.StepKind.CREATE_WEBINAR].attempts == 3
    assert rec.steps[sala.StepKind.MAIL_CREDENTIALS].done


def test_failures_surface_to_the_admin_with_the_python_error():
    f = Seed(seed_2086_settings()).activate_all()

    class Down(PyZoom):
        def create_webinar(self, spec):
            raise TimeoutError("zoom.invalid timed out")

    mail = PyMailer()
    lc = sala.Lifecycle(f.p, Down(), mail)
    f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    for k in range(12):
        lc.tick(utc(2021, 5, 1) + dt.timedelta(hours=k))
    [prob] = [p for p in lc.problems() if p.step is sala.StepKind.CREATE_WEBINAR]
    assert prob.failures >= 3 and "TimeoutError: zoom.invalid timed out" in prob.last_error


def test_the_lifecycle_keeps_its_python_ports_and_platform_alive():
    f = Seed(seed_2086_settings()).activate_all()
    p = f.p
    lc = sala.Lifecycle(p, PyZoom(), PyMailer())
    del f
    gc.collect()
    p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    assert lc.tick(utc(2021, 5, 1)) >= 1
    assert lc.next_due() == madrid(2021, 5, 12, 15, 2) or lc.next_due() <= madrid(2021, 5, 12, 15, 2)


def test_R13_about_to_start_and_credentials_by_hand(world):
    f, zoom, mail, lc = world
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    lc.tick(utc(2021, 5, 1))
    assert lc.about_to_start(madrid(2021, 5, 12, 14, 0)) == []
    [e] = lc.about_to_start(madrid(2021, 5, 12, 14, 0), lookahead=dt.timedelta(hours=2))
    assert e.request == s.id and e.credentials_due == madrid(2021, 5, 12, 15, 2)
    assert lc.generate_credentials_now(s.id, madrid(2021, 5, 12, 14, 0))
    assert len(mail.keys("credentials/")) == 1
    q = f.p.submit(webinar("B", 2021, 5, 12, 15, 5, 50))
    f.p.submit(webinar("C", 2021, 5, 12, 15, 5, 50))
    queued = f.p.queue()[0].id
    with pytest.raises(sala.RuleViolationError) as err:
        lc.generate_credentials_now(queued, madrid(2021, 5, 12, 14, 0))
    assert err.value.rule == "R13"
    assert q.assignment


def test_the_cpp_fakes_work_from_python():
    f = Seed(seed_2086_settings()).activate_all()
    zoom = sala.FakeConferencing(symposium_users(), f.clock)
    mail = sala.FakeMailer()
    lc = sala.Lifecycle(f.p, zoom, mail)
    zoom.fail_next(sala.FakeConferencing.Method.CREATE_WEBINAR, 1)
    mail.fail_every_message_once()
    s = f.p.submit(webinar("A", 2021, 5, 12, 15, 5, 50))
    run_minutes(lc, madrid(2021, 5, 12, 14, 0), madrid(2021, 5, 12, 16, 5))
    assert zoom.count(sala.FakeConferencing.Method.CREATE_WEBINAR) == 1
    assert zoom.count(sala.FakeConferencing.Method.CREATE_WEBINAR, include_failed=True) == 2
    [w] = zoom.webinars().values()
    assert w.ended and w.spec.topic == "A"
    assert mail.count_key(mail.with_key_prefix("credentials/")[0].idempotency_key) == 1
    assert mail.attempts() == 2 * len(mail.sent())
    assert zoom.password_of("u09") is not None
    assert lc.report_of(s.id).people() >= 1
    assert sala.Lifecycle.key(sala.StepKind.MAIL_CREDENTIALS, s.id, 1).startswith("credentials/")


def test_templates_and_credentials_helpers():
    ctx = sala.MailContext()
    ctx.language = sala.Language.EN
    ctx.title, ctx.zone = "Mesa <b>final</b>", "Europe/Madrid"
    ctx.start, ctx.end = madrid(2021, 5, 14, 11), madrid(2021, 5, 14, 13)
    r = sala.render_mail(sala.MailKind.END_WARNING, ctx)
    assert "Mesa" in r.subject and "<b>final</b>" not in r.html and "\n" not in r.subject
    assert sala.one_line("a\r\nb") == "a b"
    assert sala.parse_language("en") is sala.Language.EN
    with pytest.raises(sala.InvalidArgumentError) as e:
        sala.parse_language("fr")
    assert e.value.field == "language"
    pw = sala.generate_room_password()
    assert len(pw) == 16 and sala.room_password_problem(pw) == ""
    assert sala.room_password_problem("abc") != ""
    assert sala.passcode_problem(sala.generate_webinar_passcode()) == ""
