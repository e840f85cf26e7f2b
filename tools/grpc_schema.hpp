#pragma once
// karga-grpc's messages from a schema: .proto files (read by protobuf's own compiler
// library), a protoset (a FileDescriptorSet, as protoc --descriptor_set_out writes
// it), or the server's reflection service. The method gives the call's kind; request messages are written as JSON
// (protobuf's JSON mapping), an object each or an array of them, and serialized once,
// before the run.
#include <karga/core/error.hpp>
#include <karga/grpc/channel.hpp>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace karga_tools {

/// The services and messages of .proto files or a protoset.
class grpc_schema {
public:
  /// Reads `files` (and what they import), looked for under `includes` (with none: each
  /// file's own directory), then protobuf's well-known types. Throws `karga::error` with
  /// protoc's words for a file that does not compile.
  static std::unique_ptr<grpc_schema> from_proto(const std::vector<std::string>& files, std::vector<std::string> includes) {
    auto s = std::unique_ptr<grpc_schema>(new grpc_schema);
    if (includes.empty())
      for (const auto& f : files) includes.push_back(std::filesystem::path(f).parent_path().string());
    for (const auto& dir : includes) s->tree_.MapPath("", dir.empty() ? "." : dir);
#ifdef KARGA_PROTOBUF_INCLUDE
    s->tree_.MapPath("", KARGA_PROTOBUF_INCLUDE);  // google/protobuf/*.proto, beside protobuf's headers
#endif
    s->importer_ = std::make_unique<google::protobuf::compiler::Importer>(&s->tree_, &s->errors_);
    for (const auto& f : files) {
      // The file's name as the importer knows it: relative to the include path it is under.
      std::string name, shadow;
      if (s->tree_.DiskFileToVirtualFile(f, &name, &shadow) != google::protobuf::compiler::DiskSourceTree::SUCCESS)
        name = std::filesystem::path(f).filename().string();
      if (!s->importer_->Import(name))
        karga::detail::throw_error("--proto " + f + ": " + (s->errors_.text.empty() ? "cannot be read" : s->errors_.text));
    }
    s->pool_ = s->importer_->pool();
    return s;
  }

  /// Reads the protoset `file`. Throws `karga::error` if it is not one.
  static std::unique_ptr<grpc_schema> from_protoset(const std::string& file) {
    auto s = std::unique_ptr<grpc_schema>(new grpc_schema);
    std::ifstream in(file, std::ios::binary);
    if (!in) karga::detail::throw_error("--protoset " + file + ": cannot be read");
    google::protobuf::FileDescriptorSet set;
    if (!set.ParseFromIstream(&in)) karga::detail::throw_error("--protoset " + file + ": not a FileDescriptorSet");
    s->build({set.file().begin(), set.file().end()}, "--protoset " + file,
             "write the protoset with protoc --include_imports");
    return s;
  }

  /// Asks the server on `ch` for the file that defines `service`, and the files it
  /// imports, through gRPC's reflection service (v1, else v1alpha). Throws
  /// `karga::error` if the server offers no reflection or does not know the service.
  static std::unique_ptr<grpc_schema> from_reflection(const karga::grpc::channel& ch, const std::string& service) {
    auto s = std::unique_ptr<grpc_schema>(new grpc_schema);
    std::vector<google::protobuf::FileDescriptorProto> files;
    std::vector<std::string> asks{field(4, service)};  // ServerReflectionRequest.file_containing_symbol
    std::string version = "v1";
    for (int round = 0; round < 16 && !asks.empty(); ++round) {
      auto r = reflect(ch, version, asks);
      if (r.code == karga::grpc::status_code::unimplemented && version == "v1") {
        version = "v1alpha";
        r = reflect(ch, version, asks);
      }
      if (!r.ok())
        karga::detail::throw_error("--reflect: the server's reflection service answered " +
                                   std::string(karga::grpc::to_string(r.code)) + (r.message.empty() ? "" : ": " + r.message) +
                                   " (give the schema with --proto or --protoset)");
      asks.clear();
      for (const auto& m : r.messages) take_response(m, files);
      // Ask for the imports not yet given (a server may send a file alone).
      for (const auto& f : files)
        for (const auto& dep : f.dependency())
          if (std::none_of(files.begin(), files.end(), [&](const auto& g) { return g.name() == dep; }) &&
              std::find(asks.begin(), asks.end(), field(3, dep)) == asks.end())
            asks.push_back(field(3, dep));  // ServerReflectionRequest.file_by_filename
    }
    s->build(files, "--reflect", "the server's reflection gave an incomplete schema");
    return s;
  }

