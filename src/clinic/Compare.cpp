#include "smp/clinic/Compare.h"

#include "smp/analysis/ScalpAnalysis.h"
#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/clinic/Planning.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QPainter>
#include <QPainterPath>
#include <QTransform>

#include <algorithm>
#include <cmath>
#include <set>

namespace smp::clinic {

using storage::ErrorKind;
using storage::RecordId;
using storage::StorageError;

namespace {

QTransform toQTransform(const vision::Homography &h)
{
    // Qt multiplies row vectors: the transpose of our column-vector matrix.
    return QTransform(h[0], h[3], h[6], h[1], h[4], h[7], h[2], h[5], h[8]);
}

// The analysis's coverage map of a photo, computed again (coverage is not stored), with its
// map geometry.
analysis::Result coverageOf(storage::Database &db, const storage::Photo &photo,
                            const QImage &upright)
{
    return analyzeImage(upright, parametersForPhoto(db, photo.id));
}

double meanCoverage(const analysis::Result &r, const std::vector<char> &inside)
{
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < inside.size(); ++i)
        if (inside[i]) {
            sum += static_cast<double>(r.coverage[i]);
            ++n;
        }
    return n ? sum / static_cast<double>(n) : 0;
}

} // namespace

Comparison comparePhotos(storage::Database &db, RecordId beforeId, RecordId afterId,
                         const std::vector<std::pair<vision::Point2, vision::Point2>> &pointPairs)
{
    storage::PhotoLibrary library(db);
    const auto before = library.find(beforeId);
    const auto after = library.find(afterId);
    if (!before)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(beforeId));
    if (!after)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("photo %1 does not exist").arg(afterId));
    if (before->clientId != after->clientId)
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("photos %1 and %2 are of different clients").arg(beforeId).arg(afterId));
    Comparison c;
    c.before = *before;
    c.after = *after;
    const QImage a = imaging::loadUprightImage(library.verifiedPath(*before));
    const QImage b = imaging::loadUprightImage(library.verifiedPath(*after));
    if (pointPairs.empty()) {
        const QImage greyA = a.convertToFormat(QImage::Format_Grayscale8);
        const QImage greyB = b.convertToFormat(QImage::Format_Grayscale8);
        c.alignment = vision::alignPhotos(
            {greyA.width(), greyA.height(), greyA.bytesPerLine(), greyA.constBits()},
            {greyB.width(), greyB.height(), greyB.bytesPerLine(), greyB.constBits()});
    } else {
        std::vector<vision::Point2> inA, inB;
        for (const auto &[pa, pb] : pointPairs) {
            inA.push_back(pa);
            inB.push_back(pb);
        }
        try {
            c.alignment = vision::alignByPoints(inA, inB);
        } catch (const std::invalid_argument &e) {
            throw StorageError(ErrorKind::InvalidInput, QString::fromUtf8(e.what()));
        }
    }
    // The images in A's frame, at most 2000 px on the long side.
    c.scale = std::min(1.0, 2000.0 / std::max(a.width(), a.height()));
    const QSize size(static_cast<int>(std::lround(a.width() * c.scale)),
                     static_cast<int>(std::lround(a.height() * c.scale)));
    c.imageBefore = a.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                        .convertToFormat(QImage::Format_RGB32);
    c.scaleAfter = std::min(1.0, 2000.0 / std::max(b.width(), b.height()));
    c.imageAfterOwn = b.scaled(QSize(static_cast<int>(std::lround(b.width() * c.scaleAfter)),
                                     static_cast<int>(std::lround(b.height() * c.scaleAfter))),
                               Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                          .convertToFormat(QImage::Format_RGB32);
    c.imageAfter = QImage(size, QImage::Format_RGB32);
    c.imageAfter.fill(Qt::black);
    if (c.alignment.ok) {
        QPainter painter(&c.imageAfter);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        painter.setTransform(toQTransform(c.alignment.bToA) *
                             QTransform::fromScale(c.scale, c.scale));
        painter.drawImage(0, 0, b);
    }

    // Coverage before and after over A's treatment area and regions, in A's frame.
    storage::AnalysisStore analyses(db);
    const auto stored = analyses.latest(before->id);
    if (!stored)
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("photo %1 has no analysis: analyse the before photo first")
                .arg(beforeId));
    if (const QString damage = mapSizeDamage(*stored, *before); !damage.isEmpty())
        throw StorageError(ErrorKind::InvalidInput, damage);
    if (c.alignment.ok) {
        const analysis::Result ra = coverageOf(db, *before, a);
        const analysis::Result rb = coverageOf(db, *after, b);
        // A photo that shows no scalp (too dark, blank) has no coverage: its 0% read as a loss
        // of all the hair in the progress report until 2026-12-05.
        for (const auto &[result, photo] : {std::pair{&ra, &*before}, std::pair{&rb, &*after}})
            if (const QString none = noScalpText(*result, *photo); !none.isEmpty())
                throw StorageError(ErrorKind::InvalidInput, none);
        const QByteArray grades = analyses.correctedGrades(*stored);
        const bool sameMap = ra.mapWidth == stored->mapWidth && ra.mapHeight == stored->mapHeight;
        const vision::Homography aToB = vision::inverse(c.alignment.bToA);
        // B's coverage sampled at the centre of every map pixel of A.
        std::vector<float> afterInA(ra.coverage.size(), 0.0f);
        std::vector<char> seen(ra.coverage.size(), 0);
        for (int y = 0; y < ra.mapHeight; ++y)
            for (int x = 0; x < ra.mapWidth; ++x) {
                const vision::Point2 inB = vision::mapPoint(
                    aToB, {(x + 0.5) * ra.photoPxPerMapPx, (y + 0.5) * ra.photoPxPerMapPx});
                const int bx = static_cast<int>(inB.x / rb.photoPxPerMapPx);
                const int by = static_cast<int>(inB.y / rb.photoPxPerMapPx);
                if (bx < 0 || by < 0 || bx >= rb.mapWidth || by >= rb.mapHeight)
                    continue;
                const auto i = static_cast<std::size_t>(y * ra.mapWidth + x);
                afterInA[i] = rb.coverage[static_cast<std::size_t>(by * rb.mapWidth + bx)];
                seen[i] = 1;
            }
        analysis::Result rbInA = ra;
        rbInA.coverage = afterInA;
        std::vector<char> area(ra.coverage.size(), 0);
        for (std::size_t i = 0; i < area.size(); ++i) {
            const int grade = sameMap ? static_cast<std::uint8_t>(grades[static_cast<qsizetype>(i)])
                                      : static_cast<int>(ra.grades[i]);
            area[i] = seen[i] && grade >= static_cast<int>(analysis::Grade::Mild);
        }
        c.coverageBefore = meanCoverage(ra, area);
        c.coverageAfter = meanCoverage(rbInA, area);
        // Per region of A (as corrected): a mask drawn from its outline at map resolution.
        const auto calibration = scaleInUse(library, before->id);
        analysis::GradeSummary summary;
        try {
            summary = summarizeStoredAnalysis(
                *stored, grades, before->view, before->rotationQuarterTurns,
                calibration ? std::optional<double>(calibration->mmPerPx) : std::nullopt);
        } catch (const std::invalid_argument &damaged) {
            throw StorageError(
                ErrorKind::InvalidInput,
                damagedAnalysisText(*stored, *before, QString::fromUtf8(damaged.what())));
        }
        for (const auto &region : summary.regions) {
            if (region.grade == analysis::Grade::Normal)
                continue;
            QImage mask(ra.mapWidth, ra.mapHeight, QImage::Format_Grayscale8);
            mask.fill(0);
            QPainterPath path;
            QPolygonF polygon;
            for (const auto &p : region.outline)
                polygon << QPointF(p.x / ra.photoPxPerMapPx, p.y / ra.photoPxPerMapPx);
            path.addPolygon(polygon);
            QPainter painter(&mask);
            painter.fillPath(path, Qt::white);
            painter.end();
            std::vector<char> inside(ra.coverage.size(), 0);
            for (int y = 0; y < ra.mapHeight; ++y) {
                const uchar *row = mask.constScanLine(y);
                for (int x = 0; x < ra.mapWidth; ++x)
                    inside[static_cast<std::size_t>(y * ra.mapWidth + x)] =
                        row[x] > 127 && seen[static_cast<std::size_t>(y * ra.mapWidth + x)];
            }
            c.regions.push_back({QString::fromLatin1(analysis::gradeName(region.grade)),
                                 QString::fromStdString(region.location), region.areaCm2,
                                 meanCoverage(ra, inside), meanCoverage(rbInA, inside)});
        }
    }
    // The timeline of the view, and which versions of the analysis read it.
    std::set<QString> versions;
    for (const storage::Photo &p : library.photos(before->clientId)) {
        if (p.view != before->view)
            continue;
        if (const auto analysis = analyses.latest(p.id)) {
            c.timeline.push_back(
                {p.takenAt, scalpCoverage(*analysis, analyses.correctedGrades(*analysis)).percent});
            versions.insert(analysis->version);
        }
    }
    std::sort(c.timeline.begin(), c.timeline.end());
    const QString current = analysisVersion();
    if (!versions.empty() && versions != std::set<QString>{current}) {
        const QString read =
            QStringList(versions.begin(), versions.end()).join(QStringLiteral(", "));
        c.timelineNote =
            (versions.size() == 1
                 ? QObject::tr("The coverage over time was read by version %1 of the analysis; "
                               "this program's is %2: analyse the photos again to compare them "
                               "with photos analysed now.")
                 : QObject::tr("The coverage over time was read by versions %1 of the analysis; "
                               "this program's is %2: analyse the older photos again to compare "
                               "like with like."))
                .arg(read, current);
    }
    return c;
}

