#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""postaci-cli in Turkish and in English against aiosmtpd (TAP on stdout).

The same sessions run twice: with --lang tr every server reply carries a Turkish explanation
and the verdict is Turkish; with --lang en not one Turkish letter appears. Then the seed's forum
question (a plain connection to a port that speaks TLS from the first byte, like 465) and its
mirror image (TLS against a plain-text greeting) must be diagnosed in both languages, and
without --lang the language follows the system locale.

Usage: test-cli-languages.py POSTACI_CLI SOURCE_DIR
"""

import base64
import importlib.util
import json
import os
import subprocess
import sys
from xml.etree import ElementTree

# Server, check() and the results list come from the delivery test next to this file.
_spec = importlib.util.spec_from_file_location(
    "cli_aiosmtpd", os.path.join(os.path.dirname(os.path.abspath(__file__)), "test-cli-aiosmtpd.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)
check, results, Server = base.check, base.results, base.Server

TURKISH_LETTERS = set("çğıİöşüÇĞÖŞÜ")
XHTML = "http://www.w3.org/1999/xhtml"
SUBJECT = "Language test"
HTML = "<p>Hello</p>"


def has_turkish(text):
    return any(c in TURKISH_LETTERS for c in text)


def run(args, lang=None, env_locale=None, password=base.PASSWORD, timeout=60):
    """Runs the CLI; @lang is --lang, @env_locale the system locale (LANG) when given."""
    env = dict(os.environ)
    for name in ("POSTACI_PASSWORD", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        env.pop(name, None)
    env["LANG"] = env_locale or "C.UTF-8"
    if password is not None:
        env["POSTACI_PASSWORD"] = password
    cmd = [base.CLI, "--color", "never", *(["--lang", lang] if lang else []), *args]
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def jsonl(out):
    try:
        return [json.loads(line) for line in out.splitlines()]
    except ValueError:
        return []


def session_args(port, security="starttls", stop_after=None, timeout="10", user=True):
    args = ["--server", "127.0.0.1", "--port", str(port), "--security", security,
            "--ca-file", os.path.join(base.CERTS, "ca.pem"), *(["--user", base.USER] if user else []),
            "--from", "ali@example.com", "--to", "veli@example.com",
            "--subject", SUBJECT, "--html", HTML, "--timeout", timeout]
    if stop_after:
        args += ["--stop-after", stop_after]
    return args


def replies(objs):
    return [o for o in objs if o.get("kind") == "server" and o.get("code")]


def compare_languages(label, tr_out, en_out):
    """Every reply explained in the run's language; the English run has no Turkish."""
    tr_objs, en_objs = jsonl(tr_out), jsonl(en_out)
    tr_replies, en_replies = replies(tr_objs), replies(en_objs)
    check(f"{label}: both runs saw the same replies",
          tr_replies and [o["code"] for o in tr_replies] == [o["code"] for o in en_replies],
          tr_out[-800:] + en_out[-800:])
    for tr, en in zip(tr_replies, en_replies):
        what = f"{label}: {tr['code']} after {tr.get('command', '?')}"
        check(f"{what} is explained in Turkish",
              tr.get("explanation") and tr["explanation"] != en.get("explanation")
              and (has_turkish(tr["explanation"]) or len(tr["explanation"]) < 40),
              repr(tr.get("explanation")))
        check(f"{what} is explained in English", en.get("explanation")
              and not has_turkish(en["explanation"]), repr(en.get("explanation")))
        if tr["code"] >= 400:
            check(f"{what} has a Turkish hint", tr.get("hint") and tr["hint"] != en.get("hint"),
                  repr(tr.get("hint")))
    tr_outcome, en_outcome = tr_objs[-1] if tr_objs else {}, en_objs[-1] if en_objs else {}
    check(f"{label}: Turkish verdict", tr_outcome.get("kind") == "outcome"
          and has_turkish(tr_outcome.get("summary", "")) and has_turkish(tr_outcome.get("reason", "")),
          repr(tr_outcome))
    check(f"{label}: English run shows no Turkish letter", not has_turkish(en_out),
          "".join(sorted(set(c for c in en_out if c in TURKISH_LETTERS))) + en_out[-1500:])


