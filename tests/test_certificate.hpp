#pragma once
// A self-signed certificate for 127.0.0.1, made by the openssl command for this run
// (a test of TLS trusts it through a CA file).
#include "catch.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

struct test_certificate {
  std::string dir, cert, key;
  test_certificate() {
    char tmpl[] = "/tmp/karga-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                            "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  ~test_certificate() { std::filesystem::remove_all(dir); }
};