std::optional<std::pair<RecordId, RecordId>>
firstAndLatest(storage::Database &db, RecordId clientId, storage::PhotoView view)
{
    storage::PhotoLibrary library(db);
    storage::AnalysisStore analyses(db);
    std::vector<storage::Photo> photos;
    for (const storage::Photo &p : library.photos(clientId)) {
        if (p.view != view)
            continue;
        // Photos whose analysis found no scalp (too dark, blank) have no coverage to compare.
        if (const auto latest = analyses.latest(p.id); latest && noScalpText(*latest, p).isEmpty())
            photos.push_back(p);
    }
    if (photos.size() < 2)
        return std::nullopt;
    std::sort(photos.begin(), photos.end(), [](const storage::Photo &x, const storage::Photo &y) {
        return x.takenAt < y.takenAt;
    });
    return std::pair{photos.front().id, photos.back().id};
}

QString coverageChangeText(double before, double after, const QLocale &locale)
{
    // Rounded to the tenth shown before the sign is chosen (adding 0.0 turns the rounding's -0.0
    // into 0.0).
    const double points = std::round(1000 * (after - before)) / 10 + 0.0;
    return (points > 0 ? QStringLiteral("+") : QString()) + locale.toString(points, 'f', 1) +
           QObject::tr(" points");
}

