#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Debian packages, built from a clean copy of this tree (tools/build-deb.sh) and checked as a
Debian maintainer would: lintian without an error or a warning, file lists with no file in both
packages, postaci-cli's dependencies free of GTK, and the packages unpacked (dpkg -x) into a
throwaway root where the installed programs speak Turkish from the installed catalog, the manual
pages render in both languages, the desktop file, metainfo and schema validate and the
completions load. Skips when dpkg-buildpackage is missing. TAP on stdout.

The packages are built with DEB_BUILD_OPTIONS=nocheck: make check has just run the same tests
in build/; building them a second time would double the time for no new fact.

Usage: test-deb.py SOURCE_DIR OUTDIR
"""

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs"))
from tap import check, finish, skip  # noqa: E402

SOURCE_DIR, OUT_DIR = (os.path.abspath(arg) for arg in sys.argv[1:3])

# What each package must hold (more may come: icons, doc files).
EXPECTED = {
    "postaci-cli": [
        "/usr/bin/postaci-cli",
        "/usr/share/locale/tr/LC_MESSAGES/postaci.mo",
        "/usr/share/man/man1/postaci-cli.1.gz",
        "/usr/share/man/tr/man1/postaci-cli.1.gz",
        "/usr/share/bash-completion/completions/postaci-cli",
        "/usr/share/zsh/vendor-completions/_postaci-cli",
        "/usr/share/fish/vendor_completions.d/postaci-cli.fish",
    ],
    "postaci": [
        "/usr/bin/postaci",
        "/usr/share/applications/io.github.postaci.Postaci.desktop",
        "/usr/share/metainfo/io.github.postaci.Postaci.metainfo.xml",
        "/usr/share/glib-2.0/schemas/io.github.postaci.Postaci.gschema.xml",
        "/usr/share/icons/hicolor/scalable/apps/io.github.postaci.Postaci.svg",
        "/usr/share/man/man1/postaci.1.gz",
        "/usr/share/man/tr/man1/postaci.1.gz",
    ],
}
GRAPHICAL = re.compile(r"\b(libgtk|libadwaita|libgtksourceview|libgdk|libpango|libcairo)")


def run(*args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=kwargs.pop("timeout", 300),
                          stdin=subprocess.DEVNULL, **kwargs)


def clean_env(**changes):
    env = dict(os.environ)
    for name in ("POSTACI_LOCALEDIR", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "DISPLAY",
                 "WAYLAND_DISPLAY", "MANPAGER", "PAGER"):
        env.pop(name, None)
    env["LANG"] = "C.UTF-8"
    env.update(changes)
    return env


if not shutil.which("dpkg-buildpackage") or not os.path.isfile(
        os.path.join(SOURCE_DIR, "debian", "control")):
    print("1..0 # SKIP dpkg-buildpackage or debian/ is missing")
    sys.exit(0)

env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2")
proc = run(os.path.join(SOURCE_DIR, "tools", "build-deb.sh"), OUT_DIR, env=env, timeout=1200)
check("dpkg-buildpackage -us -uc -b builds both packages from a clean copy", proc.returncode == 0,
      proc.stdout[-3000:] + proc.stderr[-3000:])
if proc.returncode != 0:
    finish()
    sys.exit(0)

debs = {}
for name in os.listdir(OUT_DIR):
    match = re.fullmatch(r"(postaci(?:-cli)?)_[^_]+_[^_]+\.deb", name)
    if match:
        debs[match.group(1)] = os.path.join(OUT_DIR, name)
check("the packages are postaci-cli and postaci", sorted(debs) == ["postaci", "postaci-cli"], debs)

# File lists: what each must hold, and no file (not a folder) in both.
contents = {}
for package, deb in debs.items():
    listing = run("dpkg-deb", "--contents", deb).stdout.splitlines()
    contents[package] = {line.split()[5].lstrip(".") for line in listing if not line.startswith("d")}
    missing = [path for path in EXPECTED[package] if path not in contents[package]]
    check(f"{package} holds its files", not missing, f"missing: {missing}")
both = contents.get("postaci", set()) & contents.get("postaci-cli", set())
check("no file is in both packages", not both, sorted(both))
check("postaci-cli holds nothing of the window",
      not [p for p in contents.get("postaci-cli", ()) if "applications" in p or "icons" in p
           or p == "/usr/bin/postaci"], sorted(contents.get("postaci-cli", ())))

# Dependencies: the command line installs on a server without a display.
cli_depends = run("dpkg-deb", "--field", debs["postaci-cli"], "Depends").stdout.strip()
check("postaci-cli depends on nothing graphical (no GTK, libadwaita, Pango)",
      cli_depends and not GRAPHICAL.search(cli_depends), cli_depends)
# The libraries opened on first use (dlopen: dpkg-shlibdeps cannot see them) are named.
opened = ["libgmime-3.0-0", "libgnutls30", "libsoup-3.0-0", "libgsasl18", "libsecret-1-0"]
check("postaci-cli depends by name on the libraries it opens on first use",
      all(re.search(r"(^|[ ,])%s([ ,(]|$)" % re.escape(name), cli_depends) for name in opened),
      cli_depends)
gui_depends = run("dpkg-deb", "--field", debs["postaci"], "Depends").stdout.strip()
version = run("dpkg-deb", "--field", debs["postaci-cli"], "Version").stdout.strip()
check("postaci depends on this very postaci-cli (its translations) and on GTK 4",
      f"postaci-cli (= {version})" in gui_depends and "libgtk-4" in gui_depends, gui_depends)

# lintian: no error, no warning (pedantic and info tags are allowed).
changes = [os.path.join(OUT_DIR, n) for n in os.listdir(OUT_DIR) if n.endswith(".changes")]
if shutil.which("lintian") and changes:
    proc = run("lintian", "--fail-on", "error,warning", changes[0], timeout=600)
    tags = [line for line in proc.stdout.splitlines() if re.match(r"[EW]: ", line)]
    check("lintian reports no error and no warning", proc.returncode == 0 and not tags,
          proc.stdout + proc.stderr)
else:
    skip("lintian", "lintian is not installed")

# Unpacked into a throwaway root: what an installed system would run and read.
root = tempfile.mkdtemp(prefix="postaci-root-")
for deb in debs.values():
    run("dpkg", "-x", deb, root)
cli = os.path.join(root, "usr", "bin", "postaci-cli")
gui = os.path.join(root, "usr", "bin", "postaci")
localedir = os.path.join(root, "usr", "share", "locale")

for program in (cli, gui):
    name = os.path.basename(program)
    proc = run(program, "--lang", "tr", "--help", env=clean_env(POSTACI_LOCALEDIR=localedir))
    check(f"installed {name} --lang tr --help speaks Turkish from the package's catalog",
          proc.returncode == 0 and proc.stdout.startswith("Kullanım:") and proc.stderr == "",
          proc.stdout[:300] + proc.stderr)
    proc = run(program, "--help", env=clean_env(POSTACI_LOCALEDIR=localedir, LANG="tr_TR.UTF-8"))
    check(f"installed {name} in a Turkish locale speaks Turkish without --lang",
          proc.returncode == 0 and proc.stdout.startswith("Kullanım:"), proc.stdout[:300] + proc.stderr)

proc = run(cli, "--version", env=clean_env())
check("installed postaci-cli --version answers", proc.returncode == 0 and
      proc.stdout.startswith("postaci-cli "), proc.stdout + proc.stderr)

for lang, locale in (("", "C.UTF-8"), ("tr", "tr_TR.UTF-8")):
    for page in ("postaci-cli", "postaci"):
        path = os.path.join(root, "usr", "share", "man", lang, "man1", f"{page}.1.gz")
        proc = run("man", "--warnings", "-l", path, env=clean_env(LANG=locale, MANWIDTH="100"))
        heading = "SEÇENEKLER" if lang else "OPTIONS"
        check(f"installed man page {lang or 'en'}/{page} renders without a warning",
              proc.returncode == 0 and proc.stderr == "" and heading in proc.stdout, proc.stderr)

data = os.path.join(root, "usr", "share")
for tool, args in (
        ("desktop-file-validate", [os.path.join(data, "applications",
                                                "io.github.postaci.Postaci.desktop")]),
        ("appstreamcli", ["validate", "--no-net", os.path.join(
            data, "metainfo", "io.github.postaci.Postaci.metainfo.xml")]),
        ("glib-compile-schemas", ["--strict", "--dry-run", os.path.join(data, "glib-2.0",
                                                                          "schemas")])):
    if shutil.which(tool):
        proc = run(tool, *args)
        check(f"installed files pass {tool}", proc.returncode == 0, proc.stdout + proc.stderr)
    else:
        skip(tool, f"{tool} is not installed")

# The menu entry and the software centre page in Turkish, from the same catalog.
with open(os.path.join(data, "applications", "io.github.postaci.Postaci.desktop"),
          encoding="utf-8") as f:
    desktop = f.read()
check("the desktop file names the program in Turkish too",
      re.search(r"^Comment\[tr\]=\S", desktop, re.M) and "Icon=io.github.postaci.Postaci" in desktop,
      desktop)

# The metainfo a software centre shows: screenshots and release notes.
with open(os.path.join(data, "metainfo", "io.github.postaci.Postaci.metainfo.xml"),
          encoding="utf-8") as f:
    metainfo = f.read()
check("the metainfo has Turkish text", 'xml:lang="tr"' in metainfo, metainfo[:600])
check("the metainfo has screenshots and release notes",
      "<screenshot" in metainfo and re.search(r"<release [^>]*version=\"[^\"]+\"[^>]*>\s*"
                                              r"<description>", metainfo), metainfo[-600:])

# One licence, said alike everywhere: COPYING is the text of the GPL, version 3; meson.build, each
# package's copyright file and the metainfo say "version 3 or later" (GPL-3.0-or-later, GPL-3+).
with open(os.path.join(SOURCE_DIR, "COPYING"), encoding="utf-8") as f:
    copying = f.read()
gpl3 = "/usr/share/common-licenses/GPL-3"
if os.path.isfile(gpl3):
    with open(gpl3, encoding="utf-8") as f:
        check("COPYING is the GNU GPL, version 3, word for word as Debian ships it",
              copying == f.read(), copying[:200])
else:
    check("COPYING is the GNU GPL, version 3", re.match(
        r"\s*GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007", copying), copying[:200])
with open(os.path.join(SOURCE_DIR, "meson.build"), encoding="utf-8") as f:
    meson_build = f.read()
check("meson.build says GPL-3.0-or-later", "license: 'GPL-3.0-or-later'" in meson_build)
for package in debs:
    with open(os.path.join(data, "doc", package, "copyright"), encoding="utf-8") as f:
        copyright_text = f.read()
    check(f"{package}'s copyright file puts the program under GPL-3+ (version 3 or later)",
          re.search(r"^Files: \*\n(?:\S.*\n)*?License: GPL-3\+$", copyright_text, re.M) and
          "either version 3 of the License, or (at your option)" in copyright_text,
          copyright_text[:600])
check("the metainfo says GPL-3.0-or-later",
      "<project_license>GPL-3.0-or-later</project_license>" in metainfo, metainfo[:600])

if shutil.which("bash"):
    proc = run("bash", "--norc", "--noprofile", "-c",
               f"source {data}/bash-completion/completions/postaci-cli && "
               "COMP_WORDS=(postaci-cli --format ''); COMP_CWORD=2; _postaci_cli; "
               "echo \"${COMPREPLY[*]}\"")
    check("the installed bash completion loads and completes --format",
          proc.stdout.split()[:2] == ["text", "jsonl"], proc.stdout + proc.stderr)

with gzip.open(os.path.join(data, "man", "tr", "man1", "postaci-cli.1.gz"), "rt",
               encoding="utf-8") as f:
    check("the Turkish page is in tr/man1, in Turkish", "ÇIKIŞ DURUMU" in f.read())

shutil.rmtree(root, ignore_errors=True)
finish()
