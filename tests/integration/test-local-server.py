#!/usr/bin/python3
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
import queue
import re
import shutil
import signal
import smtplib
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage

CLI, SRCDIR = sys.argv[1], sys.argv[2]
SUBJECT = "Deneme: ığüşöç İĞÜŞÖÇ — yerel sunucu"
HTML = "<html><body><h1>Merhaba dünya</h1><p>Çalışıyor mu? Ağır işçi ğüşıöç.</p></body></html>"
DOT_LINE = ".Bu satır noktayla başlıyor"
START_DEADLINE = 20

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


class Serve:
    """postaci-cli --serve in the background; its stdout is read line by line on a thread."""

    def __init__(self, *extra):
        self.tmp = tempfile.mkdtemp(prefix="postaci-serve-")
        self.folder = os.path.join(self.tmp, "mail")
        self.cert = os.path.join(self.tmp, "cert.pem")
        args = [CLI, "--lang", "en", "--serve", "--save", self.folder, "--cert-out", self.cert, *extra]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._pump, daemon=True).start()
        self.info = {}
        deadline = time.monotonic() + START_DEADLINE
        while "ready" not in self.info:
            line = self.next_line(deadline)
            if line is None:
                raise RuntimeError("--serve did not start: %r %s" % (self.seen, self.proc.stderr.read()))
            for key, pattern in (("port", r"^SMTP with STARTTLS: .*port (\d+)$"),
                                 ("tls_port", r"^SMTP over TLS: .*port (\d+)$"),
                                 ("user", r"^User name: (\S+)$"),
                                 ("password", r"^Password: (\S+)$"),
                                 ("fingerprint", r"^Certificate SHA-256 fingerprint: (\S+)$"),
                                 ("folder", r"^Messages are saved in: (.+)$")):
                m = re.match(pattern, line)
                if m:
                    self.info[key] = m.group(1)
            if line.startswith("Press Ctrl+C"):
                self.info["ready"] = True
        self.ipv6 = "[::1]" in "\n".join(self.seen)
        self.port = int(self.info["port"])
        self.tls_port = int(self.info["tls_port"])

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, deadline):
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if line is not None:
            self.seen.append(line)
        return line

    def wait_for_line(self, prefix, count, timeout=20):
        """Waits until `count` lines starting with `prefix` were printed."""
        deadline = time.monotonic() + timeout
        while sum(1 for l in self.seen if l.startswith(prefix)) < count:
            if self.next_line(deadline) is None:
                break
        return [l for l in self.seen if l.startswith(prefix)]

    def messages(self):
        found = []
        for name in sorted(os.listdir(self.folder)):
            if name.endswith(".eml"):
                with open(os.path.join(self.folder, name), "rb") as f:
                    found.append(f.read())
        return found

    def stop(self):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        deadline = time.monotonic() + 5
        while self.next_line(deadline) is not None:
            pass
        self.proc.stderr.close()
        return code

    def cleanup(self):
        if self.proc.poll() is None:
            self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


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


def run_cli(*args, password=None, timeout=60):
    env = dict(os.environ)
    env.pop("POSTACI_PASSWORD", None)
    if password is not None:
        env["POSTACI_PASSWORD"] = password
    proc = subprocess.run([CLI, "--color", "never", "--lang", "en", *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


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
    ("rcpt=550", "starttls", True, 1, "mailbox does not exist"),
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
        check("SIGTERM: says it stopped", server.seen and server.seen[-1] == "The test server has stopped.",
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
    try:
        main()
    except Exception as exc:  # report, never hang
        results.append(("integration script ran", False, repr(exc)))
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:40]:
                print("#   " + line)
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)
