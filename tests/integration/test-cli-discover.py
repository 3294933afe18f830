#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli --discover end to end, against aiosmtpd (a real SMTP server we did not write).

Loopback only: the query is an IP address (no DNS, no web), and POSTACI_DISCOVERY_PORTS puts the
probes on the free ports the aiosmtpd servers got instead of 465/587/25. Checks the contract of
issue 11: JSONL kinds (source, endpoint, recommendation, outcome), the text table with the
recommendation last, and the exit statuses 0 (usable), 1 (none usable), 2 (bad input),
3 (nothing reachable); the login tried on the recommended endpoint; and that the password never
reaches the output (tests/test-discovery.c proves on the wire that other endpoints never see it). TAP on stdout.
Usage: test-cli-discover.py POSTACI-CLI SOURCE-DIR
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

CLI, SRCDIR = sys.argv[1], sys.argv[2]
CERTS = os.path.join(SRCDIR, "tests", "certs")
SERVER = os.path.join(SRCDIR, "tests", "servers", "aiosmtpd-server.py")
USER, PASSWORD = "ali", "gizli-Şifre-123"
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


class Server:
    def __init__(self, mode):
        self.maildir = tempfile.mkdtemp(prefix="postaci-discover-")
        args = ["/usr/bin/python3", SERVER, "--host", "127.0.0.1", "--port", "0", "--mode", mode,
                "--cert", os.path.join(CERTS, "server.pem"),
                "--key", os.path.join(CERTS, "server.key"),
                "--user", USER, "--password", PASSWORD, "--maildir", self.maildir,
                "--lifetime", "120"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError("aiosmtpd did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        try:
            out, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        shutil.rmtree(self.maildir, ignore_errors=True)
        return err


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(ports, *args, password=None):
    env = dict(os.environ)
    env.pop("POSTACI_PASSWORD", None)
    env["POSTACI_DISCOVERY_PORTS"] = ports
    if password is not None:
        env["POSTACI_PASSWORD"] = password
    proc = subprocess.run([CLI, "--color", "never", "--lang", "en", *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def jsonl(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main():
    tls = Server("tls")
    starttls = Server("starttls")
    ca = os.path.join(CERTS, "ca.pem")
    closed = closed_port()
    ports = "%d/tls,%d,%d" % (tls.port, starttls.port, closed)
    try:
        # JSONL: a source, one endpoint per probe, the recommendation last; exit 0.
        status, out, err = cli(ports, "--discover", "127.0.0.1", "--ca-file", ca,
                               "--format", "jsonl", "--timeout", "5")
        objects = jsonl(out)
        kinds = [o["kind"] for o in objects]
        check("jsonl: exit 0 with a usable endpoint", status == 0, "%d %s" % (status, err))
        check("jsonl: the source first, the recommendation last",
              kinds[0] == "source" and kinds[-1] == "recommendation" and kinds.count("endpoint") == 3,
              kinds)
        endpoints = {o["port"]: o for o in objects if o["kind"] == "endpoint"}
        e = endpoints.get(tls.port, {})
        check("jsonl: implicit TLS endpoint", e.get("security") == "tls" and e.get("reachable") is True
              and e.get("tls_valid") is True and e.get("auth_before_tls") == []
              and e.get("auth_after_tls") == ["LOGIN", "PLAIN"] and isinstance(e.get("connect_ms"), int), e)
        e = endpoints.get(starttls.port, {})
        check("jsonl: STARTTLS endpoint, AUTH only after TLS",
              e.get("security") == "starttls" and e.get("auth_before_tls") == []
              and e.get("auth_after_tls") == ["LOGIN", "PLAIN"] and "STARTTLS" in e.get("capabilities_before_tls", []), e)
        e = endpoints.get(closed, {})
        check("jsonl: closed port unreachable", e.get("reachable") is False and e.get("tls_valid") is None
              and e.get("connect_ms") is None, e)
        rec = objects[-1]
        check("jsonl: implicit TLS recommended (RFC 8314)",
              rec.get("host") == "127.0.0.1" and rec.get("port") == tls.port and rec.get("security") == "tls"
              and rec.get("auth") == ["LOGIN", "PLAIN"] and rec.get("auth_confirmed") is None, rec)

        # Text: the table, then the recommendation last.
        status, out, err = cli(ports, "--discover", "127.0.0.1", "--ca-file", ca, "--timeout", "5")
        lines = [l for l in out.splitlines() if l.strip()]
        check("text: exit 0", status == 0, err)
        check("text: a table with a header row", any(l.startswith("Host ") and "AUTH after TLS" in l for l in lines), out)
        check("text: the recommendation comes last",
              "Recommended: 127.0.0.1, port %d, SSL/TLS" % tls.port in out
              and out.rindex("Recommended:") > out.rindex("usable"), out)

        # With a login: only the recommended endpoint is tried; the password never shows.
        status, out, err = cli(ports, "--discover", "127.0.0.1", "--ca-file", ca, "--format", "jsonl",
                               "--timeout", "5", "--user", USER, password=PASSWORD)
        rec = jsonl(out)[-1]
        check("login: confirmed on the recommended endpoint, exit 0",
              status == 0 and rec.get("auth_confirmed") is True and rec.get("username") == USER, (status, rec, err))
        check("login: the password is nowhere in the output", PASSWORD not in out and PASSWORD not in err)
        status, out, err = cli(ports, "--discover", "127.0.0.1", "--ca-file", ca, "--format", "jsonl",
                               "--timeout", "5", "--user", USER, password="wrong")
        objects = jsonl(out)
        check("wrong password: exit 1, an outcome last",
              status == 1 and objects[-1]["kind"] == "outcome" and objects[-1]["status"] == "not_usable"
              and objects[-2].get("auth_confirmed") is False, (status, objects[-2:]))

        # No trust for the test CA: the endpoints answer, none is usable → 1.
        status, out, err = cli(ports, "--discover", "127.0.0.1", "--format", "jsonl", "--timeout", "5")
        objects = jsonl(out)
        check("untrusted certificates: exit 1", status == 1 and objects[-1]["kind"] == "outcome"
              and "certificate exception" in objects[-1]["reason"], (status, objects[-1]))
    finally:
        for server in (tls, starttls):
            if server.proc.poll() is None:
                server.stop()

    # Nothing listens: exit 3.
    status, out, err = cli("%d/tls,%d" % (closed, closed_port()), "--discover", "127.0.0.1",
                           "--format", "jsonl", "--timeout", "2")
    objects = jsonl(out)
    check("nothing reachable: exit 3", status == 3 and objects[-1] == {
        "kind": "outcome", "status": "unreachable", "exit": 3,
        "reason": "No candidate server answered on any port.", "form_advice": None}, (status, out))

    # Bad input: exit 2, a reason on stderr, nothing on stdout.
    for args in (["--discover", "not a domain"], ["--discover", "ali@"],
                 ["--discover", "example.com", "--port", "25"],
                 ["--discover", "example.com", "--timeout", "0"],
                 ["--discover", "example.com", "--password-file", "/nonexistent"]):
        status, out, err = cli("25", *args)
        check("bad input %r: exit 2, nothing on stdout" % (args,), status == 2 and out == "" and err, (status, out, err))

    print("TAP version 13")
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            print("  # %s" % str(detail).replace("\n", "\n  # "))


main()
