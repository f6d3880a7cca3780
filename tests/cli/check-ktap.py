#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A strict checker of KTAP version 1 (Documentation/dev-tools/ktap.rst).

    check-ktap.py [--totals] [--closing] [FILE]     (stdin without FILE)

Exit 0 when FILE is one KTAP document; else 1, with "FILE:LINE: message"
for each fault on stderr.  What it holds a document to:

  - the first line is "KTAP version 1", the plan "1..N" follows it (a
    nested document may put "# Subtest: NAME" between them);
  - result lines are "ok|not ok NUMBER [- ]NAME[ # DIRECTIVE [reason]]",
    numbered 1..N in order, exactly N of them; a name holds no '#'; a
    directive is SKIP, TODO, XFAIL, TIMEOUT or ERROR;
  - a nested document is indented by 4 more spaces than its parent, and
    the parent's next result line closes it, named as its "# Subtest:";
    a parent whose subtests failed is "not ok";
  - every other line is a diagnostic "# ..." at the document's indent;
  - --totals: after the last result, kselftest's "# Totals: pass:P fail:F
    xfail:X xpass:Y skip:S error:E", counting the leaf tests;
  - --closing: then the project's closing line "P passed, F failed[, ...]",
    whose counts agree with the totals.  Nothing else may follow.

