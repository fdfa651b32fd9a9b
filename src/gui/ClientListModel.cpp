#include "smp/gui/ClientListModel.h"

#include "smp/storage/ClientStore.h"

namespace smp::gui {

ClientListModel::ClientListModel(storage::Database &db, QObject *parent)
    : QAbstractListModel(parent)
    , m_db(db)
{
    refresh();
}

int ClientListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_clients.size());
}

QVariant ClientListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const storage::ClientSummary &client = m_clients[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole: {
        const QString name = client.givenName.isEmpty()
                                 ? client.familyName
                                 : client.familyName + QStringLiteral(", ") + client.givenName;
        return name;
    }
    case Qt::ToolTipRole:
    case DetailRole: {
        QStringList parts;
        if (client.dateOfBirth.isValid())
            parts << tr("born %1").arg(
                QLocale().toString(client.dateOfBirth, QLocale::ShortFormat));
        if (!client.phone.isEmpty())
            parts << client.phone;
        parts << tr("%n photo(s)", nullptr, client.photoCount);
        return parts.join(QStringLiteral(" · "));
    }
    case ClientIdRole:
        return QVariant::fromValue<qint64>(client.id);
    default:
        return {};
    }
}

QHash<int, QByteArray> ClientListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names[ClientIdRole] = "clientId";
    names[DetailRole] = "detail";
    return names;
}

void ClientListModel::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    refresh();
}

void ClientListModel::refresh()
{
    std::vector<storage::ClientSummary> clients;
    try {
        clients = storage::ClientStore(m_db).search(m_searchText);
    } catch (const std::exception &error) {
        emit errorOccurred(QString::fromUtf8(error.what()));
        return;
    }
    beginResetModel();
    m_clients = std::move(clients);
    endResetModel();
}

QModelIndex ClientListModel::indexOfClient(storage::RecordId id) const
{
    for (std::size_t row = 0; row < m_clients.size(); ++row) {
        if (m_clients[row].id == id)
            return index(static_cast<int>(row));
    }
    return {};
}

storage::RecordId ClientListModel::clientIdAt(int row) const
{
    return row >= 0 && row < rowCount() ? m_clients[static_cast<std::size_t>(row)].id : 0;
}

} // namespace smp::gui