  /// The method `name` ("package.Service/Method"). Throws `karga::error` naming the
  /// services there are if it is not one of them.
  const google::protobuf::MethodDescriptor& method(std::string_view name) const {
    if (name.starts_with('/')) name.remove_prefix(1);
    const auto slash = name.find('/');
    const auto* service = slash == std::string_view::npos ? nullptr : pool_->FindServiceByName(std::string(name.substr(0, slash)));
    const auto* m = service ? service->FindMethodByName(std::string(name.substr(slash + 1))) : nullptr;
    if (m) return *m;
    karga::detail::throw_error("--call: \"" + std::string(name) + "\" is no method of the schema given" +
                               (service ? "'s service " + service->full_name() : ""));
  }

  /// The call kind of `m`.
  static karga::grpc::call_kind kind(const google::protobuf::MethodDescriptor& m) noexcept {
    using karga::grpc::call_kind;
    if (m.client_streaming()) return m.server_streaming() ? call_kind::bidi_streaming : call_kind::client_streaming;
    return m.server_streaming() ? call_kind::server_streaming : call_kind::unary;
  }

  /// `json` (an object, or an array of objects) as `m`'s request messages, serialized.
  /// Throws `karga::error` with protobuf's words for JSON that is not such a message.
  std::vector<std::string> encode(const google::protobuf::MethodDescriptor& m, std::string_view json) const {
    namespace util = google::protobuf::util;
    std::vector<std::string> texts;
    const auto first = json.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && json[first] == '[') {
      google::protobuf::ListValue list;
      if (const auto st = util::JsonStringToMessage(std::string(json), &list); !st.ok())
        karga::detail::throw_error("-d: not a JSON array: " + std::string(st.message()));
      for (const auto& v : list.values()) {
        std::string one;
        (void)util::MessageToJsonString(v, &one);
        texts.push_back(std::move(one));
      }
    } else {
      texts.emplace_back(json);
    }
    const google::protobuf::Message* prototype = factory_.GetPrototype(m.input_type());
    std::vector<std::string> out;
    for (const auto& t : texts) {
      std::unique_ptr<google::protobuf::Message> msg(prototype->New());
      if (const auto st = util::JsonStringToMessage(t, msg.get()); !st.ok())
        karga::detail::throw_error("-d: " + t + " is not a " + m.input_type()->full_name() + ": " + std::string(st.message()));
      out.push_back(msg->SerializeAsString());
    }
    return out;
  }

