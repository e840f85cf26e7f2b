# karga_grpc_messages(<target> PROTOS <file.proto>... [IMPORT_DIRS <dir>...])
#
# Gives <target> the protobuf C++ classes of the .proto files, for typed calls
# (`co_await channel.unary<HelloReply>(method, request)`): protoc runs at build time
# whenever a .proto changes, and <target> compiles the classes, finds their headers
# (`#include "greeter.pb.h"`) and links protobuf. Installed with karga's grpc component.
#
# A file's classes keep its path under the import directory that holds it
# (IMPORT_DIRS, else the file's own directory), so `import "shop/cart.proto";` finds
# "shop/cart.pb.h". protobuf's well-known types are found by protoc itself.
# Generated code is compiled without warnings: it is protoc's, not yours to fix.
function(karga_grpc_messages target)
  cmake_parse_arguments(arg "" "" "PROTOS;IMPORT_DIRS" ${ARGN})
  if(NOT TARGET ${target})
    message(FATAL_ERROR "karga_grpc_messages: ${target} is not a target; call it after add_executable or add_library")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "karga_grpc_messages(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}; "
                        "it takes PROTOS files and IMPORT_DIRS directories")
  endif()
  if(NOT arg_PROTOS)
    message(FATAL_ERROR "karga_grpc_messages(${target}): no PROTOS given")
  endif()
  if(NOT TARGET protobuf::protoc OR NOT TARGET protobuf::libprotobuf)
    find_package(Protobuf QUIET)
    if(NOT TARGET protobuf::protoc OR NOT TARGET protobuf::libprotobuf)
      message(FATAL_ERROR "karga_grpc_messages(${target}) needs protobuf's compiler and library "
                          "(Debian: protobuf-compiler libprotobuf-dev)")
    endif()
  endif()

  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}.protos")
  set(roots "")
  foreach(dir IN LISTS arg_IMPORT_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE)
    list(APPEND roots "${dir}")
  endforeach()
  set(include_args "")
  foreach(dir IN LISTS roots)
    list(APPEND include_args "-I${dir}")
  endforeach()

  set(sources "")
  foreach(proto IN LISTS arg_PROTOS)
    get_filename_component(proto "${proto}" ABSOLUTE)
    if(NOT EXISTS "${proto}")
      message(FATAL_ERROR "karga_grpc_messages(${target}): ${proto} does not exist")
    endif()
    get_filename_component(root "${proto}" DIRECTORY)
    foreach(dir IN LISTS roots)
      string(FIND "${proto}" "${dir}/" at)
      if(at EQUAL 0)
        set(root "${dir}")
        break()
      endif()
    endforeach()
    file(RELATIVE_PATH relative "${root}" "${proto}")
    string(REGEX REPLACE "\\.proto$" "" stem "${relative}")
    set(generated "${out}/${stem}.pb.cc" "${out}/${stem}.pb.h")
    add_custom_command(OUTPUT ${generated}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${out}"
      COMMAND protobuf::protoc "--cpp_out=${out}" "-I${root}" ${include_args} "${proto}"
      DEPENDS "${proto}" protobuf::protoc
      COMMENT "protoc: the C++ classes of ${relative}"
      VERBATIM)
    set_source_files_properties("${out}/${stem}.pb.cc" PROPERTIES COMPILE_OPTIONS "$<IF:$<CXX_COMPILER_ID:MSVC>,/w,-w>")
    list(APPEND sources ${generated})
  endforeach()
  target_sources(${target} PRIVATE ${sources})
  target_include_directories(${target} PRIVATE "${out}")
  target_link_libraries(${target} PRIVATE protobuf::libprotobuf)
endfunction()
