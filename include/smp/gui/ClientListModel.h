#pragma once

#include "smp/storage/Records.h"

#include <QAbstractListModel>

#include <vector>

namespace smp::storage {
class Database;
}

namespace smp::gui {

// The searchable client list. Reads through the GUI thread's database connection; refresh()
// re-runs the current search (after any change to clients).
class ClientListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role
    {
        ClientIdRole = Qt::UserRole + 1, // qint64
        DetailRole,                      // second line: date of birth, phone, photo count
    };

    explicit ClientListModel(storage::Database &db, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    const QString &searchText() const noexcept { return m_searchText; }
    void setSearchText(const QString &text);
    void refresh();

    // Row of the client, or an invalid index when the current search does not list it.
    QModelIndex indexOfClient(storage::RecordId id) const;
    storage::RecordId clientIdAt(int row) const;

signals:
    // A search failed (e.g. the database is locked); the list keeps its previous rows.
    void errorOccurred(const QString &message);

private:
    storage::Database &m_db;
    QString m_searchText;
    std::vector<storage::ClientSummary> m_clients;
};

} // namespace smp::gui
