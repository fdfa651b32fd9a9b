#include "smp/scheduling/Schedule.h"

#include <algorithm>

namespace smp::scheduling {

namespace {

QString hoursText(int minutes)
{
    return QStringLiteral("%1 h %2 min")
        .arg(minutes / 60)
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

int weekdayIndex(QDate date)
{
    return date.dayOfWeek() - 1; // Qt: Monday = 1
}

// The technician's appointments, sorted by start, with the latest end so far: "does [s, e)
// overlap any?" is one binary search.
class BusyIndex
{
public:
    explicit BusyIndex(std::vector<BusyInterval> busy)
        : m_busy(std::move(busy))
    {
        std::sort(m_busy.begin(), m_busy.end(),
                  [](const BusyInterval &a, const BusyInterval &b) { return a.start < b.start; });
        m_latestEnd.reserve(m_busy.size());
        for (const BusyInterval &b : m_busy)
            m_latestEnd.push_back(m_latestEnd.empty() ? b.end
                                                      : std::max(m_latestEnd.back(), b.end));
    }

    // The first appointment overlapping [start, end), if any.
    const BusyInterval *overlap(const QDateTime &start, const QDateTime &end) const
    {
        const auto after =
            std::lower_bound(m_busy.begin(), m_busy.end(), end,
                             [](const BusyInterval &b, const QDateTime &t) { return b.start < t; });
        auto n = static_cast<std::size_t>(after - m_busy.begin());
        if (n == 0 || !(m_latestEnd[n - 1] > start))
            return nullptr;
        while (n-- > 0)
            if (m_busy[n].end > start)
                return &m_busy[n];
        return nullptr;
    }

    void add(const BusyInterval &b)
    {
        m_busy.push_back(b);
        *this = BusyIndex(std::move(m_busy));
    }

private:
    std::vector<BusyInterval> m_busy;
    std::vector<QDateTime> m_latestEnd;
};

struct Constraints
{
    bool client = true;
    bool busy = true;
    bool closures = true;
};

class Planner
{
public:
    Planner(const ClinicCalendar &calendar, const std::vector<BusyInterval> &busy,
            const ProposalRequest &request)
        : m_calendar(calendar)
        , m_request(request)
        , m_busy(busy)
    {}

    // The first free start on `date` for `minutes`, no earlier than `notBefore`.
    std::optional<QDateTime> slotOn(QDate date, int minutes, const QDateTime &notBefore,
                                    const Constraints &c) const
    {
        const int day = weekdayIndex(date);
        const DayHours &hours = m_calendar.week[static_cast<std::size_t>(day)];
        if (!hours.isOpen())
            return std::nullopt;
        const ClientPreferences &client = m_request.client;
        if (c.client && !client.weekdays[static_cast<std::size_t>(day)])
            return std::nullopt;
        if (c.closures && m_calendar.closureOn(date))
            return std::nullopt;
        QTime first = hours.opens, last = hours.closes;
        if (c.client && client.earliest.isValid() && client.earliest > first)
            first = client.earliest;
        if (c.client && client.latest.isValid() && client.latest < last)
            last = client.latest;
        const int open = hours.opens.msecsSinceStartOfDay() / 60000;
        const int from = first.msecsSinceStartOfDay() / 60000;
        const int until = last.msecsSinceStartOfDay() / 60000;
        const int step = m_calendar.slotMinutes;
        // Starts on the clinic's grid from opening time.
        for (int t = open + (std::max(0, from - open) + step - 1) / step * step;
             t + minutes <= until; t += step) {
            const QDateTime start =
                QDateTime(date, QTime(t / 60, t % 60), m_calendar.timeZone).toUTC();
            if (start < notBefore)
                continue;
            const QDateTime end = start.addSecs(qint64(minutes) * 60);
            if (c.busy) {
                if (const BusyInterval *taken = m_busy.overlap(start, end)) {
                    // Jump past the appointment in the way.
                    const QDateTime localEnd = taken->end.toTimeZone(m_calendar.timeZone);
                    if (localEnd.date() != date)
                        return std::nullopt;
                    const int endMinute = localEnd.time().msecsSinceStartOfDay() / 60000;
                    t = std::max(t, open + (endMinute - open + step - 1) / step * step - step);
                    continue;
                }
            }
            return start;
        }
        return std::nullopt;
    }

    std::optional<QDateTime> search(const std::vector<QDate> &days, int minutes,
                                    const QDateTime &notBefore, const Constraints &c) const
    {
        for (const QDate &d : days)
            if (const auto slot = slotOn(d, minutes, notBefore, c))
                return slot;
        return std::nullopt;
    }

    void book(const BusyInterval &b) { m_busy.add(b); }

private:
    const ClinicCalendar &m_calendar;
    const ProposalRequest &m_request;
    BusyIndex m_busy;
};

std::vector<QDate> range(QDate first, QDate last, bool descending = false)
{
    std::vector<QDate> days;
    for (QDate d = first; d <= last; d = d.addDays(1))
        days.push_back(d);
    if (descending)
        std::reverse(days.begin(), days.end());
    return days;
}

QString sessionName(const SessionRequest &s)
{
    return s.sitting > 1 ? QStringLiteral("session %1 (sitting %2)").arg(s.session).arg(s.sitting)
                         : QStringLiteral("session %1").arg(s.session);
}

QString clientWindow(const ClientPreferences &client)
{
    QStringList days;
    for (int d = 0; d < 7; ++d)
        if (client.weekdays[static_cast<std::size_t>(d)])
            days << weekdayName(d);
    QString text = days.size() == 7 ? QStringLiteral("any day") : days.join(QStringLiteral(", "));
    if (client.earliest.isValid() || client.latest.isValid())
        text += QStringLiteral(" %1-%2").arg(
            client.earliest.isValid() ? client.earliest.toString(QStringLiteral("HH:mm"))
                                      : QStringLiteral("opening"),
            client.latest.isValid() ? client.latest.toString(QStringLiteral("HH:mm"))
                                    : QStringLiteral("closing"));
    return text;
}

// Places every session in order under the constraints `c`; on failure returns nothing and sets
// `failed` to the index of the session that found no time.
std::optional<Proposal> placeAll(const ClinicCalendar &calendar,
                                 const std::vector<BusyInterval> &busy,
                                 const ProposalRequest &request, const Constraints &c,
                                 std::size_t &failed)
{
    const QTimeZone &zone = calendar.timeZone;
    Planner planner(calendar, busy, request);
    const QDate firstDay = request.from.toTimeZone(zone).date();
    const QDate lastDay = firstDay.addDays(request.horizonDays);
    const QDateTime notBefore = request.from.toUTC();
    Proposal proposal;
    const IntervalRule &rule = request.interval;
    for (std::size_t i = 0; i < request.sessions.size(); ++i) {
        const SessionRequest &s = request.sessions[i];
        std::vector<QDate> days;
        std::optional<QDate> previous;
        if (i == 0) {
            days = range(firstDay, lastDay);
        } else {
            previous = proposal.appointments.back().start.toTimeZone(zone).date();
            if (s.session == request.sessions[i - 1].session) {
                days = range(previous->addDays(1), lastDay); // the next sitting: next open day
            } else {
                // Preferred interval first, then shorter down to the minimum, then longer.
                days = range(previous->addDays(rule.preferredMinDays),
                             std::min(lastDay, previous->addDays(rule.preferredMaxDays)));
                for (const QDate &d : range(previous->addDays(rule.minimumDays),
                                            previous->addDays(rule.preferredMinDays - 1), true))
                    if (d <= lastDay)
                        days.push_back(d);
                for (const QDate &d : range(previous->addDays(rule.preferredMaxDays + 1), lastDay))
                    days.push_back(d);
            }
        }
        const auto slot = planner.search(days, s.minutes, notBefore, c);
        if (!slot) {
            failed = i;
            return std::nullopt;
        }
        ProposedSlot placed;
        placed.session = s.session;
        placed.sitting = s.sitting;
        placed.start = *slot;
        placed.end = slot->addSecs(qint64(s.minutes) * 60);
        const QDate day = slot->toTimeZone(zone).date();
        if (previous) {
            placed.daysAfterPrevious = static_cast<int>(previous->daysTo(day));
            if (s.session != request.sessions[i - 1].session &&
                (placed.daysAfterPrevious < rule.preferredMinDays ||
                 placed.daysAfterPrevious > rule.preferredMaxDays))
                proposal.notes.push_back(
                    QStringLiteral("%1 is %2 days after the previous one (preferred %3-%4)")
                        .arg(sessionName(s))
                        .arg(placed.daysAfterPrevious)
                        .arg(rule.preferredMinDays)
                        .arg(rule.preferredMaxDays));
        }
        planner.book({placed.start, placed.end});
        proposal.appointments.push_back(placed);
    }
    proposal.recall =
        proposal.appointments.back().start.toTimeZone(zone).date().addYears(request.recallYears);
    return proposal;
}

} // namespace

ClinicCalendar ClinicCalendar::standard(const QTimeZone &zone)
{
    ClinicCalendar c;
    c.timeZone = zone;
    for (int d = 0; d < 5; ++d)
        c.week[static_cast<std::size_t>(d)] = {QTime(9, 0), QTime(18, 0)};
    c.week[5] = {QTime(10, 0), QTime(14, 0)};
    return c;
}

const Closure *ClinicCalendar::closureOn(QDate date) const
{
    for (const Closure &c : closures)
        if (date >= c.from && date <= c.to)
            return &c;
    return nullptr;
}

QString weekdayName(int index)
{
    static const char *const names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    return QString::fromLatin1(names[std::clamp(index, 0, 6)]);
}

void validate(const ClinicCalendar &calendar, const ProposalRequest &request)
{
    if (!calendar.timeZone.isValid())
        throw std::invalid_argument("time_zone: not a known time zone");
    if (calendar.slotMinutes < 5 || calendar.slotMinutes > 120)
        throw std::invalid_argument("slot_minutes: must be 5 to 120");
    for (int d = 0; d < 7; ++d) {
        const DayHours &h = calendar.week[static_cast<std::size_t>(d)];
        if (h.opens.isValid() != h.closes.isValid() || (h.opens.isValid() && h.opens >= h.closes))
            throw std::invalid_argument(QStringLiteral("hours.%1: opening must come before closing")
                                            .arg(weekdayName(d).toLower())
                                            .toStdString());
    }
    for (const Closure &c : calendar.closures)
        if (!c.from.isValid() || !c.to.isValid() || c.from > c.to)
            throw std::invalid_argument(
                QStringLiteral("closures: \"%1\" must run from a date to the same or a later one")
                    .arg(c.reason)
                    .toStdString());
    const IntervalRule &i = request.interval;
    if (i.minimumDays < 1 || i.minimumDays > i.preferredMinDays ||
        i.preferredMinDays > i.preferredMaxDays || i.preferredMaxDays > 120)
        throw std::invalid_argument("interval: need 1 <= minimum <= preferred from <= preferred to "
                                    "<= 120 days");
    if (request.recallYears < 1 || request.recallYears > 8)
        throw std::invalid_argument("recall_years: must be 1 to 8");
    if (!request.from.isValid())
        throw std::invalid_argument("from: not a valid date and time");
    if (request.sessions.empty())
        throw std::invalid_argument("sessions: nothing to schedule");
    for (const SessionRequest &s : request.sessions)
        if (s.minutes < 1 || s.minutes > 24 * 60)
            throw std::invalid_argument(
                QString(sessionName(s) + QStringLiteral(": duration must be 1 minute to 24 hours"))
                    .toStdString());
    const ClientPreferences &c = request.client;
    if (c.earliest.isValid() && c.latest.isValid() && c.earliest >= c.latest)
        throw std::invalid_argument("client preferences: the earliest time must come before the "
                                    "latest");
    if (std::none_of(c.weekdays.begin(), c.weekdays.end(), [](bool b) { return b; }))
        throw std::invalid_argument("client preferences: no weekday chosen");
}

Proposal propose(const ClinicCalendar &calendar, const std::vector<BusyInterval> &busy,
                 const ProposalRequest &request)
{
    validate(calendar, request);
    const QTimeZone &zone = calendar.timeZone;
    const ClientPreferences &client = request.client;

    // A session longer than any working day is refused, not squeezed.
    int longestDay = 0, longestForClient = 0, longestIndex = 0;
    for (int d = 0; d < 7; ++d) {
        const DayHours &h = calendar.week[static_cast<std::size_t>(d)];
        if (!h.isOpen())
            continue;
        const int span = h.opens.secsTo(h.closes) / 60;
        if (span > longestDay) {
            longestDay = span;
            longestIndex = d;
        }
        if (client.weekdays[static_cast<std::size_t>(d)]) {
            const QTime from =
                client.earliest.isValid() ? std::max(client.earliest, h.opens) : h.opens;
            const QTime to = client.latest.isValid() ? std::min(client.latest, h.closes) : h.closes;
            longestForClient = std::max(longestForClient, std::max(0, from.secsTo(to) / 60));
        }
    }
    if (longestDay == 0)
        throw NoSchedule(Blocker::OpeningHours, QStringLiteral("the clinic has no opening hours"));
    for (const SessionRequest &s : request.sessions) {
        if (s.minutes > longestDay)
            throw NoSchedule(Blocker::SessionTooLong,
                             QStringLiteral("%1 takes %2, longer than the longest working day "
                                            "(%3 on %4): split it into sittings")
                                 .arg(sessionName(s), hoursText(s.minutes), hoursText(longestDay),
                                      weekdayName(longestIndex)));
        if (s.minutes > longestForClient)
            throw NoSchedule(Blocker::SessionTooLong,
                             QStringLiteral("%1 takes %2, longer than the client's time on any "
                                            "day (%3, %4)")
                                 .arg(sessionName(s), hoursText(s.minutes),
                                      hoursText(longestForClient), clientWindow(client)));
    }

    // The whole schedule under all constraints; when a session finds no time, again with the
    // client's preferences, then the appointments, then the closures relaxed, to name the
    // constraint that blocks (an early session pushed late by appointments blocks the later
    // ones just as surely as a full day).
    std::size_t failed = 0;
    if (auto proposal = placeAll(calendar, busy, request, {}, failed))
        return *proposal;
    const SessionRequest &s = request.sessions[failed];
    const QDate lastDay = request.from.toTimeZone(zone).date().addDays(request.horizonDays);
    const QString head = QStringLiteral("%1: no time fits until %2 (6 months): ")
                             .arg(sessionName(s), lastDay.toString(Qt::ISODate));
    std::size_t ignored = 0;
    if (const auto without = placeAll(calendar, busy, request, {false, true, true}, ignored))
        throw NoSchedule(Blocker::ClientPreferences,
                         head +
                             QStringLiteral("the client's days and times (%1) leave no free "
                                            "slot; without them %2 would be %3")
                                 .arg(clientWindow(client), sessionName(s),
                                      without->appointments[failed].start.toTimeZone(zone).toString(
                                          QStringLiteral("ddd yyyy-MM-dd HH:mm"))));
    if (placeAll(calendar, busy, request, {false, false, true}, ignored))
        throw NoSchedule(Blocker::Appointments,
                         head + QStringLiteral("the technician's appointments leave no room"));
    if (placeAll(calendar, busy, request, {false, false, false}, ignored))
        throw NoSchedule(Blocker::Closures,
                         head + QStringLiteral("the clinic is closed on the days that fit "
                                               "(closures and holidays)"));
    throw NoSchedule(Blocker::OpeningHours,
                     head + QStringLiteral("the opening hours leave no day that fits"));
}

MoveCheck checkMove(const ClinicCalendar &calendar, const std::vector<BusyInterval> &busy,
                    const QDateTime &start, int minutes, const IntervalRule &interval,
                    const std::optional<QDateTime> &previous, const std::optional<QDateTime> &next)
{
    MoveCheck check;
    const QDateTime end = start.addSecs(qint64(minutes) * 60);
    const QString format = QStringLiteral("ddd yyyy-MM-dd HH:mm");
    const QTimeZone &zone = calendar.timeZone;
    for (const BusyInterval &b : busy)
        if (b.start < end && b.end > start)
            check.errors.push_back(
                QStringLiteral("overlaps another appointment (%1-%2)")
                    .arg(b.start.toTimeZone(zone).toString(format),
                         b.end.toTimeZone(zone).toString(QStringLiteral("HH:mm"))));
    const QDateTime local = start.toTimeZone(zone), localEnd = end.toTimeZone(zone);
    const int day = weekdayIndex(local.date());
    const DayHours &hours = calendar.week[static_cast<std::size_t>(day)];
    if (!hours.isOpen())
        check.warnings.push_back(
            QStringLiteral("the clinic is closed on %1").arg(weekdayName(day)));
    else if (local.time() < hours.opens || localEnd.date() != local.date() ||
             localEnd.time() > hours.closes)
        check.warnings.push_back(QStringLiteral("outside opening hours (%1 %2-%3)")
                                     .arg(weekdayName(day),
                                          hours.opens.toString(QStringLiteral("HH:mm")),
                                          hours.closes.toString(QStringLiteral("HH:mm"))));
    if (const Closure *closure = calendar.closureOn(local.date()))
        check.warnings.push_back(QStringLiteral("during the closure \"%1\" (%2 to %3)")
                                     .arg(closure->reason, closure->from.toString(Qt::ISODate),
                                          closure->to.toString(Qt::ISODate)));
    if (previous) {
        const qint64 days = previous->toTimeZone(zone).date().daysTo(local.date());
        if (days < interval.minimumDays)
            check.warnings.push_back(
                QStringLiteral("only %1 days after the previous session (minimum %2)")
                    .arg(days)
                    .arg(interval.minimumDays));
    }
    if (next) {
        const qint64 days = local.date().daysTo(next->toTimeZone(zone).date());
        if (days < interval.minimumDays)
            check.warnings.push_back(
                QStringLiteral("only %1 days before the next session (minimum %2)")
                    .arg(days)
                    .arg(interval.minimumDays));
    }
    return check;
}

} // namespace smp::scheduling
