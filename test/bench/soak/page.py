#!/usr/bin/env python3
"""test/bench/soak/page.py: the SQL blocks of a documentation page, by marker,
so that the soak harness runs the deployment as the page documents it.

  page.py PAGE names KIND          the names of KIND's blocks, in page order
  page.py PAGE sql KIND NAME       the SQL of the block marked <!-- KIND: NAME -->
  page.py PAGE sql KIND NAME --score-in-rollup
                                   the same, for the deployment that scores in
                                   the rollup instead of at ingest: the events
                                   block without its generated score column,
                                   the rollup block with that column's
                                   expression where it says 'score'

A marker is an HTML comment line `<!-- KIND: NAME -->`; the block it marks
is the first fenced ```sql block after it, with only blank lines between.
A name marked twice, a marker without its block, or a name not found is an
error (exit 1): the harness must not run half a deployment.
"""
import re
import sys


def blocks(path, kind):
    lines = open(path, encoding="utf-8").read().split("\n")
    marker = re.compile(r"^<!--\s*" + re.escape(kind) + r":\s*(\S+)\s*-->\s*$")
    found = []
    i = 0
    while i < len(lines):
        m = marker.match(lines[i])
        i += 1
        if not m:
            continue
        name = m.group(1)
        while i < len(lines) and lines[i].strip() == "":
            i += 1
        if i == len(lines) or not re.match(r"^```sql\s*$", lines[i]):
            sys.exit(f"{path}: <!-- {kind}: {name} --> is not followed by a ```sql block")
        i += 1
        start = i
        while i < len(lines) and not lines[i].startswith("```"):
            i += 1
        if i == len(lines):
            sys.exit(f"{path}: the block of <!-- {kind}: {name} --> has no end")
        if name in (n for n, _ in found):
            sys.exit(f"{path}: <!-- {kind}: {name} --> is marked twice")
        found.append((name, "\n".join(lines[start:i]) + "\n"))
        i += 1
    return found


def generated_score(sql):
    """(the events block without its score column, the column's expression)"""
    m = re.search(r"\bscore\s+\w+\s+GENERATED\s+ALWAYS\s+AS\s*\(", sql, re.I)
    if not m:
        sys.exit("page.py: no 'score ... GENERATED ALWAYS AS (...)' column in the events block")
    # the comma that ends the column before it, comments between kept
    before = re.search(r",((?:\s*--[^\n]*\n)*\s*)$", sql[:m.start()])
    if not before:
        sys.exit("page.py: the score column is not after another column")
    depth, i = 1, m.end()
    while depth:
        if i == len(sql):
            sys.exit("page.py: the score column's expression has no end")
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    expr = sql[m.end():i - 1].strip()
    rest = re.match(r"\s*STORED", sql[i:], re.I)
    if not rest:
        sys.exit("page.py: the score column is not STORED")
    return sql[:before.start()] + before.group(1).rstrip() + sql[i + rest.end():], expr


def score_in_rollup(found, name, sql):
    events = dict(found).get("events")
    if events is None:
        sys.exit("page.py: --score-in-rollup needs the events block")
    without, expr = generated_score(events)
    if name == "events":
        return without
    if name == "rollup":
        if sql.count("'score'") != 1:
            sys.exit("page.py: the rollup block does not name 'score' once")
        return sql.replace("'score'", "'" + expr.replace("'", "''") + "'")
    return sql


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("names", "sql"):
        sys.exit(__doc__)
    path, what, kind = sys.argv[1:4]
    found = blocks(path, kind)
    if what == "names":
        print("\n".join(n for n, _ in found))
        return
    name = sys.argv[4] if len(sys.argv) > 4 else sys.exit(__doc__)
    for n, sql in found:
        if n == name:
            if "--score-in-rollup" in sys.argv[5:]:
                sql = score_in_rollup(found, name, sql)
            sys.stdout.write(sql)
            return
    sys.exit(f"{path}: no <!-- {kind}: {name} --> block")


if __name__ == "__main__":
    main()
