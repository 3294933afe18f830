#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-accessibility.py — walks the real window's accessible tree as a screen reader sees it.

Started by meson inside `xvfb-run` + `dbus-run-session`, so the window talks to a private
AT-SPI bus. For the Test page, the Local Test Server page, a received message's window, the
About window and the keyboard shortcuts, every object a person can reach — focusable, or
offering an action such as a click — must have a name, and a name that is not the toolkit's
type name ("GtkImage", "GtkMenuButton"): that is what Orca reads out when a widget has no
label. Entries without a label fail the same way. Run in English and in Turkish
(POSTACI_TEST_LANGUAGE=tr), so the names are translated as well.

usage: test-accessibility.py POSTACI_BINARY
"""

import os
import re
import subprocess
import sys
import time

import warnings

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

# Debian 12's Atspi marks the per-interface getters deprecated; they are what it has.
warnings.simplefilter("ignore", DeprecationWarning)

APP_ID = "io.github.postaci.Postaci"
APP_PATH = "/io/github/postaci/Postaci"
TYPE_NAME = re.compile(r"^(Gtk|Adw|GtkSource)[A-Z][A-Za-z]*$")
# Containers that take the focus only to scroll; a screen reader announces what is inside.
UNNAMED_OK_ROLES = {"scroll pane", "panel", "filler", "viewport", "page tab list", "section",
                    "grouping", "list"}
# Rows and cells are read by their content: they need text inside, not a name of their own.
READ_BY_CONTENT_ROLES = {"list item", "table cell", "tree item", "table row", "page tab"}

results = []


def tap(ok, description, detail=""):
    results.append(ok)
    print(("ok" if ok else "not ok") + " %d %s" % (len(results), description))
    if detail:
        for line in detail.splitlines():
            print("# " + line)
    sys.stdout.flush()


def states(acc):
    try:
        return acc.get_state_set()
    except GLib.Error:
        return None


def is_visible(acc):
    """GTK 4.8 marks only toplevels SHOWING; VISIBLE is what a person can get to."""
    s = states(acc)
    return s is not None and s.contains(Atspi.StateType.VISIBLE)


def actions(acc):
    try:
        action = acc.get_action_iface()
    except GLib.Error:
        return []
    if action is None:
        return []
    return [action.get_action_name(i) for i in range(action.get_n_actions())]


def children(acc):
    try:
        count = acc.get_child_count()
    except GLib.Error:
        return []
    out = []
    for i in range(count):
        try:
            child = acc.get_child_at_index(i)
        except GLib.Error:
            continue
        if child is not None:
            out.append(child)
    return out


def text_inside(acc, depth=0):
    """Whether a row has something to read: a named label or text below it."""
    if depth > 12:
        return False
    for child in children(acc):
        try:
            name = child.get_name() or ""
        except GLib.Error:
            name = ""
        if name and not TYPE_NAME.match(name):
            return True
        if text_inside(child, depth + 1):
            return True
    return False


def describe(acc, path):
    try:
        return "%s “%s” at %s" % (acc.get_role_name(), acc.get_name(), " › ".join(path))
    except GLib.Error:
        return " › ".join(path)


def violations_of(root):
    """Every showing object a person can reach but a screen reader cannot name."""
    found = []
    reached = 0

    def walk(acc, path, depth):
        nonlocal reached
        if depth > 80 or not is_visible(acc):
            return
        try:
            role = acc.get_role_name()
            name = acc.get_name() or ""
        except GLib.Error:
            return
        s = states(acc)
        focusable = s.contains(Atspi.StateType.FOCUSABLE)
        acts = actions(acc)
        here = path + ["%s “%s”" % (role, name)]
        if focusable or acts or role in ("text", "password text"):
            reached += 1
            unnamed = name.strip() == "" or TYPE_NAME.match(name) is not None
            if unnamed:
                if role in READ_BY_CONTENT_ROLES and text_inside(acc):
                    pass
                elif role in UNNAMED_OK_ROLES and not acts:
                    pass
                else:
                    found.append(describe(acc, here[-4:]))
        for child in children(acc):
            walk(child, here, depth + 1)

    walk(root, [], 0)
    return found, reached


def find(root, predicate, depth=0):
    if depth > 80:
        return None
    try:
        if predicate(root):
            return root
    except GLib.Error:
        pass
    for child in children(root):
        hit = find(child, predicate, depth + 1)
        if hit is not None:
            return hit
    return None


def application(timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        for app in children(desktop):
            try:
                if app.get_name() == "postaci" and app.get_child_count() > 0:
                    return app
            except GLib.Error:
                pass
        time.sleep(0.2)
    return None


def windows(app):
    return [w for w in children(app) if is_visible(w)]


def wait_for_window(app, predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for w in windows(app):
            try:
                if predicate(w):
                    return w
            except GLib.Error:
                pass
        time.sleep(0.2)
    return None


def activate(action, parameter=None, window=None):
    """Activates an application (app.) or window (win.) action through GApplication's D-Bus."""
    path = APP_PATH if window is None else "%s/window/%d" % (APP_PATH, window)
    params = "[]" if parameter is None else "[%s]" % parameter
    subprocess.run(["gdbus", "call", "--session", "--dest", APP_ID, "--object-path", path,
                    "--method", "org.gtk.Actions.Activate", action, params, "{}"],
                   check=True, stdout=subprocess.DEVNULL, timeout=10)


