#include "smp/clinic/SampleClient.h"

#include "smp/clinic/PhotoImport.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/Statement.h"
#include "smp/storage/Transaction.h"

#include <QStandardPaths>

#include <vector>

namespace smp::clinic {

namespace {

const char *const kSeededKey = "sample_client_seeded";

bool wasSeeded(storage::Database &db)
{
    auto query = db.prepare("SELECT 1 FROM meta WHERE key = ?1");
    query.bind(1, kSeededKey);
    return query.step();
}

} // namespace

QString samplePhotoResource()
{
    return QStringLiteral(":/smp/sample/sample-scalp-top.jpg");
}

QString defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/smp-planner/clinic.sqlite");
}

std::optional<storage::RecordId> seedSampleClientIfNew(storage::Database &db)
{
    storage::ClientStore clients(db);
    if (wasSeeded(db) || clients.count() > 0)
        return std::nullopt;

    storage::Client sample;
    sample.givenName = QStringLiteral("Alex");
    sample.familyName = QStringLiteral("Sample");
    sample.dateOfBirth = QDate(1984, 5, 17);
    sample.sex = storage::Sex::Male;
    sample.phone = QStringLiteral("+1 555 0100");
    sample.email = QStringLiteral("sample.client@example.com");
    sample.fitzpatrick = 3;
    sample.hairColour = QStringLiteral("dark brown");
    sample.notes = QStringLiteral("Bundled sample client. The photo is drawn by SMP Planner "
                                  "itself (pattern loss: thinning vertex, receding front); it is "
                                  "not a photograph of a person.");
    const storage::RecordId id = clients.add(sample);

    const QDate today = QDate::currentDate();
    std::vector<storage::ScreeningEntry> screening;
    for (const storage::ContraindicationItem &item : storage::contraindicationCatalogue()) {
        storage::ScreeningEntry entry;
        entry.item = QString::fromLatin1(item.key);
        entry.answer = storage::ScreeningAnswer::None;
        entry.answeredOn = today;
        entry.answeredBy = QStringLiteral("SMP Planner (sample data)");
        screening.push_back(entry);
    }
    clients.setScreening(id, screening);
    for (const char *kind : {"treatment", "photography"}) {
        storage::Consent consent;
        consent.clientId = id;
        consent.kind = QString::fromLatin1(kind);
        consent.textVersion = QStringLiteral("1.0");
        consent.signedOn = today;
        consent.signedBy = sample.displayName();
        clients.addConsent(consent);
    }
    importPhoto(db, id, samplePhotoResource(), storage::PhotoView::Top);

    storage::Transaction transaction(db);
    auto mark = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)");
    mark.bind(1, kSeededKey).bind(2, QDateTime::currentDateTimeUtc()).run();
    transaction.commit();
    return id;
}

} // namespace smp::clinic
