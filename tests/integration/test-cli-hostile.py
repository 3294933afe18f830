#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
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
import time

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


def timed_cli(*args, limit=10):
    """Like cli(), with the time it took; exit None when it was still running after limit s."""
    env = dict(os.environ)
    env["POSTACI_PASSWORD"] = "gizli"
    start = time.monotonic()
    try:
        proc = subprocess.run([CLI, "--color", "never", "--lang", "en", *args], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=limit)
    except subprocess.TimeoutExpired:
        return None, "", "still running after %d s" % limit, limit
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def input_file_checks(target, envelope):
    """Every file option, given what never ends, never starts or is too long: exit 2 soon, with
    a reason that names the option and the file. The caller's listener sees no connection."""
    login = ["--user", "ali"]
    options = [("--password-file", login), ("--html-file", []), ("--pin-certificate", []),
               ("--ca-file", [])]
    with tempfile.TemporaryDirectory(prefix="postaci-files-") as folder:
        fifo = os.path.join(folder, "fifo")
        os.mkfifo(fifo)
        big = {}
        for name, size in (("16k", 16 * 1024 + 1), ("1m", 1024 * 1024 + 1),
                           ("32m", 32 * 1024 * 1024 + 1)):
            big[name] = os.path.join(folder, name)
            with open(big[name], "wb") as f:
                f.write(b"a" * size)

        for option, extra in options:
            # Today's reading to the end would take seconds and gigabytes: refused at once.
            code, out, err, took = timed_cli(*target, *envelope, *extra, option, "/dev/zero",
                                             limit=5)
            what = option + " /dev/zero"
            check(what + ": exit 2 within a second", code == 2 and took < 1, "%s %.1fs %s" %
                  (code, took, err))
            check(what + ": says it is not a file", err.startswith("postaci-cli: ")
                  and "“/dev/zero” is " in err and "not a " in err.splitlines()[0], err)

            code, out, err, took = timed_cli(*target, *envelope, *extra, option, folder, limit=5)
            check(option + " a folder: exit 2, named as a folder",
                  code == 2 and ("“%s” is a folder, not a file." % folder) in err, err)

            # A FIFO that nobody writes to: the --timeout deadline, not forever. The CA file is
            # opened again later by its name, so a pipe is refused for it at once.
            code, out, err, took = timed_cli(*target, *envelope, *extra, "--timeout", "2",
                                             option, fifo, limit=10)
            what = option + " a FIFO without a writer"
            if option == "--ca-file":
                check(what + ": exit 2 at once, not a regular file",
                      code == 2 and took < 1 and "is not a regular file" in err, err)
            else:
                check(what + ": exit 2 after the 2 s deadline", code == 2 and 1.5 < took < 6,
                      "%s %.1fs %s" % (code, took, err))
                check(what + ": says nobody writes to it",
                      ("%s: Nothing more came from “%s” for 2 seconds" % (option, fifo)) in err,
                      err)

        for option, extra, file, limit in (("--password-file", login, big["16k"], "16.0 KiB"),
                                           ("--pin-certificate", [], big["1m"], "1.0 MiB"),
                                           ("--ca-file", [], big["1m"], "1.0 MiB")):
            # (--html-file is bounded only when it is a pipe: a regular file is streamed as the
            # message is sent, whatever its size — see test-message's html-file.)
            code, out, err, took = timed_cli(*target, *envelope, *extra, option, file)
            check("%s over %s: exit 2 naming the limit" % (option, limit),
                  code == 2 and ("“%s” is larger than %s." % (file, limit.replace(" ", "\u00a0")))
                  in err, err)

    # Over-long fields are refused before connecting: nothing was sent, so exit 2, not the
    # server's "line too long" (exit 1); and the reason does not repeat 100 KB on the terminal.
    long_name = "u" * 100000
    code, out, err = cli(*target, *envelope, "--user", long_name)
    check("100 KB --user: exit 2", code == 2, err[:300])
    check("100 KB --user: the reason cites the AUTH line limit",
          "longer than 9000 bytes" in err and "RFC 4954" in err and long_name not in err, err[:300])
    for option, value in (("--to", "veli@" + "d" * 100000), ("--from", "a" * 100000),
                          ("--server", "s" * 100000)):
        args = [*target, *envelope]
        if option == "--server":
            args[args.index("--server") + 1] = value
        else:
            args += [option, value]
        code, out, err = cli(*args)
        check("100 KB %s: exit 2 with a short reason" % option,
              code == 2 and len(err) < 400 and "…" in err, err[:400])


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

    input_file_checks(target, envelope)

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
