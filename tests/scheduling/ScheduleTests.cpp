#include "smp/scheduling/ICalendar.h"
#include "smp/scheduling/Schedule.h"

#include <catch2/catch.hpp>

#include <libical/ical.h>

#include <QRandomGenerator>

#include <memory>

using namespace smp::scheduling;

namespace {

const QTimeZone kBerlin(QByteArrayLiteral("Europe/Berlin"));

QDateTime local(int y, int m, int d, int h = 0, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), kBerlin);
}

ProposalRequest threeSessions(QDateTime from)
{
    ProposalRequest r;
    r.from = from;
    r.sessions = {{1, 1, 240}, {2, 1, 200}, {3, 1, 120}};
    return r;
}

QDateTime inBerlin(const QDateTime &t)
{
    return t.toTimeZone(kBerlin);
}

} // namespace

TEST_CASE("a schedule: opening hours, the preferred interval, the recall", "[scheduling]")
{
    const ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    // From Monday 30 November 2026, 08:00: the clinic opens at 09:00.
    const Proposal p = propose(clinic, {}, threeSessions(local(2026, 11, 30, 8)));
    REQUIRE(p.appointments.size() == 3);
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 11, 30, 9));
    CHECK(p.appointments[0].end == p.appointments[0].start.addSecs(240 * 60));
    // Ten days later (Thursday 10 December), the preferred interval's start.
    CHECK(inBerlin(p.appointments[1].start) == local(2026, 12, 10, 9));
    CHECK(p.appointments[1].daysAfterPrevious == 10);
    // Ten days after that is a Sunday (closed): Monday the 21st, still within 10-14 days.
    CHECK(inBerlin(p.appointments[2].start) == local(2026, 12, 21, 9));
    CHECK(p.appointments[2].daysAfterPrevious == 11);
    CHECK(p.notes.empty());
    CHECK(p.recall == QDate(2029, 12, 21));
    for (const ProposedSlot &s : p.appointments)
        CHECK(s.start.timeSpec() == Qt::UTC);
}

TEST_CASE("a session ends by closing time, and Saturday's short hours take only short sessions",
          "[scheduling]")
{
    const ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    ProposalRequest r;
    r.from = local(2026, 12, 5, 13); // Saturday 13:00: an hour left
    r.sessions = {{1, 1, 180}};
    Proposal p = propose(clinic, {}, r);
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 12, 7, 9)); // Monday
    r.sessions = {{1, 1, 60}};
    p = propose(clinic, {}, r);
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 12, 5, 13));
    // Friday 16:00 with a 3-hour session: would end after 18:00, so Saturday 10:00 is too short
    // too (4 h open, fits): Saturday 10:00.
    r.from = local(2026, 12, 4, 16);
    r.sessions = {{1, 1, 180}};
    p = propose(clinic, {}, r);
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 12, 5, 10));
    CHECK(inBerlin(p.appointments[0].end) == local(2026, 12, 5, 13));
}

TEST_CASE("closures and holidays are skipped, and the interval stays at or above the minimum",
          "[scheduling]")
{
    ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    // Closed for the whole preferred window of session 2 (10-14 days after 30 Nov).
    clinic.closures.push_back(
        {QDate(2026, 12, 10), QDate(2026, 12, 14), QStringLiteral("Training")});
    const Proposal p = propose(clinic, {}, threeSessions(local(2026, 11, 30, 8)));
    // Shorter but not under the minimum of 7 days: 9 December (9 days).
    CHECK(inBerlin(p.appointments[1].start).date() == QDate(2026, 12, 9));
    CHECK(p.appointments[1].daysAfterPrevious == 9);
    REQUIRE(p.notes.size() == 1);
    CHECK(p.notes[0].contains(QStringLiteral("9 days")));
    // Closed from day 7 to day 14: the interval grows past 14 instead of dropping under 7.
    clinic.closures = {{QDate(2026, 12, 7), QDate(2026, 12, 14), QStringLiteral("Holiday")}};
    const Proposal q = propose(clinic, {}, threeSessions(local(2026, 11, 30, 8)));
    CHECK(inBerlin(q.appointments[1].start).date() == QDate(2026, 12, 15));
    for (const ProposedSlot &s : q.appointments)
        CHECK((s.daysAfterPrevious == 0 || s.daysAfterPrevious >= 7));
}

