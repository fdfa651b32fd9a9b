#include "CliSupport.h"

#include "smp/clinic/Planning.h"
#include "smp/clinic/Scheduling.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/StorageError.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>

#include <cstdio>

namespace smp::cli {

namespace {

using storage::Appointment;
using storage::AppointmentStatus;
using storage::AppointmentStore;

// "YYYY-MM-DD" (the start of that day) or "YYYY-MM-DDTHH:MM" in the clinic's time zone, or a
// full ISO 8601 time with "Z" or an offset.
QDateTime parseWhen(const QString &text, const QTimeZone &zone, const QString &what)
{
    // QDate::fromString takes "2026-12-03T10:00" as a date too: only ten characters are a date.
    const QDate date = text.size() == 10 ? QDate::fromString(text, Qt::ISODate) : QDate();
    if (date.isValid())
        return QDateTime(date, QTime(0, 0), zone).toUTC();
    static const QRegularExpression local(
        QStringLiteral("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}$"));
    if (local.match(text).hasMatch()) {
        const QDateTime t =
            QDateTime(QDate::fromString(text.left(10), Qt::ISODate),
                      QTime::fromString(text.mid(11), QStringLiteral("HH:mm")), zone);
        if (t.isValid())
            return t.toUTC();
    }
    const QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (t.isValid() && t.timeSpec() != Qt::LocalTime)
        return t.toUTC();
    throw UsageError(QStringLiteral("%1: \"%2\" is not a date (YYYY-MM-DD) or a time "
                                    "(YYYY-MM-DDTHH:MM, the clinic's time zone)")
                         .arg(what, text));
}

QString localText(const QDateTime &t, const QTimeZone &zone)
{
    return t.toTimeZone(zone).toString(QStringLiteral("ddd yyyy-MM-dd HH:mm"));
}

QJsonObject appointmentJson(const Appointment &a, const QTimeZone &zone, const QString &client)
{
    QJsonObject o{{QStringLiteral("id"), qint64(a.id)},
                  {QStringLiteral("uid"), a.uid},
                  {QStringLiteral("client_id"), qint64(a.clientId)},
                  {QStringLiteral("client"), client},
                  {QStringLiteral("kind"), a.kind},
                  {QStringLiteral("title"), clinic::appointmentTitle(a)},
                  {QStringLiteral("session"), a.session},
                  {QStringLiteral("sitting"), a.sitting},
                  {QStringLiteral("start_utc"), a.start.toString(Qt::ISODate)},
                  {QStringLiteral("start_local"), a.start.toTimeZone(zone).toString(Qt::ISODate)},
                  {QStringLiteral("minutes"), a.minutes},
                  {QStringLiteral("status"), storage::statusName(a.status)},
                  {QStringLiteral("sequence"), a.sequence}};
    if (a.planId)
        o.insert(QStringLiteral("plan_id"), qint64(*a.planId));
    return o;
}

void printAppointment(const Appointment &a, const QTimeZone &zone, const QString &client)
{
    print(QStringLiteral("%1  %2  %3  %4%5  %6")
              .arg(a.id, 5)
              .arg(a.kind == QLatin1String("recall")
                       ? a.start.toTimeZone(zone).toString(QStringLiteral("ddd yyyy-MM-dd      "))
                       : localText(a.start, zone))
              .arg(a.kind == QLatin1String("recall")
                       ? QStringLiteral("     ")
                       : QStringLiteral("%1 h").arg(a.minutes / 60.0, 3, 'f', 1))
              .arg(clinic::appointmentTitle(a), -28)
              .arg(a.status == AppointmentStatus::Booked
                       ? QString()
                       : QStringLiteral(" [%1]").arg(storage::statusName(a.status)))
              .arg(client));
}

std::optional<int> optionalInt(Invocation &call, const QString &name, int low, int high)
{
    if (!call.isSet(name))
        return std::nullopt;
    bool ok = false;
    const int v = call.value(name).toInt(&ok);
    if (!ok || v < low || v > high)
        throw UsageError(QStringLiteral("--%1: \"%2\" must be a whole number from %3 to %4")
                             .arg(name, call.value(name))
                             .arg(low)
                             .arg(high));
    return v;
}

int propose(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("schedule propose"),
        QStringLiteral("Proposes dates and times for the sessions of the client's newest saved "
                       "plan (or --plan) within the clinic's hours, closures, the technician's "
                       "appointments and the client's preferences, 10-14 days apart by default "
                       "and never under the minimum, then the touch-up recall. --book books it."),
        arguments,
        {{QStringLiteral("from"),
          QStringLiteral("Earliest start: YYYY-MM-DD or YYYY-MM-DDTHH:MM (default now)."),
          QStringLiteral("when")},
         {QStringLiteral("plan"), QStringLiteral("The plan to schedule (default the newest)."),
          QStringLiteral("id")},
         {QStringLiteral("min-days"),
          QStringLiteral("Minimum days between sessions for this plan (default the clinic's)."),
          QStringLiteral("n")},
         {QStringLiteral("interval"),
          QStringLiteral("Preferred days between sessions, e.g. 10-14 (default the clinic's)."),
          QStringLiteral("from-to")},
         {QStringLiteral("recall-years"),
          QStringLiteral("Touch-up recall after the last session, 1-8 years."),
          QStringLiteral("n")},
         {QStringLiteral("book"), QStringLiteral("Book the proposal.")}},
        {QStringLiteral("CLIENT the client's id")});
    const storage::RecordId clientId =
        parseId(call.requirePositional(1)[0], QStringLiteral("client"));
    storage::Database &db = call.database();
    const clinic::ScheduleSettings settings = clinic::scheduleSettings(db);
    const QTimeZone &zone = settings.calendar.timeZone;
    clinic::ProposalOptions options;
    if (call.isSet(QStringLiteral("from")))
        options.from =
            parseWhen(call.value(QStringLiteral("from")), zone, QStringLiteral("--from"));
    if (call.isSet(QStringLiteral("plan")))
        options.planId = parseId(call.value(QStringLiteral("plan")), QStringLiteral("plan"));
    scheduling::IntervalRule interval = settings.interval;
    if (const auto m = optionalInt(call, QStringLiteral("min-days"), 1, 120))
        interval.minimumDays = *m;
    if (call.isSet(QStringLiteral("interval"))) {
        static const QRegularExpression range(QStringLiteral("^(\\d+)-(\\d+)$"));
        const auto match = range.match(call.value(QStringLiteral("interval")));
        if (!match.hasMatch())
            throw UsageError(QStringLiteral("--interval: \"%1\" must be FROM-TO days, e.g. 10-14")
                                 .arg(call.value(QStringLiteral("interval"))));
        interval.preferredMinDays = match.captured(1).toInt();
        interval.preferredMaxDays = match.captured(2).toInt();
    }
    if (interval.minimumDays > interval.preferredMinDays ||
        interval.preferredMinDays > interval.preferredMaxDays)
        throw UsageError(QStringLiteral("--interval/--min-days: need minimum <= preferred from <= "
                                        "preferred to (%1, %2-%3)")
                             .arg(interval.minimumDays)
                             .arg(interval.preferredMinDays)
                             .arg(interval.preferredMaxDays));
    options.interval = interval;
    options.recallYears = optionalInt(call, QStringLiteral("recall-years"), 1, 8);

