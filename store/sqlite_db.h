// A small RAII layer over SQLite: a connection (WAL, foreign keys, busy timeout), prepared
// statements with positional parameters, and a transaction guard that rolls back unless
// committed. Errors throw rgeval::Error naming the database file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace rgeval::store {

class Db {
 public:
  // Opens (creating if needed) `path`; journal_mode=WAL, synchronous=NORMAL (a committed
  // transaction survives the process being killed), foreign_keys=ON, busy_timeout 60 s.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // Runs SQL without parameters (DDL, pragmas, BEGIN/COMMIT). Never pass data through here.
  void exec(const std::string& sql);
  int64_t last_insert_rowid() const;
  int changes() const;
  [[noreturn]] void raise(const std::string& what) const;  // throws Error("path: what: sqlite message")

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Parameters are 1-based, as in SQLite. A NaN double binds NULL (SQLite's own behaviour, made
  // explicit); read it back with column_double_or_nan.
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, int64_t(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind_null(int i);

  bool step();  // true: a row is available; false: done
  void run();   // step() expecting no row
  void reset();

  int64_t column_int(int i) const;
  double column_double_or_nan(int i) const;  // NULL -> NaN
  std::string column_text(int i) const;      // NULL -> ""
  bool column_is_null(int i) const;

 private:
  Db& db_;
  sqlite3_stmt* st_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK at destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace rgeval::store
