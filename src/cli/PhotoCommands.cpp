#include "CliSupport.h"

#include "smp/clinic/PhotoImport.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QImageWriter>
#include <QJsonArray>
#include <QSaveFile>

#include <cstdio>

namespace smp::cli {

namespace {

storage::PhotoView parseView(const QString &text)
{
    const auto view = storage::photoViewFromString(text);
    if (!view) {
        QStringList names;
        for (storage::PhotoView v : storage::allPhotoViews())
            names << storage::toString(v);
        throw UsageError(QStringLiteral("--view: \"%1\" is not one of %2")
                             .arg(text, names.join(QStringLiteral(", "))));
    }
    return *view;
}

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
    if (call.json()) {
        QJsonObject object;
        QJsonArray imported, failed;
        for (const auto &photo : report.imported)
            imported.append(toJson(photo, library.absolutePath(photo)));
        for (const auto &failure : report.failed) {
            QJsonObject entry;
            entry[QLatin1String("file")] = failure.path;
            entry[QLatin1String("error")] = failure.reason;
            failed.append(entry);
        }
        object[QLatin1String("imported")] = imported;
        object[QLatin1String("failed")] = failed;
        printJson(object);
    } else {
        for (const auto &photo : report.imported) {
            print(QStringLiteral("Imported photo %1: %2 (%3, %4x%5)")
                      .arg(photo.id)
                      .arg(photo.originalName, storage::toString(photo.view))
                      .arg(photo.widthPx)
                      .arg(photo.heightPx));
        }
        for (const auto &failure : report.failed)
            std::fprintf(stderr, "smp: not imported: %s\n", qPrintable(failure.reason));
    }
    if (report.failed.empty())
        return 0;
    if (!call.json()) {
        std::fprintf(stderr, "smp: %zu of %zu file(s) not imported\n", report.failed.size(),
                     report.failed.size() + report.imported.size());
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
    if (call.json()) {
        QJsonArray array;
        for (const auto &photo : photos)
            array.append(toJson(photo, library.absolutePath(photo)));
        printJson(array);
        return 0;
    }
    for (const auto &photo : photos) {
        print(QStringLiteral("%1  %2  %3  %4x%5  %6")
                  .arg(photo.id, 5)
                  .arg(storage::toString(photo.view), -6)
                  .arg(photo.takenAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                  .arg(photo.widthPx)
                  .arg(photo.heightPx)
                  .arg(photo.originalName));
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
        .setView(parseId(args[0], QStringLiteral("photo")), parseView(args[1]));
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
    if (verb == QLatin1String("delete"))
        return photoDelete(arguments);
    throw UsageError(
        QStringLiteral("photo: unknown command \"%1\" (import, list, set-view, delete)").arg(verb));
}

int runSamplePhotoCommand(const QStringList &arguments)
{
    Invocation call(QStringLiteral("sample-photo"),
                    QStringLiteral("Draws the project's sample scalp photo (no real person)."),
                    arguments,
                    {{QStringLiteral("severity"), QStringLiteral("Hair loss, 0 to 1."),
                      QStringLiteral("x"), QStringLiteral("0.85")},
                     {QStringLiteral("seed"), QStringLiteral("Random seed."), QStringLiteral("n"),
                      QStringLiteral("20261123")}},
                    {QStringLiteral("OUT Output image file (.jpg or .png).")});
    const auto args = call.requirePositional(1);
    imaging::SampleScalpParameters parameters;
    bool ok = false;
    parameters.lossSeverity = call.value(QStringLiteral("severity")).toDouble(&ok);
    if (!ok || parameters.lossSeverity < 0 || parameters.lossSeverity > 1)
        throw UsageError(QStringLiteral("--severity: must be a number from 0 to 1"));
    parameters.seed = call.value(QStringLiteral("seed")).toUInt(&ok);
    if (!ok)
        throw UsageError(QStringLiteral("--seed: must be a whole number"));
    const QImage image = imaging::drawSampleScalp(parameters);
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
