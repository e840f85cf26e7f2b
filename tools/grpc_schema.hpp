#pragma once
// karga-grpc's messages from a schema: .proto files (read by protobuf's own compiler
// library) or a protoset (a FileDescriptorSet, as protoc --descriptor_set_out writes
// it). The method gives the call's kind; request messages are written as JSON
// (protobuf's JSON mapping), an object each or an array of them, and serialized once,
// before the run.
#include <karga/core/error.hpp>
#include <karga/grpc/channel.hpp>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
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
    s->own_pool_ = std::make_unique<google::protobuf::DescriptorPool>();
    for (const auto& f : set.file())
      if (!s->own_pool_->BuildFile(f))
        karga::detail::throw_error("--protoset " + file + ": " + f.name() +
                                   " does not build (write the protoset with protoc --include_imports)");
    s->pool_ = s->own_pool_.get();
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
