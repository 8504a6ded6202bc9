"""The authorization matrix: every endpoint called with every role, no token
and a wrong token. The expected matrix is the table in docs/server.md (so the
documentation is the specification); the table must list exactly the routes
the server's OpenAPI document has."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Optional

import pytest

from conftest import ORGANIZER_EMAIL, OTHER_EMAIL, World, module_world, request_body, utc_day

SOURCE = Path(os.environ.get("SALA_SOURCE_DIR", Path(__file__).resolve().parents[2]))
ROLES = ("admin", "organizer", "platform")


def doc_matrix() -> dict[tuple[str, str], dict[str, str]]:
    text = (SOURCE / "docs" / "server.md").read_text()
    block = text.split("<!-- authz-matrix -->")[1].split("<!-- /authz-matrix -->")[0]
    out = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or cells[0] in ("method", "---") or set(cells[0]) <= {"-"}:
            continue
        method, path = cells[0], cells[1].strip("`")
        out[(method, path)] = dict(zip(ROLES, cells[2:5]))
    return out


MATRIX = doc_matrix()
WINDOW = f"from={utc_day(0)}&to={utc_day(30)}"


def _call(w: World, role: Optional[str], method: str, path: str, token: Optional[str] = None) -> Any:
    # Fresh objects for calls that change them, so every call finds what it needs.
    rid = None
    if "{rid}" in path:
        r = w.admin.post("/v1/requests", json=request_body(len(w.server.lines)))
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
    concrete = path.replace("{rid}", str(rid)).replace("{room}", "3").replace("{wid}", "1").replace("{did}", "1")
    body: Optional[dict[str, Any]] = None
    if method in ("POST", "PUT"):
        body = {
            "/v1/requests": request_body(7, organizer={"name": "Ana", "email": ORGANIZER_EMAIL}),
            "/v1/requests/{rid}/assign": {"room": 1},
            "/v1/requests/{rid}/reassign": {"room": 2},
            "/v1/requests/{rid}/make-room": {"max_moves": 1},
            "/v1/rooms/{room}/mode": {"mode": "manual"},
            "/v1/accounts": {"name": "symposium", "kind": "own",
                             "users": [{"user_id": f"u{k}", "email": f"webinar{k:02d}@symposium.events"}
                                       for k in range(3)]},
            "/v1/settings": {},
            "/v1/webhooks": {"url": "http://127.0.0.1:9/hook"},
        }.get(path, None)
    if path in ("/v1/calendar", "/v1/licence-plan"):
        concrete += "?" + WINDOW
    if token is None:
        c = w.as_(role) if role else w.server.client()
    else:
        c = w.server.client(token)
    with c:
        return c.request(method, concrete, json=body)


@pytest.fixture(scope="module")
def world(tmp_path_factory: Any) -> Any:
    yield from module_world(tmp_path_factory, "authz", rooms=3,
                            config="[server]\nauth_failures_per_minute = 100000\n")


def test_docs_table_lists_every_route(world: World) -> None:
    doc = world.server.client().get("/v1/openapi.json").json()
    routes = {(meth.upper(), p) for p, ops in doc["paths"].items() for meth in ops}
    routes |= {("GET", "/v1/openapi.json"), ("GET", "/v1/docs")}
    assert routes == set(MATRIX), f"docs/server.md table vs server: {sorted(routes ^ set(MATRIX))}"


@pytest.mark.parametrize("method,path", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role(world: World, role: str, method: str, path: str) -> None:
    if "signed" in MATRIX[(method, path)].values():
        pytest.skip("authenticated by Zoom's signature, not a role: tests/server/test_zoom_webhooks.py")
    allowed = MATRIX[(method, path)][role] in ("yes", "own", "public")
    r = _call(world, role, method, path)
    if allowed:
        assert r.status_code not in (401, 403), f"{role} {method} {path}: {r.status_code} {r.text}"
    else:
        assert r.status_code == 403, f"{role} {method} {path}: {r.status_code} {r.text}"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["rule"] == "role"


@pytest.mark.parametrize("method,path", sorted(MATRIX))
def test_without_token(world: World, method: str, path: str) -> None:
    if "signed" in MATRIX[(method, path)].values():
        pytest.skip("authenticated by Zoom's signature, not a token: tests/server/test_zoom_webhooks.py")
    public = all(v == "public" for v in MATRIX[(method, path)].values())
    r = _call(world, None, method, path)
    if public:
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["field"] == "Authorization"
    bad = _call(world, None, method, path, token="sala_not-a-token")
    assert bad.status_code == (200 if public else 401)


def test_organizers_see_only_their_own(world: World) -> None:
    mine = world.as_("organizer").post("/v1/requests", json=request_body(3, organizer=None)).json()
    assert mine["organizer"]["email"] == ORGANIZER_EMAIL
    other = world.as_("other")
    for path in (f"/v1/requests/{mine['id']}", f"/v1/requests/{mine['id']}/credentials",
                 f"/v1/requests/{mine['id']}/report", f"/v1/requests/{mine['id']}/recordings"):
        r = other.get(path)
        assert r.status_code == 404, (path, r.text)
    assert other.post(f"/v1/requests/{mine['id']}/cancel").status_code == 404
    assert world.admin.get(f"/v1/requests/{mine['id']}").json()["state"] in ("assigned", "queued")  # untouched
    listed = other.get("/v1/requests?limit=500").json()["items"]
    assert all(x["organizer"]["email"] == OTHER_EMAIL for x in listed)
    assert mine["id"] not in [x["id"] for x in listed]
    # An organizer cannot submit in someone else's name; the platform may.
    r = other.post("/v1/requests", json=request_body(4))
    assert r.status_code == 403 and r.json()["field"] == "organizer.email"
    r = world.as_("platform").post("/v1/requests", json=request_body(5, organizer={"name": "O", "email": OTHER_EMAIL}))
    assert r.status_code == 201
    assert r.json()["id"] in [x["id"] for x in other.get("/v1/requests?limit=500").json()["items"]]


def test_revoked_and_unknown_tokens(world: World, tmp_path: Path) -> None:
    assert re.match(r"^sala_[A-Za-z0-9_-]{40,}$", world.tokens["admin"])
    r = world.server.client("Bearer-ish").get("/v1/rooms")
    assert r.status_code == 401
