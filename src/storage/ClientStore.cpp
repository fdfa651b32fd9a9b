#include "smp/storage/ClientStore.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

#include <QObject>
#include <QRegularExpression>
#include <QStringList>

namespace smp::storage {

namespace {

constexpr qsizetype kMaxShortField = 200;
constexpr qsizetype kMaxLongField = 20000;
constexpr int kMaxSearchWords = 6;

const char *const kClientColumns =
    "id, family_name, given_name, date_of_birth, sex, phone, email, address, fitzpatrick, "
    "hair_colour, notes, created_at, updated_at";

Client readClient(const Statement &row)
{
    Client client;
    client.id = row.int64(0);
    client.familyName = row.text(1);
    client.givenName = row.text(2);
    client.dateOfBirth = row.date(3);
    client.sex = sexFromString(row.text(4)).value_or(Sex::Unspecified);
    client.phone = row.text(5);
    client.email = row.text(6);
    client.address = row.text(7);
    if (!row.isNull(8))
        client.fitzpatrick = row.integer(8);
    client.hairColour = row.text(9);
    client.notes = row.text(10);
    client.createdAt = row.dateTime(11);
    client.updatedAt = row.dateTime(12);
    return client;
}

QString clientSearchText(const Client &client)
{
    return ClientStore::searchKey(client.givenName + QLatin1Char(' ') + client.familyName +
                                  QLatin1Char(' ') + client.phone + QLatin1Char(' ') +
                                  client.email);
}

// Binds the editable fields of `client` to parameters 1..11 in the order of kClientColumns
// (without id and timestamps) plus search_text.
void bindClientFields(Statement &statement, const Client &client)
{
    statement.bind(1, client.familyName.trimmed())
        .bind(2, client.givenName.trimmed())
        .bind(3, client.dateOfBirth)
        .bind(4, toString(client.sex))
        .bind(5, client.phone.trimmed())
        .bind(6, client.email.trimmed())
        .bind(7, client.address.trimmed())
        .bind(8, client.fitzpatrick)
        .bind(9, client.hairColour.trimmed())
        .bind(10, client.notes)
        .bind(11, clientSearchText(client));
}

QStringList changedFields(const Client &before, const Client &after)
{
    QStringList changed;
    auto compare = [&](const char *name, const auto &a, const auto &b) {
        if (a != b)
            changed << QString::fromLatin1(name);
    };
    compare("family_name", before.familyName, after.familyName.trimmed());
    compare("given_name", before.givenName, after.givenName.trimmed());
    compare("date_of_birth", before.dateOfBirth, after.dateOfBirth);
    compare("sex", before.sex, after.sex);
    compare("phone", before.phone, after.phone.trimmed());
    compare("email", before.email, after.email.trimmed());
    compare("address", before.address, after.address.trimmed());
    compare("fitzpatrick", before.fitzpatrick, after.fitzpatrick);
    compare("hair_colour", before.hairColour, after.hairColour.trimmed());
    compare("notes", before.notes, after.notes);
    return changed;
}

void throwInvalid(const QString &problem)
{
    throw StorageError(ErrorKind::InvalidInput, problem);
}

} // namespace

QString validateClient(const Client &client)
{
    if (client.familyName.trimmed().isEmpty())
        return QStringLiteral("family name: must not be empty");
    const std::pair<const char *, const QString *> shortFields[] = {
        {"family name", &client.familyName},
        {"given name", &client.givenName},
        {"phone", &client.phone},
        {"e-mail", &client.email},
        {"hair colour", &client.hairColour},
    };
    for (const auto &[name, value] : shortFields) {
        if (value->size() > kMaxShortField) {
            return QStringLiteral("%1: longer than %2 characters")
                .arg(QString::fromLatin1(name))
                .arg(kMaxShortField);
        }
    }
    if (client.address.size() > kMaxLongField || client.notes.size() > kMaxLongField) {
        return QStringLiteral("%1: longer than %2 characters")
            .arg(client.address.size() > kMaxLongField ? QStringLiteral("address")
                                                       : QStringLiteral("notes"))
            .arg(kMaxLongField);
    }
    if (!client.dateOfBirth.isNull()) {
        if (!client.dateOfBirth.isValid())
            return QStringLiteral("date of birth: not a valid date");
        if (client.dateOfBirth > QDate::currentDate()) {
            return QStringLiteral("date of birth: %1 is in the future")
                .arg(client.dateOfBirth.toString(Qt::ISODate));
        }
        if (client.dateOfBirth.year() < 1900) {
            return QStringLiteral("date of birth: %1 is before 1900")
                .arg(client.dateOfBirth.toString(Qt::ISODate));
        }
    }
    if (client.fitzpatrick && (*client.fitzpatrick < 1 || *client.fitzpatrick > 6)) {
        return QStringLiteral("Fitzpatrick skin type: %1 is outside I-VI (1-6)")
            .arg(*client.fitzpatrick);
    }
    const QString email = client.email.trimmed();
    if (!email.isEmpty()) {
        static const QRegularExpression pattern(QStringLiteral("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"));
        if (!pattern.match(email).hasMatch())
            return QStringLiteral("e-mail: \"%1\" is not an e-mail address").arg(email);
    }
    return {};
}

QString ClientStore::searchKey(const QString &text)
{
    const QString decomposed = text.normalized(QString::NormalizationForm_KD);
    QString key;
    key.reserve(decomposed.size());
    bool lastWasSpace = true;
    for (const QChar c : decomposed) {
        const auto category = c.category();
        if (category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining ||
            category == QChar::Mark_Enclosing) {
            continue;
        }
        if (c.isSpace()) {
            if (!lastWasSpace)
                key += QLatin1Char(' ');
            lastWasSpace = true;
            continue;
        }
        key += c;
        lastWasSpace = false;
    }
    return key.trimmed().toCaseFolded();
}

RecordId ClientStore::add(const Client &client)
{
    if (const QString problem = validateClient(client); !problem.isEmpty())
        throwInvalid(QStringLiteral("client %1").arg(problem));

    Transaction transaction(m_db);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto insert = m_db.prepare(
        "INSERT INTO clients (family_name, given_name, date_of_birth, sex, phone, email, "
        "address, fitzpatrick, hair_colour, notes, search_text, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)");
    bindClientFields(insert, client);
    insert.bind(12, now).run();
    const RecordId id = m_db.lastInsertId();
    AuditLog(m_db).record(QStringLiteral("insert"), QStringLiteral("clients"), id, id,
                          client.displayName().trimmed());
    transaction.commit();
    return id;
}

void ClientStore::update(const Client &client)
{
    if (const QString problem = validateClient(client); !problem.isEmpty())
        throwInvalid(QStringLiteral("client %1").arg(problem));

    Transaction transaction(m_db);
    const std::optional<Client> before = find(client.id);
    if (!before) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("client %1 does not exist").arg(client.id));
    }
    const QStringList changed = changedFields(*before, client);
    if (changed.isEmpty()) {
        transaction.commit();
        return;
    }
    auto statement = m_db.prepare(
        "UPDATE clients SET family_name = ?1, given_name = ?2, date_of_birth = ?3, sex = ?4, "
        "phone = ?5, email = ?6, address = ?7, fitzpatrick = ?8, hair_colour = ?9, notes = ?10, "
        "search_text = ?11, updated_at = ?12 WHERE id = ?13");
    bindClientFields(statement, client);
    statement.bind(12, QDateTime::currentDateTimeUtc()).bind(13, client.id).run();
    AuditLog(m_db).record(QStringLiteral("update"), QStringLiteral("clients"), client.id, client.id,
                          QStringLiteral("changed: ") + changed.join(QStringLiteral(", ")));
    transaction.commit();
}

