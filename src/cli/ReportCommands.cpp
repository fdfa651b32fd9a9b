#include "CliSupport.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Report.h"
#include "smp/storage/Database.h"
#include "smp/storage/StorageError.h"

#include <QElapsedTimer>
#include <QJsonArray>

namespace smp::cli {

namespace {

QPageSize::PageSizeId pageSizeOption(Invocation &call)
{
    const QString size = call.isSet(QStringLiteral("page-size"))
                             ? call.value(QStringLiteral("page-size"))
                             : QStringLiteral("A4");
    if (size.compare(QLatin1String("A4"), Qt::CaseInsensitive) == 0)
        return QPageSize::A4;
    if (size.compare(QLatin1String("Letter"), Qt::CaseInsensitive) == 0)
        return QPageSize::Letter;
    throw UsageError(QStringLiteral("--page-size: \"%1\" is not A4 or Letter").arg(size));
}

QString outOption(Invocation &call)
{
    if (!call.isSet(QStringLiteral("out")))
        throw UsageError(QStringLiteral("--out: give the PDF file to write"));
    const QString out = call.value(QStringLiteral("out"));
    if (!out.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive))
        throw UsageError(QStringLiteral("--out: \"%1\" must end in .pdf").arg(out));
    return out;
}

} // namespace

int runReportCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("report"),
        QStringLiteral("Writes the client's consultation report as PDF: the analysed "
                       "photos, the plan with its pigment map and healed previews, "
                       "sessions and quote, the schedule, the screening, aftercare and "
                       "consent with signature lines."),
        arguments,
        {{QStringLiteral("out"), QStringLiteral("The PDF to write."), QStringLiteral("file.pdf")},
         {QStringLiteral("page-size"), QStringLiteral("A4 (default) or Letter."),
          QStringLiteral("size")},
         {QStringLiteral("progress"),
          QStringLiteral("The progress report instead: the first and latest photo of each view "
                         "aligned, the coverage before and after, the clinician's reviews.")}},
        {QStringLiteral("CLIENT the client's id")});
    const storage::RecordId clientId =
        parseId(call.requirePositional(1)[0], QStringLiteral("client"));
    const QString out = outOption(call);
    const QPageSize::PageSizeId size = pageSizeOption(call);
    if (call.isSet(QStringLiteral("progress"))) {
        const clinic::ProgressReport progress = clinic::gatherProgress(call.database(), clientId);
        const int pages = clinic::writeProgressPdf(progress, out, size);
        if (call.json()) {
            printJson(
                QJsonObject{{QStringLiteral("file"), out},
                            {QStringLiteral("pages"), pages},
                            {QStringLiteral("pairs"), static_cast<int>(progress.pairs.size())}});
            return 0;
        }
        print(QStringLiteral("Wrote %1 (%2 pages)").arg(out).arg(pages));
        return 0;
    }
    QElapsedTimer timer;
    timer.start();
    const clinic::ConsultationReport report = clinic::gatherConsultation(call.database(), clientId);
    const int pages = clinic::writeConsultationPdf(report, out, size);
    const QStringList olderAnalyses(report.olderAnalyses.begin(), report.olderAnalyses.end());
    if (call.json()) {
        printJson(QJsonObject{
            {QStringLiteral("file"), out},
            {QStringLiteral("pages"), pages},
            {QStringLiteral("photos"), static_cast<int>(report.photos.size())},
            {QStringLiteral("older_analyses"), QJsonArray::fromStringList(olderAnalyses)},
            {QStringLiteral("milliseconds"), static_cast<qint64>(timer.elapsed())}});
        return 0;
    }
    print(QStringLiteral("Wrote %1 (%2 pages)").arg(out).arg(pages));
    if (!olderAnalyses.isEmpty())
        print(QStringLiteral("Note: analysed by another version of the analysis than this "
                             "program's (%1), their figures may differ from what they read now "
                             "(smp analyze PHOTO to read them again): %2.")
                  .arg(clinic::analysisVersion(), olderAnalyses.join(QStringLiteral("; "))));
    return 0;
}

int runAftercareCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("aftercare"),
        QStringLiteral("Writes the aftercare sheet of a session as PDF: what was done, "
                       "the rules for the next days with their dates, the next "
                       "appointment and the clinic's contact."),
        arguments,
        {{QStringLiteral("out"), QStringLiteral("The PDF to write."), QStringLiteral("file.pdf")},
         {QStringLiteral("page-size"), QStringLiteral("A4 (default) or Letter."),
          QStringLiteral("size")}},
        {QStringLiteral("APPOINTMENT the session's appointment id")});
    const storage::RecordId id =
        parseId(call.requirePositional(1)[0], QStringLiteral("appointment"));
    const QString out = outOption(call);
    const int pages = clinic::writeAftercarePdf(clinic::gatherAftercare(call.database(), id), out,
                                                pageSizeOption(call));
    print(QStringLiteral("Wrote %1 (%2 pages)").arg(out).arg(pages));
    return 0;
}

} // namespace smp::cli
