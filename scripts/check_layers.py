#!/usr/bin/env python3
"""Checks sala's house rules (docs/architecture.md) over the source tree: which
headers may include which, no I/O in the core, no file over 700 lines.

Usage: check_layers.py [ROOT]       exits 1 and names every broken rule
       check_layers.py --self-test  proves each rule can fail on a made-up tree
"""
import pathlib
import re
import sys
import tempfile

# Public headers by layer: a header's path under include/ starts with one of these.
LAYERS = [
    ("value", ["sala/time.hpp", "sala/interval.hpp", "sala/ids.hpp", "sala/error.hpp", "sala/text.hpp",
               "sala/enum_names.hpp", "sala/settings.hpp", "sala/request.hpp", "sala/room.hpp",
               "sala/state.hpp", "sala/records.hpp", "sala/detail/utf8.hpp", "sala/webhook_signature.hpp"]),
    ("store_base", ["sala/detail/sql_store.hpp"]),
    ("schedule", ["sala/schedule.hpp", "sala/policy.hpp", "sala/detail/"]),
    ("ports", ["sala/ports/"]),
    ("facade", ["sala/platform.hpp", "sala/sala.hpp"]),
    ("views", ["sala/views/", "sala/planning/"]),
    ("lifecycle", ["sala/lifecycle/"]),
    ("durable", ["sala/durable/"]),
    ("adapters", ["sala/adapters/"]),
    ("fakes", ["sala/fakes/"]),
    ("interop", ["sala/interop/"]),
    # The C API: a flat C header that includes no other sala header.
    ("c_api", ["sala/c/"]),
]
# What each layer's public headers may include (besides the standard library and
# third-party headers). Ports depend only on values: never on the facade.
ALLOWED = {
    "value": {"value"},
    "schedule": {"value", "schedule"},
    "ports": {"value", "ports"},
    "facade": {"value", "schedule", "ports", "facade"},
    "views": {"value", "schedule", "ports", "facade", "views"},
    "lifecycle": {"value", "schedule", "ports", "facade", "lifecycle"},
    "durable": {"value", "schedule", "ports", "facade", "lifecycle", "durable"},
    "store_base": {"value", "ports", "store_base"},
    "adapters": {"value", "ports", "store_base", "adapters"},
    "fakes": {"value", "ports", "fakes"},
    "interop": {"value"},
    "c_api": {"c_api"},
}
# Compiled parts that must do no I/O of their own (files go through ports).
NO_IO_DIRS = ["src/core", "src/views", "src/planning", "src/lifecycle", "src/store"]
IO_HEADERS = {"fstream", "filesystem", "unistd.h", "fcntl.h"}
# Read the operating system's entropy source and its time zone files (as
# date's own zone database does), not the host's data: allowed.
IO_EXEMPT = {"src/lifecycle/credentials.cpp", "src/core/zone.cpp"}
# Standard-library internals no installed header may touch.
STD_INTERNALS = re.compile(r"\b_Rb_tree\w*|\b_M_\w+|__gnu_cxx::")
# No source file grows past this; the type stub mirrors the whole module in
# the one file Python reads for it, so it is measured apart.
MAX_LINES = 700
SIZE_EXEMPT = {"bindings/python/sala/__init__.pyi"}
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".py", ".pyi"}
SOURCE_DIRS = ["include", "src", "bindings", "tests", "benchmarks", "examples", "scripts"]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(header):
    for name, prefixes in LAYERS:
        for p in prefixes:
            if header == p or (p.endswith("/") and header.startswith(p)):
                return name
    return None


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check(root):
    root = pathlib.Path(root)
    problems = []
    inc = root / "include"
    for h in sorted(inc.rglob("*.hpp")) + sorted(inc.rglob("*.h")):
        rel = h.relative_to(inc).as_posix()
        mine = layer_of(rel)
        if mine is None:
            problems.append(f"{rel}: in no layer; add it to LAYERS in scripts/check_layers.py")
            continue
        text = h.read_text(encoding="utf-8")
        for kind, target in INCLUDE.findall(text):
            if kind == '"' and not target.startswith("sala/"):
                problems.append(f"{rel}: includes private header \"{target}\"")
                continue
            if not target.startswith("sala/"):
                continue
            theirs = layer_of(target)
            if theirs is None:
                problems.append(f"{rel}: includes {target}, which is in no layer")
            elif theirs not in ALLOWED[mine]:
                problems.append(f"{rel}: a {mine} header may not include {target} ({theirs})")
        if STD_INTERNALS.search(strip_comments(text)):
            problems.append(f"{rel}: reads standard-library internals (move that code into a .cpp)")
    for d in NO_IO_DIRS:
        for f in sorted((root / d).rglob("*.[ch]pp")) if (root / d).exists() else []:
            if f.relative_to(root).as_posix() in IO_EXEMPT:
                continue
            for kind, target in INCLUDE.findall(f.read_text(encoding="utf-8")):
                if kind == "<" and target in IO_HEADERS:
                    problems.append(f"{f.relative_to(root).as_posix()}: does I/O (<{target}>); use a port")
    adapters = root / "src" / "adapters"
    for f in sorted(adapters.rglob("*.[ch]pp")) if adapters.exists() else []:
        for kind, target in INCLUDE.findall(f.read_text(encoding="utf-8")):
            if kind == '"' and target.startswith("../"):
                problems.append(f"{f.relative_to(root).as_posix()}: includes another folder's "
                                f"private header \"{target}\"")
    for d in SOURCE_DIRS:
        for f in sorted((root / d).rglob("*")) if (root / d).exists() else []:
            rel = f.relative_to(root).as_posix()
            if f.suffix in SOURCE_SUFFIXES and f.is_file() and rel not in SIZE_EXEMPT:
                n = f.read_text(encoding="utf-8", errors="replace").count("\n")
                if n > MAX_LINES:
                    problems.append(f"{rel}: {n} lines (at most {MAX_LINES}); split it")
    return problems


def self_test():
    bad = {
        "include/sala/ports/store.hpp": '#include "sala/platform.hpp"\n',
        "include/sala/platform.hpp": '#include "common/text.hpp"\n',
        "include/sala/schedule.hpp": "using n = std::_Rb_tree_node_base;\n",
        "include/sala/adapters/x.hpp": '#include "sala/lifecycle/lifecycle.hpp"\n',
        "include/sala/new_thing.hpp": "\n",
        "src/lifecycle/steps.cpp": "#include <fstream>\n",
        "src/adapters/pg/pg.cpp": '#include "../sqlite/codec.hpp"\n',
        "src/core/big.cpp": "int x;\n" * (MAX_LINES + 1),
    }
    expected = ["ports header may not include sala/platform.hpp", "private header \"common/text.hpp\"",
                "standard-library internals", "adapters header may not include sala/lifecycle",
                "in no layer", "does I/O (<fstream>)", "another folder's private header",
                "701 lines (at most 700)"]
    with tempfile.TemporaryDirectory() as tmp:
        for path, text in bad.items():
            p = pathlib.Path(tmp) / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        found = "\n".join(check(tmp))
    missed = [e for e in expected if e not in found]
    if missed:
        print("self-test: these rules did not fire:", *missed, sep="\n  ")
        return 1
    print(f"self-test: all {len(expected)} rules fire")
    return 0


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    root = argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    problems = check(root)
    for p in problems:
        print(p)
    print(f"check_layers: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
