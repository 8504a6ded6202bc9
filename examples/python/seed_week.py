#!/usr/bin/env python3
"""A seed-like platform run from Python: four rooms (two automatic, one manual,
one inactive), a week of webinar requests in Europe/Madrid with conflicts, the
unassigned queue, an admin's manual assignment and reassignment, then the week
runs through the lifecycle on an in-memory Zoom with a mailer written in
Python that prints every message it is given.

Run: python3 examples/python/seed_week.py   (after ./scripts/test installed sala)
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sala

MADRID = ZoneInfo("Europe/Madrid")


class PrintingMailer(sala.Mailer):
    """The Mailer port implemented in Python: prints instead of sending."""

    def __init__(self, clock):
        super().__init__()
        self.clock, self.sent = clock, []

    def send(self, message):
        self.sent.append(message)
        to = ", ".join(a.email for a in message.to)
        print(f"  {self.clock.now().astimezone(MADRID):%a %d %H:%M}  to {to}: {message.subject}")


def hm(t):
    return t.astimezone(MADRID).strftime("%H:%M")


def room_name(p, room):
    return "(queue)" if room is None else p.get_room(room).email.split("@")[0]


def heading(text):
    print(f"\n== {text} ==")


def main():
    # Monday 3 May 2021, 09:00 in Madrid: organizers book the week of 10 May.
    clock = sala.ManualClock(dt.datetime(2021, 5, 3, 9, 0, tzinfo=MADRID))
    p = sala.Platform(sala.Settings(), clock)  # preparation 30, courtesy 15, post 6 (seed 000)

    heading("Link the institution's Zoom account (R1, R2)")
    users = [
        sala.AccountUser("owner", "admin@symposium.events", "Symposium admin", owner=True),
        sala.AccountUser("u09", "symposiumwebinar09@symposium.events", "Webinar 100 pax"),
        sala.AccountUser("u10", "symposiumwebinar10@symposium.events", "Webinar 100 pax"),
        sala.AccountUser("u11", "symposiumwebinar11@symposium.events", "Webinar 100 pax"),
        sala.AccountUser("u12", "symposiumwebinar12@symposium.events", "Webinar 500 pax", capacity=500),
    ]
    link = p.link_account("symposium", sala.PoolKind.OWN, users)
    for u in link.wasted_licences:
        print(f"  wasted licence: the owner {u.email} is never a room (R1)")
    r09, r10, r11, r12 = link.new_rooms
    for r in (r09, r10, r11):
        p.activate(r)                               # R2: active rooms start manual
    p.set_mode(r09, sala.RoomMode.AUTOMATIC)        # R3
    p.set_mode(r10, sala.RoomMode.AUTOMATIC)
    for room in p.rooms():                          # 12 stays inactive
        state = room.mode.value if room.active else "inactive"
        print(f"  {room.id.value}  {room.email:<38} {room.capacity:>4} pax  {state}")

    heading("Organizers request the week of 10 May 2021 (Europe/Madrid)")
    ana = sala.Organizer("Ana", "ana@uni.example")
    luis = sala.Organizer("Luis", "luis@uni.example")
    week = [
        ("Apertura del congreso", (10, 9, 0), 60, "2086", ana),
        ("webinar sesión turno de tarde", (12, 15, 5), 50, "2086", ana),
        ("Taller 1 Workshop", (12, 15, 30), 90, "2086", luis),
        ("International conference room A", (12, 15, 45), 60, "2090", luis),
        ("webinar sesión turno de mañana", (13, 9, 0), 50, "2086", ana),
        ("Foro de debate sobre el cambio climático", (13, 13, 10), 50, "2086", ana),
        ("Webinar turno mañanas", (14, 9, 0), 240, "2090", luis),
        ("Sesión de clausura", (14, 12, 0), 60, "2090", ana),
    ]
    for title, (day, hour, minute), minutes, event, who in week:
        s = p.submit(title=title, start=dt.datetime(2021, 5, day, hour, minute, tzinfo=MADRID),
                     duration=minutes, event_id=event, organizer=who)
        outcome = f"-> {room_name(p, s.assignment.room)}" if s.assignment else "queued: no automatic room free"
        print(f"  {title:<42} {day:02}/05 {hour:02}:{minute:02} {minutes:>4} min  {outcome}")

    heading("What went where (first-fit over automatic rooms 09, 10; R9)")
    week_window = sala.Interval(dt.datetime(2021, 5, 10, tzinfo=MADRID), dt.datetime(2021, 5, 17, tzinfo=MADRID))
    for e in p.calendar(week_window):
        rq = e.request
        print(f"  {rq.start:%a %d %H:%M}  {rq.title:<42} {room_name(p, e.room):<20} "
              f"blocked {hm(e.blocked.begin)}-{hm(e.blocked.end)}")

    heading("Unassigned queue, as the admin sees it (R10)")
    for rq in p.queue():
        print(f"  #{rq.id.value} {rq.title}: blocked {hm(rq.window.blocked.begin)}-{hm(rq.window.blocked.end)}, "
              f"grace ends {hm(rq.window.grace_end)}, organizer {rq.organizer.email}")

    heading("Admin assigns the queue by hand (R10), busy automatic room first")
    for rq in p.queue():
        refused = p.assign(rq.id, r09)
        if not refused:
            print(f"  room 09 refused: {refused.reason}")
        done = p.assign(rq.id, r11)
        print(f"  '{rq.title}' -> {room_name(p, done.room) if done else done.reason}")
    print(f"  queue now holds {len(p.queue())} request(s)")

    heading("Admin reassigns a webinar to the manual room 11 (R11)")
    first = p.calendar(week_window)[0].request
    moved = p.reassign(first.id, r11)
    print(f"  '{first.title}' -> {room_name(p, moved.room)}; panelists must be re-invited (links change)")

    heading("Peak concurrency of the week (R18)")
    print(f"  {p.peak_concurrency(week_window)} rooms at once")

    heading("The week runs: the lifecycle mails through the Python mailer (R12-R15)")
    zoom = sala.FakeConferencing(list(users), clock)  # an in-memory Zoom
    mailer = PrintingMailer(clock)
    options = sala.LifecycleOptions()
    options.language = sala.Language.EN
    options.admin = sala.MailAddress("admin@symposium.events", "Admin")
    lifecycle = sala.Lifecycle(p, zoom, mailer, options)
    now, end = clock.now(), dt.datetime(2021, 5, 15, tzinfo=MADRID)
    while (due := lifecycle.next_due()) is not None and due <= end:
        now = max(now, due)
        clock.set(now)
        lifecycle.tick(now)
        if lifecycle.next_due() == due:  # a step waiting on itself: move on
            now += dt.timedelta(minutes=1)
    keys = [m.idempotency_key for m in mailer.sent]
    assert len(keys) == len(set(keys)), "a message was sent twice"
    assert sum(k.startswith("credentials/") for k in keys) == len(week)
    print(f"  {len(mailer.sent)} messages, {zoom.count(sala.FakeConferencing.Method.CREATE_WEBINAR)} webinars "
          f"created, {len(lifecycle.problems())} problems")

if __name__ == "__main__":
    main()