TEST_CASE("the technician's other appointments are never double-booked", "[scheduling]")
{
    const ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    std::vector<BusyInterval> busy = {
        {local(2026, 11, 30, 9).toUTC(), local(2026, 11, 30, 12, 10).toUTC()}};
    ProposalRequest r;
    r.from = local(2026, 11, 30, 8);
    r.sessions = {{1, 1, 240}};
    Proposal p = propose(clinic, busy, r);
    // After the appointment, on the 15-minute grid: 12:15-16:15.
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 11, 30, 12, 15));
    // A fully booked Monday: Tuesday.
    busy.push_back({local(2026, 11, 30, 12, 10).toUTC(), local(2026, 11, 30, 18).toUTC()});
    p = propose(clinic, busy, r);
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 12, 1, 9));

    // Hundreds of appointments across all clients: nothing proposed overlaps one.
    std::vector<BusyInterval> many;
    QRandomGenerator random(42);
    for (int i = 0; i < 600; ++i) {
        const QDate day = QDate(2026, 11, 30).addDays(random.bounded(120));
        const QDateTime start =
            QDateTime(day, QTime(9 + random.bounded(8), 15 * random.bounded(4)), kBerlin).toUTC();
        many.push_back({start, start.addSecs(60 * (30 + 15 * random.bounded(12)))});
    }
    const Proposal crowded = propose(clinic, many, threeSessions(local(2026, 11, 30, 8)));
    REQUIRE(crowded.appointments.size() == 3);
    for (const ProposedSlot &s : crowded.appointments)
        for (const BusyInterval &b : many)
            CHECK_FALSE((b.start < s.end && b.end > s.start));
}

TEST_CASE("the client's preferred days and times are kept", "[scheduling]")
{
    const ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    ProposalRequest r = threeSessions(local(2026, 11, 30, 8));
    r.client.weekdays = {false, true, false, true, false, false, false}; // Tue, Thu
    r.client.earliest = QTime(13, 0);
    const Proposal p = propose(clinic, {}, r);
    for (const ProposedSlot &s : p.appointments) {
        const QDateTime t = inBerlin(s.start);
        CHECK((t.date().dayOfWeek() == 2 || t.date().dayOfWeek() == 4));
        CHECK(t.time() >= QTime(13, 0));
        CHECK(inBerlin(s.end).time() <= QTime(18, 0));
    }
    CHECK(inBerlin(p.appointments[0].start) == local(2026, 12, 1, 13));
}

TEST_CASE("what blocks a schedule is named", "[scheduling]")
{
    ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    ProposalRequest r = threeSessions(local(2026, 11, 30, 8));

    // A session longer than a working day is refused with the reason, not squeezed.
    r.sessions[1].minutes = 600;
    try {
        propose(clinic, {}, r);
        FAIL("a 10-hour session was scheduled");
    } catch (const NoSchedule &e) {
        CHECK(e.blocker() == Blocker::SessionTooLong);
        CHECK_THAT(e.what(), Catch::Contains("session 2 takes 10 h 00 min") &&
                                 Catch::Contains("longest working day (9 h 00 min on Mon)"));
    }
    r.sessions[1].minutes = 200;

    // The client only on Sundays: the clinic is closed then.
    ProposalRequest sundays = r;
    sundays.client.weekdays = {false, false, false, false, false, false, true};
    CHECK_THROWS_MATCHES(
        propose(clinic, {}, sundays), NoSchedule,
        Catch::Matchers::Predicate<NoSchedule>(
            [](const NoSchedule &e) { return e.blocker() == Blocker::SessionTooLong; },
            "the client's window is empty"));
    // The client only on Saturday mornings, which the technician has booked for six months.
    ProposalRequest saturdays = r;
    saturdays.client.weekdays = {false, false, false, false, false, true, false};
    std::vector<BusyInterval> booked;
    for (QDate d(2026, 11, 30); d < QDate(2027, 7, 1); d = d.addDays(1))
        if (d.dayOfWeek() == 6)
            booked.push_back({QDateTime(d, QTime(10, 0), kBerlin).toUTC(),
                              QDateTime(d, QTime(14, 0), kBerlin).toUTC()});
    try {
        propose(clinic, booked, saturdays);
        FAIL("scheduled into a booked calendar");
    } catch (const NoSchedule &e) {
        CHECK(e.blocker() == Blocker::ClientPreferences);
        CHECK_THAT(e.what(), Catch::Contains("session 1") && Catch::Contains("Sat") &&
                                 Catch::Contains("without them session 1 would be"));
    }
    // Every day booked: the appointments block.
    std::vector<BusyInterval> full = {{local(2026, 11, 1).toUTC(), local(2027, 7, 1).toUTC()}};
    try {
        propose(clinic, full, r);
        FAIL("scheduled into a full calendar");
    } catch (const NoSchedule &e) {
        CHECK(e.blocker() == Blocker::Appointments);
    }
    // Booked solid until late in the six months: sessions 1 and 2 fit, too late for session 3.
    // The appointments are named, not the opening hours.
    std::vector<BusyInterval> late = {{local(2026, 11, 1).toUTC(), local(2027, 5, 25).toUTC()}};
    try {
        propose(clinic, late, r);
        FAIL("scheduled past the horizon");
    } catch (const NoSchedule &e) {
        CHECK(e.blocker() == Blocker::Appointments);
        CHECK_THAT(e.what(), Catch::Contains("session 3"));
    }
    // Closed for the next six months.
    clinic.closures = {{QDate(2026, 11, 1), QDate(2027, 7, 1), QStringLiteral("Renovation")}};
    try {
        propose(clinic, {}, r);
        FAIL("scheduled while closed");
    } catch (const NoSchedule &e) {
        CHECK(e.blocker() == Blocker::Closures);
    }
}