std::optional<Client> ClientStore::find(RecordId id)
{
    auto query =
        m_db.prepare(std::string("SELECT ") + kClientColumns + " FROM clients WHERE id = ?1");
    query.bind(1, id);
    if (!query.step())
        return std::nullopt;
    return readClient(query);
}

Client ClientStore::get(RecordId id)
{
    std::optional<Client> client = find(id);
    if (!client)
        throw StorageError(ErrorKind::NotFound, QStringLiteral("client %1 does not exist").arg(id));
    return *client;
}

std::vector<ClientSummary> ClientStore::search(const QString &text, int limit)
{
    QStringList words = searchKey(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.size() > kMaxSearchWords)
        words.resize(kMaxSearchWords);

    // Photo counts: for a filtered search a count per listed client is cheapest; for the whole
    // list one grouped pass over the photos_by_client index is (15 ms instead of 19 ms at
    // 10,000 clients and 50,000 photos, see docs/benchmarks.md).
    std::string sql = words.isEmpty()
                          ? "SELECT c.id, c.family_name, c.given_name, c.date_of_birth, c.phone, "
                            "coalesce(pc.n, 0) FROM clients c LEFT JOIN (SELECT client_id, "
                            "count(*) AS n FROM photos GROUP BY client_id) pc "
                            "ON pc.client_id = c.id WHERE 1"
                          : "SELECT c.id, c.family_name, c.given_name, c.date_of_birth, c.phone, "
                            "(SELECT count(*) FROM photos p WHERE p.client_id = c.id) "
                            "FROM clients c WHERE 1";
    for (qsizetype i = 0; i < words.size(); ++i)
        sql += " AND c.search_text LIKE ?" + std::to_string(i + 1) + " ESCAPE '\\'";
    sql += " ORDER BY c.family_name COLLATE NOCASE, c.given_name COLLATE NOCASE, c.id LIMIT ?" +
           std::to_string(words.size() + 1);

    auto query = m_db.prepare(sql);
    for (qsizetype i = 0; i < words.size(); ++i) {
        QString escaped = words[i];
        escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('%'), QLatin1String("\\%"))
            .replace(QLatin1Char('_'), QLatin1String("\\_"));
        query.bind(static_cast<int>(i + 1), QLatin1Char('%') + escaped + QLatin1Char('%'));
    }
    query.bind(static_cast<int>(words.size() + 1), limit);

    std::vector<ClientSummary> result;
    while (query.step()) {
        ClientSummary summary;
        summary.id = query.int64(0);
        summary.familyName = query.text(1);
        summary.givenName = query.text(2);
        summary.dateOfBirth = query.date(3);
        summary.phone = query.text(4);
        summary.photoCount = query.integer(5);
        result.push_back(std::move(summary));
    }
    return result;
}

