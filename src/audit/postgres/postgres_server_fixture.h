// PostgresServerFixture: a real PostgreSQL 15 for tests, on a free loopback port in a
// fresh temporary directory. Header-only test support (the audit writer's tests,
// benchmarks and multi-process tests reuse it); never linked into a library.
//
// - The constructor makes a fresh cluster (trust auth, superuser `postgres`; initdb
//   runs once per machine, later fixtures copy its result) and start()s.
// - start() launches `postgres` and returns once it accepts connections; start()
//   after stop() or kill() restarts it on the SAME port and data directory.
// - stop() is a fast shutdown (SIGINT: sessions are ended, data is flushed); kill()
//   is a crash of the whole server (SIGKILL to the postmaster and its backends). The
//   destructor shuts it down (immediate) and removes the directory.
// - exec(sql, db) runs SQL through libpq and returns the rows as strings ("" for
//   NULL); create_database(name) gives a test a fresh database.
// - initdb and postgres refuse to run as root: as root the child switches to the
//   `postgres` user (Debian's package creates it) before exec, and the directory is
//   handed to that user.
// - A missing PostgreSQL is an exception with a clear message, so the test FAILS
//   (never skips): CI installs postgresql.
//
// Options: `durable` keeps fsync and synchronous_commit on (benchmarks); the default
// turns them off, which is what makes tests fast and is safe for throw-away data.
//
// The server is a child process of testing/child_process.h (PR_SET_PDEATHSIG: it dies
// with the thread that started it if the test crashes, so call start() from the
// test's main thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testing/child_process.h"

namespace sk::audit::postgres::testing {

struct PostgresServerOptions {
  bool durable = false;               // fsync + synchronous_commit on (benchmarks)
  std::vector<std::string> settings;  // extra "-c name=value" settings
};

class PostgresServerFixture {
 public:
  using Options = PostgresServerOptions;
  using Rows = std::vector<std::vector<std::string>>;

