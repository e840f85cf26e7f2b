#!/usr/bin/env python3
"""conan/conanfile.py run as Conan 2 would run it, with Conan's API stood in for by
classes that do what it would do here (Conan is not run): the recipe's exported
sources alone configure, build and install karga with the CMake variables its
generate() sets; then

- the packaged components are those the options asked for, no more;
- each component package_info() declares names a target the installed CMake
  package exports, and requires only declared components or dependencies;
- the dependencies requirements() asks for follow the options;
- its version is karga's;
- validate() refuses a component without the one it needs;
- test_package/ builds against the package and runs.

    conan_recipe.py SOURCE_DIR WORK_DIR GENERATOR CXX [LAUNCHER]
"""
import glob
import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys
import types

source, work, generator, cxx = sys.argv[1:5]
launcher = [a for a in sys.argv[5:] if a]
work = pathlib.Path(work)
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
failures = []


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


# Conan's API, as much as the recipe uses.
class Options(dict):
    def __getattr__(self, name):
        return self[name]

    def get_safe(self, name):
        return self.get(name)


class ConanFile:
    def __init__(self, options):
        self.options = Options({**self.default_options, **options})
        self.settings = types.SimpleNamespace(os="Linux")
        self.recipe_folder = str(pathlib.Path(source) / "conan")
        self.export_sources_folder = str(work / "export")
        self.source_folder = self.export_sources_folder
        self.build_folder = str(work / "build")
        self.package_folder = str(work / "package")
        self.requirements_asked = []
        self.cache_variables = {}
        self.info = types.SimpleNamespace(settings=types.SimpleNamespace(clear=lambda: None))
        self.cpp_info = CppInfo()

    def requires(self, ref):
        self.requirements_asked.append(ref.split("/")[0])


class Component:
    def __init__(self):
        self.properties, self.requires, self.system_libs, self.bindirs, self.libdirs = {}, [], [], None, None

    def set_property(self, name, value):
        self.properties[name] = value


class CppInfo(Component):
    def __init__(self):
        super().__init__()
        self.components = {}
        self.components = type("components", (dict,), {"__missing__": lambda d, k: d.setdefault(k, Component())})()


class ConanInvalidConfiguration(Exception):
    pass


class CMakeToolchain:
    def __init__(self, conanfile):
        self.conanfile, self.cache_variables = conanfile, {}

    def generate(self):
        self.conanfile.cache_variables = dict(self.cache_variables)


class CMakeDeps:
    def __init__(self, conanfile):
        pass

    def generate(self):
        pass


class CMake:
    def __init__(self, conanfile):
        self.c = conanfile

    def configure(self):
        defs = [f"-D{k}={'ON' if v is True else 'OFF' if v is False else v}" for k, v in self.c.cache_variables.items()]
        run("cmake", "-S", self.c.source_folder, "-B", self.c.build_folder, "-G", generator, f"-DCMAKE_CXX_COMPILER={cxx}",
            f"-DCMAKE_INSTALL_PREFIX={self.c.package_folder}", *launcher, *defs)

    def install(self):
        run("cmake", "--install", self.c.build_folder)


def copy(conanfile, pattern, src, dst):
    for f in glob.glob(os.path.join(src, pattern), recursive=True):
        if os.path.isdir(f):
            shutil.copytree(f, os.path.join(dst, os.path.relpath(f, src)), dirs_exist_ok=True)
        else:
            os.makedirs(os.path.dirname(os.path.join(dst, os.path.relpath(f, src))), exist_ok=True)
            shutil.copy(f, os.path.join(dst, os.path.relpath(f, src)))


