"""A sala_lifecycle_peer process driven over stdin/stdout, one line per command
(lifecycle_peer.cpp), for two_processes.py and crash_peers.py."""
import select
import signal
import subprocess


def unhex(h):
    """The journal's hex fields (passwords, mail bodies, titles) as text."""
    return bytes.fromhex(h).decode("utf-8") if h != "-" else ""


class Peer:
    def __init__(self, cmd, name):
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            raise AssertionError(f"{name} did not start: {line!r}, exit {self.proc.wait()}")

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def read(self, timeout=60):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise AssertionError(f"{self.name} hangs")
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"{self.name} exited with {self.proc.wait()}")
        return line.strip()

    def cmd(self, line):
        self.send(line)
        return self.read()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.close()

    def quit(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
        self.close()

    def close(self):
        for f in (self.proc.stdin, self.proc.stdout):
            if not f.closed:
                f.close()