  explicit PostgresServerFixture(Options options = {}) : options_(std::move(options)) {
    bin_ = find_bin_dir();
    char tmpl[] = "/tmp/sk-postgres-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) {
        throw std::runtime_error(
            "running as root but there is no `postgres` user to run "
            "PostgreSQL as (apt-get install postgresql creates it)");
      }
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
      if (::chown(dir_.c_str(), uid_, gid_) != 0) throw std::runtime_error("chown failed");
    }
    port_ = ::sk::testing::free_port();
    make_data_dir();
    start();
  }
  ~PostgresServerFixture() {
    signal_and_wait(SIGQUIT);  // immediate shutdown: backends go with the postmaster
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  PostgresServerFixture(const PostgresServerFixture&) = delete;
  PostgresServerFixture& operator=(const PostgresServerFixture&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }  // the postmaster's

  // key=value conninfo and libpq URI for database `db` (user postgres, no password).
  std::string conninfo(const std::string& db = "postgres") const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db +
           " connect_timeout=5";
  }
  std::string url(const std::string& db = "postgres") const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }

  void start() {
    if (running()) return;
    std::vector<std::string> args = {(bin_ / "postgres").string(),
                                     "-D",
                                     data_dir().string(),
                                     "-p",
                                     std::to_string(port_),
                                     "-c",
                                     "listen_addresses=127.0.0.1",
                                     "-c",
                                     "unix_socket_directories=" + dir_.string(),
                                     "-c",
                                     "max_connections=40",
                                     "-c",
                                     "shared_buffers=64MB",
                                     "-c",
                                     "logging_collector=off",
                                     "-c",
                                     "log_min_messages=warning",
                                     "-c",
                                     "max_wal_size=1GB"};
    if (!options_.durable) {
      for (const char* s : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
        args.insert(args.end(), {"-c", s});
      }
    }
    for (const auto& s : options_.settings) args.insert(args.end(), {"-c", s});
    // A crash (kill()) can leave backends for a moment: the restart may be refused
    // while they still hold the old shared memory, so try again briefly.
    for (int attempt = 0;; ++attempt) {
      pid_ = spawn(args, dir_ / "postgres.log");
      if (wait_until_ready()) return;
      if (attempt >= 20) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    throw std::runtime_error("postgres did not start within 10 s; its log:\n" + log_tail());
  }

  // Fast shutdown (SIGINT) and wait: a clean stop, data flushed.
  void stop() { signal_and_wait(SIGINT); }
  // A crash of the whole server: SIGKILL to the postmaster and to every backend, and
  // wait until none runs. The backends must go too: they outlive a killed postmaster
  // for a moment, and one could still answer (and commit) a query sent right after.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGSTOP);  // no backend forked between the listing and the kill
    const std::vector<pid_t> backends = children_of(pid_);
    for (const pid_t b : backends) ::kill(b, SIGKILL);
    signal_and_wait(SIGKILL);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (const pid_t b : backends) {
      while (is_running(b) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

  // Runs `sql` (one or more statements) on `db`; the rows of the last one. Throws with
  // the server's message on any error.
  Rows exec(const std::string& sql, const std::string& db = "postgres") const {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo(db).c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
      throw std::runtime_error("exec: cannot connect: " + std::string(PQerrorMessage(conn.get())));
    }
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error("exec: " + std::string(PQerrorMessage(conn.get())) + "in: " + sql);
    }
    Rows rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto& row = rows.emplace_back();
      for (int j = 0; j < PQnfields(r.get()); ++j) row.emplace_back(PQgetvalue(r.get(), i, j));
    }
    return rows;
  }

  // The single value of a one-row, one-column query.
  std::string scalar(const std::string& sql, const std::string& db = "postgres") const {
    const Rows rows = exec(sql, db);
    if (rows.size() != 1 || rows[0].size() != 1) {
      throw std::runtime_error("scalar: not exactly one value: " + sql);
    }
    return rows[0][0];
  }

  // A fresh, empty database named `name` (dropped first if a previous run left it).
  void create_database(const std::string& name) const {
    exec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    exec("CREATE DATABASE \"" + name + "\" TEMPLATE template0");
  }

 private:
  std::filesystem::path data_dir() const { return dir_ / "data"; }

  static std::filesystem::path find_bin_dir() {
    if (const char* env = std::getenv("SK_POSTGRES_BIN")) return env;
    const std::filesystem::path debian = "/usr/lib/postgresql/15/bin";
    if (::access((debian / "postgres").c_str(), X_OK) == 0) return debian;
    throw std::runtime_error(
        "PostgreSQL 15 not found at /usr/lib/postgresql/15/bin (or $SK_POSTGRES_BIN): the "
        "PostgreSQL tests need a real server (apt-get install postgresql)");
  }

  // `args` with stdout/stderr appended to `log`, as the postgres user when we are root.
  pid_t spawn(std::vector<std::string> args, const std::filesystem::path& log) const {
    ::sk::testing::SpawnOptions options;
    options.output = ::sk::testing::SpawnOptions::Output::log_file;
    options.log = log;
    options.uid = uid_;
    options.gid = gid_;
    return ::sk::testing::spawn_process(std::move(args), options).pid;
  }

  // initdb costs a second or more of CPU and always produces the same cluster, so it
  // runs once per machine and user: its result is kept under /tmp as a template
  // (built aside and renamed into place, under a lock, so concurrent test processes
  // neither race nor see half a template) and copied for each fixture.
  void make_data_dir() {
    const auto cache = std::filesystem::temp_directory_path() /
                       ("sk-postgres15-template-" + std::to_string(::geteuid()));
    const std::string lock_path = cache.string() + ".lock";
    const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
      if (lock >= 0) ::close(lock);
      throw std::runtime_error("cannot lock " + lock_path);
    }
    try {
      if (!std::filesystem::exists(cache / "PG_VERSION")) {
        initdb();
        const auto building = cache.string() + ".building";
        std::filesystem::remove_all(building);
        std::filesystem::copy(data_dir(), building, std::filesystem::copy_options::recursive);
        std::filesystem::remove_all(cache);
        std::filesystem::rename(building, cache);
      } else {
        std::filesystem::copy(cache, data_dir(), std::filesystem::copy_options::recursive);
      }
    } catch (...) {
      ::close(lock);  // releases the lock
      throw;
    }
    ::close(lock);
    if (uid_ != 0) {
      if (::chown(data_dir().c_str(), uid_, gid_) != 0) throw std::runtime_error("chown failed");
      for (const auto& entry : std::filesystem::recursive_directory_iterator(data_dir())) {
        if (::lchown(entry.path().c_str(), uid_, gid_) != 0) {
          throw std::runtime_error("chown failed: " + entry.path().string());
        }
      }
    }
  }

  void initdb() {
    const pid_t pid =
        spawn({(bin_ / "initdb").string(), "-D", data_dir().string(), "-U", "postgres",
               "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"},
              dir_ / "initdb.log");
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error("initdb failed:\n" +
                               ::sk::testing::log_tail(dir_ / "initdb.log", std::string::npos));
    }
  }

  // True once the server accepts connections; false when it exited (or never came up
  // within 10 s, in which case it is killed).
  bool wait_until_ready() {
    const std::string info = conninfo("postgres");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (PQping(info.c_str()) == PQPING_OK) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    signal_and_wait(SIGKILL);
    return false;
  }

  // The processes whose parent is `parent` (from /proc).
  static std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> children;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const auto pid = static_cast<pid_t>(std::stol(name));
      if (proc_stat(pid).parent == parent) children.push_back(pid);
    }
    return children;
  }

  // Still runs code: exists and is not a zombie (killed, waiting to be reaped).
  static bool is_running(pid_t pid) {
    const auto stat = proc_stat(pid);
    return stat.state != '\0' && stat.state != 'Z' && stat.state != 'X';
  }

  struct ProcStat {
    char state = '\0';  // '\0': no such process
    pid_t parent = 0;
  };
  // /proc/PID/stat is "pid (comm) state ppid ...", and comm may hold spaces and ')'.
  static ProcStat proc_stat(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = line.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream rest(line.substr(close + 1));
    ProcStat s;
    long parent = 0;
    rest >> s.state >> parent;
    s.parent = static_cast<pid_t>(parent);
    return s;
  }

  void signal_and_wait(int sig) { ::sk::testing::signal_and_wait(pid_, sig); }

  std::string log_tail() const { return ::sk::testing::log_tail(dir_ / "postgres.log"); }

  Options options_;
  std::filesystem::path bin_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  uid_t uid_ = 0;  // 0: run as ourselves (we are not root)
  gid_t gid_ = 0;
};

// One server per test binary: initdb costs about a second, a database a few ms. Tests
// that stop or kill the server must own a fixture of their own instead.
inline PostgresServerFixture& shared_server() {
  static PostgresServerFixture server;
  return server;
}

}  // namespace sk::audit::postgres::testing
