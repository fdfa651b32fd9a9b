#include "TestSupport.h"

#include "smp/clinic/PluralForms.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QFile>

using namespace smp::storage;
using smp::test::ScratchDir;

namespace {

Client makeClient(const QString &given, const QString &family)
{
    Client client;
    client.givenName = given;
    client.familyName = family;
    return client;
}

ErrorKind kindOfError(const std::function<void()> &action, QString *message = nullptr)
{
    try {
        action();
    } catch (const StorageError &error) {
        if (message)
            *message = error.message();
        return error.kind();
    }
    FAIL("expected a StorageError");
    return ErrorKind::Sql;
}

ImageFacts factsFor(const QString &format)
{
    ImageFacts facts;
    facts.format = format;
    facts.widthPx = 64;
    facts.heightPx = 48;
    facts.takenAt = QDateTime(QDate(2026, 1, 5), QTime(10, 0), Qt::UTC);
    return facts;
}

} // namespace

TEST_CASE("a client round-trips every field, Unicode included", "[clients]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    ClientStore store(db);

    Client client = makeClient(QStringLiteral("Zoë"), QStringLiteral("Ñúñez-O'Brien"));
    client.dateOfBirth = QDate(1975, 2, 28);
    client.sex = Sex::Female;
    client.phone = QStringLiteral(" +34 600 000 000 ");
    client.email = QStringLiteral("zoe@example.es");
    client.address = QStringLiteral("Calle Mayor 1\n28013 Madrid");
    client.fitzpatrick = 4;
    client.hairColour = QStringLiteral("dark brown");
    client.notes = QStringLiteral("Línea 1\nLine 2 — 漢字");

    const RecordId id = store.add(client);
    const Client stored = store.get(id);
    CHECK(stored.id == id);
    CHECK(stored.givenName == client.givenName);
    CHECK(stored.familyName == client.familyName);
    CHECK(stored.dateOfBirth == client.dateOfBirth);
    CHECK(stored.sex == Sex::Female);
    CHECK(stored.phone == QStringLiteral("+34 600 000 000")); // trimmed
    CHECK(stored.email == client.email);
    CHECK(stored.address == client.address);
    CHECK(stored.fitzpatrick == 4);
    CHECK(stored.hairColour == client.hairColour);
    CHECK(stored.notes == client.notes);
    CHECK(stored.createdAt.isValid());
    CHECK(stored.createdAt.timeSpec() == Qt::UTC);
    CHECK(std::abs(stored.createdAt.secsTo(QDateTime::currentDateTimeUtc())) < 60);

    Client unknownDob = makeClient(QString(), QStringLiteral("Only Family"));
    const Client second = store.get(store.add(unknownDob));
    CHECK(second.dateOfBirth.isNull());
    CHECK_FALSE(second.fitzpatrick.has_value());
    CHECK(second.displayName() == QStringLiteral("Only Family"));
}

TEST_CASE("invalid client fields are refused with the field named", "[clients]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    ClientStore store(db);
    QString message;

    Client noName = makeClient(QStringLiteral("Given"), QStringLiteral("   "));
    CHECK(kindOfError([&] { store.add(noName); }, &message) == ErrorKind::InvalidInput);
    CHECK(message.contains(QStringLiteral("family name")));

    Client future = makeClient(QString(), QStringLiteral("Future"));
    future.dateOfBirth = QDate::currentDate().addDays(3);
    CHECK(kindOfError([&] { store.add(future); }, &message) == ErrorKind::InvalidInput);
    CHECK(message.contains(QStringLiteral("date of birth")));
    CHECK(message.contains(QStringLiteral("future")));

    Client skin = makeClient(QString(), QStringLiteral("Skin"));
    skin.fitzpatrick = 7;
    CHECK(kindOfError([&] { store.add(skin); }, &message) == ErrorKind::InvalidInput);
    CHECK(message.contains(QStringLiteral("Fitzpatrick")));

    Client email = makeClient(QString(), QStringLiteral("Mail"));
    email.email = QStringLiteral("not an address");
    CHECK(kindOfError([&] { store.add(email); }, &message) == ErrorKind::InvalidInput);
    CHECK(message.contains(QStringLiteral("e-mail")));

    CHECK(store.count() == 0);
}

