"""The .pyi stub and the docstrings stay in sync with the module."""

import ast
import enum
import inspect
import pathlib

import sala

STUB = pathlib.Path(sala.__file__).with_name("__init__.pyi")
ALIASES = {"Zone", "Minutes", "RoomLike", "RequestLike", "PoolLike"}
# Present only when sala was built with the adapter or store (sala.HAVE_*).
OPTIONAL = {"OutboxMailer", "format_rfc5322", "rfc5322_message_id", "SmtpTls", "SmtpConfig", "SmtpMailer",
            "ZoomConfig", "ZoomRest", "SqliteStore", "PostgresStore", "ZoomEventKind", "ZoomSignatureCheck",
            "ZoomEvent", "ZOOM_SIGNATURE_TOLERANCE_SECONDS", "MAX_ZOOM_WEBHOOK_BODY", "verify_zoom_signature",
            "zoom_url_validation_reply", "parse_zoom_event"}


def stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def class_members(node):
    names = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.ClassDef)):
            names.add(item.name)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
        elif isinstance(item, ast.Assign):
            names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    return names


def top_level(tree):
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node
    return out


def public_members(cls):
    for name, value in vars(cls).items():
        if name.startswith("_") or isinstance(cls, enum.EnumMeta):
            continue
        yield name, value


def test_every_public_name_is_in_the_stub_and_nothing_more():
    stub = top_level(stub_tree())
    missing = [n for n in sala.__all__ if n not in stub]
    assert missing == [], f"add to {STUB.name}: {missing}"
    extra = [n for n in stub if n not in sala.__all__ and n not in ALIASES | OPTIONAL and not n.startswith("_")]
    assert extra == [], f"in the stub but not in the module: {extra}"


def test_every_class_member_is_in_the_stub():
    stub = top_level(stub_tree())
    gaps = []
    for name in sala.__all__:
        obj = getattr(sala, name)
        if not isinstance(obj, type) or isinstance(obj, enum.EnumMeta) or issubclass(obj, BaseException):
            continue
        declared = class_members(stub[name])
        for base in obj.__mro__[1:]:
            if base.__name__ in stub:
                declared |= class_members(stub[base.__name__])
        gaps += [f"{name}.{m}" for m, _ in public_members(obj) if m not in declared]
    assert gaps == []


def test_enums_in_the_stub_list_the_same_members():
    stub = top_level(stub_tree())
    for name in sala.__all__:
        obj = getattr(sala, name)
        if isinstance(obj, enum.EnumMeta):
            assert class_members(stub[name]) == {m.name for m in obj}, name


def has_doc(obj):
    doc = inspect.getdoc(obj) or ""
    # pybind11 puts the signature first; a real docstring follows it.
    lines = [ln for ln in doc.splitlines() if ln.strip() and not ln.startswith(getattr(obj, "__name__", "?") + "(")]
    lines = [ln for ln in lines if ln.strip() != "Overloaded function."]
    return bool(lines)


def test_every_class_function_and_method_has_a_docstring():
    undocumented = []
    for name in sala.__all__:
        obj = getattr(sala, name)
        if isinstance(obj, bool):  # HAVE_* flags
            continue
        if not has_doc(obj):
            undocumented.append(name)
        if isinstance(obj, type) and not isinstance(obj, enum.EnumMeta) and not issubclass(obj, BaseException):
            for m, value in public_members(obj):
                if isinstance(value, (enum.EnumMeta,)) or (isinstance(value, type)):
                    target = value
                elif isinstance(value, property):
                    target = value
                else:
                    target = getattr(obj, m)
                if not (inspect.getdoc(target) if isinstance(target, property) else has_doc(target)):
                    undocumented.append(f"{name}.{m}")
    assert undocumented == []
    assert sala.__doc__ and "timezone-aware" in sala.__doc__
