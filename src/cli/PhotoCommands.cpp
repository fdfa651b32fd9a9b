#include "CliSupport.h"

#include "smp/clinic/Calibration.h"
#include "smp/clinic/MarkerDrawing.h"
#include "smp/clinic/PhotoImport.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QObject>
#include <QSaveFile>

#include <array>
#include <cstdio>

namespace smp::cli {

namespace {

int photoImport(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("photo import"),
        QStringLiteral("Imports photos (files or folders) for a client. Each file is "
                       "checked and stored on its own; bad files are reported at the "
                       "end and the others are kept."),
        arguments,
        {{QStringLiteral("view"), QStringLiteral("front, top, crown, back, left, right or other."),
          QStringLiteral("view"), QStringLiteral("other")}},
        {QStringLiteral("CLIENT The client's id."),
         QStringLiteral("FILE Photo files or folders.")});
    const auto args = call.requireAtLeast(2);
    const storage::RecordId clientId = parseId(args[0], QStringLiteral("client"));
    const storage::PhotoView view = parseView(call.value(QStringLiteral("view")));
    storage::Database &db = call.database();
    storage::ClientStore(db).get(clientId); // a clear "client N does not exist" up front

    const bool showProgress = !call.json() && args.size() > 2;
    const auto report = clinic::importPhotos(
        db, clientId, args.mid(1), view, [&](int index, int total, const QString &path) {
            if (showProgress && !path.isEmpty())
                std::fprintf(stderr, "[%d/%d] %s\n", index + 1, total, qPrintable(path));
            return true;
        });
    storage::PhotoLibrary library(db);
    auto entries = [](const std::vector<clinic::ImportFailure> &list) {
        QJsonArray array;
        for (const auto &failure : list) {
            QJsonObject entry;
            entry[QLatin1String("file")] = failure.path;
            entry[QLatin1String("error")] = failure.reason;
            array.append(entry);
        }
        return array;
    };
    if (call.json()) {
        QJsonObject object;
        QJsonArray imported;
        for (const auto &photo : report.imported)
            imported.append(photoJson(library, photo));
        object[QLatin1String("imported")] = imported;
        object[QLatin1String("duplicates")] = entries(report.duplicates);
        object[QLatin1String("mended")] = entries(report.mended);
        object[QLatin1String("failed")] = entries(report.failed);
        printJson(object);
    } else {
        for (const auto &photo : report.imported) {
            print(QStringLiteral("Imported photo %1: %2 (%3, %4x%5, %6)")
                      .arg(photo.id)
                      .arg(photo.originalName, storage::toString(photo.view))
                      .arg(photo.widthPx)
                      .arg(photo.heightPx)
                      .arg(clinic::describeCalibration(library.currentCalibration(photo.id))));
        }
        for (const auto &duplicate : report.duplicates)
            print(QStringLiteral("Skipped (duplicate): %1").arg(duplicate.reason));
        for (const auto &mended : report.mended)
            print(QStringLiteral("Mended: %1").arg(mended.reason));
        for (const auto &failure : report.failed)
            std::fprintf(stderr, "smp: not imported: %s\n", qPrintable(failure.reason));
    }
    if (report.failed.empty())
        return 0;
    if (!call.json()) {
        const auto total = report.failed.size() + report.imported.size() +
                           report.duplicates.size() + report.mended.size();
        std::fprintf(
            stderr, "smp: %s\n",
            qPrintable(QObject::tr("%1 of %n file(s) refused", nullptr, static_cast<int>(total))
                           .arg(report.failed.size())));
    }
    return 1;
}

int photoList(const QStringList &arguments)
{
    Invocation call(QStringLiteral("photo list"), QStringLiteral("Lists a client's photos."),
                    arguments, {}, {QStringLiteral("CLIENT The client's id.")});
    const auto args = call.requirePositional(1);
    const storage::RecordId clientId = parseId(args[0], QStringLiteral("client"));
    storage::Database &db = call.database();
    storage::ClientStore(db).get(clientId);
    storage::PhotoLibrary library(db);
    const auto photos = library.photos(clientId);
    // Each file is checked against its SHA-256 (about 7 ms per 12 MP JPEG): a file missing or
    // changed since import is said here, where the technician looks for the photo, not first
    // when a report leaves it out.
    const auto fileProblem = [&library](const storage::Photo &photo) -> QString {
        try {
            library.verifiedPath(photo);
            return {};
        } catch (const storage::StorageError &error) {
            return error.message();
        }
    };
    if (call.json()) {
        QJsonArray array;
        for (const auto &photo : photos) {
            QJsonObject object = photoJson(library, photo);
            const QString problem = fileProblem(photo);
            object[QLatin1String("file_ok")] = problem.isEmpty();
            if (!problem.isEmpty())
                object[QLatin1String("file_problem")] = problem;
            array.append(object);
        }
        printJson(array);
        return 0;
    }
    for (const auto &photo : photos) {
        print(QStringLiteral("%1  %2  %3  %4x%5  %6  %7")
                  .arg(photo.id, 5)
                  .arg(storage::toString(photo.view), -6)
                  .arg(photo.takenAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                  .arg(photo.widthPx)
                  .arg(photo.heightPx)
                  .arg(photo.originalName)
                  .arg(clinic::describeCalibration(library.currentCalibration(photo.id))));
        if (const QString problem = fileProblem(photo); !problem.isEmpty())
            print(QStringLiteral("       FILE PROBLEM: %1").arg(problem));
    }
    return 0;
}

int photoSetView(const QStringList &arguments)
{
    Invocation call(QStringLiteral("photo set-view"), QStringLiteral("Changes a photo's view tag."),
                    arguments, {},
                    {QStringLiteral("PHOTO The photo's id."),
                     QStringLiteral("VIEW front, top, crown, back, left, right or other.")});
    const auto args = call.requirePositional(2);
    storage::PhotoLibrary(call.database())
        .setView(parseId(args[0], QStringLiteral("photo")),
                 parseView(args[1], QStringLiteral("view")));
    return 0;
}

int photoRotate(const QStringList &arguments)
{
    Invocation call(QStringLiteral("photo rotate"),
                    QStringLiteral("Turns a photo by quarter turns for display (its pixels and "
                                   "calibration stay as they are)."),
                    arguments,
                    {{QStringLiteral("quarter-turns"),
                      QStringLiteral("Clockwise quarter turns to add: 1, 2, 3 or -1."),
                      QStringLiteral("n"), QStringLiteral("1")}},
                    {QStringLiteral("PHOTO The photo's id.")});
    const auto args = call.requirePositional(1);
    bool ok = false;
    const int turns = call.value(QStringLiteral("quarter-turns")).toInt(&ok);
    if (!ok)
        throw UsageError(QStringLiteral("--quarter-turns: must be a whole number"));
    storage::PhotoLibrary library(call.database());
    const storage::RecordId id = parseId(args[0], QStringLiteral("photo"));
    const auto photo = library.find(id);
    if (!photo)
        throw storage::StorageError(storage::ErrorKind::NotFound,
                                    QStringLiteral("photo %1 does not exist").arg(id));
    library.setRotation(id, photo->rotationQuarterTurns + turns);
    if (call.json())
        printJson(photoJson(library, *library.find(id)));
    else
        print(QStringLiteral("Photo %1 is now turned %2 degrees")
                  .arg(id)
                  .arg(library.find(id)->rotationQuarterTurns * 90));
    return 0;
}

int photoDelete(const QStringList &arguments)
{
    Invocation call(QStringLiteral("photo delete"), QStringLiteral("Deletes a photo."), arguments,
                    {}, {QStringLiteral("PHOTO The photo's id.")});
    const auto args = call.requirePositional(1);
    storage::PhotoLibrary(call.database()).remove(parseId(args[0], QStringLiteral("photo")));
    return 0;
}

} // namespace

int runPhotoCommand(const QString &verb, const QStringList &arguments)
{
    if (verb == QLatin1String("import"))
        return photoImport(arguments);
    if (verb == QLatin1String("list"))
        return photoList(arguments);
    if (verb == QLatin1String("set-view"))
        return photoSetView(arguments);
    if (verb == QLatin1String("rotate"))
        return photoRotate(arguments);
    if (verb == QLatin1String("delete"))
        return photoDelete(arguments);
    throw UsageError(
        QStringLiteral("photo: unknown command \"%1\" (import, list, set-view, rotate, delete)")
            .arg(verb));
}

namespace {

int removeCalibration(Invocation &call, storage::Database &db, storage::RecordId photoId)
{
    if (call.isSet(QStringLiteral("points")) || call.isSet(QStringLiteral("length-mm")))
        throw UsageError(QStringLiteral("calibrate: --remove takes no --points or --length-mm"));
    const auto removed = clinic::removeCurrentCalibration(db, photoId);
    const auto current = storage::PhotoLibrary(db).currentCalibration(photoId);
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("photo_id")] = static_cast<qint64>(photoId);
        object[QLatin1String("removed")] =
            removed ? QJsonValue(static_cast<qint64>(removed->id)) : QJsonValue();
        object[QLatin1String("calibrated")] = current.has_value();
        if (current) {
            object[QLatin1String("method")] = storage::toString(current->method);
            object[QLatin1String("mm_per_px")] = current->mmPerPx;
        }
        printJson(object);
    } else if (!removed) {
        print(QStringLiteral("Photo %1 has no scale to remove").arg(photoId));
    } else {
        print(QStringLiteral("Photo %1: removed %2; the photo is now %3")
                  .arg(photoId)
                  .arg(clinic::describeCalibration(removed))
                  .arg(clinic::describeCalibration(current)));
    }
    return removed ? 0 : 1;
}

} // namespace

int runCalibrateCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("calibrate"),
        QStringLiteral(
            "Finds the calibration marker in a photo and stores its scale; with --points "
            "and --length-mm, stores the scale from two points a known distance apart "
            "(photo pixel coordinates: the upright photo before any display rotation, "
            "origin top-left); with --remove, takes the current scale off (the one before "
            "it, if any, becomes current)."),
        arguments,
        {{QStringLiteral("points"), QStringLiteral("Two points: x1,y1,x2,y2 in pixels."),
          QStringLiteral("x1,y1,x2,y2")},
         {QStringLiteral("length-mm"),
          QStringLiteral("Distance between the points in millimetres."), QStringLiteral("mm")},
         {QStringLiteral("remove"),
          QStringLiteral("Remove the photo's current scale (a wrong one, e.g. a marker found "
                         "in the hair).")}},
        {QStringLiteral("PHOTO The photo's id.")});
    const auto args = call.requirePositional(1);
    const storage::RecordId id = parseId(args[0], QStringLiteral("photo"));
    storage::Database &db = call.database();
    if (call.isSet(QStringLiteral("remove")))
        return removeCalibration(call, db, id);
    std::optional<storage::Calibration> calibration;
    if (call.isSet(QStringLiteral("points")) || call.isSet(QStringLiteral("length-mm"))) {
        const QStringList parts = call.value(QStringLiteral("points")).split(QLatin1Char(','));
        std::array<double, 4> xy{};
        bool ok = parts.size() == 4;
        for (int i = 0; ok && i < 4; ++i) {
            const std::optional<double> number = parseNumber(parts[i]);
            ok = number.has_value();
            xy[static_cast<std::size_t>(i)] = number.value_or(0);
        }
        if (!ok)
            throw UsageError(QStringLiteral("--points: give four numbers x1,y1,x2,y2 (pixels)"));
        const QString lengthText = call.value(QStringLiteral("length-mm"));
        const std::optional<double> length = parseNumber(lengthText);
        if (!length || *length <= 0) {
            throw UsageError(QStringLiteral("--length-mm: \"%1\" is not a length in millimetres (a "
                                            "number greater than 0, without unit)")
                                 .arg(lengthText));
        }
        try {
            calibration = clinic::calibrateFromPoints(db, id, QPointF(xy[0], xy[1]),
                                                      QPointF(xy[2], xy[3]), *length);
        } catch (const std::invalid_argument &error) {
            throw UsageError(QStringLiteral("calibrate: %1").arg(QString::fromUtf8(error.what())));
        }
    } else {
        calibration = clinic::calibrateFromMarker(db, id);
    }
    if (call.json()) {
        QJsonObject object;
        object[QLatin1String("photo_id")] = static_cast<qint64>(id);
        object[QLatin1String("calibrated")] = calibration.has_value();
        if (calibration) {
            object[QLatin1String("method")] = storage::toString(calibration->method);
            object[QLatin1String("mm_per_px")] = calibration->mmPerPx;
            object[QLatin1String("uncertainty_mm_per_px")] = calibration->uncertaintyMmPerPx;
            object[QLatin1String("details")] =
                QJsonDocument::fromJson(calibration->details.toUtf8()).object();
        }
        printJson(object);
    } else {
        print(calibration
                  ? QStringLiteral("Photo %1: %2")
                        .arg(id)
                        .arg(clinic::describeCalibration(calibration))
                  : QStringLiteral("Photo %1: no calibration marker found; the photo stays %2")
                        .arg(id)
                        .arg(clinic::describeCalibration(
                            storage::PhotoLibrary(db).currentCalibration(id))));
    }
    return calibration ? 0 : 1;
}

int runMarkerSheetCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("marker-sheet"),
        QStringLiteral("Writes the printable sheet of calibration markers with a ruler."),
        arguments,
        {{QStringLiteral("page-size"), QStringLiteral("A4 or Letter."), QStringLiteral("size"),
          QStringLiteral("A4")}},
        {QStringLiteral("FILE The PDF file to write.")});
    const auto args = call.requirePositional(1);
    const QString size = call.value(QStringLiteral("page-size"));
    QPageSize::PageSizeId id = QPageSize::A4;
    if (size.compare(QLatin1String("letter"), Qt::CaseInsensitive) == 0)
        id = QPageSize::Letter;
    else if (size.compare(QLatin1String("a4"), Qt::CaseInsensitive) != 0)
        throw UsageError(QStringLiteral("--page-size: \"%1\" is not A4 or Letter").arg(size));
    clinic::writeMarkerSheet(args[0], id);
    print(QStringLiteral("Wrote %1: print it at 100% and check the 100 mm ruler").arg(args[0]));
    return 0;
}

int runSamplePhotoCommand(const QStringList &arguments)
{
    Invocation call(QStringLiteral("sample-photo"),
                    QStringLiteral("Draws the project's sample scalp photo (no real person), "
                                   "with a 20 mm calibration marker beside the head."),
                    arguments,
                    {{QStringLiteral("severity"), QStringLiteral("Hair loss, 0 to 1."),
                      QStringLiteral("x"), QStringLiteral("0.85")},
                     {QStringLiteral("seed"), QStringLiteral("Random seed."), QStringLiteral("n"),
                      QStringLiteral("20261123")}},
                    {QStringLiteral("OUT Output image file (.jpg or .png).")});
    const auto args = call.requirePositional(1);
    imaging::SampleScalpParameters parameters;
    const std::optional<double> severity = parseNumber(call.value(QStringLiteral("severity")));
    if (!severity || *severity < 0 || *severity > 1)
        throw UsageError(QStringLiteral("--severity: must be a number from 0 to 1"));
    parameters.lossSeverity = *severity;
    bool ok = false;
    parameters.seed = call.value(QStringLiteral("seed")).toUInt(&ok);
    if (!ok)
        throw UsageError(QStringLiteral("--seed: must be a whole number"));
    QImage image = imaging::drawSampleScalp(parameters);
    clinic::paintSampleMarker(image); // 20 mm: the photo imports calibrated
    QSaveFile file(args[0]);
    QImageWriter writer(&file, QByteArray());
    writer.setFormat(args[0].endsWith(QLatin1String(".png"), Qt::CaseInsensitive) ? "png" : "jpeg");
    writer.setQuality(88);
    if (!file.open(QIODevice::WriteOnly) || !writer.write(image) || !file.commit()) {
        throw storage::StorageError(
            storage::ErrorKind::Io,
            QStringLiteral("cannot write \"%1\": %2").arg(args[0], writer.errorString()));
    }
    print(QStringLiteral("Wrote %1 (%2x%3)").arg(args[0]).arg(image.width()).arg(image.height()));
    return 0;
}

} // namespace smp::cli
