# SPDX-License-Identifier: GPL-3.0-or-later
"""A small TAP writer for the tests of this folder: check(), skip(), then finish()."""

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition), detail))


def skip(name, why):
    results.append((f"{name} # SKIP {why}", True, ""))


def finish():
    print(f"1..{len(results)}")
    for number, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {name}")
        if not ok and detail:
            for line in str(detail).splitlines():
                print(f"# {line}")
