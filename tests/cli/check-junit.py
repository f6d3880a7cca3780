#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks JUnit XML against the structure of the common schema (the one
Jenkins' junit plugin and most CIs read: testsuites > testsuite > testcase).

    check-junit.py [FILE]     (stdin without FILE)

Exit 0 when it holds, else 1 with a message per fault on stderr:

  - well-formed XML; the root is <testsuites> (or a single <testsuite>);
  - a <testsuite> has a name, and tests/failures/errors/skipped counts that
    are non-negative integers and agree with its <testcase> children;
    <testsuites> counts agree with the sum of its suites;
  - a <testcase> has a name and a classname, at most one of <failure>,
    <error>, <skipped>, and no other children but <system-out>,
    <system-err> and <properties>;
  - every time attribute is a non-negative decimal number of seconds;
  - no attribute the schema does not know.
"""
import re
import sys
import xml.etree.ElementTree as ET

TIME = re.compile(r'^[0-9]+(\.[0-9]+)?$')
SUITES_ATTRS = {'name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time', 'timestamp'}
SUITE_ATTRS = SUITES_ATTRS | {'hostname', 'id', 'package', 'file', 'assertions'}
CASE_ATTRS = {'name', 'classname', 'time', 'status', 'assertions', 'file', 'line'}
OUTCOMES = {'failure', 'error', 'skipped'}
CASE_CHILDREN = OUTCOMES | {'system-out', 'system-err', 'properties'}


def count(element, attr, faults, where):
    value = element.get(attr)
    if value is None:
        return None
    if not value.isdigit():
        faults.append('%s: %s="%s" is not a count' % (where, attr, value))
        return None
    return int(value)


def check_time(element, faults, where):
    value = element.get('time')
    if value is not None and not TIME.match(value):
        faults.append('%s: time="%s" is not a number of seconds' % (where, value))


def check_case(case, faults, where):
    for attr in ('name', 'classname'):
        if not case.get(attr):
            faults.append('%s: a testcase without %s' % (where, attr))
    unknown = set(case.attrib) - CASE_ATTRS
    if unknown:
        faults.append('%s: unknown testcase attributes %s' % (where, sorted(unknown)))
    check_time(case, faults, where)
    outcomes = [c.tag for c in case if c.tag in OUTCOMES]
    if len(outcomes) > 1:
        faults.append('%s: more than one of failure, error, skipped: %s' % (where, outcomes))
    for child in case:
        if child.tag not in CASE_CHILDREN:
            faults.append('%s: <%s> inside a testcase' % (where, child.tag))
    return outcomes[0] if outcomes else 'passed'


def check_suite(suite, faults, index):
    where = 'testsuite %d (%s)' % (index, suite.get('name'))
    if not suite.get('name'):
        faults.append('%s: a testsuite without a name' % where)
    unknown = set(suite.attrib) - SUITE_ATTRS
    if unknown:
        faults.append('%s: unknown testsuite attributes %s' % (where, sorted(unknown)))
    check_time(suite, faults, where)
    tally = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for n, child in enumerate(suite):
        if child.tag == 'testcase':
            outcome = check_case(child, faults, '%s testcase %d' % (where, n + 1))
            tally['tests'] += 1
            if outcome == 'failure':
                tally['failures'] += 1
            elif outcome == 'error':
                tally['errors'] += 1
            elif outcome == 'skipped':
                tally['skipped'] += 1
        elif child.tag not in ('properties', 'system-out', 'system-err'):
            faults.append('%s: <%s> inside a testsuite' % (where, child.tag))
    for attr, want in tally.items():
        got = count(suite, attr, faults, where)
        if attr == 'tests' and got is None:
            faults.append('%s: no tests count' % where)
        elif got is not None and got != want:
            faults.append('%s: %s="%d" but %d testcases say so' % (where, attr, got, want))
    return tally


def check(text):
    faults = []
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return ['not well-formed XML: %s' % e]
    if root.tag == 'testsuite':
        check_suite(root, faults, 1)
        return faults
    if root.tag != 'testsuites':
        return ['the root is <%s>, not <testsuites> or <testsuite>' % root.tag]
    unknown = set(root.attrib) - SUITES_ATTRS
    if unknown:
        faults.append('testsuites: unknown attributes %s' % sorted(unknown))
    check_time(root, faults, 'testsuites')
    total = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for n, suite in enumerate(root):
        if suite.tag != 'testsuite':
            faults.append('testsuites: <%s> where a testsuite goes' % suite.tag)
            continue
        for attr, value in check_suite(suite, faults, n + 1).items():
            total[attr] += value
    for attr, want in total.items():
        got = count(root, attr, faults, 'testsuites')
        if got is not None and got != want:
            faults.append('testsuites: %s="%d" but the suites count %d' % (attr, got, want))
    return faults


def main(argv):
    if len(argv) > 2:
        print('usage: check-junit.py [FILE]', file=sys.stderr)
        return 2
    text = open(argv[1], encoding='utf-8').read() if len(argv) == 2 else sys.stdin.read()
    faults = check(text)
    for f in faults:
        print(f, file=sys.stderr)
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
