#include "CliSupport.h"

#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"

#include <QJsonArray>
#include <QObject>

namespace smp::cli {

int runScreeningCommand(const QString &verb, const QStringList &arguments)
{
    if (verb == QLatin1String("items")) {
        Invocation call(QStringLiteral("screening items"),
                        QStringLiteral("Lists the contraindications the clinic screens for."),
                        arguments, {}, {});
        QJsonArray array;
        for (const auto &item : storage::contraindicationCatalogue()) {
            if (call.json()) {
                QJsonObject object;
                object[QLatin1String("item")] = QString::fromLatin1(item.key);
                object[QLatin1String("label")] = QString::fromLatin1(item.label);
                object[QLatin1String("guidance")] = QString::fromLatin1(item.guidance);
                array.append(object);
            } else {
                print(QStringLiteral("%1 %2")
                          .arg(QString::fromLatin1(item.key), -20)
                          .arg(QString::fromLatin1(item.label)));
            }
        }
        if (call.json())
            printJson(array);
        return 0;
    }
    if (verb != QLatin1String("set"))
        throw UsageError(
            QStringLiteral("screening: unknown command \"%1\" (set, items)").arg(verb));

    Invocation call(QStringLiteral("screening set"),
                    QStringLiteral("Records screening answers, each as ITEM=ANSWER with ANSWER one "
                                   "of none, needs_clearance, excludes (see smp screening items)."),
                    arguments,
                    {{QStringLiteral("note"), QStringLiteral("A note stored with each answer."),
                      QStringLiteral("text")},
                     {QStringLiteral("date"), QStringLiteral("Date answered (default today)."),
                      QStringLiteral("YYYY-MM-DD")}},
                    {QStringLiteral("CLIENT The client's id."),
                     QStringLiteral("ITEM=ANSWER One or more answers.")});
    const auto args = call.requireAtLeast(2);
    const storage::RecordId clientId = parseId(args[0], QStringLiteral("client"));
    storage::Database &db = call.database();
    const QDate date = call.isSet(QStringLiteral("date"))
                           ? parseDate(call.value(QStringLiteral("date")), QStringLiteral("date"))
                           : QDate::currentDate();
    std::vector<storage::ScreeningEntry> entries;
    for (const QString &pair : args.mid(1)) {
        const QString key = pair.section(QLatin1Char('='), 0, 0);
        const auto answer = storage::screeningAnswerFromString(pair.section(QLatin1Char('='), 1));
        if (!storage::findContraindication(key))
            throw UsageError(
                QStringLiteral(
                    "screening set: \"%1\" is not a screening item (see smp screening items)")
                    .arg(key));
        if (!answer)
            throw UsageError(
                QStringLiteral(
                    "screening set: \"%1\": the answer must be none, needs_clearance or excludes")
                    .arg(pair));
        storage::ScreeningEntry entry;
        entry.item = key;
        entry.answer = *answer;
        entry.note = call.value(QStringLiteral("note"));
        entry.answeredOn = date;
        entry.answeredBy = db.actor();
        entries.push_back(entry);
    }
    storage::ClientStore(db).setScreening(clientId, entries);
    if (!call.json())
        print(QObject::tr("Saved %n screening answer(s) for client %1", nullptr,
                          static_cast<int>(entries.size()))
                  .arg(clientId));
    return 0;
}

int runConsentCommand(const QString &verb, const QStringList &arguments)
{
    if (verb != QLatin1String("add"))
        throw UsageError(QStringLiteral("consent: unknown command \"%1\" (add)").arg(verb));
    Invocation call(
        QStringLiteral("consent add"), QStringLiteral("Records a signed consent."), arguments,
        {{QStringLiteral("kind"), QStringLiteral("e.g. treatment, photography."),
          QStringLiteral("kind")},
         {QStringLiteral("text-version"), QStringLiteral("Version of the consent text."),
          QStringLiteral("version")},
         {QStringLiteral("signed-by"), QStringLiteral("Who signed."), QStringLiteral("name")},
         {QStringLiteral("date"), QStringLiteral("Date signed (default today)."),
          QStringLiteral("YYYY-MM-DD")}},
        {QStringLiteral("CLIENT The client's id.")});
    const auto args = call.requirePositional(1);
    storage::Consent consent;
    consent.clientId = parseId(args[0], QStringLiteral("client"));
    consent.kind = call.value(QStringLiteral("kind"));
    consent.textVersion = call.value(QStringLiteral("text-version"));
    consent.signedBy = call.value(QStringLiteral("signed-by"));
    consent.signedOn = call.isSet(QStringLiteral("date"))
                           ? parseDate(call.value(QStringLiteral("date")), QStringLiteral("date"))
                           : QDate::currentDate();
    consent.id = storage::ClientStore(call.database()).addConsent(consent);
    if (call.json())
        printJson(toJson(consent));
    else
        print(QStringLiteral("Recorded consent %1 for client %2")
                  .arg(consent.id)
                  .arg(consent.clientId));
    return 0;
}

} // namespace smp::cli
