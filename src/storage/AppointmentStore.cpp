#include "smp/storage/AppointmentStore.h"

#include "smp/storage/AuditLog.h"
#include "smp/storage/Database.h"
#include "smp/storage/Statement.h"
#include "smp/storage/StorageError.h"
#include "smp/storage/Transaction.h"

#include <QRegularExpression>
#include <QUuid>

#include <string>

namespace smp::storage {

namespace {

const char *const kColumns =
    "id, uid, client_id, plan_id, kind, session, sitting, of_sessions, starts_at, minutes, "
    "technician, status, sequence, notes, created_at, updated_at";

Appointment read(const Statement &row)
{
    Appointment a;
    a.id = row.int64(0);
    a.uid = row.text(1);
    a.clientId = row.int64(2);
    if (!row.isNull(3))
        a.planId = row.int64(3);
    a.kind = row.text(4);
    a.session = row.integer(5);
    a.sitting = row.integer(6);
    a.ofSessions = row.integer(7);
    a.start = row.dateTime(8);
    a.minutes = row.integer(9);
    a.technician = row.text(10);
    a.status = statusFromName(row.text(11)).value_or(AppointmentStatus::Booked);
    a.sequence = row.integer(12);
    a.notes = row.text(13);
    a.createdAt = row.dateTime(14);
    a.updatedAt = row.dateTime(15);
    return a;
}

QString describe(const Appointment &a)
{
    const QString when = a.start.toString(Qt::ISODate);
    return a.kind == QLatin1String("recall")
               ? QStringLiteral("touch-up recall due %1").arg(a.start.date().toString(Qt::ISODate))
               : QStringLiteral("session %1%2 at %3 (%4 min)")
                     .arg(a.session)
                     .arg(a.sitting > 1 ? QStringLiteral(" sitting %1").arg(a.sitting) : QString())
                     .arg(when)
                     .arg(a.minutes);
}

std::vector<Appointment> collect(Statement &statement)
{
    std::vector<Appointment> list;
    while (statement.step())
        list.push_back(read(statement));
    return list;
}

} // namespace

QString statusName(AppointmentStatus status)
{
    switch (status) {
    case AppointmentStatus::Booked:
        return QStringLiteral("booked");
    case AppointmentStatus::Done:
        return QStringLiteral("done");
    case AppointmentStatus::Cancelled:
        return QStringLiteral("cancelled");
    case AppointmentStatus::NoShow:
        return QStringLiteral("no-show");
    }
    return QStringLiteral("booked");
}

std::optional<AppointmentStatus> statusFromName(const QString &name)
{
    for (const AppointmentStatus s : {AppointmentStatus::Booked, AppointmentStatus::Done,
                                      AppointmentStatus::Cancelled, AppointmentStatus::NoShow})
        if (statusName(s) == name)
            return s;
    return std::nullopt;
}

void AppointmentStore::book(std::vector<Appointment> &appointments)
{
    Transaction transaction(m_db);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (Appointment &a : appointments) {
        if (!a.start.isValid())
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("appointment: no start time"));
        if (a.kind != QLatin1String("session") && a.kind != QLatin1String("recall"))
            throw StorageError(
                ErrorKind::InvalidInput,
                QStringLiteral("appointment: kind \"%1\" is not session or recall").arg(a.kind));
        auto client = m_db.prepare("SELECT 1 FROM clients WHERE id = ?1");
        client.bind(1, a.clientId);
        if (!client.step())
            throw StorageError(ErrorKind::NotFound,
                               QStringLiteral("client %1 does not exist").arg(a.clientId));
        if (a.planId) {
            auto plan = m_db.prepare("SELECT 1 FROM plans WHERE id = ?1");
            plan.bind(1, *a.planId);
            if (!plan.step())
                throw StorageError(ErrorKind::NotFound,
                                   QStringLiteral("plan %1 does not exist").arg(*a.planId));
        }
        if (a.uid.isEmpty())
            a.uid =
                QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral("@smp-planner");
        a.createdAt = a.updatedAt = now;
        auto insert = m_db.prepare(
            "INSERT INTO appointments (uid, client_id, plan_id, kind, session, sitting, "
            "of_sessions, starts_at, minutes, technician, status, sequence, notes, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
            "?15)");
        insert.bind(1, a.uid).bind(2, a.clientId).bind(3, a.planId).bind(4, a.kind);
        insert.bind(5, a.session).bind(6, a.sitting).bind(7, a.ofSessions).bind(8, a.start.toUTC());
        insert.bind(9, a.minutes).bind(10, a.technician).bind(11, statusName(a.status));
        insert.bind(12, a.sequence).bind(13, a.notes).bind(14, now).bind(15, now).run();
        a.id = m_db.lastInsertId();
        AuditLog(m_db).record(QStringLiteral("insert"), QStringLiteral("appointments"), a.id,
                              a.clientId, describe(a));
    }
    transaction.commit();
}

