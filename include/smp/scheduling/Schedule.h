#pragma once

// Treatment schedules (Qt Core only, no GUI, no database): proposing appointment times for a
// plan's sessions within the clinic's opening hours, closures, the technician's other
// appointments and the client's preferences; checking a moved appointment; the touch-up recall.
//
// Time: opening hours, closures and client preferences are wall-clock times and dates of the
// clinic's time zone (so 09:00 stays 09:00 across a daylight-saving change); appointments are
// instants (QDateTime in UTC). Intervals between sessions count calendar days in the clinic's
// zone.

#include <QDate>
#include <QDateTime>
#include <QString>
#include <QTime>
#include <QTimeZone>

#include <array>
#include <optional>
#include <stdexcept>
#include <vector>

namespace smp::scheduling {

// Opening hours of one weekday; closed when `opens` is invalid.
struct DayHours
{
    QTime opens;
    QTime closes;
    bool isOpen() const { return opens.isValid() && closes.isValid() && opens < closes; }
};

struct Closure
{
    QDate from; // inclusive
    QDate to;   // inclusive
    QString reason;
};

struct ClinicCalendar
{
    QTimeZone timeZone = QTimeZone::systemTimeZone();
    std::array<DayHours, 7> week; // Monday first
    std::vector<Closure> closures;
    int slotMinutes = 15; // appointments start on this grid from the opening time

    // Monday-Friday 09:00-18:00, Saturday 10:00-14:00, in `zone`.
    static ClinicCalendar standard(const QTimeZone &zone);
    // The closure covering `date`, if any.
    const Closure *closureOn(QDate date) const;
};

struct ClientPreferences
{
    std::array<bool, 7> weekdays{true, true, true, true, true, true, true}; // Monday first
    QTime earliest;                                                         // invalid: from opening
    QTime latest; // invalid: until closing (the appointment ends by then)
};

// Days between the start dates of consecutive sessions.
struct IntervalRule
{
    int minimumDays = 7;
    int preferredMinDays = 10;
    int preferredMaxDays = 14;
};

// An instant range [start, end) in UTC when the technician is taken.
struct BusyInterval
{
    QDateTime start;
    QDateTime end;
};

// One appointment to place: a session, or one sitting of a session split because it is longer
// than the clinic's maximum (sittings of one session follow on the next open days).
struct SessionRequest
{
    int session = 1;
    int sitting = 1;
    int minutes = 0;
};

struct ProposalRequest
{
    QDateTime from; // earliest start
    std::vector<SessionRequest> sessions;
    IntervalRule interval;
    ClientPreferences client;
    int recallYears = 3;   // the touch-up recall after the last session (1-8)
    int horizonDays = 183; // how far ahead to look (about 6 months)
};

struct ProposedSlot
{
    int session = 1;
    int sitting = 1;
    QDateTime start;           // UTC
    QDateTime end;             // UTC
    int daysAfterPrevious = 0; // calendar days after the previous session's first sitting
};

struct Proposal
{
    std::vector<ProposedSlot> appointments;
    QDate recall;               // the touch-up is due then
    std::vector<QString> notes; // what the technician should know (intervals off preference)
};

// What keeps a schedule from fitting.
enum class Blocker
{
    SessionTooLong,    // longer than any working day (or the client's window on it)
    ClientPreferences, // the client's days and times
    Appointments,      // the technician is booked
    Closures,          // closures and holidays
    OpeningHours,      // the clinic's hours
};

class NoSchedule : public std::runtime_error
{
public:
    NoSchedule(Blocker blocker, const QString &message)
        : std::runtime_error(message.toStdString())
        , m_blocker(blocker)
    {}
    Blocker blocker() const { return m_blocker; }

private:
    Blocker m_blocker;
};

// Checks the settings and the request: throws std::invalid_argument naming the field.
void validate(const ClinicCalendar &calendar, const ProposalRequest &request);

// The earliest schedule that keeps every constraint: each session in the clinic's hours on an
// open day outside closures, on the client's days and times, clear of `busy`, the sessions
// 10-14 days apart where possible and never under the minimum. Throws NoSchedule naming the
// constraint that blocks (and the session) when none fits within the horizon. `busy` need not
// be sorted. Takes well under 50 ms against 5,000 appointments (smp-schedule-benchmark).
Proposal propose(const ClinicCalendar &calendar, const std::vector<BusyInterval> &busy,
                 const ProposalRequest &request);

// A moved (or newly typed) appointment checked against the same rules.
struct MoveCheck
{
    std::vector<QString> errors;   // cannot be booked: overlaps another appointment
    std::vector<QString> warnings; // allowed when confirmed: outside hours, closed, intervals
    bool ok() const { return errors.empty() && warnings.empty(); }
};

// `busy` are the technician's other appointments (without the one moved); `previous` and `next`
// the start of the client's neighbouring sessions, if any.
MoveCheck checkMove(const ClinicCalendar &calendar, const std::vector<BusyInterval> &busy,
                    const QDateTime &start, int minutes, const IntervalRule &interval,
                    const std::optional<QDateTime> &previous, const std::optional<QDateTime> &next);

// "Mon", "Tue", ... for weekday index 0-6.
QString weekdayName(int index);

} // namespace smp::scheduling