    clinic::ClientProposal proposal;
    try {
        proposal = clinic::proposeForClient(db, clientId, options);
    } catch (const scheduling::NoSchedule &e) {
        throw storage::StorageError(storage::ErrorKind::InvalidInput,
                                    QStringLiteral("client %1: no schedule fits: %2")
                                        .arg(clientId)
                                        .arg(QString::fromUtf8(e.what())));
    }
    std::vector<Appointment> booked;
    if (call.isSet(QStringLiteral("book")))
        booked = clinic::bookProposal(db, proposal);
    if (call.json()) {
        QJsonArray list;
        for (std::size_t i = 0; i < proposal.proposal.appointments.size(); ++i) {
            const scheduling::ProposedSlot &s = proposal.proposal.appointments[i];
            QJsonObject o{
                {QStringLiteral("session"), s.session},
                {QStringLiteral("sitting"), s.sitting},
                {QStringLiteral("start_utc"), s.start.toString(Qt::ISODate)},
                {QStringLiteral("start_local"), s.start.toTimeZone(zone).toString(Qt::ISODate)},
                {QStringLiteral("end_local"), s.end.toTimeZone(zone).toString(Qt::ISODate)},
                {QStringLiteral("minutes"), static_cast<int>(s.start.secsTo(s.end) / 60)},
                {QStringLiteral("days_after_previous"), s.daysAfterPrevious}};
            if (i < booked.size())
                o.insert(QStringLiteral("appointment_id"), qint64(booked[i].id));
            list.append(o);
        }
        QJsonArray notes;
        for (const QString &n : proposal.proposal.notes)
            notes.append(n);
        printJson(
            QJsonObject{{QStringLiteral("client_id"), qint64(clientId)},
                        {QStringLiteral("plan_id"), qint64(proposal.planId)},
                        {QStringLiteral("time_zone"), QString::fromUtf8(zone.id())},
                        {QStringLiteral("appointments"), list},
                        {QStringLiteral("recall"), proposal.proposal.recall.toString(Qt::ISODate)},
                        {QStringLiteral("notes"), notes},
                        {QStringLiteral("booked"), !booked.empty()}});
        return 0;
    }
    for (const scheduling::ProposedSlot &s : proposal.proposal.appointments)
        print(
            QStringLiteral("Session %1%2: %3-%4%5")
                .arg(s.session)
                .arg(s.sitting > 1 ? QStringLiteral(" (sitting %1)").arg(s.sitting) : QString())
                .arg(localText(s.start, zone),
                     s.end.toTimeZone(zone).toString(QStringLiteral("HH:mm")))
                .arg(s.daysAfterPrevious > 0
                         ? QStringLiteral(" (%1 days after the previous)").arg(s.daysAfterPrevious)
                         : QString()));
    print(
        QStringLiteral("Touch-up recall: %1").arg(proposal.proposal.recall.toString(Qt::ISODate)));
    for (const QString &n : proposal.proposal.notes)
        print(QStringLiteral("Note: ") + n);
    print(booked.empty() ? QStringLiteral("Not booked (add --book to book it).")
                         : QStringLiteral("Booked %1 appointments.").arg(booked.size()));
    return 0;
}

int list(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("schedule list"),
        QStringLiteral("Lists appointments (sessions and touch-up recalls) from --from "
                       "(default today) to --to (default 30 days later), of one "
                       "client or the whole clinic."),
        arguments,
        {{QStringLiteral("from"), QStringLiteral("First day (YYYY-MM-DD)."),
          QStringLiteral("date")},
         {QStringLiteral("to"), QStringLiteral("Last day (YYYY-MM-DD), included."),
          QStringLiteral("date")},
         {QStringLiteral("client"), QStringLiteral("Only this client."), QStringLiteral("id")}},
        {});
    call.requirePositional(0);
    storage::Database &db = call.database();
    const QTimeZone zone = clinic::scheduleSettings(db).calendar.timeZone;
    const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(zone).date();
    const QDate from = call.isSet(QStringLiteral("from"))
                           ? parseDate(call.value(QStringLiteral("from")), QStringLiteral("--from"))
                           : today;
    const QDate to = call.isSet(QStringLiteral("to"))
                         ? parseDate(call.value(QStringLiteral("to")), QStringLiteral("--to"))
                         : from.addDays(30);
    if (to < from)
        throw UsageError(QStringLiteral("--to comes before --from"));
    std::optional<storage::RecordId> client;
    if (call.isSet(QStringLiteral("client")))
        client = parseId(call.value(QStringLiteral("client")), QStringLiteral("client"));
    const auto appointments = AppointmentStore(db).between(
        QDateTime(from, QTime(0, 0), zone), QDateTime(to.addDays(1), QTime(0, 0), zone), client);
    storage::ClientStore clients(db);
    std::map<storage::RecordId, QString> names;
    const auto name = [&](storage::RecordId id) -> QString {
        if (!names.count(id)) {
            const auto c = clients.find(id);
            names[id] = c ? c->displayName() : QString();
        }
        return names[id];
    };
    if (call.json()) {
        QJsonArray array;
        for (const Appointment &a : appointments)
            array.append(appointmentJson(a, zone, name(a.clientId)));
        printJson(array);
        return 0;
    }
    if (appointments.empty())
        print(QStringLiteral("No appointments from %1 to %2")
                  .arg(from.toString(Qt::ISODate), to.toString(Qt::ISODate)));
    for (const Appointment &a : appointments)
        printAppointment(a, zone, name(a.clientId));
    return 0;
}

