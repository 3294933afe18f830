#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Saved servers from the command line, against aiosmtpd and a real GNOME Keyring.

Run by meson through tests/run-with-keyring.sh: a private session bus with an unlocked
keyring of its own and a throwaway $HOME, so nothing touches the user's settings or keyring.
A server is saved with --save-profile and --remember-password; --list-profiles shows it; a
run with --profile takes every setting from it and the password from the keyring (no
$POSTACI_PASSWORD, no terminal) and delivers; options given on the command line override the
saved ones; the profile file never holds the password; an export holds neither the password
nor the keyring's id, and importing it twice numbers the copies; without a keyring the run
says so and asks for the password the usual way; --delete-profile forgets the password too.

Usage: test-cli-profiles.py POSTACI_CLI SOURCE_DIR   (TAP on stdout)
"""

import email
import email.policy
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

CLI, SRCDIR = sys.argv[1], sys.argv[2]
CERTS = os.path.join(SRCDIR, "tests", "certs")
SERVER = os.path.join(SRCDIR, "tests", "servers", "aiosmtpd-server.py")
PYTHON = "/usr/bin/python3"
USER, PASSWORD = "ali", "gizli-Şifre-123"
NAME = "Acme – Exchange Online"

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def cli(*args, env=None):
    run_env = dict(os.environ)
    run_env.pop("POSTACI_PASSWORD", None)
    run_env.update(env or {})
    return subprocess.run([CLI, "--lang", "en", "--color", "never", *args], env=run_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def start_server(maildir):
    proc = subprocess.Popen([PYTHON, SERVER, "--host", "127.0.0.1", "--port", "0",
                             "--mode", "starttls",
                             "--cert", os.path.join(CERTS, "server.pem"),
                             "--key", os.path.join(CERTS, "server.key"),
                             "--user", USER, "--password", PASSWORD, "--maildir", maildir,
                             "--require-auth", "--lifetime", "120"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError("aiosmtpd did not start: %r" % line)
    return proc, int(line.split()[1])


def keyring_lookup(profile_id):
    out = subprocess.run(["secret-tool", "lookup", "profile-id", profile_id],
                         capture_output=True, text=True, timeout=20)
    return out.stdout


def profile_id(path, name):
    current = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("Name="):
            current = line[5:]
        if line.startswith("Id=") and current == name:
            return line[3:]
    return None


def main():
    config = os.environ["XDG_CONFIG_HOME"]
    profiles = os.path.join(config, "postaci", "profiles.ini")
    maildir = tempfile.mkdtemp(prefix="postaci-profiles-")
    proc, port = start_server(maildir)
    try:
        saved = cli("--save-profile", NAME, "--remember-password", "--server", "localhost",
                    "--port", str(port), "--security", "starttls", "--user", USER,
                    "--from", "ali@example.com", "--to", "veli@example.com",
                    "--subject", "Profil: ığüşöç", "--ca-file", os.path.join(CERTS, "ca.pem"),
                    env={"POSTACI_PASSWORD": PASSWORD})
        check("--save-profile saves and says where", saved.returncode == 0 and
              profiles in saved.stdout, saved.stdout + saved.stderr)
        text = open(profiles, encoding="utf-8").read()
        check("the profile file never holds the password", PASSWORD not in text, text)
        check("the profile file is readable by its owner only",
              os.stat(profiles).st_mode & 0o777 == 0o600)
        pid = profile_id(profiles, NAME)
        check("the password is in the keyring under the profile's id",
              pid is not None and keyring_lookup(pid) == PASSWORD)

        listed = cli("--list-profiles")
        check("--list-profiles shows the server, port, security and user",
              listed.returncode == 0 and
              "%s\tlocalhost:%d\tstarttls\t%s" % (NAME, port, USER) in listed.stdout,
              listed.stdout + listed.stderr)

        run = cli("--profile", "acme – exchange online")
        check("--profile (any case) runs with the saved settings and the keyring's password",
              run.returncode == 0 and "AUTH PLAIN ****" in run.stdout and
              PASSWORD not in run.stdout, run.stdout + run.stderr)
        emls = sorted(glob.glob(os.path.join(maildir, "*.eml")))
        subject = ""
        if emls:
            with open(emls[-1], "rb") as f:
                subject = email.message_from_binary_file(f, policy=email.policy.default)["subject"]
        check("the message arrives with the saved subject", subject == "Profil: ığüşöç", subject)

        override = cli("--profile", NAME, "--stop-after", "ehlo", "--subject", "x")
        check("options given override the saved ones (--stop-after ehlo: no MAIL FROM)",
              override.returncode == 0 and "MAIL FROM" not in override.stdout and
              "EHLO" in override.stdout, override.stdout + override.stderr)
        check("an override is not saved", "StopAfter=ehlo" not in
              open(profiles, encoding="utf-8").read())

        missing = cli("--profile", "Nobody")
        check("an unknown profile is a usage error that says how to list them",
              missing.returncode == 2 and "--list-profiles" in missing.stderr, missing.stderr)

        export = os.path.join(maildir, "team.ini")
        exported = cli("--export-profiles", export)
        exported_text = open(export, encoding="utf-8").read() if os.path.exists(export) else ""
        check("an export holds no password, no keyring id, no remember choice",
              exported.returncode == 0 and NAME in exported_text and
              PASSWORD not in exported_text and "Id=" not in exported_text and
              "RememberPassword" not in exported_text, exported_text)
        imported = [cli("--import-profiles", export) for _ in range(2)]
        listed = cli("--list-profiles")
        check("importing twice adds numbered copies beside the original",
              all(i.returncode == 0 for i in imported) and
              ("%s (2)" % NAME) in listed.stdout and ("%s (3)" % NAME) in listed.stdout,
              listed.stdout + "".join(i.stderr for i in imported))

        nobus = cli("--profile", NAME, env={"DBUS_SESSION_BUS_ADDRESS":
                                            "unix:path=/nonexistent/postaci-no-bus"})
        check("without a keyring the run says so and asks for a password the usual way",
              nobus.returncode == 2 and "keyring" in nobus.stderr and
              "--password-file" in nobus.stderr, nobus.stderr)

        deleted = cli("--delete-profile", NAME)
        listed = cli("--list-profiles")
        check("--delete-profile removes it and forgets its password",
              deleted.returncode == 0 and ("%s\t" % NAME) not in listed.stdout and
              keyring_lookup(pid) == "", listed.stdout + deleted.stderr)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(maildir, ignore_errors=True)

    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in detail.splitlines()[-25:]:
                print("# " + line)
    print("1..%d" % len(results))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
