"""sala.Schedule from Python (sala/schedule.hpp): the batch call gives the
rooms of the one-at-a-time loop (R9) and refuses a bad item before booking."""
import datetime as dt
import random

import pytest

import sala

UTC = dt.timezone.utc


def block(start, minutes):
    return sala.Interval(start, start + dt.timedelta(minutes=minutes))


def pool(n):
    s = sala.Schedule()
    for k in range(n):
        s.set_eligible(s.add_room(), k % 5 != 4)
    return s


def test_R9_book_first_fit_gives_the_rooms_of_the_loop():
    rng = random.Random(11)
    t0 = dt.datetime(2026, 3, 27, tzinfo=UTC)
    items = [(block(t0 + dt.timedelta(minutes=5 * rng.randrange(2000)), rng.randrange(30, 300)), 1000 + i)
             for i in range(3000)]
    batch, loop = pool(300), pool(300)  # above 256 rooms: the grouped path
    got = batch.book_first_fit(items)
    want = []
    for iv, req in items:
        r = loop.first_free(iv)
        if r is not None:
            loop.book(r, iv, req)
        want.append(r)
    assert got == want
    assert sum(r is not None for r in got) > 1000
    assert len(batch) == len(loop)
    assert [b.request for b in batch.bookings(1)] == [b.request for b in loop.bookings(1)]


def test_book_first_fit_refuses_a_bad_item_and_books_nothing():
    s = pool(3)
    t0 = dt.datetime(2026, 3, 27, 9, tzinfo=UTC)
    with pytest.raises(sala.InvalidArgumentError, match=r"items\[1\]\.blocked"):
        s.book_first_fit([(block(t0, 60), 1), (sala.Interval(t0, t0), 2)])
    assert len(s) == 0
    assert s.book_first_fit([]) == []
