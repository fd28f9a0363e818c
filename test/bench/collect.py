#!/usr/bin/env python3
"""test/bench/collect.py: turns what the harness measured into rows of the
raw CSV (test/bench/results.csv), and checks that every candidate computed
the same total.  run.sh calls it; report.py reads the CSV it writes.

  collect.py CSV meta KEY VALUE             one fact about the run
  collect.py CSV timing SECTION CONFIG WORKERS JIT < psql output
                                            \\timing runs between "@@" markers
  collect.py CSV plan CONFIG < EXPLAIN output between "@@" markers
  collect.py CSV jit CONFIG < EXPLAIN ANALYZE output between "@@" markers
  collect.py CSV python ROUND < "@@ NAME" then seed_stages.py's line, repeated
  collect.py CSV core ROUND < core_bench output
  collect.py CSV check                      exits 1, loudly, on any mismatch

A marker line is "@@ ROUND CANDIDATE ROWS EXPECT"; EXPECT says what the
result must equal: "score" (the default pipeline's total over ROWS events,
the same for every candidate, configuration and round), "scan" (sum(value)
over ROWS events, the same everywhere), "count" (ROWS itself) or "none".
"""
import csv
import os
import re
import sys

COLUMNS = ["section", "config", "workers", "jit", "candidate", "rows",
           "round", "ms", "result", "expect", "note"]

TIME_RE = re.compile(r"^Time: ([0-9.]+) ms")
JIT_TIMING_RE = re.compile(r"Timing: (.*), Total ([0-9.]+) ms")


def append(path, rows):
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    with open(path, "a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        if new:
            w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def blocks(lines):
    """Yields (marker fields, lines up to the next marker)."""
    marker = None
    body = []
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("@@ "):
            if marker is not None:
                yield marker, body
            marker = line[3:].split()
            body = []
        elif marker is not None and line.strip():
            body.append(line)
    if marker is not None:
        yield marker, body


def parse_marker(m):
    rnd, cand, rows, expect = (m + ["", "", "", ""])[:4]
    return {"round": rnd, "candidate": cand, "rows": rows, "expect": expect or "none"}


def timing(section, config, workers, jit, lines):
    rows = []
    for m, body in blocks(lines):
        r = parse_marker(m)
        r.update(section=section, config=config, workers=workers, jit=jit)
        values = [b for b in body if not TIME_RE.match(b)]
        times = [float(TIME_RE.match(b).group(1)) for b in body if TIME_RE.match(b)]
        if r["round"] != "-1" and len(times) != 1:
            sys.exit(f"collect.py: {config} {r['candidate']} round {r['round']}: "
                     f"expected one 'Time:' line, got {len(times)}: {body}")
        r["ms"] = f"{times[0]:.3f}" if times else ""
        r["result"] = values[0].strip() if values else ""
        rows.append(r)
    return rows


def plan(config, lines):
    rows = []
    for m, body in blocks(lines):
        r = parse_marker(m)
        text = "\n".join(body)
        w = re.search(r"Workers Planned: (\d+)", text)
        inl = re.search(r"Inlining (true|false)", text)
        r.update(section="plan", config=config, result=w.group(1) if w else "0",
                 note=("jit inlining " + inl.group(1)) if inl else "no jit")
        rows.append(r)
    return rows


def jit(config, lines):
    rows = []
    for m, body in blocks(lines):
        r = parse_marker(m)
        text = "\n".join(body)
        t = JIT_TIMING_RE.search(text)
        fn = re.search(r"Functions: (\d+)", text)
        ex = re.search(r"Execution Time: ([0-9.]+) ms", text)
        r.update(section="jit", config=config,
                 result=t.group(2) if t else "",
                 ms=ex.group(1) if ex else "",
                 note=(f"functions {fn.group(1) if fn else '?'}; {t.group(1)}" if t else "no jit"))
        rows.append(r)
    return rows


def python_rounds(rnd, lines):
    rows = []
    name = None
    for line in lines:
        line = line.strip()
        if line.startswith("@@ "):
            name = line[3:].split()
            continue
        m = re.match(r"total=(-?\d+) seconds=([0-9.]+) values=(\d+)", line)
        if m and name:
            rows.append({"section": "python", "config": "python",
                         "workers": str(os.cpu_count()) if name[0] != "stage2" else "1",
                         "jit": "", "candidate": name[0], "rows": m.group(3),
                         "round": rnd, "ms": f"{float(m.group(2)) * 1000:.3f}",
                         "result": m.group(1), "expect": "score"})
            name = None
    if name is not None:
        sys.exit(f"collect.py: no result line from {name[0]}")
    return rows


def core(rnd, lines):
    rows = []
    for line in lines:
        line = line.strip()
        if not line.startswith("core_bench "):
            continue
        path = re.search(r"path=(\S+)", line)
        pipe = re.search(r'pipeline="([^"]*)"', line)
        vps = re.search(r"values_per_second=([0-9.]+)", line)
        ns = re.search(r"ns_per_value=([0-9.]+)", line)
        if not (pipe and vps):
            sys.exit(f"collect.py: cannot read core_bench line: {line}")
        rows.append({"section": "core", "config": path.group(1) if path else "batch",
                     "candidate": pipe.group(1), "round": rnd,
                     "result": vps.group(1), "ms": ns.group(1) if ns else "",
                     "expect": "none", "note": line})
    if not rows:
        sys.exit("collect.py: core_bench printed no 'core_bench ...' line")
    return rows


def check(path):
    """Every score total for the same number of rows agrees, everywhere."""
    rows = [r for r in read(path) if r["section"] in ("query", "python", "ingest")]
    problems = []
    for expect in ("score", "scan"):
        by_rows = {}
        for r in rows:
            if r["expect"] == expect:
                by_rows.setdefault(r["rows"], {}).setdefault(r["result"], []).append(r)
        for n, results in sorted(by_rows.items(), key=lambda kv: int(kv[0])):
            if len(results) > 1:
                majority = max(results, key=lambda k: len(results[k]))
                for value, rs in results.items():
                    if value == majority:
                        continue
                    for r in rs:
                        problems.append(
                            f"{expect} over {n} rows: {r['section']} {r['config']} "
                            f"{r['candidate']} round {r['round']} returned {value!r}, "
                            f"the others {majority!r}")
    for r in rows:
        if r["expect"] == "count" and r["result"] != r["rows"]:
            problems.append(f"count: {r['config']} {r['candidate']} round {r['round']} "
                            f"returned {r['result']!r}, expected {r['rows']}")
    if problems:
        print("\n*** BENCHMARK RESULTS DISAGREE ***", file=sys.stderr)
        for p in problems[:40]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 40:
            print(f"  ... and {len(problems) - 40} more", file=sys.stderr)
        sys.exit(1)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, what, args = argv[1], argv[2], argv[3:]
    if what == "check":
        check(path)
        return
    if what == "meta":
        rows = [{"section": "meta", "candidate": args[0], "result": args[1]}]
    elif what == "timing":
        rows = timing(args[0], args[1], args[2], args[3], sys.stdin)
    elif what == "plan":
        rows = plan(args[0], sys.stdin)
    elif what == "jit":
        rows = jit(args[0], sys.stdin)
    elif what == "python":
        rows = python_rounds(args[0], sys.stdin)
    elif what == "core":
        rows = core(args[0], sys.stdin)
    else:
        sys.exit(f"collect.py: unknown command {what!r}")
    append(path, rows)


if __name__ == "__main__":
    main(sys.argv)