modules = {
    "conan": types.ModuleType("conan"),
    "conan.errors": types.ModuleType("conan.errors"),
    "conan.tools": types.ModuleType("conan.tools"),
    "conan.tools.cmake": types.ModuleType("conan.tools.cmake"),
    "conan.tools.files": types.ModuleType("conan.tools.files"),
}
modules["conan"].ConanFile = ConanFile
modules["conan.errors"].ConanInvalidConfiguration = ConanInvalidConfiguration
for name, obj in {"CMake": CMake, "CMakeDeps": CMakeDeps, "CMakeToolchain": CMakeToolchain,
                  "cmake_layout": lambda c: None}.items():
    setattr(modules["conan.tools.cmake"], name, obj)
modules["conan.tools.files"].copy = copy
sys.modules.update(modules)

spec = importlib.util.spec_from_file_location("recipe", pathlib.Path(source) / "conan" / "conanfile.py")
recipe = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recipe)

# The recipe's version is karga's.
version = re.search(r'version = "([0-9.]+)"', (pathlib.Path(source) / "include/karga/core/version.hpp").read_text()).group(1)
if recipe.KargaConan.version != version:
    failures.append(f"the recipe says version {recipe.KargaConan.version}, karga is {version}")

# validate(): a component without what it needs.
for component, needed in (("http", "results"), ("grpc", "http"), ("cli", "push")):
    bad = recipe.KargaConan({component: True, needed: False})
    try:
        bad.validate()
        failures.append(f"validate() took {component}=True with {needed}=False")
    except ConanInvalidConfiguration:
        pass

# The whole flow with http, grpc, push and cli on.
k = recipe.KargaConan({"http": True, "grpc": True, "push": True, "cli": True})
k.validate()
k.requirements()
for dep, wanted in {"zlib": True, "openssl": True, "libnghttp2": True, "snappy": True, "cli11": True, "liburing": False}.items():
    if (dep in k.requirements_asked) != wanted:
        failures.append(f"requirements() {'lacks' if wanted else 'asks for'} {dep}: {k.requirements_asked}")
os.makedirs(k.export_sources_folder)
k.export_sources()
k.generate()
k.build()
k.package()
k.package_info()

share = pathlib.Path(k.package_folder) / "share" / "karga"
exported = set()
for f in share.glob("karga-*-targets.cmake"):
    exported |= set(re.findall(r"add_library\((karga::\w+) INTERFACE IMPORTED\)", f.read_text()))
declared = {"core"} | {n for n in recipe.COMPONENTS if k.options.get_safe(n)}
if set(k.cpp_info.components) != declared:
    failures.append(f"package_info() declares {sorted(k.cpp_info.components)}, not {sorted(declared)}")
for name, c in k.cpp_info.components.items():
    target = c.properties.get("cmake_target_name")
    if target not in exported:
        failures.append(f"component {name} names {target}, which the package does not export ({sorted(exported)})")
    for r in c.requires:
        if "::" not in r and r not in declared:
            failures.append(f"component {name} requires {r}, which is not declared")
for module in k.cpp_info.properties.get("cmake_build_modules", []):
    if not (pathlib.Path(k.package_folder) / module).is_file():
        failures.append(f"package_info() names the build module {module}, which the package lacks")
if "cmake_build_modules" not in k.cpp_info.properties:
    failures.append("package_info() with grpc on names no build module (karga_grpc_messages)")
if exported != {k.cpp_info.components[n].properties["cmake_target_name"] for n in declared}:
    failures.append(f"the package exports {sorted(exported)}, the recipe declares other components")

build = work / "test_package"
run("cmake", "-S", str(pathlib.Path(source) / "conan" / "test_package"), "-B", str(build), "-G", generator,
    f"-DCMAKE_CXX_COMPILER={cxx}", f"-DCMAKE_PREFIX_PATH={k.package_folder}", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF",
    *launcher)
run("cmake", "--build", str(build))
run(str(build / "test_package"))

for f in failures:
    print("FAIL:", f)
print(f"Conan recipe: components {sorted(declared)} packaged, each a target the package exports; "
      f"requirements {k.requirements_asked}; test_package ran" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
