#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli against aiosmtpd, a real SMTP server we did not write.

Starts tests/servers/aiosmtpd-server.py on a free loopback port, runs the CLI with
STARTTLS + AUTH and with implicit TLS, and parses what the server received: the
Turkish subject, the text and the HTML must arrive intact. Then the failure paths:
each must end with the documented exit status and a one-line reason.

Usage: test-cli-aiosmtpd.py POSTACI_CLI SOURCE_DIR   (TAP on stdout)
"""

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CLI, SRCDIR = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
CERTS = os.path.join(SRCDIR, "tests", "certs")
SERVER = os.path.join(SRCDIR, "tests", "servers", "aiosmtpd-server.py")
PYTHON = "/usr/bin/python3"
USER, PASSWORD = "ali", "gizli-Şifre-123"
SUBJECT = "Deneme: ığüşöç İĞÜŞÖÇ — test"
HTML = "<html><body><h1>Merhaba dünya</h1><p>Çalışıyor mu? Ağır işçi ğüşıöç.</p></body></html>"
TEXT = "Merhaba dünya\n\nÇalışıyor mu? Ağır işçi ğüşıöç."

results = []


class Server:
    def __init__(self, mode, require_auth=True, cert="server"):
        self.maildir = tempfile.mkdtemp(prefix="postaci-aiosmtpd-")
        args = [PYTHON, SERVER, "--host", "127.0.0.1", "--port", "0", "--mode", mode,
                "--cert", os.path.join(CERTS, cert + ".pem"),
                "--key", os.path.join(CERTS, cert + ".key"),
                "--user", USER, "--password", PASSWORD, "--maildir", self.maildir,
                "--lifetime", "60"]
        if require_auth:
            args.append("--require-auth")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError("aiosmtpd did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.split()[1])

    def messages(self):
        found = []
        for name in sorted(os.listdir(self.maildir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.maildir, name), "rb") as f:
                    raw = f.read()
                with open(os.path.join(self.maildir, name[:-4] + ".json"), encoding="utf-8") as f:
                    envelope = json.load(f)
                found.append((raw, envelope))
        return found

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        shutil.rmtree(self.maildir, ignore_errors=True)


def cli(*args, password=PASSWORD, lang="en", timeout=60, cwd=None, pass_fds=()):
    env = dict(os.environ)
    env.pop("POSTACI_PASSWORD", None)
    if password is not None:
        env["POSTACI_PASSWORD"] = password
    cmd = [CLI, "--color", "never", "--lang", lang, *args]
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, pass_fds=pass_fds)
    return proc.returncode, proc.stdout, proc.stderr


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def last_line(out):
    lines = [l for l in out.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def no_secret(output):
    import base64
    plain = base64.b64encode(b"\0" + USER.encode() + b"\0" + PASSWORD.encode()).decode()
    return (PASSWORD not in output and plain not in output
            and base64.b64encode(PASSWORD.encode()).decode() not in output)


def verify_delivery(label, server, code, out, err, mechanism):
    check(f"{label}: exit status 0", code == 0, out + err)
    check(f"{label}: last line is the success verdict", last_line(out).startswith("Result: success"), last_line(out))
    check(f"{label}: AUTH shown redacted", f"AUTH {mechanism}" in out and "****" in out, out)
    check(f"{label}: password never shown", no_secret(out + err))
    msgs = server.messages()
    check(f"{label}: one message received", len(msgs) == 1, repr(len(msgs)))
    if not msgs:
        return
    raw, envelope = msgs[0]
    check(f"{label}: envelope", envelope["mail_from"] == "ali@example.com"
          and envelope["rcpt_tos"] == ["veli@example.com", "ayse@example.com"], repr(envelope))
    check(f"{label}: server saw TLS and AUTH", envelope.get("tls") and envelope.get("authenticated"),
          repr(envelope))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    check(f"{label}: subject intact", msg["subject"] == SUBJECT, repr(msg["subject"]))
    check(f"{label}: raw subject header is RFC 2047 ASCII",
          all(b < 0x80 for b in raw.split(b"\r\n\r\n")[0]), "")
    check(f"{label}: multipart/alternative", msg.get_content_type() == "multipart/alternative",
          msg.get_content_type())
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    types = [p.get_content_type() for p in parts]
    check(f"{label}: text then html", types == ["text/plain", "text/html"], repr(types))
    if types == ["text/plain", "text/html"]:
        text = parts[0].get_content().replace("\r\n", "\n").strip()
        html = parts[1].get_content().replace("\r\n", "\n").strip()
        check(f"{label}: html intact", html == HTML, repr(html))
        check(f"{label}: text derived from html", text == TEXT, repr(text))
        check(f"{label}: utf-8 charset", parts[1].get_content_charset() == "utf-8", "")
    check(f"{label}: Message-ID and Date", msg["message-id"] and msg["date"], "")


def delivery_args(port, security, mechanism):
    return ["--server", "127.0.0.1", "--port", str(port), "--security", security,
            "--ca-file", os.path.join(CERTS, "ca.pem"), "--user", USER, "--auth", mechanism,
            "--from", "ali@example.com", "--to", "veli@example.com", "--to", "ayse@example.com",
            "--subject", SUBJECT, "--html", HTML, "--timeout", "10"]


def main():
    # STARTTLS + AUTH PLAIN and LOGIN
    for mechanism in ("plain", "login"):
        server = Server("starttls")
        try:
            code, out, err = cli(*delivery_args(server.port, "starttls", mechanism))
            verify_delivery(f"starttls+{mechanism}", server, code, out, err, mechanism.upper())
            check(f"starttls+{mechanism}: TLS facts shown", "TLS: Encrypted with TLS" in out, out)
        finally:
            server.stop()

    # A CA file given with a relative path, as people type it
    server = Server("starttls")
    try:
        code, out, err = cli("--server", "127.0.0.1", "--port", str(server.port),
                             "--ca-file", os.path.join("tests", "certs", "ca.pem"),
                             "--stop-after", "tls", "--timeout", "10", password=None,
                             cwd=SRCDIR)
        check("relative --ca-file: the certificate is trusted", code == 0
              and "The certificate is valid for 127.0.0.1" in out, out + err)
    finally:
        server.stop()

    # The password and the HTML through pipes, as the shell's process substitution gives them
    # (--password-file <(pass show smtp) --html-file <(render)): read whole, the run succeeds.
    server = Server("starttls")
    try:
        password_read, password_write = os.pipe()
        html_read, html_write = os.pipe()
        os.write(password_write, (PASSWORD + "\n").encode())
        os.close(password_write)
        os.write(html_write, HTML.encode())
        os.close(html_write)
        args = delivery_args(server.port, "starttls", "plain")
        args[args.index("--html"):args.index("--html") + 2] = [
            "--html-file", "/dev/fd/%d" % html_read,
            "--password-file", "/dev/fd/%d" % password_read]
        code, out, err = cli(*args, password=None, pass_fds=(password_read, html_read))
        os.close(password_read)
        os.close(html_read)
        verify_delivery("pipes as --password-file and --html-file", server, code, out, err, "PLAIN")
    finally:
        server.stop()

    # Implicit TLS
    server = Server("tls")
    try:
        code, out, err = cli(*delivery_args(server.port, "tls", "plain"))
        verify_delivery("implicit-tls", server, code, out, err, "PLAIN")
    finally:
        server.stop()

    # JSON Lines: every line parses, the last is the outcome
    server = Server("starttls")
    try:
        code, out, err = cli(*delivery_args(server.port, "starttls", "auto"), "--format", "jsonl")
        lines = out.splitlines()
        try:
            objs = [json.loads(l) for l in lines]
        except ValueError:
            objs = []
        check("jsonl: every line is JSON", objs and len(objs) == len(lines), out[:500])
        check("jsonl: last object is the outcome", objs and objs[-1].get("kind") == "outcome"
              and objs[-1].get("verdict") == "success" and objs[-1].get("exit_status") == 0, out[-500:])
        check("jsonl: server replies carry code and explanation",
              any(o.get("code") == 250 and o.get("explanation") for o in objs), "")
        check("jsonl: no secret", no_secret(out))
    finally:
        server.stop()

    # Wrong password: the server refuses (exit 1), one-line reason
    server = Server("starttls")
    try:
        code, out, err = cli(*delivery_args(server.port, "starttls", "plain"), password="wrong")
        check("wrong password: exit 1", code == 1, out + err)
        check("wrong password: verdict names AUTH", last_line(out).startswith("Result: failed")
              and "AUTH" in last_line(out), last_line(out))
        check("wrong password: nothing delivered", not server.messages())
    finally:
        server.stop()

    # STARTTLS required but the server is plain: fail closed (exit 3), no credentials sent
    server = Server("plain", require_auth=False)
    try:
        code, out, err = cli(*delivery_args(server.port, "starttls", "plain"))
        check("starttls required on plain server: exit 3", code == 3, out + err)
        check("starttls required: no AUTH sent", "AUTH PLAIN" not in out, out)
    finally:
        server.stop()

    # TLS expected, plain text greeting: exit 3 with a reason
    server = Server("plain", require_auth=False)
    try:
        code, out, err = cli("--server", "127.0.0.1", "--port", str(server.port), "--security", "tls",
                             "--stop-after", "ehlo", "--timeout", "5", password=None)
        check("tls against plain server: exit 3", code == 3, out + err)
        check("tls against plain server: verdict line", last_line(out).startswith("Result: failed"),
              last_line(out))
    finally:
        server.stop()

    # Nothing listens: exit 3
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    code, out, err = cli("--server", "127.0.0.1", "--port", str(port), "--stop-after", "connect",
                         password=None)
    check("connection refused: exit 3", code == 3, out + err)

    # A listener that never speaks: exit 4 within the deadline
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    started = time.monotonic()
    code, out, err = cli("--server", "127.0.0.1", "--port", str(s.getsockname()[1]),
                         "--security", "none", "--stop-after", "ehlo", "--timeout", "1", password=None)
    s.close()
    check("silent server: exit 4", code == 4, out + err)
    check("silent server: ends near its deadline", time.monotonic() - started < 10, "")

    # Bad usage: exit 2, nothing sent
    for args, what in ((["--server", "127.0.0.1", "--port", "abc"], "port abc"),
                       (["--server", "127.0.0.1", "--port", "0"], "port 0"),
                       (["--server", "127.0.0.1", "--port", "70000"], "port 70000"),
                       (["--port", "25"], "no server"),
                       (["--server", "127.0.0.1", "--from", "a@b.example\r\nRCPT TO:<x@y.z>",
                         "--to", "c@d.example"], "CRLF in from"),
                       (["--server", "127.0.0.1", "--security", "ssl"], "bad security"),
                       (["--server", "127.0.0.1", "--stop-after", "quit"], "bad stop-after")):
        code, out, err = cli(*args, password=None)
        check(f"usage ({what}): exit 2", code == 2, out + err)
        check(f"usage ({what}): one-line reason on stderr", err.startswith("postaci-cli: "), err)


def run_and_report(body, label):
    """Runs @body, then prints the results as TAP and exits with their status."""
    try:
        body()
    except Exception as exc:  # report, never hang
        results.append((label, False, repr(exc)))
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:40]:
                print("#   " + line)
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


if __name__ == "__main__":
    run_and_report(main, "integration script ran")
