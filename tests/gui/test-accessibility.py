#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-accessibility.py — walks the real window's accessible tree as a screen reader sees it.

Started by meson inside `xvfb-run` + `dbus-run-session`, so the window talks to a private
AT-SPI bus. It walks the Test page before and after a run (form, transcript, verdict), the Local
Test Server page, Find Settings, the Save dialog, a received message's window, the About window
and the keyboard shortcuts. Every object a person can reach — focusable, or offering an action
such as a click or a toggle — must have a name, and a name that is neither the toolkit's type
name ("GtkImage", "GtkMenuButton": what Orca reads out when a widget has no label) nor the
label with its access key's underline ("_Test SMTP"). Entries without a label fail the same
way. Run in English and in Turkish (POSTACI_TEST_LANGUAGE=tr, the names from this build's
catalog), so the names are translated as well.

GTK 4.8 exposes the actions of a widget's context menu ("clipboard.copy", "menu.popup") on every
label and text: those are not clicks, so a label counts only when it takes the focus (a
selectable label is a Tab stop and must read something).

Windows the toolkit builds — GTK's file chooser (the Save dialog; in a GNOME session the portal
shows its own, in another process), libadwaita's About window and GTK's shortcuts window — have
parts nobody outside the library can name. LIBRARY_PARTS lists exactly which (role, type name)
pairs each of those windows may leave nameless; anything else in them, and everything in
Postacı's own windows, must be named.

usage: test-accessibility.py POSTACI_BINARY
"""

import ctypes
import ctypes.util
import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import warnings

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

# Debian 12's Atspi marks the per-interface getters deprecated; they are what it has.
warnings.simplefilter("ignore", DeprecationWarning)

# This process is the screen reader's side, and G_DEBUG=fatal-warnings (meant for the window)
# holds here too. libatspi 2.46 warns when its first request for an application's objects
# (GetItems, with a 2 s limit of its own) fails: the window is on the bus a moment before it
# exports its object cache, or too busy to answer in time on a loaded machine. The client then
# fetches each object when asked, so nothing is lost: that one warning is said and let pass.
# Any other warning here still fails the test, and criticals still abort it.
HARMLESS_CLIENT_WARNING = re.compile(
    r"^AT-SPI: Error in GetItems, sender=\S*, error=(Object does not exist at path "
    r"“/org/a11y/atspi/cache”|Did not receive a reply\b.*)$", re.S)
client_warnings = []


def client_log(domain, level, message, *unused):
    if HARMLESS_CLIENT_WARNING.match(message):
        print("# let pass, from the AT-SPI client: %s" % message.replace("\n", " "))
    else:
        client_warnings.append("%s: %s" % (domain or "(no domain)", message))
    sys.stdout.flush()


# Warnings stop aborting this process (criticals still do); client_log() says which count.
GLib.log_set_always_fatal(GLib.LogLevelFlags(
    int(GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_ERROR)) &
    ~int(GLib.LogLevelFlags.LEVEL_WARNING)))
for _domain in ("dbind", None, "GLib", "GLib-GObject", "GLib-GIO"):
    GLib.log_set_handler(_domain, GLib.LogLevelFlags.LEVEL_WARNING, client_log)

APP_ID = "io.github.postaci.Postaci"
APP_PATH = "/io/github/postaci/Postaci"
TYPE_NAME = re.compile(r"^(Gtk|Adw|GtkSource)[A-Z][A-Za-z]*$")
# An access key's underline read out: "_Test SMTP", "Dökümü K_aydet".
MNEMONIC = re.compile(r"(^|\s)\S*_\w")
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


def is_drawn(acc):
    """Not drawn: GTK 4.8 calls a widget in a closed revealer, a collapsed row or another page
    VISIBLE, but gives it no size and leaves it out of the Tab order."""
    try:
        box = acc.get_component_iface().get_extents(Atspi.CoordType.WINDOW)
    except (GLib.Error, AttributeError):
        return True
    return box.width > 0 and box.height > 0


def actions(acc):
    try:
        action = acc.get_action_iface()
    except GLib.Error:
        return []
    if action is None:
        return []
    try:
        return [action.get_action_name(i) for i in range(action.get_n_actions())]
    except GLib.Error:
        return []  # the object went away or changed while it was read


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


def clickable(acts):
    """Clicks, toggles, activations: GTK's dotted context-menu actions are not."""
    return any("." not in name for name in acts)