TimelineAxis timelineAxis(const std::vector<std::pair<QDateTime, double>> &timeline,
                          const QLocale &locale)
{
    TimelineAxis axis;
    if (timeline.empty())
        return axis;
    const auto [earliest, latest] =
        std::minmax_element(timeline.begin(), timeline.end(),
                            [](const auto &a, const auto &b) { return a.first < b.first; });
    const QDateTime first = earliest->first.toLocalTime(), last = latest->first.toLocalTime();
    if (first.date() != last.date()) {
        axis.format = first.date().year() == last.date().year() ? QStringLiteral("d MMM")
                                                                : QStringLiteral("d MMM yy");
        axis.from = first.date().startOfDay();
        axis.to = last.date().addDays(1).startOfDay();
        axis.tickCount =
            static_cast<int>(std::min<qint64>(first.date().daysTo(last.date()) + 2, 5));
        return axis;
    }
    // One day: whole hours, a tick every `step` hours, at most four steps; the visits kept
    // kEdgeSeconds inside the range's ends, as far as the day allows.
    constexpr int kSecondsPerHour = 3600;
    constexpr int kEdgeSeconds = 5 * 60;
    constexpr int kMaxSteps = 4;
    const QDate day = first.date();
    const QDateTime shownFrom = std::max(day.startOfDay(), first.addSecs(-kEdgeSeconds));
    const QDateTime shownTo = std::min(day.endOfDay(), last.addSecs(kEdgeSeconds));
    axis.from = QDateTime(day, QTime(shownFrom.time().hour(), 0));
    const qint64 hours = std::max<qint64>(
        2, axis.from.secsTo(QDateTime(day, QTime(shownTo.time().hour(), 0))) / kSecondsPerHour + 1);
    const qint64 step = (hours + kMaxSteps - 1) / kMaxSteps;
    const qint64 steps = (hours + step - 1) / step;
    axis.to = axis.from.addSecs(steps * step * kSecondsPerHour);
    axis.tickCount = static_cast<int>(steps + 1);
    axis.format = QStringLiteral("HH:mm");
    axis.title = locale.toString(day, QLocale::LongFormat);
    return axis;
}