The kernel's kunit_parser.py reads a document that passes; its rules
(version line, plan, numbering, "# Subtest:", result names matching the
header, SKIP) are a subset of these.
"""
import re
import sys

RESULT = re.compile(r'^(ok|not ok) ([0-9]+)(?: - | )([^#]*?)(?: # (.*))?$')
DIRECTIVE = re.compile(r'^(SKIP|TODO|XFAIL|TIMEOUT|ERROR)(\s.*)?$')
PLAN = re.compile(r'^1\.\.([0-9]+)$')
TOTALS = re.compile(r'^# Totals: pass:([0-9]+) fail:([0-9]+) xfail:([0-9]+) '
                    r'xpass:([0-9]+) skip:([0-9]+) error:([0-9]+)$')
CLOSING = re.compile(r'^([0-9]+) passed, ([0-9]+) failed(, [0-9]+ [a-z]+)*$')


class Checker:
    def __init__(self, name, lines):
        self.name = name
        self.lines = lines
        self.i = 0
        self.faults = []
        # leaf tests: passed, failed, skipped, other directives
        self.counts = {'pass': 0, 'fail': 0, 'skip': 0, 'xfail': 0, 'xpass': 0, 'error': 0}

    def fault(self, message, line=None):
        n = (self.i if line is None else line) + 1
        self.faults.append('%s:%d: %s' % (self.name, n, message))

    def peek(self):
        return self.lines[self.i] if self.i < len(self.lines) else None

    def at(self, indent):
        """The current line without @indent spaces, or None if not at that depth."""
        line = self.peek()
        if line is None or not line.startswith(' ' * indent):
            return None
        rest = line[indent:]
        return None if rest.startswith(' ') else rest

    def count_leaf(self, ok, directive):
        kind = directive.split()[0] if directive else None
        if kind == 'SKIP':
            self.counts['skip'] += 1
        elif kind == 'XFAIL':
            self.counts['xpass' if ok else 'xfail'] += 1
        elif kind in ('TIMEOUT', 'ERROR'):
            self.counts['error'] += 1
        elif kind == 'TODO' or ok:
            self.counts['pass' if ok else 'fail'] += 1
        else:
            self.counts['fail'] += 1

    def document(self, indent, nested):
        """One document at @indent; (its subtest name, whether a test failed)."""
        if self.at(indent) != 'KTAP version 1':
            self.fault('expected "KTAP version 1" at indent %d, got %r' % (indent, self.peek()))
            return None, True
        self.i += 1
        name = None
        rest = self.at(indent)
        if nested and rest is not None and rest.startswith('# Subtest: '):
            name = rest[len('# Subtest: '):]
            self.i += 1
        rest = self.at(indent)
        plan = PLAN.match(rest) if rest is not None else None
        if not plan:
            self.fault('expected the plan "1..N" after the version line, got %r' % self.peek())
            return name, True
        self.i += 1
        planned = int(plan.group(1))
        failed = False
        number = 0
        pending = None  # a nested document waiting for its result line
        while True:
            line = self.peek()
            if line is None:
                break
            rest = self.at(indent)
            if rest is None:
                if line.startswith(' ' * (indent + 4)) and \
                        line[indent + 4:] == 'KTAP version 1':
                    if pending is not None:
                        self.fault('a nested document without its result line')
                    pending = self.document(indent + 4, True)
                    continue
                if indent and not line.startswith(' ' * indent):
                    break  # the parent's line
                self.fault('unexpected indentation: %r' % line)
                self.i += 1
                continue
            if rest.startswith('# Totals:') or CLOSING.match(rest):
                if indent:
                    self.fault('a totals or closing line inside a nested document')
                break
            if rest.startswith('#'):
                self.i += 1
                continue
            result = RESULT.match(rest)
            if not result:
                if indent:
                    break  # the parent's result line, checked there
                self.fault('not a KTAP line: %r' % rest)
                self.i += 1
                continue
            if number == planned and indent:
                break  # this document is done: the line is its parent's
            number += 1
            ok = result.group(1) == 'ok'
            test, directive = result.group(3), result.group(4)
            if int(result.group(2)) != number:
                self.fault('test number %s, expected %d' % (result.group(2), number))
            if not test.strip() and not directive:
                self.fault('a result line without a name')
            if test != test.strip():
                self.fault('blanks around the name %r' % test)
            if directive is not None and not DIRECTIVE.match(directive):
                self.fault('unknown directive %r' % directive)
            if pending is not None:
                sub_name, sub_failed = pending
                if sub_name is not None and sub_name != test:
                    self.fault('result %r closes the subtest %r' % (test, sub_name))
                if sub_failed and ok and not directive:
                    self.fault('"ok" for %r, whose subtests failed' % test)
                pending = None
            else:
                self.count_leaf(ok, directive)
            if not ok and not directive:
                failed = True
            self.i += 1
        if pending is not None:
            self.fault('a nested document without its result line')
        if number != planned:
            self.fault('plan 1..%d, but %d results' % (planned, number))
        return name, failed


def check(name, text, totals, closing):
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    c = Checker(name, lines)
    c.document(0, False)
    want = c.counts
    if totals:
        m = TOTALS.match(c.peek() or '')
        if not m:
            c.fault('expected "# Totals: pass:P fail:F xfail:X xpass:Y skip:S error:E", '
                    'got %r' % c.peek())
        else:
            got = dict(zip(['pass', 'fail', 'xfail', 'xpass', 'skip', 'error'],
                           map(int, m.groups())))
            if got != want:
                c.fault('totals %s, but the results count %s' % (got, want))
            c.i += 1
    if closing:
        m = CLOSING.match(c.peek() or '')
        if not m:
            c.fault('expected the closing "P passed, F failed", got %r' % c.peek())
        else:
            if (int(m.group(1)), int(m.group(2))) != (want['pass'], want['fail']):
                c.fault('closing line %r, but the results count pass %d fail %d' %
                        (c.peek(), want['pass'], want['fail']))
            c.i += 1
    if c.peek() is not None:
        c.fault('text after the document: %r' % c.peek())
    return c.faults


def main(argv):
    args = [a for a in argv[1:] if not a.startswith('--')]
    flags = [a for a in argv[1:] if a.startswith('--')]
    for f in flags:
        if f not in ('--totals', '--closing'):
            print('check-ktap.py: unknown option %s' % f, file=sys.stderr)
            return 2
    if len(args) > 1:
        print('usage: check-ktap.py [--totals] [--closing] [FILE]', file=sys.stderr)
        return 2
    name = args[0] if args else '<stdin>'
    text = open(args[0], encoding='utf-8').read() if args else sys.stdin.read()
    faults = check(name, text, '--totals' in flags, '--closing' in flags)
    for f in faults:
        print(f, file=sys.stderr)
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