std::optional<Appointment> AppointmentStore::find(RecordId id)
{
    auto q = m_db.prepare(std::string("SELECT ") + kColumns + " FROM appointments WHERE id = ?1");
    q.bind(1, id);
    if (!q.step())
        return std::nullopt;
    return read(q);
}

std::optional<Appointment> AppointmentStore::findByUid(const QString &uid)
{
    auto q = m_db.prepare(std::string("SELECT ") + kColumns + " FROM appointments WHERE uid = ?1");
    q.bind(1, uid);
    if (!q.step())
        return std::nullopt;
    return read(q);
}

Appointment AppointmentStore::require(RecordId id)
{
    auto a = find(id);
    if (!a)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("appointment %1 does not exist").arg(id));
    return *a;
}

std::vector<Appointment> AppointmentStore::between(const QDateTime &from, const QDateTime &to,
                                                   std::optional<RecordId> clientId)
{
    auto q = m_db.prepare(std::string("SELECT ") + kColumns +
                          " FROM appointments WHERE starts_at >= ?1 AND starts_at < ?2 AND (?3 IS "
                          "NULL OR client_id = ?3) ORDER BY starts_at, id");
    q.bind(1, from.toUTC()).bind(2, to.toUTC()).bind(3, clientId);
    return collect(q);
}

std::vector<Appointment> AppointmentStore::ofClient(RecordId clientId)
{
    auto q = m_db.prepare(std::string("SELECT ") + kColumns +
                          " FROM appointments WHERE client_id = ?1 ORDER BY starts_at, id");
    q.bind(1, clientId);
    return collect(q);
}

void AppointmentStore::move(const std::vector<std::pair<RecordId, QDateTime>> &moves)
{
    Transaction transaction(m_db);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const auto &[id, start] : moves) {
        const Appointment before = require(id);
        if (!start.isValid())
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("appointment %1: no new start time").arg(id));
        auto update = m_db.prepare("UPDATE appointments SET starts_at = ?2, sequence = sequence "
                                   "+ 1, updated_at = ?3 WHERE id = ?1");
        update.bind(1, id).bind(2, start.toUTC()).bind(3, now).run();
        AuditLog(m_db).record(
            QStringLiteral("update"), QStringLiteral("appointments"), id, before.clientId,
            QStringLiteral("moved from %1 to %2")
                .arg(before.start.toString(Qt::ISODate), start.toUTC().toString(Qt::ISODate)));
    }
    transaction.commit();
}

void AppointmentStore::setStatus(RecordId id, AppointmentStatus status)
{
    Transaction transaction(m_db);
    const Appointment before = require(id);
    auto update = m_db.prepare("UPDATE appointments SET status = ?2, sequence = sequence + 1, "
                               "updated_at = ?3 WHERE id = ?1");
    update.bind(1, id).bind(2, statusName(status)).bind(3, QDateTime::currentDateTimeUtc()).run();
    AuditLog(m_db).record(
        QStringLiteral("update"), QStringLiteral("appointments"), id, before.clientId,
        QStringLiteral("status %1 -> %2").arg(statusName(before.status), statusName(status)));
    transaction.commit();
}