TEST_CASE("wall-clock hours hold across the daylight-saving change", "[scheduling]")
{
    // Europe/Berlin leaves summer time on Sunday 25 October 2026 (UTC+2 to UTC+1).
    const ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    ProposalRequest r;
    r.from = local(2026, 10, 19, 8);
    r.sessions = {{1, 1, 120}, {2, 1, 120}};
    const Proposal p = propose(clinic, {}, r);
    CHECK(inBerlin(p.appointments[0].start).time() == QTime(9, 0));
    CHECK(inBerlin(p.appointments[1].start).time() == QTime(9, 0));
    CHECK(p.appointments[0].start.time() == QTime(7, 0)); // UTC, summer time
    CHECK(p.appointments[1].start.time() == QTime(8, 0)); // UTC, winter time
    CHECK(p.appointments[1].daysAfterPrevious == 10);
    // A clinic in New York: the same rules in its own zone.
    const QTimeZone newYork(QByteArrayLiteral("America/New_York"));
    r.from = QDateTime(QDate(2026, 3, 2), QTime(8, 0), newYork); // DST starts 8 March
    const Proposal ny = propose(ClinicCalendar::standard(newYork), {}, r);
    CHECK(ny.appointments[0].start.toTimeZone(newYork).time() == QTime(9, 0));
    CHECK(ny.appointments[1].start.toTimeZone(newYork).time() == QTime(9, 0));
    CHECK(ny.appointments[0].start.time() == QTime(14, 0)); // UTC-5
    CHECK(ny.appointments[1].start.time() == QTime(13, 0)); // UTC-4
}

TEST_CASE("sittings of a long session follow on the next open days", "[scheduling]")
{
    const ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    ProposalRequest r;
    r.from = local(2026, 12, 4, 8); // Friday
    r.sessions = {{1, 1, 300}, {1, 2, 300}, {2, 1, 240}};
    const Proposal p = propose(clinic, {}, r);
    CHECK(inBerlin(p.appointments[0].start).date() == QDate(2026, 12, 4));
    // Saturday is 4 hours only: the second sitting is on Monday.
    CHECK(inBerlin(p.appointments[1].start).date() == QDate(2026, 12, 7));
    CHECK(p.appointments[2].daysAfterPrevious >= 10);
}

TEST_CASE("a moved appointment is checked: double booking refused, the rest warned", "[scheduling]")
{
    ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    clinic.closures.push_back(
        {QDate(2026, 12, 24), QDate(2026, 12, 26), QStringLiteral("Christmas")});
    const std::vector<BusyInterval> busy = {
        {local(2026, 12, 10, 9).toUTC(), local(2026, 12, 10, 12).toUTC()}};
    const IntervalRule rule;
    const auto previous = std::optional<QDateTime>(local(2026, 12, 1, 9).toUTC());
    const auto next = std::optional<QDateTime>(local(2026, 12, 21, 9).toUTC());
    MoveCheck ok =
        checkMove(clinic, busy, local(2026, 12, 11, 9).toUTC(), 180, rule, previous, next);
    CHECK(ok.ok());
    MoveCheck clash =
        checkMove(clinic, busy, local(2026, 12, 10, 11).toUTC(), 120, rule, previous, next);
    REQUIRE(clash.errors.size() == 1);
    CHECK(clash.errors[0].contains(QStringLiteral("overlaps")));
    MoveCheck early =
        checkMove(clinic, busy, local(2026, 12, 4, 9).toUTC(), 60, rule, previous, next);
    REQUIRE(early.warnings.size() == 1);
    CHECK(early.warnings[0].contains(QStringLiteral("only 3 days after the previous session")));
    MoveCheck late =
        checkMove(clinic, busy, local(2026, 12, 17, 17).toUTC(), 120, rule, previous, next);
    CHECK(late.warnings.size() == 2); // after closing, and 4 days before the next session
    MoveCheck christmas = checkMove(clinic, {}, local(2026, 12, 24, 10).toUTC(), 60, rule, {}, {});
    REQUIRE(christmas.warnings.size() == 1);
    CHECK(christmas.warnings[0].contains(QStringLiteral("Christmas")));
    MoveCheck sunday = checkMove(clinic, {}, local(2026, 12, 13, 10).toUTC(), 60, rule, {}, {});
    CHECK(sunday.warnings[0].contains(QStringLiteral("closed on Sun")));
}

