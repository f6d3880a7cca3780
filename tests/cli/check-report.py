#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the page kfp report writes.

    check-report.py DIR [MATRIX.txt]

DIR/index.html and the charts beside it must hold; exit 0, else 1 with a
message per fault on stderr:

  - the page is well-formed XML (XHTML-compatible HTML5) in the XHTML
    namespace, and so is every chart it links;
  - it loads nothing: no script, style sheet, image, frame or object
    element, no src attribute, no url() in its style, no link off the
    page but to a file in DIR; the charts link nowhere and script nothing;
  - every link resolves: "#id" to an element of the page, "FILE#id" to a
    file in DIR that has an element with that id;
  - every matrix cell that is not safe ("P2", "P13 P2a!", "inva") links a
    chart at the band that marks the step: "violation-step-N" when a
    property is violated, else "accepted-step-N", a <rect> of that class;
  - with MATRIX.txt (kfp check --matrix of the same paths): the page's
    matrix has the same rows, in the same order, with the same cells.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

XHTML = '{http://www.w3.org/1999/xhtml}'
SVG = '{http://www.w3.org/2000/svg}'
LOADERS = {'script', 'link', 'img', 'iframe', 'object', 'embed', 'frame', 'audio', 'video',
           'source', 'base', 'form'}
MARK = re.compile(r'^(violation|accepted)-step-[0-9]+$')


def local(tag):
    return tag.split('}', 1)[-1]


def text_of(element):
    return ''.join(element.itertext())


class Report:
    def __init__(self, directory):
        self.dir = directory
        self.faults = []
        self.svgs = {}

    def fault(self, message):
        self.faults.append(message)

    def svg(self, name):
        """The parsed chart @name in DIR (None, said, when it is not one)."""
        if name in self.svgs:
            return self.svgs[name]
        tree = None
        path = os.path.join(self.dir, name)
        if '/' in name or name.startswith('.') or not os.path.isfile(path):
            self.fault('a link to %r, which is not a file in %s' % (name, self.dir))
        else:
            try:
                tree = ET.parse(path).getroot()
            except ET.ParseError as e:
                self.fault('%s is not well-formed: %s' % (name, e))
        if tree is not None:
            if tree.tag != SVG + 'svg':
                self.fault('%s is not SVG' % name)
            for e in tree.iter():
                if local(e.tag) in ('script', 'image', 'foreignObject', 'a', 'use'):
                    self.fault('%s has a <%s>' % (name, local(e.tag)))
                for attr in e.attrib:
                    if local(attr) in ('href', 'src') or attr.startswith('on'):
                        self.fault('%s: attribute %s' % (name, attr))
        self.svgs[name] = tree
        return tree

    def target(self, href):
        """The element @href names ("#id" on the page or "FILE#id"), or None."""
        if re.match(r'^[a-z]+:', href) or href.startswith('/') or href.startswith('//'):
            self.fault('a link off the page: %r' % href)
            return None
        name, _, fragment = href.partition('#')
        if not name:
            element = self.ids.get(fragment)
            if element is None:
                self.fault('a link to #%s, which the page does not have' % fragment)
            return element
        tree = self.svg(name)
        if tree is None or not fragment:
            return tree
        for e in tree.iter():
            if e.get('id') == fragment:
                return e
        self.fault('%s has no element with id %r' % (name, fragment))
        return None

    def check_page(self):
        path = os.path.join(self.dir, 'index.html')
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            self.fault('index.html: %s' % e)
            return None
        if root.tag != XHTML + 'html':
            self.fault('the root is %s, not the XHTML <html>' % root.tag)
        with open(path, encoding='utf-8') as f:
            head = f.read(64)
        if not head.startswith('<!DOCTYPE html>'):
            self.fault('index.html does not start with <!DOCTYPE html>')
        self.ids = {}
        for e in root.iter():
            if local(e.tag) in LOADERS:
                self.fault('the page has a <%s>' % local(e.tag))
            if 'src' in e.attrib or any(a.startswith('on') for a in e.attrib):
                self.fault('the page loads or scripts: %s' % e.attrib)
            if local(e.tag) == 'style' and ('url(' in text_of(e) or '@import' in text_of(e)):
                self.fault('the style loads something')
            if e.get('id') is not None:
                if e.get('id') in self.ids:
                    self.fault('id %r twice' % e.get('id'))
                self.ids[e.get('id')] = e
        for e in root.iter(XHTML + 'a'):
            if e.get('href') is None:
                self.fault('an <a> without href')
            else:
                self.target(e.get('href'))
        return root

    def matrix(self, root):
        """[(name, [(cell text, chart href or None)])] of the page's matrix."""
        rows = []
        tables = [t for t in root.iter(XHTML + 'table') if t.get('class') == 'matrix']
        if len(tables) != 1:
            self.fault('%d matrix tables, not one' % len(tables))
            return rows
        for tr in tables[0].iter(XHTML + 'tr'):
            cells = tr.findall(XHTML + 'td')
            th = tr.findall(XHTML + 'th')
            if not cells:
                continue
            row = []
            for td in cells:
                links = td.findall(XHTML + 'a')
                text = text_of(links[0]) if links else text_of(td)
                chart = [a.get('href') for a in links if a.get('class') == 'trace']
                row.append((text, chart[0] if chart else None))
            rows.append((text_of(th[0]), row))
        return rows

    def check_cells(self, rows):
        for name, row in rows:
            for text, chart in row:
                verdict = text.rstrip('!?~+')
                if verdict in ('safe', '-'):
                    continue
                where = '%s cell %r' % (name, text)
                if not chart or '#' not in chart:
                    self.fault('%s: no chart at the step that broke the property' % where)
                    continue
                element = self.target(chart)
                fragment = chart.partition('#')[2]
                violated = any(not t.endswith('a') for t in verdict.split())
                want = 'violation' if violated else 'accepted'
                if not MARK.match(fragment) or not fragment.startswith(want):
                    self.fault('%s: links %r, not a %s-step band' % (where, chart, want))
                elif element is not None and (local(element.tag) != 'rect' or
                                              element.get('class') != want):
                    self.fault('%s: %r is not the %s band' % (where, chart, want))


