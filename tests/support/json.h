// Reading JSON responses in tests: a thin wrapper over simdjson's DOM that throws on
// any mismatch, so a test fails loudly at the first unexpected shape.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace sk::testing {

class Json {
 public:
  static Json parse(std::string_view text) {
    auto parser = std::make_shared<simdjson::dom::parser>();
    auto padded = std::make_shared<simdjson::padded_string>(text);
    simdjson::dom::element root;
    if (parser->parse(*padded).get(root))
      throw std::runtime_error("not JSON: " + std::string{text});
    return Json{root, parser, padded};
  }

  Json operator[](std::string_view key) const {
    simdjson::dom::element e;
    if (element_[key].get(e)) throw std::runtime_error("no key " + std::string{key});
    return Json{e, parser_, text_};
  }
  Json operator[](std::size_t i) const {
    simdjson::dom::element e;
    if (element_.at(i).get(e)) throw std::runtime_error("no index " + std::to_string(i));
    return Json{e, parser_, text_};
  }
  bool has(std::string_view key) const {
    simdjson::dom::element e;
    return !element_[key].get(e);
  }
  bool is_null() const { return element_.is_null(); }
  std::int64_t i64() const {
    std::int64_t v = 0;
    if (element_.get_int64().get(v)) throw std::runtime_error("not an integer");
    return v;
  }
  std::string str() const {
    std::string_view v;
    if (element_.get_string().get(v)) throw std::runtime_error("not a string");
    return std::string{v};
  }
  bool boolean() const {
    bool v = false;
    if (element_.get_bool().get(v)) throw std::runtime_error("not a boolean");
    return v;
  }
  std::size_t size() const {
    simdjson::dom::array a;
    if (!element_.get_array().get(a)) return a.size();
    simdjson::dom::object o;
    if (!element_.get_object().get(o)) return o.size();
    throw std::runtime_error("not a container");
  }

 private:
  Json(simdjson::dom::element e, std::shared_ptr<simdjson::dom::parser> p,
       std::shared_ptr<simdjson::padded_string> t)
      : element_(e), parser_(std::move(p)), text_(std::move(t)) {}
  simdjson::dom::element element_;
  std::shared_ptr<simdjson::dom::parser> parser_;
  std::shared_ptr<simdjson::padded_string> text_;
};

}  // namespace sk::testing
