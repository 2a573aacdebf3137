#!/usr/bin/python3
# test-a11y.py — the Writer and the Reader as a screen reader meets them,
# through AT-SPI: every name said once, without a mnemonic's underscore or a
# class name; the segment's status labelled by "Segment"; no empty cells in
# the step log; a Chinese text written and read back with the result of each
# action announced (the focus moves onto it, which a screen reader reads);
# the Writer streaming: every control of its Stream page named, once; the
# Writer's Cache page and its form named, an entry added through them, and
# the Reader's view of that cache named.
#
# Runs under a virtual X display and a D-Bus session of its own
# (xvfb-run … dbus-run-session -- python3 test-a11y.py); prints TAP. Every
# segment it makes is removed and every program it starts is ended, whatever
# happens.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

# Bounds every wait; reaching it fails the test, it never makes one pass.
WAIT_SECONDS = 60
TEXT = "你好，共享内存！"

results = []


def check(ok, what, detail=""):
    results.append((bool(ok), what, detail))
    return ok


def pump(seconds=0.05):
    """Lets AT-SPI events in for a moment."""
    end = time.monotonic() + seconds
    context = GLib.MainContext.default()
    while time.monotonic() < end:
        while context.pending():
            context.iteration(False)
        time.sleep(0.01)


def wait_for(predicate):
    """Pumps events until predicate() is true; None when the bound is reached."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        pump()
    return None


def walk(accessible):
    if accessible is None:
        return
    yield accessible
    try:
        count = accessible.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = accessible.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child)


def role(accessible):
    return accessible.getRoleName()


def text_of(accessible):
    try:
        text = accessible.queryText()
    except NotImplementedError:
        return None
    return text.getText(0, text.characterCount)


def find_app(name):
    def found():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name:
                return app
        return None
    return wait_for(found)


def find(app, role_name, name):
    return [a for a in walk(app) if role(a) == role_name and a.name == name]


def find_one(app, role_name, name):
    def found():
        matches = find(app, role_name, name)
        return matches[0] if matches else None
    return wait_for(found)


class Focus:
    """Every object that gets the focus, in order."""

    def __init__(self):
        self.events = []
        pyatspi.Registry.registerEventListener(self.on_event, "object:state-changed:focused")

    def on_event(self, event):
        if event.detail1 != 1:
            return
        source = event.source
        try:
            self.events.append((role(source), source.name, text_of(source)))
        except Exception:
            pass

    def clear(self):
        pump()
        self.events.clear()

    def wait(self, predicate):
        def found():
            for event in self.events:
                if predicate(*event):
                    return event
            return None
        return wait_for(found)


def check_names(app, program, expected):
    """Each expected name once, exactly; no underscore or class name in any name."""
    objects = list(walk(app))
    for role_name, name in expected:
        matches = [a for a in objects if role(a) == role_name and a.name == name]
        check(len(matches) == 1, "%s: one %s named “%s”" % (program, role_name, name),
              "found %d; names of that role: %s"
              % (len(matches), sorted({a.name for a in objects if role(a) == role_name})))
    named_roles = {"push button", "toggle button", "page tab", "combo box", "check box",
                   "spin button", "text", "menu item", "radio button"}
    underscored = sorted({"%s “%s”" % (role(a), a.name) for a in objects
                          if role(a) in named_roles and "_" in a.name})
    check(not underscored, "%s: no name keeps a mnemonic’s underscore" % program,
          ", ".join(underscored))
    class_named = sorted({"%s “%s”" % (role(a), a.name) for a in objects
                          if a.name in ("GtkImage", "GtkButton")})
    check(not class_named, "%s: no object is named after its class" % program,
          ", ".join(class_named))
    doubled = sorted({"%s “%s”" % (role(a), a.name) for a in objects
                      if role(a) in named_roles and a.name and is_doubled(a.name)})
    check(not doubled, "%s: no name is said twice" % program, ", ".join(doubled))


def is_doubled(name):
    words = name.split()
    half = len(words) // 2
    return len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]


def check_status_labels(app, program):
    statuses = [a for a in walk(app) if role(a) == "label" and
                (text_of(a) or "") in ("not attached", "attached", "not locked", "locked")]
    check(len(statuses) == 2, "%s: the attached and locked labels are there" % program,
          "found %d" % len(statuses))
    for status in statuses:
        targets = []
        for relation in status.getRelationSet():
            if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                targets += [relation.getTarget(i).name for i in range(relation.getNTargets())]
        check(targets == ["Segment"], "%s: “%s” is labelled by Segment" % (program, text_of(status)),
              "labelled by %s" % targets)


def check_step_log(app, program):
    logs = find(app, "list", "Step log")
    if not check(len(logs) == 1, "%s: one step log" % program):
        return
    labels = [a for a in walk(logs[0]) if role(a) == "label"]
    empty = [a for a in labels if not (text_of(a) or "").strip()]
    check(labels and not empty, "%s: no empty label in the step log" % program,
          "%d of %d labels are empty" % (len(empty), len(labels)))


def set_text(accessible, text):
    accessible.queryEditableText().setTextContents(text)
    pump(0.2)


def click(accessible):
    action = accessible.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == "click":
            return action.doAction(i)
    return action.doAction(0)


def run_cli(*args):
    return subprocess.run([os.environ["SHMLAB_CLI"]] + list(args), capture_output=True, text=True)


def start(program, *args):
    env = dict(os.environ)
    for name in ("GTK_A11Y", "NO_AT_BRIDGE", "SHMLAB_TAP_FD", "G_DEBUG"):
        env.pop(name, None)
    # What a program prints is looked at once it has ended: a critical or a
    # sanitizer report fails the test. Warnings are shown, not fatal: with the
    # accessibility bus on, GTK 4.8 warns that it draws the Reader's pane
    # before laying it out when a Chinese text arrives (with an English one it
    # does not).
    start.count = getattr(start, "count", 0) + 1
    log = open(os.path.join(os.environ.get("TMPDIR", "/tmp"),
                            "test-a11y-%d-%d-%s.log" % (os.getpid(), start.count,
                                                        os.path.basename(program))),
               "w+")
    process = subprocess.Popen([program] + list(args), env=env, stderr=log)
    process.log = log
    return process


def test_writer_and_reader(key, processes):
    focus = Focus()

    # The Writer: its names, a key typed, a Chinese text, Write.
    writer_process = start(os.environ["SHMLAB_WRITER"], "--key", key + "-first")
    processes.append(writer_process)
    writer = find_app("shmlab-writer")
    if not check(writer is not None, "the Writer shows up on the accessibility bus"):
        return
    write_button = find_one(writer, "push button", "Write to shared memory")
    check_names(writer, "Writer", [
        ("text", "Key"), ("combo box", "Kind of key"), ("combo box", "Backend"), ("text", "Size"),
        ("combo box", "Format"),
        ("push button", "Write to shared memory"), ("page tab", "Steps"),
        ("page tab", "Segment"), ("page tab", "Text"), ("page tab", "Image"),
    ])
    check_status_labels(writer, "Writer")

    key_entry = find_one(writer, "text", "Key")
    text_view = find_one(writer, "text", "Text to write")
    if not check(None not in (key_entry, text_view, write_button),
                 "the Writer has its key, its text and its Write button"):
        return
    # A key typed is taken by Write (GTK 4.8 emits no activate through AT-SPI).
    set_text(key_entry, key)
    set_text(text_view, TEXT)
    focus.clear()
    click(write_button)
    written = focus.wait(lambda r, n, t: r == "label" and t and t.startswith("Wrote "))
    check(written, "Write: the focus moves onto the sentence saying what was written",
          "focus went to: %s" % focus.events)
    read = run_cli("read", key)
    check(TEXT in read.stdout, "Write: the segment holds the Chinese text",
          read.stdout + read.stderr)
    check_step_log(writer, "Writer")
    check_names(writer, "Writer after writing", [])

    # The Reader: its names, the key typed, Read.
    reader_process = start(os.environ["SHMLAB_READER"], "--key", key + "-first")
    processes.append(reader_process)
    reader = find_app("shmlab-reader")
    if not check(reader is not None, "the Reader shows up on the accessibility bus"):
        return
    read_button = find_one(reader, "push button", "Read from shared memory")
    check_names(reader, "Reader", [
        ("text", "Key"), ("combo box", "Kind of key"), ("combo box", "Backend"),
        ("push button", "Read from shared memory"),
        ("page tab", "Steps"), ("page tab", "Segment"),
    ])
    check_status_labels(reader, "Reader")
    key_entry = find_one(reader, "text", "Key")
    if not check(None not in (key_entry, read_button), "the Reader has its key and Read button"):
        return

    set_text(key_entry, key)
    focus.clear()
    click(read_button)
    shown = focus.wait(lambda r, n, t: r == "text" and t == TEXT)
    check(shown, "Read: the focus moves onto the text read, which is the Chinese text",
          "focus went to: %s" % focus.events)
    check_step_log(reader, "Reader")

    # A failed read is told too: the sentence saying why.
    set_text(key_entry, key + "-none")
    focus.clear()
    click(read_button)
    told = focus.wait(lambda r, n, t: r == "label" and t and key + "-none" in t)
    check(told, "Read of a key with no segment: the focus moves onto the sentence saying why",
          "focus went to: %s" % focus.events)

    # The Writer's question: too large for a fixed size; its close button is named.
    size_entry = find_one(writer, "text", "Size")
    key_entry = find_one(writer, "text", "Key")
    if not check(None not in (size_entry, key_entry), "the Writer has its Size field"):
        return
    small = key + "-small"
    set_text(key_entry, small)
    set_text(size_entry, "4")
    focus.clear()
    click(write_button)
    asked = focus.wait(lambda r, n, t: r == "label" and t and "segment" in t)
    check(asked, "Write too large: the focus moves onto the question’s sentence",
          "focus went to: %s" % focus.events)
    closes = wait_for(lambda: len(find(writer, "push button", "Close")) == 2)
    check(closes, "Write too large: the question has a button named Close",
          "push buttons: %s" % sorted({a.name for a in walk(writer)
                                        if role(a) == "push button"}))
    check_names(writer, "Writer asking", [])

    grow = [a for a in walk(writer) if role(a) == "push button" and
            a.name.startswith("Grow the segment")]
    if not check(len(grow) == 1, "Write too large: one Grow button"):
        return
    focus.clear()
    click(grow[0])
    grown = wait_for(lambda: TEXT in run_cli("read", small).stdout and
                     len(find(writer, "push button", "Close")) == 1)
    check(grown, "Grow: the text is written in a larger segment")
    pump(0.5)
    last = focus.events[-1] if focus.events else None
    check(last is not None and last[:2] == ("push button", "Write to shared memory"),
          "Grow: the focus is on Write, not in the key", "focus went to: %s" % focus.events)


def test_writer_stream(key, processes):
    """The Writer's Stream page, streaming: every control named once, none empty."""
    process = start(os.environ["SHMLAB_WRITER"], "--key", key, "--stream",
                    "--stream-size", "320x180", "--fps", "10")
    processes.append(process)

    def streaming_writer():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == "shmlab-writer" and \
                    find(app, "combo box", "Transport"):
                return app
        return None
    writer = wait_for(streaming_writer)
    if not check(writer is not None, "the streaming Writer shows its Stream page"):
        return
    check_names(writer, "Writer streaming", [
        ("page tab", "Stream"), ("combo box", "Source"), ("combo box", "Size"),
        ("spin button", "Rate"), ("check box", "As fast as possible"),
        ("combo box", "Buffers"), ("combo box", "Handoff"), ("combo box", "Transport"),
        ("push button", "Stream"),
    ])
    controls = {"push button", "toggle button", "combo box", "check box", "spin button",
                "text", "switch"}
    unnamed = sorted({role(a) for a in walk(writer) if role(a) in controls and not a.name and
                      a.getState().contains(pyatspi.STATE_SHOWING)})
    check(not unnamed, "Writer streaming: every control shown has a name",
          "unnamed: %s" % unnamed)
    lock = [a for a in walk(writer) if a.name == "Lock" and role(a) != "label" and
            role(a) != "push button"]
    check(len(lock) == 1, "Writer streaming: the lock switch is named Lock",
          "found: %s" % [(role(a), a.name) for a in lock])