int move(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("schedule move"),
        QStringLiteral("Moves an appointment, with the proposal's checks: a double booking is "
                       "refused; outside hours, a closure or an interval under the minimum are "
                       "warnings, and the move waits for --yes. --later moves the client's later "
                       "sessions of the plan by the same time."),
        arguments,
        {{QStringLiteral("later"), QStringLiteral("Move the later sessions with it.")},
         {QStringLiteral("yes"), QStringLiteral("Move despite the warnings.")}},
        {QStringLiteral("APPOINTMENT the appointment's id"),
         QStringLiteral("WHEN YYYY-MM-DDTHH:MM in the clinic's time zone")});
    const QStringList args = call.requirePositional(2);
    storage::Database &db = call.database();
    const QTimeZone zone = clinic::scheduleSettings(db).calendar.timeZone;
    const storage::RecordId id = parseId(args[0], QStringLiteral("appointment"));
    const QDateTime when = parseWhen(args[1], zone, QStringLiteral("WHEN"));
    clinic::MoveOutcome outcome;
    try {
        outcome = clinic::moveAppointment(db, id, when, call.isSet(QStringLiteral("later")),
                                          call.isSet(QStringLiteral("yes")));
    } catch (const storage::StorageError &e) {
        if (e.kind() != storage::ErrorKind::InvalidInput)
            throw;
        std::fprintf(stderr, "smp: %s\n", qPrintable(e.message()));
        return 1;
    }
    if (call.json()) {
        QJsonArray moves, warnings;
        for (const auto &[movedId, start] : outcome.moves)
            moves.append(QJsonObject{
                {QStringLiteral("id"), qint64(movedId)},
                {QStringLiteral("start_local"), start.toTimeZone(zone).toString(Qt::ISODate)}});
        for (const QString &w : outcome.warnings)
            warnings.append(w);
        printJson(QJsonObject{{QStringLiteral("moved"), outcome.applied},
                              {QStringLiteral("moves"), moves},
                              {QStringLiteral("warnings"), warnings}});
        return outcome.applied ? 0 : 3;
    }
    for (const QString &w : outcome.warnings)
        std::fprintf(stderr, "warning: %s\n", qPrintable(w));
    if (!outcome.applied) {
        std::fprintf(stderr, "smp: not moved: confirm with --yes\n");
        return 3;
    }
    for (const auto &[movedId, start] : outcome.moves)
        print(
            QStringLiteral("Appointment %1 moved to %2").arg(movedId).arg(localText(start, zone)));
    return 0;
}