def text_matrix(path):
    """[(name, [cell text])] of kfp's text matrix."""
    rows = []
    pending = None
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    start = next(i for i, line in enumerate(lines) if line.startswith('scenario '))
    for line in lines[start + 1:]:
        if not line or line.startswith('legend:'):
            break
        fields = re.split(r' {2,}', line.strip())
        if line.startswith(' '):
            rows.append((pending, fields))
            pending = None
        elif len(fields) == 1:
            # a heading ("old code put back: ...:") or a name too long for its column
            pending = None if line.endswith(':') else fields[0]
        else:
            rows.append((fields[0], fields[1:]))
    return rows


def main(argv):
    if len(argv) not in (2, 3):
        print('usage: check-report.py DIR [MATRIX.txt]', file=sys.stderr)
        return 2
    r = Report(argv[1])
    root = r.check_page()
    if root is not None:
        rows = r.matrix(root)
        if not rows:
            r.fault('the matrix has no rows')
        r.check_cells(rows)
        if len(argv) == 3:
            want = text_matrix(argv[2])
            got = [(name, [text for text, _ in row]) for name, row in rows]
            if got != want:
                for g, w in zip(got, want):
                    if g != w:
                        r.fault('matrix row %r on the page, %r in kfp\'s matrix' % (g, w))
                        break
                if len(got) != len(want):
                    r.fault('%d matrix rows on the page, %d in kfp\'s' % (len(got), len(want)))
    for f in r.faults:
        print(f, file=sys.stderr)
    return 1 if r.faults else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
