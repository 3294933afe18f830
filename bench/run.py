#!/usr/bin/python3
"""bench/run.py — Postacı side by side with curl, swaks and an empty libadwaita window.

Every row of issue 12's table, in one run, against each target server on loopback:
  large   an HTML message of --size-mb MB: postaci-cli --html-file, curl and swaks sending
          the very bytes Postacı sent (captured by the sink);
  small   a one-paragraph message, the same way;
  window  start → visible under Xvfb: the postaci window and an empty libadwaita window;
  transcript  --transcript-lines lines (100,000) appended to the window's transcript view
          (bench/transcript-bench.c): frames later than 50 ms after the one before, the
          worst frame, RSS before and after, the lines the view still holds (it folds the
          oldest away past its limit); --transcript-compare also measures a GtkListView of
          lines, the alternative;
  flat    Postacı's peak RSS for messages of --flat sizes and for a small and a --attach-mb
          attachment: the spread must stay within 4 MB.
  pipelining  the small message to --recipients recipients against the Local Test Server, the
          envelope pipelined (RFC 2920) and with --no-pipelining: on loopback, and through a
          proxy that holds every chunk --latency-ms in each direction (a server far away).
Targets: "sink" (bench/sink.py: STARTTLS, AUTH, reads and drops, so the client is measured),
"builtin" (postaci-cli --serve) and "postfix" (a Postfix answering on 127.0.0.1:25, when one
is installed). Times are medians of --runs runs; CPU is user + system of the whole process,
RSS its peak (wait4). Ratios are Postacı / the other tool: below 1 is better.

Usage (from the build tree, see README "Benchmarks"):
  bench/run.py --cli build/src/cli/postaci-cli --gui build/src/gui/postaci \
               --empty-window build/bench/postaci-empty-window --schemas build/data
  bench/run.py ... --quick      # tiny sizes, one run: proves the bench works (make check)
  bench/run.py ... --rows window --window-runs 21   # the window's row alone
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "..", "tests", "certs")
FROM, TO = "bench@example.com", "inbox@example.com"
WORDS = ("merhaba dünya ileti satırı güzel çalışma şirket örnek ığüşöç posta sunucu "
         "deneme test message server lorem ipsum dolor sit amet").split()


def fail(message):
    print("bench: " + message, file=sys.stderr)
    sys.exit(1)


def make_html(path, size):
    rng = random.Random(12)
    with open(path, "w", encoding="utf-8") as out:
        out.write("<html><body>\n")
        written = 0
        while written < size:
            line = "<p>" + " ".join(rng.choice(WORDS) for _ in range(10)) + "</p>\n"
            out.write(line)
            written += len(line.encode())
        out.write("</body></html>\n")


def measure(argv, env=None):
    """Runs @argv to its end: (wall s, CPU s, peak RSS MB).

    Through /usr/bin/time: a child forked from this Python process would carry Python's own
    resident pages into its peak RSS; time is small, and %M is its child's peak alone. The
    CPU time comes from wait4(), in microseconds (time's own share is a millisecond)."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.monotonic()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", report.name] + argv,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = proc.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            fail("%s exited with %d: %s" % (os.path.basename(argv[0]), proc.returncode,
                                            err[-500:]))
        rss = int(report.read().split()[-1]) / 1024.0
    return wall, usage.ru_utime + usage.ru_stime, rss


def median_of(runs, argv, env=None):
    results = [measure(argv, env) for _ in range(runs)]
    return tuple(statistics.median(r[i] for r in results) for i in range(3))


