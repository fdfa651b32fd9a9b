#pragma once

// The treatment schedule from the clinic's records: the clinic's calendar settings, proposals for
// a client's stored plan against every booked appointment, booking, moving with the checks, and
// iCalendar exports. Times: appointments are UTC instants; the settings are wall-clock times in
// the clinic's time zone (scheduling::ClinicCalendar).

#include "smp/scheduling/Schedule.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/Records.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace smp::storage {
class Database;
}

namespace smp::clinic {

inline constexpr const char *kScheduleSettingsKey = "scheduling.clinic";

// The clinic's scheduling settings (setting `scheduling.clinic`, JSON; docs/scheduling.md).
struct ScheduleSettings
{
    scheduling::ClinicCalendar calendar;
    scheduling::IntervalRule interval;
    int recallYears = 3;
    QString clinicName = QStringLiteral("SMP clinic");
    QString technician; // the default technician of new appointments
};

ScheduleSettings defaultScheduleSettings();
ScheduleSettings scheduleSettings(storage::Database &db);
// Validates (throws StorageError(InvalidInput) naming the field) and stores.
void setScheduleSettings(storage::Database &db, const QByteArray &json);
QByteArray scheduleSettingsJson(const ScheduleSettings &settings);
ScheduleSettings parseScheduleSettings(const QByteArray &json);

struct ProposalOptions
{
    QDateTime from;                                   // invalid: now
    std::optional<storage::RecordId> planId;          // empty: the client's newest plan
    std::optional<scheduling::IntervalRule> interval; // empty: the clinic's
    std::optional<int> recallYears;
};

struct ClientProposal
{
    storage::RecordId clientId = 0;
    storage::RecordId planId = 0;
    int sessions = 0;
    scheduling::Proposal proposal;
    QString technician;
};

// The sessions of the plan (each sitting of a split session an appointment of its own; minutes
// rounded up to the clinic's slot grid), proposed against every appointment already booked and
// the client's booking preferences. Throws scheduling::NoSchedule naming the blocking constraint,
// StorageError when the client has no plan.
ClientProposal proposeForClient(storage::Database &db, storage::RecordId clientId,
                                const ProposalOptions &options = {});

// Books the proposal (its sessions and the touch-up recall) in one transaction.
std::vector<storage::Appointment> bookProposal(storage::Database &db,
                                               const ClientProposal &proposal);

struct MoveOutcome
{
    std::vector<std::pair<storage::RecordId, QDateTime>> moves; // what moved (or would)
    std::vector<QString> warnings;                              // per appointment, named
    bool applied = false;
};

// Moves an appointment to `start` (and, with `withLater`, the client's later sessions of the same
// plan by the same time) after the checks: a double booking is refused (StorageError InvalidInput
// naming the clash); warnings (outside hours, a closure, an interval under the minimum) are
// returned without moving unless `confirmed`.
MoveOutcome moveAppointment(storage::Database &db, storage::RecordId appointmentId,
                            const QDateTime &start, bool withLater, bool confirmed);

// iCalendar of one client's appointments or the whole clinic's (clientId empty), cancelled ones
// included as CANCELLED so calendar programs remove them.
QByteArray exportCalendar(storage::Database &db, std::optional<storage::RecordId> clientId);

// "Session 2 of 3", "Session 1 of 3, sitting 2", "Touch-up due".
QString appointmentTitle(const storage::Appointment &appointment);

} // namespace smp::clinic
