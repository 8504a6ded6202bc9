#!/usr/bin/python3
"""A hostile SMTP peer for the smtp tests: a small hand-written SMTP server on
127.0.0.1 and a free port that speaks the protocol normally (RFC 5321: 220
greeting, EHLO, optional AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT) except
where --mode makes it misbehave. Prints "PORT <n>" when ready; stops on
SIGTERM. Every message it accepts with 250 is counted in --dir/accepted (one
line per message), so tests can tell "accepted" from "not accepted".

Modes (--mode):
  normal                 behaves
  stall_greeting         accepts the connection, never greets
  drop_at_greeting       closes the connection at once
  greeting_421           "421 busy" greeting, then closes
  greeting_554           "554 no service" greeting
  garbage_greeting       a line that is no SMTP reply
  binary_garbage         random bytes (NULs, high bytes), no line end
  overlong_reply         a greeting line of 1 MB without CRLF
  endless_multiline      "220-" continuation lines, forever
  slow_drip_greeting     the greeting one byte every 0.3 s
  stall_mid_reply        EHLO answered "250-first line" and then nothing
  stall_mid_line         EHLO answered "25" (no line end) and then nothing
  stall_after_rcpt       RCPT TO is never answered
  stall_after_data       reads the whole message, never answers the final "."
  stall_after_354        "354" and then neither reads the message nor answers
  drop_after_data        closes the connection after the final "."
  reset_after_data       resets (RST) the connection after the final "."
  data_reply_451         the final "." answered 451
  data_reply_552         the final "." answered 552
  reply_code_600         every reply after the greeting is "600 what"
  control_chars_reply    RCPT refused 550 with ESC, BEL and CR in its text
  echo_auth              AUTH refused 535, echoing the credentials it got
  stall_after_quit       accepts the message, never answers QUIT
  lf_only_replies        replies end in a bare LF
"""

import argparse
import os
import random
import signal
import socket
import socketserver
import sys
import threading
import time

MODES = {
    "normal", "stall_greeting", "drop_at_greeting", "greeting_421", "greeting_554",
    "garbage_greeting", "binary_garbage", "overlong_reply", "endless_multiline",
    "slow_drip_greeting", "stall_mid_reply", "stall_mid_line", "stall_after_rcpt",
    "stall_after_data", "stall_after_354", "drop_after_data", "reset_after_data",
    "data_reply_451", "data_reply_552", "reply_code_600", "control_chars_reply",
    "echo_auth", "stall_after_quit", "lf_only_replies",
}
STALL = 3600  # seconds: longer than any test; the client must give up first


class Peer(socketserver.StreamRequestHandler):
    def send(self, text):
        eol = "\n" if self.server.mode == "lf_only_replies" else "\r\n"
        self.wfile.write((text + eol).encode("utf-8", "surrogateescape"))
        self.wfile.flush()

    def stall(self):
        time.sleep(STALL)

    def handle(self):
        try:
            self.session()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up: that is what most modes test

    def greeting(self):
        mode = self.server.mode
        if mode == "stall_greeting":
            self.stall()
        elif mode == "drop_at_greeting":
            return False
        elif mode == "greeting_421":
            self.send("421 4.3.2 hostile.test busy, come back later")
            return False
        elif mode == "greeting_554":
            self.send("554 5.3.2 hostile.test does not serve you")
        elif mode == "garbage_greeting":
            self.send("HELLO THERE, I AM NOT AN SMTP SERVER")
        elif mode == "binary_garbage":
            rnd = random.Random(7)
            self.wfile.write(bytes(rnd.randrange(256) for _ in range(4096)).replace(b"\n", b"\0"))
            self.wfile.flush()
            self.stall()
        elif mode == "overlong_reply":
            self.wfile.write(b"220 " + b"x" * (1 << 20))
            self.wfile.flush()
            self.stall()
        elif mode == "endless_multiline":
            line = b"220-hostile.test " + b"y" * 60 + b"\r\n"
            while True:
                self.wfile.write(line * 64)
                self.wfile.flush()
        elif mode == "slow_drip_greeting":
            for ch in b"220 hostile.test ESMTP ready\r\n":
                self.wfile.write(bytes([ch]))
                self.wfile.flush()
                time.sleep(0.3)
            return True
        else:
            self.send("220 hostile.test ESMTP")
        return True

    def session(self):
        mode = self.server.mode
        if not self.greeting():
            return
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if mode == "reply_code_600" and verb not in ("EHLO", "HELO", "QUIT"):
                self.send("600 what")
                continue
            if mode == "greeting_554" and verb not in ("QUIT",):
                self.send("554 5.3.2 no service")
                continue
            if verb in ("EHLO", "HELO"):
                if mode == "stall_mid_reply":
                    self.send("250-hostile.test greets you")
                    self.stall()
                if mode == "stall_mid_line":
                    self.wfile.write(b"25")
                    self.wfile.flush()
                    self.stall()
                self.send("250-hostile.test")
                self.send("250-AUTH PLAIN LOGIN")
                self.send("250 8BITMIME")
            elif verb == "AUTH":
                if mode == "echo_auth":
                    self.send("535 5.7.8 refused: you sent '%s'" % line)
                else:
                    self.send("235 2.7.0 ok")
            elif verb == "MAIL":
                self.send("250 2.1.0 ok")
            elif verb == "RCPT":
                if mode == "stall_after_rcpt":
                    self.stall()
                if mode == "control_chars_reply":
                    self.send("550 5.1.1 \x1b[31mno\x07 such\rmailbox\x00here")
                    continue
                self.send("250 2.1.5 ok")
            elif verb == "DATA":
                self.send("354 end with <CRLF>.<CRLF>")
                if mode == "stall_after_354":
                    self.stall()  # reads nothing more
                self.read_message()
                if mode == "stall_after_data":
                    self.stall()
                if mode == "drop_after_data":
                    return
                if mode == "reset_after_data":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                if mode == "data_reply_451":
                    self.send("451 4.3.0 try again later")
                    continue
                if mode == "data_reply_552":
                    self.send("552 5.3.4 message too big")
                    continue
                with self.server.lock:
                    with open(os.path.join(self.server.folder, "accepted"), "a") as f:
                        f.write("message\n")
                self.send("250 2.0.0 queued")
            elif verb == "RSET" or verb == "NOOP":
                self.send("250 ok")
            elif verb == "QUIT":
                if mode == "stall_after_quit":
                    self.stall()
                self.send("221 bye")
                return
            else:
                self.send("502 5.5.2 unknown command")

    def read_message(self):
        while True:
            raw = self.rfile.readline(1 << 20)
            if not raw or raw in (b".\r\n", b".\n"):
                return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", default="normal", choices=sorted(MODES))
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    server = Server(("127.0.0.1", 0), Peer)
    server.mode = args.mode
    server.folder = args.dir
    server.lock = threading.Lock()
    print("PORT %d" % server.server_address[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    server.serve_forever()


if __name__ == "__main__":
    main()
