#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The manual pages made by scdoc: they render without a warning, in English and in Turkish, and
list exactly the options the program's --help lists, so the two cannot drift apart. The
postaci-cli page lists every exit status of src/core/postaci-outcome.h. TAP on stdout.

Usage: test-man-pages.py SOURCE_DIR LANG:PAGE:MAN_FILE:PROGRAM...
"""

import os
import re
import subprocess
import sys

from tap import check, finish

SOURCE_DIR = sys.argv[1]
PAGES = [arg.split(":", 3) for arg in sys.argv[2:]]

# The locale each language's page is read in (LANG=tr_TR.UTF-8 man postaci-cli).
LOCALES = {"en": "C.UTF-8", "tr": "tr_TR.UTF-8"}
# GApplication's own options: every GApplication has them; the page of postaci need not.
GAPPLICATION_OPTIONS = {"--help-all", "--help-gapplication", "--gapplication-service"}
# The section headings of each language, as scdoc writes them.
HEADINGS = {
    "en": {"options": "OPTIONS", "exit": "EXIT STATUS", "next": ("ENVIRONMENT",)},
    "tr": {"options": "SEÇENEKLER", "exit": "ÇIKIŞ DURUMU", "next": ("ORTAM",)},
}


def env_for(lang):
    env = dict(os.environ)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "POSTACI_LOCALEDIR", "MANPAGER", "PAGER"):
        env.pop(name, None)
    env["LANG"] = LOCALES[lang]
    env["MANWIDTH"] = "200"
    return env


def section(text, heading, next_headings=None):
    """The lines of one top-level section of a rendered page (headings start in column 0)."""
    lines, inside = [], False
    for line in text.splitlines():
        if line and not line[0].isspace():
            if inside and (next_headings is None or line.strip() in next_headings):
                break
            inside = inside or line.strip() == heading
            continue
        if inside:
            lines.append(line)
    return lines


def normalise(text):
    # groff writes hyphens as U+2010 and minus signs as U+2212 in UTF-8 output.
    return text.replace("\u2010", "-").replace("\u2212", "-")


def help_options(program):
    env = env_for("en")
    env["LANGUAGE"] = "en"
    out = subprocess.run([program, "--help-all"], env=env, capture_output=True, text=True,
                         timeout=30, stdin=subprocess.DEVNULL).stdout
    found = set()
    for match in re.finditer(r"^\s+(?:(-\w), )?(--[\w-]+)", out, re.M):
        found.update(option for option in match.groups() if option)
    return found - GAPPLICATION_OPTIONS


def exit_statuses():
    with open(os.path.join(SOURCE_DIR, "src", "core", "postaci-outcome.h"), encoding="utf-8") as f:
        return {int(n) for n in re.findall(r"POSTACI_EXIT_\w+\s*=\s*(\d+)", f.read())}


for lang, page, man_file, program in PAGES:
    label = f"{lang}/{page}"
    env = env_for(lang)

    proc = subprocess.run(["groff", "-k", "-ww", "-man", "-Tutf8", "-z", man_file], env=env,
                          capture_output=True, text=True, timeout=60)
    check(f"{label}: groff -ww -man renders it without a warning",
          proc.returncode == 0 and proc.stderr == "", proc.stderr)

    proc = subprocess.run(["man", "--warnings", "-l", man_file], env=env, capture_output=True,
                          text=True, timeout=60)
    text = normalise(proc.stdout)
    check(f"{label}: man -l renders it without a warning",
          proc.returncode == 0 and proc.stderr == "" and page in text, proc.stderr)

    # Option terms are the lines of OPTIONS indented once ("-h, --help", "--server HOST").
    terms = set()
    for line in section(text, HEADINGS[lang]["options"]):
        match = re.match(r"^ {7}(-[\w-]+)(?:, (--[\w-]+))?(?: |$)", line)
        if match:
            terms.update(option for option in match.groups() if option)
    expected = help_options(program)
    check(f"{label}: the page lists exactly the options of {page} --help",
          terms == expected and expected,
          f"only in --help: {sorted(expected - terms)}; only in the page: {sorted(terms - expected)}")

    if page == "postaci-cli":
        statuses = {int(line.strip()) for line in section(text, HEADINGS[lang]["exit"],
                                                           HEADINGS[lang]["next"])
                    if re.fullmatch(r" {7}\d+", line)}
        check(f"{label}: EXIT STATUS lists every status of postaci-outcome.h",
              statuses == exit_statuses(), f"{sorted(statuses)} != {sorted(exit_statuses())}")

    if lang == "tr":
        check(f"{label}: the Turkish page is Turkish", "SEÇENEKLER" in text and "ÖRNEKLER" in text,
              text[:300])

finish()