TEST_CASE("search ignores case and accents, needs every word, and treats % and _ literally",
          "[clients]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    ClientStore store(db);
    const RecordId muller = store.add(makeClient(QStringLiteral("Jörg"), QStringLiteral("Müller")));
    const RecordId mueller =
        store.add(makeClient(QStringLiteral("Anna"), QStringLiteral("Mueller")));
    Client phone = makeClient(QStringLiteral("Sam"), QStringLiteral("100% Real"));
    phone.phone = QStringLiteral("+1 555 0199");
    const RecordId percent = store.add(phone);

    auto ids = [&](const QString &text) {
        std::vector<RecordId> result;
        for (const auto &summary : store.search(text))
            result.push_back(summary.id);
        return result;
    };
    CHECK(ids(QString()).size() == 3);
    CHECK(ids(QStringLiteral("MULLER")) == std::vector<RecordId>{muller});
    CHECK(ids(QStringLiteral("müller jorg")) == std::vector<RecordId>{muller});
    CHECK(ids(QStringLiteral("jorg anna")).empty());
    CHECK(ids(QStringLiteral("mu")).size() == 2);
    CHECK(ids(QStringLiteral("0199")) == std::vector<RecordId>{percent});
    CHECK(ids(QStringLiteral("100%")) == std::vector<RecordId>{percent});
    CHECK(ids(QStringLiteral("%")) == std::vector<RecordId>{percent});
    CHECK(ids(QStringLiteral("_")).empty());
    // Sorted by family name.
    const auto all = store.search(QString());
    CHECK(all[0].familyName == QStringLiteral("100% Real"));
    CHECK(all[1].id == mueller);
    CHECK(store.search(QString(), 1).size() == 1);
}

TEST_CASE("updates are audited with who changed which fields", "[clients][audit]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    db.setActor(QStringLiteral("technician.anna"));
    ClientStore store(db);
    const RecordId id = store.add(makeClient(QStringLiteral("Lee"), QStringLiteral("Park")));
    Client client = store.get(id);
    client.phone = QStringLiteral("+82 2 000 0000");
    client.fitzpatrick = 3;
    store.update(client);
    store.update(client); // no change: no audit line

    const auto entries = AuditLog(db).entries(id);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].action == QStringLiteral("update"));
    CHECK(entries[0].actor == QStringLiteral("technician.anna"));
    CHECK(entries[0].details == QStringLiteral("changed: phone, fitzpatrick"));
    CHECK(entries[1].action == QStringLiteral("insert"));
    CHECK(std::abs(entries[0].at.secsTo(QDateTime::currentDateTimeUtc())) < 60);

    Client missing = client;
    missing.id = 999;
    CHECK(kindOfError([&] { store.update(missing); }) == ErrorKind::NotFound);
}

