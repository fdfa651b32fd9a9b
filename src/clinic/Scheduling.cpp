#include "smp/clinic/Scheduling.h"

#include "smp/scheduling/ICalendar.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PlanStore.h"
#include "smp/storage/SettingsStore.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <map>

namespace smp::clinic {

using storage::Appointment;
using storage::AppointmentStatus;
using storage::AppointmentStore;
using storage::ErrorKind;
using storage::RecordId;
using storage::StorageError;

namespace {

const char *const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

StorageError invalid(const QString &message)
{
    return StorageError(ErrorKind::InvalidInput, message);
}

QTime parseTime(const QJsonValue &value, const QString &field)
{
    const QTime t = QTime::fromString(value.toString(), QStringLiteral("HH:mm"));
    if (!t.isValid())
        throw invalid(
            QStringLiteral("%1: \"%2\" is not a time (HH:MM)").arg(field, value.toString()));
    return t;
}

QDate parseDate(const QJsonValue &value, const QString &field)
{
    const QDate d = QDate::fromString(value.toString(), Qt::ISODate);
    if (!d.isValid())
        throw invalid(
            QStringLiteral("%1: \"%2\" is not a date (YYYY-MM-DD)").arg(field, value.toString()));
    return d;
}

int roundUp(double minutes, int grid)
{
    return std::max(grid, static_cast<int>(std::ceil(minutes / grid - 1e-9)) * grid);
}

// The technician's taken time around [from, to): booked and done sessions.
std::vector<scheduling::BusyInterval> busyBetween(AppointmentStore &store, const QDateTime &from,
                                                  const QDateTime &to,
                                                  std::optional<RecordId> except = {})
{
    std::vector<scheduling::BusyInterval> busy;
    // A session starts at most a day before it ends.
    for (const Appointment &a : store.between(from.addDays(-1), to))
        if (a.occupies() && a.id != except)
            busy.push_back({a.start, a.end()});
    return busy;
}

} // namespace

ScheduleSettings defaultScheduleSettings()
{
    ScheduleSettings s;
    s.calendar = scheduling::ClinicCalendar::standard(QTimeZone::systemTimeZone());
    return s;
}

QByteArray scheduleSettingsJson(const ScheduleSettings &s)
{
    QJsonObject hours;
    for (int d = 0; d < 7; ++d) {
        const scheduling::DayHours &h = s.calendar.week[static_cast<std::size_t>(d)];
        hours.insert(QString::fromLatin1(kDays[d]),
                     h.isOpen() ? QJsonValue(QJsonArray{h.opens.toString(QStringLiteral("HH:mm")),
                                                        h.closes.toString(QStringLiteral("HH:mm"))})
                                : QJsonValue(QJsonValue::Null));
    }
    QJsonArray closures;
    for (const scheduling::Closure &c : s.calendar.closures)
        closures.append(QJsonObject{{QStringLiteral("from"), c.from.toString(Qt::ISODate)},
                                    {QStringLiteral("to"), c.to.toString(Qt::ISODate)},
                                    {QStringLiteral("reason"), c.reason}});
    const QJsonObject object{
        {QStringLiteral("time_zone"), QString::fromUtf8(s.calendar.timeZone.id())},
        {QStringLiteral("hours"), hours},
        {QStringLiteral("closures"), closures},
        {QStringLiteral("slot_minutes"), s.calendar.slotMinutes},
        {QStringLiteral("interval_days"),
         QJsonObject{{QStringLiteral("minimum"), s.interval.minimumDays},
                     {QStringLiteral("preferred_from"), s.interval.preferredMinDays},
                     {QStringLiteral("preferred_to"), s.interval.preferredMaxDays}}},
        {QStringLiteral("recall_years"), s.recallYears},
        {QStringLiteral("clinic_name"), s.clinicName},
        {QStringLiteral("technician"), s.technician}};
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

ScheduleSettings parseScheduleSettings(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw invalid(
            QStringLiteral("scheduling settings: not a JSON object (%1)").arg(error.errorString()));
    const QJsonObject o = document.object();
    ScheduleSettings s = defaultScheduleSettings();
    if (o.contains(QLatin1String("time_zone"))) {
        const QTimeZone zone(o.value(QLatin1String("time_zone")).toString().toUtf8());
        if (!zone.isValid())
            throw invalid(QStringLiteral("time_zone: \"%1\" is not a known time zone (e.g. "
                                         "Europe/Berlin)")
                              .arg(o.value(QLatin1String("time_zone")).toString()));
        s.calendar.timeZone = zone;
    }
    if (o.contains(QLatin1String("hours"))) {
        const QJsonObject hours = o.value(QLatin1String("hours")).toObject();
        for (int d = 0; d < 7; ++d) {
            const QString key = QString::fromLatin1(kDays[d]);
            const QJsonValue day = hours.value(key);
            scheduling::DayHours &h = s.calendar.week[static_cast<std::size_t>(d)];
            if (day.isNull() || day.isUndefined()) {
                h = {};
                continue;
            }
            const QJsonArray pair = day.toArray();
            if (pair.size() != 2)
                throw invalid(
                    QStringLiteral("hours.%1: [\"HH:MM\", \"HH:MM\"] or null (closed)").arg(key));
            h.opens = parseTime(pair[0], QStringLiteral("hours.%1").arg(key));
            h.closes = parseTime(pair[1], QStringLiteral("hours.%1").arg(key));
            if (h.opens >= h.closes)
                throw invalid(
                    QStringLiteral("hours.%1: opening must come before closing").arg(key));
        }
    }
    s.calendar.closures.clear();
    const QJsonArray closures = o.value(QLatin1String("closures")).toArray();
    for (qsizetype i = 0; i < closures.size(); ++i) {
        const QJsonObject c = closures[i].toObject();
        const QString field = QStringLiteral("closures[%1]").arg(i);
        scheduling::Closure closure;
        closure.from = parseDate(c.value(QLatin1String("from")), field + QStringLiteral(".from"));
        closure.to = c.contains(QLatin1String("to"))
                         ? parseDate(c.value(QLatin1String("to")), field + QStringLiteral(".to"))
                         : closure.from;
        closure.reason = c.value(QLatin1String("reason")).toString();
        if (closure.to < closure.from)
            throw invalid(field + QStringLiteral(": \"to\" comes before \"from\""));
        s.calendar.closures.push_back(closure);
    }
    const auto integer = [&](const QJsonObject &obj, const char *name, const QString &field,
                             int low, int high, int fallback) {
        if (!obj.contains(QLatin1String(name)))
            return fallback;
        const QJsonValue v = obj.value(QLatin1String(name));
        const double x = v.toDouble(-1);
        if (!v.isDouble() || x != std::floor(x) || x < low || x > high)
            throw invalid(QStringLiteral("%1: must be a whole number from %2 to %3")
                              .arg(field)
                              .arg(low)
                              .arg(high));
        return static_cast<int>(x);
    };
    s.calendar.slotMinutes =
        integer(o, "slot_minutes", QStringLiteral("slot_minutes"), 5, 120, s.calendar.slotMinutes);
    const QJsonObject interval = o.value(QLatin1String("interval_days")).toObject();
    s.interval.minimumDays = integer(interval, "minimum", QStringLiteral("interval_days.minimum"),
                                     1, 120, s.interval.minimumDays);
    s.interval.preferredMinDays =
        integer(interval, "preferred_from", QStringLiteral("interval_days.preferred_from"), 1, 120,
                s.interval.preferredMinDays);
    s.interval.preferredMaxDays =
        integer(interval, "preferred_to", QStringLiteral("interval_days.preferred_to"), 1, 120,
                s.interval.preferredMaxDays);
    if (s.interval.minimumDays > s.interval.preferredMinDays ||
        s.interval.preferredMinDays > s.interval.preferredMaxDays)
        throw invalid(QStringLiteral("interval_days: need minimum <= preferred_from <= "
                                     "preferred_to"));
    s.recallYears = integer(o, "recall_years", QStringLiteral("recall_years"), 1, 8, s.recallYears);
    if (o.contains(QLatin1String("clinic_name")))
        s.clinicName = o.value(QLatin1String("clinic_name")).toString();
    if (o.contains(QLatin1String("technician")))
        s.technician = o.value(QLatin1String("technician")).toString();
    return s;
}

ScheduleSettings scheduleSettings(storage::Database &db)
{
    const auto text = storage::SettingsStore(db).value(QString::fromLatin1(kScheduleSettingsKey));
    if (!text)
        return defaultScheduleSettings();
    try {
        return parseScheduleSettings(text->toUtf8());
    } catch (const StorageError &e) {
        throw StorageError(ErrorKind::Damaged,
                           QStringLiteral("setting %1 cannot be read: %2")
                               .arg(QString::fromLatin1(kScheduleSettingsKey), e.message()));
    }
}

void setScheduleSettings(storage::Database &db, const QByteArray &json)
{
    const ScheduleSettings parsed = parseScheduleSettings(json);
    storage::SettingsStore(db).setValue(QString::fromLatin1(kScheduleSettingsKey),
                                        QString::fromUtf8(scheduleSettingsJson(parsed)));
}

ClientProposal proposeForClient(storage::Database &db, RecordId clientId,
                                const ProposalOptions &options)
{
    const ScheduleSettings settings = scheduleSettings(db);
    if (!storage::ClientStore(db).find(clientId))
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("client %1 does not exist").arg(clientId));
    storage::PlanStore plans(db);
    std::optional<storage::StoredPlan> plan;
    if (options.planId) {
        plan = plans.find(*options.planId);
        if (!plan)
            throw StorageError(ErrorKind::NotFound,
                               QStringLiteral("plan %1 does not exist").arg(*options.planId));
    } else {
        const auto list = plans.plansOfClient(clientId);
        if (list.empty())
            throw StorageError(ErrorKind::NotFound,
                               QStringLiteral("client %1 has no saved plan: make and save a plan "
                                              "first (smp plan client:%1 --save)")
                                   .arg(clientId));
        plan = list.front();
    }
    const QJsonArray sessions = QJsonDocument::fromJson(plan->summaryJson.toUtf8())
                                    .object()
                                    .value(QLatin1String("sessions"))
                                    .toArray();
    if (sessions.isEmpty())
        throw StorageError(ErrorKind::Damaged,
                           QStringLiteral("plan %1 has no sessions in its summary").arg(plan->id));

    scheduling::ProposalRequest request;
    request.from = options.from.isValid() ? options.from : QDateTime::currentDateTimeUtc();
    request.interval = options.interval.value_or(settings.interval);
    request.recallYears = options.recallYears.value_or(settings.recallYears);
    for (const QJsonValue &v : sessions) {
        const QJsonObject s = v.toObject();
        const int sittings = std::max(1, s.value(QLatin1String("sittings")).toInt(1));
        const double minutes = s.value(QLatin1String("minutes")).toDouble();
        for (int k = 1; k <= sittings; ++k)
            request.sessions.push_back(
                {s.value(QLatin1String("session")).toInt(), k,
                 roundUp(minutes / sittings, settings.calendar.slotMinutes)});
    }
    AppointmentStore store(db);
    const storage::SchedulePreferences prefs = store.preferences(clientId);
    for (int d = 0; d < 7; ++d)
        request.client.weekdays[static_cast<std::size_t>(d)] =
            prefs.weekdays.at(d) == QLatin1Char('1');
    request.client.earliest = prefs.earliest;
    request.client.latest = prefs.latest;

    ClientProposal result;
    result.clientId = clientId;
    result.planId = plan->id;
    result.sessions = static_cast<int>(sessions.size());
    result.technician = settings.technician;
    result.proposal = scheduling::propose(
        settings.calendar,
        busyBetween(store, request.from, request.from.addDays(request.horizonDays + 2)), request);
    return result;
}

std::vector<Appointment> bookProposal(storage::Database &db, const ClientProposal &p)
{
    const ScheduleSettings settings = scheduleSettings(db);
    std::vector<Appointment> list;
    for (const scheduling::ProposedSlot &slot : p.proposal.appointments) {
        Appointment a;
        a.clientId = p.clientId;
        a.planId = p.planId;
        a.session = slot.session;
        a.sitting = slot.sitting;
        a.ofSessions = p.sessions;
        a.start = slot.start;
        a.minutes = static_cast<int>(slot.start.secsTo(slot.end) / 60);
        a.technician = p.technician;
        list.push_back(a);
    }
    if (p.proposal.recall.isValid()) {
        // The recall: its date at the clinic's opening (or 09:00 on a closed day).
        Appointment recall;
        recall.clientId = p.clientId;
        recall.planId = p.planId;
        recall.kind = QStringLiteral("recall");
        const scheduling::DayHours &h =
            settings.calendar.week[static_cast<std::size_t>(p.proposal.recall.dayOfWeek() - 1)];
        recall.start = QDateTime(p.proposal.recall, h.isOpen() ? h.opens : QTime(9, 0),
                                 settings.calendar.timeZone)
                           .toUTC();
        recall.technician = p.technician;
        list.push_back(recall);
    }
    AppointmentStore(db).book(list);
    return list;
}

MoveOutcome moveAppointment(storage::Database &db, RecordId appointmentId, const QDateTime &start,
                            bool withLater, bool confirmed)
{
    const ScheduleSettings settings = scheduleSettings(db);
    AppointmentStore store(db);
    const auto moved = store.find(appointmentId);
    if (!moved)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("appointment %1 does not exist").arg(appointmentId));
    const qint64 shift = moved->start.secsTo(start);
    // The client's sessions of the same plan, in order, as they will be after the move.
    std::vector<Appointment> course;
    for (const Appointment &a : store.ofClient(moved->clientId))
        if (a.kind == QLatin1String("session") && a.planId == moved->planId &&
            a.status != AppointmentStatus::Cancelled)
            course.push_back(a);
    MoveOutcome outcome;
    for (Appointment &a : course) {
        if (a.id == appointmentId ||
            (withLater && a.start > moved->start && a.status == AppointmentStatus::Booked)) {
            a.start = a.start.addSecs(shift);
            outcome.moves.push_back({a.id, a.start});
        }
    }
    if (moved->kind == QLatin1String("recall"))
        outcome.moves = {{appointmentId, start}};
    std::sort(course.begin(), course.end(),
              [](const Appointment &a, const Appointment &b) { return a.start < b.start; });
    std::vector<RecordId> movedIds;
    for (const auto &m : outcome.moves)
        movedIds.push_back(m.first);
    for (const auto &[id, newStart] : outcome.moves) {
        const auto it = std::find_if(course.begin(), course.end(),
                                     [id = id](const Appointment &a) { return a.id == id; });
        const Appointment &a = it != course.end() ? *it : *moved;
        const QString name = appointmentTitle(a);
        if (a.kind == QLatin1String("recall"))
            continue; // a recall is a date: nothing to clash with
        // Other appointments, without the ones that move with this one.
        std::vector<scheduling::BusyInterval> busy;
        for (const Appointment &b : store.between(newStart.addDays(-1), newStart.addDays(2)))
            if (b.occupies() && std::find(movedIds.begin(), movedIds.end(), b.id) == movedIds.end())
                busy.push_back({b.start, b.end()});
        std::optional<QDateTime> previous, next;
        const auto self = std::find_if(course.begin(), course.end(),
                                       [id = id](const Appointment &x) { return x.id == id; });
        if (self != course.end() && self != course.begin())
            previous = std::prev(self)->start;
        if (self != course.end() && std::next(self) != course.end())
            next = std::next(self)->start;
        // Sittings of one session follow each other: the minimum interval is between sessions.
        if (previous && self != course.end() && std::prev(self)->session == self->session)
            previous.reset();
        if (next && self != course.end() && std::next(self)->session == self->session)
            next.reset();
        const scheduling::MoveCheck check = scheduling::checkMove(
            settings.calendar, busy, newStart, a.minutes, settings.interval, previous, next);
        if (!check.errors.empty())
            throw invalid(QStringLiteral("%1 cannot move to %2: %3")
                              .arg(name,
                                   newStart.toTimeZone(settings.calendar.timeZone)
                                       .toString(QStringLiteral("ddd yyyy-MM-dd HH:mm")),
                                   check.errors.front()));
        for (const QString &w : check.warnings)
            outcome.warnings.push_back(name + QStringLiteral(": ") + w);
    }
    if (outcome.warnings.empty() || confirmed) {
        store.move(outcome.moves);
        outcome.applied = true;
    }
    return outcome;
}

