#!/usr/bin/env python3
"""The tree keeps the shape docs/architecture.md gives it:

- include/karga/ holds only the seven umbrella headers; every other header is in the
  folder of its target;
- a folder includes only the folders it may depend on (no cycle, the core needs
  nothing of the adapters);
- only the folders of the targets that link them include zlib, Beast, Boost.URL,
  OpenSSL, nghttp2, liburing or CLI11 (but for a header that includes one only where
  Asio itself does);
- every 0.1 path in compat/ forwards, with a warning, to headers that exist.

    layout_test.py SOURCE_DIR
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
include = root / "include" / "karga"
failures = []

umbrellas = {p.name for p in include.glob("*.hpp")}
if umbrellas != {"karga.hpp", "http.hpp", "grpc.hpp", "results.hpp", "prometheus.hpp", "fs.hpp", "cli.hpp", "push.hpp"}:
    failures.append(f"include/karga/ holds {sorted(umbrellas)}, not only the eight umbrellas")

core = {"core", "measure", "load", "run", "executors", "report", "reporters"}
may_include = {
    "core": {"core"},
    "measure": {"core", "measure"},
    "load": {"core", "load"},
    "run": {"core", "measure", "load", "run"},
    "executors": {"core", "measure", "load", "run", "executors", "report"},
    "report": {"core", "measure", "report"},
    "reporters": {"core", "measure", "report", "reporters"},
    "files": core | {"files"},
    "exporters": {"core", "measure", "exporters"},
    "push": core | {"exporters", "push"},
    "http": core | {"files", "http"},
    "grpc": core | {"files", "http", "grpc"},
    "fs": core | {"files", "fs"},
    "cli": core | {"files", "exporters", "push", "cli"},
}
heavy = {
    "zlib.h": {"files", "grpc"},
    "boost/beast": {"exporters", "push", "http"},
    "boost/url": {"push", "http"},
    "snappy": {"push"},
    "openssl": {"push", "http"},
    "boost/asio/ssl": {"push", "http"},
    "boost/beast/ssl": {"push", "http"},
    "nghttp2": {"http", "grpc"},
    "liburing": {"fs"},
    "CLI/": {"cli"},
}
# Headers that include one of those only where Asio itself already does.
heavy_exceptions = {
    ("run/asio_io_uring.hpp", "liburing"),  # only on Asio's io_uring backend, which includes liburing
}
folders = {p.name for p in include.iterdir() if p.is_dir()}
if folders != set(may_include):
    failures.append(f"folders {sorted(folders)} are not the targets' {sorted(may_include)}")

headers = sorted(p for p in include.rglob("*.hpp") if p.parent != include)
for h in headers:
    folder = h.relative_to(include).parts[0]
    for line in h.read_text().splitlines():
        m = re.match(r"#include <([^>]+)>", line)
        if not m:
            continue
        target = m.group(1)
        if target.startswith("karga/"):
            parts = target.split("/")
            if len(parts) < 3:
                failures.append(f"{h.relative_to(root)} includes the umbrella {target}")
            elif parts[1] not in may_include.get(folder, set()):
                failures.append(f"{h.relative_to(root)} ({folder}/) includes {target} ({parts[1]}/)")
            elif not (root / "include" / target).exists():
                failures.append(f"{h.relative_to(root)} includes {target}, which does not exist")
        for prefix, allowed in heavy.items():
            if target.startswith(prefix) and folder not in allowed and \
                    (h.relative_to(include).as_posix(), prefix) not in heavy_exceptions:
                failures.append(f"{h.relative_to(root)} ({folder}/) includes {target}, which {folder}/ must not need")

compat = sorted((root / "compat" / "karga").rglob("*.hpp"))
for c in compat:
    text = c.read_text()
    old = c.relative_to(root / "compat").as_posix()
    targets = re.findall(r"#include <([^>]+)>", text)
    if f'#pragma GCC warning "<{old}> is deprecated' not in text or not targets:
        failures.append(f"{c.relative_to(root)} does not forward with a warning")
    for t in targets:
        if not (root / "include" / t).exists():
            failures.append(f"{c.relative_to(root)} forwards to {t}, which does not exist")

for f in failures:
    print("FAIL:", f)
print(f"{len(headers)} headers in {len(folders)} folders, {len(compat)} forwarding 0.1 paths: "
      + ("the layout holds" if not failures else f"{len(failures)} failures"))
sys.exit(1 if failures else 0)
