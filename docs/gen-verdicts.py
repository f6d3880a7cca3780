#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Regenerate the generated parts of docs/verdicts.md from a run.

    ./build/normal/kfp check --json scenarios | python3 docs/gen-verdicts.py docs/verdicts.md

reads the JSON of `kfp check` on the bundled library and rewrites what lies
between each `<!-- generated: NAME -->` and `<!-- end generated -->` pair of
the document: the matrix (`matrix`) and one entry per cell that is not safe
(`cells`), with the scenario's own narration and a replay command that the
run printed.  With --check it rewrites nothing and exits 1 when the document
differs from what the run gives (the test suite uses that).  Everything
outside the markers is written by hand.
"""
import json
import re
import sys

DESIGNS = ["pre-cve", "legacy", "sketch", "v9", "upstream", "proposal"]


def scenario_header(path):
    """The scenario's injection and its doc block, as written in the file."""
    inject, doc, in_doc = None, [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if in_doc:
                if line.strip() == "}":
                    in_doc = False
                else:
                    doc.append(line.rstrip())
                continue
            m = re.match(r"\s*param\s+inject\s*=?\s*(\S+)", line)
            if m:
                inject = m.group(1)
            if re.match(r"\s*doc\s*\{\s*$", line):
                in_doc = True
    return inject, doc


def replay_of(cell):
    """A command that replays the cell's verdict: its counterexample, or the
    witness of the expectation that confirmed what is violated or accepted."""
    if cell.get("counterexample"):
        return cell["counterexample"]["replay"]
    for x in cell.get("expectations", []):
        if x.get("replay") and re.match(r"(sometimes|accepted) (P[123]|invariant)$", x["expect"]):
            return x["replay"]
    return None


def matrix(rows, files):
    out = ["| scenario | injection | " + " | ".join(DESIGNS) + " |",
           "|---|---|" + "---|" * len(DESIGNS)]
    for name, cells in rows.items():
        inject, _ = scenario_header(files[name])
        out.append("| %s | %s | %s |" % (name, inject or "",
                   " | ".join(cells[d]["verdict"] if d in cells else "" for d in DESIGNS)))
    return out


def not_safe(rows, files):
    out = []
    for name, cells in rows.items():
        groups = {}
        for d in DESIGNS:
            if d in cells and cells[d]["verdict"] != "safe":
                groups.setdefault(cells[d]["verdict"], []).append(d)
        if not groups:
            continue
        inject, doc = scenario_header(files[name])
        out.append("")
        out.append("### %s (`%s`)" % (name, files[name]))
        out.append("")
        if inject:
            out.append("Injection `%s`: old code put back into every design it applies to." % inject)
            out.append("")
        out.append("```")
        out.extend(doc)
        out.append("```")
        out.append("")
        for verdict, designs in groups.items():
            out.append("- **%s**: %s" % (verdict, ", ".join(designs)))
            for d in designs:
                command = replay_of(cells[d])
                if command:
                    out.append("  - `%s`" % command)
    return out


def splice(text, name, lines):
    begin = "<!-- generated: %s -->" % name
    end = "<!-- end generated -->"
    start = text.index(begin) + len(begin)
    stop = text.index(end, start)
    return text[:start] + "\n" + "\n".join(lines) + "\n" + text[stop:]


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    if len(args) != 1:
        sys.exit("usage: kfp check --json scenarios | gen-verdicts.py [--check] DOC")
    run = json.load(sys.stdin)
    rows, files = {}, {}
    for cell in run["results"]:
        rows.setdefault(cell["scenario"], {})[cell["variant"]] = cell
        files[cell["scenario"]] = cell["file"]
    with open(args[0], encoding="utf-8") as f:
        old = f.read()
    new = splice(old, "matrix", matrix(rows, files))
    new = splice(new, "cells", not_safe(rows, files))
    if check:
        if new != old:
            sys.exit("%s is out of date: run make verdicts" % args[0])
        return
    with open(args[0], "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main()
