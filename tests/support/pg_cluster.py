#!/usr/bin/python3
"""A throw-away PostgreSQL 15 cluster for tests and benchmarks.

initdb + pg_ctl from /usr/lib/postgresql/15/bin into a temporary folder,
listening on a free loopback port only, trust auth, run as a non-root user
(initdb refuses root: as root we drop to the `postgres` system user with
runuser). Three ways to use it:

  pg_cluster.py run [--no-fsync] -- CMD ARGS...
      start, run CMD with SALA_PG_CONNINFO set to the connection string,
      stop and delete the cluster, exit with CMD's status. Ctest uses this.

  pg_cluster.py serve [--no-fsync]
      start, print the connection string on one line of stdout (flushed),
      then wait; stop and delete on SIGTERM/SIGINT/SIGHUP (or, with
      --stop-on-eof, when stdin closes: handy for a parent holding a pipe).

  pg_cluster.py start [--dir DIR] [--no-fsync]   -> prints "DIR<TAB>CONNINFO"
  pg_cluster.py stop --dir DIR                   -> stops and deletes DIR

The connection string looks like
  host=127.0.0.1 port=54321 user=postgres dbname=postgres
"""
import argparse
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("SALA_PG_BIN", "/usr/lib/postgresql/15/bin")
RUN_AS = "postgres"


def _as_user(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", RUN_AS, "--"] + cmd
    return cmd


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _conninfo(port):
    return f"host=127.0.0.1 port={port} user=postgres dbname=postgres connect_timeout=10"


def start(base=None, no_fsync=False):
    """Creates and starts a cluster; returns (folder, conninfo)."""
    base = base or tempfile.mkdtemp(prefix="sala-pg-")
    os.makedirs(base, exist_ok=True)
    data = os.path.join(base, "data")
    if os.geteuid() == 0:
        pw = pwd.getpwnam(RUN_AS)
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chmod(base, 0o700)
    subprocess.run(_as_user([f"{BIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    opts = [f"-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={base}",
            "-c max_connections=200"]
    if no_fsync:
        opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    for attempt in range(5):
        port = _free_port()
        r = subprocess.run(_as_user([f"{BIN}/pg_ctl", "-D", data, "-l", os.path.join(base, "log"),
                                     "-w", "-t", "60", "-o", " ".join(opts + [f"-p {port}"]),
                                     "start"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode == 0:
            with open(os.path.join(base, "port"), "w") as f:
                f.write(str(port))
            return base, _conninfo(port)
        time.sleep(0.2)  # the port was taken between probe and bind: try another
    log = open(os.path.join(base, "log")).read() if os.path.exists(os.path.join(base, "log")) else ""
    raise RuntimeError(f"pg_ctl start failed: {r.stderr.decode()}\n{log}")


def stop(base):
    data = os.path.join(base, "data")
    if os.path.isdir(data):
        subprocess.run(_as_user([f"{BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(base, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["run", "serve", "start", "stop"])
    ap.add_argument("--dir")
    ap.add_argument("--no-fsync", action="store_true", help="faster, not crash-safe")
    ap.add_argument("--stop-on-eof", action="store_true", help="serve: stop when stdin closes")
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:
        k = argv.index("--")
        argv, cmd = argv[:k], argv[k + 1:]
    a = ap.parse_args(argv)

    if a.action == "stop":
        if not a.dir:
            ap.error("stop needs --dir")
        stop(a.dir)
        return 0
    if a.action == "start":
        base, ci = start(a.dir, a.no_fsync)
        print(f"{base}\t{ci}", flush=True)
        return 0

    base, ci = start(a.dir, a.no_fsync)
    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        if a.action == "serve":
            print(ci, flush=True)
            try:
                if a.stop_on_eof:
                    while sys.stdin.read(4096):
                        pass
                else:
                    while True:
                        signal.pause()
            except KeyboardInterrupt:
                pass
            return 0
        if not cmd:
            ap.error("run needs a command after --")
        env = dict(os.environ, SALA_PG_CONNINFO=ci)
        try:
            return subprocess.run(cmd, env=env).returncode
        except KeyboardInterrupt:
            return 130
    finally:
        stop(base)


if __name__ == "__main__":
    sys.exit(main())
