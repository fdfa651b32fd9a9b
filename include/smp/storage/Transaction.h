#pragma once

namespace smp::storage {

class Database;

// A write transaction as a stack guard: BEGIN IMMEDIATE on construction (takes the write lock
// up front, so a busy database fails here rather than half-way), ROLLBACK on destruction
// unless commit() was called. Not nestable: one Transaction per connection at a time.
class Transaction
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    void commit();

private:
    Database &m_db;
    bool m_done = false;
};

} // namespace smp::storage