def full_session():
    server = Server("starttls")
    try:
        tr = run(session_args(server.port) + ["--format", "jsonl"], lang="tr")
        en = run(session_args(server.port) + ["--format", "jsonl"], lang="en")
        check("delivery: both runs succeed", tr[0] == 0 and en[0] == 0, tr[1][-500:] + en[1][-500:])
        compare_languages("delivery", tr[1], en[1])
        codes = {(o["code"], o.get("command")) for o in replies(jsonl(tr[1]))}
        check("delivery: the session went through greeting, STARTTLS, AUTH, DATA and QUIT",
              {220, 235, 354, 221} <= {c for c, _ in codes}, repr(sorted(codes)))
        rcpt = [o for o in replies(jsonl(tr[1])) if o.get("command") == "RCPT"]
        check("delivery: 250 after RCPT reads “Alıcı kabul edildi”",
              rcpt and rcpt[0]["explanation"].startswith("Alıcı kabul edildi"), repr(rcpt))
        code, out, err = run(session_args(server.port), lang="tr")
        lines = [l for l in out.splitlines() if l.strip()]
        check("delivery (text): Turkish result line", lines and lines[-1].startswith("Sonuç: başarılı."),
              out[-600:])
        check("delivery (text): verdict says it is not proof of inbox delivery",
              "teslim edildiğinin henüz kanıtı değil" in out, out[-600:])
        code, out, err = run(session_args(server.port), lang="en")
        check("delivery (text, en): English result line", "Result: success." in out
              and not has_turkish(out), out[-600:])
    finally:
        server.stop()


def refused_sign_in():
    server = Server("starttls")
    try:
        tr = run(session_args(server.port) + ["--format", "jsonl"], lang="tr", password="yanlış")
        en = run(session_args(server.port) + ["--format", "jsonl"], lang="en", password="yanlış")
        check("wrong password: exit 1 in both languages", tr[0] == 1 and en[0] == 1, tr[1] + en[1])
        compare_languages("wrong password", tr[1], en[1])
        code, out, err = run(session_args(server.port), lang="tr", password="yanlış")
        check("wrong password (text): Turkish hint and verdict",
              "Öneri: " in out and "Sonuç: başarısız." in out and "535" in out, out[-800:])
    finally:
        server.stop()


def plain_connection_to_implicit_tls():
    """The forum question in seed 000: a plain connection to smtp.gmail.com:465."""
    server = Server("tls")
    try:
        for security in ("none", "starttls"):
            args = session_args(server.port, security, "ehlo", timeout="1", user=False)
            code, tr_out, _ = run(args, lang="tr", password=None)
            check(f"465-style, security {security}: exit 4 (deadline)", code == 4, tr_out)
            check(f"465-style, security {security}: Turkish diagnosis names TLS from the first byte",
                  "ilk bayttan itibaren TLS" in tr_out
                  and "“Güvenlik” ayarında “SSL/TLS” seçeneğini seçin" in tr_out,
                  tr_out)
            code, en_out, _ = run(args, lang="en", password=None)
            check(f"465-style, security {security}: English diagnosis names TLS from the first byte",
                  "TLS from the first byte" in en_out and "set “Security” to “SSL/TLS”" in en_out
                  and not has_turkish(en_out), en_out)
    finally:
        server.stop()


def implicit_tls_against_plain_greeting():
    server = Server("plain", require_auth=False)
    try:
        args = session_args(server.port, "tls", "ehlo", timeout="5", user=False)
        code, tr_out, _ = run(args, lang="tr", password=None)
        check("TLS on a plain port: Turkish diagnosis", code == 3 and "düz metinle yanıt verdi" in tr_out
              and "“Güvenlik” ayarında “STARTTLS” seçeneğini seçin" in tr_out, tr_out)
        code, en_out, _ = run(args, lang="en", password=None)
        check("TLS on a plain port: English diagnosis", code == 3
              and "answered in plain text" in en_out and not has_turkish(en_out), en_out)
    finally:
        server.stop()