QString appointmentTitle(const Appointment &a)
{
    if (a.kind == QLatin1String("recall"))
        return QStringLiteral("Touch-up due");
    QString title = a.ofSessions > 0
                        ? QStringLiteral("Session %1 of %2").arg(a.session).arg(a.ofSessions)
                        : QStringLiteral("Session %1").arg(a.session);
    if (a.sitting > 1)
        title += QStringLiteral(", sitting %1").arg(a.sitting);
    return title;
}

QByteArray exportCalendar(storage::Database &db, std::optional<RecordId> clientId)
{
    const ScheduleSettings settings = scheduleSettings(db);
    AppointmentStore store(db);
    storage::ClientStore clients(db);
    std::vector<Appointment> list =
        clientId ? store.ofClient(*clientId)
                 : store.between(QDateTime(QDate(1900, 1, 1), QTime(0, 0), Qt::UTC),
                                 QDateTime(QDate(9999, 1, 1), QTime(0, 0), Qt::UTC));
    std::map<RecordId, QString> names;
    std::vector<scheduling::CalendarEvent> events;
    for (const Appointment &a : list) {
        if (!names.count(a.clientId)) {
            const auto client = clients.find(a.clientId);
            names[a.clientId] = client ? client->displayName() : QString();
        }
        scheduling::CalendarEvent e;
        e.uid = a.uid;
        e.sequence = a.sequence;
        e.summary =
            QStringLiteral("SMP %1: %2").arg(appointmentTitle(a).toLower(), names[a.clientId]);
        if (a.kind == QLatin1String("recall")) {
            e.allDay = a.start.toTimeZone(settings.calendar.timeZone).date();
        } else {
            e.start = a.start;
            e.end = a.end();
        }
        QStringList description;
        description << QStringLiteral("Client %1 (SMP Planner client %2)")
                           .arg(names[a.clientId])
                           .arg(a.clientId);
        if (a.planId)
            description << QStringLiteral("Plan %1").arg(*a.planId);
        if (!a.technician.isEmpty())
            description << QStringLiteral("Technician: %1").arg(a.technician);
        if (a.status == AppointmentStatus::Done)
            description << QStringLiteral("Done");
        if (a.status == AppointmentStatus::NoShow)
            description << QStringLiteral("No-show");
        if (!a.notes.isEmpty())
            description << a.notes;
        e.description = description.join(QLatin1Char('\n'));
        e.location = settings.clinicName;
        e.cancelled = a.status == AppointmentStatus::Cancelled;
        e.lastModified = a.updatedAt;
        events.push_back(e);
    }
    const QString name =
        clientId ? QStringLiteral("%1: %2").arg(settings.clinicName,
                                                names.empty() ? QString() : names.begin()->second)
                 : settings.clinicName;
    return scheduling::icsCalendar(events, name, QDateTime::currentDateTimeUtc());
}

} // namespace smp::clinic
