#!/usr/bin/python3
# make-seeds.py — writes the hand-made seeds of the fuzz corpora: ShmLab
# frames (valid, double-buffered and broken one field at a time), Qt image
# streams, plain text, and small PNGs of every colour type, bit depth and
# interlace, valid and damaged; and the hand-made inputs among the
# regressions. Run it again after a format change:
#   tests/fuzz/make-seeds.py [tests/fuzz/corpus]
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import struct
import sys
import zlib

HEADER_SIZE = 64
MAGIC = b"SHMLABFR"
TEXT, IMAGE = 1, 2


# PNG files, written by hand so that every corner of the format can be made.

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def ihdr(width, height, depth, colour_type, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0,
                                      interlace))


# Adam7: (x start, y start, x step, y step) of each pass.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
         (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def sample(x, y, c, depth, colour_type, palette_size):
    """A pattern that uses the whole range of each sample."""
    top = palette_size - 1 if colour_type == 3 else (1 << depth) - 1
    return ((x * 7 + y * 13 + c * 29) * 2654435761 >> 7) % (top + 1)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def filter_row(row, previous, kind, bpp):
    """Filters @row with PNG filter @kind (0 none … 4 Paeth)."""
    out = bytearray([kind])
    for i, value in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = previous[i] if previous else 0
        c = previous[i - bpp] if previous and i >= bpp else 0
        if kind == 0:
            predictor = 0
        elif kind == 1:
            predictor = a
        elif kind == 2:
            predictor = b
        elif kind == 3:
            predictor = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out.append((value - predictor) & 0xFF)
    return bytes(out)


def scanlines(width, height, depth, colour_type, palette_size, interlace):
    channels = CHANNELS[colour_type]
    bpp = max(1, channels * depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    n = 0
    for x0, y0, dx, dy in passes:
        xs = list(range(x0, width, dx))
        ys = list(range(y0, height, dy))
        if not xs or not ys:
            continue
        previous = None
        for y in ys:
            samples = [sample(x, y, c, depth, colour_type, palette_size)
                       for x in xs for c in range(channels)]
            row = pack_row(samples, depth)
            raw += filter_row(row, previous, n % 5, bpp)  # every filter type in turn
            previous = row
            n += 1
    return bytes(raw)


def png(width, height, depth, colour_type, interlace=0, trns=False, extra=(),
        palette_size=None, idat_pieces=1, raw=None):
    if colour_type == 3 and palette_size is None:
        palette_size = min(1 << depth, 6)
    out = SIGNATURE + ihdr(width, height, depth, colour_type, interlace)
    for kind, data in extra:
        out += chunk(kind, data)
    if colour_type == 3:
        out += chunk(b"PLTE", bytes((i * 40) % 256 for i in range(palette_size * 3)))
    if trns:
        if colour_type == 3:
            out += chunk(b"tRNS", bytes(255 - 50 * i for i in range(min(palette_size, 4))))
        elif colour_type == 0:
            out += chunk(b"tRNS", struct.pack(">H", 1))
        elif colour_type == 2:
            out += chunk(b"tRNS", struct.pack(">HHH", 1, 2, 3))
    if raw is None:
        raw = scanlines(width, height, depth, colour_type, palette_size, interlace)
    data = zlib.compress(raw, 9)
    step = max(1, -(-len(data) // idat_pieces))
    for i in range(0, len(data), step):
        out += chunk(b"IDAT", data[i:i + step])
    return out + chunk(b"IEND", b"")


DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
TYPE_NAMES = {0: "gray", 2: "rgb", 3: "palette", 4: "gray-alpha", 6: "rgba"}


def png_seeds():
    seeds = {}
    # Every colour type and bit depth, plain and Adam7, at a size where each
    # pass has pixels and rows end inside a byte.
    for colour_type, depths in DEPTHS.items():
        for depth in depths:
            for interlace in (0, 1):
                name = "matrix-%s%d%s.png" % (TYPE_NAMES[colour_type], depth,
                                              "-adam7" if interlace else "")
                seeds[name] = png(9, 7, depth, colour_type, interlace)
            if colour_type in (0, 2, 3):
                seeds["matrix-%s%d-trns.png" % (TYPE_NAMES[colour_type], depth)] = \
                    png(5, 3, depth, colour_type, trns=True)

    good = png(4, 4, 8, 6)
    ihdr_end = 8 + 25
    seeds["tiny-1x1.png"] = png(1, 1, 8, 6)
    seeds["tall-1x40-adam7.png"] = png(1, 40, 1, 0, 1)
    seeds["wide-2048x1.png"] = png(2048, 1, 1, 0)
    seeds["ancillary-chunks.png"] = png(3, 3, 8, 2, extra=[
        (b"gAMA", struct.pack(">I", 45455)),
        (b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000)),
        (b"sBIT", bytes([5, 6, 5])),
        (b"pHYs", struct.pack(">IIB", 2835, 2835, 1)),
        (b"tIME", struct.pack(">HBBBBB", 2024, 2, 29, 23, 59, 60)),
        (b"tEXt", b"Title\0ShmLab"),
        (b"zTXt", b"Comment\0\0" + zlib.compress(b"shared memory " * 20)),
        (b"iTXt", b"Author\0\0\0zh\0\xe4\xbd\x9c\xe8\x80\x85\0\xe5\x85\xb1\xe4\xba\xab"),
        (b"bKGD", struct.pack(">HHH", 1, 2, 3)),
        (b"prVt", b"private ancillary chunk"),
    ])
    seeds["iccp-damaged.png"] = png(2, 2, 8, 2, extra=[
        (b"iCCP", b"profile\0\0" + zlib.compress(b"\0" * 200)[:-3])])
    seeds["srgb.png"] = png(2, 2, 8, 2, extra=[(b"sRGB", b"\0")])
    seeds["apng-chunks.png"] = png(2, 2, 8, 6, extra=[
        (b"acTL", struct.pack(">II", 1, 0)),
        (b"fcTL", struct.pack(">IIIIIHHBB", 0, 2, 2, 0, 0, 1, 10, 0, 0))])
    seeds["idat-in-many-pieces.png"] = png(8, 8, 8, 6, idat_pieces=7)
    seeds["trailing-after-iend.png"] = good + b"trailing bytes after the end"
    seeds["broken-ihdr-crc.png"] = good[:ihdr_end - 1] + bytes([good[ihdr_end - 1] ^ 1]) + \
        good[ihdr_end:]
    seeds["broken-truncated-idat.png"] = good[:ihdr_end + 20]
    seeds["broken-no-iend.png"] = good[:-12]
    seeds["broken-no-idat.png"] = good[:ihdr_end] + chunk(b"IEND", b"")
    seeds["broken-signature-only.png"] = good[:8]
    seeds["broken-huge-claim.png"] = png(0x7FFFFFFF, 0x7FFFFFFF, 8, 6, raw=b"\0" * 16)
    seeds["broken-bomb-past-limit.png"] = png(4096, 4096, 8, 6, raw=b"\0" * (1 << 20))
    seeds["broken-just-too-wide.png"] = png(2049, 1, 1, 0)
    seeds["broken-zero-width.png"] = png(0, 4, 8, 6, raw=b"\0" * 4)
    seeds["broken-depth-3.png"] = SIGNATURE + ihdr(2, 2, 3, 0) + good[ihdr_end:]
    seeds["broken-filter-type-5.png"] = png(2, 2, 8, 0, raw=b"\x05\0\0\x05\0\0")
    seeds["broken-short-rows.png"] = png(4, 4, 8, 6, raw=b"\0" * 9)
    seeds["broken-bad-zlib.png"] = good[:ihdr_end] + chunk(b"IDAT", b"\x78\x9c\xff\xff\xff") + \
        chunk(b"IEND", b"")
    seeds["broken-palette-index.png"] = png(2, 2, 8, 3, palette_size=2,
                                            raw=b"\0\xff\x01\0\x00\xfe")
    seeds["broken-no-plte.png"] = SIGNATURE + ihdr(4, 4, 8, 3) + good[ihdr_end:]
    seeds["broken-trns-too-long.png"] = SIGNATURE + ihdr(2, 2, 4, 3) + \
        chunk(b"PLTE", b"\0\0\0\xff\xff\xff") + chunk(b"tRNS", b"\x80" * 9) + \
        chunk(b"IDAT", zlib.compress(b"\0\x10\0\x01")) + chunk(b"IEND", b"")
    seeds["broken-unknown-critical.png"] = good[:ihdr_end] + chunk(b"ABCD", b"critical?") + \
        good[ihdr_end:]
    seeds["broken-idat-after-iend.png"] = good + chunk(b"IDAT", b"\0")
    seeds["broken-chunk-length-huge.png"] = good[:ihdr_end] + b"\x7f\xff\xff\xffIDAT" + \
        good[ihdr_end + 8:]
    return seeds


# What a segment can hold: frames, Qt streams and text.

def frame(payload, kind=TEXT, width=0, height=0, stride=0, generation=1, crc=None,
          length=None, version=1, header_size=HEADER_SIZE, magic=MAGIC, pid=4242):
    if crc is None:
        crc = zlib.crc32(payload)
    if length is None:
        length = len(payload)
    header = magic + struct.pack("<HHIIIIIQQqII", version, header_size, kind, width, height,
                                 stride, crc, length, generation, 1700000000000000, pid, 0)
    assert len(header) == HEADER_SIZE
    return header + b"\0" * max(0, header_size - HEADER_SIZE) + payload


def rgba(width, height, stride=None, last_row_short=False):
    stride = stride or width * 4
    rows = []
    for y in range(height):
        row = bytes(((x * 37 + y * 91 + c * 53) & 0xFF) for x in range(width) for c in range(4))
        rows.append(row + b"\xee" * (stride - width * 4))
    data = b"".join(rows)
    if last_row_short:
        data = data[:len(data) - (stride - width * 4)]
    return data


def image_frame(width, height, stride=None, **kwargs):
    stride = stride or width * 4
    return frame(rgba(width, height, stride, kwargs.pop("last_row_short", False)), IMAGE,
                 width, height, stride, **kwargs)


def two_slots(first, second, size):
    """A double-buffered segment: @first at 0, @second at size/2 rounded down to 64."""
    middle = (size // 2) & ~63
    segment = bytearray(size)
    segment[:len(first)] = first
    segment[middle:middle + len(second)] = second
    return bytes(segment)


def payload_seeds():
    seeds = {}
    hello = "Hello from the ShmLab writer — 共享内存".encode()
    seeds["frame-text-utf8"] = frame(hello)
    seeds["frame-text-long"] = frame(("line %d of a long text\n" % 0).encode() * 24)
    seeds["frame-text-controls"] = frame(b"tab\there\x01\x02\x1b[0m bell\x07")
    seeds["frame-text-in-bigger-segment"] = frame(b"hello") + b"\0" * 200
    seeds["frame-header-size-128"] = frame(b"padded header", header_size=128)
    seeds["frame-image-1x1"] = image_frame(1, 1)
    seeds["frame-image-3x2-stride16"] = image_frame(3, 2, 16)
    seeds["frame-image-3x3-last-row-short"] = image_frame(3, 3, 16, last_row_short=True)
    seeds["frame-image-16x16"] = image_frame(16, 16)
    seeds["frame-image-64x4"] = image_frame(64, 4)

    # Double buffering: the newest slot whose CRC holds wins.
    a, b = frame(b"older frame", generation=1), frame(b"newer frame", generation=2)
    seeds["slots-two-text"] = two_slots(a, b, 256)
    seeds["slots-newest-first"] = two_slots(frame(b"newest", generation=9),
                                            frame(b"older", generation=8), 256)
    seeds["slots-newer-bad-crc"] = two_slots(a, frame(b"torn write", generation=3, crc=0), 256)
    seeds["slots-first-empty"] = two_slots(b"", b, 256)
    seeds["slots-first-broken-header"] = two_slots(frame(b"x", version=7), b, 256)
    seeds["slots-images"] = two_slots(image_frame(2, 2, generation=4),
                                      image_frame(3, 1, generation=5), 512)
    long_first = frame(b"L" * 200, generation=5)
    seeds["slots-first-reaches-into-second"] = two_slots(long_first, b"", 256)

    # Broken frames, one field at a time.
    good_text, good_image = frame(b"hello, shared memory"), image_frame(2, 2)
    seeds["broken-magic"] = b"SHMLABFX" + good_text[8:]
    seeds["broken-magic-only"] = MAGIC
    seeds["broken-cut-in-version"] = good_text[:9]
    seeds["broken-cut-in-kind"] = good_text[:14]
    seeds["broken-cut-in-payload-length"] = good_text[:36]
    seeds["broken-cut-in-header"] = good_text[:63]
    seeds["broken-version-0"] = frame(b"v0", version=0)
    seeds["broken-version-2"] = frame(b"v2", version=2)
    seeds["broken-header-size-63"] = frame(b"hs", header_size=63)
    seeds["broken-header-size-65535"] = frame(b"hs")[:10] + b"\xff\xff" + frame(b"hs")[12:]
    seeds["broken-kind-0"] = frame(b"k", kind=0)
    seeds["broken-kind-3"] = frame(b"k", kind=3)
    seeds["broken-text-with-width"] = frame(b"w", width=1)
    seeds["broken-text-with-stride"] = frame(b"s", stride=4)
    seeds["broken-image-width-0"] = frame(rgba(1, 1), IMAGE, 0, 1, 4)
    seeds["broken-image-height-0"] = frame(rgba(1, 1), IMAGE, 1, 0, 4)
    seeds["broken-image-width-16385"] = frame(rgba(1, 1), IMAGE, 16385, 1, 65540)
    seeds["broken-image-stride-short"] = frame(rgba(4, 2), IMAGE, 4, 2, 12)
    seeds["broken-image-stride-overflow"] = frame(rgba(1, 1), IMAGE, 1, 16384, 0xFFFFFFFF)
    seeds["broken-image-payload-short"] = frame(rgba(4, 4)[:60], IMAGE, 4, 4, 16)
    seeds["broken-payload-past-end"] = frame(b"short", length=6)
    seeds["broken-payload-length-max"] = frame(b"x", length=2**64 - 1)
    seeds["broken-crc"] = frame(b"changed while read", crc=0xDEADBEEF)
    seeds["broken-image-crc"] = good_image[:28] + b"\0\0\0\0" + good_image[32:]

    # The Qt example's stream: big-endian int32 1, then a PNG.
    pngs = png_seeds()
    for name in ("matrix-gray1.png", "matrix-palette8-adam7.png", "matrix-rgba16.png",
                 "matrix-gray-alpha8-adam7.png", "matrix-rgb8-trns.png"):
        seeds["qt-image-" + name[len("matrix-"):-len(".png")]] = b"\0\0\0\1" + pngs[name]
    seeds["qt-image-then-zeros"] = b"\0\0\0\1" + pngs["tiny-1x1.png"] + b"\0" * 64
    seeds["qt-image-ancillary"] = b"\0\0\0\1" + pngs["ancillary-chunks.png"]
    seeds["broken-qt-image-bad-crc"] = b"\0\0\0\1" + pngs["broken-ihdr-crc.png"]
    seeds["broken-qt-image-no-iend"] = b"\0\0\0\1" + pngs["broken-no-iend.png"]
    seeds["broken-qt-image-huge-claim"] = b"\0\0\0\1" + pngs["broken-huge-claim.png"]
    seeds["broken-qt-image-16384-square"] = b"\0\0\0\1" + png(16384, 16384, 1, 0,
                                                              raw=b"\0" * 64)
    seeds["broken-qt-image-not-png"] = b"\0\0\0\1not a PNG at all"
    seeds["broken-qt-marker-2"] = b"\0\0\0\2" + pngs["tiny-1x1.png"]
    seeds["qt-null-image-zeros"] = b"\0" * 16

    # Plain text, NUL-terminated or not.
    seeds["text-emoji"] = "shared 🧠 memory\0".encode()
    seeds["text-no-nul"] = b"no terminator here"
    seeds["text-overlong-utf8"] = b"over\xc0\x80long\xe0\x80\xafx\0"
    seeds["text-surrogate"] = b"half \xed\xa0\x80 pair\0"
    seeds["text-cut-character"] = "cut 共".encode()[:-1]
    seeds["text-partial-magic"] = b"SHMLABF\0"
    seeds["text-magic-six-letters"] = b"SHMLABx"
    seeds["text-magic-lowercase"] = b"shmlabfr and more\0"
    return seeds


def regression_seeds():
    """Segments over which a frame written with the next generation is not the
    frame read back (fuzz-payload's check_write_over)."""
    seeds = {}
    # A frame hidden in a long first frame's payload, where the second slot
    # starts: a short frame written to the first slot uncovers it.
    inner = frame(b"inner", generation=99)
    outer_payload = bytearray(b"p" * 300)
    outer_payload[128 - HEADER_SIZE:128 - HEADER_SIZE + len(inner)] = inner
    seeds["write-lost-frame-inside-payload"] = frame(bytes(outer_payload), generation=3)
    # The newest generation is the largest there is: the next one wraps to 0.
    seeds["write-lost-generation-wraps"] = two_slots(frame(b"older frame", generation=1),
                                                     frame(b"last", generation=2**64 - 1), 256)
    return seeds


# YUV4MPEG2 files: every colour space, odd sizes, frame parameters, and
# the lies and cuts a video file can hold.

def y4m(width, height, chroma="420jpeg", frames=2, extra=b"", frame_header=b"FRAME\n",
        rate=b"F25:1"):
    cw, ch = {"420jpeg": ((width + 1) // 2, (height + 1) // 2),
              "420": ((width + 1) // 2, (height + 1) // 2),
              "422": ((width + 1) // 2, height),
              "444": (width, height),
              "mono": (0, 0)}[chroma]
    out = b"YUV4MPEG2 W%d H%d %s Ip A1:1 C%s%s\n" % (width, height, rate, chroma.encode(), extra)
    for f in range(frames):
        out += frame_header
        out += bytes((x * 7 + f * 40) % 256 for x in range(width * height))
        out += bytes((16 + x * 3 + f * 90) % 256 for x in range(cw * ch))
        out += bytes((240 - x * 5 + f * 70) % 256 for x in range(cw * ch))
    return out


def y4m_seeds():
    seeds = {}
    for chroma in ("420jpeg", "420", "422", "444", "mono"):
        seeds["y4m-%s-16x16" % chroma] = y4m(16, 16, chroma)
        seeds["y4m-%s-17x19" % chroma] = y4m(17, 19, chroma, frames=1)
    seeds["y4m-frame-params"] = y4m(16, 16, frame_header=b"FRAME Ip XFOO=1\n")
    seeds["y4m-rate-ntsc"] = y4m(16, 16, rate=b"F30000:1001", extra=b" XYSCSS=420JPEG")
    valid = y4m(16, 16, frames=3)
    seeds["y4m-last-frame-cut"] = valid[:-100]
    seeds["y4m-second-marker-missing"] = valid.replace(b"FRAME", b"FRAMX", 2).replace(
        b"FRAMX", b"FRAME", 1)
    seeds["y4m-header-only"] = b"YUV4MPEG2 W16 H16 F25:1 C420jpeg\n"
    seeds["y4m-header-unended"] = b"YUV4MPEG2 W16 H16 F25:1 C420jpeg"
    seeds["y4m-width-huge"] = b"YUV4MPEG2 W99999999999999999999 H16\nFRAME\n"
    seeds["y4m-width-zero"] = b"YUV4MPEG2 W0 H16\nFRAME\n"
    seeds["y4m-largest"] = b"YUV4MPEG2 W7680 H4320 F60:1 C444\nFRAME\n" + bytes(64)
    seeds["y4m-rate-zero"] = b"YUV4MPEG2 W16 H16 F25:0\nFRAME\n"
    seeds["y4m-chroma-10bit"] = b"YUV4MPEG2 W16 H16 C420p10\nFRAME\n"
    seeds["y4m-frame-header-long"] = (b"YUV4MPEG2 W16 H16\nFRAME " + b"X" * 300 + b"\n" +
                                      bytes(384))
    return seeds


# Caches (common/shmlab-cache.c), in this machine's byte order (little-endian
# here): a header of 4096 bytes, the buckets, then 4416-byte slots from a
# 64-byte boundary, linked by slot number + 1.

CACHE_HEADER = 4096
CACHE_SLOT = 4416


def djb2(key):
    h = 5381
    for byte in key:
        h = (h * 33 + byte) & 0xffffffff
    return h


def cache(n_slots, n_buckets, entries, tweak=None):
    """entries: (key, value, expiry_ms) in the order they were set."""
    buckets_offset = CACHE_HEADER
    slots_offset = (buckets_offset + 4 * n_buckets + 63) & ~63
    total = slots_offset + n_slots * CACHE_SLOT
    data = bytearray(total)
    buckets = [0] * n_buckets
    used = 0
    for index, (key, value, expiry) in enumerate(entries):
        h = djb2(key)
        b = h % n_buckets
        slot = slots_offset + index * CACHE_SLOT
        struct.pack_into("<IIIIII qqQ", data, slot, buckets[b], 1, len(key), len(value), h, 0,
                         expiry, 0, 0)
        data[slot + 64:slot + 64 + len(key)] = key
        data[slot + 320:slot + 320 + len(value)] = value
        buckets[b] = index + 1
        used += len(key) + len(value)
    for index in range(len(entries), n_slots):
        slot = slots_offset + index * CACHE_SLOT
        struct.pack_into("<I", data, slot, index + 2 if index + 1 < n_slots else 0)
    for b, first in enumerate(buckets):
        struct.pack_into("<I", data, buckets_offset + 4 * b, first)
    free_head = len(entries) + 1 if len(entries) < n_slots else 0
    struct.pack_into("<8sIIQIIIIIIQQq", data, 0, b"SHMCACHE", 1, CACHE_HEADER, total, n_buckets,
                     n_slots, CACHE_SLOT, 255, 4096, 0, buckets_offset, slots_offset,
                     1764900000000)
    struct.pack_into("<IIIIQ", data, 72, 0, 0, len(entries), free_head, used)
    if tweak:
        tweak(data, slots_offset)
    return bytes(data)


def cache_seeds():
    profile = b'{"name": "Alice", "age": 30, "city": "Beijing"}'
    seeds = {
        "cache-empty": cache(2, 1, []),
        "cache-one": cache(2, 2, [(b"user:1001", profile, 0)]),
        "cache-chain": cache(3, 1, [(b"a", b"first", 0), (b"c", b"second", 0),
                                    (b"session:abc123", b"{}", 1)]),
        "cache-full-value": cache(1, 1, [(b"k" * 255, b"v" * 4096, 0)]),
    }

    def loop(data, slots_offset):
        struct.pack_into("<I", data, slots_offset, 2)  # slot 0 points at slot 1 …
        struct.pack_into("<I", data, slots_offset + CACHE_SLOT, 1)  # … which points back

    seeds["cache-loop"] = cache(3, 1, [(b"a", b"x", 0), (b"c", b"y", 0)], loop)
    return seeds


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "corpus")
    regressions = os.path.join(os.path.dirname(os.path.abspath(top)), "regressions")
    for directory, seeds in ((os.path.join(top, "png"), png_seeds()),
                             (os.path.join(top, "payload"), payload_seeds()),
                             (os.path.join(top, "y4m"), y4m_seeds()),
                             (os.path.join(top, "cache"), cache_seeds()),
                             (os.path.join(regressions, "payload"), regression_seeds())):
        os.makedirs(directory, exist_ok=True)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds, %d bytes" % (directory, len(seeds),
                                         sum(len(d) for d in seeds.values())))


if __name__ == "__main__":
    main()
