// smp-schedule-benchmark: times schedule proposals against a clinic calendar of 5,000 booked
// appointments, in the scheduling core and from the database (clinic::proposeForClient, which
// also reads the appointments). Not part of the test run; figures go to docs/benchmarks.md.
// Usage: smp-schedule-benchmark [runs]

#include "smp/clinic/Scheduling.h"
#include "smp/scheduling/Schedule.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PlanStore.h"
#include "smp/storage/Records.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include "Timing.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

using namespace smp;

using smp::bench::median;
using smp::bench::millisecondsOf;
using smp::bench::p95;

namespace {

// 5,000 appointments of 1-4 h packed into the clinic's days from `first` on, a busy single
// technician: days fill from opening time, most days nearly full.
std::vector<scheduling::BusyInterval> busyClinic(const scheduling::ClinicCalendar &clinic,
                                                 QDate first, int count)
{
    std::vector<scheduling::BusyInterval> busy;
    QRandomGenerator random(7);
    for (QDate day = first; static_cast<int>(busy.size()) < count; day = day.addDays(1)) {
        const scheduling::DayHours &h = clinic.week[static_cast<std::size_t>(day.dayOfWeek() - 1)];
        if (!h.isOpen())
            continue;
        QDateTime at(day, h.opens, clinic.timeZone);
        const QDateTime close(day, h.closes, clinic.timeZone);
        while (static_cast<int>(busy.size()) < count) {
            const int minutes = 60 * (1 + static_cast<int>(random.bounded(4)));
            const QDateTime end = at.addSecs(minutes * 60);
            if (end > close)
                break;
            if (random.bounded(10) < 8) // a few gaps
                busy.push_back({at.toUTC(), end.toUTC()});
            at = end.addSecs(15 * 60);
        }
    }
    return busy;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    const QTimeZone zone(QByteArrayLiteral("Europe/Berlin"));
    const scheduling::ClinicCalendar clinic = scheduling::ClinicCalendar::standard(zone);
    const QDate start(2026, 11, 30);
    const auto busy = busyClinic(clinic, start.addDays(-200), 5000);
    std::printf("5000 appointments from %s to %s\n\n",
                qPrintable(busy.front().start.toString(Qt::ISODate)),
                qPrintable(busy.back().start.toString(Qt::ISODate)));

    scheduling::ProposalRequest request;
    request.from = QDateTime(start, QTime(8, 0), zone);
    request.sessions = {{1, 1, 240}, {2, 1, 210}, {3, 1, 150}};
    std::vector<double> core;
    scheduling::Proposal proposal;
    for (int i = 0; i < runs; ++i)
        core.push_back(
            millisecondsOf([&] { proposal = scheduling::propose(clinic, busy, request); }));

    // The worst case: 5,000 appointments within the six months searched, so that no day has
    // room; the whole horizon is searched, then again to name the blocking constraint.
    std::vector<scheduling::BusyInterval> crowded;
    {
        QRandomGenerator random(11);
        for (int i = 0; i < 5000; ++i) {
            const QDate day = start.addDays(random.bounded(183));
            const QDateTime at(day, QTime(8 + static_cast<int>(random.bounded(10)), 0), zone);
            crowded.push_back({at.toUTC(), at.addSecs(60 * (60 + 30 * random.bounded(4))).toUTC()});
        }
    }
    std::vector<double> refused;
    QString blocker;
    for (int i = 0; i < runs; ++i)
        refused.push_back(millisecondsOf([&] {
            try {
                scheduling::propose(clinic, crowded, request);
            } catch (const scheduling::NoSchedule &e) {
                blocker = QString::fromUtf8(e.what());
            }
        }));

    // The same from a database holding the 5,000 appointments.
    QTemporaryDir dir;
    storage::Database db(dir.filePath(QStringLiteral("bench.sqlite")));
    storage::Client client;
    client.familyName = QStringLiteral("Bench");
    const storage::RecordId clientId = storage::ClientStore(db).add(client);
    std::vector<storage::Appointment> appointments;
    for (const auto &b : busy) {
        storage::Appointment a;
        a.clientId = clientId;
        a.session = 1;
        a.start = b.start;
        a.minutes = static_cast<int>(b.start.secsTo(b.end) / 60);
        appointments.push_back(a);
    }
    storage::AppointmentStore(db).book(appointments);
    // A stored plan to schedule: three sessions of 4, 3.5 and 2.5 hours (summary only matters).
    storage::StoredPlan plan;
    plan.photoId = 0;
    clinic::ScheduleSettings settings = clinic::defaultScheduleSettings();
    settings.calendar = clinic;
    clinic::setScheduleSettings(db, clinic::scheduleSettingsJson(settings));
    // A photo row for the plan to belong to (the file itself is not needed here).
    db.execute("INSERT INTO photos VALUES (1, 1, 'top', '2026-11-24T00:00:00.000Z', "
               "'2026-11-24T00:00:00.000Z', '" +
               std::string(64, 'a') + "', 'x.jpg', 'x.jpg', 'jpeg', 10, 10, 1, '', 0, 'file')");
    plan.photoId = 1;
    plan.algorithm = QStringLiteral("smp-dot-plan");
    plan.version = QStringLiteral("0.1");
    plan.seed = QStringLiteral("1");
    plan.settingsJson = QStringLiteral("{}");
    plan.summaryJson = QStringLiteral(
        "{\"sessions\":[{\"session\":1,\"minutes\":240,\"sittings\":1},{\"session\":2,"
        "\"minutes\":210,\"sittings\":1},{\"session\":3,\"minutes\":150,\"sittings\":1}]}");
    plan.planJson = QByteArray("{}");
    storage::PlanStore(db).add(plan);
    clinic::ProposalOptions options;
    options.from = request.from;
    std::vector<double> fromDb;
    clinic::ClientProposal stored;
    for (int i = 0; i < runs; ++i)
        fromDb.push_back(
            millisecondsOf([&] { stored = clinic::proposeForClient(db, clientId, options); }));

    std::printf("| operation | median ms | p95 ms | runs |\n|---|---|---|---|\n");
    std::printf("| propose 3 sessions against 5,000 appointments (scheduling core) | %.2f | %.2f "
                "| %d |\n",
                median(core), p95(core), runs);
    std::printf("| 5,000 appointments within the 6 months: no room, the blocker named | %.2f | "
                "%.2f | %d |\n",
                median(refused), p95(refused), runs);
    std::printf("| the first case from the database (reads the appointments, settings, plan) | "
                "%.2f | "
                "%.2f | %d |\n",
                median(fromDb), p95(fromDb), runs);
    std::printf("\nrefused: %s\n", qPrintable(blocker));
    std::printf(
        "first session %s, last %s\n",
        qPrintable(proposal.appointments.front().start.toTimeZone(zone).toString(Qt::ISODate)),
        qPrintable(proposal.appointments.back().start.toTimeZone(zone).toString(Qt::ISODate)));
    return 0;
}
