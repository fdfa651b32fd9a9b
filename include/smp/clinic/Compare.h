#pragma once

// Before/after comparison of two stored photos of a client (Qt Gui; OpenCV only inside vision
// and analysis): alignment of B (after) onto A (before), the coverage of the treatment area and
// of each graded region of A before and after in A's frame, and the images a clinician looks at
// (side by side, blend, difference), all in A's pixels.

#include "smp/storage/Records.h"
#include "smp/vision/Alignment.h"

#include <QDateTime>
#include <QImage>
#include <QLocale>
#include <QString>

#include <optional>
#include <vector>

namespace smp::storage {
class Database;
}

namespace smp::clinic {

struct RegionChange
{
    QString grade; // of the region in A (before)
    QString location;
    std::optional<double> areaCm2;
    double coverageBefore = 0; // 0-1, hair coverage averaged over the region
    double coverageAfter = 0;
};

struct Comparison
{
    storage::Photo before;
    storage::Photo after;
    vision::Alignment alignment; // B onto A, full-size photo pixels
    QImage imageBefore;          // upright, at most 2000 px on its long side
    QImage imageAfter;           // B drawn into A's frame, same size as imageBefore
    double scale = 1;            // imageBefore pixels per photo pixel of A
    QImage imageAfterOwn;        // B itself, upright, unaligned (for placing point pairs)
    double scaleAfter = 1;       // imageAfterOwn pixels per photo pixel of B
    // The treatment area: A's graded regions from mild to bald (as corrected).
    double coverageBefore = 0; // 0-1
    double coverageAfter = 0;
    std::vector<RegionChange> regions;
    // Every analysed photo of the same view: when and its whole-scalp coverage (percent; over the
    // scalp as corrected where the technician took something off: clinic::scalpCoverage).
    std::vector<std::pair<QDateTime, double>> timeline;
    // When the timeline's analyses were not all made by this program's version of the analysis
    // (photos analysed before an update): a sentence naming the versions and what to do; empty
    // otherwise.
    QString timelineNote;
};

// Compares two photos of one client. `pointPairs` (photo pixels, A then B, at least three) align
// by hand instead of automatically. Throws StorageError naming the photo that is missing, of
// another client, or not analysed (the coverage needs an analysis of A), and one (InvalidInput)
// naming A's stored analysis when it is damaged (damagedAnalysisText()) or a photo that shows no
// scalp (noScalpText(): too dark, blank).
Comparison
comparePhotos(storage::Database &db, storage::RecordId before, storage::RecordId after,
              const std::vector<std::pair<vision::Point2, vision::Point2>> &pointPairs = {});

// The first and the latest photo of a view whose analysis found a scalp (for "compare first and
// last"; one that shows none, too dark or blank, has no coverage to compare).
std::optional<std::pair<storage::RecordId, storage::RecordId>>
firstAndLatest(storage::Database &db, storage::RecordId clientId, storage::PhotoView view);

// A change of coverage (each 0-1) in percentage points, signed and to a tenth in `locale`'s
// digits: "+2.5 points", "-5.0 points", "0.0 points" (a change under 0.05 points, of either
// sign, is no change: never "-0.0").
QString coverageChangeText(double before, double after, const QLocale &locale);

// How the Compare window's chart lays a view's coverage timeline (Comparison::timeline) along
// its time axis, in local time. Visits on several days: whole days from the first visit's
// midnight to the one after the last, a tick each midnight (five at most), dated "3 Dec" ("3 Dec
// 26" across years). Visits all on one day (a session's before and after photos): by the hour,
// whole hours holding every visit five minutes or more inside either end (so that none is drawn
// on the chart's edge; a visit within five minutes of midnight stays at the day's end), two
// hours at least, a tick every hour or every few (five at most), "14:05", the day in `title`;
// two photos taken minutes apart would otherwise fall on one point. `from` and `to` are invalid
// for an empty timeline.
struct TimelineAxis
{
    QDateTime from;
    QDateTime to;
    QString format;    // as QDateTimeAxis::setFormat() takes it
    int tickCount = 2; // QDateTimeAxis::setTickCount()
    QString title;     // the day, in `locale`'s long format, when every visit falls on it
};
TimelineAxis timelineAxis(const std::vector<std::pair<QDateTime, double>> &timeline,
                          const QLocale &locale);

// When a photo of a timeline was taken, as the progress report lists it: the day in `locale`'s
// long format, and the time in its short format when another photo of `timeline` was taken on
// the same day.
QString timelineDateText(const QDateTime &when,
                         const std::vector<std::pair<QDateTime, double>> &timeline,
                         const QLocale &locale);

QImage sideBySideImage(const Comparison &c);
QImage blendImage(const Comparison &c, double opacity); // opacity of the after photo, 0-1
QImage differenceImage(const Comparison &c);            // grey: no change; dark/light: change

} // namespace smp::clinic
