#!/usr/bin/env python3
"""No code is written twice: no run of MIN_LINES lines or more (10 by default) stands
in two places of include/ and tools/, compared line by line with indentation and
blank lines ignored. Prints each copy it finds, and fails if there is one.

    clones_test.py SOURCE_DIR [MIN_LINES]
"""
import collections
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
size = int(sys.argv[2]) if len(sys.argv) > 2 else 10

files = sorted(p for d in ("include", "tools") for p in (root / d).rglob("*") if p.suffix in (".hpp", ".cpp"))
lines = {}
for f in files:
    lines[f] = [(n, l.strip()) for n, l in enumerate(f.read_text().splitlines(), 1) if l.strip()]

# Every window of `size` lines, where it stands.
seen = collections.defaultdict(list)
for f, ls in lines.items():
    for i in range(len(ls) - size + 1):
        seen[tuple(l for _, l in ls[i:i + size])].append((f, i))

# Copies: a window in two places that do not overlap; neighbouring windows make one run.
runs = {}
for places in seen.values():
    if len(places) < 2:
        continue
    for (fa, ia), (fb, ib) in zip(places, places[1:]):
        if fa == fb and abs(ia - ib) < size:
            continue
        key = (fa, fb, ib - ia)
        first, last = runs.get(key, (ia, ia))
        runs[key] = (min(first, ia), max(last, ia))

for (fa, fb, shift), (first, last) in sorted(runs.items(), key=lambda r: (str(r[0][0]), r[1][0])):
    a, b = lines[fa], lines[fb]
    print(f"copy: {fa.relative_to(root)}:{a[first][0]}-{a[last + size - 1][0]} = "
          f"{fb.relative_to(root)}:{b[first + shift][0]}-{b[last + shift + size - 1][0]}")
print(f"{len(files)} files of include/ and tools/: {len(runs)} copies of {size} lines or more")
sys.exit(1 if runs else 0)
