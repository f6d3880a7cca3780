#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Put a command's output into the generated block of a document.

    ./build/normal/kfp list --markdown | python3 docs/gen-doc-blocks.py NAME docs/scenario-format.md

replaces what lies between `<!-- generated: NAME -->` and
`<!-- end generated -->` in the document with standard input.  With
--check it rewrites nothing and exits 1 when the document differs from
the input (the CLI tests use that), 2 when the markers are missing.
"""
import sys


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if len(args) != 2:
        sys.stderr.write("usage: gen-doc-blocks.py [--check] NAME DOCUMENT <OUTPUT\n")
        return 2
    name, path = args
    begin, end = "<!-- generated: %s -->\n" % name, "<!-- end generated -->\n"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find(begin)
    stop = text.find(end, start + len(begin)) if start >= 0 else -1
    if start < 0 or stop < 0:
        sys.stderr.write("%s: no block '%s'\n" % (path, name))
        return 2
    block = sys.stdin.read()
    new = text[: start + len(begin)] + block + text[stop:]
    if check:
        if new != text:
            sys.stderr.write("%s: block '%s' differs from the binary's output "
                             "(make docs regenerates it)\n" % (path, name))
            return 1
        return 0
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
