"""`GET /v1/docs`: the API reference as one self-contained HTML page, rendered
on the server from the generated OpenAPI document.

Why not FastAPI's Swagger UI: its page loads script and style from a CDN, so
it is blank on a machine without internet access and needs a CSP exception.
This page has no script at all and loads nothing; it is the same document
`/v1/openapi.json` serves, laid out for reading (who may call what, each
parameter and field, each problem). Clients that want a console can point any
OpenAPI tool at `/v1/openapi.json`."""

from __future__ import annotations

from typing import Any, Iterable

import jinja2
from markupsafe import escape

# No script, no external resource: the page is the stylesheet below and text.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_METHODS = ("get", "post", "put", "patch", "delete")

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ info.title }} {{ info.version }} · API reference</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 62rem; padding: 1rem 1.5rem; color: #1d2125; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccd; padding-bottom: .2rem; margin-top: 2rem; }
h3 { margin: 1.4rem 0 .3rem; font-size: 1.05rem; } code, .path { font-family: ui-monospace, monospace; }
.op { border: 1px solid #dde; border-radius: 6px; padding: .4rem .8rem .6rem; margin: .8rem 0; }
.method { display: inline-block; min-width: 4.2rem; font-weight: 700; font-family: ui-monospace, monospace; }
details { margin: .2rem 0; } summary { cursor: pointer; color: #57606a; font-size: .92rem; }
.get { color: #116329; } .post { color: #0550ae; } .put, .patch { color: #7d4e00; } .delete { color: #a40e26; }
.roles { color: #57606a; font-size: .9rem; } table { border-collapse: collapse; margin: .3rem 0; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .15rem .5rem; border-bottom: 1px solid #eef; font-size: .92rem; }
th { color: #57606a; font-weight: 600; } nav a { margin-right: .8rem; } .muted { color: #57606a; }
</style>
</head>
<body>
<h1>{{ info.title }} <span class="muted">{{ info.version }}</span></h1>
{% if info.description %}<p>{{ info.description }}</p>{% endif %}
<p class="muted">Generated from <a href="{{ openapi_url }}">{{ openapi_url }}</a> (OpenAPI {{ openapi }}).
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>; errors are
<code>application/problem+json</code>.</p>
<nav><a href="#endpoints">Endpoints</a><a href="#schemas">Schemas</a></nav>
<h2 id="endpoints">Endpoints</h2>
{% for op in operations %}
<section class="op" id="{{ op.anchor }}">
<div><span class="method {{ op.method }}">{{ op.method | upper }}</span> <span class="path">{{ op.path }}</span></div>
<div>{{ op.summary }}</div>
<div class="roles">{% if op.roles %}Roles: {{ op.roles | join(", ") }}{% else %}Public: no token needed{% endif %}</div>
{% if op.description and op.description != op.summary %}<p>{{ op.description }}</p>{% endif %}
{% if op.parameters %}
<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Required</th><th>About</th></tr>
{% for p in op.parameters %}<tr><td><code>{{ p.name }}</code></td><td>{{ p.where }}</td><td>{{ p.type }}</td><td>{{ "yes" if p.required else "no" }}</td><td>{{ p.about }}</td></tr>
{% endfor %}</table>
{% endif %}
{% if op.body %}<div>Body: {{ op.body | safe }}</div>{% endif %}
<table><tr><th>Status</th><th>Meaning</th><th>Body</th></tr>
{% for r in op.responses if r.code < "400" %}<tr><td>{{ r.code }}</td><td>{{ r.about }}</td><td>{{ r.body | safe }}</td></tr>
{% endfor %}</table>
{% set errors = op.responses | selectattr("code", ">=", "400") | list %}
{% if errors %}<details><summary>Errors: {{ errors | map(attribute="code") | join(", ") }}</summary>
<table>{% for r in errors %}<tr><td>{{ r.code }}</td><td>{{ r.about }}</td><td>{{ r.body | safe }}</td></tr>
{% endfor %}</table></details>{% endif %}
</section>
{% endfor %}
<h2 id="schemas">Schemas</h2>
{% for s in schemas %}
<h3 id="schema-{{ s.name }}">{{ s.name }}</h3>
{% if s.about %}<p>{{ s.about }}</p>{% endif %}
{% if s.fields %}
<table><tr><th>Field</th><th>Type</th><th>Required</th><th>About</th></tr>
{% for f in s.fields %}<tr><td><code>{{ f.name }}</code></td><td>{{ f.type | safe }}</td><td>{{ "yes" if f.required else "no" }}</td><td>{{ f.about }}</td></tr>
{% endfor %}</table>
{% elif s.enum %}<p>One of: {% for v in s.enum %}<code>{{ v }}</code>{% if not loop.last %}, {% endif %}{% endfor %}</p>
{% endif %}
{% endfor %}
</body>
</html>
"""

_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_page = _env.from_string(_TEMPLATE)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_html(schema: dict[str, Any]) -> str:
    """A schema's type as short HTML: a link for a reference, `array of X`, `A | B`."""
    if not schema:
        return "any"
    if "$ref" in schema:
        name = escape(_ref_name(schema["$ref"]))
        return f'<a href="#schema-{name}">{name}</a>'
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " | ".join(_type_html(s) for s in schema[key])
    t = schema.get("type", "any")
    if t == "array":
        return "array of " + _type_html(schema.get("items", {}))
    if "enum" in schema:
        return str(escape(" | ".join(str(v) for v in schema["enum"])))
    fmt = schema.get("format")
    return str(escape(f"{t} ({fmt})" if fmt else str(t)))


def _body_html(content: dict[str, Any]) -> str:
    parts = []
    for media, spec in content.items():
        parts.append(f"<code>{escape(media)}</code> {_type_html(spec.get('schema', {}))}")
    return "; ".join(parts)


def _operations(doc: dict[str, Any], roles_of: dict[tuple[str, str], Iterable[str]]) -> list[dict[str, Any]]:
    ops = []
    for path, item in doc.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [{"name": p["name"], "where": p.get("in", ""), "type": _type_html(p.get("schema", {})),
                       "required": p.get("required", False),
                       "about": p.get("description", p.get("schema", {}).get("description", ""))}
                      for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content")
            responses = [{"code": code, "about": r.get("description", ""), "body": _body_html(r.get("content", {}))}
                         for code, r in sorted(op.get("responses", {}).items())]
            ops.append({"method": method, "path": path, "anchor": f"{method}-{path}".replace("/", "-").strip("-"),
                        "summary": op.get("summary", ""), "description": op.get("description", ""),
                        "roles": sorted(roles_of.get((method.upper(), path), ())), "parameters": params,
                        "body": _body_html(body) if body else "", "responses": responses})
    return ops


def _schemas(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, s in sorted(doc.get("components", {}).get("schemas", {}).items()):
        required = set(s.get("required", []))
        fields = [{"name": f, "type": _type_html(fs), "required": f in required,
                   "about": fs.get("description", fs.get("title", ""))}
                  for f, fs in s.get("properties", {}).items()]
        out.append({"name": name, "about": s.get("description", ""), "fields": fields, "enum": s.get("enum")})
    return out


def render(doc: dict[str, Any], roles_of: dict[tuple[str, str], Iterable[str]], openapi_url: str) -> str:
    """The reference page for an OpenAPI document; `roles_of` maps (METHOD, path) to
    the roles allowed (empty: public)."""
    info = doc.get("info", {})
    return _page.render(info={"title": info.get("title", ""), "version": info.get("version", ""),
                              "description": info.get("description", "")},
                        openapi=doc.get("openapi", ""), openapi_url=openapi_url,
                        operations=_operations(doc, roles_of), schemas=_schemas(doc))
