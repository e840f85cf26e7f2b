// The embedded server as a process of its own, for tests of karga-http: prints its
// URL, then serves until SIGINT or SIGTERM.
//   karga_target [--port N] [--ipv6] [--idle-timeout MS] [--threads N]
#include <karga/http/testing/embedded_server.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  karga::http::server_options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : "0";
    if (a == "--port") opt.port = static_cast<unsigned short>(std::atoi(v)), ++i;
    else if (a == "--ipv6") opt.address = "::1";
    else if (a == "--idle-timeout") opt.idle_timeout = std::chrono::milliseconds(std::atoi(v)), ++i;
    else if (a == "--threads") opt.threads = static_cast<unsigned>(std::atoi(v)), ++i;
    else {
      std::fprintf(stderr, "karga_target: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server's threads inherit the mask
  karga::http::embedded_server server(opt);
  std::printf("%s\n", server.url().c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  std::printf("served %llu requests on %llu connections\n", static_cast<unsigned long long>(server.requests()),
              static_cast<unsigned long long>(server.connections()));
  return 0;
}
