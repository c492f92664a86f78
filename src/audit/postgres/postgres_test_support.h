// Test-only: a fresh database per test on the binary's shared PostgreSQL, named after
// the test so a failing test's data can be inspected while it runs.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

#include <gtest/gtest.h>

#include "audit/postgres/postgres_server_fixture.h"

namespace sk::audit::postgres::testing {

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    db_ = std::string("t_") + info->test_suite_name() + "_" + info->name();
    std::transform(db_.begin(), db_.end(), db_.begin(), [](unsigned char c) {
      return std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
    });
    if (db_.size() > 63) db_.resize(63);  // PostgreSQL's identifier limit
    server().create_database(db_);
  }

  static PostgresServerFixture& server() { return shared_server(); }
  std::string conninfo() const { return server().conninfo(db_); }
  PostgresServerFixture::Rows query(const std::string& sql) const {
    return server().exec(sql, db_);
  }
  std::string scalar(const std::string& sql) const { return server().scalar(sql, db_); }

  std::string db_;
};

}  // namespace sk::audit::postgres::testing
