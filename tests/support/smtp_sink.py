#!/usr/bin/python3
"""SMTP sink for the smtp tests: a real SMTP server (Debian's python3-aiosmtpd)
on 127.0.0.1 and a free port. Every accepted message is saved in --dir as
<n>.eml (the bytes received) and <n>.json (envelope plus the message parsed
back with Python's email package). Prints "PORT <n>" when ready; stops on
SIGTERM (the test also sets PR_SET_PDEATHSIG, so it never outlives the test).

Recipients steer the server: a local part starting with "reject" gets 550,
"defer" gets 451, "slow" makes DATA wait --slow-seconds before answering.
With --user/--password, AUTH (PLAIN/LOGIN, allowed without TLS) is required.
With --tls starttls|implicit the server makes a throw-away self-signed
certificate for 127.0.0.1 (openssl CLI) in --dir/tls/cert.pem and requires
STARTTLS, or speaks TLS from the first byte."""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import subprocess

import logging

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, slow_seconds):
        self.folder = folder
        self.slow_seconds = slow_seconds
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("defer"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@", 1)[0].lower().startswith("slow") for r in envelope.rcpt_tos):
            await asyncio.sleep(self.slow_seconds)
        self.count += 1
        raw = envelope.original_content or envelope.content
        base = os.path.join(self.folder, "%d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if part.is_multipart():
                continue
            parts[part.get_content_type()] = part.get_content()
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth": session.authenticated,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "header_names": [k for k, _ in msg.items()],
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "from_name": msg["from"].addresses[0].display_name if msg["from"] else "",
            "to": [a.addr_spec for a in msg["to"].addresses] if msg["to"] else [],
            "to_names": [a.display_name for a in msg["to"].addresses] if msg["to"] else [],
            "message_id": str(msg["message-id"]),
            "date": str(msg["date"]),
            "content_type": msg.get_content_type(),
            "parts": parts,
            "defects": [type(d).__name__ for d in msg.defects],
        }
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=1)
        return "250 OK queued as %d" % self.count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--slow-seconds", type=float, default=5.0)
    ap.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    args = ap.parse_args()
    # Client-side aborts (timeouts, refused certificates) are part of the tests.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    import warnings
    warnings.simplefilter("ignore")
    os.makedirs(args.dir, exist_ok=True)
    handler = Sink(args.dir, args.slow_seconds)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok, handled=False)

    kwargs = {}
    if args.user:
        kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)

    server_ssl = None
    if args.tls != "none":
        tls_dir = os.path.join(args.dir, "tls")
        os.makedirs(tls_dir, exist_ok=True)
        cert, key = os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if args.tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            server_ssl = context

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, hostname="sink.test", **kwargs), "127.0.0.1", 0,
                           ssl=server_ssl))
    port = server.sockets[0].getsockname()[1]
    print("PORT %d" % port, flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
