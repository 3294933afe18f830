# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the tests that drive `postaci-cli --serve`: start it, read what it prints, report TAP.

Set CLI to the postaci-cli under test before making a Serve.
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

CLI = None
START_DEADLINE = 20

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def skip(name, reason):
    results.append(("%s # SKIP %s" % (name, reason), True, ""))


class Serve:
    """postaci-cli --serve in the background; its stdout is read line by line on a thread.

    `preexec` runs in the child before exec (a lower descriptor limit, for one); `env` adds to
    the environment it inherits."""

    def __init__(self, *extra, preexec=None, env=None):
        self.tmp = tempfile.mkdtemp(prefix="postaci-serve-")
        self.folder = os.path.join(self.tmp, "mail")
        self.cert = os.path.join(self.tmp, "cert.pem")
        args = [CLI, "--lang", "en", "--serve", "--save", self.folder, "--cert-out", self.cert, *extra]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=preexec,
                                     env=dict(os.environ, **env) if env else None)
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

    def rss_kib(self):
        """The server's resident memory, from /proc."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def sanitized(self):
        """True under AddressSanitizer: its quarantine keeps freed memory, so RSS says nothing."""
        with open("/proc/%d/maps" % self.proc.pid) as f:
            return "libasan" in f.read()

    def n_fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

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


def run_cli(*args, password=None, timeout=60):
    env = dict(os.environ)
    env.pop("POSTACI_PASSWORD", None)
    if password is not None:
        env["POSTACI_PASSWORD"] = password
    proc = subprocess.run([CLI, "--color", "never", "--lang", "en", *args], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def run(main):
    """Runs main(), then prints TAP for every check and exits 0 only when all passed."""
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