TEST_CASE("screening answers and consents are stored, replaced and validated", "[clients]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    ClientStore store(db);
    const RecordId id = store.add(makeClient(QStringLiteral("Ada"), QStringLiteral("Osei")));

    ScreeningEntry keloid{QStringLiteral("keloid"), ScreeningAnswer::None, QString(),
                          QDate(2026, 11, 1), QStringLiteral("tech")};
    ScreeningEntry blood{QStringLiteral("anticoagulants"), ScreeningAnswer::NeedsClearance,
                         QStringLiteral("apixaban"), QDate(2026, 11, 1), QStringLiteral("tech")};
    store.setScreening(id, std::vector{blood, keloid});
    auto answers = store.screening(id);
    REQUIRE(answers.size() == 2);
    CHECK(answers[0].item == QStringLiteral("keloid")); // catalogue order
    CHECK(answers[1].answer == ScreeningAnswer::NeedsClearance);
    CHECK(answers[1].note == QStringLiteral("apixaban"));

    blood.answer = ScreeningAnswer::None;
    blood.note = QStringLiteral("stopped, GP letter");
    store.setScreening(id, std::vector{blood});
    answers = store.screening(id);
    REQUIRE(answers.size() == 2);
    CHECK(answers[1].answer == ScreeningAnswer::None);
    CHECK(answers[1].note == QStringLiteral("stopped, GP letter"));

    QString message;
    ScreeningEntry bogus{QStringLiteral("vampirism"), ScreeningAnswer::None, QString(),
                         QDate(2026, 11, 1), QStringLiteral("tech")};
    CHECK(kindOfError(
              [&] {
                  store.setScreening(id, std::vector{keloid, bogus});
              },
              &message) == ErrorKind::InvalidInput);
    CHECK(message.contains(QStringLiteral("vampirism")));
    CHECK(store.screening(id)[0].answer == ScreeningAnswer::None); // nothing half-applied

    Consent consent;
    consent.clientId = id;
    consent.kind = QStringLiteral("treatment");
    consent.textVersion = QStringLiteral("2.1");
    consent.signedOn = QDate(2026, 11, 2);
    consent.signedBy = QStringLiteral("Ada Osei");
    const RecordId consentId = store.addConsent(consent);
    REQUIRE(store.consents(id).size() == 1);
    CHECK(store.consents(id)[0].textVersion == QStringLiteral("2.1"));
    consent.signedBy.clear();
    CHECK(kindOfError([&] { store.addConsent(consent); }, &message) == ErrorKind::InvalidInput);
    CHECK(message.contains(QStringLiteral("signed by")));
    store.removeConsent(consentId);
    CHECK(store.consents(id).empty());
}

TEST_CASE("deleting a client removes all their rows, then only the files nobody else uses",
          "[clients][photos]")
{
    ScratchDir dir;
    Database db(dir.file(QStringLiteral("clinic.sqlite")));
    ClientStore store(db);
    PhotoLibrary library(db);
    const RecordId leaving =
        store.add(makeClient(QStringLiteral("Leaving"), QStringLiteral("Client")));
    const RecordId staying =
        store.add(makeClient(QStringLiteral("Staying"), QStringLiteral("Client")));
    const QString shared =
        smp::test::writeTestImage(dir.file(QStringLiteral("shared.png")), 64, 48, "png", 1);
    const QString own =
        smp::test::writeTestImage(dir.file(QStringLiteral("own.png")), 64, 48, "png", 2);
    const Photo sharedLeaving =
        library.add(leaving, shared, PhotoView::Top, factsFor(QStringLiteral("png")));
    const Photo ownPhoto =
        library.add(leaving, own, PhotoView::Crown, factsFor(QStringLiteral("png")));
    const Photo sharedStaying =
        library.add(staying, shared, PhotoView::Top, factsFor(QStringLiteral("png")));
    CHECK(sharedLeaving.fileName == sharedStaying.fileName); // stored once
    store.setScreening(
        leaving, std::vector{ScreeningEntry{QStringLiteral("keloid"), ScreeningAnswer::None,
                                            QString(), QDate(2026, 1, 1), QStringLiteral("t")}});

    REQUIRE(smp::clinic::installPluralForms(*QCoreApplication::instance()));
    store.remove(leaving);
    CHECK_FALSE(store.find(leaving).has_value());
    CHECK(store.screening(leaving).empty());
    CHECK(library.photos(leaving).empty());
    CHECK_FALSE(QFile::exists(library.absolutePath(ownPhoto)));
    CHECK(QFile::exists(library.absolutePath(sharedStaying)));
    CHECK(library.photos(staying).size() == 1);
    CHECK(kindOfError([&] { store.remove(leaving); }) == ErrorKind::NotFound);
    const auto audit = AuditLog(db).entries(leaving);
    REQUIRE_FALSE(audit.empty());
    CHECK(audit[0].action == QStringLiteral("delete"));
    // In English plural forms, as the application (which loads them) writes it.
    CHECK(audit[0].details.contains(QStringLiteral("2 photos")));
}