TEST_CASE("bad settings are refused with the field named", "[scheduling]")
{
    ClinicCalendar clinic = ClinicCalendar::standard(kBerlin);
    ProposalRequest r = threeSessions(local(2026, 11, 30, 8));
    r.interval = {7, 14, 10};
    CHECK_THROWS_WITH(propose(clinic, {}, r), Catch::Contains("interval"));
    r.interval = {};
    r.recallYears = 9;
    CHECK_THROWS_WITH(propose(clinic, {}, r), Catch::Contains("recall_years"));
    r.recallYears = 3;
    clinic.week[2] = {QTime(18, 0), QTime(9, 0)};
    CHECK_THROWS_WITH(propose(clinic, {}, r), Catch::Contains("hours.wed"));
}

namespace {

struct Parsed
{
    icalcomponent *calendar = nullptr;
    explicit Parsed(const QByteArray &ics)
        : calendar(icalparser_parse_string(ics.constData()))
    {}
    ~Parsed()
    {
        if (calendar)
            icalcomponent_free(calendar);
    }
    Parsed(const Parsed &) = delete;
    Parsed &operator=(const Parsed &) = delete;

    std::vector<icalcomponent *> events() const
    {
        std::vector<icalcomponent *> list;
        for (icalcomponent *e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
             e; e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT))
            list.push_back(e);
        return list;
    }
};

} // namespace

TEST_CASE("iCalendar export reads back in libical: times, text, UIDs, sequence", "[scheduling]")
{
    std::vector<CalendarEvent> events(3);
    events[0].uid = QStringLiteral("0f1e2d3c-1@smp-planner");
    events[0].start = local(2026, 12, 1, 9).toUTC();
    events[0].end = local(2026, 12, 1, 13).toUTC();
    events[0].summary = QStringLiteral("SMP session 1 of 3: Müller, Lukas");
    events[0].description = QStringLiteral(
        "Foundation; light dilution 3.0 : 1, 1RL and 3RL.\nBring: nothing, hair shaved "
        "short. A long line to be folded over several physical lines of at most 75 octets, "
        "with ünïcödé characters that must not be split inside.");
    events[1].uid = QStringLiteral("0f1e2d3c-2@smp-planner");
    events[1].start = local(2026, 12, 11, 9).toUTC();
    events[1].end = local(2026, 12, 11, 12, 20).toUTC();
    events[1].summary = QStringLiteral("SMP session 2 of 3");
    events[1].cancelled = true;
    events[1].sequence = 2;
    events[2].uid = QStringLiteral("0f1e2d3c-r@smp-planner");
    events[2].allDay = QDate(2029, 12, 21);
    events[2].summary = QStringLiteral("SMP touch-up due");
    const QByteArray ics = icsCalendar(events, QStringLiteral("Clinic"),
                                       QDateTime(QDate(2026, 11, 24), QTime(12, 0), Qt::UTC));
    for (const QByteArray &line : ics.split('\n'))
        CHECK(line.size() <= 76); // 75 octets and the CR
    CHECK(ics.endsWith("END:VCALENDAR\r\n"));

    Parsed parsed(ics);
    REQUIRE(parsed.calendar != nullptr);
    CHECK(icalcomponent_isa(parsed.calendar) == ICAL_VCALENDAR_COMPONENT);
    CHECK(icalcomponent_count_errors(parsed.calendar) == 0);
    const auto list = parsed.events();
    REQUIRE(list.size() == 3);
    CHECK(QString::fromUtf8(icalcomponent_get_uid(list[0])) == events[0].uid);
    CHECK(QString::fromUtf8(icalcomponent_get_summary(list[0])) == events[0].summary);
    CHECK(QString::fromUtf8(icalcomponent_get_description(list[0])) == events[0].description);
    const icaltimetype start = icalcomponent_get_dtstart(list[0]);
    CHECK(icaltime_as_timet(start) == events[0].start.toSecsSinceEpoch());
    CHECK(icaltime_as_timet(icalcomponent_get_dtend(list[0])) == events[0].end.toSecsSinceEpoch());
    CHECK(icalcomponent_get_status(list[1]) == ICAL_STATUS_CANCELLED);
    CHECK(icalproperty_get_sequence(
              icalcomponent_get_first_property(list[1], ICAL_SEQUENCE_PROPERTY)) == 2);
    const icaltimetype recall = icalcomponent_get_dtstart(list[2]);
    CHECK(recall.is_date == 1);
    CHECK(recall.year == 2029);
    CHECK(recall.month == 12);
    CHECK(recall.day == 21);
}