def test_cache(key, processes):
    """The Writer's Cache page: its buttons, table and form named once; an
    entry added through them; the Reader's view of the cache named."""
    process = start(os.environ["SHMLAB_WRITER"], "--key", key, "--cache-load")
    processes.append(process)

    def cache_writer():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == "shmlab-writer" and \
                    [a for a in walk(app) if role(a) == "label" and
                     "5 of 1000 slots taken" in (text_of(a) or "")]:
                return app
        return None
    writer = wait_for(cache_writer)
    if not check(writer is not None, "the Writer shows its Cache page with the hot data"):
        return
    check_names(writer, "Writer's Cache page", [
        ("page tab", "Cache"), ("push button", "Add…"), ("push button", "Edit…"),
        ("push button", "Delete"), ("push button", "Clear expired"),
        ("push button", "Load the article's hot data"),
    ])
    tables = [a for a in walk(writer) if a.name == "Cache entries"]
    check(len(tables) == 1, "Writer's Cache page: the table is named Cache entries",
          "found: %s" % [(role(a), a.name) for a in tables])

    add = find_one(writer, "push button", "Add…")
    if not check(add is not None, "Writer's Cache page: an Add button"):
        return
    click(add)
    key_entry = find_one(writer, "text", "Cache key")
    value_entry = find_one(writer, "text", "Value")
    save = find_one(writer, "push button", "Save")
    if not check(None not in (key_entry, value_entry, save),
                 "Add: the form shows its key, its value and Save, by name"):
        return
    check_names(writer, "Writer's Cache form", [
        ("text", "Cache key"), ("text", "Value"), ("spin button", "Expires after"),
        ("check box", "Never expires"), ("push button", "Save"), ("push button", "Cancel"),
    ])
    set_text(key_entry, "user:42")
    set_text(value_entry, TEXT)
    click(save)
    stored = wait_for(lambda: TEXT in run_cli("cache", key, "get", "user:42").stdout)
    check(stored, "Save: another process gets the entry from the cache")

    reader_process = start(os.environ["SHMLAB_READER"], "--key", key, "--read")
    processes.append(reader_process)
    reader = wait_for_saying("shmlab-reader", "The shared cache in the segment of")
    if not check(reader is not None, "the Reader shows the cache's view"):
        return
    check_names(reader, "Reader's cache view", [])
    tables = [a for a in walk(reader) if a.name == "Cache entries"]
    check(len(tables) == 1, "Reader's cache view: the table is named Cache entries",
          "found: %s" % [(role(a), a.name) for a in tables])
    figures = [a for a in walk(reader) if role(a) == "label" and a.name.startswith("Hits")]
    check(len(figures) == 1 and figures[0].name == "Hits: " + (text_of(figures[0]) or "?"),
          "Reader's cache view: the hits are said once, with their title",
          "found: %s" % [(role(a), a.name, text_of(a)) for a in figures])


