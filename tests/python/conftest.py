"""The seed's platform (docs/rules.md, "The seed platform's examples") for the Python tests: an own Zoom
account whose users symposiumwebinar09..12@symposium.events become rooms 1..4."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import sala

UTC = dt.timezone.utc
MADRID = ZoneInfo("Europe/Madrid")


def utc(y, mo, d, h=0, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=UTC)


def madrid(y, mo, d, h=0, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=MADRID)


def local(t):
    """'2021-05-12 15:02': an aware datetime as Madrid wall-clock text."""
    return t.astimezone(MADRID).strftime("%Y-%m-%d %H:%M")


def symposium_users():
    return [
        sala.AccountUser("owner", "admin@symposium.events", "Symposium admin", owner=True),
        sala.AccountUser("u09", "symposiumwebinar09@symposium.events", "Webinar 100 pax"),
        sala.AccountUser("u10", "symposiumwebinar10@symposium.events", "Webinar 100 pax"),
        sala.AccountUser("u11", "symposiumwebinar11@symposium.events", "Webinar 100 pax"),
        sala.AccountUser("u12", "symposiumwebinar12@symposium.events", "Webinar 500 pax", capacity=500),
    ]


def seed_2086_settings():
    """Event 2086's listings: blocked 15:02-16:01 for 50 min at 15:05 -> prep 3, courtesy 0, post 6."""
    return sala.Settings(preparation=3, courtesy=0, post_processing=6, credentials_lead=3)


def webinar(title, y, mo, d, h, mi, minutes, event="2086"):
    return sala.RequestInput(
        title, madrid(y, mo, d, h, mi), minutes, event,
        sala.Organizer("Soporte Técnico", "support@symposium.events"))


class Seed:
    r09, r10, r11, r12 = (sala.RoomId(i) for i in range(1, 5))

    def __init__(self, settings=None):
        self.clock = sala.ManualClock(utc(2021, 5, 1))
        self.p = sala.Platform(settings or sala.Settings(), self.clock)
        self.p.link_account("symposium", sala.PoolKind.OWN, symposium_users())

    def activate_all(self):
        """All four rooms active; 09 and 10 automatic, 11 and 12 manual."""
        for r in (self.r09, self.r10, self.r11, self.r12):
            self.p.activate(r)
        self.p.set_mode(self.r09, sala.RoomMode.AUTOMATIC)
        self.p.set_mode(self.r10, sala.RoomMode.AUTOMATIC)
        return self


@pytest.fixture
def seed():
    return Seed()


@pytest.fixture
def seed2086():
    return Seed(seed_2086_settings()).activate_all()
