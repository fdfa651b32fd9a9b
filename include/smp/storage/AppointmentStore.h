#pragma once

#include "smp/storage/Records.h"

#include <QDateTime>
#include <QString>
#include <QTime>

#include <optional>
#include <vector>

namespace smp::storage {

class Database;

enum class AppointmentStatus
{
    Booked,
    Done,
    Cancelled,
    NoShow,
};
QString statusName(AppointmentStatus status); // "booked", "done", "cancelled", "no-show"
std::optional<AppointmentStatus> statusFromName(const QString &name);

// One appointment: a treatment session (or one sitting of it) or a touch-up recall. `start` is
// an instant (UTC); a recall's start is its due date at the clinic's opening, with 0 minutes.
struct Appointment
{
    RecordId id = 0;
    QString uid; // stable across exports ("<uuid>@smp-planner"); made when booked
    RecordId clientId = 0;
    std::optional<RecordId> planId;
    QString kind = QStringLiteral("session"); // or "recall"
    int session = 0;                          // 1-6; 0 for a recall
    int sitting = 1;
    int ofSessions = 0; // the plan's number of sessions ("session 2 of 3")
    QDateTime start;
    int minutes = 0;
    QString technician;
    AppointmentStatus status = AppointmentStatus::Booked;
    int sequence = 0; // grows with every change (iCalendar SEQUENCE)
    QString notes;
    QDateTime createdAt;
    QDateTime updatedAt;

    QDateTime end() const { return start.addSecs(qint64(minutes) * 60); }
    // Takes the technician's time: booked or done sessions.
    bool occupies() const
    {
        return kind == QLatin1String("session") &&
               (status == AppointmentStatus::Booked || status == AppointmentStatus::Done);
    }
};

// What was done at a performed session.
struct SessionRecord
{
    RecordId appointmentId = 0;
    QString dilution; // as mixed, e.g. "3 ml water : 1 ml pigment"
    QString needle;   // e.g. "1RL 0.20 + 3RL 0.25"
    std::optional<int> minutes;
    QString notes;
    std::optional<RecordId> afterPhotoId;
    QDateTime recordedAt;
    QString recordedBy;
};

// A client's days and times for booking (wall-clock, the clinic's zone).
struct SchedulePreferences
{
    QString weekdays = QStringLiteral("1111111"); // Monday first, '1' = can come
    QTime earliest;                               // invalid: any
    QTime latest;
};

class AppointmentStore
{
public:
    explicit AppointmentStore(Database &db)
        : m_db(db)
    {}

    // Books all of `appointments` or none (one transaction, with audit lines); fills in ids,
    // UIDs and times. Throws StorageError(NotFound) for an unknown client or plan.
    void book(std::vector<Appointment> &appointments);
    std::optional<Appointment> find(RecordId id);
    std::optional<Appointment> findByUid(const QString &uid);
    // Appointments starting in [from, to), of one client or all, by start.
    std::vector<Appointment> between(const QDateTime &from, const QDateTime &to,
                                     std::optional<RecordId> clientId = std::nullopt);
    std::vector<Appointment> ofClient(RecordId clientId);
    // Moves appointments (all or none, one transaction): new starts, each SEQUENCE + 1.
    void move(const std::vector<std::pair<RecordId, QDateTime>> &moves);
    void setStatus(RecordId id, AppointmentStatus status);
    // Records (or corrects) what was done at a session; marks it done.
    void record(const SessionRecord &record);
    std::optional<SessionRecord> sessionRecord(RecordId appointmentId);

    SchedulePreferences preferences(RecordId clientId);
    void setPreferences(RecordId clientId, const SchedulePreferences &preferences);

private:
    Appointment require(RecordId id);
    Database &m_db;
};

} // namespace smp::storage
