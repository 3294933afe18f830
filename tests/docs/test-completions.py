#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli's completion scripts, each loaded in its own shell the way the shell loads it:
bash (complete -F), zsh (compinit from fpath, driven on a pseudo-terminal) and fish (complete -C).
Each must complete value lists, files where a file is expected, and offer exactly the options
of postaci-cli --help. Shells that are not installed are skipped. TAP on stdout.

Usage: test-completions.py COMPLETION_DIR POSTACI_CLI
"""

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

from tap import check, finish, skip

COMPLETION_DIR, CLI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])

SECURITY = ["auto", "none", "starttls", "tls"]
STAGES = ["connect", "greeting", "ehlo", "tls", "auth", "mail", "rcpt", "data"]




def help_options():
    env = dict(os.environ, LANGUAGE="en", LANG="C.UTF-8")
    env.pop("LC_ALL", None)
    out = subprocess.run([CLI, "--help"], env=env, capture_output=True, text=True,
                         timeout=30).stdout
    return set(re.findall(r"(?:^\s+|, )(--[\w-]+)", out, re.M))


OPTIONS = help_options()


def help_value_lists():
    """{"--format": ["text", "jsonl", …]} for every option whose --help text lists its values
    ("auto, none, starttls or tls", "Stop after connect, …, rcpt or data")."""
    env = dict(os.environ, LANGUAGE="en", LANG="C.UTF-8")
    env.pop("LC_ALL", None)
    out = subprocess.run([CLI, "--help"], env=env, capture_output=True, text=True,
                         timeout=30).stdout
    lists = {}
    for option, text in re.findall(r"^\s+(--[\w-]+)=\S+\s+(.*)$", out, re.M):
        match = re.search(r"\b([a-z][\w-]*(?:, [a-z][\w-]*)+,? or [a-z][\w-]*)\b", text)
        # Two values: the whole text, or after a colon ("Language of the output: tr or en").
        match = match or re.search(r"(?:^|: )([a-z][\w-]*) or ([a-z][\w-]*)(?:$| \()", text)
        if match:
            lists[option] = re.split(r",? or |, ", match.group(0).split(": ")[-1])
    return lists


VALUE_LISTS = help_value_lists()
check("postaci-cli --help lists the values of --security, --auth, --stop-after, --format, "
      "--lang and --color", {"--security", "--auth", "--stop-after", "--format", "--lang",
                             "--color"} <= set(VALUE_LISTS), VALUE_LISTS)
check("postaci-cli --help lists options to compare with", len(OPTIONS) > 20, OPTIONS)

# A folder with one certificate file and one subfolder, for file and folder completion.
files = tempfile.mkdtemp()
open(os.path.join(files, "ca.pem"), "w").close()
os.mkdir(os.path.join(files, "mail"))


# bash: the file bash-completion loads, sourced into a shell without bash-completion itself.
def bash_complete(*words):
    script = (f"source {COMPLETION_DIR}/postaci-cli.bash\n"
              f"complete -p postaci-cli >/dev/null || exit 9\n"
              "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _postaci_cli\n"
              "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash",
                           "postaci-cli", *words], capture_output=True, text=True, timeout=30,
                          cwd=files)
    return proc.returncode, [w for w in proc.stdout.splitlines() if w]


if shutil.which("bash"):
    status, words = bash_complete("--security", "")
    check("bash: complete -F is registered and --security lists its values",
          status == 0 and words == SECURITY, (status, words))
    check("bash: --stop-after r completes to rcpt", bash_complete("--stop-after", "r")[1] == ["rcpt"])
    check("bash: --lang=t (split at =) completes to tr",
          bash_complete("--lang", "=", "t")[1] == ["tr"])
    check("bash: --auth scram lists both SCRAM mechanisms",
          bash_complete("--auth", "scram")[1] == ["scram-sha-1", "scram-sha-256"])
    check("bash: --ca-file completes file names", bash_complete("--ca-file", "c")[1] == ["ca.pem"])
    check("bash: --save completes folders only", bash_complete("--save", "")[1] == ["mail"])
    for option, values in VALUE_LISTS.items():
        offered = bash_complete(option, "")[1]
        check(f"bash: {option} offers exactly the values --help lists", offered == values,
              f"--help: {values}, completion: {offered}")
    offered = set(bash_complete("--")[1])
    check("bash: offers exactly the options of --help", offered == OPTIONS,
          f"missing {sorted(OPTIONS - offered)}, extra {sorted(offered - OPTIONS)}")
else:
    skip("bash completion", "bash is not installed")


# fish: complete -C asks fish itself, with the script loaded as fish loads vendor completions.
def fish_complete(line):
    proc = subprocess.run(["fish", "--no-config", "-c",
                           f"source {COMPLETION_DIR}/postaci-cli.fish; complete -C '{line}'"],
                          capture_output=True, text=True, timeout=30, cwd=files)
    return [entry.split("\t")[0] for entry in proc.stdout.splitlines()]


if shutil.which("fish"):
    # fish sorts what it offers.
    check("fish: --security lists its values",
          fish_complete("postaci-cli --security ") == sorted(SECURITY),
          fish_complete("postaci-cli --security "))
    check("fish: --stop-after= lists every stage",
          fish_complete("postaci-cli --stop-after=") == sorted(f"--stop-after={s}" for s in STAGES))
    check("fish: --ca-file completes file names",
          "ca.pem" in fish_complete("postaci-cli --ca-file "), fish_complete("postaci-cli --ca-file "))
    check("fish: --save completes folders", fish_complete("postaci-cli --save ") == ["mail/"],
          fish_complete("postaci-cli --save "))
    for option, values in VALUE_LISTS.items():
        offered = fish_complete(f"postaci-cli {option} ")
        check(f"fish: {option} offers exactly the values --help lists",
              offered == sorted(values), f"--help: {values}, completion: {offered}")
    offered = {w for w in fish_complete("postaci-cli --") if w.startswith("--")}
    check("fish: offers exactly the options of --help", offered == OPTIONS,
          f"missing {sorted(OPTIONS - offered)}, extra {sorted(offered - OPTIONS)}")
else:
    skip("fish completion", "fish is not installed")


# zsh: an interactive zsh on a pseudo-terminal, with the folder in fpath and compinit run, is
# sent Tab after a partial command line; what it prints back is the completion.
class Zsh:
    def __init__(self):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(files)
            os.execve(shutil.which("zsh"), ["zsh", "-f", "-i"],
                      {"TERM": "xterm", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                       "HOME": files, "LISTMAX": "0", "COLUMNS": "200", "LINES": "100"})
        self.send(f"PS1='%% '; fpath=({COMPLETION_DIR} $fpath); autoload -Uz compinit; "
                  f"compinit -u -d {files}/.zcompdump; echo RE''ADY\n")
        self.read_until(lambda text: "READY\r\n" in text, seconds=30)

    def send(self, text):
        os.write(self.fd, text.encode())

    def read_until(self, done, seconds=10.0):
        """Reads until done(text so far) holds or the time is up; returns the text."""
        out, end = b"", time.time() + seconds
        text = ""
        while time.time() < end and not done(text):
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(self.fd, 65536)
                except OSError:
                    break
                text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace"))
        return text

    def complete(self, line, done):
        """Types @line and Tab; what zsh draws until done(text) holds (a slow machine waits)."""
        self.send(line + "\t")
        shown = self.read_until(done)
        self.send("\x15echo DO''NE\n")  # Ctrl+U empties the line; the marker ends this turn
        self.read_until(lambda text: "DONE\r\n" in text)
        return shown

    def close(self):
        self.send("exit\n")
        os.waitpid(self.pid, 0)


if shutil.which("zsh"):
    zsh = Zsh()
    shown = zsh.complete("postaci-cli --security=", lambda t: "starttls" in t)
    check("zsh: --security= lists its values", all(v in shown.split() for v in SECURITY), shown)
    for option in ("--format", "--auth"):
        values = VALUE_LISTS.get(option, [])
        shown = zsh.complete(f"postaci-cli {option}=", lambda t: all(v in t for v in values))
        check(f"zsh: {option}= offers every value --help lists",
              values and set(re.findall(r"[a-z][\w-]*", shown.split("\n", 1)[-1])) >= set(values),
              shown)
    shown = zsh.complete("postaci-cli --stop-after=rc", lambda t: "rcpt" in t)
    check("zsh: --stop-after=rc completes to rcpt", "--stop-after=rcpt" in shown, shown)
    shown = zsh.complete("postaci-cli --ca-file=c", lambda t: "ca.pem" in t)
    check("zsh: --ca-file completes file names", "--ca-file=ca.pem" in shown, shown)
    shown = zsh.complete("postaci-cli --", lambda t: all(o in t for o in OPTIONS))
    offered = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", shown)) - {"--"}
    check("zsh: offers exactly the options of --help", offered == OPTIONS,
          f"missing {sorted(OPTIONS - offered)}, extra {sorted(offered - OPTIONS)}")
    zsh.close()
else:
    skip("zsh completion", "zsh is not installed")

shutil.rmtree(files, ignore_errors=True)
finish()