void AppointmentStore::record(const SessionRecord &r)
{
    Transaction transaction(m_db);
    const Appointment appointment = require(r.appointmentId);
    if (appointment.kind != QLatin1String("session"))
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("appointment %1 is a recall, not a session").arg(r.appointmentId));
    if (r.afterPhotoId) {
        auto photo = m_db.prepare("SELECT client_id FROM photos WHERE id = ?1");
        photo.bind(1, *r.afterPhotoId);
        if (!photo.step() || photo.int64(0) != appointment.clientId)
            throw StorageError(
                ErrorKind::NotFound,
                QStringLiteral("photo %1 is not a photo of this client").arg(*r.afterPhotoId));
    }
    if (r.minutes && (*r.minutes < 0 || *r.minutes > 1440))
        throw StorageError(ErrorKind::InvalidInput, QStringLiteral("minutes: must be 0 to 1440"));
    auto upsert = m_db.prepare(
        "INSERT INTO session_records (appointment_id, dilution, needle, minutes, notes, "
        "after_photo_id, recorded_at, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (appointment_id) DO UPDATE SET dilution = excluded.dilution, needle = "
        "excluded.needle, minutes = excluded.minutes, notes = excluded.notes, after_photo_id = "
        "excluded.after_photo_id, recorded_at = excluded.recorded_at, recorded_by = "
        "excluded.recorded_by");
    upsert.bind(1, r.appointmentId).bind(2, r.dilution).bind(3, r.needle);
    upsert.bind(4, r.minutes ? std::optional<std::int64_t>(*r.minutes) : std::nullopt);
    upsert.bind(5, r.notes).bind(6, r.afterPhotoId).bind(7, QDateTime::currentDateTimeUtc());
    upsert.bind(8, m_db.actor()).run();
    AuditLog(m_db).record(QStringLiteral("update"), QStringLiteral("session_records"),
                          r.appointmentId, appointment.clientId,
                          QStringLiteral("session %1 recorded: dilution %2, needle %3")
                              .arg(appointment.session)
                              .arg(r.dilution, r.needle));
    if (appointment.status != AppointmentStatus::Done) {
        auto done = m_db.prepare("UPDATE appointments SET status = 'done', sequence = sequence + "
                                 "1, updated_at = ?2 WHERE id = ?1");
        done.bind(1, r.appointmentId).bind(2, QDateTime::currentDateTimeUtc()).run();
    }
    transaction.commit();
}

std::optional<SessionRecord> AppointmentStore::sessionRecord(RecordId appointmentId)
{
    auto q = m_db.prepare("SELECT appointment_id, dilution, needle, minutes, notes, "
                          "after_photo_id, recorded_at, recorded_by FROM session_records WHERE "
                          "appointment_id = ?1");
    q.bind(1, appointmentId);
    if (!q.step())
        return std::nullopt;
    SessionRecord r;
    r.appointmentId = q.int64(0);
    r.dilution = q.text(1);
    r.needle = q.text(2);
    if (!q.isNull(3))
        r.minutes = q.integer(3);
    r.notes = q.text(4);
    if (!q.isNull(5))
        r.afterPhotoId = q.int64(5);
    r.recordedAt = q.dateTime(6);
    r.recordedBy = q.text(7);
    return r;
}

SchedulePreferences AppointmentStore::preferences(RecordId clientId)
{
    auto q = m_db.prepare(
        "SELECT weekdays, earliest, latest FROM schedule_preferences WHERE client_id = ?1");
    q.bind(1, clientId);
    SchedulePreferences p;
    if (q.step()) {
        p.weekdays = q.text(0);
        if (!q.isNull(1))
            p.earliest = QTime::fromString(q.text(1), QStringLiteral("HH:mm"));
        if (!q.isNull(2))
            p.latest = QTime::fromString(q.text(2), QStringLiteral("HH:mm"));
    }
    return p;
}

void AppointmentStore::setPreferences(RecordId clientId, const SchedulePreferences &p)
{
    static const QRegularExpression days(QStringLiteral("^[01]{7}$"));
    if (!days.match(p.weekdays).hasMatch() || !p.weekdays.contains(QLatin1Char('1')))
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("weekdays: seven 0/1 flags from Monday, at least one 1"));
    if (p.earliest.isValid() && p.latest.isValid() && p.earliest >= p.latest)
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("the earliest time must come before the latest"));
    Transaction transaction(m_db);
    auto client = m_db.prepare("SELECT 1 FROM clients WHERE id = ?1");
    client.bind(1, clientId);
    if (!client.step())
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("client %1 does not exist").arg(clientId));
    const auto time = [](const QTime &t) {
        return t.isValid() ? std::optional<QString>(t.toString(QStringLiteral("HH:mm")))
                           : std::nullopt;
    };
    auto upsert = m_db.prepare(
        "INSERT INTO schedule_preferences (client_id, weekdays, earliest, latest) VALUES (?1, "
        "?2, ?3, ?4) ON CONFLICT (client_id) DO UPDATE SET weekdays = excluded.weekdays, "
        "earliest = excluded.earliest, latest = excluded.latest");
    upsert.bind(1, clientId).bind(2, p.weekdays).bind(3, time(p.earliest)).bind(4, time(p.latest));
    upsert.run();
    AuditLog(m_db).record(QStringLiteral("update"), QStringLiteral("schedule_preferences"),
                          clientId, clientId,
                          QStringLiteral("days %1, %2-%3")
                              .arg(p.weekdays, time(p.earliest).value_or(QStringLiteral("any")),
                                   time(p.latest).value_or(QStringLiteral("any"))));
    transaction.commit();
}

} // namespace smp::storage