def wait_for_saying(name, text):
    """The application @name once one of its labels says @text; None if none does in time."""
    def found():
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name and \
                    [a for a in walk(app) if role(a) == "label" and text_of(a) and
                     text in text_of(a)]:
                return app
        return None
    return wait_for(found)


def test_writer_memory(key, processes):
    """The Writer's Memory tab: named, and what it draws is said in words."""
    process = start(os.environ["SHMLAB_WRITER"], "--key", key, "--text", TEXT, "--write",
                    "--page", "memory")
    processes.append(process)

    writer = wait_for_saying("shmlab-writer", "attached: 1")
    if not check(writer is not None, "Writer's Memory tab: the attachment is said in a label"):
        return
    check_names(writer, "Writer's Memory tab", [("page tab", "Memory")])
    pictures = [a for a in walk(writer) if a.name == "Two address spaces, one memory"]
    check(len(pictures) == 1, "Writer's Memory tab: the picture is named",
          "found: %s" % [(role(a), a.name) for a in pictures])
    labels = [text_of(a) for a in walk(writer) if role(a) == "label" and text_of(a)]
    mine = "pid %d " % process.pid
    check(any(t.startswith(mine) and "read-write" in t for t in labels),
          "Writer's Memory tab: its own mapping is said, read-write", "labels: %s" % labels)
    check(any("The addresses differ, the memory is one" in t for t in labels),
          "Writer's Memory tab: the lesson is said", "labels: %s" % labels)


