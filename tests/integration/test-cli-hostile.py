#!/usr/bin/python3
"""postaci-cli end to end against bad input and a hostile server.

Bad input: exit 2, a clear one-line reason, and nothing sent (every run points at a loopback
listener that must never see a connection). A server whose replies carry terminal escape
sequences: whatever the CLI prints holds no raw control byte. TAP on stdout.
Usage: test-cli-hostile.py POSTACI-CLI
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading

CLI = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def cli(*args):
    env = dict(os.environ)
    env["POSTACI_PASSWORD"] = "gizli"
    proc = subprocess.run([CLI, "--color", "never", "--lang", "en", *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr


ESCAPES = b"\x1b[2J\x1b]0;pwned\x07\x1b[31m\x9b"


def escaping_server(listener, received):
    """One SMTP session whose every reply carries escape sequences; records what came in."""
    connection, _ = listener.accept()
    with connection, connection.makefile("rwb") as stream:
        def reply(text):
            stream.write(text + b"\r\n")
            stream.flush()

        reply(b"220 mx.test " + ESCAPES + b" ready")
        for line in stream:
            received.append(line)
            if line.startswith(b"EHLO"):
                reply(b"250-mx.test " + ESCAPES + b"\r\n250 AUTH " + ESCAPES)
            elif line.startswith(b"MAIL"):
                reply(b"550 5.7.1 " + ESCAPES + b" go away")
            elif line.startswith(b"QUIT"):
                reply(b"221 bye " + ESCAPES)
                return


def printable(out):
    """UTF-8 with no control character but line feed and tab (C0, DEL or C1)."""
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any((ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f for c in text)


def hostile_server_checks():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(30)
    for fmt in ("text", "jsonl"):
        received = []
        thread = threading.Thread(target=escaping_server, args=(listener, received), daemon=True)
        thread.start()
        proc = subprocess.run([CLI, "--color", "never", "--lang", "en", "--format", fmt,
                               "--server", "127.0.0.1", "--port", str(listener.getsockname()[1]),
                               "--security", "none", "--from", "ali@example.com",
                               "--to", "veli@example.com", "--timeout", "10"],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        thread.join(timeout=30)
        out = proc.stdout + proc.stderr
        what = "escaping server (%s)" % fmt
        check(what + ": exit 1, refused at MAIL", proc.returncode == 1, out)
        check(what + ": the client said QUIT", received[-1:] == [b"QUIT\r\n"], received)
        check(what + ": no raw control byte in the output", printable(out), out)
        check(what + ": the escapes are shown escaped", b"x1B[2J" in out, out)
    listener.close()


def main():
    hostile_server_checks()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = str(listener.getsockname()[1])
    target = ["--server", "127.0.0.1", "--port", port, "--security", "none"]
    envelope = ["--from", "ali@example.com", "--to", "veli@example.com"]

    ports = ["abc", "0", "70000", "65536", "-1", "", "25x", " 25"]
    for value in ports:
        code, out, err = cli("--server", "127.0.0.1", "--port", value, *envelope)
        what = "port %r" % value
        check(what + ": exit 2", code == 2, out + err)
        check(what + ": one line naming the range and the value",
              err.startswith("postaci-cli: --port must be a number from 1 to 65535")
              and ("“%s”" % value) in err.splitlines()[0], err)

    fields = [
        (["--server", "", "--port", port], "empty server"),
        (["--server", "127.0.0.1\r\nHELO x", "--port", port], "CRLF in server"),
        (target + ["--from", "ali@example.com\r\nRCPT TO:<x@evil.test>", "--to", "v@example.com"],
         "CRLF in from"),
        (target + ["--from", "ali@example.com", "--to", "veli@example.com\nDATA"], "LF in to"),
        (target + envelope + ["--ehlo", "client.example\r\nRSET"], "CRLF in EHLO name"),
        (target + envelope + ["--user", "ali\r\nMAIL FROM:<x@evil.test>"], "CRLF in user name"),
        (target + envelope + ["--subject", "Hi\r\nBcc: victim@example.com"], "CRLF in subject"),
        (target + ["--from", "a" * 65 + "@example.com", "--to", "veli@example.com"],
         "local part over 64"),
        # 0 is out of range like 3601: it must not quietly mean "the default".
        (target + envelope + ["--timeout", "0"], "timeout 0"),
        (target + envelope + ["--timeout", "3601"], "timeout over an hour"),
        # Login options without --user would quietly send no AUTH at all.
        (target + envelope + ["--auth", "plain"], "--auth without --user"),
        (target + envelope + ["--password-file", "/dev/null"], "--password-file without --user"),
        (target + envelope + ["--allow-plain-auth"], "--allow-plain-auth without --user"),
        # The options of --serve mean nothing to a test run: refused, not ignored.
        (target + envelope + ["--fail", "rcpt=550"], "--fail without --serve"),
        (target + envelope + ["--tls-port", "0"], "--tls-port without --serve"),
        (target + envelope + ["--save", "/tmp"], "--save without --serve"),
        (target + envelope + ["--cert-out", "/tmp/x.pem"], "--cert-out without --serve"),
    ]
    # A NUL cannot travel in an argument, but it can in a file: it must not cut the message.
    with tempfile.NamedTemporaryFile(prefix="postaci-nul-", suffix=".html") as html:
        html.write(b"<p>before</p>\0<p>after: lost</p>")
        html.flush()
        fields.append((target + envelope + ["--html-file", html.name], "NUL in the HTML file"))
        for args, what in fields:
            code, out, err = cli(*args)
            check(what + ": exit 2", code == 2, out + err)
            check(what + ": one-line reason on stderr",
                  err.startswith("postaci-cli: ")
                  and len(err.splitlines()[0]) > len("postaci-cli: "), err)

    try:
        connection, _ = listener.accept()
        connection.close()
        check("nothing was sent: the listener saw no connection", False)
    except BlockingIOError:
        check("nothing was sent: the listener saw no connection", True)
    listener.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # report, never hang
        results.append(("usage script ran", False, repr(exc)))
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)
