#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli's password prompt on a real terminal (a pseudo-terminal).

The prompt turns echo off. Whatever ends it — the password typed, or Ctrl+C, SIGTERM or a
hang-up while it waits — the terminal must get its echo back: a shell left without echo is
what a person sees next. Nothing connects anywhere: the run stops after connect, at a port that
is only reached after the prompt. TAP on stdout.
Usage: test-cli-prompt.py POSTACI-CLI
"""

import os
import pty
import select
import base64
import signal
import socket
import sys
import termios
import threading

CLI = sys.argv[1]
results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def read_until(fd, marker):
    """Reads the child's terminal until @marker shows; the 30 s are a safety net, not a measure."""
    seen = b""
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen


def start_at_prompt(port, stop_after="connect", *extra):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.pop("POSTACI_PASSWORD", None)
        os.environ["LANGUAGE"] = "en"
        try:
            os.execv(CLI, [CLI, "--lang", "en", "--color", "never", "--server", "127.0.0.1",
                           "--port", str(port), "--security", "none", "--user", "ali",
                           "--stop-after", stop_after, "--timeout", "10", *extra])
        finally:
            os._exit(127)
    return pid, fd


def plain_auth_server(listener, received):
    """Just enough SMTP to take one AUTH PLAIN and keep the password it carried."""
    connection, _ = listener.accept()
    connection.settimeout(30)
    reader = connection.makefile("rb")
    connection.sendall(b"220 test ready\r\n")
    reader.readline()
    connection.sendall(b"250-test\r\n250 AUTH PLAIN\r\n")
    command = reader.readline().decode().split()
    received.append(base64.b64decode(command[2]).split(b"\0")[2].decode())
    connection.sendall(b"235 2.7.0 ok\r\n")
    reader.readline()
    connection.sendall(b"221 bye\r\n")
    connection.close()


def echo_is_on(fd):
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]

    # Ends by a signal at the prompt: Ctrl+C typed on the terminal, SIGTERM, a hang-up.
    for what, end in (("Ctrl+C", lambda pid, fd: os.write(fd, b"\x03")),
                      ("SIGTERM", lambda pid, fd: os.kill(pid, signal.SIGTERM)),
                      ("SIGHUP", lambda pid, fd: os.kill(pid, signal.SIGHUP))):
        pid, fd = start_at_prompt(port)
        shown = read_until(fd, b"Password for ali: ")
        check(what + ": the prompt is shown", b"Password for ali: " in shown, shown)
        check(what + ": echo is off while it waits", not echo_is_on(fd))
        end(pid, fd)
        _, status = os.waitpid(pid, 0)
        check(what + ": the program ends by the signal",
              os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == 130, status)
        check(what + ": echo is back on the terminal", echo_is_on(fd))
        os.close(fd)

    # The password typed: the run goes on, and echo is back too.
    pid, fd = start_at_prompt(port)
    read_until(fd, b"Password for ali: ")
    os.write(fd, b"gizli\n")
    shown = read_until(fd, b"Result:")
    _, status = os.waitpid(pid, 0)
    check("typed: the run stops after connect", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          shown)
    check("typed: the password is not echoed", b"gizli" not in shown, shown)
    check("typed: echo is back on the terminal", echo_is_on(fd))
    os.close(fd)

    # A long secret (an OAuth2 token is often 1–3 KiB) arrives whole, not cut at 1023 bytes.
    token = "t0k3n" * 400
    received = []
    listener.close()
    listener = socket.socket()  # a fresh one: the runs above left connections in the backlog
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    thread = threading.Thread(target=plain_auth_server, args=(listener, received), daemon=True)
    thread.start()
    pid, fd = start_at_prompt(listener.getsockname()[1], "auth", "--auth", "plain",
                              "--allow-plain-auth")
    read_until(fd, b"Password for ali: ")
    os.write(fd, token.encode() + b"\n")
    shown = read_until(fd, b"Result:")
    _, status = os.waitpid(pid, 0)
    thread.join(timeout=30)
    check("long secret: the run logs in", os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          shown)
    check("long secret: the server got all %d bytes" % len(token), received == [token],
          "got %d bytes" % len(received[0]) if received else "nothing")
    os.close(fd)
    listener.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # report, never hang
        results.append(("prompt script ran", False, repr(exc)))
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print("# " + line)
