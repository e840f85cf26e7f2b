#!/usr/bin/env python3
"""Every ```cpp block of README.md, docs/*.md and the doc comments under include/
compiles, so that no example goes stale.

A block is one of three kinds, told by what it holds:
- a program (it has `int main(`): compiled as it stands, in a file of its own;
- declarations (it starts with struct, class, template or namespace): compiled at
  namespace scope after the prelude below;
- statements (anything else): compiled as the body of a function after the prelude.
`#include` lines of a block go to the top of its file; a fragment may leave what it
declares unused. The prelude includes every
umbrella header and gives the names the docs use without declaring them: `action`
(an action of basic metrics), `http_action`, `client`, `executor`, `scenario` (and
`browse`, `checkout`, `warm_up`, `peak`), `ctx`, `aggregate`, `results`, `report` and
`token_from`.

    docs_test.py SOURCE_DIR WORK_DIR COMPILER [FLAG ...]
"""
import pathlib
import re
import subprocess
import sys

root, work, compiler, flags = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
work.mkdir(parents=True, exist_ok=True)

PRELUDE = r'''
#include <karga/karga.hpp>
#include <karga/cli.hpp>
#include <karga/fs.hpp>
#include <karga/grpc.hpp>
#include <karga/http.hpp>
#include <karga/prometheus.hpp>
#include <karga/push.hpp>
#include <karga/results.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace doc {
inline auto action = []() -> boost::asio::awaitable<karga::basic_metric> { co_return karga::basic_metric{.success = true}; };
inline const karga::http::client client{"http://127.0.0.1:8080"};
inline auto http_action = []() -> boost::asio::awaitable<karga::http::metric> {
  const auto start = karga::clock::now();
  auto res = co_await client.get("/");
  co_return karga::http::to_metric(res, karga::clock::now() - start);
};
inline const auto executor = karga::stage_executor::builder().stage(1s, 10.0).build();
inline const auto scenario = karga::scenario<karga::basic_aggregate>::builder().action(action).executor(executor).build();
inline const auto browse = scenario, checkout = scenario, warm_up = scenario, peak = scenario;
inline boost::asio::io_context ctx;
inline karga::basic_aggregate aggregate;
inline karga::series_aggregate<karga::basic_aggregate> results;
inline karga::basic_report report;
inline std::string token_from(const std::string& body) { return body; }
} // namespace doc
using namespace doc;
'''

# In a function, what a lambda in a fragment captures by copy must be local.
LOCALS = "[[maybe_unused]] const karga::http::client& client = doc::client;"


def markdown_blocks(path):
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```cpp":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            yield i + 1, [l[len(lines[i]) - len(lines[i].lstrip()):] for l in lines[i + 1:j]]
            i = j
        i += 1


def header_blocks(path):
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "/// ```cpp":
            j = i + 1
            while lines[j].strip() != "/// ```":
                j += 1
            yield i + 1, [re.sub(r"^\s*/// ?", "", l) for l in lines[i + 1:j]]
            i = j
        i += 1


sources = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
headers = sorted((root / "include").rglob("*.hpp"))
blocks = []
for p in sources:
    blocks += [(p, n, b) for n, b in markdown_blocks(p)]
for p in headers:
    blocks += [(p, n, b) for n, b in header_blocks(p)]
fences = sum(p.read_text().count("```cpp") for p in sources + headers)

programs, fragments, kinds = [], [], {}
for index, (path, line, body) in enumerate(blocks):
    where = f"{path.relative_to(root)}:{line}"
    includes = [l for l in body if l.startswith("#include")]
    code = "\n".join(l for l in body if not l.startswith("#include"))
    first = next((l.strip() for l in body if l.strip() and not l.startswith("#") and not l.strip().startswith("//")), "")
    if re.search(r"\bint main\(", code):
        kind = "program"
        programs.append((where, "\n".join(body)))
    elif re.match(r"(struct|class|template|namespace)\b", first):
        kind = "declarations"
        fragments.append((where, includes, f"namespace block_{index} {{\n#line {line + 1} \"{where.split(':')[0]}\"\n{code}\n}}"))
    else:
        kind = "statements"
        fragments.append((where, includes, f"[[maybe_unused]] void block_{index}() {{\n{LOCALS}\n#line {line + 1} \"{where.split(':')[0]}\"\n{code}\n}}"))
    kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{where}: {kind}")

units = []
all_includes = sorted({i for _, inc, _ in fragments for i in inc})
units.append(("fragments", "\n".join(all_includes) + PRELUDE + "\n".join(f for _, _, f in fragments) + "\n"))
for k, (where, text) in enumerate(programs):
    units.append((f"program_{k}", f"#line 1 \"{where.split(':')[0]}\"\n" + text + "\n"))

failed = False
for name, text in units:
    src = work / f"{name}.cpp"
    src.write_text(text)
    # A fragment is a piece of a program: it may declare what it does not use.
    quiet = ["-Wno-unused-variable", "-Wno-unused-but-set-variable"] if name == "fragments" else []
    run = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", *flags, *quiet, str(src)], capture_output=True, text=True)
    if run.returncode != 0:
        failed = True
        print(f"FAIL: {name} does not compile:\n{run.stderr[:6000]}")

print(f"{len(blocks)} cpp blocks compiled ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); "
      f"{fences} ```cpp fences in README.md, docs/ and include/")
if len(blocks) != fences:
    print("FAIL: the count of blocks differs from the count of fences")
    failed = True
sys.exit(1 if failed else 0)
