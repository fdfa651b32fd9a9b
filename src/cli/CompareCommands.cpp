#include "CliSupport.h"

#include "smp/clinic/Compare.h"
#include "smp/clinic/Planning.h"
#include "smp/storage/Database.h"
#include "smp/storage/ReviewStore.h"
#include "smp/storage/StorageError.h"

#include <QBuffer>
#include <QJsonArray>
#include <QRegularExpression>

#include <array>

namespace smp::cli {

namespace {

void writePng(const QImage &image, const QString &path)
{
    if (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        throw UsageError(QStringLiteral("\"%1\" must end in .png").arg(path));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    clinic::writeFileAtomically(path, bytes);
}

} // namespace

int runCompareCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("compare"),
        QStringLiteral("Compares a before and an after photo of one client: aligns the after "
                       "photo onto the before one (features, then ECC and patch refinement; or "
                       "three point pairs with --points), and measures the hair coverage of the "
                       "treatment area and of each graded region before and after."),
        arguments,
        {{QStringLiteral("out"), QStringLiteral("Write before and aligned after side by side."),
          QStringLiteral("file.png")},
         {QStringLiteral("blend"), QStringLiteral("Write the after photo over the before one."),
          QStringLiteral("file.png")},
         {QStringLiteral("opacity"),
          QStringLiteral("With --blend: the after photo's opacity, 0-1 "
                         "(default 0.5)."),
          QStringLiteral("x")},
         {QStringLiteral("difference"), QStringLiteral("Write the difference image."),
          QStringLiteral("file.png")},
         {QStringLiteral("points"),
          QStringLiteral("Align by hand: three or more pairs \"ax,ay:bx,by;...\" in photo pixels."),
          QStringLiteral("pairs")}},
        {QStringLiteral("PHOTO_A the before photo's id"),
         QStringLiteral("PHOTO_B the after photo's id")});
    const QStringList args = call.requirePositional(2);
    const storage::RecordId a = parseId(args[0], QStringLiteral("photo"));
    const storage::RecordId b = parseId(args[1], QStringLiteral("photo"));
    std::vector<std::pair<vision::Point2, vision::Point2>> pairs;
    if (call.isSet(QStringLiteral("points"))) {
        static const QRegularExpression pair(
            QStringLiteral("^\\s*(-?[0-9.]+),(-?[0-9.]+):(-?[0-9.]+),(-?[0-9.]+)\\s*$"));
        for (const QString &text :
             call.value(QStringLiteral("points")).split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
            const auto m = pair.match(text);
            if (!m.hasMatch())
                throw UsageError(QStringLiteral("--points: \"%1\" is not ax,ay:bx,by").arg(text));
            std::array<double, 4> xy{};
            for (int i = 0; i < 4; ++i) {
                const std::optional<double> number = parseNumber(m.captured(i + 1));
                if (!number)
                    throw UsageError(
                        QStringLiteral("--points: \"%1\" is not ax,ay:bx,by").arg(text));
                xy[static_cast<std::size_t>(i)] = *number;
            }
            pairs.push_back({{xy[0], xy[1]}, {xy[2], xy[3]}});
        }
        if (pairs.size() < 3)
            throw UsageError(QStringLiteral("--points: give three or more pairs"));
    }
    double opacity = 0.5;
    if (call.isSet(QStringLiteral("opacity"))) {
        const std::optional<double> given = parseNumber(call.value(QStringLiteral("opacity")));
        if (!given || *given < 0 || *given > 1)
            throw UsageError(QStringLiteral("--opacity: must be a number from 0 to 1"));
        opacity = *given;
    }
    const clinic::Comparison c = clinic::comparePhotos(call.database(), a, b, pairs);
    if (c.alignment.ok) {
        if (call.isSet(QStringLiteral("out")))
            writePng(clinic::sideBySideImage(c), call.value(QStringLiteral("out")));
        if (call.isSet(QStringLiteral("blend")))
            writePng(clinic::blendImage(c, opacity), call.value(QStringLiteral("blend")));
        if (call.isSet(QStringLiteral("difference")))
            writePng(clinic::differenceImage(c), call.value(QStringLiteral("difference")));
    }
    if (call.json()) {
        QJsonArray transform;
        for (const double v : c.alignment.bToA)
            transform.append(v);
        QJsonArray regions;
        for (const clinic::RegionChange &r : c.regions) {
            QJsonObject o{{QStringLiteral("grade"), r.grade},
                          {QStringLiteral("location"), r.location},
                          {QStringLiteral("coverage_before"), r.coverageBefore},
                          {QStringLiteral("coverage_after"), r.coverageAfter}};
            if (r.areaCm2)
                o.insert(QStringLiteral("area_cm2"), *r.areaCm2);
            regions.append(o);
        }
        QJsonArray timeline;
        for (const auto &[when, coverage] : c.timeline)
            timeline.append(QJsonObject{{QStringLiteral("taken_at"), when.toString(Qt::ISODate)},
                                        {QStringLiteral("coverage_percent"), coverage}});
        printJson(
            QJsonObject{{QStringLiteral("aligned"), c.alignment.ok},
                        {QStringLiteral("poor"), c.alignment.poor},
                        {QStringLiteral("method"), QString::fromStdString(c.alignment.method)},
                        {QStringLiteral("problem"), QString::fromStdString(c.alignment.problem)},
                        {QStringLiteral("transform_b_to_a"), transform},
                        {QStringLiteral("residual_px"), c.alignment.residualPx},
                        {QStringLiteral("inliers"), c.alignment.inliers},
                        {QStringLiteral("coverage_before"), c.coverageBefore},
                        {QStringLiteral("coverage_after"), c.coverageAfter},
                        {QStringLiteral("regions"), regions},
                        {QStringLiteral("timeline"), timeline},
                        {QStringLiteral("timeline_note"), c.timelineNote}});
        return c.alignment.ok ? 0 : 1;
    }
    if (!c.alignment.ok) {
        std::fprintf(
            stderr, "smp: photos %lld and %lld not aligned: %s (align by hand with --points)\n",
            static_cast<long long>(a), static_cast<long long>(b), c.alignment.problem.c_str());
        return 1;
    }
    print(QStringLiteral("Aligned (%1): residual %2 px%3")
              .arg(QString::fromStdString(c.alignment.method))
              .arg(c.alignment.residualPx, 0, 'f', 2)
              .arg(c.alignment.poor
                       ? QStringLiteral(", poor: ") + QString::fromStdString(c.alignment.problem)
                       : QString()));
    print(QStringLiteral("Treatment area coverage: %1% before, %2% after")
              .arg(100 * c.coverageBefore, 0, 'f', 1)
              .arg(100 * c.coverageAfter, 0, 'f', 1));
    for (const clinic::RegionChange &r : c.regions)
        print(
            QStringLiteral("  %1 %2%3: %4% -> %5%")
                .arg(r.grade, r.location,
                     r.areaCm2 ? QStringLiteral(" (%1 cm²)").arg(*r.areaCm2, 0, 'f', 1) : QString())
                .arg(100 * r.coverageBefore, 0, 'f', 1)
                .arg(100 * r.coverageAfter, 0, 'f', 1));
    if (!c.timelineNote.isEmpty())
        print(c.timelineNote);
    return 0;
}

int runReviewCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("review"),
        QStringLiteral("Records a clinician's review of a before/after pair: the "
                       "comparison is measured again and stored with the reviewer's "
                       "name, the decision and notes (in the audit trail)."),
        arguments,
        {{QStringLiteral("reviewer"), QStringLiteral("The clinician's name."),
          QStringLiteral("name")},
         {QStringLiteral("approved"), QStringLiteral("The result is approved.")},
         {QStringLiteral("not-approved"), QStringLiteral("The result is not approved.")},
         {QStringLiteral("notes"), QStringLiteral("Notes."), QStringLiteral("text")}},
        {QStringLiteral("PHOTO_A the before photo's id"),
         QStringLiteral("PHOTO_B the after photo's id")});
    const QStringList args = call.requirePositional(2);
    if (call.isSet(QStringLiteral("approved")) == call.isSet(QStringLiteral("not-approved")))
        throw UsageError(QStringLiteral("give --approved or --not-approved"));
    if (!call.isSet(QStringLiteral("reviewer")))
        throw UsageError(QStringLiteral("--reviewer: the clinician's name is needed"));
    storage::PhotoReview review;
    review.beforePhotoId = parseId(args[0], QStringLiteral("photo"));
    review.afterPhotoId = parseId(args[1], QStringLiteral("photo"));
    review.reviewer = call.value(QStringLiteral("reviewer"));
    review.approved = call.isSet(QStringLiteral("approved"));
    review.notes = call.value(QStringLiteral("notes"));
    const clinic::Comparison c =
        clinic::comparePhotos(call.database(), review.beforePhotoId, review.afterPhotoId);
    if (c.alignment.ok) {
        review.coverageBefore = c.coverageBefore;
        review.coverageAfter = c.coverageAfter;
        review.residualPx = c.alignment.residualPx;
    }
    const storage::RecordId id = storage::ReviewStore(call.database()).add(review);
    if (call.json()) {
        printJson(QJsonObject{{QStringLiteral("review_id"), qint64(id)},
                              {QStringLiteral("approved"), review.approved},
                              {QStringLiteral("coverage_before"), c.coverageBefore},
                              {QStringLiteral("coverage_after"), c.coverageAfter}});
        return 0;
    }
    print(QStringLiteral("Review %1 stored: %2 by %3")
              .arg(id)
              .arg(review.approved ? QStringLiteral("approved") : QStringLiteral("not approved"),
                   review.reviewer));
    return 0;
}

} // namespace smp::cli
