#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The translations stay complete: checks for the i18n test suite (TAP on stdout).

  check-po.py catalog SOURCE_DIR   regenerates the template from po/POTFILES.in with xgettext
                                   (the keywords of meson's glib preset), merges every language
                                   in po/LINGUAS with it, and fails on any untranslated or fuzzy
                                   entry or on a format string that does not match its msgid.
  check-po.py potfiles SOURCE_DIR  po/POTFILES.in is sorted, names only files that exist, and
                                   names every source file that marks strings for translation
                                   (C, .ui, a settings schema with a gettext-domain) and every
                                   desktop file and metainfo template.
  check-po.py glossary SOURCE_DIR  po/tr.po keeps the glossary of po/README.md: no msgstr matches
                                   a pattern of its "Never write" table, and a msgid that quotes a
                                   window label (“Security”) has a msgstr that quotes the label's
                                   translation (“Güvenlik”).
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
          "src/core/postaci-verdict.c" in marked and "src/cli/main.c" in marked,
          "\n".join(marked))


PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def parse_po(path):
    """The entries of a PO file as (msgid, [msgstr…], references), without the header and
    obsolete entries. Enough of the format for catalogs msgmerge writes."""
    entries = []
    msgid, msgstrs, refs, field, obsolete = None, [], [], None, False

    def flush():
        if msgid and not obsolete:
            entries.append((msgid, msgstrs, refs))

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                msgid, msgstrs, refs, field, obsolete = None, [], [], None, False
            elif line.startswith("#~"):
                obsolete = True
            elif line.startswith("#:"):
                refs.extend(line[2:].split())
            elif line.startswith("#"):
                continue
            else:
                m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)\s+(".*")$', line)
                if m:
                    field = m.group(1)
                    text = m.group(2)
                    if field.startswith("msgstr"):
                        msgstrs.append("")
                else:
                    text = line.strip()
                value = re.sub(r'\\(.)', lambda e: PO_ESCAPES.get(e.group(1), e.group(1)),
                               text[1:-1])
                if field == "msgid":
                    msgid = (msgid or "") + value
                elif field.startswith("msgstr"):
                    msgstrs[-1] += value
    flush()
    return entries


def turkish_fold(text):
    """Lower case the Turkish way: I is the capital of ı, İ of i."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def never_write_table(readme):
    """The rows of the table under "### Never write" in po/README.md: (pattern, write instead)."""
    rows, inside = [], False
    with open(readme, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                inside = line.strip() == "### Never write"
                continue
            if inside and line.startswith("| `"):
                cells = [c.strip().replace("\\|", "|")
                         for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
                if len(cells) == 3 and cells[0].startswith("`") and cells[0].endswith("`"):
                    rows.append((cells[0][1:-1], cells[1]))
    return rows


def label_forms(text):
    """A window label as running text names it: without the access key and "…", whole or
    without the note in parentheses (“Trusted CA file” for "Trusted CA f_ile (empty: …)")."""
    whole = re.sub(r"_(?=\w)", "", text, count=1).rstrip("…")
    return {whole, whole.split(" (")[0]}


def check_glossary(srcdir):
    readme = os.path.join(srcdir, "po", "README.md")
    rows = never_write_table(readme)
    compiled, broken = [], []
    for pattern, instead in rows:
        try:
            regex = re.compile(turkish_fold(pattern))
        except re.error as e:
            broken.append("%s: %s" % (pattern, e))
            continue
        compiled.append((pattern, regex))
        # What the table says to write must itself pass the check.
        if regex.search(turkish_fold(instead)):
            broken.append("`%s` forbids its own replacement: %s" % (pattern, instead))
    check("po/README.md has a \"Never write\" table of valid patterns (%d)" % len(rows),
          len(rows) >= 10 and not broken, "\n".join(broken) or "table missing or too short")

    entries = parse_po(os.path.join(srcdir, "po", "tr.po"))
    found = []
    for msgid, msgstrs, _ in entries:
        for msgstr in msgstrs:
            folded = turkish_fold(msgstr)
            for pattern, regex in compiled:
                if regex.search(folded):
                    found.append("`%s` in: %s" % (pattern, msgstr))
    check("tr.po: no msgstr uses a form po/README.md says never to write", not found,
          "\n".join(found))

    # The window's labels and their Turkish, from the entries the .ui files use.
    labels = {}
    for msgid, msgstrs, refs in entries:
        if any(".ui:" in ref for ref in refs) and msgstrs and msgstrs[0]:
            english, turkish = label_forms(msgid), label_forms(msgstrs[0])
            for form in english:
                labels.setdefault(form, set()).update(turkish)
    check("the window's labels are found in tr.po (%d)" % len(labels),
          "Seconds to wait for each reply" in labels and "Security" in labels)
    wrong = []
    for msgid, msgstrs, _ in entries:
        for quoted in re.findall(r"“([^”]+)”", msgid):
            if quoted not in labels:
                continue
            for msgstr in msgstrs:
                if not any("“%s”" % tr in msgstr for tr in labels[quoted]):
                    wrong.append("“%s” should be quoted as %s in: %s"
                                 % (quoted, " or ".join("“%s”" % t for t in labels[quoted]),
                                    msgstr))
    check("tr.po: a quoted window label is quoted as the Turkish window labels it", not wrong,
          "\n".join(wrong))


def main():
    mode, srcdir = sys.argv[1], sys.argv[2]
    if mode == "catalog":
        check_catalog(srcdir)
    elif mode == "potfiles":
        check_potfiles(srcdir)
    elif mode == "glossary":
        check_glossary(srcdir)
    else:
        sys.exit("usage: check-po.py catalog|potfiles|glossary SOURCE_DIR")
    finish()


if __name__ == "__main__":
    main()
