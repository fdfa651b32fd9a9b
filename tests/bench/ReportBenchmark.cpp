// smp-report-benchmark: times the consultation report of a client with four analysed photos and
// a saved plan (gathering: loading photos, drawing the analysis, the pigment map and the healed
// previews; then laying out and writing the PDF). Not part of the test run; figures go to
// docs/benchmarks.md. Usage: smp-report-benchmark [runs]

#include "smp/clinic/Analysis.h"
#include "smp/clinic/PhotoImport.h"
#include "smp/clinic/Planning.h"
#include "smp/clinic/Report.h"
#include "smp/clinic/SampleClient.h"
#include "smp/planning/Plan.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include "Timing.h"

#include <QFileInfo>
#include <QGuiApplication>
#include <QTemporaryDir>

#include <cstdio>

using namespace smp;
using smp::bench::median;
using smp::bench::millisecondsOf;
using smp::bench::p95;

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    QTemporaryDir dir;
    storage::Database db(dir.filePath(QStringLiteral("bench.sqlite")));
    const storage::RecordId client = *clinic::seedSampleClientIfNew(db);
    storage::PhotoLibrary library(db);
    // Three more photos of the sample head (mirrored and turned, so each is its own photo).
    const storage::Photo first = library.photos(client).front();
    const QImage sample(library.absolutePath(first));
    const QImage variants[] = {sample.mirrored(true, false), sample.mirrored(false, true),
                               sample.mirrored(true, true)};
    const storage::PhotoView views[] = {storage::PhotoView::Crown, storage::PhotoView::Back,
                                        storage::PhotoView::Top};
    for (int i = 0; i < 3; ++i) {
        const QString path = dir.filePath(QStringLiteral("variant-%1.jpg").arg(i));
        variants[i].save(path, "JPEG", 92);
        clinic::importPhoto(db, client, path, views[i]);
    }
    storage::RecordId planned = 0;
    for (const storage::Photo &p : library.photos(client)) {
        const auto result = clinic::analyzeImage(QImage(library.absolutePath(p)),
                                                 clinic::parametersForPhoto(db, p.id));
        const storage::RecordId analysis = clinic::storeAnalysis(db, p.id, result);
        if (p.id == first.id)
            planned = analysis;
    }
    const clinic::PlanningInput input = clinic::planningInputForAnalysis(db, planned);
    const planning::PlanSettings settings =
        clinic::planSettingsFor(input, clinic::planningTables(db));
    clinic::storePlan(db, input, planning::buildPlan(input.map, settings, std::nullopt));

    std::vector<double> gather, write, total;
    clinic::ConsultationReport report;
    int pages = 0;
    for (int i = 0; i < runs; ++i) {
        const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
        total.push_back(millisecondsOf([&] {
            gather.push_back(
                millisecondsOf([&] { report = clinic::gatherConsultation(db, client); }));
            write.push_back(
                millisecondsOf([&] { pages = clinic::writeConsultationPdf(report, pdf); }));
        }));
    }
    std::printf(
        "%zu photos, %d pages, %lld bytes\n\n", report.photos.size(), pages,
        static_cast<long long>(QFileInfo(dir.filePath(QStringLiteral("report.pdf"))).size()));
    std::printf("| operation | median ms | p95 ms | runs |\n|---|---|---|---|\n");
    std::printf(
        "| gather (photos, analysis drawing, pigment map, healed previews) | %.0f | %.0f | %d |\n",
        median(gather), p95(gather), runs);
    std::printf("| lay out and write the PDF | %.0f | %.0f | %d |\n", median(write), p95(write),
                runs);
    std::printf("| the whole report of four photos | %.0f | %.0f | %d |\n", median(total),
                p95(total), runs);
    return 0;
}
