// karga-fs: file and metadata operations under karga's load models, with fio's
// vocabulary (--op, --bs, --size, --direct, --engine, --depth) and the options every
// karga command shares (load_options.hpp). `karga-fs --help` lists them;
// docs/fs.md has the fio job beside each karga-fs line.
//
// Exit status:
//   0        without thresholds: every operation met no error;
//            with thresholds: every threshold passed
//   1        without thresholds: some operations failed, were dropped or interrupted
//   2        usage: a bad option or value, a file or directory that cannot be prepared
//   99       a threshold failed, at the end or live with abort
//   128 + N  stopped early by signal N (130: SIGINT, 143: SIGTERM): never a pass
#include <karga/cli/command.hpp>
#include <karga/cli/load_options.hpp>
#include <karga/cli/parse.hpp>

#include <karga/fs.hpp>
#include <karga/karga.hpp>

#include <csignal>
#include <cstdio>
#include <string>

namespace {

using results_type = karga::series_aggregate<karga::fs::aggregate>;
using report_type = karga::report_with_series<karga::fs::report>;

// What karga-fs adds to the shared options: the operation and where it is made.
struct fs_options {
  karga::fs::options workload;
  std::string engine = "sync";
  std::optional<unsigned> depth;

  void add_to(karga::cli::command& cmd) {
    using namespace karga::cli;
    CLI::App& app = cmd.app();
    std::string ops, names;
    for (auto name : karga::fs::op_names) {
      ops += (ops.empty() ? "" : "|") + std::string(name);
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    app.add_option_function<std::string>(
           "--op",
           [this, names](const std::string& s) {
             const auto o = karga::fs::parse_op(s);
             if (!o) bad("--op", s, "is not an operation (" + names + ")");
             workload.operation = *o;
           },
           "the operation each action makes:\n" + ops)
        ->type_name("OP")
        ->required();
    app.add_option("--file", workload.file, "the file of read, write, randread, randwrite, append, fsync, fdatasync\n"
                                            "(and of open and stat without --dir)")->type_name("FILE");
    app.add_option("--dir", workload.directory, "the directory of create, unlink, rename, mkdir, readdir (and of open and\n"
                                                "stat): names f0 … f<N-1> (mkdir: d0 …), taken in turn")->type_name("DIR");
    auto size = [&app](const char* name, const char* help, std::uint64_t& out) {
      app.add_option_function<std::string>(name, [&out, name](const std::string& s) {
           try {
             out = karga::fs::parse_size(s);
           } catch (const karga::error& e) {
             throw e.with_context(name);
           }
         }, help)->type_name("SIZE");
    };
    size("--bs", "bytes per read or write: 4k, 64k, 1M (default 4k)", workload.block_size);
    size("--size", "the file's size: a smaller or missing file is made that size, filled with karga's pattern\n"
                   "(default: the file's own size)", workload.size);
    app.add_option_function<std::string>("--files", [this](const std::string& s) {
         workload.names = parse_count(s, "--files", 1, std::uint64_t{1} << 32);
       }, "--dir: how many names (default 1000); open, stat, unlink, rename and readdir find them made")
        ->type_name("N");
    app.add_flag("--direct", workload.direct, "O_DIRECT: past the page cache (not on tmpfs)");
    app.add_flag("--verify", workload.verify, "reads check that each block holds karga's pattern for its offset\n"
                                              "(a file karga made or wrote); a block that does not is an EMISMATCH error");
    app.add_option("--engine", engine, "sync: blocking calls (fio's psync); uring: io_uring (default sync)")
        ->type_name("sync|uring");
    app.add_option_function<std::string>("--depth", [this](const std::string& s) {
         depth = static_cast<unsigned>(parse_count(s, "--depth", 0, 4096));
       }, "sync: threads per shard making the calls (default 0: the shard's own thread, so --threads is\n"
          "fio's numjobs); uring: the ring's entries per shard (default 64), fio's iodepth")
        ->type_name("N");
  }
};

} // namespace

int main(int argc, char** argv) try {
  karga::cli::command cmd{"karga-fs",
                           "karga-fs: file and metadata operations under a load model. With --rate or --stage, an open\n"
                           "model (operations start on a schedule whatever the disk does); without, a closed loop of\n"
                           "--connections workers, like fio's jobs."};
  fs_options fs;
  karga::cli::load_options<report_type, results_type> load;
  fs.add_to(cmd);
  load.add_to(cmd);
  cmd.parse(argc, argv);
  if (fs.engine != "sync" && fs.engine != "uring")
    cmd.usage_error("--engine: \"" + fs.engine + "\" is not an engine: sync or uring");
  fs.workload.engine = fs.engine == "uring" ? karga::fs::engine::uring : karga::fs::engine::sync;
  fs.workload.depth = fs.depth.value_or(fs.workload.engine == karga::fs::engine::uring ? 64 : 0);
  if (fs.workload.engine == karga::fs::engine::uring && fs.workload.depth == 0)
    cmd.usage_error("--depth: io_uring needs at least 1 entry");
  load.check(cmd);

  std::signal(SIGXFSZ, SIG_IGN);  // a file past RLIMIT_FSIZE is an EFBIG error, counted, not the end of the process
  const karga::fs::workload workload = [&] {
    try {
      return karga::fs::workload(fs.workload);
    } catch (const karga::error& e) {
      cmd.usage_error(e.message());
    }
  }();
  const bool on_directory = fs.workload.file.empty() ||
                            (karga::fs::uses_names(fs.workload.operation) && !fs.workload.directory.empty());
  const std::string target = std::string(karga::fs::to_string(fs.workload.operation)) + " " +
                             (on_directory ? fs.workload.directory : fs.workload.file);
  if (load.find_max) return load.find_max_rate<karga::fs::aggregate>(target, workload);
  return load.run_and_report(cmd, workload, "karga-fs",
                             target + " (engine " + fs.engine + ", depth " + std::to_string(fs.workload.depth) + ")");
} catch (const karga::error& e) {
  std::fprintf(stderr, "karga-fs: %s\n", e.message().c_str());
  return karga::cli::exit_usage;
}