int mark(const QStringList &arguments)
{
    Invocation call(QStringLiteral("schedule mark"),
                    QStringLiteral("Marks an appointment booked, done, cancelled or no-show."),
                    arguments, {},
                    {QStringLiteral("APPOINTMENT the appointment's id"),
                     QStringLiteral("STATUS booked, done, cancelled or no-show")});
    const QStringList args = call.requirePositional(2);
    const auto status = storage::statusFromName(args[1]);
    if (!status)
        throw UsageError(QStringLiteral("STATUS: \"%1\" is not booked, done, cancelled or no-show")
                             .arg(args[1]));
    const storage::RecordId id = parseId(args[0], QStringLiteral("appointment"));
    AppointmentStore(call.database()).setStatus(id, *status);
    print(QStringLiteral("Appointment %1: %2").arg(id).arg(args[1]));
    return 0;
}

int record(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("schedule record"),
        QStringLiteral("Records what was done at a session (marks it done): the dilution as "
                       "mixed, the needle, the duration, notes and the after photo."),
        arguments,
        {{QStringLiteral("dilution"),
          QStringLiteral("As mixed, e.g. \"3 ml water : 1 ml pigment\"."), QStringLiteral("text")},
         {QStringLiteral("needle"), QStringLiteral("e.g. \"1RL 0.20 + 3RL 0.25\"."),
          QStringLiteral("text")},
         {QStringLiteral("minutes"), QStringLiteral("How long it took."), QStringLiteral("n")},
         {QStringLiteral("notes"), QStringLiteral("Notes."), QStringLiteral("text")},
         {QStringLiteral("after-photo"), QStringLiteral("The after photo's id (smp photo list)."),
          QStringLiteral("id")}},
        {QStringLiteral("APPOINTMENT the appointment's id")});
    storage::SessionRecord r;
    r.appointmentId = parseId(call.requirePositional(1)[0], QStringLiteral("appointment"));
    r.dilution = call.value(QStringLiteral("dilution"));
    r.needle = call.value(QStringLiteral("needle"));
    r.minutes = optionalInt(call, QStringLiteral("minutes"), 0, 1440);
    r.notes = call.value(QStringLiteral("notes"));
    if (call.isSet(QStringLiteral("after-photo")))
        r.afterPhotoId =
            parseId(call.value(QStringLiteral("after-photo")), QStringLiteral("photo"));
    AppointmentStore(call.database()).record(r);
    print(QStringLiteral("Recorded appointment %1 (done)").arg(r.appointmentId));
    return 0;
}

