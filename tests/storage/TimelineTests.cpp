#include "smp/clinic/Compare.h"

#include <QDateTime>
#include <QLocale>

#include <catch2/catch.hpp>

using namespace smp;

namespace {

// A timeline of local times on 2026-12-07 (or the given day) at the given hours and minutes.
std::vector<std::pair<QDateTime, double>> visitsAt(std::initializer_list<QTime> times,
                                                   QDate day = QDate(2026, 12, 7))
{
    std::vector<std::pair<QDateTime, double>> timeline;
    for (const QTime &time : times)
        timeline.emplace_back(QDateTime(day, time), 40.0);
    return timeline;
}

} // namespace

TEST_CASE("the coverage chart's time axis spans whole days, or hours when every photo is of one "
          "day",
          "[clinic][compare]")
{
    const QLocale locale(QLocale::English, QLocale::UnitedKingdom);
    SECTION("no visits: no range")
    {
        CHECK_FALSE(clinic::timelineAxis({}, locale).from.isValid());
    }
    SECTION("visits on several days of one year: midnight to midnight, a tick a day")
    {
        const auto timeline = std::vector<std::pair<QDateTime, double>>{
            {QDateTime(QDate(2026, 11, 20), QTime(10, 30)), 38.0},
            {QDateTime(QDate(2026, 11, 22), QTime(16, 0)), 41.0}};
        const auto axis = clinic::timelineAxis(timeline, locale);
        CHECK(axis.format == QStringLiteral("d MMM"));
        CHECK(axis.from == QDateTime(QDate(2026, 11, 20), QTime(0, 0)));
        CHECK(axis.to == QDateTime(QDate(2026, 11, 23), QTime(0, 0)));
        CHECK(axis.tickCount == 4);
        CHECK(axis.title.isEmpty());
    }
    SECTION("across years: the year in the dates, five ticks at most")
    {
        const auto timeline = std::vector<std::pair<QDateTime, double>>{
            {QDateTime(QDate(2025, 12, 1), QTime(9, 0)), 30.0},
            {QDateTime(QDate(2026, 3, 1), QTime(9, 0)), 45.0}};
        const auto axis = clinic::timelineAxis(timeline, locale);
        CHECK(axis.format == QStringLiteral("d MMM yy"));
        CHECK(axis.tickCount == 5);
    }
    SECTION("a session's before and after, 35 minutes apart: two hours, a tick an hour")
    {
        const auto axis = clinic::timelineAxis(visitsAt({QTime(14, 5), QTime(14, 40)}), locale);
        CHECK(axis.format == QStringLiteral("HH:mm"));
        CHECK(axis.from == QDateTime(QDate(2026, 12, 7), QTime(14, 0)));
        CHECK(axis.to == QDateTime(QDate(2026, 12, 7), QTime(16, 0)));
        CHECK(axis.tickCount == 3);
        CHECK(axis.title == locale.toString(QDate(2026, 12, 7), QLocale::LongFormat));
    }
    SECTION("photos from 9:10 to 17:50: whole hours, a tick every three")
    {
        const auto axis =
            clinic::timelineAxis(visitsAt({QTime(9, 10), QTime(12, 0), QTime(17, 50)}), locale);
        CHECK(axis.from == QDateTime(QDate(2026, 12, 7), QTime(9, 0)));
        CHECK(axis.to == QDateTime(QDate(2026, 12, 7), QTime(18, 0)));
        CHECK(axis.tickCount == 4);
    }
    SECTION("every visit lies five minutes or more inside the range, as far as the day allows")
    {
        for (const auto &timeline :
             {visitsAt({QTime(0, 0), QTime(0, 1)}), visitsAt({QTime(23, 0), QTime(23, 59)}),
              visitsAt({QTime(8, 0), QTime(19, 0)}), visitsAt({QTime(10, 2), QTime(11, 57)})}) {
            const auto axis = clinic::timelineAxis(timeline, locale);
            const QDateTime midnight = QDateTime(QDate(2026, 12, 7), QTime(0, 0));
            for (const auto &visit : timeline) {
                INFO(visit.first.toString(Qt::ISODate).toStdString());
                CHECK(axis.from <= visit.first);
                CHECK(visit.first < axis.to);
                if (visit.first.secsTo(midnight.addDays(1)) > 5 * 60)
                    CHECK(visit.first.secsTo(axis.to) >= 5 * 60);
                if (midnight.secsTo(visit.first) >= 5 * 60)
                    CHECK(axis.from.secsTo(visit.first) >= 5 * 60);
            }
        }
        // A session from 10:02 to 11:57 is drawn from 9:00 to 13:00.
        const auto axis = clinic::timelineAxis(visitsAt({QTime(10, 2), QTime(11, 57)}), locale);
        CHECK(axis.from == QDateTime(QDate(2026, 12, 7), QTime(9, 0)));
        CHECK(axis.to == QDateTime(QDate(2026, 12, 7), QTime(13, 0)));
        CHECK(axis.tickCount == 5);
    }
}

TEST_CASE("the progress report dates a photo by its day, and by the minute where the day holds "
          "two",
          "[clinic][compare]")
{
    const QLocale locale(QLocale::English, QLocale::UnitedKingdom);
    auto timeline = visitsAt({QTime(14, 5), QTime(14, 40)});
    timeline.emplace_back(QDateTime(QDate(2026, 12, 21), QTime(10, 0)), 45.0);
    const QString day = locale.toString(QDate(2026, 12, 7), QLocale::LongFormat);
    CHECK(clinic::timelineDateText(timeline[0].first, timeline, locale) ==
          day + QStringLiteral(", ") + locale.toString(QTime(14, 5), QLocale::ShortFormat));
    CHECK(clinic::timelineDateText(timeline[1].first, timeline, locale) ==
          day + QStringLiteral(", ") + locale.toString(QTime(14, 40), QLocale::ShortFormat));
    CHECK(clinic::timelineDateText(timeline[2].first, timeline, locale) ==
          locale.toString(QDate(2026, 12, 21), QLocale::LongFormat));
}