def do_action(acc, names=("click", "activate", "press")):
    for i, name in enumerate(actions(acc)):
        if name in names:
            acc.get_action_iface().do_action(i)
            return True
    return False


def settle(seconds=1.0):
    time.sleep(seconds)


def check(title, root):
    found, reached = violations_of(root)
    tap(reached > 0 and not found,
        "%s: every reachable object has a name (%d checked)" % (title, reached),
        "\n".join("unnamed: " + v for v in found))


def main():
    binary = sys.argv[1]
    turkish = os.environ.get("POSTACI_TEST_LANGUAGE") == "tr"
    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    if turkish:
        env.update({"LANGUAGE": "tr", "LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8"})
    proc = subprocess.Popen([binary], env=env)
    try:
        app = application()
        tap(app is not None, "the window appears on the accessibility bus")
        if app is None:
            return
        main_window = wait_for_window(app, lambda w: w.get_role_name() == "frame")
        settle(1.5)
        check("Test page", main_window)

        tab = find(main_window, lambda a: a.get_role_name() == "page tab" and
                   a.get_name() in ("Local Test Server", "Yerel Test Sunucusu"))
        tap(tab is not None, "the Local Test Server page tab is named")
        if tab is not None:
            selection = tab.get_parent().get_selection_iface()
            if selection is not None:
                selection.select_child(tab.get_index_in_parent())
            else:
                do_action(tab)
            settle()
            check("Local Test Server page", main_window)

        activate("about")
        about = wait_for_window(app, lambda w: w is not main_window and
                                w.get_role_name() in ("frame", "dialog"))
        tap(about is not None, "the About window opens")
        if about is not None:
            settle()
            check("About window", about)
            close = find(about, lambda a: a.get_role_name() == "push button" and
                         a.get_name() in ("Close", "Kapat"))
            if close is not None:
                do_action(close)

        activate("show-help-overlay", window=1)
        shortcuts = wait_for_window(app, lambda w: w is not main_window and w is not about and
                                    w.get_role_name() in ("frame", "dialog", "window"))
        tap(shortcuts is not None, "the keyboard shortcuts window opens")
        if shortcuts is not None:
            settle()
            check("Keyboard shortcuts", shortcuts)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("1..%d" % len(results))


if __name__ == "__main__":
    main()
    sys.exit(0 if all(results) else 1)