def test_lab(key, processes):
    """The Lab: both panes' buttons and titles are there by name, and the
    Reader's Memory tab says that this one process maps the segment twice."""
    process = start(os.environ["SHMLAB_LAB"], "--key", key, "--text", TEXT, "--write",
                    "--follow")
    processes.append(process)

    lab = wait_for_saying("shmlab-lab", "attached: 2")
    if not check(lab is not None, "Lab: the Reader's Memory tab says attached: 2"):
        return
    check_names(lab, "Lab", [("push button", "Write to shared memory"),
                             ("push button", "Read from shared memory")])
    labels = [text_of(a) for a in walk(lab) if role(a) == "label" and text_of(a)]
    check("ShmLab Writer" in labels and "ShmLab Reader" in labels,
          "Lab: each pane's title is said", "labels: %s" % labels)
    mine = "pid %d " % process.pid
    mappings = [line for t in labels for line in t.splitlines() if line.startswith(mine)]
    check(len(mappings) == 2 and any("read-only" in t for t in mappings) and
          any("read-write" in t for t in mappings),
          "Lab: one pid, two mappings, read-only and read-write, are said", "labels: %s" % labels)


def main():
    key = "shmlabtest-a11y-%d" % os.getpid()
    processes = []
    notes = []
    try:
        test_writer_and_reader(key, processes)
        test_writer_stream(key + "-stream", processes)
        test_writer_memory(key + "-memory", processes)
        test_lab(key + "-lab", processes)
        test_cache(key + "-cache", processes)
    except Exception as error:
        check(False, "the test ran to its end", repr(error))
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.seek(0)
            printed = process.log.read()
            process.log.close()
            os.unlink(process.log.name)
            name = os.path.basename(process.args[0])
            check("-CRITICAL" not in printed and "-ERROR" not in printed and
                  "Sanitizer" not in printed,
                  "%s says nothing critical and no sanitizer reports" % name, printed)
            check(process.returncode == 0, "%s ends with status 0 when asked to" % name,
                  "status %s" % process.returncode)
            warnings = [line for line in printed.splitlines() if "-WARNING" in line]
            if warnings:
                notes.append("%s warned: %s" % (name, " | ".join(warnings)))
        for name in (key, key + "-first", key + "-none", key + "-small", key + "-stream",
                     key + "-memory", key + "-lab", key + "-cache"):
            run_cli("remove", name)
        left = run_cli("list", "--json").stdout
        check(key not in left, "no segment is left behind", left)

    tap = os.fdopen(int(os.environ["SHMLAB_TAP_FD"]), "w") if "SHMLAB_TAP_FD" in os.environ \
        else sys.stdout
    print("1..%d" % len(results), file=tap)
    for number, (ok, what, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", number, what), file=tap)
        if not ok and detail:
            for line in str(detail).splitlines():
                print("# " + line, file=tap)
    for note in notes:
        print("# " + note, file=tap)
    tap.flush()
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