private:
  grpc_schema() = default;

  // `files` into a pool of this schema's own, each after the files it imports.
  void build(const std::vector<google::protobuf::FileDescriptorProto>& files, const std::string& what, const std::string& hint) {
    own_pool_ = std::make_unique<google::protobuf::DescriptorPool>();
    std::vector<bool> built(files.size());
    std::function<void(std::size_t, int)> one = [&](std::size_t i, int depth) {
      if (built[i] || depth > 64) return;
      built[i] = true;
      for (const auto& dep : files[i].dependency())
        for (std::size_t j = 0; j < files.size(); ++j)
          if (files[j].name() == dep) one(j, depth + 1);
      if (!own_pool_->FindFileByName(files[i].name()) && !own_pool_->BuildFile(files[i]))
        karga::detail::throw_error(what + ": " + files[i].name() + " does not build (" + hint + ")");
    };
    for (std::size_t i = 0; i < files.size(); ++i) one(i, 0);
    pool_ = own_pool_.get();
  }

  // A protobuf field `number` holding the string `value` (length-delimited).
  static std::string field(int number, const std::string& value) {
    std::string out;
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.WriteTag(static_cast<std::uint32_t>(number << 3 | 2));
    coded.WriteVarint32(static_cast<std::uint32_t>(value.size()));
    coded.WriteString(value);
    coded.Trim();
    return out;
  }

  // One reflection call: `asks` (ServerReflectionRequests) sent, the answers kept.
  static karga::grpc::call_result reflect(const karga::grpc::channel& ch, const std::string& version,
                                          const std::vector<std::string>& asks) {
    std::vector<std::string_view> messages(asks.begin(), asks.end());
    karga::grpc::call_options opt;
    opt.keep_messages = true;
    opt.deadline = std::chrono::seconds(10);
    boost::asio::io_context ctx;
    const karga::grpc::channel own = ch;  // connections of its own, on `ctx`, closed before it ends
    karga::grpc::call_result out;
    boost::asio::co_spawn(ctx, [&]() -> boost::asio::awaitable<void> {
      out = co_await own.bidi_stream("grpc.reflection." + version + ".ServerReflection/ServerReflectionInfo", messages, opt);
    }, boost::asio::detached);
    ctx.run();
    return out;
  }

  // The FileDescriptorProtos of one ServerReflectionResponse (field 4, a
  // FileDescriptorResponse: field 1, repeated bytes); its ErrorResponse (field 7) as
  // a karga::error.
  static void take_response(const std::string& response, std::vector<google::protobuf::FileDescriptorProto>& files) {
    for_each_bytes(response, [&](int number, const std::string& bytes) {
      if (number == 4) {
        for_each_bytes(bytes, [&](int n, const std::string& proto) {
          google::protobuf::FileDescriptorProto f;
          if (n == 1 && f.ParseFromString(proto) &&
              std::none_of(files.begin(), files.end(), [&](const auto& g) { return g.name() == f.name(); }))
            files.push_back(std::move(f));
        });
      } else if (number == 7) {
        karga::detail::throw_error("--reflect: the server's reflection service has no " + asked_for(response) + ": " +
                                   error_of(bytes) + " (give the schema with --proto or --protoset)");
      }
    });
  }
  // What the request answered by `response` asked for (its original_request).
  static std::string asked_for(const std::string& response) {
    std::string what = "answer";
    for_each_bytes(response, [&](int number, const std::string& request) {
      if (number != 2) return;
      for_each_bytes(request, [&](int n, const std::string& text) {
        if (n == 3) what = "file " + text;
        if (n == 4) what = "symbol " + text;
      });
    });
    return what;
  }
  // An ErrorResponse as "NOT_FOUND" or "NOT_FOUND: its message".
  static std::string error_of(const std::string& error) {
    namespace io = google::protobuf::io;
    io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(error.data()), static_cast<int>(error.size()));
    std::uint32_t code = 2;  // UNKNOWN when none is given
    std::string message;
    while (const std::uint32_t tag = in.ReadTag()) {
      if (tag == (1 << 3 | 0)) {
        if (!in.ReadVarint32(&code)) break;
      } else if (tag == (2 << 3 | 2)) {
        std::uint32_t n = 0;
        if (!in.ReadVarint32(&n) || !in.ReadString(&message, static_cast<int>(n))) break;
      } else if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) {
        break;
      }
    }
    const std::string name = code < karga::grpc::status_count
                                 ? std::string(karga::grpc::to_string(static_cast<karga::grpc::status_code>(code)))
                                 : "code " + std::to_string(code);
    return message.empty() ? name : name + ": " + message;
  }
  // Calls `f(number, bytes)` for each length-delimited field of the message `m`.
  template <class F>
  static void for_each_bytes(const std::string& m, F&& f) {
    namespace io = google::protobuf::io;
    io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(m.data()), static_cast<int>(m.size()));
    while (const std::uint32_t tag = in.ReadTag()) {
      if ((tag & 7) == 2) {
        std::uint32_t n = 0;
        std::string bytes;
        if (!in.ReadVarint32(&n) || !in.ReadString(&bytes, static_cast<int>(n))) return;
        f(static_cast<int>(tag >> 3), bytes);
      } else if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) {
        return;
      }
    }
  }
  struct error_text : google::protobuf::compiler::MultiFileErrorCollector {
    std::string text;
    void AddError(const std::string& file, int line, int column, const std::string& message) override {
      if (!text.empty()) text += "; ";
      text += file + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
  };
  google::protobuf::compiler::DiskSourceTree tree_;
  error_text errors_;
  std::unique_ptr<google::protobuf::compiler::Importer> importer_;
  std::unique_ptr<google::protobuf::DescriptorPool> own_pool_;
  const google::protobuf::DescriptorPool* pool_ = nullptr;
  mutable google::protobuf::DynamicMessageFactory factory_;
};

} // namespace karga_tools
