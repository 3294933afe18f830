#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli against the Local Test Server, which offers PIPELINING (RFC 2920).

The envelope of three recipients goes out as one batch; the transcript (--format jsonl) still
reads command, reply, command, reply, each reply read as the answer to its own command, and
reads exactly as with --no-pipelining. When the server refuses MAIL FROM (--fail mail=550) or
every recipient (--fail rcpt=550), the verdict is that refusal's, the replies to the commands
already sent are read and shown before QUIT, and nothing is delivered.

Usage: test-cli-pipelining.py POSTACI_CLI   (TAP on stdout)
"""

import json
import sys

import serve_harness as harness
from serve_harness import Serve, check, run_cli

harness.CLI = sys.argv[1]
RECIPIENTS = ("veli@example.com", "ayse@example.org", "can@example.net")
ANNOUNCED = "The server offers PIPELINING (RFC 2920): MAIL FROM, RCPT TO for 3 recipients and DATA"


def send(server, *extra):
    args = ["--server", "localhost", "--port", str(server.port), "--security", "starttls",
            "--pin-certificate", server.cert, "--user", "postaci", "--from", "ali@example.com",
            "--subject", "Boru hattı", "--html", "<p>Merhaba</p>", "--timeout", "20",
            "--format", "jsonl"]
    for recipient in RECIPIENTS:
        args += ["--to", recipient]
    code, out, err = run_cli(*args, *extra, password=server.info["password"])
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return code, events, out + err


def conversation(events):
    """From MAIL FROM on: ("C", text) per command, ("S", command, code) per reply; the message's
    header lines after 354 are left out."""
    said, started, body = [], False, False
    for event in events:
        kind = event.get("kind")
        if kind == "client" and event["text"].startswith("MAIL FROM:"):
            started = True
        if not started:
            continue
        if kind == "client" and (not body or event["text"] == "."):
            said.append(("C", event["text"]))
            body = False
        elif kind == "server" and "code" in event:
            said.append(("S", event.get("command"), event["code"]))
            body = event["code"] == 354
    return said


def main():
    envelope = [("C", "RCPT TO:<%s>" % r) for r in RECIPIENTS]
    server = Serve()
    try:
        code, events, text = send(server)
        check("pipelined: exit 0", code == 0, text)
        infos = [e["text"] for e in events if e.get("kind") == "info"]
        check("pipelined: the batch is announced", any(i.startswith(ANNOUNCED) for i in infos),
              "\n".join(infos))
        said = conversation(events)
        expected = [said[0], ("S", "MAIL", 250)]
        for rcpt in envelope:
            expected += [rcpt, ("S", "RCPT", 250)]
        expected += [("C", "DATA"), ("S", "DATA", 354), ("C", "."), ("S", ".", 250),
                     ("C", "QUIT"), ("S", "QUIT", 221)]
        check("pipelined: each reply under its own command, in order", said == expected,
              "\n".join(map(repr, said)))

        code, events, text = send(server, "--no-pipelining")
        check("--no-pipelining: exit 0", code == 0, text)
        check("--no-pipelining: no batch announced",
              not any("PIPELINING (RFC 2920)" in e.get("text", "") for e in events), text)
        # The same but for MAIL FROM's SIZE=: the Date and Message-ID differ in length.
        said = conversation(events)
        check("--no-pipelining: the same transcript",
              said[1:] == expected[1:] and said[0][1].startswith("MAIL FROM:<ali@example.com>"),
              "\n".join(map(repr, said)))

        lines = server.wait_for_line("[", 2)
        check("both messages received", len(lines) == 2 and len(server.messages()) == 2,
              "\n".join(server.seen))
        for raw in server.messages():
            check("all three envelope recipients",
                  all(("<%s>" % r).encode() in raw.split(b"\r\n\r\n")[0] for r in RECIPIENTS),
                  raw[:600])
    finally:
        server.cleanup()

    # MAIL FROM refused: the verdict is MAIL's; RCPT and DATA were sent with it and their
    # replies are read before QUIT.
    rest = []
    for rcpt in envelope:
        rest += [rcpt, ("S", "RCPT", 503)]
    refused("mail=550", "mail", "MAIL", rest + [("C", "DATA"), ("S", "DATA", 503)])
    # Every recipient refused: the verdict is RCPT's, DATA's refusal is shown, no message text.
    refused("rcpt=550", "rcpt", "RCPT", [envelope[-1], ("S", "RCPT", 550), ("C", "DATA"),
                                         ("S", "DATA", 554)])


def refused(spec, stage, command, before_quit):
    """The Local Test Server refuses on purpose: the verdict is that refusal's, the conversation
    ends with @before_quit and QUIT, and nothing is delivered."""
    server = Serve("--fail", spec)
    try:
        code, events, text = send(server)
        check(f"{spec}: exit 1", code == 1, text)
        outcome = events[-1] if events else {}
        check(f"{spec}: the verdict is {command}'s 550",
              outcome.get("stage") == stage and outcome.get("command") == command and
              outcome.get("code") == 550, repr(outcome))
        said = conversation(events)
        tail = before_quit + [("C", "QUIT"), ("S", "QUIT", 221)]
        check(f"{spec}: the rest of the batch read before QUIT", said[-len(tail):] == tail,
              "\n".join(map(repr, said)))
        check(f"{spec}: nothing delivered", not server.messages(), "")
    finally:
        server.cleanup()

if __name__ == "__main__":
    harness.run(main)
