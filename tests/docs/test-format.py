#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every .c file in src/ is as .clang-format writes it: the house style holds after the one
sweep. clang-format 14 (Debian 12's) is the reference; other versions place a few breaks
differently, so with another version, or none, the test is skipped rather than wrong."""

import pathlib
import re
import shutil
import subprocess
import sys

import tap

root = pathlib.Path(sys.argv[1])
clang_format = shutil.which("clang-format")
version = ""
if clang_format:
    version = subprocess.run([clang_format, "--version"], capture_output=True, text=True).stdout
major = re.search(r"version (\d+)\.", version)

files = sorted((root / "src").rglob("*.c"))
if not files:
    tap.check("src/ holds C files", False, f"none found under {root / 'src'}")
elif not major or major.group(1) != "14":
    tap.skip("src/*.c follow .clang-format", f"needs clang-format 14, found: {version.strip() or 'none'}")
else:
    for path in files:
        result = subprocess.run([clang_format, "--dry-run", "--Werror", "--style=file", str(path)],
                                capture_output=True, text=True, cwd=root)
        first = "\n".join(result.stderr.splitlines()[:6])
        tap.check(f"{path.relative_to(root)} follows .clang-format", result.returncode == 0,
                  first + "\nrun: clang-format -i " + str(path.relative_to(root)))
    for path in files:
        long_lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                      if len(line) > 100]
        tap.check(f"{path.relative_to(root)} keeps to 100 columns", not long_lines,
                  f"lines over 100 columns: {long_lines[:10]}")
tap.finish()