# In Turkish: the English names that have a Turkish translation; one of them read out is a
# string the window forgot to translate.
ENGLISH_NAMES = set()


def violations_of(root, library_parts=frozenset()):
    """Every showing object a person can reach but a screen reader cannot name."""
    found = []
    exempt = []
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
        entry = role in ("text", "password text", "entry", "spin button")
        if focusable or clickable(acts) or entry:
            reached += 1
            unnamed = name.strip() == "" or TYPE_NAME.match(name) is not None
            if unnamed:
                if role == "label" and not is_drawn(acc):
                    # A label with no text yet, not drawn (the verdict card before a run): there
                    # is nothing to read and no Tab stop. The walk after a run reads it filled.
                    pass
                elif role in READ_BY_CONTENT_ROLES and text_inside(acc):
                    pass
                elif role in UNNAMED_OK_ROLES and not clickable(acts) and not entry:
                    pass
                elif (role, name) in library_parts:
                    exempt.append(describe(acc, here[-4:]))
                else:
                    found.append(describe(acc, here[-4:]))
            elif name in ENGLISH_NAMES and not library_parts:
                found.append("not translated: " + describe(acc, here[-4:]))
            elif MNEMONIC.search(name):
                # GTK 4.8 reads the access key of its own dialog buttons ("_Cancel Cancel").
                (exempt if library_parts else found).append("access key read out: " +
                                                            describe(acc, here[-4:]))
        for child in children(acc):
            walk(child, here, depth + 1)

    walk(root, [], 0)
    return found, exempt, reached


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


# (role, type name) pairs the toolkit leaves nameless inside its own windows, per window.
LIBRARY_PARTS = {
    # AdwAboutWindow 1.2: the back buttons of its subpages (icon only) and the text views of
    # the licence and release notes; the button that copies the debug information.
    "About window": frozenset({("push button", "GtkImage"), ("text", "GtkTextView"),
                               ("push button", "GtkButton")}),
    # GtkShortcutsWindow 4.8: its search entry and button, and the section switcher.
    "Keyboard shortcuts": frozenset({("entry", "GtkSearchEntry"), ("push button", "GtkImage"),
                                     ("push button", "GtkMenuButton")}),
    # GtkFileChooserDialog 4.8 (without a portal): the path bar, the view and places buttons,
    # the search entry, the file list.
    "Save dialog": frozenset({("push button", "GtkImage"), ("push button", "GtkToggleButton"),
                              ("push button", "GtkMenuButton"), ("entry", "GtkSearchEntry"),
                              ("push button", "GtkButton"), ("filler", "GtkTreeView"),
                              ("list", "GtkListBox"), ("filler", "GtkPlacesSidebar"),
                              ("filler", "GtkFileChooserWidget")}),
}


def check(title, root):
    found, exempt, reached = violations_of(root, LIBRARY_PARTS.get(title, frozenset()))
    detail = ["unnamed: " + v for v in found]
    detail += ["the library's own (not ours to name): " + v for v in exempt]
    tap(reached > 0 and not found,
        "%s: every reachable object has a name (%d checked)" % (title, reached),
        "\n".join(detail))


def by_name(root, role, name):
    return find(root, lambda a: a.get_role_name() == role and (a.get_name() or "") == name)


def click(root, role, name):
    """Clicks the object, or the clickable part inside it (a menu button's own button)."""
    target = by_name(root, role, name)
    if target is not None and not clickable(actions(target)):
        target = find(target, lambda a: "click" in actions(a))
    return target is not None and do_action(target)