def language_follows_locale():
    server = Server("plain", require_auth=False)
    try:
        args = session_args(server.port, "none", "ehlo", user=False)
        _, out, _ = run(args, env_locale="tr_TR.UTF-8", password=None)
        check("no --lang, LANG=tr_TR.UTF-8: Turkish", "Sonuç: başarılı." in out, out[-400:])
        _, out, _ = run(args, env_locale="C.UTF-8", password=None)
        check("no --lang, LANG=C.UTF-8: English", "Result: success." in out and not has_turkish(out),
              out[-400:])
        _, out, _ = run(args, lang="en", env_locale="tr_TR.UTF-8", password=None)
        check("--lang en overrides a Turkish locale", "Result: success." in out
              and not has_turkish(out), out[-400:])
        _, out, _ = run(args, lang="tr", env_locale="C.UTF-8", password=None)
        check("--lang tr overrides an English locale", "Sonuç: başarılı." in out, out[-400:])
    finally:
        server.stop()


def reports():
    """--format html and markdown: one report at the end, in the language of --lang."""
    server = Server("starttls")
    secrets = [base.PASSWORD,
               base64.b64encode(("\0%s\0%s" % (base.USER, base.PASSWORD)).encode()).decode()]
    try:
        code, out, err = run(session_args(server.port) + ["--format", "html"], lang="tr")
        check("report (html): the test succeeds", code == 0, err + out[-500:])
        try:
            root = ElementTree.fromstring(out.split("\n", 1)[1])
        except (ElementTree.ParseError, IndexError) as e:
            root = None
            check("report (html): well-formed XHTML", False, "%s\n%s" % (e, out[:2000]))
        if root is not None:
            text = "".join(root.itertext())
            check("report (html): Turkish, and says so in lang", root.get("lang") == "tr"
                  and "Ayarlar" in text and "Sonuç: başarılı." in text, text[:800])
            check("report (html): the server's reply lines are there",
                  "S: 250" in text and "S: 354" in text and "S: 221" in text, text[-1500:])
            scripts = root.findall(".//{%s}script" % XHTML)
            links = root.findall(".//{%s}link" % XHTML)
            # The one script element is the run for Open Report: JSON Lines, a type no browser runs.
            data_only = [(s.get("type"), s.get("id")) for s in scripts] == \
                [("application/x-ndjson", "postaci-run")]
            check("report (html): nothing that runs, no outside resource", data_only and not links
                  and "http://" not in out.replace("http://www.w3.org/1999/xhtml", ""), out[:600])
            if data_only:
                events = [json.loads(line) for line in scripts[0].text.splitlines() if line]
                check("report (html): the embedded run ends with its outcome, in the report's words",
                      events[-1].get("kind") == "outcome" and events[-1].get("verdict") == "success"
                      and any(e.get("text", "").startswith("250") for e in events), repr(events[-1]))
        check("report (html): no password, raw or in base64",
              not any(secret in out for secret in secrets), "")
        code, out, err = run(session_args(server.port) + ["--format", "markdown"], lang="en")
        check("report (markdown): English headings, settings and the transcript",
              code == 0 and "\n## Settings\n" in out
              and "| Password | not included in this report |" in out
              and "\n```text\n" in out and "S: 250" in out, out[:1500])
        check("report (markdown): no password, raw or in base64",
              not any(secret in out for secret in secrets), "")
        code, out, err = run(session_args(server.port) + ["--format", "pdf"], lang="en")
        check("--format pdf: a usage error naming the formats",
              code == 2 and "text, jsonl, markdown, html or nagios" in err, err)
    finally:
        server.stop()


def main():
    full_session()
    reports()
    refused_sign_in()
    plain_connection_to_implicit_tls()
    implicit_tls_against_plain_greeting()
    language_follows_locale()


if __name__ == "__main__":
    base.run_and_report(main, "language script ran")