int preferences(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("schedule prefs"),
        QStringLiteral("Shows or sets the client's days and times for booking (the clinic's "
                       "time zone)."),
        arguments,
        {{QStringLiteral("days"), QStringLiteral("e.g. mon,wed,fri or all."),
          QStringLiteral("list")},
         {QStringLiteral("earliest"), QStringLiteral("Not before HH:MM (or \"any\")."),
          QStringLiteral("time")},
         {QStringLiteral("latest"), QStringLiteral("Ended by HH:MM (or \"any\")."),
          QStringLiteral("time")}},
        {QStringLiteral("CLIENT the client's id")});
    const storage::RecordId clientId =
        parseId(call.requirePositional(1)[0], QStringLiteral("client"));
    AppointmentStore store(call.database());
    storage::SchedulePreferences p = store.preferences(clientId);
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    const auto time = [&](const QString &option, QTime &target) {
        if (!call.isSet(option))
            return;
        const QString text = call.value(option);
        if (text == QLatin1String("any")) {
            target = QTime();
            return;
        }
        target = QTime::fromString(text, QStringLiteral("HH:mm"));
        if (!target.isValid())
            throw UsageError(
                QStringLiteral("--%1: \"%2\" is not a time (HH:MM)").arg(option, text));
    };
    const bool change = call.isSet(QStringLiteral("days")) ||
                        call.isSet(QStringLiteral("earliest")) ||
                        call.isSet(QStringLiteral("latest"));
    if (call.isSet(QStringLiteral("days"))) {
        const QString text = call.value(QStringLiteral("days")).toLower();
        QString flags = QStringLiteral("0000000");
        for (const QString &word : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (word.trimmed() == QLatin1String("all")) {
                flags = QStringLiteral("1111111");
                continue;
            }
            int found = -1;
            for (int d = 0; d < 7; ++d)
                if (word.trimmed() == QLatin1String(days[d]))
                    found = d;
            if (found < 0)
                throw UsageError(
                    QStringLiteral("--days: \"%1\" is not a weekday (mon ... sun)").arg(word));
            flags[found] = QLatin1Char('1');
        }
        p.weekdays = flags;
    }
    time(QStringLiteral("earliest"), p.earliest);
    time(QStringLiteral("latest"), p.latest);
    if (change) {
        try {
            store.setPreferences(clientId, p);
        } catch (const storage::StorageError &e) {
            if (e.kind() != storage::ErrorKind::InvalidInput)
                throw;
            throw UsageError(e.message());
        }
    }
    QStringList chosen;
    for (int d = 0; d < 7; ++d)
        if (p.weekdays.at(d) == QLatin1Char('1'))
            chosen << QString::fromLatin1(days[d]);
    const QString earliest =
        p.earliest.isValid() ? p.earliest.toString(QStringLiteral("HH:mm")) : QStringLiteral("any");
    const QString latest =
        p.latest.isValid() ? p.latest.toString(QStringLiteral("HH:mm")) : QStringLiteral("any");
    if (call.json()) {
        printJson(QJsonObject{{QStringLiteral("client_id"), qint64(clientId)},
                              {QStringLiteral("days"), QJsonArray::fromStringList(chosen)},
                              {QStringLiteral("earliest"), earliest},
                              {QStringLiteral("latest"), latest}});
        return 0;
    }
    print(QStringLiteral("Client %1 books on %2, from %3 to %4")
              .arg(clientId)
              .arg(chosen.join(QStringLiteral(", ")), earliest, latest));
    return 0;
}

int exportIcs(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("schedule export"),
        QStringLiteral("Writes an iCalendar file (RFC 5545) of one client's "
                       "appointments or the whole clinic's; UIDs are stable, so "
                       "importing a newer export updates the events."),
        arguments,
        {{QStringLiteral("client"), QStringLiteral("Only this client."), QStringLiteral("id")}},
        {QStringLiteral("FILE.ics the file to write")});
    const QString path = call.requirePositional(1)[0];
    std::optional<storage::RecordId> client;
    if (call.isSet(QStringLiteral("client")))
        client = parseId(call.value(QStringLiteral("client")), QStringLiteral("client"));
    const QByteArray ics = clinic::exportCalendar(call.database(), client);
    clinic::writeFileAtomically(path, ics);
    print(QStringLiteral("Wrote %1 (%2 events)").arg(path).arg(ics.count("BEGIN:VEVENT")));
    return 0;
}

} // namespace

int runScheduleCommand(const QString &verb, const QStringList &arguments)
{
    if (verb == QLatin1String("propose"))
        return propose(arguments);
    if (verb == QLatin1String("list"))
        return list(arguments);
    if (verb == QLatin1String("move"))
        return move(arguments);
    if (verb == QLatin1String("mark"))
        return mark(arguments);
    if (verb == QLatin1String("record"))
        return record(arguments);
    if (verb == QLatin1String("prefs"))
        return preferences(arguments);
    if (verb == QLatin1String("export"))
        return exportIcs(arguments);
    throw UsageError(QStringLiteral("schedule: unknown verb \"%1\" (propose, list, move, mark, "
                                    "record, prefs, export)")
                         .arg(verb));
}

} // namespace smp::cli
