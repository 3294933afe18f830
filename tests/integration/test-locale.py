#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The language of postaci-cli and postaci run from the build tree, without POSTACI_LOCALEDIR.

--lang tr and a Turkish locale speak Turkish from the build's own catalogs; a language with no
catalog is named on stderr (never a silent fall back to English); English needs no catalog and
says nothing. TAP on stdout.
Usage: test-locale.py LOCALEDIR POSTACI_CLI [POSTACI]
"""

import os
import subprocess
import sys
import tempfile

LOCALEDIR = sys.argv[1]
PROGRAMS = sys.argv[2:]
results = []

# Words of the --help summary in each language (po/tr.po).
TURKISH_HELP = "Kullanım:"
ENGLISH_HELP = "Usage:"


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def run(program, args, **env_changes):
    env = dict(os.environ)
    for name in ("POSTACI_LOCALEDIR", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "DISPLAY",
                 "WAYLAND_DISPLAY"):
        env.pop(name, None)
    env["LANG"] = "C.UTF-8"
    env.update(env_changes)
    proc = subprocess.run([program, *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def has_locale(name):
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    return name.lower().replace("utf-8", "utf8") in out.split()


for program in PROGRAMS:
    name = os.path.basename(program)

    status, out, err = run(program, ["--lang", "tr", "--help"])
    check(f"{name} --lang tr --help speaks Turkish from the build tree",
          status == 0 and out.startswith(TURKISH_HELP) and err == "", out[:200] + err)

    status, out, err = run(program, ["--lang=tr", "--help"])
    check(f"{name} --lang=tr is read too", status == 0 and out.startswith(TURKISH_HELP),
          out[:200] + err)

    status, out, err = run(program, ["--lang", "en", "--help"], LANG="tr_TR.UTF-8")
    check(f"{name} --lang en speaks English in a Turkish locale, silently",
          status == 0 and out.startswith(ENGLISH_HELP) and err == "", out[:200] + err)

    if has_locale("tr_TR.UTF-8"):
        status, out, err = run(program, ["--help"], LANG="tr_TR.UTF-8")
        check(f"{name} in a Turkish locale without --lang speaks Turkish",
              status == 0 and out.startswith(TURKISH_HELP) and err == "", out[:200] + err)
    else:
        results.append((f"{name} in a Turkish locale # SKIP no tr_TR.UTF-8 locale", True, ""))

    with tempfile.TemporaryDirectory() as empty:
        status, out, err = run(program, ["--lang", "tr", "--help"], POSTACI_LOCALEDIR=empty)
        check(f"{name} --lang tr without a catalog says so on stderr and speaks English",
              status == 0 and out.startswith(ENGLISH_HELP)
              and err == f"{name}: no catalog for the language “tr” in {empty}; "
                         "messages are in English.\n", err)

    # build/src/cli/postaci-cli: the build's catalogs are in build/po, looked in first.
    build_po = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.realpath(program)))), "po")
    status, out, err = run(program, ["--version"], LANGUAGE="de", LANG="C.UTF-8")
    check(f"{name} with LANGUAGE=de names the missing language and the folders looked in",
          status == 0 and err.startswith(f"{name}: no catalog for the language “de” in {build_po}, ")
          and err.endswith("; messages are in English.\n"), err)
    check(f"{name} with LANGUAGE=de still does its job", "0." in out, out)

    status, out, err = run(program, ["--version"], LANGUAGE="de:tr", LANG="C.UTF-8")
    # Said in Turkish, the language it falls back to.
    check(f"{name} with LANGUAGE=de:tr says, in Turkish, that it speaks tr instead",
          status == 0 and err == f"{name}: “de” dili için {build_po}, {LOCALEDIR} içinde çeviri "
                                 "kataloğu yok; çıktı “tr” dilinde.\n", err)

    status, out, err = run(program, ["--version"], LANGUAGE="en_GB:en", LANG="C.UTF-8")
    check(f"{name} in English needs no catalog and says nothing", status == 0 and err == "", err)

    # The CLI checks --lang before it connects anywhere; the window before it opens.
    args = ["--version"] if name == "postaci" else ["--server", "127.0.0.1", "--port", "9"]
    status, out, err = run(program, ["--lang", "xx", *args])
    check(f"{name} --lang xx is a usage error (exit 2)", status == 2 and "--lang" in err, err)

print(f"1..{len(results)}")
for number, (name, ok, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {number} - {name}")
    if not ok and detail:
        for line in detail.splitlines():
            print(f"# {line}")
sys.exit(0)