class Target:
    """A server on loopback and how each client talks to it."""

    def __init__(self, name, port, ca, user=None, password=None, proc=None):
        self.name, self.port, self.ca = name, port, ca
        self.user, self.password, self.proc = user, password, proc

    def postaci(self, cli, extra):
        argv = [cli, "--server", "127.0.0.1", "--port", str(self.port), "--security",
                "starttls", "--ca-file", self.ca, "--from", FROM, "--to", TO,
                "--color", "never", "--timeout", "600"]
        if self.user:
            argv += ["--user", self.user, "--auth", "plain"]
        return argv + extra

    def curl(self, message):
        argv = ["curl", "-sS", "--url", "smtp://127.0.0.1:%d" % self.port, "--ssl-reqd",
                "--cacert", self.ca, "--mail-from", FROM, "--mail-rcpt", TO,
                "--upload-file", message]
        if self.user:
            argv += ["--user", "%s:%s" % (self.user, self.password),
                     "--login-options", "AUTH=PLAIN"]
        return argv

    def swaks(self, message):
        argv = ["swaks", "--server", "127.0.0.1", "--port", str(self.port), "--tls",
                "--tls-verify", "--tls-ca-path", self.ca, "--from", FROM, "--to", TO,
                "--data", "@" + message, "--suppress-data", "--hide-all"]
        if self.user:
            argv += ["--auth", "PLAIN", "--auth-user", self.user,
                     "--auth-password", self.password]
        return argv

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_sink(workdir, save):
    proc = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "sink.py"),
                             os.path.join(CERTS, "server.pem"), os.path.join(CERTS, "server.key"),
                             "--save", save], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        fail("the sink did not start")
    return Target("sink", int(line.split()[1]), os.path.join(CERTS, "ca.pem"), "bench", "bench",
                  proc)


