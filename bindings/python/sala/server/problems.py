"""Errors as application/problem+json (RFC 9457). Every problem names a
`type` (a URN of this service), a `title`, the HTTP `status`, a `detail`
and, when one input is at fault, the `field` and the `rule` it broke;
validation errors list every offending field in `errors`."""

from __future__ import annotations

import json
from typing import Any, Optional

import sala
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"


class ApiProblem(Exception):
    def __init__(self, status: int, slug: str, title: str, detail: str = "", *,
                 field: Optional[str] = None, rule: Optional[str] = None,
                 errors: Optional[list[dict[str, str]]] = None,
                 headers: Optional[dict[str, str]] = None) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.field = field
        self.rule = rule
        self.errors = errors
        self.headers = headers or {}

    def body(self, instance: str) -> dict[str, Any]:
        b: dict[str, Any] = {"type": f"urn:sala:problem:{self.slug}", "title": self.title,
                             "status": self.status, "detail": self.detail or self.title,
                             "instance": instance}
        if self.field is not None:
            b["field"] = self.field
        if self.rule is not None:
            b["rule"] = self.rule
        if self.errors:
            b["errors"] = self.errors
        return b

    def response(self, instance: str, request_id: str = "") -> Response:
        headers = dict(self.headers)
        if request_id:
            headers["X-Request-Id"] = request_id
        return Response(json.dumps(self.body(instance)), status_code=self.status,
                        media_type=PROBLEM_JSON, headers=headers)


def invalid(field: str, rule: str, detail: str) -> ApiProblem:
    return ApiProblem(422, "invalid-field", "A field is not valid", detail, field=field, rule=rule,
                      errors=[{"field": field, "rule": rule, "detail": detail}])


def not_found(kind: str, detail: str) -> ApiProblem:
    return ApiProblem(404, "not-found", f"No such {kind}", detail, field=kind, rule="exists")


def from_sala(e: BaseException) -> ApiProblem:
    """The problem for an exception the library raised (the command changed nothing)."""
    msg = str(e)
    if isinstance(e, sala.NonexistentLocalTimeError):
        return ApiProblem(422, "nonexistent-local-time", "The local time does not exist (DST gap)", msg,
                          field=e.field or "start", rule="dst-gap")
    if isinstance(e, sala.AmbiguousLocalTimeError):
        return ApiProblem(422, "ambiguous-local-time", "The local time happens twice (DST overlap)", msg,
                          field=e.field or "start", rule="dst-overlap")
    if isinstance(e, sala.InvalidSettingsError):
        return ApiProblem(422, "invalid-settings", "The settings are not valid", msg, field=e.field,
                          rule="settings")
    if isinstance(e, sala.InvalidArgumentError):
        return invalid(e.field or "body", "valid-value", msg)
    if isinstance(e, sala.NotFoundError):
        return not_found(e.kind or "resource", msg)
    if isinstance(e, sala.RuleViolationError):
        return ApiProblem(409, "rule-violation", "The command breaks a booking rule", msg, rule=e.rule)
    if isinstance(e, sala.RoomNotFreeError):
        return ApiProblem(409, "room-not-free", "The room is not free", msg, field="room", rule="free")
    if isinstance(e, sala.StoreError):
        return ApiProblem(503, "store-unavailable", "The store cannot be used", msg,
                          headers={"Retry-After": "5"})
    if isinstance(e, sala.BackendError):
        headers = {"Retry-After": str(max(1, e.retry_after_seconds))} if e.retryable else {}
        return ApiProblem(503 if e.retryable else 502, "backend-error", "A backend failed", msg,
                          headers=headers)
    return ApiProblem(500, "internal", "Internal error", "the server failed; see its log")
