#!/usr/bin/python3
"""postaci-cli refuses bad input with exit 2 and a clear one-line reason, and sends nothing.

Every run points at a loopback listener that must never see a connection: bad input is
refused before the first byte. TAP on stdout. Usage: test-cli-usage.py POSTACI-CLI
"""

import os
import socket
import subprocess
import sys
import tempfile

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


def main():
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
