import datetime as dt
from zoneinfo import ZoneInfo
import sala

madrid = ZoneInfo("Europe/Madrid")
clock = sala.ManualClock(dt.datetime(2021, 5, 3, 9, 0, tzinfo=madrid))
p = sala.Platform(sala.Settings(preparation=30, courtesy=15, post_processing=6), clock)
room = p.link_account("symposium", sala.PoolKind.OWN, [
    sala.AccountUser("u09", "symposiumwebinar09@symposium.events", "Webinar 100 pax")]).new_rooms[0]
p.activate(room); p.set_mode(room, sala.RoomMode.AUTOMATIC)
s = p.submit(title="Webinar turno mañanas", start=dt.datetime(2021, 6, 1, 9, 0, tzinfo=madrid),
             duration=240, event_id="2090", organizer=sala.Organizer("Soporte", "support@symposium.events"))
b = p.get_request(s.id).blocked  # R7: start - 30 min .. end + 15 + 6 min
print(p.get_room(s.assignment.value()).email, f"{b.begin.astimezone(madrid):%H:%M}-{b.end.astimezone(madrid):%H:%M}")
