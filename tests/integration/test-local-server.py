#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli --serve against clients we did not write: swaks and python's smtplib.

Starts `postaci-cli --serve` on free loopback ports, reads the printed ports, account,
fingerprint and folder, and lets swaks (STARTTLS + AUTH PLAIN/LOGIN/CRAM-MD5, implicit TLS)
and smtplib (STARTTLS and SMTP_SSL) deliver. TLS is verified for real: --cert-out writes
the throwaway certificate, swaks gets it with --tls-verify --tls-ca-path and smtplib with an
ssl context that trusts only it. Every message must land as an .eml file that the email
module parses back intact (Turkish subject, HTML, a line that starts with a dot), with the
envelope headers. Then postaci-cli (pinned and with --ca-file) delivers, every --fail option
gives the right exit status and explanation, a bad --fail is a usage error, and SIGTERM
stops the server cleanly with exit status 0.

Usage: test-local-server.py POSTACI_CLI SOURCE_DIR   (TAP on stdout)
"""

import email
import email.policy
import hashlib
import os
import smtplib
import ssl
import subprocess
import sys
from email.message import EmailMessage

import serve_harness as harness
from serve_harness import Serve, check, run_cli

CLI, SRCDIR = sys.argv[1], sys.argv[2]
harness.CLI = CLI
SUBJECT = "Deneme: ığüşöç İĞÜŞÖÇ — yerel sunucu"
HTML = "<html><body><h1>Merhaba dünya</h1><p>Çalışıyor mu? Ağır işçi ğüşıöç.</p></body></html>"
DOT_LINE = ".Bu satır noktayla başlıyor"

def make_message(sender, recipients):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = SUBJECT
    msg["X-Test-Client"] = "python"
    msg.set_content("Merhaba dünya\n" + DOT_LINE + "\n")
    msg.add_alternative(HTML, subtype="html")
    return msg


def check_eml(label, raw, sender, recipients):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    check(f"{label}: subject intact", msg["subject"] == SUBJECT, repr(msg["subject"]))
    check(f"{label}: envelope sender header", msg["X-Postaci-Envelope-From"] == "<%s>" % sender,
          repr(msg["X-Postaci-Envelope-From"]))
    check(f"{label}: envelope recipients header",
          msg["X-Postaci-Envelope-To"] == ", ".join("<%s>" % r for r in recipients),
          repr(msg["X-Postaci-Envelope-To"]))
    check(f"{label}: Received trace header", (msg["Received"] or "").find("Postaci local test server") >= 0,
          repr(msg["Received"]))
    check(f"{label}: CRLF line ends only", b"\n" not in raw.replace(b"\r\n", b""), "")
    html = msg.get_body(preferencelist=("html",))
    text = msg.get_body(preferencelist=("plain",))
    check(f"{label}: html intact", html is not None and html.get_content().strip() == HTML,
          html.get_content() if html is not None else "no html part")
    if msg["X-Test-Client"] != "python":
        return  # postaci-cli's text part is derived from the HTML
    check(f"{label}: dot line unstuffed", text is not None and DOT_LINE in text.get_content().splitlines(),
          text.get_content() if text is not None else "no text part")


def swaks(label, server, *args, recipients=("veli@example.com",), data=None):
    cmd = ["/usr/bin/swaks", "--server", "127.0.0.1", "--from", "ali@example.com",
           "--to", ",".join(recipients), "--tls-verify", "--tls-ca-path", server.cert,
           "--timeout", "20", *args]
    if data is not None:
        cmd += ["--data", data]
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    check(f"{label}: swaks exit 0", proc.returncode == 0, proc.stdout[-3000:] + proc.stderr)
    return proc.stdout


def deliveries(server):
    tmp_data = os.path.join(server.tmp, "message.eml")
    recipients = ["veli@example.com", "ayse@example.org"]
    with open(tmp_data, "wb") as f:
        f.write(bytes(make_message("ali@example.com", recipients)).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    expected = 0

    # The printed fingerprint is the certificate's.
    with open(server.cert) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    digest = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
    check("fingerprint printed matches --cert-out", digest == server.info["fingerprint"], server.info["fingerprint"])
    check("account printed", server.info["user"] == "postaci" and len(server.info["password"]) == 20,
          repr(server.info))
    check("folder printed", server.info["folder"] == server.folder, server.info["folder"])

    # swaks: STARTTLS + each AUTH mechanism, the certificate verified.
    for mechanism in ("PLAIN", "LOGIN", "CRAM-MD5"):
        out = swaks(f"swaks starttls {mechanism}", server, "--port", str(server.port), "--tls",
                    "--auth", mechanism, "--auth-user", server.info["user"],
                    "--auth-password", server.info["password"], recipients=recipients, data=tmp_data)
        expected += 1
        check(f"swaks starttls {mechanism}: authenticated", "235 2.7.0" in out, out[-2000:])
        check(f"swaks starttls {mechanism}: queued", "250 2.0.0 Ok: queued" in out, out[-2000:])

    # swaks: implicit TLS, over ::1 when there is one.
    host = "::1" if server.ipv6 else "127.0.0.1"
    out = swaks("swaks implicit TLS", server, "--port", str(server.tls_port), "--tls-on-connect",
                "--server", host, "--auth", "PLAIN", "--auth-user", server.info["user"],
                "--auth-password", server.info["password"], recipients=recipients, data=tmp_data)
    expected += 1
    check("swaks implicit TLS: queued", "250 2.0.0 Ok: queued" in out, out[-2000:])

    # swaks without AUTH: a local sink takes mail all the same.
    out = swaks("swaks no auth", server, "--port", str(server.port), recipients=recipients, data=tmp_data)
    expected += 1

    # smtplib: STARTTLS with a context that trusts only this certificate, then SMTP_SSL.
    context = ssl.create_default_context(cafile=server.cert)
    try:
        with smtplib.SMTP("localhost", server.port, timeout=20) as smtp:
            smtp.starttls(context=context)
            smtp.login(server.info["user"], server.info["password"])
            refused = smtp.send_message(make_message("ali@example.com", recipients))
        check("smtplib starttls: accepted", refused == {}, repr(refused))
    except Exception as exc:
        check("smtplib starttls: accepted", False, repr(exc))
    expected += 1
    try:
        with smtplib.SMTP_SSL("localhost", server.tls_port, timeout=20, context=context) as smtp:
            smtp.login(server.info["user"], server.info["password"])
            refused = smtp.send_message(make_message("ali@example.com", recipients))
        check("smtplib SMTP_SSL: accepted", refused == {}, repr(refused))
    except Exception as exc:
        check("smtplib SMTP_SSL: accepted", False, repr(exc))
    expected += 1

    # smtplib: the wrong password is refused with 535.
    try:
        with smtplib.SMTP_SSL("localhost", server.tls_port, timeout=20, context=context) as smtp:
            smtp.login(server.info["user"], "not-the-password")
        check("smtplib wrong password: refused", False, "login succeeded")
    except smtplib.SMTPAuthenticationError as exc:
        check("smtplib wrong password: refused", exc.smtp_code == 535, repr(exc))

    # postaci-cli: pinned, and with the certificate as its CA file.
    common = ["--server", "localhost", "--user", "postaci", "--from", "ali@example.com",
              "--to", "veli@example.com", "--to", "ayse@example.org", "--subject", SUBJECT, "--html", HTML,
              "--timeout", "20"]
    code, out, err = run_cli(*common, "--port", str(server.port), "--security", "starttls",
                             "--pin-certificate", server.cert, password=server.info["password"])
    expected += 1
    check("postaci-cli pinned: exit 0", code == 0, out + err)
    check("postaci-cli pinned: transcript says pinned", "pinned for this run" in out, out)
    check("postaci-cli pinned: password never shown", server.info["password"] not in out + err)
    code, out, err = run_cli(*common, "--port", str(server.tls_port), "--security", "tls",
                             "--ca-file", os.path.abspath(server.cert), "--auth", "cram-md5",
                             password=server.info["password"])
    expected += 1
    check("postaci-cli --ca-file: exit 0", code == 0, out + err)
    check("postaci-cli --ca-file: certificate valid", "The certificate is valid for localhost." in out, out)

    # Each message: one line printed, one .eml that parses back intact.
    lines = server.wait_for_line("[", expected)
    check("one line printed per message", len(lines) == expected and all("Message received" in l for l in lines),
          "\n".join(server.seen))
    check("subject printed decoded", all(SUBJECT in l for l in lines), "\n".join(lines))
    msgs = server.messages()
    check("every message saved as .eml", len(msgs) == expected, repr(len(msgs)))
    for i, raw in enumerate(msgs):
        check_eml(f"message {i + 1}", raw, "ali@example.com", recipients)


# stage spec → (client security, auth?, exit status, words the explanation must contain)
FAILURES = [
    ("greeting=421", "starttls", False, 1, "421 4.3.2"),
    ("greeting=554", "starttls", False, 1, "554 5.3.2"),
    ("greeting=silent", "starttls", False, 4, "Result: failed"),
    ("ehlo=550", "starttls", False, 1, "550 5.5.2"),
    ("tls=454", "starttls", False, 1, "454 4.7.0"),
    ("auth=535", "starttls", True, 1, "The user name or the password is wrong"),
    ("mail=550", "starttls", True, 1, "550 5.7.1"),
    ("rcpt=550", "starttls", True, 1, "does not exist on the receiving server"),
    ("data=552", "tls", True, 1, "552 5.3.4"),
]


def failures():
    for spec, security, auth, status, words in FAILURES:
        server = Serve("--fail", spec)
        try:
            check(f"--fail {spec}: announced", f"Failure on purpose: {spec}" in server.seen, "\n".join(server.seen))
            port = server.tls_port if security == "tls" else server.port
            args = ["--server", "localhost", "--port", str(port), "--security", security,
                    "--pin-certificate", server.cert, "--from", "ali@example.com", "--to", "veli@example.com",
                    "--timeout", "2" if spec.endswith("silent") else "20"]
            if auth:
                args += ["--user", "postaci"]
            code, out, err = run_cli(*args, password=server.info["password"])
            check(f"--fail {spec}: exit status {status}", code == status, out + err)
            check(f"--fail {spec}: explained ({words})", words in out, out)
            check(f"--fail {spec}: a verdict line", out.rstrip().splitlines()[-1].startswith("Result: failed"),
                  out[-500:])
            check(f"--fail {spec}: nothing captured", not server.messages(), "")
            check(f"--fail {spec}: SIGTERM exits 0", server.stop() == 0, "")
        finally:
            server.cleanup()


def main():
    server = Serve()
    try:
        deliveries(server)
        code = server.stop()
        check("SIGTERM: exit status 0", code == 0, repr(code))
        check("SIGTERM: says it stopped", server.seen and server.seen[-1] == "The Local Test Server has stopped.",
              "\n".join(server.seen[-3:]))
    finally:
        server.cleanup()

    failures()

    # Bad --fail values and ports: usage errors, exit 2, nothing started.
    for bad in (["--fail", "rcpt=abc"], ["--fail", "bogus=550"], ["--fail", "mail=silent"],
                ["--fail", "rcpt=250"], ["--port", "70000"], ["--tls-port", "x"],
                # The options of a test run mean nothing to the server: refused, not ignored.
                ["--subject", "x"], ["--timeout", "5"], ["--insecure"], ["--stop-after", "rcpt"],
                ["--security", "tls"], ["--ca-file", "/dev/null"]):
        code, out, err = run_cli("--serve", *bad, timeout=20)
        check(f"--serve {' '.join(bad)}: exit 2", code == 2, out + err)
        check(f"--serve {' '.join(bad)}: one-line reason", err.startswith("postaci-cli: ") and not out, err)


if __name__ == "__main__":
    harness.run(main)