def wait_until(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except GLib.Error:
            value = None
        if value:
            return value
        time.sleep(0.2)
    return None


def press(keyval):
    Atspi.generate_keyboard_event(keyval, None, Atspi.KeySynthType.SYM)


def press_access_key(title):
    """Alt and the letter after the underscore of @title (ASCII), as a person presses them."""
    alt = 1 << 3  # Mod1
    Atspi.generate_keyboard_event(alt, None, Atspi.KeySynthType.LOCKMODIFIERS)
    press(ord(title[title.index("_") + 1].lower()))
    Atspi.generate_keyboard_event(alt, None, Atspi.KeySynthType.UNLOCKMODIFIERS)


def new_window(app, known):
    return wait_for_window(app, lambda w: all(w != k for k in known))


def gone(app, window):
    return wait_until(lambda: all(w != window for w in windows(app)), 10)


def x11_resize(pid, width, height):
    """Resizes the X11 toplevels of process @pid as a window manager would (Xvfb has none, and
    GTK 4 offers no resizing through AT-SPI). Returns how many windows were resized."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11"))
    ulong, ulong_p = ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XInternAtom.restype = ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XQueryTree.argtypes = [ctypes.c_void_p, ulong, ulong_p, ulong_p,
                               ctypes.POINTER(ulong_p), ctypes.POINTER(ctypes.c_uint)]
    x11.XGetWindowProperty.argtypes = [ctypes.c_void_p, ulong, ulong, ctypes.c_long,
                                       ctypes.c_long, ctypes.c_int, ulong, ulong_p,
                                       ctypes.POINTER(ctypes.c_int), ulong_p, ulong_p,
                                       ctypes.POINTER(ctypes.POINTER(ctypes.c_long))]
    x11.XResizeWindow.argtypes = [ctypes.c_void_p, ulong, ctypes.c_uint, ctypes.c_uint]
    x11.XFree.argtypes = [ctypes.c_void_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        return 0
    wm_pid = x11.XInternAtom(display, b"_NET_WM_PID", 1)
    root_return, parent, count = ulong(), ulong(), ctypes.c_uint()
    kids = ulong_p()
    x11.XQueryTree(display, x11.XDefaultRootWindow(display), ctypes.byref(root_return),
                   ctypes.byref(parent), ctypes.byref(kids), ctypes.byref(count))
    resized = 0
    for i in range(count.value):
        kind, fmt, items, after = ulong(), ctypes.c_int(), ulong(), ulong()
        value = ctypes.POINTER(ctypes.c_long)()
        XA_CARDINAL = 6
        if x11.XGetWindowProperty(display, kids[i], wm_pid, 0, 1, 0, XA_CARDINAL,
                                  ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(items),
                                  ctypes.byref(after), ctypes.byref(value)) != 0:
            continue
        if items.value == 1 and value[0] == pid:
            x11.XResizeWindow(display, kids[i], width, height)
            resized += 1
        if value:
            x11.XFree(value)
    if kids:
        x11.XFree(kids)
    x11.XFlush(display)
    x11.XCloseDisplay(display)
    return resized


def width_of(acc):
    try:
        return acc.get_component_iface().get_extents(Atspi.CoordType.WINDOW).width
    except (GLib.Error, AttributeError):
        return 0


def start(binary, env):
    """The window, started again when it could not open the display: on a busy machine Xvfb
    can still be coming up when xvfb-run hands it over."""
    for attempt in range(3):
        proc = subprocess.Popen([binary], env=env)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            return proc
        print("# the window exited at once (status %d); starting it again" % proc.returncode)
        time.sleep(2)
    return subprocess.Popen([binary], env=env)


def main():
    binary = sys.argv[1]
    turkish = os.environ.get("POSTACI_TEST_LANGUAGE") == "tr"
    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    if turkish:
        env.update({"LANGUAGE": "tr", "LC_ALL": "tr_TR.UTF-8", "LANG": "tr_TR.UTF-8"})
        catalog = gettext.translation("postaci", os.environ["POSTACI_LOCALEDIR"], ["tr"])
        ours = catalog.gettext
        ENGLISH_NAMES.update(msgid.replace("_", "") for msgid, msgstr in catalog._catalog.items()
                             if isinstance(msgid, str) and msgid and
                             msgid.replace("_", "") != msgstr.replace("_", ""))
        gtk = gettext.translation("gtk40", "/usr/share/locale", ["tr"]).gettext
    else:
        ours = gtk = str
    # The names as a person reads them: without the access key's underline.
    def _(text):
        return ours(text).replace("_", "")
    # Started by tests/gui/run-in-temp-home.sh: nothing the window does reaches the person's home.
    tmp = os.path.join(os.path.realpath(tempfile.gettempdir()), "")
    outside = [name for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                                 "XDG_STATE_HOME")
               if not os.path.realpath(os.environ.get(name) or "/nonexistent").startswith(tmp)]
    tap(not outside, "the test runs in a throwaway home",
        "\n".join("%s=%s is not inside %s" % (n, os.environ.get(n), tmp) for n in outside))
    # The Local Test Server keeps the mail it receives under XDG_CACHE_HOME: a folder of the test's.
    home = tempfile.mkdtemp(prefix="postaci-a11y-")
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env[name] = os.path.join(home, name.lower())
    proc = start(binary, env)
    try:
        app = application()
        tap(app is not None, "the window appears on the accessibility bus")
        if app is None:
            return
        main_window = wait_for_window(app, lambda w: w.get_role_name() == "frame")
        settle(1.5)
        check("Test page", main_window)
        # The rows of a collapsed expander are laid out, and on the bus, once it first opens
        # (postaci-expander-rows.c): "Advanced" is opened as a person opens it, with its
        # access key.
        press_access_key(ours("A_dvanced"))
        tap(wait_until(lambda: find(main_window, lambda a: a.get_name() == _("EHLO _name")))
            is not None, "Alt and the access key of “%s” open it" % _("A_dvanced"))
        # The explanations under the fields (short titles, whole at 200 % text) are what a
        # screen reader reads after the field's name.
        for title, hint in (("T_o", "Separate several addresses with commas."),
                            ("EHLO _name", "Empty: this computer’s address, such as [192.0.2.1]."),
                            ("Trusted CA f_ile",
                             "Empty: the certificate authorities this computer trusts.")):
            field = find(main_window, lambda a: a.get_role_name() in ("text", "entry") and
                         a.get_name() == _(title))
            description = field.get_description() if field is not None else None
            tap(description == _(hint), "the field “%s” is described: “%s”" % (_(title), _(hint)),
                "" if description == _(hint) else
                "found: %r" % (description if field is not None else "no such field"))
        tab = find(main_window, lambda a: a.get_role_name() == "page tab" and
                   a.get_name() == _("Local Test Server"))
        tap(tab is not None, "the Local Test Server page tab is named")

        def check_local_server_page(title):
            if tab is not None:
                do_action(tab)
                settle()
                check(title, main_window)
                do_action(by_name(main_window, "page tab", _("Test")))
                settle()

        check_local_server_page("Local Test Server page")

        # The narrow layout (below 750 pixels: the form above the transcript, icons in the
        # header, the page switcher at the bottom): its icon-only buttons need names too.
        wide = width_of(main_window)
        x11_resize(proc.pid, 560, 900)
        tap(wait_until(lambda: 0 < width_of(main_window) < 750, 10),
            "the window turns narrow (%d pixels wide)" % width_of(main_window))
        settle()
        check("Test page, narrow", main_window)
        tap(by_name(main_window, "push button", _("Saved Servers")) is not None,
            "narrow, the saved servers' icon button reads “%s”" % _("Saved Servers"))
        check_local_server_page("Local Test Server page, narrow")
        x11_resize(proc.pid, wide, 900)
        tap(wait_until(lambda: width_of(main_window) >= 750, 10), "the window is wide again")
        settle()

        # A run against the built-in server the first start set the form up for: the
        # transcript, the stage bar and the verdict card are walked as they are after it.
        tap(click(main_window, "push button", _("_Test SMTP")), "Test SMTP is clicked by name")
        wait_until(lambda: by_name(main_window, "push button", _("_Cancel")) is None and
                   by_name(main_window, "push button", _("_Test SMTP")) is not None and
                   by_name(main_window, "label", _("Success")))
        settle()
        check("Test page after a run", main_window)

        # The transcript as Orca reads it line by line: a focusable, read-only text with a
        # caret, whose text (the server's greeting in it) the Text interface gives out.
        transcript = by_name(main_window, "text", _("Transcript"))
        tap(transcript is not None, "the transcript is a text named “%s”" % _("Transcript"))
        if transcript is not None:
            s = states(transcript)
            tap(s.contains(Atspi.StateType.FOCUSABLE) and not s.contains(Atspi.StateType.EDITABLE),
                "the transcript takes the focus and is read-only")
            text = transcript.get_text_iface()
            whole = text.get_text(0, -1) if text is not None else ""
            first = (text.get_string_at_offset(0, Atspi.TextGranularity.LINE).content
                     if text is not None else "")
            tap(first.strip() != "" and whole.startswith(first.rstrip("\n")) and
                "220" in whole and whole.count("\n") > 3,
                "the transcript's text reads line by line (first line: %r)" % first.strip())

        tap(click(main_window, "push button", _("Find Settings")), "Find Settings opens by name")
        dialog = new_window(app, [main_window])
        tap(dialog is not None, "the Find Settings dialog opens")
        if dialog is not None:
            settle()
            check("Find Settings dialog", dialog)
            press(0xff1b)  # Escape
            gone(app, dialog)

        tap(click(main_window, "push button", _("Save Transcript")), "Save Transcript opens by name")
        chooser = new_window(app, [main_window])
        tap(chooser is not None, "the Save dialog opens")
        if chooser is not None:
            settle(1.5)
            check("Save dialog", chooser)
            press(0xff1b)  # Escape
            gone(app, chooser)

        # The message the run delivered, opened from the list as Enter on its row does.
        do_action(tab)
        settle()
        listed = wait_until(lambda: by_name(main_window, "list", _("Received Messages")), 10)
        rows = [r for r in children(listed or main_window) if r.get_role_name() == "table row"]
        tap(len(rows) == 1, "the received message is listed")
        if rows:
            # GTK 4.8 gives no focus through AT-SPI and knows only window coordinates; Xvfb has
            # no window manager, so the window sits at 0,0 and those are the screen's too.
            box = rows[0].get_component_iface().get_extents(Atspi.CoordType.WINDOW)
            Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, "b1d")
            message = new_window(app, [main_window])
            tap(message is not None, "the message window opens from its row")
            if message is not None:
                settle()
                check("Message window", message)
                press(0xff1b)
                gone(app, message)

        activate("about")
        about = new_window(app, [main_window])
        tap(about is not None, "the About window opens")
        if about is not None:
            settle()
            check("About window", about)
            close = by_name(about, "push button", gtk("Close"))
            if close is not None:
                do_action(close)
            gone(app, about)

        activate("show-help-overlay", window=1)
        # Built on demand, it comes after the About window, which AT-SPI may still list.
        shortcuts = new_window(app, [main_window] + ([about] if about is not None else []))
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
        shutil.rmtree(home, ignore_errors=True)
        tap(not client_warnings, "the AT-SPI client saw no warning but the one let pass",
            "\n".join(client_warnings))
    print("1..%d" % len(results))


if __name__ == "__main__":
    main()
    sys.exit(0 if all(results) else 1)
