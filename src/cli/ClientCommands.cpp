#include "CliSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <QJsonArray>
#include <QObject>

namespace smp::cli {

namespace {

using storage::Client;
using storage::ClientStore;

QList<QCommandLineOption> clientFieldOptions()
{
    return {
        {QStringLiteral("family"), QStringLiteral("Family name."), QStringLiteral("name")},
        {QStringLiteral("given"), QStringLiteral("Given name."), QStringLiteral("name")},
        {QStringLiteral("dob"), QStringLiteral("Date of birth, YYYY-MM-DD (empty to clear)."),
         QStringLiteral("date")},
        {QStringLiteral("sex"), QStringLiteral("female, male, other or unspecified."),
         QStringLiteral("sex")},
        {QStringLiteral("phone"), QStringLiteral("Phone number."), QStringLiteral("number")},
        {QStringLiteral("email"), QStringLiteral("E-mail address."), QStringLiteral("address")},
        {QStringLiteral("address"), QStringLiteral("Postal address."), QStringLiteral("text")},
        {QStringLiteral("skin-type"),
         QStringLiteral("Fitzpatrick skin type, I-VI or 1-6 (empty to clear)."),
         QStringLiteral("type")},
        {QStringLiteral("hair-colour"), QStringLiteral("Hair colour."), QStringLiteral("text")},
        {QStringLiteral("notes"), QStringLiteral("Notes."), QStringLiteral("text")},
    };
}

// Copies the options that were given onto `client`; leaves the other fields as they are.
void applyClientFields(const Invocation &call, Client &client)
{
    auto given = [&](const char *name) { return call.isSet(QString::fromLatin1(name)); };
    auto value = [&](const char *name) { return call.value(QString::fromLatin1(name)); };
    if (given("family"))
        client.familyName = value("family");
    if (given("given"))
        client.givenName = value("given");
    if (given("dob")) {
        client.dateOfBirth =
            value("dob").isEmpty() ? QDate() : parseDate(value("dob"), QStringLiteral("dob"));
    }
    if (given("sex")) {
        const auto sex = storage::sexFromString(value("sex"));
        if (!sex) {
            throw UsageError(QStringLiteral("--sex: \"%1\" is not one of female, male, other, "
                                            "unspecified")
                                 .arg(value("sex")));
        }
        client.sex = *sex;
    }
    if (given("phone"))
        client.phone = value("phone");
    if (given("email"))
        client.email = value("email");
    if (given("address"))
        client.address = value("address");
    if (given("skin-type")) {
        if (value("skin-type").isEmpty())
            client.fitzpatrick.reset();
        else
            client.fitzpatrick = parseSkinType(value("skin-type"));
    }
    if (given("hair-colour"))
        client.hairColour = value("hair-colour");
    if (given("notes"))
        client.notes = value("notes");
}

void printClient(const Client &client)
{
    print(QStringLiteral("Client %1: %2").arg(client.id).arg(client.displayName()));
    auto line = [](const char *label, const QString &value) {
        if (!value.isEmpty())
            print(QStringLiteral("  %1 %2").arg(QString::fromLatin1(label), -15).arg(value));
    };
    line("Date of birth:", client.dateOfBirth.toString(Qt::ISODate));
    line("Sex:",
         client.sex == storage::Sex::Unspecified ? QString() : storage::toString(client.sex));
    line("Phone:", client.phone);
    line("E-mail:", client.email);
    line("Address:", client.address);
    line("Skin type:",
         client.fitzpatrick ? storage::fitzpatrickRoman(*client.fitzpatrick) : QString());
    line("Hair colour:", client.hairColour);
    line("Notes:", client.notes);
}

int clientAdd(const QStringList &arguments)
{
    Invocation call(QStringLiteral("client add"), QStringLiteral("Registers a new client."),
                    arguments, clientFieldOptions(), {});
    call.requirePositional(0);
    if (!call.isSet(QStringLiteral("family")))
        throw UsageError(QStringLiteral("client add: --family is required"));
    Client client;
    applyClientFields(call, client);
    ClientStore store(call.database());
    const Client stored = store.get(store.add(client));
    if (call.json())
        printJson(toJson(stored));
    else
        print(QStringLiteral("Added client %1: %2").arg(stored.id).arg(stored.displayName()));
    return 0;
}

int clientList(const QStringList &arguments)
{
    Invocation call(QStringLiteral("client list"),
                    QStringLiteral("Lists clients, optionally those whose name, phone or e-mail "
                                   "contain every word of SEARCH."),
                    arguments,
                    {{QStringLiteral("limit"), QStringLiteral("At most this many clients."),
                      QStringLiteral("n"), QStringLiteral("-1")}},
                    {QStringLiteral("SEARCH Words to look for (optional).")});
    const QStringList args = call.positional();
    bool ok = false;
    const int limit = call.value(QStringLiteral("limit")).toInt(&ok);
    if (!ok)
        throw UsageError(QStringLiteral("--limit: \"%1\" is not a whole number")
                             .arg(call.value(QStringLiteral("limit"))));
    const auto clients = ClientStore(call.database()).search(args.join(QLatin1Char(' ')), limit);
    if (call.json()) {
        QJsonArray array;
        for (const auto &summary : clients)
            array.append(toJson(summary));
        printJson(array);
        return 0;
    }
    for (const auto &summary : clients) {
        print(QStringLiteral("%1  %2  %3  %4")
                  .arg(summary.id, 6)
                  .arg(summary.displayName(), -32)
                  .arg(summary.dateOfBirth.toString(Qt::ISODate), -10)
                  .arg(QObject::tr("%n photo(s)", nullptr, summary.photoCount)));
    }
    return 0;
}

// What `read()` returned, or why it failed (a damaged stored analysis, say): the rest of
// `client show` still prints.
template <typename T> struct ReadOrError
{
    T value{};
    QString error; // empty when read
};

template <typename Read> auto readOrError(Read read) -> ReadOrError<decltype(read())>
{
    try {
        return {read(), {}};
    } catch (const std::exception &failure) {
        return {{}, QString::fromUtf8(failure.what())};
    }
}

// The client's stage (clinic::clientStage()), or why it could not be read.
using StageOrError = ReadOrError<std::optional<clinic::ClientStage>>;

StageOrError readStage(storage::Database &db, storage::RecordId clientId)
{
    return readOrError([&] { return clinic::clientStage(db, clientId); });
}

// One visit's stage for `client show --json`: its day, level, stage and photos, or its day and
// {"error": ...} when a stored analysis of that day is damaged (ClientStage::problem).
QJsonObject visitStageJson(const clinic::ClientStage &stage)
{
    const QString day = stage.day.toString(Qt::ISODate);
    if (!stage.problem.isEmpty())
        return QJsonObject{{QStringLiteral("day"), day}, {QStringLiteral("error"), stage.problem}};
    QJsonArray photos;
    for (const auto &[view, name] : stage.photos)
        photos.append(QJsonObject{{QStringLiteral("view"), storage::toString(view)},
                                  {QStringLiteral("stage"), name}});
    return QJsonObject{{QStringLiteral("level"), stage.combined.level},
                       {QStringLiteral("stage"), QString::fromStdString(stage.combined.stage)},
                       {QStringLiteral("day"), day},
                       {QStringLiteral("photos"), photos},
                       {QStringLiteral("not_counted"), stage.notCounted}};
}

// The client's stage for `client show --json`: null when no analysed front, top or crown view,
// {"error": ...} when it could not be read.
QJsonValue stageJson(const StageOrError &read)
{
    if (!read.error.isEmpty())
        return QJsonObject{{QStringLiteral("error"), read.error}};
    if (!read.value)
        return QJsonValue::Null;
    return visitStageJson(*read.value);
}

// The client's stage at every visit, newest first (clinic::clientStageByVisit()), or why it
// could not be read.
using VisitStagesOrError = ReadOrError<std::vector<clinic::ClientStage>>;

VisitStagesOrError readVisitStages(storage::Database &db, storage::RecordId clientId)
{
    return readOrError([&] { return clinic::clientStageByVisit(db, clientId); });
}

int clientShow(const QStringList &arguments)
{
    Invocation call(QStringLiteral("client show"),
                    QStringLiteral("Shows a client with screening, consents and photos."),
                    arguments, {}, {QStringLiteral("CLIENT The client's id.")});
    const auto args = call.requirePositional(1);
    const storage::RecordId id = parseId(args[0], QStringLiteral("client"));
    storage::Database &db = call.database();
    ClientStore store(db);
    const Client client = store.get(id);
    const auto screening = store.screening(id);
    const auto consents = store.consents(id);
    storage::PhotoLibrary library(db);
    const auto photos = library.photos(id);
    if (call.json()) {
        QJsonObject object = toJson(client);
        QJsonArray screeningArray, consentArray, photoArray;
        for (const auto &entry : screening)
            screeningArray.append(toJson(entry));
        for (const auto &consent : consents)
            consentArray.append(toJson(consent));
        for (const auto &photo : photos)
            photoArray.append(photoJson(library, photo));
        object[QLatin1String("screening")] = screeningArray;
        object[QLatin1String("consents")] = consentArray;
        object[QLatin1String("photos")] = photoArray;
        object[QLatin1String("norwood")] = stageJson(readStage(db, id));
        const VisitStagesOrError visits = readVisitStages(db, id);
        if (!visits.error.isEmpty()) {
            object[QLatin1String("norwood_by_visit")] =
                QJsonObject{{QStringLiteral("error"), visits.error}};
        } else {
            QJsonArray visitArray;
            for (const clinic::ClientStage &visit : visits.value)
                visitArray.append(visitStageJson(visit));
            object[QLatin1String("norwood_by_visit")] = visitArray;
        }
        printJson(object);
        return 0;
    }
    printClient(client);
    print(QStringLiteral("Screening (%1 of %2 items answered):")
              .arg(screening.size())
              .arg(storage::contraindicationCatalogue().size()));
    for (const auto &entry : screening) {
        const auto *item = storage::findContraindication(entry.item);
        print(QStringLiteral("  %1 %2%3")
                  .arg(storage::toString(entry.answer), -16)
                  .arg(item ? QString::fromLatin1(item->label) : entry.item)
                  .arg(entry.note.isEmpty()
                           ? QString()
                           : QStringLiteral(" (") + entry.note + QLatin1Char(')')));
    }
    print(QStringLiteral("Consents:"));
    for (const auto &consent : consents) {
        print(QStringLiteral("  %1 v%2 signed %3 by %4")
                  .arg(consent.kind, consent.textVersion, consent.signedOn.toString(Qt::ISODate),
                       consent.signedBy));
    }
    print(QStringLiteral("Photos:"));
    for (const auto &photo : photos) {
        print(QStringLiteral("  %1  %2  %3x%4  %5")
                  .arg(photo.id, 5)
                  .arg(storage::toString(photo.view), -6)
                  .arg(photo.widthPx)
                  .arg(photo.heightPx)
                  .arg(photo.originalName));
    }
    const StageOrError read = readStage(db, id);
    print(!read.error.isEmpty() ? QStringLiteral("Stage: not read: %1").arg(read.error)
          : read.value
              ? QStringLiteral("Stage: %1").arg(clinic::clientStageText(*read.value, QLocale::c()))
              : QStringLiteral("Stage: none yet (analyse a front or top view)"));
    // Earlier visits, so that the change shows; the latest is the line above.
    const VisitStagesOrError visits = readVisitStages(db, id);
    if (!visits.error.isEmpty()) {
        print(QStringLiteral("Stage by visit: not read: %1").arg(visits.error));
    } else if (visits.value.size() > 1) {
        print(QStringLiteral("Stage by visit (newest first):"));
        for (const clinic::ClientStage &visit : visits.value) {
            print(visit.problem.isEmpty()
                      ? QStringLiteral("  %1").arg(clinic::clientStageText(visit, QLocale::c()))
                      : QStringLiteral("  %1: not read: %2")
                            .arg(visit.day.toString(Qt::ISODate), visit.problem));
        }
    }
    return 0;
}

int clientEdit(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("client edit"),
        QStringLiteral("Changes the given fields of a client; others stay as they are."), arguments,
        clientFieldOptions(), {QStringLiteral("CLIENT The client's id.")});
    const auto args = call.requirePositional(1);
    const storage::RecordId id = parseId(args[0], QStringLiteral("client"));
    ClientStore store(call.database());
    Client client = store.get(id);
    applyClientFields(call, client);
    store.update(client);
    const Client stored = store.get(id);
    if (call.json())
        printJson(toJson(stored));
    else
        print(QStringLiteral("Saved client %1: %2").arg(stored.id).arg(stored.displayName()));
    return 0;
}

int clientDelete(const QStringList &arguments)
{
    Invocation call(QStringLiteral("client delete"),
                    QStringLiteral("Deletes a client with all their records and photos."),
                    arguments,
                    {{QStringLiteral("yes"), QStringLiteral("Confirm the deletion (required).")}},
                    {QStringLiteral("CLIENT The client's id.")});
    const auto args = call.requirePositional(1);
    const storage::RecordId id = parseId(args[0], QStringLiteral("client"));
    ClientStore store(call.database());
    const Client client = store.get(id);
    if (!call.isSet(QStringLiteral("yes"))) {
        throw UsageError(QStringLiteral("client delete: deleting %1 (client %2) removes all their "
                                        "records and photos; add --yes to confirm")
                             .arg(client.displayName())
                             .arg(id));
    }
    store.remove(id);
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("deleted")] = static_cast<qint64>(id);
        printJson(object);
    } else {
        print(QStringLiteral("Deleted client %1: %2").arg(id).arg(client.displayName()));
    }
    return 0;
}

} // namespace

int runClientCommand(const QString &verb, const QStringList &arguments)
{
    if (verb == QLatin1String("add"))
        return clientAdd(arguments);
    if (verb == QLatin1String("list"))
        return clientList(arguments);
    if (verb == QLatin1String("show"))
        return clientShow(arguments);
    if (verb == QLatin1String("edit"))
        return clientEdit(arguments);
    if (verb == QLatin1String("delete"))
        return clientDelete(arguments);
    throw UsageError(
        QStringLiteral("client: unknown command \"%1\" (add, list, show, edit, delete)").arg(verb));
}

} // namespace smp::cli
