#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One whole postaci-cli session under valgrind memcheck, against aiosmtpd.

STARTTLS + AUTH PLAIN, the Turkish HTML message, as a person would run it. Memcheck must report
no memory error and no definitely lost byte (suppressions: tests/valgrind.supp, third-party
only); the message must arrive, so the run under valgrind is the real, complete one.

Usage: test-cli-valgrind.py POSTACI_CLI SOURCE_DIR   (TAP on stdout)
"""

import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tempfile

CLI, SRCDIR = sys.argv[1], sys.argv[2]
CERTS = os.path.join(SRCDIR, "tests", "certs")
SERVER = os.path.join(SRCDIR, "tests", "servers", "aiosmtpd-server.py")
SUPPRESSIONS = os.path.join(SRCDIR, "tests", "valgrind.supp")
PYTHON = "/usr/bin/python3"
USER, PASSWORD = "ali", "gizli-Şifre-123"
SUBJECT = "Deneme: ığüşöç İĞÜŞÖÇ — test"
HTML = "<html><body><h1>Merhaba dünya</h1><p>Çalışıyor mu? Ağır işçi ğüşıöç.</p></body></html>"
VALGRIND_ERROR = 99

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def main():
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("1..0 # SKIP valgrind is not installed")
        return 0

    workdir = tempfile.mkdtemp(prefix="postaci-valgrind-")
    maildir = os.path.join(workdir, "mail")
    os.mkdir(maildir)
    log = os.path.join(workdir, "memcheck.log")
    server = subprocess.Popen(
        [PYTHON, SERVER, "--host", "127.0.0.1", "--port", "0", "--mode", "starttls",
         "--cert", os.path.join(CERTS, "server.pem"), "--key", os.path.join(CERTS, "server.key"),
         "--user", USER, "--password", PASSWORD, "--maildir", maildir, "--require-auth",
         "--lifetime", "120"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError("aiosmtpd did not start: %r %s" % (line, server.stderr.read()))
        port = int(line.split()[1])

        env = dict(os.environ)
        env.update({"POSTACI_PASSWORD": PASSWORD, "G_SLICE": "always-malloc",
                    "G_DEBUG": "gc-friendly"})
        cmd = [valgrind, "--tool=memcheck", "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--show-leak-kinds=definite", f"--error-exitcode={VALGRIND_ERROR}",
               f"--suppressions={SUPPRESSIONS}", "--num-callers=40", f"--log-file={log}",
               CLI, "--color", "never", "--lang", "tr",
               "--server", "127.0.0.1", "--port", str(port), "--security", "starttls",
               "--ca-file", os.path.join(CERTS, "ca.pem"), "--user", USER, "--auth", "plain",
               "--from", "ali@example.com", "--to", "veli@example.com",
               "--subject", SUBJECT, "--html", HTML, "--timeout", "60"]
        proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=280)
        with open(log, encoding="utf-8", errors="replace") as f:
            report = f.read()

        check("the session succeeded under valgrind (exit 0)", proc.returncode == 0,
              "exit %d\n%s%s\n%s" % (proc.returncode, proc.stdout, proc.stderr, report))
        check("memcheck ran the CLI", "Memcheck, a memory error detector" in report
              and "--leak-check=full" in report, report)
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", report)
        check("memcheck: no memory errors", summary and summary.group(1) == "0", report)
        lost = re.search(r"definitely lost: ([\d,]+) bytes", report)
        check("memcheck: no definitely lost bytes",
              "All heap blocks were freed" in report or (lost and lost.group(1) == "0"), report)
        check("the password never reached the output",
              PASSWORD not in proc.stdout + proc.stderr + report)
        sys.stdout.write("".join("# " + l + "\n" for l in report.splitlines()[-14:]))

        messages = [n for n in os.listdir(maildir) if n.endswith(".eml")]
        check("aiosmtpd received one message", len(messages) == 1, repr(messages))
        if messages:
            with open(os.path.join(maildir, messages[0]), "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.default)
            check("the Turkish subject arrived intact", msg["subject"] == SUBJECT, repr(msg["subject"]))
            html = msg.get_body(preferencelist=("html",))
            check("the HTML part arrived intact",
                  html is not None and html.get_content().strip() == HTML, "")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        server.stderr.close()
        shutil.rmtree(workdir, ignore_errors=True)

    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[-60:]:
                print("# " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
