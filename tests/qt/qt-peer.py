#!/usr/bin/python3
# qt-peer.py — a Qt program that uses QSharedMemory the way the Qt demos do,
# so the tests can check that ShmLab meets real Qt by the same key
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run one QSharedMemory scenario, as Qt's demos would.

Sub-commands:
  write-text KEY TEXT [--size N]  the text demo's writer; holds until stdin closes
  read-text KEY                   the text demo's reader; prints the text
  write-image KEY FILE.png        the "Shared Memory Example" loadFromFile; holds
  read-image KEY OUT.png          the example's loadFromMemory; saves OUT.png
  lock KEY                        attaches, holds the lock until stdin closes
  backend                         prints "sysv" or "posix": the IPC this Qt uses

Progress lines ("ready", "locked") go to stdout; errors go to stderr as
"ErrorName: errorString"; with --trace each QSharedMemory call is announced
on stderr before and after it runs. Exit 0 ok, 1 Qt refused, 2 usage.
"""

import argparse
import os
import sys
import uuid

from PyQt5.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QDataStream,
    QSharedMemory,
)
from PyQt5.QtGui import QImage

ERROR_NAMES = {
    getattr(QSharedMemory, name): name
    for name in (
        "NoError",
        "PermissionDenied",
        "InvalidSize",
        "KeyError",
        "AlreadyExists",
        "NotFound",
        "LockError",
        "OutOfResources",
        "UnknownError",
    )
}

trace_enabled = False


def trace(step):
    if trace_enabled:
        print(step, file=sys.stderr, flush=True)


def fail(memory, what):
    name = ERROR_NAMES.get(memory.error(), "UnknownError")
    print(f"{name}: {memory.errorString()}", file=sys.stderr, flush=True)
    trace(f"{what} failed")
    return 1


def say(line):
    print(line, flush=True)


def hold_until_stdin_closes():
    # The test ends a holder by closing its stdin; reading to EOF waits for that.
    sys.stdin.buffer.read()


def segment_view(memory):
    pointer = memory.data()
    pointer.setsize(memory.size())
    return memoryview(pointer)


def create_and_fill(memory, key, data, size):
    """setKey, detach if attached, create(size), lock, copy, unlock."""
    memory.setKey(key)
    if memory.isAttached():
        memory.detach()
    trace("creating")
    if not memory.create(size):
        return fail(memory, f"create({size})")
    trace("created")
    trace("locking")
    if not memory.lock():
        return fail(memory, "lock")
    trace("locked")
    view = segment_view(memory)
    count = min(len(data), memory.size())
    view[:count] = data[:count]
    return None


def cmd_write_text(args):
    memory = QSharedMemory()
    data = args.text.encode("utf-8")
    size = args.size if args.size is not None else len(data) + 1
    status = create_and_fill(memory, args.key, data, size)
    if status is not None:
        return status
    if len(data) < memory.size():
        segment_view(memory)[len(data)] = 0
    memory.unlock()
    trace("unlocked")
    say("ready")
    hold_until_stdin_closes()
    memory.detach()
    trace("detached")
    return 0


def cmd_read_text(args):
    memory = QSharedMemory()
    memory.setKey(args.key)
    trace("attaching")
    if not memory.attach(QSharedMemory.ReadOnly):
        return fail(memory, "attach(ReadOnly)")
    trace("attached")
    trace("locking")
    if not memory.lock():
        return fail(memory, "lock")
    trace("locked")
    pointer = memory.constData()
    pointer.setsize(memory.size())
    raw = pointer.asstring(memory.size())
    memory.unlock()
    trace("unlocked")
    memory.detach()
    trace("detached")
    text = raw.split(b"\0", 1)[0]
    sys.stdout.buffer.write(text + b"\n")
    sys.stdout.flush()
    return 0


def cmd_write_image(args):
    image = QImage()
    if not image.load(args.file):
        print(f"{args.file}: not an image Qt can load", file=sys.stderr)
        return 1
    buffer = QBuffer()
    buffer.open(QBuffer.ReadWrite)
    out = QDataStream(buffer)
    out << image
    data = bytes(buffer.data())
    memory = QSharedMemory()
    status = create_and_fill(memory, args.key, data, buffer.size())
    if status is not None:
        return status
    memory.unlock()
    trace("unlocked")
    say("ready")
    hold_until_stdin_closes()
    memory.detach()
    trace("detached")
    return 0


def cmd_read_image(args):
    memory = QSharedMemory()
    memory.setKey(args.key)
    trace("attaching")
    if not memory.attach():
        return fail(memory, "attach")
    trace("attached")
    buffer = QBuffer()
    stream = QDataStream(buffer)
    image = QImage()
    trace("locking")
    if not memory.lock():
        return fail(memory, "lock")
    trace("locked")
    pointer = memory.constData()
    pointer.setsize(memory.size())
    buffer.setData(QByteArray(pointer.asstring(memory.size())))
    buffer.open(QBuffer.ReadOnly)
    stream >> image
    memory.unlock()
    trace("unlocked")
    memory.detach()
    trace("detached")
    if image.isNull():
        print("the segment holds no image Qt can read", file=sys.stderr)
        return 1
    image = image.convertToFormat(QImage.Format_ARGB32)
    if not image.save(args.output, "PNG"):
        print(f"{args.output}: Qt could not save the image", file=sys.stderr)
        return 1
    return 0


def cmd_lock(args):
    # Qt gives a QSharedMemory its lock only in attach() or create().
    memory = QSharedMemory()
    memory.setKey(args.key)
    trace("attaching")
    if not memory.attach():
        return fail(memory, "attach")
    trace("attached")
    trace("locking")
    if not memory.lock():
        return fail(memory, "lock")
    say("locked")
    hold_until_stdin_closes()
    memory.unlock()
    trace("unlocked")
    memory.detach()
    trace("detached")
    return 0


def cmd_backend(args):
    # Qt gives no API for this: make a segment and see what appeared.
    key = f"qtpeerprobe-{os.getpid()}-{uuid.uuid4().hex}"
    memory = QSharedMemory()
    memory.setKey(key)
    if not memory.create(1):
        return fail(memory, "create(1)")
    native = memory.nativeKey()
    key_file_exists = os.path.isabs(native) and os.path.exists(native)
    in_dev_shm = os.path.exists("/dev/shm" + native) if native.startswith("/qipc") else False
    memory.detach()
    if key_file_exists:
        say("sysv")
    elif in_dev_shm:
        say("posix")
    else:
        say(f"unknown {native}")
    return 0


def main():
    global trace_enabled

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", action="store_true",
                        help="announce each QSharedMemory call on stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("write-text")
    p.add_argument("key")
    p.add_argument("text")
    p.add_argument("--size", type=int)
    p.set_defaults(run=cmd_write_text)

    p = commands.add_parser("read-text")
    p.add_argument("key")
    p.set_defaults(run=cmd_read_text)

    p = commands.add_parser("write-image")
    p.add_argument("key")
    p.add_argument("file")
    p.set_defaults(run=cmd_write_image)

    p = commands.add_parser("read-image")
    p.add_argument("key")
    p.add_argument("output")
    p.set_defaults(run=cmd_read_image)

    p = commands.add_parser("lock")
    p.add_argument("key")
    p.set_defaults(run=cmd_lock)

    p = commands.add_parser("backend")
    p.set_defaults(run=cmd_backend)

    args = parser.parse_args()
    trace_enabled = args.trace
    # Qt expects an application object to outlive every QSharedMemory.
    app = QCoreApplication(sys.argv[:1])
    status = args.run(args)
    del app
    return status


if __name__ == "__main__":
    sys.exit(main())
