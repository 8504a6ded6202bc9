#!/usr/bin/python3
"""Parses every .eml file in a folder with Python's email package (the
independent reader for the formatter's round-trip test) and prints one JSON
object: file name -> decoded subject, names, addresses, parts, header names,
defects."""
import email
import email.policy
import json
import os
import sys

out = {}
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    if not name.endswith(".eml"):
        continue
    with open(os.path.join(folder, name), "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)
    parts = {}
    for part in msg.walk():
        if not part.is_multipart():
            parts[part.get_content_type()] = part.get_content()
    out[name] = {
        "subject": str(msg["subject"]),
        "from_name": msg["from"].addresses[0].display_name,
        "from": msg["from"].addresses[0].addr_spec,
        "to_names": [a.display_name for a in msg["to"].addresses],
        "to": [a.addr_spec for a in msg["to"].addresses],
        "header_names": [k for k, _ in msg.items()],
        "parts": parts,
        "defects": [type(d).__name__ for d in msg.defects]
                   + [type(d).__name__ for p in msg.walk() for d in p.defects],
    }
json.dump(out, sys.stdout, ensure_ascii=False)
