"""karga as a Conan 2 package: header-only, a component per CMake target.

    conan create conan/ --build=missing -o "karga/*:http=True"

Components: karga::core (always), karga::results, karga::prometheus, karga::push,
karga::http, karga::grpc, karga::fs and karga::cli, each turned on by the option of its name.
"""
import os

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy

# option -> (CMake option, CMake target, what it needs beyond the core)
COMPONENTS = {
    "results": ("KARGA_RESULTS", "karga::results", ["zlib::zlib"]),
    "prometheus": ("KARGA_PROMETHEUS", "karga::prometheus", []),
    "push": ("KARGA_PUSH", "karga::push", ["prometheus", "boost::url", "openssl::openssl", "snappy::snappy"]),
    "http": ("KARGA_HTTP", "karga::http", ["results", "boost::url", "openssl::openssl", "libnghttp2::libnghttp2"]),
    "grpc": ("KARGA_GRPC", "karga::grpc", ["http", "zlib::zlib"]),
    "fs": ("KARGA_FS", "karga::fs", ["results", "liburing::liburing"]),
    "cli": ("KARGA_CLI", "karga::cli", ["results", "prometheus", "push", "cli11::cli11"]),
}


class KargaConan(ConanFile):
    name = "karga"
    version = "0.2.0"
    license = "MIT"
    description = "A small, flexible load-testing core for C++20, header-only"
    topics = ("load-testing", "benchmark", "header-only", "asio")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {name: [True, False] for name in COMPONENTS}
    default_options = {"results": True, "prometheus": True, "push": False, "http": False, "grpc": False, "fs": False, "cli": False}
    no_copy_source = True

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..")
        for pattern in ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "compat/*"):
            copy(self, pattern, root, self.export_sources_folder)

    def validate(self):
        for name, (_, _, needs) in COMPONENTS.items():
            for other in needs:
                if other in COMPONENTS and self.options.get_safe(name) and not self.options.get_safe(other):
                    raise ConanInvalidConfiguration(f"karga's {name} component needs {other}=True")
        if self.options.fs and self.settings.os != "Linux":
            raise ConanInvalidConfiguration("karga's fs component needs Linux (io_uring)")

    def requirements(self):
        self.requires("boost/1.83.0")
        self.requires("fmt/10.2.1")
        if self.options.results:
            self.requires("zlib/1.3.1")
        if self.options.http or self.options.push:
            self.requires("openssl/3.2.1")
            self.requires("libnghttp2/1.59.0")
        if self.options.fs:
            self.requires("liburing/2.4")
        if self.options.push:
            self.requires("snappy/1.1.10")
        if self.options.cli:
            self.requires("cli11/2.4.1")

    def package_id(self):
        self.info.settings.clear()  # the same headers for every compiler; the options choose the files

    def layout(self):
        cmake_layout(self)

    def generate(self):
        tc = CMakeToolchain(self)
        for name, (option, _, _) in COMPONENTS.items():
            tc.cache_variables[option] = bool(self.options.get_safe(name))
        for part in ("TESTS", "EXAMPLES", "BENCH", "TOOLS"):
            tc.cache_variables[f"KARGA_BUILD_{part}"] = False
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        CMake(self).configure()

    def package(self):
        CMake(self).install()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "karga")
        if self.options.get_safe("grpc"):
            # karga_grpc_messages(), for typed messages from a .proto (CMakeDeps includes it).
            self.cpp_info.set_property("cmake_build_modules", ["share/karga/karga-grpc-messages.cmake"])
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        core = self.cpp_info.components["core"]
        core.set_property("cmake_target_name", "karga::karga")
        core.set_property("pkg_config_name", "karga")
        core.requires = ["boost::headers", "fmt::fmt"]
        core.system_libs = ["pthread"]
        core.bindirs = []
        core.libdirs = []
        for name, (_, target, needs) in COMPONENTS.items():
            if not self.options.get_safe(name):
                continue
            c = self.cpp_info.components[name]
            c.set_property("cmake_target_name", target)
            c.set_property("pkg_config_name", f"karga-{name}")
            c.requires = ["core"] + needs
            c.bindirs = []
            c.libdirs = []