int ClientStore::count()
{
    auto query = m_db.prepare("SELECT count(*) FROM clients");
    query.step();
    return query.integer(0);
}

void ClientStore::requireClient(RecordId id)
{
    auto query = m_db.prepare("SELECT 1 FROM clients WHERE id = ?1");
    query.bind(1, id);
    if (!query.step())
        throw StorageError(ErrorKind::NotFound, QStringLiteral("client %1 does not exist").arg(id));
}

void ClientStore::remove(RecordId id)
{
    QStringList files;
    {
        Transaction transaction(m_db);
        const Client client = get(id);
        auto photoFiles = m_db.prepare("SELECT file_name FROM photos WHERE client_id = ?1");
        photoFiles.bind(1, id);
        while (photoFiles.step())
            files << photoFiles.text(0);
        auto erase = m_db.prepare("DELETE FROM clients WHERE id = ?1");
        erase.bind(1, id).run();
        AuditLog(m_db).record(
            QStringLiteral("delete"), QStringLiteral("clients"), id, id,
            QObject::tr("%1, with %n photo(s)", nullptr, static_cast<int>(files.size()))
                .arg(client.displayName()));
        transaction.commit();
    }
    // Only now that the rows are gone for good may the files go.
    PhotoLibrary(m_db).removeFilesIfUnreferenced(files);
}

std::vector<ScreeningEntry> ClientStore::screening(RecordId clientId)
{
    auto query = m_db.prepare("SELECT item, answer, note, answered_on, answered_by FROM "
                              "screening_answers WHERE client_id = ?1");
    query.bind(1, clientId);
    std::vector<ScreeningEntry> entries;
    while (query.step()) {
        ScreeningEntry entry;
        entry.item = query.text(0);
        entry.answer = screeningAnswerFromString(query.text(1)).value_or(ScreeningAnswer::None);
        entry.note = query.text(2);
        entry.answeredOn = query.date(3);
        entry.answeredBy = query.text(4);
        entries.push_back(std::move(entry));
    }
    // Catalogue order, so every view lists the items as the intake form asks them.
    const auto catalogue = contraindicationCatalogue();
    auto rank = [&](const QString &key) {
        for (std::size_t i = 0; i < catalogue.size(); ++i) {
            if (key == QLatin1String(catalogue[i].key))
                return i;
        }
        return catalogue.size();
    };
    std::sort(entries.begin(), entries.end(),
              [&](const auto &a, const auto &b) { return rank(a.item) < rank(b.item); });
    return entries;
}

