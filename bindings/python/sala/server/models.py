"""The JSON bodies of the API (pydantic 1.10 models). Input models forbid
unknown fields, so a typo is a 422 naming the field instead of being ignored.
The OpenAPI document is generated from these and from the routes."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Extra, Field

RFC3339 = ("RFC 3339 date-time. With an offset it is an exact instant and must agree with `zone` "
           "at that instant; without one it is the wall-clock time in `zone`, and a time in a DST "
           "gap or overlap is refused (422) unless `choose` says which one is meant.")


class In(BaseModel):
    class Config:
        extra = Extra.forbid


class OrganizerIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., min_length=3, max_length=254)


class RequestIn(In):
    title: str = Field(..., min_length=1, max_length=200)
    start: str = Field(..., description=RFC3339, example="2026-05-13T09:00:00+02:00")
    zone: str = Field(..., description="IANA time zone of the event", example="Europe/Madrid")
    duration: int = Field(..., ge=1, le=100000, description="minutes")
    event_id: str = Field(..., min_length=1, max_length=100)
    organizer: Optional[OrganizerIn] = Field(
        None, description="required for admin and platform tokens; an organizer token submits as itself")
    admission: Literal["automatic", "manual"] = "automatic"
    expected_attendees: Optional[int] = Field(None, ge=0, le=1000000)
    panelists: list[str] = Field(default_factory=list, max_items=100)
    choose: Optional[Literal["earliest", "latest"]] = Field(
        None, description="which of two wall-clock times to take in a DST overlap, or which side of a gap")


class RoomRef(In):
    room: int = Field(..., ge=1)


class ModeIn(In):
    mode: Literal["automatic", "manual"]


class MakeRoomIn(In):
    max_moves: int = Field(3, ge=0, le=10)


class SettingsIn(In):
    min_days_in_advance: Optional[int] = None
    max_days_in_advance: Optional[int] = None
    min_duration: Optional[int] = Field(None, description="minutes")
    max_duration: Optional[int] = Field(None, description="minutes")
    preparation: Optional[int] = Field(None, description="minutes")
    courtesy: Optional[int] = Field(None, description="minutes")
    post_processing: Optional[int] = Field(None, description="minutes")
    credentials_lead: Optional[int] = Field(None, description="minutes")
    end_warning_lead: Optional[int] = Field(None, description="minutes")


class SettingsOut(BaseModel):
    min_days_in_advance: int
    max_days_in_advance: int
    min_duration: int
    max_duration: int
    preparation: int
    courtesy: int
    post_processing: int
    credentials_lead: int
    end_warning_lead: int


class AccountUserIn(In):
    user_id: str = Field(..., min_length=1, max_length=100)
    email: str = Field(..., min_length=3, max_length=254)
    display_name: str = Field("", max_length=200)
    owner: bool = False
    licensed: bool = True
    capacity: int = Field(100, ge=0, le=1000000)


class LinkIn(In):
    name: str = Field(..., min_length=1, max_length=100, description="account name; linking it again re-links")
    kind: Literal["own", "lent"]
    users: Optional[list[AccountUserIn]] = Field(
        None, max_items=10000, description="the account's users; omitted: asked from the conferencing backend")


class Organizer(BaseModel):
    name: str
    email: str


class Window(BaseModel):
    begin: str
    end: str


class RequestOut(BaseModel):
    id: int
    title: str
    start: str = Field(..., description="RFC 3339 with the event zone's offset")
    local_start: str = Field(..., description="wall-clock start in `zone`, no offset")
    zone: str
    duration: int
    event_id: str
    admission: str
    organizer: Organizer
    expected_attendees: Optional[int]
    panelists: list[str]
    blocked: Window
    state: Literal["assigned", "queued", "cancelled", "finished"] = Field(
        ..., description="cancelled and finished: kept as history, no longer in the schedule")
    room: Optional[int] = Field(..., description="the room it holds (history: the room it held)")
    status: str = Field(..., description="unassigned, future, running, finished or cancelled")


class RequestPage(BaseModel):
    items: list[RequestOut]
    next_cursor: Optional[str] = Field(None, description="pass as `cursor` for the next page")


class AssignmentOut(BaseModel):
    assigned: bool
    status: str
    room: Optional[int]
    reason: str
    request: RequestOut


class RoomOut(BaseModel):
    id: int
    pool: int
    user_id: str
    email: str
    display_name: str
    capacity: int
    active: bool
    mode: str


class PoolOut(BaseModel):
    id: int
    name: str
    kind: str
    takes_new_requests: bool


class LinkOut(BaseModel):
    pool: int
    new_rooms: list[int]
    wasted_licences: list[str]
    unlicensed: list[str]


class AccountUserOut(BaseModel):
    user_id: str
    email: str
    display_name: str
    owner: bool
    licensed: bool
    capacity: int


class CalendarEntryOut(BaseModel):
    request: RequestOut
    room: Optional[int]
    status: str


class MoveOut(BaseModel):
    request: int
    title: str
    from_room: int
    to_room: int
    cost: str


class MakeRoomOut(BaseModel):
    request: int
    room: int
    moves: list[MoveOut]
    explanation: str


class CredentialsOut(BaseModel):
    start_url: str
    join_url: str
    user_name: str
    password: str
    valid_until: str


class GenerateOut(BaseModel):
    generated: bool


class AboutToStartOut(BaseModel):
    request: int
    title: str
    room: int
    start: str
    zone: str
    credentials_due: str
    credentials_issued: bool


class ProblemOut(BaseModel):
    request: Optional[int]
    room: Optional[int]
    step: str
    title: str
    failures: int
    last_error: str
    next_attempt: str


class SessionOut(BaseModel):
    name: str
    email: str
    join_time: str
    leave_time: str
    duration_seconds: int


class ReportOut(BaseModel):
    request: int
    title: str
    people: int
    sessions: list[SessionOut]


class RecordingOut(BaseModel):
    id: str
    file_type: str
    size_bytes: int


class RecordingsOut(BaseModel):
    request: int
    stuck: bool
    files: list[RecordingOut]
    downloaded: bool


class LicencePlanOut(BaseModel):
    requests: int
    minimum_rooms: int
    peak_at: Optional[str]
    first_fit_rooms: int
    plan: str
    licences: int


class QueueOut(BaseModel):
    items: list[RequestOut]


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""
    type: str
    title: str
    status: int
    detail: str
    instance: str
    field: Optional[str]
    rule: Optional[str]
    errors: Optional[list[dict[str, str]]]
