#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli --format nagios: a monitoring plugin by the Monitoring Plugins Development Guidelines.

Against aiosmtpd (a server we did not write), a silent listener and a closed port: one status
line "SMTP OK|WARNING|CRITICAL|UNKNOWN - …" with performance data after '|' in the guidelines'
grammar, exit status 0/1/2/3, the time and certificate thresholds (with the committed
certificate that expires soon), bad usage as UNKNOWN. Then the monitoring examples in
docs/monitoring/: the Icinga 2 CheckCommand passes `icinga2 daemon -C`, and the Nagios commands
name only options that --help lists and run as written against the test server.

Usage: test-cli-nagios.py POSTACI_CLI SOURCE_DIR   (TAP on stdout)
"""

import datetime
import importlib.util
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

# Server, check() and the results list come from the delivery test next to this file.
_spec = importlib.util.spec_from_file_location(
    "cli_aiosmtpd", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test-cli-aiosmtpd.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)
check, results, Server, CLI, SRCDIR = base.check, base.results, base.Server, base.CLI, base.SRCDIR
CA = os.path.join(base.CERTS, "ca.pem")
MONITORING = os.path.join(SRCDIR, "docs", "monitoring")

STAGES = ["connect", "greeting", "ehlo", "tls", "auth", "mail", "rcpt", "data", "quit"]
# 'label'=value[UOM];[warn];[crit];[min];[max] (Monitoring Plugins Development Guidelines).
NUMBER = r"-?\d+(?:\.\d+)?"
RANGE = r"@?(?:~|%s)?:?(?:%s)?" % (NUMBER, NUMBER)
PERF = re.compile(r"^(?:'[^'=]+'|[^'= ]+)=(U|%s)(s|ms|us|%%|B|KB|MB|TB|c)?"
                  r"(?:;(%s)?(?:;(%s)?(?:;(%s)?(?:;(%s)?)?)?)?)?$" % (NUMBER, RANGE, RANGE, NUMBER, NUMBER))


def nagios(*args, password=base.PASSWORD, timeout=60, lang="en"):
    return base.cli("--format", "nagios", *args, password=password, lang=lang, timeout=timeout)


def parse(out):
    """(status word, text, {label: (value, uom, fields)}, long output lines) of plugin output."""
    lines = out.split("\n")
    first = lines[0]
    match = re.match(r"^SMTP (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*)(?:\| (.*))?$", first)
    if not match:
        return None, first, {}, lines[1:]
    perf = {}
    for item in (match.group(3) or "").split():
        m = PERF.match(item)
        label = item.split("=", 1)[0]
        perf[label] = (m.group(1), m.group(2), item.split(";")[1:]) if m else None
    return match.group(1), match.group(2), perf, [l for l in lines[1:] if l]


def envelope(port, security="starttls"):
    return ["--server", "127.0.0.1", "--port", str(port), "--security", security,
            "--ca-file", CA, "--timeout", "10"]


def certificate_days_left(name):
    decoded = ssl._ssl._test_decode_cert(os.path.join(base.CERTS, name + ".pem"))
    until = datetime.datetime.strptime(decoded["notAfter"], "%b %d %H:%M:%S %Y %Z")
    return (until.replace(tzinfo=datetime.timezone.utc)
            - datetime.datetime.now(datetime.timezone.utc)).total_seconds() // 86400


def test_ok_and_perfdata():
    server = Server("starttls")
    try:
        code, out, err = nagios(*envelope(server.port), "--user", base.USER, "--auth", "plain",
                                "--from", "ali@example.com", "--to", "veli@example.com",
                                "--stop-after", "rcpt", "--warning", "30", "--critical", "60",
                                "--cert-warning", "30", "--cert-critical", "14")
        status, text, perf, rest = parse(out)
        check("ok: exit 0, SMTP OK", code == 0 and status == "OK", out + err)
        check("ok: one line, nothing on stderr", out.count("\n") == 1 and err == "", out + err)
        check("ok: names the server and the reached stage",
              text.startswith("127.0.0.1:%d: " % server.port) and "RCPT" in text, text)
        check("ok: the certificate's days are in the line",
              re.search(r"certificate valid for \d+ more days, until 2099-12-31", text), text)
        check("ok: every item of the performance data follows the grammar",
              perf and all(v is not None for v in perf.values()), out)
        check("ok: a time for every stage up to rcpt, then the total",
              list(perf)[:7] == STAGES[:7] and "time" in perf
              and all(perf[s][0] != "U" and perf[s][1] == "s" for s in STAGES[:7]), out)
        check("ok: the total carries the thresholds and its minimum",
              perf.get("time") and perf["time"][2] == ["30.000", "60.000", "0"], out)
        check("ok: certificate days with alert-below ranges",
              perf.get("certificate_days") and perf["certificate_days"][2] == ["30:", "14:"], out)
        check("ok: no mail was sent", not server.messages())
        check("ok: the password is not in the output", base.no_secret(out + err))
    finally:
        server.stop()


def test_thresholds():
    server = Server("starttls")
    try:
        code, out, err = nagios(*envelope(server.port), "--stop-after", "tls", "--warning", "0")
        status, text, perf, rest = parse(out)
        check("--warning 0: exit 1, SMTP WARNING", code == 1 and status == "WARNING", out + err)
        check("--warning 0: says by how much",
              re.match(r"the test took \d+\.\d{3} s, more than the 0\.000 s of --warning; ", text),
              text)
        code, out, err = nagios(*envelope(server.port), "--stop-after", "tls", "--warning", "0",
                                "--critical", "0.000")
        status, text, perf, rest = parse(out)
        check("--critical 0: exit 2, SMTP CRITICAL (the worse one wins)",
              code == 2 and status == "CRITICAL" and "of --critical" in text, out + err)
        code, out, err = nagios(*envelope(server.port), "--stop-after", "tls", "--warning", "30.5")
        check("--warning 30.5: exit 0", code == 0 and out.startswith("SMTP OK - "), out + err)
    finally:
        server.stop()


def test_expiring_certificate():
    left = int(certificate_days_left("expiring"))
    server = Server("starttls", cert="expiring")
    try:
        if left < 0:
            # The committed certificate has run out (make-certs.sh makes a new one): CRITICAL.
            code, out, err = nagios(*envelope(server.port), "--stop-after", "tls")
            check("expired certificate: exit 2, CRITICAL naming the expiry",
                  code == 2 and out.startswith("SMTP CRITICAL - ") and "expired" in out, out + err)
            return
        code, out, err = nagios(*envelope(server.port), "--stop-after", "tls",
                                "--cert-warning", str(left + 5), "--cert-critical", "0")
        status, text, perf, rest = parse(out)
        check("expiring certificate: WARNING, exit 1", code == 1 and status == "WARNING", out + err)
        check("expiring certificate: days, date and threshold in the line",
              re.match(r"the certificate expires in %d days? \(\d{4}-\d\d-\d\d\), fewer than the %d "
                       r"of --cert-warning; " % (left, left + 5), text), text)
        check("expiring certificate: certificate_days in the performance data",
              perf.get("certificate_days") and perf["certificate_days"][0] == str(left)
              and perf["certificate_days"][2] == ["%d:" % (left + 5), "0:"], out)
        code, out, err = nagios(*envelope(server.port), "--stop-after", "tls",
                                "--cert-warning", str(left + 10), "--cert-critical", str(left + 5))
        check("expiring certificate: CRITICAL below --cert-critical, exit 2",
              code == 2 and out.startswith("SMTP CRITICAL - the certificate expires in ")
              and "of --cert-critical" in out, out + err)
        code, out, err = nagios(*envelope(server.port), "--stop-after", "tls",
                                "--cert-warning", str(left))
        check("expiring certificate: OK when the days are not fewer than --cert-warning",
              code == 0 and "certificate valid for %d more day" % left in out, out + err)
    finally:
        server.stop()


def test_failures():
    # Refused: the server wants AUTH before MAIL; the stage, reply and explanation are named,
    # and the hint follows as long output.
    server = Server("starttls")
    try:
        code, out, err = nagios(*envelope(server.port), "--from", "ali@example.com",
                                "--to", "veli@example.com", "--stop-after", "rcpt")
        status, text, perf, rest = parse(out)
        check("refused: exit 2, SMTP CRITICAL", code == 2 and status == "CRITICAL", out + err)
        check("refused: the stage, the reply and an explanation",
              "MAIL" in text and "530" in text and " — " in text, text)
        check("refused: the hint on a second line", len(rest) == 1 and rest[0], out)
        check("refused: stages after the failure are U",
              perf.get("rcpt") and perf["rcpt"][0] == "U" and perf["ehlo"][0] != "U", out)
    finally:
        server.stop()

    # A server that accepts and never says a word: CRITICAL at the reply deadline, not a hang.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    try:
        start = time.monotonic()
        code, out, err = nagios("--server", "127.0.0.1", "--port", str(listener.getsockname()[1]),
                                "--security", "starttls", "--stop-after", "ehlo", "--timeout", "2",
                                timeout=30)
        took = time.monotonic() - start
        check("silent server: exit 2, CRITICAL, within the deadline",
              code == 2 and out.startswith("SMTP CRITICAL - ") and took < 10,
              "%.1fs %s" % (took, out + err))
        check("silent server: names the greeting", "Greeting" in out, out)
    finally:
        listener.close()

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    code, out, err = nagios("--server", "127.0.0.1", "--port", str(port), "--stop-after", "ehlo",
                            "--timeout", "5")
    check("connection refused: exit 2, CRITICAL", code == 2 and out.startswith("SMTP CRITICAL - ")
          and "refused" in out, out + err)

    # Asked to watch the certificate, but the test never reached TLS.
    server = Server("plain", require_auth=False)
    try:
        code, out, err = nagios("--server", "127.0.0.1", "--port", str(server.port),
                                "--security", "none", "--stop-after", "ehlo",
                                "--cert-warning", "30")
        check("no TLS with --cert-warning: CRITICAL, says there is no certificate",
              code == 2 and "no certificate to check" in out, out + err)
    finally:
        server.stop()


def test_usage():
    for args, what in ((["--server", "127.0.0.1", "--port", "abc"], "bad --port"),
                       (["--server", "127.0.0.1", "--warning", "soon"], "bad --warning"),
                       (["--server", "127.0.0.1", "--cert-critical", "-1"], "bad --cert-critical"),
                       (["--server", "127.0.0.1", "--bogus"], "unknown option"),
                       (["--server", "127.0.0.1", "extra"], "extra argument"),
                       ([], "no --server"),
                       (["--serve"], "--serve")):
        code, out, err = nagios(*args)
        check("%s: exit 3, SMTP UNKNOWN on stdout, one line" % what,
              code == 3 and out.startswith("SMTP UNKNOWN - ") and out.count("\n") == 1
              and "|" not in out, out + err)
    code, out, err = base.cli("--server", "127.0.0.1", "--warning", "5")
    check("--warning without --format nagios: exit 2", code == 2
          and "go with --format nagios" in err, out + err)
    code, out, err = nagios("--server", "127.0.0.1", "--port", "abc", lang="tr")
    check("Turkish: the status word stays SMTP UNKNOWN", code == 3
          and out.startswith("SMTP UNKNOWN - ") and "“abc”" in out, out + err)


def test_icinga():
    icinga2 = shutil.which("icinga2") or "/usr/sbin/icinga2"
    if not os.access(icinga2, os.X_OK):
        check("# SKIP icinga2 is not installed (apt install icinga2-bin)", True)
        return
    with tempfile.TemporaryDirectory(prefix="postaci-icinga-") as folder:
        # Run as root, icinga2 reads its configuration as its own user.
        os.chmod(folder, 0o755)
        config = os.path.join(folder, "icinga2.conf")
        with open(config, "w", encoding="utf-8") as f:
            f.write('const PluginDir = "/usr/lib/nagios/plugins"\n'
                    'include <itl>\ninclude <plugins>\n'
                    'include "%s"\n'
                    'object Host "mail.example.com" {\n  address = "192.0.2.25"\n'
                    '  check_command = "dummy"\n}\n'
                    'apply Service "smtp-submission" {\n  check_command = "postaci"\n'
                    '  vars.postaci_stop_after = "rcpt"\n'
                    '  vars.postaci_from = "monitor@example.com"\n'
                    '  vars.postaci_to = [ "postmaster@example.com" ]\n'
                    '  assign where host.address\n}\n' % os.path.join(MONITORING, "postaci.conf"))
        proc = subprocess.run([icinga2, "daemon", "-C", "-c", config], capture_output=True,
                              text=True, timeout=120)
        check("icinga2 daemon -C accepts the CheckCommand", proc.returncode == 0
              and "Instantiated 1 Service" in proc.stdout, proc.stdout[-2000:] + proc.stderr)
    with open(os.path.join(MONITORING, "postaci.conf"), encoding="utf-8") as f:
        used = set(re.findall(r'"(--[a-z-]+)"', f.read()))
    known = help_options()
    check("icinga2: every argument is an option of postaci-cli", used and used <= known,
          sorted(used - known))


def help_options():
    env = dict(os.environ, LANGUAGE="en")
    out = subprocess.run([CLI, "--help"], env=env, capture_output=True, text=True).stdout
    return set(re.findall(r"^\s+(--[a-z-]+)", out, re.M))


def test_nagios_commands():
    with open(os.path.join(MONITORING, "postaci-nagios.cfg"), encoding="utf-8") as f:
        text = f.read()
    commands = dict(re.findall(r"define command \{\s*command_name\s+(\S+)\s+command_line\s+(.+?)\n\s*\}",
                               text))
    check("nagios: two command definitions", sorted(commands) == ["check_postaci_rcpt",
                                                                  "check_postaci_tls"], commands)
    known = help_options()
    server = Server("starttls", require_auth=False)
    try:
        for name, line in sorted(commands.items()):
            used = set(re.findall(r"(--[a-z-]+)", line))
            check("nagios %s: only options of postaci-cli" % name, used <= known, sorted(used - known))
            macros = set(re.findall(r"\$(\w+)\$", line))
            check("nagios %s: only standard macros" % name,
                  macros <= {"HOSTADDRESS", "ARG1", "ARG2", "ARG3", "ARG4"}, macros)
            # As Nagios would run it, against the test server (its port, and its CA).
            args = {"HOSTADDRESS": "127.0.0.1", "ARG1": "30", "ARG2": "60", "ARG3": "30", "ARG4": "14"}
            if name == "check_postaci_rcpt":
                args.update(ARG1="ali@example.com", ARG2="veli@example.com")
            argv = re.sub(r"\$(\w+)\$", lambda m: args[m.group(1)], line).split()
            argv[argv.index("--port") + 1] = str(server.port)
            argv[0] = CLI
            proc = subprocess.run(argv + ["--ca-file", CA], capture_output=True, text=True,
                                  timeout=60, env=dict(os.environ, LANGUAGE="en"))
            check("nagios %s: runs as written: SMTP OK, exit 0" % name,
                  proc.returncode == 0 and proc.stdout.startswith("SMTP OK - "),
                  proc.stdout + proc.stderr)
    finally:
        server.stop()


def main():
    test_ok_and_perfdata()
    test_thresholds()
    test_expiring_certificate()
    test_failures()
    test_usage()
    test_icinga()
    test_nagios_commands()


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # report, never hang
        import traceback
        results.append(("nagios script ran", False, traceback.format_exc()))
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        if name.startswith("# SKIP"):
            print("ok %d %s" % (i, name))
            continue
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)