QString timelineDateText(const QDateTime &when,
                         const std::vector<std::pair<QDateTime, double>> &timeline,
                         const QLocale &locale)
{
    const QDateTime local = when.toLocalTime();
    const bool sharesItsDay =
        std::count_if(timeline.begin(), timeline.end(), [&](const auto &visit) {
            return visit.first.toLocalTime().date() == local.date();
        }) > 1;
    const QString day = locale.toString(local.date(), QLocale::LongFormat);
    return sharesItsDay
               ? QObject::tr("%1, %2").arg(day, locale.toString(local.time(), QLocale::ShortFormat))
               : day;
}

QImage sideBySideImage(const Comparison &c)
{
    // Dated by the day, and by the minute too when both were taken on one day.
    const QDateTime before = c.before.takenAt.toLocalTime(), after = c.after.takenAt.toLocalTime();
    const QString format = before.date() == after.date() ? QStringLiteral("yyyy-MM-dd HH:mm")
                                                         : QStringLiteral("yyyy-MM-dd");
    return sideBySide(c.imageBefore, c.imageAfter,
                      QObject::tr("Before, %1").arg(before.toString(format)),
                      QObject::tr("After, %1 (aligned)").arg(after.toString(format)));
}

QImage blendImage(const Comparison &c, double opacity)
{
    QImage out = c.imageBefore.copy();
    QPainter painter(&out);
    painter.setOpacity(std::clamp(opacity, 0.0, 1.0));
    painter.drawImage(0, 0, c.imageAfter);
    return out;
}

QImage differenceImage(const Comparison &c)
{
    const QImage a = c.imageBefore.convertToFormat(QImage::Format_Grayscale8);
    const QImage b = c.imageAfter.convertToFormat(QImage::Format_Grayscale8);
    QImage out(a.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < a.height(); ++y) {
        const uchar *ra = a.constScanLine(y), *rb = b.constScanLine(y);
        uchar *ro = out.scanLine(y);
        for (int x = 0; x < a.width(); ++x)
            ro[x] = static_cast<uchar>(
                std::clamp(128 + (static_cast<int>(rb[x]) - static_cast<int>(ra[x])), 0, 255));
    }
    return out;
}

} // namespace smp::clinic
