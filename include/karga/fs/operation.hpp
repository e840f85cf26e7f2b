#pragma once
/// @file fs/operation.hpp
/// The file and metadata operations of the filesystem adapter, their names, and the
/// names of the errors they meet.

#include <karga/core/error.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace karga::fs {

/// One kind of operation, as `karga-fs --op` names it.
enum class op : std::uint8_t {
  read,       ///< a block at the next offset (each shard reads the file from its start, wrapping)
  write,      ///< a block at the next offset
  randread,   ///< a block at a random block-aligned offset
  randwrite,  ///< a block at a random block-aligned offset
  append,     ///< a block at the end of the file (O_APPEND)
  fsync,      ///< fsync(2) of the file
  fdatasync,  ///< fdatasync(2) of the file
  open,       ///< open(2) then close(2): of the file, or of the next name in the directory
  stat,       ///< statx(2): of the file, or of the next name in the directory
  create,     ///< open(2) with O_CREAT|O_TRUNC then close(2) of the next name
  unlink,     ///< unlink(2) of the next name
  rename,     ///< rename(2) of the next name to the same name with ".renamed" after it
  mkdir,      ///< mkdir(2) of the next name
  readdir,    ///< the whole directory read (getdents64(2) until its end)
};

/// How many kinds of operation there are.
inline constexpr std::size_t op_count = 14;

/// The operations' names, in the order of `op`.
inline constexpr std::array<std::string_view, op_count> op_names = {
    "read", "write", "randread", "randwrite", "append", "fsync", "fdatasync",
    "open", "stat", "create", "unlink", "rename", "mkdir", "readdir"};

/// `o`'s name ("randread").
constexpr std::string_view to_string(op o) noexcept { return op_names[static_cast<std::size_t>(o)]; }

/// The operation named `name`; nullopt for a name that is none.
constexpr std::optional<op> parse_op(std::string_view name) noexcept {
  for (std::size_t i = 0; i < op_count; ++i)
    if (op_names[i] == name) return static_cast<op>(i);
  return std::nullopt;
}

/// Whether `o` moves blocks of a file (read, write and their random forms, append).
constexpr bool moves_blocks(op o) noexcept { return o <= op::append; }
/// Whether `o` writes data.
constexpr bool writes_data(op o) noexcept { return o == op::write || o == op::randwrite || o == op::append; }
/// Whether `o` works on a set of names in a directory (`open` and `stat` do with a
/// directory, and work on one file without).
constexpr bool uses_names(op o) noexcept { return o >= op::open && o <= op::mkdir; }

/// The error of a block read back that is not what karga wrote there (`--verify`).
inline constexpr int data_mismatch = -1;

/// The name of error `e`: the errno symbol ("ENOENT"), "EMISMATCH" for
/// `data_mismatch`, "E<number>" for a number glibc has no name for.
inline std::string error_name(int e) {
  if (e == data_mismatch) return "EMISMATCH";
  if (const char* n = ::strerrorname_np(e)) return n;
  return "E" + std::to_string(e);
}

/// What error `e` means, in the C library's words.
inline std::string error_text(int e) {
  if (e == data_mismatch) return "the data read back is not what was written there";
  return std::strerror(e);
}

/// The error named `name` ("ENOENT", "EMISMATCH", or a number); throws `karga::error`
/// for a name that is none.
inline int parse_error_name(std::string_view name) {
  if (name == "EMISMATCH") return data_mismatch;
  for (int e = 1; e < 4096; ++e)
    if (const char* n = ::strerrorname_np(e); n && name == n) return e;
  throw karga::error("\"" + std::string(name) + "\" is not an errno name (ENOENT, EACCES, ...) or EMISMATCH");
}

} // namespace karga::fs