def start_builtin(cli, workdir, max_size):
    cert = os.path.join(workdir, "builtin.pem")
    proc = subprocess.Popen([cli, "--serve", "--save", os.path.join(workdir, "mail"),
                             "--cert-out", cert, "--max-size", max_size],
                            stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8"))
    port = password = None
    while port is None or password is None:
        line = proc.stdout.readline()
        if not line:
            fail("the built-in server did not start")
        if line.startswith("SMTP with STARTTLS:"):
            port = int(line.rsplit(" ", 1)[1])
        elif line.startswith("Password: "):
            password = line.split(": ", 1)[1].strip()
        elif line.startswith("Press Ctrl+C"):
            break
    # the rest of its output (one line per message) is read and dropped
    subprocess.Popen(["cat"], stdin=proc.stdout, stdout=subprocess.DEVNULL)
    return Target("builtin", port, cert, "postaci", password, proc)


def find_postfix():
    if not os.path.exists("/usr/sbin/postfix"):
        return None
    try:
        with socket.create_connection(("127.0.0.1", 25), timeout=2) as s:
            if b"Postfix" not in s.recv(512):
                return None
    except OSError:
        return None
    return Target("postfix", 25, "/etc/ssl/certs/ca-certificates.crt")


def ratio(a, b):
    return "%.2f×" % (a / b) if b > 0 else "–"


def print_row(title, ours, others):
    print("  %-26s %8s %8s %9s" % (title, "wall s", "CPU s", "RSS MB"))
    print("  %-26s %8.3f %8.3f %9.1f" % ("postaci", *ours))
    for name, values in others:
        print("  %-26s %8.3f %8.3f %9.1f   postaci/%s: wall %s  CPU %s  RSS %s"
              % (name, *values, name, ratio(ours[0], values[0]), ratio(ours[1], values[1]),
                 ratio(ours[2], values[2])))


def message_rows(args, target, env, workdir, big_html, small_html):
    sink_save = os.path.join(workdir, "last.eml")
    for label, html in (("large (%s MB HTML)" % args.size_mb, big_html),
                        ("small", small_html)):
        if target.name == "builtin" and label.startswith("large") and args.builtin_large_mb:
            html = os.path.join(workdir, "builtin-large.html")
            make_html(html, int(args.builtin_large_mb * 1024 * 1024))
            label = "large (%s MB HTML)" % args.builtin_large_mb
        argv = target.postaci(args.cli, ["--html-file", html])
        # The bytes Postacı sends, captured once by the sink, are what curl and swaks send.
        message = os.path.join(workdir, "%s.eml" % label.split()[0])
        if not os.path.exists(message) or label.startswith("large"):
            measure(args.sink_target.postaci(args.cli, ["--html-file", html]), env)
            shutil.copyfile(sink_save, message)
        ours = median_of(args.runs, argv, env)
        others = [("curl", median_of(args.runs, target.curl(message))),
                  ("swaks", median_of(args.runs, target.swaks(message)))]
        print("%s, %s: %d bytes on the wire" % (target.name, label, os.path.getsize(message)))
        print_row(label, ours, others)


class DelayProxy:
    """A loopback TCP proxy that delivers every chunk @delay seconds after it came, in each
    direction and in order: the round trips of a far-away server, without touching the
    machine's network settings. Bytes pass as they are, TLS included."""

    def __init__(self, port, delay):
        self.upstream, self.delay = port, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for src, dst in ((client, server), (server, client)):
                held = []
                ready = threading.Condition()
                threading.Thread(target=self._read, args=(src, held, ready), daemon=True).start()
                threading.Thread(target=self._deliver, args=(dst, held, ready),
                                 daemon=True).start()

    def _read(self, src, held, ready):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            with ready:
                held.append((time.monotonic() + self.delay, data))
                ready.notify()
            if not data:
                return

    def _deliver(self, dst, held, ready):
        while True:
            with ready:
                while not held:
                    ready.wait()
                when, data = held.pop(0)
            time.sleep(max(0.0, when - time.monotonic()))
            try:
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
            except OSError:
                return

    def close(self):
        self.listener.close()


def pipelining_rows(args, target, env, small_html):
    """The small message to --recipients recipients: the envelope in one round trip (RFC 2920)
    against one per command (--no-pipelining), directly and through a DelayProxy."""
    extra = []
    for i in range(1, args.recipients):
        extra += ["--to", "inbox%d@example.com" % i]
    proxy = DelayProxy(target.port, args.latency_ms / 1000.0)
    try:
        for where, port in (("loopback", target.port),
                            ("+%g ms each way" % args.latency_ms, proxy.port)):
            rows = {}
            for label, flag in (("pipelined", []), ("--no-pipelining", ["--no-pipelining"])):
                argv = target.postaci(args.cli, ["--html-file", small_html] + extra + flag)
                argv[argv.index("--port") + 1] = str(port)
                rows[label] = median_of(args.runs, argv, env)
            print("%s, small message to %d recipients, %s" % (target.name, args.recipients,
                                                              where))
            print_row("pipelined", rows["pipelined"], [("--no-pipelining",
                                                         rows["--no-pipelining"])])
    finally:
        proxy.close()


def flat_rows(args, env, workdir):
    """Peak RSS against the size of the message: plain SMTP to the sink, no TLS cost."""
    target = args.sink_target
    base = [args.cli, "--server", "127.0.0.1", "--port", str(target.port), "--security", "none",
            "--from", FROM, "--to", TO, "--timeout", "600"]
    rows = []
    for mb in args.flat:
        html = os.path.join(workdir, "flat-%s.html" % mb)
        make_html(html, int(float(mb) * 1024 * 1024))
        rows.append(("%s MB HTML" % mb, measure(base + ["--html-file", html], env)))
        os.unlink(html)
    small = os.path.join(workdir, "small.bin")
    with open(small, "wb") as f:
        f.write(os.urandom(4096))
    big = os.path.join(workdir, "big.bin")
    with open(big, "wb") as f:
        f.truncate(int(args.attach_mb * 1024 * 1024))  # sparse: costs no disk
    rows.append(("4 KB attachment", measure(base + ["--attach", small], env)))
    rows.append(("%s MB attachment" % args.attach_mb, measure(base + ["--attach", big], env)))
    os.unlink(big)
    print("flat memory (postaci-cli, plain SMTP to the sink):")
    for label, (wall, cpu, rss) in rows:
        print("  %-26s %8.3f %8.3f %9.1f" % (label, wall, cpu, rss))
    spread = max(r[1][2] for r in rows) - min(r[1][2] for r in rows)
    print("  peak RSS spread: %.1f MB (target: within 4 MB)" % spread)
    return spread


def window_row(args, workdir):
    """Start → visible under Xvfb: the postaci window against an empty libadwaita one."""
    if not (args.gui and args.empty_window and shutil.which("Xvfb") and shutil.which("xwininfo")
            and shutil.which("dbus-daemon")):
        print("window: skipped (needs --gui, --empty-window, Xvfb, xwininfo and dbus-daemon)")
        return
    # A display of our own: the first number with no lock file, ready when its socket is.
    number = next(n for n in range(150, 400) if not os.path.exists("/tmp/.X%d-lock" % n))
    display = ":%d" % number
    # -noreset: a server that resets when its last client leaves refuses the next one meanwhile
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1200x24", "-nolisten", "tcp",
                             "-noreset"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not os.path.exists("/tmp/.X11-unix/X%d" % number):
        if xvfb.poll() is not None or time.monotonic() > deadline:
            fail("Xvfb did not start on %s" % display)
        time.sleep(0.05)
    bus = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1",
                          "--print-pid=1"], capture_output=True, text=True, check=True)
    address, bus_pid = bus.stdout.split("\n")[:2]
    env = dict(os.environ, DISPLAY=display, DBUS_SESSION_BUS_ADDRESS=address,
               GDK_BACKEND="x11", GSK_RENDERER="cairo", GTK_A11Y="none", NO_AT_BRIDGE="1",
               GSETTINGS_BACKEND="memory", LANGUAGE="en", LC_ALL="C.UTF-8")
    if args.schemas:
        env["GSETTINGS_SCHEMA_DIR"] = args.schemas
    # A first start (no settings: the Local Test Server starts and the form points at it) and
    # the everyday one (a server of the person's own remembered, read from a keyfile).
    config = os.path.join(workdir, "config")
    os.makedirs(os.path.join(config, "glib-2.0", "settings"), exist_ok=True)
    with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write("[io/github/postaci/Postaci]\nserver='smtp.example.org'\n")
    remembered = dict(env, GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config)
    try:
        windows = (("first start", [args.gui], "Postacı", env),
                   ("server remembered", [args.gui], "Postacı", remembered),
                   ("empty window", [args.empty_window], "Empty", env))
        runs = {name: [] for name, _, _, _ in windows}
        # One start of each first, not counted (the page cache), then all taken in turn, so
        # that a change in the machine's load weighs on each alike.
        for name, argv, title, window_env in windows:
            time_to_visible(argv, title, window_env, display)
        for _ in range(args.window_runs):
            for name, argv, title, window_env in windows:
                runs[name].append(time_to_visible(argv, title, window_env, display))
        results = {name: tuple(statistics.median(r[i] for r in runs[name]) for i in range(3))
                   for name in runs}
        print("window: start → visible under Xvfb, %d starts of each, interleaved"
              % args.window_runs)
        print_row("window, first start", results["first start"],
                  [("empty window", results["empty window"])])
        print_row("window, server remembered", results["server remembered"],
                  [("empty window", results["empty window"])])
        transcript_rows(args, env)
    finally:
        os.kill(int(bus_pid), signal.SIGTERM)
        xvfb.terminate()
        xvfb.wait()


