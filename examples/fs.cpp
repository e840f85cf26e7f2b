// The seed example's staged profile over files: 0→2,000 operations/s over 2 s,
// 2,000/s for 6 s, 2,000→0/s over 2 s (--quick: 1 s, 3 s, 1 s), each operation a
// random 4 KiB read checked against what was written there, or (--metadata) a stat
// of one of 1,000 files, through io_uring.
//
//   fs [DIR] [--quick] [--metadata]     (DIR: where its file goes; default /var/tmp)
#include <karga/fs.hpp>
#include <karga/karga.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

using namespace std::chrono_literals;

int main(int argc, char** argv) try {
  std::string dir = "/var/tmp";
  bool quick = false, metadata = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--metadata") == 0) metadata = true;
    else dir = argv[i];
  }
  const std::string place = dir + "/karga-fs-example-" + std::to_string(::getpid());
  karga::fs::options o;
  o.engine = karga::fs::engine::uring;
  o.depth = 32;
  if (metadata) {
    o.operation = karga::fs::op::stat;
    o.directory = place;
    o.names = 1000;
  } else {
    o.operation = karga::fs::op::randread;
    o.file = place + ".dat";
    o.size = 32 << 20;  // made and filled with karga's pattern
    o.verify = true;
  }
  const karga::fs::workload operations{o};  // checks the options, prepares the file or the names

  const double s = quick ? 0.5 : 1.0;
  auto results = karga::scenario<karga::fs::aggregate>::builder()
                     .name(metadata ? "stat of 1,000 files" : "random 4 KiB reads")
                     .action(operations)
                     .executor(karga::stage_executor::builder()
                                   .stages({{2s * s, 2000.0}, {6s * s, 2000.0}, {2s * s, 0.0}})
                                   .build())
                     .build()
                     .run();
  karga::fs::report report{results};
  karga::stdout_reporter{}.report(report);
  std::filesystem::remove_all(place);
  std::filesystem::remove(place + ".dat");
  return report.all_ok() ? 0 : 1;
} catch (const karga::error& e) {
  std::fprintf(stderr, "fs: %s\n", e.message().c_str());
  return 2;
}