void ClientStore::setScreening(RecordId clientId, std::span<const ScreeningEntry> entries)
{
    for (const ScreeningEntry &entry : entries) {
        if (!findContraindication(entry.item)) {
            throwInvalid(QStringLiteral("screening item \"%1\" is not a known contraindication")
                             .arg(entry.item));
        }
        if (!entry.answeredOn.isValid())
            throwInvalid(
                QStringLiteral("screening item \"%1\": answer date is missing").arg(entry.item));
        if (entry.answeredBy.trimmed().isEmpty())
            throwInvalid(
                QStringLiteral("screening item \"%1\": who answered is missing").arg(entry.item));
    }
    Transaction transaction(m_db);
    requireClient(clientId);
    auto upsert = m_db.prepare(
        "INSERT INTO screening_answers (client_id, item, answer, note, answered_on, answered_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (client_id, item) DO UPDATE SET "
        "answer = excluded.answer, note = excluded.note, answered_on = excluded.answered_on, "
        "answered_by = excluded.answered_by");
    QStringList summary;
    for (const ScreeningEntry &entry : entries) {
        upsert.reset();
        upsert.bind(1, clientId)
            .bind(2, entry.item)
            .bind(3, toString(entry.answer))
            .bind(4, entry.note.trimmed())
            .bind(5, entry.answeredOn)
            .bind(6, entry.answeredBy.trimmed())
            .run();
        summary << entry.item + QLatin1Char('=') + toString(entry.answer);
    }
    AuditLog(m_db).record(QStringLiteral("update"), QStringLiteral("screening_answers"), clientId,
                          clientId, summary.join(QStringLiteral(", ")));
    transaction.commit();
}

std::vector<Consent> ClientStore::consents(RecordId clientId)
{
    auto query = m_db.prepare("SELECT id, client_id, kind, text_version, signed_on, signed_by "
                              "FROM consents WHERE client_id = ?1 ORDER BY signed_on, id");
    query.bind(1, clientId);
    std::vector<Consent> result;
    while (query.step()) {
        Consent consent;
        consent.id = query.int64(0);
        consent.clientId = query.int64(1);
        consent.kind = query.text(2);
        consent.textVersion = query.text(3);
        consent.signedOn = query.date(4);
        consent.signedBy = query.text(5);
        result.push_back(std::move(consent));
    }
    return result;
}

RecordId ClientStore::addConsent(const Consent &consent)
{
    if (consent.kind.trimmed().isEmpty())
        throwInvalid(QStringLiteral("consent kind: must not be empty"));
    if (consent.textVersion.trimmed().isEmpty())
        throwInvalid(QStringLiteral("consent text version: must not be empty"));
    if (!consent.signedOn.isValid())
        throwInvalid(QStringLiteral("consent date signed: missing or not a date"));
    if (consent.signedOn > QDate::currentDate())
        throwInvalid(QStringLiteral("consent date signed: %1 is in the future")
                         .arg(consent.signedOn.toString(Qt::ISODate)));
    if (consent.signedBy.trimmed().isEmpty())
        throwInvalid(QStringLiteral("consent signed by: must not be empty"));

    Transaction transaction(m_db);
    requireClient(consent.clientId);
    auto insert = m_db.prepare("INSERT INTO consents (client_id, kind, text_version, signed_on, "
                               "signed_by) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, consent.clientId)
        .bind(2, consent.kind.trimmed())
        .bind(3, consent.textVersion.trimmed())
        .bind(4, consent.signedOn)
        .bind(5, consent.signedBy.trimmed())
        .run();
    const RecordId id = m_db.lastInsertId();
    AuditLog(m_db).record(
        QStringLiteral("insert"), QStringLiteral("consents"), id, consent.clientId,
        consent.kind.trimmed() + QStringLiteral(" v") + consent.textVersion.trimmed());
    transaction.commit();
    return id;
}

void ClientStore::removeConsent(RecordId consentId)
{
    Transaction transaction(m_db);
    auto query = m_db.prepare("SELECT client_id, kind FROM consents WHERE id = ?1");
    query.bind(1, consentId);
    if (!query.step()) {
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("consent %1 does not exist").arg(consentId));
    }
    const RecordId clientId = query.int64(0);
    const QString kind = query.text(1);
    auto erase = m_db.prepare("DELETE FROM consents WHERE id = ?1");
    erase.bind(1, consentId).run();
    AuditLog(m_db).record(QStringLiteral("delete"), QStringLiteral("consents"), consentId, clientId,
                          kind);
    transaction.commit();
}

} // namespace smp::storage