def transcript_rows(args, env):
    if not args.transcript_bench:
        print("transcript: skipped (needs --transcript-bench)")
        return
    variants = [("text view (Postacı)", [])]
    if args.transcript_compare:
        variants.append(("GtkListView of lines", ["--list-view"]))
    print("transcript: %d lines appended while the window draws" % args.transcript_lines)
    print("  %-22s %8s %10s %10s %9s %9s %8s" % ("view", "shown s", "frames>50", "worst ms",
                                                "RSS0 MB", "RSS1 MB", "held"))
    for title, extra in variants:
        proc = subprocess.run([args.transcript_bench, "--lines", str(args.transcript_lines)]
                              + extra, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            fail("the transcript bench failed: " + proc.stderr[-500:])
        values = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
        if int(values["lines"]) < args.transcript_lines or values["at_end"] != "yes":
            fail("the transcript bench showed %s of %d lines" % (values["lines"],
                                                                 args.transcript_lines))
        print("  %-22s %8s %10s %10s %9s %9s %8s" % (title, values["shown_s"],
                                                     values["stalls_over_50ms"],
                                                     values["worst_frame_ms"],
                                                     values["rss_before_mb"],
                                                     values["rss_after_mb"],
                                                     values["held_lines"]))


def time_to_visible(argv, title, env, display):
    errors = tempfile.TemporaryFile()
    start = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        while True:
            if proc.poll() is not None:
                errors.seek(0)
                fail("%s exited (%d) before its window showed: %s"
                     % (argv[0], proc.returncode, errors.read().decode(errors="replace")[-800:]))
            probe = subprocess.run(["xwininfo", "-display", display, "-name", title],
                                   capture_output=True, text=True)
            if "IsViewable" in probe.stdout:
                break
            if time.monotonic() - start > 60:
                fail("%s showed no window in 60 s" % argv[0])
            time.sleep(0.005)
        wall = time.monotonic() - start
        with open("/proc/%d/stat" % proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        with open("/proc/%d/status" % proc.pid) as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024.0
        return wall, cpu, rss
    finally:
        proc.terminate()
        proc.wait()


def main():
    # meson's test runner sets MALLOC_PERTURB_; the programs measured run as people run them.
    os.environ.pop("MALLOC_PERTURB_", None)
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--gui")
    parser.add_argument("--empty-window")
    parser.add_argument("--schemas", help="GSETTINGS_SCHEMA_DIR for the window")
    parser.add_argument("--transcript-bench", help="build/bench/postaci-transcript-bench")
    parser.add_argument("--transcript-lines", type=int, default=100000)
    parser.add_argument("--transcript-compare", action="store_true",
                        help="also a GtkListView of lines (minutes at 100,000 lines)")
    parser.add_argument("--size-mb", type=float, default=50)
    parser.add_argument("--builtin-large-mb", type=float, default=5,
                        help="the large row against the built-in server (0: --size-mb)")
    parser.add_argument("--flat", default="5,50,500")
    parser.add_argument("--attach-mb", type=float, default=2048)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window-runs", type=int,
                        help="starts of each window (default: 3 × --runs; the noisiest row)")
    parser.add_argument("--rows", default="messages,pipelining,window,flat",
                        help="which rows to run, of messages, pipelining, window, flat")
    parser.add_argument("--targets", default="sink,builtin,postfix")
    parser.add_argument("--recipients", type=int, default=10,
                        help="recipients of the pipelining rows")
    parser.add_argument("--latency-ms", type=float, default=10,
                        help="the pipelining rows' added delay, each way")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one run, to prove the bench works")
    args = parser.parse_args()
    if args.quick:
        args.size_mb, args.builtin_large_mb, args.flat = 1, 1, "1,2"
        args.attach_mb, args.runs, args.transcript_lines = 4, 1, 2000
        args.window_runs = args.window_runs or 1
    if args.window_runs is None:
        args.window_runs = 3 * args.runs
    rows = set(args.rows.split(","))
    unknown = rows - {"messages", "pipelining", "window", "flat"}
    if unknown:
        fail("unknown rows: %s (messages, pipelining, window, flat)" % ", ".join(sorted(unknown)))
    args.flat = [x for x in args.flat.split(",") if x]
    for name in ("cli", "gui", "empty_window", "schemas", "transcript_bench"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    for tool in ("curl", "swaks", "/usr/bin/time"):
        if shutil.which(tool) is None:
            fail("%s is not installed (tools/install-deps.sh installs it)" % tool)

    workdir = tempfile.mkdtemp(prefix="postaci-bench-")
    env = dict(os.environ, POSTACI_PASSWORD="bench", LANGUAGE="en", LC_ALL="C.UTF-8")
    targets = []
    try:
        args.sink_target = start_sink(workdir, os.path.join(workdir, "last.eml"))
        targets.append(args.sink_target)
        wanted = args.targets.split(",")
        if "builtin" in wanted:
            targets.append(start_builtin(args.cli, workdir, "%dM" % (args.size_mb * 2 + 64)))
        postfix = find_postfix() if "postfix" in wanted else None
        if postfix is not None:
            targets.append(postfix)

        big_html = os.path.join(workdir, "large.html")
        small_html = os.path.join(workdir, "small.html")
        make_html(big_html, int(args.size_mb * 1024 * 1024))
        with open(small_html, "w") as f:
            f.write("<p>Merhaba, bu bir deneme iletisidir.</p>\n")

        print("Postacı benchmark: %d run(s) each, medians; ratios are postaci / other"
              % args.runs)
        for target in targets:
            if target.name in wanted:
                target_env = dict(env, POSTACI_PASSWORD=target.password or "bench")
                if "messages" in rows:
                    message_rows(args, target, target_env, workdir, big_html, small_html)
                if target.name == "builtin" and "pipelining" in rows:
                    pipelining_rows(args, target, target_env, small_html)
        if "postfix" in wanted and postfix is None:
            print("postfix: skipped (no Postfix answering on 127.0.0.1:25)")
        if "window" in rows:
            window_row(args, workdir)
        if "flat" in rows:
            flat_rows(args, env, workdir)
    finally:
        for target in targets:
            target.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
