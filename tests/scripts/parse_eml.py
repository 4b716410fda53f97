"""Parses .eml files with Python's standard email package (an independent parser) and
prints, as JSON, the decoded headers and the plain-text and HTML parts of each.

usage: python3 parse_eml.py FILE.eml [FILE.eml ...]
"""
import email
import json
import sys
from email import policy

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=policy.default)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    out.append({
        "file": path,
        "from": str(message["From"]),
        "to": [str(a) for a in message["To"].addresses] if message["To"] else [],
        "to_names": [a.display_name for a in message["To"].addresses] if message["To"] else [],
        "cc": [a.addr_spec for a in message["Cc"].addresses] if message["Cc"] else [],
        "to_addresses": [a.addr_spec for a in message["To"].addresses] if message["To"] else [],
        "subject": str(message["Subject"]),
        "date": str(message["Date"]),
        "message_id": str(message["Message-ID"]),
        "content_type": message.get_content_type(),
        "plain": plain.get_content() if plain is not None else None,
        "html": html.get_content() if html is not None else None,
        "defects": [str(d) for d in message.defects],
    })
json.dump(out, sys.stdout, ensure_ascii=False)
