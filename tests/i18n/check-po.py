#!/usr/bin/python3
"""The translations stay complete: checks for the i18n test suite (TAP on stdout).

  check-po.py catalog SOURCE_DIR   regenerates the template from po/POTFILES.in with xgettext
                                   (the keywords of meson's glib preset), merges every language
                                   in po/LINGUAS with it, and fails on any untranslated or fuzzy
                                   entry or on a format string that does not match its msgid.
  check-po.py potfiles SOURCE_DIR  po/POTFILES.in is sorted, names only files that exist, and
                                   names every source file that marks strings for translation
                                   (C, .ui, a settings schema with a gettext-domain) and every
                                   desktop file and metainfo template.
"""

import os
import re
import subprocess
import sys
import tempfile

# meson's i18n module, preset 'glib' (mesonbuild/modules/i18n.py, PRESET_ARGS): keep in step.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

# What marks a string for translation in C; in .ui files, translatable="yes".
C_MARKERS = re.compile(r"(?<![A-Za-z0-9_])(?:_|N_|C_|NC_)\s*\(|ngettext\s*\(|g_dpgettext2\s*\(")
UI_MARKER = re.compile(r'translatable\s*=\s*"yes"')
# A settings schema with a gettext-domain has translated summaries and descriptions (gschema.its).
SCHEMA_MARKER = re.compile(r'<schemalist[^>]*\sgettext-domain\s*=')
SOURCE_DIRS = ("src", "data")

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


def finish():
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok and detail:
            for line in detail.splitlines():
                print("# " + line)
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


def count(po_path, option, cwd):
    """Entries msgattrib selects with @option (--untranslated, --only-fuzzy), as msgids."""
    proc = run(["msgattrib", option, "--no-obsolete", "--no-wrap", po_path], cwd)
    return [m for m in re.findall(r'^msgid "(.+)"$', proc.stdout, re.M)]


def check_catalog(srcdir):
    podir = os.path.join(srcdir, "po")
    with tempfile.TemporaryDirectory(prefix="postaci-po-") as tmp:
        pot = os.path.join(tmp, "postaci.pot")
        proc = run(["xgettext", "--package-name=postaci", *XGETTEXT_ARGS,
                    "--files-from=po/POTFILES.in", "--output=" + pot], srcdir)
        check("xgettext extracts the template from POTFILES.in", proc.returncode == 0,
              proc.stderr)
        warnings = [l for l in proc.stderr.splitlines() if "warning" in l]
        check("xgettext has no warning (a format macro xgettext cannot see, …)",
              not warnings, "\n".join(warnings))
        if proc.returncode != 0:
            return
        for lang in read_lines(os.path.join(podir, "LINGUAS")):
            po = os.path.join(podir, lang + ".po")
            merged = os.path.join(tmp, lang + ".po")
            proc = run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--output-file=" + merged,
                        po, pot], srcdir)
            check("%s.po merges with the fresh template" % lang, proc.returncode == 0,
                  proc.stderr)
            if proc.returncode != 0:
                continue
            untranslated = count(merged, "--untranslated", srcdir)
            check("%s.po: every string is translated" % lang, not untranslated,
                  "untranslated:\n" + "\n".join(untranslated))
            fuzzy = count(po, "--only-fuzzy", srcdir)
            check("%s.po: no fuzzy entry" % lang, not fuzzy, "fuzzy:\n" + "\n".join(fuzzy))
            proc = run(["msgfmt", "--check", "--check-format", "--output-file=/dev/null", po],
                       srcdir)
            check("%s.po: msgfmt --check --check-format" % lang, proc.returncode == 0,
                  proc.stderr)
            stale = re.findall(r'^#~ msgid "(.*)"$', open(merged, encoding="utf-8").read(), re.M)
            check("%s.po has no entry that the sources no longer use" % lang, not stale,
                  "obsolete:\n" + "\n".join(stale))


def check_potfiles(srcdir):
    listed = read_lines(os.path.join(srcdir, "po", "POTFILES.in"))
    check("POTFILES.in is sorted", listed == sorted(listed),
          "expected order:\n" + "\n".join(sorted(listed)))
    check("POTFILES.in has no duplicates", len(listed) == len(set(listed)))
    missing = [p for p in listed if not os.path.isfile(os.path.join(srcdir, p))]
    check("every file in POTFILES.in exists", not missing, "\n".join(missing))

    marked = []
    for top in SOURCE_DIRS:
        for dirpath, _, names in os.walk(os.path.join(srcdir, top)):
            for name in names:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, srcdir)
                if name.endswith((".desktop.in", ".metainfo.xml.in")):
                    marked.append(rel)  # every one of them has translatable fields
                    continue
                if name.endswith((".c", ".h")):
                    pattern = C_MARKERS
                elif name.endswith(".ui"):
                    pattern = UI_MARKER
                elif name.endswith(".gschema.xml"):
                    pattern = SCHEMA_MARKER
                else:
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    if pattern.search(f.read()):
                        marked.append(rel)
    unlisted = sorted(set(marked) - set(listed))
    check("every source file with translatable strings is in POTFILES.in", not unlisted,
          "add to po/POTFILES.in:\n" + "\n".join(unlisted))
    check("the scan found the files it must find",
          "src/core/postaci-catalog.c" in marked and "src/cli/main.c" in marked,
          "\n".join(marked))


def main():
    mode, srcdir = sys.argv[1], sys.argv[2]
    if mode == "catalog":
        check_catalog(srcdir)
    elif mode == "potfiles":
        check_potfiles(srcdir)
    else:
        sys.exit("usage: check-po.py catalog|potfiles SOURCE_DIR")
    finish()


if __name__ == "__main__":
    main()
