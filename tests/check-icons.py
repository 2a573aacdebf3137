#!/usr/bin/python3
# check-icons.py — every icon the desktop files and the windows name exists
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-icons.py SOURCE_ROOT BUILT.desktop...
# ShmLab's own icons (io.github.shmlab.*, shmlab-*) must be drawn in data/icons
# and, for the windows, be in the GResource; stock icons must be in Adwaita.
# Prints TAP.

import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

ADWAITA = '/usr/share/icons/Adwaita'
SVG = '{http://www.w3.org/2000/svg}svg'

root = sys.argv[1]
desktops = sys.argv[2:]
results = []


def check(ok, what):
    results.append((ok, what))


def drawn(name):
    """The SVG files of one of our icons in data/icons, any size."""
    return glob.glob(os.path.join(root, 'data/icons/hicolor/*/*', name + '.svg'))


def in_adwaita(name):
    return bool(glob.glob(os.path.join(ADWAITA, '*/*', name + '.*')))


# Icons in the resource: alias -> prefix, from ui/shmlab.gresource.xml.
resource = {}
gres = ET.parse(os.path.join(root, 'ui/shmlab.gresource.xml')).getroot()
for res in gres.iter('gresource'):
    for f in res.iter('file'):
        alias = f.get('alias') or os.path.basename(f.text)
        resource[res.get('prefix') + '/' + alias] = os.path.normpath(
            os.path.join(root, 'ui', f.text))

# The desktop files name the application icons.
for desktop in desktops:
    icons = [line.split('=', 1)[1].strip() for line in open(desktop, encoding='utf-8')
             if line.startswith('Icon=')]
    check(len(icons) == 1, '%s names one icon (found %d)' % (os.path.basename(desktop), len(icons)))
    for name in icons:
        check(os.path.isfile(os.path.join(root, 'data/icons/hicolor/scalable/apps', name + '.svg')),
              '%s: data/icons/hicolor/scalable/apps/%s.svg exists' % (os.path.basename(desktop), name))
        check(os.path.isfile(os.path.join(root, 'data/icons/hicolor/symbolic/apps',
                                          name + '-symbolic.svg')),
              '%s: data/icons/hicolor/symbolic/apps/%s-symbolic.svg exists'
              % (os.path.basename(desktop), name))

# The windows name icons in .ui files and in C.
used = {}
for path in sorted(glob.glob(os.path.join(root, 'ui/*.ui'))):
    for m in re.finditer(r'<property name="icon-name">([^<]+)</property>', open(path, encoding='utf-8').read()):
        used.setdefault(m.group(1).strip(), os.path.relpath(path, root))
for path in sorted(glob.glob(os.path.join(root, '*/*.c'))):
    if os.path.basename(os.path.dirname(path)) not in ('ui', 'writer', 'reader'):
        continue
    text = open(path, encoding='utf-8').read()
    names = re.findall(r'"([A-Za-z0-9.-]+-symbolic)"', text)
    for call in re.findall(r'icon_name\s*\(([^;]*)', text):
        names += re.findall(r'"([A-Za-z0-9.-]+)"', call)
    for name in names:
        used.setdefault(name, os.path.relpath(path, root))
check(len(used) > 0, 'the windows name icons (found %d)' % len(used))

for name, where in sorted(used.items()):
    if name.startswith('shmlab-') or name.startswith('io.github.shmlab.'):
        files = drawn(name)
        check(len(files) > 0, '%s (used in %s) is drawn in data/icons' % (name, where))
        in_res = [p for p in resource if p.startswith('/io/github/shmlab/icons/')
                  and p.endswith('/' + name + '.svg')]
        check(len(in_res) > 0, '%s (used in %s) is in the GResource under /io/github/shmlab/icons'
              % (name, where))
    else:
        check(in_adwaita(name), '%s (used in %s) is in the Adwaita icon theme' % (name, where))

# Every icon in the resource is one of ours and is the file it claims to be.
for path, source in sorted(resource.items()):
    if not path.startswith('/io/github/shmlab/icons/'):
        continue
    check(os.path.isfile(source), 'resource %s: %s exists' % (path, os.path.relpath(source, root)))

# Every drawn icon is an SVG; symbolic ones are 16×16 and one colour.
for path in sorted(glob.glob(os.path.join(root, 'data/icons/hicolor/*/*/*.svg'))):
    rel = os.path.relpath(path, root)
    try:
        svg = ET.parse(path).getroot()
    except ET.ParseError as e:
        check(False, '%s is well-formed XML: %s' % (rel, e))
        continue
    check(svg.tag == SVG, '%s is an SVG' % rel)
    if '/symbolic/' in rel:
        check(rel.endswith('-symbolic.svg'), '%s is named …-symbolic.svg' % rel)
        check(svg.get('viewBox') == '0 0 16 16', '%s has a 16×16 viewBox (it has %s)'
              % (rel, svg.get('viewBox')))
        colours = set(re.findall(r'#[0-9a-fA-F]{3,6}\b', open(path, encoding='utf-8').read()))
        check(colours <= {'#2e3436'}, '%s uses only #2e3436 (it uses %s)'
              % (rel, ', '.join(sorted(colours)) or 'none'))

print('1..%d' % len(results))
for i, (ok, what) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', i, what))
sys.exit(0 if all(ok for ok, _ in results) else 1)
