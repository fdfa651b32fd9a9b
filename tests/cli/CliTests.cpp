// The `smp` tool run as a separate process, the way a clinic's scripts would run it.

#include "TestSupport.h"

#include "smp/analysis/ScalpAnalysis.h"
#include "smp/clinic/Analysis.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <catch2/catch.hpp>

#include <QBuffer>
#include <QDate>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>
#include <QRegularExpression>
#include <QTransform>

#include <libical/ical.h>

#include <algorithm>
#include <cmath>
#include <map>

using smp::test::ScratchDir;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
    QJsonDocument json() const { return QJsonDocument::fromJson(out.toUtf8()); }
};

Result run(const ScratchDir &dir, QStringList arguments)
{
    arguments << QStringLiteral("--database") << dir.file(QStringLiteral("clinic.sqlite"))
              << QStringLiteral("--user") << QStringLiteral("cli-test");
    QProcess process;
    process.start(QStringLiteral(SMP_CLI), arguments);
    REQUIRE(process.waitForFinished(60000));
    Result result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// Adds client 1, `family`, and imports the drawn sample photo for it as a top view; returns the
// sample's path.
QString clientWithSamplePhoto(const ScratchDir &dir, const QString &family)
{
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"), family});
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    REQUIRE(run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                      sample, QStringLiteral("--view"), QStringLiteral("top")})
                .exitCode == 0);
    return sample;
}

// Runs a poppler tool on a file and returns its standard output.
QString poppler(const QString &tool, const QStringList &arguments)
{
    QProcess process;
    process.start(tool, arguments);
    REQUIRE(process.waitForFinished(60000));
    REQUIRE(process.exitCode() == 0);
    return QString::fromUtf8(process.readAllStandardOutput());
}

// Client 1's consultation report (or with `--progress` its progress report) written by
// `smp report` into `name` in `dir`, as pdftotext reads it, whitespace simplified.
QString reportText(const ScratchDir &dir, const QString &name, QStringList options = {})
{
    const QString pdf = dir.file(name);
    options << QStringLiteral("--out") << pdf;
    REQUIRE(
        run(dir, QStringList{QStringLiteral("report"), QStringLiteral("1")} + options).exitCode ==
        0);
    return poppler(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")}).simplified();
}

} // namespace

TEST_CASE("smp client add, list, show, edit and delete with --json", "[cli]")
{
    ScratchDir dir;
    Result added =
        run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
                  QStringLiteral("Nakamura"), QStringLiteral("--given"), QStringLiteral("Ren"),
                  QStringLiteral("--dob"), QStringLiteral("1988-07-14"),
                  QStringLiteral("--skin-type"), QStringLiteral("IV"), QStringLiteral("--json")});
    REQUIRE(added.exitCode == 0);
    const QJsonObject client = added.json().object();
    const qint64 id = client[QStringLiteral("id")].toInteger();
    CHECK(id > 0);
    CHECK(client[QStringLiteral("fitzpatrick")].toInt() == 4);
    CHECK(client[QStringLiteral("date_of_birth")].toString() == QStringLiteral("1988-07-14"));

    Result listed = run(dir, {QStringLiteral("client"), QStringLiteral("list"),
                              QStringLiteral("naka"), QStringLiteral("--json")});
    REQUIRE(listed.exitCode == 0);
    REQUIRE(listed.json().array().size() == 1);
    CHECK(listed.json().array()[0].toObject()[QStringLiteral("given_name")].toString() ==
          QStringLiteral("Ren"));

    const QString idText = QString::number(id);
    Result edited = run(dir, {QStringLiteral("client"), QStringLiteral("edit"), idText,
                              QStringLiteral("--phone"), QStringLiteral("+81 3 0000 0000"),
                              QStringLiteral("--json")});
    REQUIRE(edited.exitCode == 0);
    CHECK(edited.json().object()[QStringLiteral("phone")].toString() ==
          QStringLiteral("+81 3 0000 0000"));
    CHECK(edited.json().object()[QStringLiteral("given_name")].toString() == QStringLiteral("Ren"));

    Result screening =
        run(dir, {QStringLiteral("screening"), QStringLiteral("set"), idText,
                  QStringLiteral("keloid=none"), QStringLiteral("diabetes=needs_clearance")});
    CHECK(screening.exitCode == 0);
    Result shown = run(
        dir, {QStringLiteral("client"), QStringLiteral("show"), idText, QStringLiteral("--json")});
    REQUIRE(shown.exitCode == 0);
    const QJsonArray answers = shown.json().object()[QStringLiteral("screening")].toArray();
    REQUIRE(answers.size() == 2);
    CHECK(answers[1].toObject()[QStringLiteral("answer")].toString() ==
          QStringLiteral("needs_clearance"));
    CHECK(answers[1].toObject()[QStringLiteral("answered_by")].toString() ==
          QStringLiteral("cli-test"));

    Result refused = run(dir, {QStringLiteral("client"), QStringLiteral("delete"), idText});
    CHECK(refused.exitCode == 2);
    CHECK(refused.err.contains(QStringLiteral("--yes")));
    Result deleted = run(
        dir, {QStringLiteral("client"), QStringLiteral("delete"), idText, QStringLiteral("--yes")});
    CHECK(deleted.exitCode == 0);
    CHECK(run(dir, {QStringLiteral("client"), QStringLiteral("list"), QStringLiteral("--json")})
              .json()
              .array()
              .isEmpty());

    Result audit = run(dir, {QStringLiteral("audit"), QStringLiteral("--json")});
    REQUIRE(audit.exitCode == 0);
    CHECK(audit.json().array().size() == 4); // add, edit, screening, delete
    CHECK(audit.json().array()[0].toObject()[QStringLiteral("actor")].toString() ==
          QStringLiteral("cli-test"));
}

TEST_CASE("smp photo import, list and db check/backup/restore", "[cli]")
{
    ScratchDir dir;
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Photo")});
    const QString good =
        smp::test::writeTestImage(dir.file(QStringLiteral("top.jpg")), 300, 200, "jpeg", 51);
    const QString bad = dir.file(QStringLiteral("broken.jpg"));
    smp::test::writeBytes(bad, QByteArrayLiteral("\xFF\xD8\xFF\xE0 broken"));

    Result imported =
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"), good, bad,
                  QStringLiteral("--view"), QStringLiteral("top"), QStringLiteral("--json")});
    CHECK(imported.exitCode == 1); // one file failed
    const QJsonObject report = imported.json().object();
    REQUIRE(report[QStringLiteral("imported")].toArray().size() == 1);
    REQUIRE(report[QStringLiteral("failed")].toArray().size() == 1);
    CHECK(report[QStringLiteral("failed")]
              .toArray()[0]
              .toObject()[QStringLiteral("error")]
              .toString()
              .contains(bad));

    Result listed = run(dir, {QStringLiteral("photo"), QStringLiteral("list"), QStringLiteral("1"),
                              QStringLiteral("--json")});
    REQUIRE(listed.json().array().size() == 1);
    const QJsonObject photo = listed.json().array()[0].toObject();
    CHECK(photo[QStringLiteral("view")].toString() == QStringLiteral("top"));
    CHECK(photo[QStringLiteral("width_px")].toInt() == 300);
    CHECK(QFileInfo::exists(photo[QStringLiteral("file")].toString()));

    Result check =
        run(dir, {QStringLiteral("db"), QStringLiteral("check"), QStringLiteral("--json")});
    CHECK(check.exitCode == 0);
    CHECK(check.json().object()[QStringLiteral("ok")].toBool());

    const QString backup = dir.file(QStringLiteral("backup/clinic-backup.sqlite"));
    CHECK(run(dir, {QStringLiteral("db"), QStringLiteral("backup"), backup}).exitCode == 0);
    run(dir, {QStringLiteral("client"), QStringLiteral("delete"), QStringLiteral("1"),
              QStringLiteral("--yes")});
    Result restored = run(
        dir, {QStringLiteral("db"), QStringLiteral("restore"), backup, QStringLiteral("--json")});
    CHECK(restored.exitCode == 0);
    CHECK(QFileInfo::exists(restored.json().object()[QStringLiteral("safety_copy")].toString()));
    Result after = run(dir, {QStringLiteral("photo"), QStringLiteral("list"), QStringLiteral("1"),
                             QStringLiteral("--json")});
    REQUIRE(after.json().array().size() == 1);
    CHECK(QFileInfo::exists(after.json().array()[0].toObject()[QStringLiteral("file")].toString()));
}

TEST_CASE("smp reports bad input in one line with a non-zero exit code", "[cli]")
{
    ScratchDir dir;
    Result wrongDate =
        run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
                  QStringLiteral("X"), QStringLiteral("--dob"), QStringLiteral("14/07/1988")});
    CHECK(wrongDate.exitCode == 2);
    CHECK(wrongDate.err.trimmed().count(QLatin1Char('\n')) == 0);
    CHECK(wrongDate.err.contains(QStringLiteral("--dob")));
    CHECK(wrongDate.err.contains(QStringLiteral("YYYY-MM-DD")));

    Result missing =
        run(dir, {QStringLiteral("client"), QStringLiteral("show"), QStringLiteral("42")});
    CHECK(missing.exitCode == 1);
    CHECK(missing.err.contains(QStringLiteral("client 42 does not exist")));

    Result unknown = run(dir, {QStringLiteral("client"), QStringLiteral("fly")});
    CHECK(unknown.exitCode == 2);

    const QString notDb = dir.file(QStringLiteral("notes.txt"));
    smp::test::writeBytes(notDb, QByteArrayLiteral("plain text").repeated(100));
    QProcess process;
    process.start(QStringLiteral(SMP_CLI), {QStringLiteral("db"), QStringLiteral("check"),
                                            QStringLiteral("--database"), notDb});
    REQUIRE(process.waitForFinished(60000));
    CHECK(process.exitCode() == 1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    CHECK(err.contains(notDb));
    CHECK(err.contains(QStringLiteral("not an SMP Planner database")));

    Result help =
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("--help")});
    CHECK(help.exitCode == 0);
    CHECK(help.out.contains(QStringLiteral("smp photo import")));
    CHECK(help.out.contains(QStringLiteral("--view")));
}

TEST_CASE("smp marker-sheet prints markers that smp finds again at the right scale",
          "[cli][calibration]")
{
    ScratchDir dir;
    const QString pdf = dir.file(QStringLiteral("markers.pdf"));
    Result sheet = run(dir, {QStringLiteral("marker-sheet"), pdf});
    REQUIRE(sheet.exitCode == 0);

    QProcess text;
    text.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
    REQUIRE(text.waitForFinished(60000));
    const QString words = QString::fromUtf8(text.readAllStandardOutput());
    CHECK(words.contains(QStringLiteral("100 mm")));
    CHECK(words.contains(QStringLiteral("Print at 100%")));

    // The page "printed" at 300 dpi: one millimetre is 300 / 25.4 pixels.
    QProcess raster;
    raster.start(QStringLiteral("pdftoppm"),
                 {QStringLiteral("-r"), QStringLiteral("300"), QStringLiteral("-png"),
                  QStringLiteral("-singlefile"), pdf, dir.file(QStringLiteral("page"))});
    REQUIRE(raster.waitForFinished(60000));
    REQUIRE(raster.exitCode() == 0);
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Scale")});
    Result imported =
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                  dir.file(QStringLiteral("page.png")), QStringLiteral("--json")});
    REQUIRE(imported.exitCode == 0);
    const QJsonObject photo =
        imported.json().object()[QStringLiteral("imported")].toArray()[0].toObject();
    REQUIRE(photo[QStringLiteral("calibrated")].toBool());
    const double mmPerPx =
        photo[QStringLiteral("calibration")].toObject()[QStringLiteral("mm_per_px")].toDouble();
    CHECK(mmPerPx == Approx(25.4 / 300).epsilon(0.005));

    // Manual calibration replaces it; smp calibrate without points finds the marker again.
    Result manual =
        run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"), QStringLiteral("--points"),
                  QStringLiteral("100,100,400,500"), QStringLiteral("--length-mm"),
                  QStringLiteral("50"), QStringLiteral("--json")});
    REQUIRE(manual.exitCode == 0);
    CHECK(manual.json().object()[QStringLiteral("method")].toString() == QStringLiteral("manual"));
    CHECK(manual.json().object()[QStringLiteral("mm_per_px")].toDouble() == Approx(0.1));
    Result wrongUnit = run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"),
                                 QStringLiteral("--points"), QStringLiteral("100,100,400,500"),
                                 QStringLiteral("--length-mm"), QStringLiteral("5cm")});
    CHECK(wrongUnit.exitCode == 2);
    CHECK(wrongUnit.err.contains(QStringLiteral("--length-mm")));
    // "nan" and "inf" read as numbers to Qt, and passed every range check: refused as text is,
    // nothing stored (the manual scale above stays current).
    for (const auto &[points, length] :
         {std::pair{QStringLiteral("100,100,nan,500"), QStringLiteral("50")},
          std::pair{QStringLiteral("100,100,400,500"), QStringLiteral("nan")},
          std::pair{QStringLiteral("100,inf,400,500"), QStringLiteral("50")}}) {
        Result notANumber =
            run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"), QStringLiteral("--points"),
                      points, QStringLiteral("--length-mm"), length});
        CHECK(notANumber.exitCode == 2);
    }
    const QJsonObject current = run(dir, {QStringLiteral("photo"), QStringLiteral("list"),
                                          QStringLiteral("1"), QStringLiteral("--json")})
                                    .json()
                                    .array()
                                    .at(0)
                                    .toObject()[QStringLiteral("calibration")]
                                    .toObject();
    CHECK(current[QStringLiteral("method")].toString() == QStringLiteral("manual"));
    CHECK(current[QStringLiteral("mm_per_px")].toDouble() == Approx(0.1));
    Result marker =
        run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(marker.exitCode == 0);
    CHECK(marker.json().object()[QStringLiteral("method")].toString() == QStringLiteral("marker"));
    CHECK(marker.json().object()[QStringLiteral("mm_per_px")].toDouble() ==
          Approx(25.4 / 300).epsilon(0.005));

    // A photo without a marker: exit 1 and it says the photo stays uncalibrated.
    const QString plain =
        smp::test::writeTestImage(dir.file(QStringLiteral("plain.jpg")), 300, 200, "jpeg", 91);
    run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"), plain});
    Result none = run(dir, {QStringLiteral("calibrate"), QStringLiteral("2")});
    CHECK(none.exitCode == 1);
    CHECK(none.out.contains(QStringLiteral("uncalibrated")));
}

TEST_CASE(
    "smp db check names a marker scale found in the hair, and smp calibrate --remove takes it "
    "off",
    "[cli][calibration]")
{
    ScratchDir dir;
    // A photo of a scalp: the report shows only photos whose analysis found one (a plain test
    // image stood here until this test was found not to run under ctest, 2026-12-05).
    clientWithSamplePhoto(dir, QStringLiteral("Scale"));
    {
        // A manual scale, then the false match an older version stored on top of it: a marker
        // outline with sides of 5-19 px (in the hair), 1.67 mm/px.
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        smp::storage::PhotoLibrary library(db);
        smp::storage::Calibration manual;
        manual.photoId = 1;
        manual.method = smp::storage::CalibrationMethod::Manual;
        manual.mmPerPx = 0.1;
        manual.uncertaintyMmPerPx = 0.001;
        library.addCalibration(manual);
        smp::storage::Calibration hair;
        hair.photoId = 1;
        hair.method = smp::storage::CalibrationMethod::Marker;
        hair.mmPerPx = 1.67;
        hair.uncertaintyMmPerPx = 0.05;
        hair.details = QStringLiteral(
            R"({"marker_id":17,"side_mm":10,"corners_px":[[100,100],[119,101],[118,106],[101,105]]})");
        library.addCalibration(hair);
    }

    Result check =
        run(dir, {QStringLiteral("db"), QStringLiteral("check"), QStringLiteral("--json")});
    CHECK(check.exitCode == 1);
    const QJsonObject report = check.json().object();
    CHECK_FALSE(report[QStringLiteral("ok")].toBool());
    const QJsonArray doubtful = report[QStringLiteral("doubtful_calibrations")].toArray();
    REQUIRE(doubtful.size() == 1);
    CHECK(doubtful[0].toObject()[QStringLiteral("photo_id")].toInt() == 1);
    CHECK(doubtful[0].toObject()[QStringLiteral("mm_per_px")].toDouble() == Approx(1.67));
    CHECK(doubtful[0].toObject()[QStringLiteral("reason")].toString().contains(
        QStringLiteral("cannot be a printed square")));
    Result checkText = run(dir, {QStringLiteral("db"), QStringLiteral("check")});
    CHECK(checkText.out.contains(QStringLiteral("smp calibrate 1 --remove")));
    CHECK(run(dir, {QStringLiteral("photo"), QStringLiteral("list"), QStringLiteral("1")})
              .out.contains(QStringLiteral("doubtful")));
    // Shown but not used: the photo counts as uncalibrated, and its analysis says so.
    const QJsonObject listed = run(dir, {QStringLiteral("photo"), QStringLiteral("list"),
                                         QStringLiteral("1"), QStringLiteral("--json")})
                                   .json()
                                   .array()[0]
                                   .toObject();
    CHECK_FALSE(listed[QStringLiteral("calibrated")].toBool());
    CHECK(
        listed[QStringLiteral("calibration")].toObject()[QStringLiteral("mm_per_px")].toDouble() ==
        Approx(1.67));
    CHECK(listed[QStringLiteral("calibration")].toObject().contains(QStringLiteral("doubtful")));
    Result analysed =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(analysed.exitCode == 0);
    CHECK_FALSE(analysed.json().object()[QStringLiteral("calibrated")].toBool());
    // The report says why it gives no cm².
    const QString pdf = dir.file(QStringLiteral("report.pdf"));
    REQUIRE(run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--out"), pdf})
                .exitCode == 0);
    QProcess text;
    text.start(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")});
    REQUIRE(text.waitForFinished(60000));
    CHECK(QString::fromUtf8(text.readAllStandardOutput())
              .simplified()
              .contains(QStringLiteral("stored scale is doubtful and not used")));

    // --remove takes only the current scale off: the manual one is current again.
    CHECK(run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"), QStringLiteral("--remove"),
                    QStringLiteral("--points"), QStringLiteral("1,1,9,9")})
              .exitCode == 2);
    Result removed = run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"),
                               QStringLiteral("--remove"), QStringLiteral("--json")});
    REQUIRE(removed.exitCode == 0);
    CHECK(removed.json().object()[QStringLiteral("calibrated")].toBool());
    CHECK(removed.json().object()[QStringLiteral("method")].toString() == QStringLiteral("manual"));
    CHECK(removed.json().object()[QStringLiteral("mm_per_px")].toDouble() == Approx(0.1));
    CHECK(run(dir, {QStringLiteral("db"), QStringLiteral("check")}).exitCode == 0);

    // Then the manual one: the marker scale found on import is current again; then that one:
    // uncalibrated; nothing more to remove.
    Result marker = run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"),
                              QStringLiteral("--remove"), QStringLiteral("--json")});
    REQUIRE(marker.exitCode == 0);
    CHECK(marker.json().object()[QStringLiteral("method")].toString() == QStringLiteral("marker"));
    Result last =
        run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"), QStringLiteral("--remove")});
    CHECK(last.exitCode == 0);
    CHECK(last.out.contains(QStringLiteral("now uncalibrated")));
    Result none =
        run(dir, {QStringLiteral("calibrate"), QStringLiteral("1"), QStringLiteral("--remove")});
    CHECK(none.exitCode == 1);
    CHECK(none.out.contains(QStringLiteral("no scale to remove")));
}

TEST_CASE("smp photo import tells imported, duplicate and refused files apart", "[cli]")
{
    ScratchDir dir;
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Batch")});
    const QString a =
        smp::test::writeTestImage(dir.file(QStringLiteral("a.jpg")), 200, 100, "jpeg", 1);
    const QString copy = dir.file(QStringLiteral("a-copy.jpg"));
    QFile::copy(a, copy);
    const QString text = dir.file(QStringLiteral("notes.jpg"));
    smp::test::writeBytes(text, QByteArrayLiteral("not a photo"));
    Result result = run(dir, {QStringLiteral("photo"), QStringLiteral("import"),
                              QStringLiteral("1"), a, copy, text});
    CHECK(result.exitCode == 1);
    CHECK(result.out.contains(QStringLiteral("Imported photo 1: a.jpg")));
    CHECK(result.out.contains(QStringLiteral("Skipped (duplicate)")));
    CHECK(result.out.contains(copy));
    CHECK(result.err.contains(QStringLiteral("not imported")));
    CHECK(result.err.contains(text));
    Result again =
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"), a});
    CHECK(again.exitCode == 0); // only a duplicate: nothing went wrong

    Result rotated = run(dir, {QStringLiteral("photo"), QStringLiteral("rotate"),
                               QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(rotated.exitCode == 0);
    CHECK(rotated.json().object()[QStringLiteral("rotation_degrees")].toInt() == 90);

    Result viewSet = run(dir, {QStringLiteral("photo"), QStringLiteral("set-view"),
                               QStringLiteral("1"), QStringLiteral("crown")});
    CHECK(viewSet.exitCode == 0);
    Result notAView = run(dir, {QStringLiteral("photo"), QStringLiteral("set-view"),
                                QStringLiteral("1"), QStringLiteral("sideways")});
    CHECK(notAView.exitCode == 2);
    CHECK(notAView.err.contains(QStringLiteral("view: \"sideways\" is not one of front, top")));
    CHECK_FALSE(notAView.err.contains(QStringLiteral("--view")));
}

TEST_CASE("smp analyze prints coverage, regions and the algorithm, and writes overlay and masks",
          "[cli][analysis]")
{
    ScratchDir dir;
    const QString sample = clientWithSamplePhoto(dir, QStringLiteral("Analysed"));
    const QString overlay = dir.file(QStringLiteral("overlay.png"));
    Result analysed = run(dir, {QStringLiteral("analyze"), QStringLiteral("1"),
                                QStringLiteral("--json"), QStringLiteral("--overlay"), overlay,
                                QStringLiteral("--masks"), dir.file(QStringLiteral("masks"))});
    REQUIRE(analysed.exitCode == 0);
    const QJsonObject result = analysed.json().object();
    CHECK(result[QStringLiteral("scalp_found")].toBool());
    CHECK(result[QStringLiteral("calibrated")].toBool()); // the sample photo carries a marker
    CHECK(result[QStringLiteral("scale")].toObject()[QStringLiteral("source")].toString() ==
          QStringLiteral("calibration")); // found on import, stored with the photo
    const double coverage = result[QStringLiteral("coverage_percent")].toDouble();
    CHECK(coverage > 20);
    CHECK(coverage < 90);
    const int level = result[QStringLiteral("norwood")].toObject()[QStringLiteral("level")].toInt();
    // The stage comes from the trained model compiled into the program.
    CHECK(result[QStringLiteral("norwood")].toObject()[QStringLiteral("method")].toString() ==
          QStringLiteral("model"));
    CHECK(result[QStringLiteral("algorithm")]
              .toObject()[QStringLiteral("parameters")]
              .toObject()[QStringLiteral("stage_model")]
              .toString() == QStringLiteral("norwood-rtrees-2026-12-01c"));
    CHECK(level >= 1);
    CHECK(level <= 7);
    CHECK(result[QStringLiteral("algorithm")].toObject()[QStringLiteral("name")].toString() ==
          QStringLiteral("smp-scalp-coverage"));
    // How hair was told from skin: dark hair on lighter skin, by lightness; the sample's head is
    // dense, so read again with the light on its hair divided out (1.17).
    CHECK(result[QStringLiteral("algorithm")].toObject()[QStringLiteral("unmixing")].toString() ==
          QStringLiteral("lightness; light read from the hair"));
    // How sharp the photo read (1.20): the sample is drawn sharp, so its sparse hair's end is the
    // darkest 2%, not a soft photo's 0.5%.
    CHECK(result[QStringLiteral("algorithm")]
              .toObject()[QStringLiteral("photo_sharpness")]
              .toDouble() > 1.1);
    CHECK(result[QStringLiteral("algorithm")]
              .toObject()[QStringLiteral("hair_extreme_share")]
              .toDouble() == Approx(0.02));
    bool baldWithArea = false;
    for (const auto &value : result[QStringLiteral("regions")].toArray()) {
        const QJsonObject region = value.toObject();
        baldWithArea |= region[QStringLiteral("grade")].toString() == QStringLiteral("bald") &&
                        region[QStringLiteral("area_cm2")].toDouble() > 0;
    }
    CHECK(baldWithArea);
    // The drawn head's ears are left off a top view, and it says how much: the parts of the two
    // ears outside the head's oval, about 3 cm2 at the sample's scale.
    CHECK(result[QStringLiteral("taken_off_cm2")].toDouble() > 2.0);
    CHECK(result[QStringLiteral("taken_off_cm2")].toDouble() < 5.0);
    CHECK(result[QStringLiteral("taken_off_px")].toDouble() > 0);
    // The texture check applies to this top view of dark hair, names its model, and finds no
    // hair in the drawn head's loss: no note.
    const QJsonObject texture = result[QStringLiteral("texture_check")].toObject();
    CHECK(texture[QStringLiteral("applies")].toBool());
    CHECK(texture[QStringLiteral("model")].toString() ==
          QString::fromStdString(smp::clinic::textureModelId()));
    CHECK(texture[QStringLiteral("cut_point")].toDouble() == Approx(0.9));
    CHECK(texture[QStringLiteral("loss_reading_hair_percent")].toDouble() < 5.0);
    CHECK(QByteArray::fromBase64(texture[QStringLiteral("hair_probability")].toString().toLatin1())
              .size() == texture[QStringLiteral("cells_wide")].toInt() *
                             texture[QStringLiteral("cells_high")].toInt());
    CHECK_FALSE(texture.contains(QStringLiteral("note")));
    CHECK(QImage(overlay).size() == QSize(1600, 1200));
    CHECK(QImage(dir.file(QStringLiteral("masks/grades.png"))).format() ==
          QImage::Format_Grayscale8);
    // The texture check's marks: the map's size; nothing marked on the drawn head's true loss.
    const QImage textureMask = QImage(dir.file(QStringLiteral("masks/texture.png")))
                                   .convertToFormat(QImage::Format_Grayscale8);
    const QImage gradeMask = QImage(dir.file(QStringLiteral("masks/grades.png")))
                                 .convertToFormat(QImage::Format_Grayscale8);
    REQUIRE(textureMask.size() == gradeMask.size());
    int marked = 0, loss = 0;
    for (int y = 0; y < gradeMask.height(); ++y)
        for (int x = 0; x < gradeMask.width(); ++x) {
            marked += textureMask.constScanLine(y)[x] == 255;
            loss += gradeMask.constScanLine(y)[x] >= 4; // advanced or bald
        }
    CHECK(loss > 0);
    CHECK(marked < loss / 20);

    // An image file works too: its calibration marker found as an import finds it, the areas
    // in cm2 and the same scale as the stored photo's.
    Result file = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--json")});
    REQUIRE(file.exitCode == 0);
    CHECK(file.json().object()[QStringLiteral("calibrated")].toBool());
    const QJsonObject fileScale = file.json().object()[QStringLiteral("scale")].toObject();
    CHECK(fileScale[QStringLiteral("source")].toString() == QStringLiteral("marker"));
    CHECK(fileScale[QStringLiteral("marker_side_mm")].toDouble() == 20.0);
    CHECK(fileScale[QStringLiteral("mm_per_px")].toDouble() ==
          Approx(result[QStringLiteral("scale")].toObject()[QStringLiteral("mm_per_px")].toDouble())
              .epsilon(1e-9));
    Result fileText = run(dir, {QStringLiteral("analyze"), sample});
    REQUIRE(fileText.exitCode == 0);
    CHECK(fileText.out.contains(QStringLiteral("Scale from the calibration marker in the photo: "
                                               "0.16")));
    CHECK(fileText.out.contains(QStringLiteral(" cm2 ")));
    // --mm-per-px overrides the marker.
    Result given = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--mm-per-px"),
                             QStringLiteral("0.2"), QStringLiteral("--json")});
    REQUIRE(given.exitCode == 0);
    CHECK(given.json().object()[QStringLiteral("scale")].toObject()[QStringLiteral("source")] ==
          QStringLiteral("option"));
    CHECK(given.json()
              .object()[QStringLiteral("scale")]
              .toObject()[QStringLiteral("mm_per_px")]
              .toDouble() == 0.2);
    // A file without a marker (painted over) is uncalibrated: areas in pixels only, and it says
    // so.
    QImage covered(sample);
    REQUIRE(!covered.isNull());
    {
        QPainter painter(&covered);
        painter.fillRect(QRect(0, 0, 500, 400), covered.pixelColor(5, 5));
    }
    const QString noMarker = dir.file(QStringLiteral("no-marker.png"));
    REQUIRE(covered.save(noMarker));
    Result unscaled = run(dir, {QStringLiteral("analyze"), noMarker, QStringLiteral("--json")});
    REQUIRE(unscaled.exitCode == 0);
    CHECK_FALSE(unscaled.json().object()[QStringLiteral("calibrated")].toBool());
    CHECK(unscaled.json().object()[QStringLiteral("scale")].toObject()[QStringLiteral("source")] ==
          QStringLiteral("none"));
    CHECK(unscaled.json().object()[QStringLiteral("taken_off_cm2")].isNull());
    CHECK(unscaled.json().object()[QStringLiteral("estimate_note")].toString().contains(
        QStringLiteral("uncalibrated")));
    // Seen from the front, the texture check does not apply, and says why.
    Result front = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--view"),
                             QStringLiteral("front"), QStringLiteral("--json")});
    REQUIRE(front.exitCode == 0);
    const QJsonObject frontTexture =
        front.json().object()[QStringLiteral("texture_check")].toObject();
    CHECK_FALSE(frontTexture[QStringLiteral("applies")].toBool());
    CHECK(frontTexture[QStringLiteral("reason")].toString().contains(QStringLiteral("top views")));
    // The text output says that a front or side view's face reads as bald scalp; a top view's
    // says nothing of faces.
    for (const QString &view : {QStringLiteral("front"), QStringLiteral("left")}) {
        Result seen = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--view"), view});
        REQUIRE(seen.exitCode == 0);
        CHECK(seen.out.contains(QStringLiteral("reads the face")));
        CHECK(seen.out.contains(QStringLiteral("Take them off the map before planning")));
    }
    CHECK_FALSE(run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--view"),
                          QStringLiteral("top")})
                    .out.contains(QStringLiteral("face")));
    Result wrong = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--mm-per-px"),
                             QStringLiteral("0.1mm")});
    CHECK(wrong.exitCode == 2);
    CHECK(wrong.err.contains(QStringLiteral("--mm-per-px")));
    // A number, but a scale at which the photo is a few millimetres across: named, not an
    // out-of-memory error from the analysis's kernels.
    Result tooFine = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--mm-per-px"),
                               QStringLiteral("0.00001")});
    CHECK(tooFine.exitCode == 1);
    CHECK(tooFine.err.contains(sample));
    CHECK(tooFine.err.contains(QStringLiteral("at a scale of 0.0000100 mm per pixel")));
    CHECK(tooFine.err.contains(QStringLiteral("check the photo's scale")));
    for (const QString &notANumber : {QStringLiteral("nan"), QStringLiteral("inf")}) {
        Result refused = run(
            dir, {QStringLiteral("analyze"), sample, QStringLiteral("--mm-per-px"), notANumber});
        CHECK(refused.exitCode == 2); // it was analysed with a scale of NaN
        CHECK(refused.err.contains(QStringLiteral("--mm-per-px")));
    }
    Result nanArea =
        run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--reference-area"),
                  QStringLiteral("nan,0,100,100")});
    CHECK(nanArea.exitCode == 2);
    CHECK(nanArea.err.contains(QStringLiteral("--reference-area: give x,y,width,height")));

    // An overlay that cannot be written is named with the reason, and leaves nothing behind.
    const QString noFormat = dir.file(QStringLiteral("overlay.notanimage"));
    Result badSuffix =
        run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--overlay"), noFormat});
    CHECK(badSuffix.exitCode == 1);
    CHECK(badSuffix.err.contains(noFormat));
    CHECK(badSuffix.err.contains(QStringLiteral(".png")));
    CHECK_FALSE(QFile::exists(noFormat));
    const QString noFolder = dir.file(QStringLiteral("no/such/folder/overlay.png"));
    Result badFolder =
        run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--overlay"), noFolder});
    CHECK(badFolder.exitCode == 1);
    CHECK(badFolder.err.contains(noFolder));
    CHECK(badFolder.err.contains(QStringLiteral("does not exist")));
    // Checked before the analysis runs: a stored photo's analysis is not stored by a run that
    // then fails on its output (the next stored analysis follows the first one directly), and
    // masks asked into a file are refused the same way.
    const qint64 firstAnalysis = result[QStringLiteral("analysis_id")].toInteger();
    REQUIRE(firstAnalysis > 0);
    CHECK(run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--overlay"),
                    noFolder})
              .exitCode == 1);
    Result masksIntoFile = run(
        dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--masks"), overlay});
    CHECK(masksIntoFile.exitCode == 1);
    CHECK(masksIntoFile.err.contains(overlay));
    CHECK(masksIntoFile.err.contains(QStringLiteral("not a folder")));
    // Nothing is made for a run that fails: a photo that is not an image leaves no masks folder.
    const QString notImage = dir.file(QStringLiteral("notes.png"));
    {
        QFile notes(notImage);
        REQUIRE(notes.open(QIODevice::WriteOnly));
        notes.write("not an image");
    }
    const QString unusedMasks = dir.file(QStringLiteral("unused-masks"));
    Result corrupt =
        run(dir, {QStringLiteral("analyze"), notImage, QStringLiteral("--masks"), unusedMasks});
    CHECK(corrupt.exitCode != 0);
    CHECK(corrupt.err.contains(notImage));
    CHECK_FALSE(QFileInfo::exists(unusedMasks));
    // A truncated PNG gets the program's one line on standard error and nothing else (libpng's
    // own "libpng error: ..." line used to come before it).
    const QString truncatedPng = dir.file(QStringLiteral("truncated.png"));
    {
        QFile whole(sample);
        REQUIRE(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        QFile cut(truncatedPng);
        REQUIRE(cut.open(QIODevice::WriteOnly));
        cut.write(bytes.left(bytes.size() / 3));
    }
    Result truncated = run(dir, {QStringLiteral("analyze"), truncatedPng});
    CHECK(truncated.exitCode == 1);
    CHECK(truncated.err.contains(truncatedPng));
    CHECK(truncated.err.contains(QStringLiteral("is truncated")));
    CHECK_FALSE(truncated.err.contains(QStringLiteral("libpng")));
    // Qt's note about a missing XDG_RUNTIME_DIR (a machine without a login session, as CI is)
    // is dropped by the tool too.
    CHECK(truncated.err.trimmed().count(QLatin1Char('\n')) == 0);
    Result again =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(again.exitCode == 0);
    CHECK(again.json().object()[QStringLiteral("analysis_id")].toInteger() == firstAnalysis + 1);
    // Written over an existing overlay, the new one replaces it whole.
    REQUIRE(run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--overlay"), overlay})
                .exitCode == 0);
    CHECK(QImage(overlay).size() == QSize(1600, 1200));
    CHECK(QDir(dir.path()).entryList({QStringLiteral("overlay.png.*")}, QDir::Files).isEmpty());

    // A photo too small to analyse is named with its size (until 1.4: an OpenCV assertion).
    const QString tiny = dir.file(QStringLiteral("tiny.png"));
    QImage tinyImage(40, 300, QImage::Format_RGB32);
    tinyImage.fill(QColor(200, 150, 120));
    REQUIRE(tinyImage.save(tiny));
    Result tooSmall = run(dir, {QStringLiteral("analyze"), tiny});
    CHECK(tooSmall.exitCode == 1);
    CHECK(tooSmall.err.contains(tiny));
    CHECK(tooSmall.err.contains(QStringLiteral("40 x 300 px")));
    CHECK(tooSmall.err.contains(QStringLiteral("too small")));
    CHECK_FALSE(tooSmall.err.contains(QStringLiteral("OpenCV")));
}

TEST_CASE("options may stand before the command, and smp analyze takes a reference area",
          "[cli][analysis]")
{
    ScratchDir dir;
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    // "--mm-per-px 0.2" before the command word, the file after it.
    Result before = run(dir, {QStringLiteral("--mm-per-px"), QStringLiteral("0.2"),
                              QStringLiteral("analyze"), sample, QStringLiteral("--json")});
    REQUIRE(before.exitCode == 0);
    CHECK(before.json().object()[QStringLiteral("calibrated")].toBool());

    // Against a thin patch as the reference, more of the scalp grades as normal.
    Result own = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--json")});
    Result thin = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--reference-area"),
                            QStringLiteral("800,850,60,60"), QStringLiteral("--json")});
    REQUIRE(thin.exitCode == 0);
    const double ownReference =
        own.json().object()[QStringLiteral("reference_coverage")].toDouble();
    const double thinReference =
        thin.json().object()[QStringLiteral("reference_coverage")].toDouble();
    CHECK(thinReference < ownReference);
    const QJsonArray area = thin.json()
                                .object()[QStringLiteral("algorithm")]
                                .toObject()[QStringLiteral("parameters")]
                                .toObject()[QStringLiteral("reference_area")]
                                .toArray();
    REQUIRE(area.size() == 4);
    CHECK(area[0].toDouble() == 800);
    Result outside =
        run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--reference-area"),
                  QStringLiteral("1500,1100,400,400")});
    CHECK(outside.exitCode == 2);
    CHECK(outside.err.contains(QStringLiteral("--reference-area")));
    // Inside the photo but on the backdrop: refused, naming the area.
    Result backdrop = run(dir, {QStringLiteral("analyze"), sample,
                                QStringLiteral("--reference-area"), QStringLiteral("0,0,60,60")});
    CHECK(backdrop.exitCode == 1);
    CHECK(backdrop.err.contains(QStringLiteral("the reference area (0,0,60,60 photo px) is 0% on "
                                               "the scalp")));
}

TEST_CASE("smp analyze says when the photo is soft", "[cli][analysis]")
{
    ScratchDir dir;
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    // The sample enlarged from a third of its size, as a small photo blown up: soft.
    const QImage drawn(sample);
    const QString soft = dir.file(QStringLiteral("enlarged.jpg"));
    REQUIRE(drawn.scaled(drawn.size() / 3, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                .scaled(drawn.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                .save(soft, "JPEG", 92));
    const Result text = run(dir, {QStringLiteral("analyze"), soft});
    REQUIRE(text.exitCode == 0);
    CHECK(text.out.contains(QStringLiteral("Soft photo (sharpness 0.")));
    const Result json = run(dir, {QStringLiteral("analyze"), soft, QStringLiteral("--json")});
    REQUIRE(json.exitCode == 0);
    const QJsonObject softResult = json.json().object();
    CHECK(softResult[QStringLiteral("algorithm")]
              .toObject()[QStringLiteral("photo_sharpness")]
              .toDouble() < 0.9);
    CHECK(softResult[QStringLiteral("photo_note")].toString().contains(
        QStringLiteral("Retake the photo in focus")));
    // The sample as drawn is sharp: nothing said.
    const Result sharp = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--json")});
    REQUIRE(sharp.exitCode == 0);
    CHECK_FALSE(sharp.json().object().contains(QStringLiteral("photo_note")));
    CHECK_FALSE(
        run(dir, {QStringLiteral("analyze"), sample}).out.contains(QStringLiteral("Soft photo")));
}

namespace {

// `jpeg` with an EXIF block holding only Orientation = `orientation` (1-8), after its SOI
// marker: what a phone writes when it stores a photo turned.
QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    QByteArray tiff("MM\x00\x2a\x00\x00\x00\x08", 8);          // big-endian, IFD at 8
    tiff += QByteArray("\x00\x01", 2);                         // one entry
    tiff += QByteArray("\x01\x12\x00\x03\x00\x00\x00\x01", 8); // Orientation, SHORT, 1
    tiff += static_cast<char>(0);
    tiff += static_cast<char>(orientation);
    tiff += QByteArray(2 + 4, '\0'); // padding, no next IFD
    const QByteArray payload = QByteArray("Exif\x00\x00", 6) + tiff;
    const int length = static_cast<int>(payload.size()) + 2;
    QByteArray segment("\xff\xe1", 2);
    segment += static_cast<char>(length >> 8);
    segment += static_cast<char>(length & 0xff);
    return jpeg.left(2) + segment + payload + jpeg.mid(2);
}

} // namespace

TEST_CASE("smp analyze of an image file reads it the way the camera meant it", "[cli][analysis]")
{
    // The file is decoded once, by the check that it is a whole image; its EXIF orientation
    // must still turn it upright (the analysis of a top view does not care which way is up,
    // but the maps, the overlay and the reference area are in upright photo pixels).
    ScratchDir dir;
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    const QImage drawn(sample);
    REQUIRE(drawn.width() > drawn.height());
    // Stored turned a quarter counter-clockwise, tagged to be shown turned back (orientation 6).
    QByteArray stored;
    {
        QBuffer buffer(&stored);
        REQUIRE(buffer.open(QIODevice::WriteOnly));
        REQUIRE(drawn.transformed(QTransform().rotate(-90)).save(&buffer, "JPEG", 95));
    }
    const QString turned = dir.file(QStringLiteral("turned.jpg"));
    {
        QFile file(turned);
        REQUIRE(file.open(QIODevice::WriteOnly));
        REQUIRE(file.write(withExifOrientation(stored, 6)) > 0);
    }
    const QString masks = dir.file(QStringLiteral("masks"));
    const Result analysed = run(dir, {QStringLiteral("analyze"), turned, QStringLiteral("--json"),
                                      QStringLiteral("--masks"), masks});
    REQUIRE(analysed.exitCode == 0);
    const QImage labels(masks + QStringLiteral("/labels.png"));
    REQUIRE(!labels.isNull());
    CHECK(labels.width() > labels.height()); // upright: as drawn, not as stored
    // The same reading as the drawn photo's: its calibration marker found, the coverage within
    // a point (the JPEG's loss apart).
    const Result upright = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--json")});
    REQUIRE(upright.exitCode == 0);
    const QJsonObject a = analysed.json().object(), b = upright.json().object();
    CHECK(a[QStringLiteral("scale")].toObject()[QStringLiteral("source")].toString() ==
          QStringLiteral("marker"));
    CHECK(a[QStringLiteral("coverage_percent")].toDouble() ==
          Approx(b[QStringLiteral("coverage_percent")].toDouble()).margin(1.0));
}

TEST_CASE("smp analyze says when skin and hair were a near tie", "[cli][analysis]")
{
    // Grey hair on very dark skin (the analysis tests' 800 px phantom): the way round is decided
    // on a near tie, and said, in the text and in the JSON; not once the technician says it.
    ScratchDir dir;
    smp::imaging::SampleScalpParameters drawn;
    drawn.widthPx = 800;
    drawn.heightPx = 600;
    drawn.seed = 116;
    drawn.skin = QColor(72, 48, 36);
    drawn.hair = QColor(165, 165, 160);
    drawn.pattern = smp::imaging::LossPattern::Receding;
    drawn.lightingGradient = 0.3;
    const QString photo = dir.file(QStringLiteral("grey-on-very-dark-skin.jpg"));
    REQUIRE(smp::imaging::drawScalpPhantom(drawn).photo.save(photo, "JPEG", 90));
    const Result text = run(dir, {QStringLiteral("analyze"), photo});
    REQUIRE(text.exitCode == 0);
    CHECK(text.out.contains(QStringLiteral("Skin and hair read close in lightness: the analysis "
                                           "took the hair as lighter than the skin")));
    CHECK(text.out.contains(QStringLiteral("(Here: --hair-tone darker.)")));
    const Result json = run(dir, {QStringLiteral("analyze"), photo, QStringLiteral("--json")});
    REQUIRE(json.exitCode == 0);
    const QJsonObject read = json.json().object();
    CHECK(read[QStringLiteral("algorithm")]
              .toObject()[QStringLiteral("hair_tone_close_call")]
              .toBool());
    CHECK(read[QStringLiteral("hair_tone_note")].toString().contains(
        QStringLiteral("choose Hair: Darker than skin")));
    const Result told = run(dir, {QStringLiteral("analyze"), photo, QStringLiteral("--hair-tone"),
                                  QStringLiteral("lighter"), QStringLiteral("--json")});
    REQUIRE(told.exitCode == 0);
    CHECK_FALSE(told.json().object().contains(QStringLiteral("hair_tone_note")));
    CHECK_FALSE(told.json()
                    .object()[QStringLiteral("algorithm")]
                    .toObject()[QStringLiteral("hair_tone_close_call")]
                    .toBool());
}

TEST_CASE("smp analyze reads the hair the way round the technician says", "[cli][analysis]")
{
    ScratchDir dir;
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    const auto algorithmOf = [](const Result &result) {
        return result.json().object()[QStringLiteral("algorithm")].toObject();
    };
    // The sample client's dark brown hair on light skin: the analysis reads it darker itself.
    Result own = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--json")});
    REQUIRE(own.exitCode == 0);
    CHECK(algorithmOf(own)[QStringLiteral("hair_tone")].toString() == QStringLiteral("darker"));
    CHECK(algorithmOf(own)[QStringLiteral("hair_tone_from")].toString() ==
          QStringLiteral("analysis"));
    CHECK(algorithmOf(own)[QStringLiteral("parameters")].toObject()[QStringLiteral("hair_tone")] ==
          QStringLiteral("auto"));
    // Said the wrong way round, the analysis reads it so (another coverage), and the result says
    // whose word it was.
    Result lighter = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--hair-tone"),
                               QStringLiteral("Lighter"), QStringLiteral("--json")});
    REQUIRE(lighter.exitCode == 0);
    CHECK(algorithmOf(lighter)[QStringLiteral("hair_tone")].toString() ==
          QStringLiteral("lighter"));
    CHECK(algorithmOf(lighter)[QStringLiteral("hair_tone_from")].toString() ==
          QStringLiteral("technician"));
    const double ownCoverage = own.json().object()[QStringLiteral("coverage_percent")].toDouble();
    const double lighterCoverage =
        lighter.json().object()[QStringLiteral("coverage_percent")].toDouble();
    CHECK(std::abs(lighterCoverage - ownCoverage) > 1);
    // Said the way the analysis reads it anyway, nothing moves.
    Result darker = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--hair-tone"),
                              QStringLiteral("darker"), QStringLiteral("--json")});
    REQUIRE(darker.exitCode == 0);
    CHECK(darker.json().object()[QStringLiteral("coverage_percent")].toDouble() == ownCoverage);
    // A stored photo of a client recorded with red hair is read with the hair darker (the
    // analysis takes the reddest fifth for the skin), unless the option says otherwise.
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Byrne"), QStringLiteral("--hair-colour"), QStringLiteral("Auburn")});
    REQUIRE(run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                      sample, QStringLiteral("--view"), QStringLiteral("top")})
                .exitCode == 0);
    Result recorded =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(recorded.exitCode == 0);
    CHECK(algorithmOf(recorded)[QStringLiteral("hair_tone")].toString() ==
          QStringLiteral("darker"));
    CHECK(algorithmOf(recorded)[QStringLiteral("hair_tone_from")].toString() ==
          QStringLiteral("technician"));
    CHECK(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")})
              .out.contains(QStringLiteral("Hair read as darker than the skin")));
    Result overruled =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--hair-tone"),
                  QStringLiteral("auto"), QStringLiteral("--json")});
    REQUIRE(overruled.exitCode == 0);
    CHECK(algorithmOf(overruled)[QStringLiteral("hair_tone_from")].toString() ==
          QStringLiteral("analysis"));
    // The stored photo keeps the technician's last word: analysed again without the options,
    // still automatic (not the recorded red hair's darker) and against the same reference area,
    // until "--reference-area none" takes it away.
    const auto parametersOf = [&algorithmOf](const Result &result) {
        return algorithmOf(result)[QStringLiteral("parameters")].toObject();
    };
    Result referenced = run(dir, {QStringLiteral("analyze"), QStringLiteral("1"),
                                  QStringLiteral("--reference-area"),
                                  QStringLiteral("800,850,60,60"), QStringLiteral("--json")});
    REQUIRE(referenced.exitCode == 0);
    Result again =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(again.exitCode == 0);
    CHECK(parametersOf(again)[QStringLiteral("hair_tone")].toString() == QStringLiteral("auto"));
    const QJsonArray kept = parametersOf(again)[QStringLiteral("reference_area")].toArray();
    REQUIRE(kept.size() == 4);
    CHECK(kept[0].toDouble() == 800);
    CHECK(again.json().object()[QStringLiteral("coverage_percent")].toDouble() ==
          referenced.json().object()[QStringLiteral("coverage_percent")].toDouble());
    // The text output says what was kept.
    const Result againText = run(dir, {QStringLiteral("analyze"), QStringLiteral("1")});
    REQUIRE(againText.exitCode == 0);
    CHECK(againText.out.contains(
        QStringLiteral("Graded against the reference area 800,850,60,60 kept from the photo's "
                       "last analysis")));
    CHECK_FALSE(againText.out.contains(QStringLiteral("Hair read as")));
    Result unreferenced = run(dir, {QStringLiteral("analyze"), QStringLiteral("1"),
                                    QStringLiteral("--reference-area"), QStringLiteral("none"),
                                    QStringLiteral("--json")});
    REQUIRE(unreferenced.exitCode == 0);
    CHECK(parametersOf(unreferenced)[QStringLiteral("reference_area")].isNull());
    CHECK(unreferenced.json().object()[QStringLiteral("reference_coverage")].toDouble() >
          referenced.json().object()[QStringLiteral("reference_coverage")].toDouble());

    Result wrong = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--hair-tone"),
                             QStringLiteral("black")});
    CHECK(wrong.exitCode == 2);
    CHECK(wrong.err.contains(QStringLiteral("--hair-tone")));
    CHECK(wrong.err.contains(QStringLiteral("\"black\"")));
    Result badView = run(dir, {QStringLiteral("analyze"), sample, QStringLiteral("--view"),
                               QStringLiteral("sideways")});
    CHECK(badView.exitCode == 2);
    CHECK(badView.err.contains(QStringLiteral("--view: \"sideways\" is not one of front, top")));
}

TEST_CASE("smp analyze of a stored photo keeps the technician's grade corrections unless told "
          "to drop them",
          "[cli][analysis][corrections]")
{
    ScratchDir dir;
    clientWithSamplePhoto(dir, QStringLiteral("Corrected"));
    const auto analyse = [&dir](QStringList options) {
        Result result =
            run(dir, QStringList{QStringLiteral("analyze"), QStringLiteral("1")} + options);
        REQUIRE(result.exitCode == 0);
        return result;
    };
    CHECK_FALSE(analyse({}).out.contains(QStringLiteral("corrections")));
    // The technician takes a 30-pixel square in the middle of the map off as not scalp.
    const auto notScalp = static_cast<char>(smp::analysis::Grade::NotScalp);
    {
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        smp::storage::AnalysisStore store(db);
        const smp::storage::StoredAnalysis first = *store.latest(1);
        const int size = smp::storage::kAnalysisTileSize;
        const int tileX = first.mapWidth / 2 / size, tileY = first.mapHeight / 2 / size;
        const int tw = std::min(size, first.mapWidth - tileX * size);
        const int th = std::min(size, first.mapHeight - tileY * size);
        smp::storage::GradeTile tile{tileX, tileY, QByteArray(qsizetype(tw) * th, '\0')};
        for (int y = 0; y < th; ++y)
            for (int x = 0; x < tw; ++x)
                tile.grades[qsizetype(y) * tw + x] =
                    x < 30 && y < 30
                        ? notScalp
                        : first.grades.at(qsizetype(tileY * size + y) * first.mapWidth +
                                          tileX * size + x);
        store.saveCorrections(first.id, {tile});
        REQUIRE(smp::clinic::latestCorrections(db, 1).pixels == 900);
    }
    const Result kept = analyse({});
    CHECK(kept.out.contains(QStringLiteral(
        "Kept the corrections made on analysis 1: 900 map pixels graded otherwise")));
    // They take pixels off the scalp: the coverage over what is left is given.
    CHECK(kept.out.contains(
        QRegularExpression(QStringLiteral("\\. Coverage [0-9.]+% of the scalp as corrected\\."))));
    // The new analysis is compared with the last one.
    CHECK(kept.out.contains(QStringLiteral("Before: analysis 1 (version ")));
    const Result keptJson = analyse({QStringLiteral("--json")});
    const QJsonObject before = keptJson.json().object()[QStringLiteral("previous")].toObject();
    CHECK(before[QStringLiteral("analysis_id")].toInt() == 2);
    CHECK(before[QStringLiteral("coverage_percent")].toDouble() ==
          keptJson.json().object()[QStringLiteral("coverage_percent")].toDouble());
    CHECK(before[QStringLiteral("norwood")].toObject()[QStringLiteral("stage")].toString() ==
          keptJson.json()
              .object()[QStringLiteral("norwood")]
              .toObject()[QStringLiteral("stage")]
              .toString());
    const QJsonObject corrections =
        keptJson.json().object()[QStringLiteral("corrections")].toObject();
    CHECK(corrections[QStringLiteral("from_analysis_id")].toInt() == 2); // carried again
    CHECK(corrections[QStringLiteral("kept")].toBool());
    CHECK(corrections[QStringLiteral("map_pixels_graded_otherwise")].toInt() == 900);
    CHECK(corrections[QStringLiteral("loss_reading_hair_percent")].toDouble() < 1);
    CHECK_FALSE(kept.out.contains(QStringLiteral("Texture check")));
    // 900 of some 400,000 scalp pixels: the coverage barely moves, but it is taken again.
    CHECK(corrections[QStringLiteral("coverage_percent_of_corrected_scalp")].toDouble() ==
          Approx(keptJson.json().object()[QStringLiteral("coverage_percent")].toDouble())
              .margin(0.5));
    {
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        smp::storage::AnalysisStore store(db);
        const smp::storage::StoredAnalysis latest = *store.latest(1);
        const QByteArray map = store.correctedGrades(latest);
        CHECK(std::count(map.begin(), map.end(), notScalp) ==
              std::count(latest.grades.begin(), latest.grades.end(), notScalp) + 900);
    }

    // Dense hair graded bald by hand, kept on the next analysis: the texture check's note is of
    // the map the plan uses (the analysis's own map gives it nothing to say).
    REQUIRE(run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                      QStringLiteral("1000,450; 1200,450; 1200,700; 1000,700"),
                      QStringLiteral("--grade"), QStringLiteral("bald")})
                .exitCode == 0);
    const Result keptBald = analyse({});
    INFO(keptBald.out.toStdString());
    CHECK(keptBald.out.contains(
        QRegularExpression(QStringLiteral("Texture check: [1-9][0-9]?% of the area graded"))));
    const Result keptBaldJson = analyse({QStringLiteral("--json")});
    CHECK(keptBaldJson.json()
              .object()[QStringLiteral("corrections")]
              .toObject()[QStringLiteral("loss_reading_hair_percent")]
              .toDouble() >= 5);
    CHECK(keptBaldJson.json()
              .object()[QStringLiteral("texture_check")]
              .toObject()[QStringLiteral("loss_reading_hair_percent")]
              .toDouble() < 1);

    const Result dropped = analyse({QStringLiteral("--corrections"), QStringLiteral("drop")});
    CHECK(dropped.out.contains(QStringLiteral(
        "The corrections made on analysis 5 stay with it; this map is as analysed")));
    CHECK_FALSE(analyse({}).out.contains(QStringLiteral("corrections")));
    Result wrong = run(dir, {QStringLiteral("analyze"), QStringLiteral("1"),
                             QStringLiteral("--corrections"), QStringLiteral("maybe")});
    CHECK(wrong.exitCode == 2);
    CHECK(wrong.err.contains(QStringLiteral("--corrections: \"maybe\" is not keep or drop")));
}

TEST_CASE("smp client show gives the client's stage from their latest visit's front and top views",
          "[cli][analysis]")
{
    ScratchDir dir;
    clientWithSamplePhoto(dir, QStringLiteral("Staged"));
    const auto show = [&dir](QStringList options) {
        Result result = run(dir, QStringList{QStringLiteral("client"), QStringLiteral("show"),
                                             QStringLiteral("1")} +
                                     options);
        REQUIRE(result.exitCode == 0);
        return result;
    };
    CHECK(show({}).out.contains(QStringLiteral("Stage: none yet (analyse a front or top view)")));
    CHECK(show({QStringLiteral("--json")}).json().object()[QStringLiteral("norwood")].isNull());

    const Result analysed =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(analysed.exitCode == 0);
    const QString stage = analysed.json()
                              .object()[QStringLiteral("norwood")]
                              .toObject()[QStringLiteral("stage")]
                              .toString();
    REQUIRE_FALSE(stage.isEmpty());
    const QJsonObject norwood =
        show({QStringLiteral("--json")}).json().object()[QStringLiteral("norwood")].toObject();
    // One top view: the client's stage is its stage, without a variant letter.
    CHECK(stage.startsWith(norwood[QStringLiteral("stage")].toString()));
    CHECK(norwood[QStringLiteral("level")].toInt() >= 1);
    const QJsonArray photos = norwood[QStringLiteral("photos")].toArray();
    REQUIRE(photos.size() == 1);
    CHECK(photos[0].toObject()[QStringLiteral("view")].toString() == QStringLiteral("top"));
    CHECK(photos[0].toObject()[QStringLiteral("stage")].toString() == stage);
    CHECK(norwood[QStringLiteral("not_counted")].toInt() == 0);
    CHECK(QDate::fromString(norwood[QStringLiteral("day")].toString(), Qt::ISODate).isValid());
    CHECK(show({}).out.contains(QStringLiteral("Stage: Norwood %1 from 1 photo of ")
                                    .arg(norwood[QStringLiteral("stage")].toString())));
    // A damaged stored analysis (its map no longer its stated size): the client still shows,
    // and the stage says why it is missing.
    smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
        .execute("UPDATE photo_analyses SET map_width = map_width + 1");
    const Result damaged = show({});
    CHECK(damaged.out.contains(QStringLiteral("Photos:")));
    CHECK(damaged.out.contains(QStringLiteral("Stage: not read: analysis 1 of photo 1 (")));
    CHECK(damaged.out.contains(QStringLiteral("is damaged: ")));
    CHECK(damaged.out.contains(QStringLiteral("analyse the photo again")));
    CHECK_FALSE(show({QStringLiteral("--json")})
                    .json()
                    .object()[QStringLiteral("norwood")]
                    .toObject()[QStringLiteral("error")]
                    .toString()
                    .isEmpty());
    // The progress report still prints, its visit saying what could not be read.
    const QString progress = dir.file(QStringLiteral("progress.pdf"));
    const Result reported =
        run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--progress"),
                  QStringLiteral("--out"), progress});
    INFO(reported.err.toStdString());
    REQUIRE(reported.exitCode == 0);
    const QString progressText =
        poppler(QStringLiteral("pdftotext"), {progress, QStringLiteral("-")}).simplified();
    CHECK(progressText.contains(QStringLiteral("not read")));
    CHECK(progressText.contains(QStringLiteral("analysis 1 of photo 1 (")));
    CHECK(progressText.contains(QStringLiteral("analyse the photo again")));

    // Mended: one visit, its stage the latest, and no list of visits printed.
    smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
        .execute("UPDATE photo_analyses SET map_width = map_width - 1");
    const QJsonArray oneVisit = show({QStringLiteral("--json")})
                                    .json()
                                    .object()[QStringLiteral("norwood_by_visit")]
                                    .toArray();
    REQUIRE(oneVisit.size() == 1);
    CHECK(oneVisit[0].toObject() == norwood);
    CHECK_FALSE(show({}).out.contains(QStringLiteral("Stage by visit")));

    // A second visit: the first photo moved to an earlier day, the same photo taken again today
    // and painted bald. Both visits list, newest first.
    smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
        .execute("UPDATE photos SET taken_at = '2025-06-02T10:00:00.000Z' WHERE id = 1");
    // (One pixel changed: the same file would be skipped as a duplicate.)
    QImage again(dir.file(QStringLiteral("sample.png")));
    again.setPixel(0, 0, qRgb(1, 2, 3));
    const QString secondVisit = dir.file(QStringLiteral("second-visit.png"));
    REQUIRE(again.save(secondVisit));
    REQUIRE(run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                      secondVisit, QStringLiteral("--view"), QStringLiteral("top")})
                .exitCode == 0);
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("2")}).exitCode == 0);
    REQUIRE(run(dir, {QStringLiteral("correct"), QStringLiteral("2"), QStringLiteral("--area"),
                      QStringLiteral("0,0;100000,0;100000,100000;0,100000"),
                      QStringLiteral("--grade"), QStringLiteral("bald")})
                .exitCode == 0);
    const QJsonObject twoVisits = show({QStringLiteral("--json")}).json().object();
    const QJsonArray visits = twoVisits[QStringLiteral("norwood_by_visit")].toArray();
    REQUIRE(visits.size() == 2);
    CHECK(visits[0].toObject() == twoVisits[QStringLiteral("norwood")].toObject());
    const QString baldStage = visits[0].toObject()[QStringLiteral("stage")].toString();
    CHECK(visits[0].toObject()[QStringLiteral("level")].toInt() >
          norwood[QStringLiteral("level")].toInt());
    QJsonObject earlier = norwood;
    earlier[QStringLiteral("day")] = QStringLiteral("2025-06-02");
    CHECK(visits[1].toObject() == earlier);
    const QString listed = show({}).out;
    CHECK(listed.contains(QStringLiteral("Stage: Norwood %1 from 1 photo of ").arg(baldStage)));
    const qsizetype byVisit = listed.indexOf(QStringLiteral("Stage by visit (newest first):"));
    REQUIRE(byVisit >= 0);
    const qsizetype latestLine =
        listed.indexOf(QStringLiteral("  Norwood %1 from 1 photo of ").arg(baldStage), byVisit);
    const qsizetype earlierLine =
        listed.indexOf(QStringLiteral("  Norwood %1 from 1 photo of 2 Jun 2025 (top ")
                           .arg(norwood[QStringLiteral("stage")].toString()),
                       byVisit);
    CHECK(latestLine > byVisit);
    CHECK(earlierLine > latestLine);

    // The consultation report gives the earlier visit's stage under the latest.
    const QString consultation = dir.file(QStringLiteral("consultation.pdf"));
    const auto consultationText = [&] {
        const Result consulted = run(dir, {QStringLiteral("report"), QStringLiteral("1"),
                                           QStringLiteral("--out"), consultation});
        INFO(consulted.err.toStdString());
        REQUIRE(consulted.exitCode == 0);
        return poppler(QStringLiteral("pdftotext"), {consultation, QStringLiteral("-")})
            .simplified();
    };
    CHECK(consultationText().contains(
        QStringLiteral("At the previous visit: Norwood %1 from 1 photo of 2 Jun 2025 (top ")
            .arg(norwood[QStringLiteral("stage")].toString())));

    // The earlier visit's analysis damaged: the list says which, the latest stage stands, and
    // the progress report and the consultation report still print.
    smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
        .execute("UPDATE photo_analyses SET map_width = map_width + 1 WHERE photo_id = 1");
    const Result halfDamaged = show({});
    CHECK(halfDamaged.out.contains(
        QStringLiteral("Stage: Norwood %1 from 1 photo of ").arg(baldStage)));
    CHECK(halfDamaged.out.contains(
        QStringLiteral("  2025-06-02: not read: analysis 1 of photo 1 (")));
    const QJsonArray halfVisits = show({QStringLiteral("--json")})
                                      .json()
                                      .object()[QStringLiteral("norwood_by_visit")]
                                      .toArray();
    REQUIRE(halfVisits.size() == 2);
    CHECK(halfVisits[1].toObject()[QStringLiteral("day")].toString() ==
          QStringLiteral("2025-06-02"));
    CHECK(halfVisits[1].toObject()[QStringLiteral("error")].toString().contains(
        QStringLiteral("analyse the photo again")));
    const Result reportedAgain =
        run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--progress"),
                  QStringLiteral("--out"), progress});
    INFO(reportedAgain.err.toStdString());
    REQUIRE(reportedAgain.exitCode == 0);
    const QString againText =
        poppler(QStringLiteral("pdftotext"), {progress, QStringLiteral("-")}).simplified();
    CHECK(againText.contains(QStringLiteral("Top view: ")));
    CHECK(againText.contains(QStringLiteral("Not compared: analysis 1 of photo 1 (")));
    // The earlier photo is one of the report's four: named rather than shown.
    const QString consultedAgain = consultationText();
    CHECK(consultedAgain.contains(
        QStringLiteral("At the previous visit: 2 Jun 2025: not read: analysis 1 of photo 1 (")));
    CHECK(consultedAgain.contains(QStringLiteral("Photo not shown: analysis 1 of photo 1 (")));
    CHECK(consultedAgain.contains(QStringLiteral("top view, ")));
    // The latest visit's analysis damaged too: the stage line says so, and the report prints.
    smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
        .execute("UPDATE photo_analyses SET map_width = map_width + 1 WHERE photo_id = 2");
    const QString bothDamaged = consultationText();
    CHECK(bothDamaged.contains(QStringLiteral("Stage of the client: ")));
    CHECK(bothDamaged.contains(QStringLiteral(": not read: analysis ")));
    CHECK(bothDamaged.contains(QStringLiteral(" of photo 2 (")));
    CHECK(bothDamaged.contains(
        QStringLiteral("At the previous visit: 2 Jun 2025: not read: analysis 1 of photo 1 (")));
}

TEST_CASE("smp correct grades an area or takes a face off the map of a photo's latest analysis",
          "[cli][analysis][corrections]")
{
    ScratchDir dir;
    clientWithSamplePhoto(dir, QStringLiteral("Lassoed"));
    Result early = run(dir, {QStringLiteral("correct"), QStringLiteral("1"),
                             QStringLiteral("--area"), QStringLiteral("0,0;10,0;10,10"),
                             QStringLiteral("--grade"), QStringLiteral("bald")});
    CHECK(early.exitCode == 1);
    CHECK(early.err.contains(QStringLiteral("no analysis to correct: run smp analyze 1 first")));
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")}).exitCode == 0);
    const auto gradeAt = [&dir](double x, double y) {
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        smp::storage::AnalysisStore store(db);
        const smp::storage::StoredAnalysis latest = *store.latest(1);
        return store.correctedGrades(latest).at(qsizetype(y / latest.photoPxPerMapPx) *
                                                    latest.mapWidth +
                                                qsizetype(x / latest.photoPxPerMapPx));
    };
    const auto grade = [](smp::analysis::Grade g) { return static_cast<char>(g); };

    // A square round the vertex of the drawn head (photo pixels) graded normal.
    REQUIRE(gradeAt(824, 784) != grade(smp::analysis::Grade::Normal));
    Result area =
        run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                  QStringLiteral("740,700; 910,700; 910,870; 740,870"), QStringLiteral("--grade"),
                  QStringLiteral("normal"), QStringLiteral("--json")});
    REQUIRE(area.exitCode == 0);
    const QJsonObject done = area.json().object();
    CHECK(done[QStringLiteral("grade")].toString() == QStringLiteral("normal"));
    CHECK(done[QStringLiteral("changed_map_pixels")].toInt() > 100);
    CHECK(done[QStringLiteral("norwood_corrected")].toObject()[QStringLiteral("level")].toInt() >=
          1);
    // Regraded, nothing taken off the scalp: the coverage is as analysed.
    const double asAnalysed = done[QStringLiteral("coverage_percent_as_analysed")].toDouble();
    CHECK(asAnalysed > 30);
    CHECK(done[QStringLiteral("coverage_percent")].toDouble() == asAnalysed);
    CHECK(done[QStringLiteral("coverage_retaken")].toBool());
    CHECK(gradeAt(824, 784) == grade(smp::analysis::Grade::Normal));
    CHECK(done[QStringLiteral("loss_reading_hair_percent")].toDouble() < 1);
    CHECK_FALSE(reportText(dir, QStringLiteral("before.pdf")).contains(QStringLiteral("Texture")));
    // Dense hair on the right of the head graded bald looks like hair to the texture check:
    // said as the photo window says it, and under the photo in the consultation report.
    Result dense =
        run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                  QStringLiteral("1000,450; 1200,450; 1200,700; 1000,700"),
                  QStringLiteral("--grade"), QStringLiteral("bald")});
    REQUIRE(dense.exitCode == 0);
    INFO(dense.out.toStdString());
    const auto named = QRegularExpression(QStringLiteral("Texture check: (\\d+)% of the area "
                                                         "graded advanced or bald looks like hair"))
                           .match(dense.out);
    REQUIRE(named.hasMatch());
    CHECK(named.captured(1).toInt() >= 5);
    CHECK(reportText(dir, QStringLiteral("dense.pdf"))
              .contains(QStringLiteral("Texture check: %1% of the area graded advanced or bald")
                            .arg(named.captured(1))));
    REQUIRE(run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                      QStringLiteral("1000,450; 1200,450; 1200,700; 1000,700"),
                      QStringLiteral("--grade"), QStringLiteral("normal")})
                .exitCode == 0);
    // Again: nothing to change. On the backdrop without --beyond-outline: nothing either.
    CHECK(run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                    QStringLiteral("740,700;910,700;910,870;740,870"), QStringLiteral("--grade"),
                    QStringLiteral("normal")})
              .out.contains(QStringLiteral("Nothing to change")));
    REQUIRE(gradeAt(100, 400) == grade(smp::analysis::Grade::NotScalp));
    CHECK(run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                    QStringLiteral("40,320;200,320;200,500;40,500"), QStringLiteral("--grade"),
                    QStringLiteral("bald")})
              .out.contains(QStringLiteral("Nothing to change")));
    Result beyond =
        run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                  QStringLiteral("40,320;200,320;200,500;40,500"), QStringLiteral("--grade"),
                  QStringLiteral("bald"), QStringLiteral("--beyond-outline")});
    REQUIRE(beyond.exitCode == 0);
    CHECK(beyond.out.contains(QStringLiteral("map pixels bald on analysis 1")));
    CHECK(gradeAt(100, 400) == grade(smp::analysis::Grade::Bald));

    // Face points (mm on the calibrated photo) take everything below the brows off the map.
    const double mmPerPx = [&dir] {
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        return smp::storage::PhotoLibrary(db).currentCalibration(1)->mmPerPx;
    }();
    const QString face = dir.file(QStringLiteral("face.json"));
    {
        QFile file(face);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral("{\"glabella_mm\": [%1, %2], \"left_eye_corner_mm\": [%3, %4], "
                                  "\"right_eye_corner_mm\": [%5, %4]}")
                       .arg(800 * mmPerPx)
                       .arg(900 * mmPerPx)
                       .arg(800 * mmPerPx - 50)
                       .arg(900 * mmPerPx + 5)
                       .arg(800 * mmPerPx + 50)
                       .toUtf8());
    }
    REQUIRE(gradeAt(800, 1000) != grade(smp::analysis::Grade::NotScalp));
    // 45 mm of forehead above the glabella (y 900 - 270 px) go too; above that the map stays.
    const char aboveForehead = gradeAt(800, 560);
    REQUIRE(aboveForehead != grade(smp::analysis::Grade::NotScalp));
    Result faceOff =
        run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--face"), face});
    REQUIRE(faceOff.exitCode == 0);
    CHECK(faceOff.out.contains(QStringLiteral("map pixels not-scalp")));
    // What is taken off no longer counts in the whole-scalp coverage: the coverage of the rest is
    // given beside the analysis's.
    const QRegularExpression retaken(QStringLiteral(
        "Coverage ([0-9.]+)% of the scalp as corrected \\(([0-9.]+)% as analysed\\)"));
    const QRegularExpressionMatch coverage = retaken.match(faceOff.out);
    REQUIRE(coverage.hasMatch());
    CHECK(coverage.captured(2).toDouble() == Approx(asAnalysed).margin(0.05));
    const double ofTheRest = [&dir] {
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        smp::storage::AnalysisStore store(db);
        const smp::storage::StoredAnalysis latest = *store.latest(1);
        return smp::clinic::scalpCoverage(latest, store.correctedGrades(latest)).percent;
    }();
    CHECK(coverage.captured(1).toDouble() == Approx(ofTheRest).margin(0.05));
    // (141,915 map pixels of about the head's mean coverage: 63.7% -> 63.3%.)
    CHECK(ofTheRest != Approx(asAnalysed).margin(0.2));
    CHECK(gradeAt(800, 1000) == grade(smp::analysis::Grade::NotScalp));
    CHECK(gradeAt(824, 784) == grade(smp::analysis::Grade::NotScalp));
    CHECK(gradeAt(800, 560) == aboveForehead);

    // Mistakes are named.
    const auto refused = [&dir](QStringList options, const QString &message) {
        Result result =
            run(dir, QStringList{QStringLiteral("correct"), QStringLiteral("1")} + options);
        CHECK(result.exitCode == 2);
        CHECK(result.err.contains(message));
    };
    refused({QStringLiteral("--grade"), QStringLiteral("bald")},
            QStringLiteral("give one of --area (with --grade), --face or --take-back-all"));
    refused({QStringLiteral("--take-back-all"), QStringLiteral("--grade"), QStringLiteral("bald")},
            QStringLiteral("--take-back-all takes no --grade"));
    refused({QStringLiteral("--area"), QStringLiteral("1,1;2,2")},
            QStringLiteral("--area needs --grade"));
    refused({QStringLiteral("--area"), QStringLiteral("1,1;2,2"), QStringLiteral("--grade"),
             QStringLiteral("bald")},
            QStringLiteral("at least three corners"));
    refused({QStringLiteral("--area"), QStringLiteral("1,1;2,x;3,3"), QStringLiteral("--grade"),
             QStringLiteral("bald")},
            QStringLiteral("\"2,x\" is not a corner"));
    refused({QStringLiteral("--area"), QStringLiteral("1,1;nan,2;3,inf"), QStringLiteral("--grade"),
             QStringLiteral("bald")},
            QStringLiteral("\"nan,2\" is not a corner")); // Qt reads "nan" as a number
    refused({QStringLiteral("--area"), QStringLiteral("1,1;2,2;3,1"), QStringLiteral("--grade"),
             QStringLiteral("thin")},
            QStringLiteral("--grade: \"thin\" is not normal"));
    refused({QStringLiteral("--face"), face, QStringLiteral("--grade"), QStringLiteral("bald")},
            QStringLiteral("--face takes the face off the map"));

    // --take-back-all: the analysis's own grades on the whole map again, its correction tiles
    // gone (as the photo window's Edit > Take Back All Corrections); a second time there is
    // nothing.
    {
        const auto correctedIsAsAnalysed = [&dir] {
            smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
            smp::storage::AnalysisStore store(db);
            const auto latest = store.latest(1);
            return store.correctedGrades(*latest) == latest->grades &&
                   store.corrections(latest->id).empty();
        };
        REQUIRE_FALSE(correctedIsAsAnalysed());
        const Result takenBack = run(dir, {QStringLiteral("correct"), QStringLiteral("1"),
                                           QStringLiteral("--take-back-all")});
        CHECK(takenBack.exitCode == 0);
        CHECK(takenBack.out.contains(QStringLiteral("Took back the corrections of ")));
        CHECK(correctedIsAsAnalysed());
        const Result again = run(dir, {QStringLiteral("correct"), QStringLiteral("1"),
                                       QStringLiteral("--take-back-all")});
        CHECK(again.exitCode == 0);
        CHECK(again.out.contains(QStringLiteral("Nothing to take back")));
    }

    // A damaged stored analysis (its map no longer its stated size) takes no correction: it is
    // named, and no correction is stored.
    const auto correctionCount = [&dir] {
        smp::storage::Database db(dir.file(QStringLiteral("clinic.sqlite")));
        smp::storage::AnalysisStore store(db);
        return store.corrections(store.latest(1)->id).size();
    };
    const std::size_t correctionsBefore = correctionCount();
    smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
        .execute("UPDATE photo_analyses SET map_width = map_width + 1 WHERE photo_id = 1");
    const Result onDamaged =
        run(dir, {QStringLiteral("correct"), QStringLiteral("1"), QStringLiteral("--area"),
                  QStringLiteral("0,0;300,0;300,300"), QStringLiteral("--grade"),
                  QStringLiteral("bald")});
    CHECK(onDamaged.exitCode != 0);
    CHECK(onDamaged.err.contains(QStringLiteral("of photo 1 (")));
    CHECK(onDamaged.err.contains(QStringLiteral("its map does not match its size")));
    CHECK(onDamaged.err.contains(QStringLiteral("analyse the photo again")));
    CHECK(correctionCount() == correctionsBefore);

    // Nor is a plan made on it (its map was sampled past its end).
    const Result planOnDamaged = run(dir, {QStringLiteral("plan"), QStringLiteral("client:1")});
    CHECK(planOnDamaged.exitCode != 0);
    CHECK(planOnDamaged.err.contains(QStringLiteral("its map does not match its size")));
    CHECK(planOnDamaged.err.contains(QStringLiteral("analyse the photo again")));

    // Analysed again, the photo has a whole map; the damaged one's corrections, which have no
    // place on it, are said to be left behind rather than laid over it pixel for wrong pixel.
    const Result again = run(dir, {QStringLiteral("analyze"), QStringLiteral("1")});
    CHECK(again.exitCode == 0);
    CHECK(again.out.contains(QStringLiteral("Corrections not kept: analysis ")));
    CHECK(again.out.contains(QStringLiteral("its map does not match its size")));
    CHECK(correctionCount() == 0);
    const Result planned = run(dir, {QStringLiteral("plan"), QStringLiteral("client:1")});
    CHECK(planned.exitCode == 0);
}

TEST_CASE("smp plan makes, stores and exports a plan, and smp plan-metrics measures it",
          "[cli][planning]")
{
    ScratchDir dir;
    const QString sample = clientWithSamplePhoto(dir, QStringLiteral("Planned"));
    // No analysis yet: it says what to do.
    Result early = run(dir, {QStringLiteral("plan"), QStringLiteral("client:1")});
    CHECK(early.exitCode == 1);
    CHECK(early.err.contains(QStringLiteral("analyse a photo first")));
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")}).exitCode == 0);

    // A hairline across the front of the head (mm on the photo).
    const QString hairline = dir.file(QStringLiteral("hairline.json"));
    {
        QFile file(hairline);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(
            R"({"control_points_mm": [[50, 40], [90, 25], [130, 22], [170, 26], [210, 42]]})");
    }
    const QString csv = dir.file(QStringLiteral("dots.csv"));
    const QString svg = dir.file(QStringLiteral("map.svg"));
    const QString png = dir.file(QStringLiteral("map.png"));
    const QString preview = dir.file(QStringLiteral("preview.png"));
    Result planned =
        run(dir, {QStringLiteral("plan"), QStringLiteral("client:1"), QStringLiteral("--sessions"),
                  QStringLiteral("4"), QStringLiteral("--density"), QStringLiteral("120"),
                  QStringLiteral("--hairline"), hairline, QStringLiteral("--json"),
                  QStringLiteral("--dots"), csv, QStringLiteral("--map"), svg,
                  QStringLiteral("--preview-session"), QStringLiteral("2"), QStringLiteral("--out"),
                  preview, QStringLiteral("--save")});
    INFO(planned.err.toStdString());
    REQUIRE(planned.exitCode == 0);
    const QJsonObject plan = planned.json().object();
    CHECK(plan[QStringLiteral("plan_id")].toInt() == 1);
    CHECK(plan[QStringLiteral("density_dots_per_cm2")].toDouble() == 120);
    const QJsonArray sessions = plan[QStringLiteral("sessions")].toArray();
    REQUIRE(sessions.size() == 4);
    int total = 0, oneRL = 0;
    for (const auto &s : sessions) {
        total += s.toObject()[QStringLiteral("dots")].toInt();
        oneRL += s.toObject()[QStringLiteral("dots_1rl")].toInt();
    }
    CHECK(total == plan[QStringLiteral("dots")].toInt());
    CHECK(total > 1000);
    CHECK(oneRL > 0); // the hairline zone takes the single needle

    // The CSV has the promised header and one line per dot.
    QFile dots(csv);
    REQUIRE(dots.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = dots.readAll().split('\n');
    CHECK(lines[0] == "x_mm,y_mm,session,needle,fresh_diameter_mm,healed_diameter_mm,shade");
    CHECK(lines.size() - 2 == total); // header and the final newline
    // The SVG is 1:1 in millimetres; the preview shows photo and healed result side by side.
    QFile map(svg);
    REQUIRE(map.open(QIODevice::ReadOnly));
    CHECK(map.readAll().contains("mm\" height=\""));
    const QImage side(preview);
    REQUIRE(!side.isNull());
    CHECK(side.width() > 2 * 1000);

    // The stored plan exports the same dots again, as a PNG at 20 px per mm.
    Result again = run(dir, {QStringLiteral("plan"), QStringLiteral("plan:1"),
                             QStringLiteral("--map"), png, QStringLiteral("--json")});
    REQUIRE(again.exitCode == 0);
    CHECK(again.json().object()[QStringLiteral("dots")].toInt() == total);
    const QImage pigment(png);
    REQUIRE(!pigment.isNull());
    CHECK(pigment.dotsPerMeterX() == 20000);

    // The ears left out by a zones file: fewer dots, none inside; a bad file names the field.
    const QString zones = dir.file(QStringLiteral("zones.json"));
    {
        QFile file(zones);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"zones": [{"kind": "exclude", "outline_mm": [[40, 80], [60, 80], [60, 120],
                     [40, 120]]}, {"kind": "scar", "outline_mm": [[100, 150], [140, 150],
                     [140, 156], [100, 156]], "density_dots_per_cm2": 80}]})");
    }
    Result zoned =
        run(dir, {QStringLiteral("plan"), QStringLiteral("client:1"), QStringLiteral("--sessions"),
                  QStringLiteral("4"), QStringLiteral("--density"), QStringLiteral("120"),
                  QStringLiteral("--hairline"), hairline, QStringLiteral("--zones"), zones,
                  QStringLiteral("--json")});
    INFO(zoned.err.toStdString());
    REQUIRE(zoned.exitCode == 0);
    CHECK(zoned.json().object()[QStringLiteral("dots")].toInt() < total);
    CHECK(zoned.json().object()[QStringLiteral("treated_area_cm2")].toDouble() <
          plan[QStringLiteral("treated_area_cm2")].toDouble());
    {
        QFile file(zones);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"zones": [{"kind": "exclude", "outline_mm": [[40, 80], [60, 80]]}]})");
    }
    Result badZones = run(dir, {QStringLiteral("plan"), QStringLiteral("client:1"),
                                QStringLiteral("--zones"), zones});
    CHECK(badZones.exitCode != 0);
    CHECK(badZones.err.contains(QStringLiteral("zones.json")));
    CHECK(badZones.err.contains(QStringLiteral("zones[0].outline_mm")));

    // A preset hairline through the guides from face points (a front view's, here on the sample).
    const QString face = dir.file(QStringLiteral("face.json"));
    const auto writeFace = [&](const char *json) {
        QFile file(face);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(json);
    };
    writeFace(R"({"glabella_mm": [130, 170], "left_eye_corner_mm": [80, 180],
                  "right_eye_corner_mm": [180, 180]})");
    const QString presetJson = dir.file(QStringLiteral("preset-plan.json"));
    Result preset =
        run(dir, {QStringLiteral("plan"), QStringLiteral("client:1"), QStringLiteral("--face"),
                  face, QStringLiteral("--preset"), QStringLiteral("receded"),
                  QStringLiteral("--plan-json"), presetJson});
    INFO(preset.err.toStdString());
    REQUIRE(preset.exitCode == 0);
    QFile presetFile(presetJson);
    REQUIRE(presetFile.open(QIODevice::ReadOnly));
    const QJsonObject presetHairline = QJsonDocument::fromJson(presetFile.readAll())
                                           .object()[QStringLiteral("hairline")]
                                           .toObject();
    CHECK(presetHairline[QStringLiteral("treated_side")].toString() == QStringLiteral("above"));
    const QJsonArray presetPoints = presetHairline[QStringLiteral("control_points_mm")].toArray();
    REQUIRE(presetPoints.size() == 7);
    CHECK(presetPoints[3].toArray()[1].toDouble() == Approx(170 - 95)); // receded: 95 mm up
    Result badPreset =
        run(dir, {QStringLiteral("plan"), QStringLiteral("client:1"), QStringLiteral("--face"),
                  face, QStringLiteral("--preset"), QStringLiteral("bold")});
    CHECK(badPreset.exitCode != 0);
    CHECK(badPreset.err.contains(QStringLiteral("--preset")));
    writeFace(R"({"glabella_mm": [130, 170], "left_eye_corner_mm": [120, 180],
                  "right_eye_corner_mm": [140, 180]})");
    Result badFace = run(
        dir, {QStringLiteral("plan"), QStringLiteral("client:1"), QStringLiteral("--face"), face});
    CHECK(badFace.exitCode != 0);
    CHECK(badFace.err.contains(QStringLiteral("eye corners")));

    // The metrics of the dot list, as JSON.
    Result metrics = run(dir, {QStringLiteral("plan-metrics"), csv, QStringLiteral("--density"),
                               QStringLiteral("120"), QStringLiteral("--json")});
    REQUIRE(metrics.exitCode == 0);
    const QJsonObject m = metrics.json().object();
    CHECK(m[QStringLiteral("dots")].toInt() == total);
    const QJsonArray spread = m[QStringLiteral("spread")].toArray();
    REQUIRE(spread.size() == 1 + 4 + 2); // all, 4 sessions, runs 1-2 and 1-3
    CHECK(spread[0].toObject()[QStringLiteral("min_nn_over_spacing")].toDouble() > 0.5);

    // The mix follows the clinic's dilution table; the quote its price list.
    CHECK(plan[QStringLiteral("dilution")].toArray().size() == 4);
    CHECK(plan[QStringLiteral("quote")].toObject()[QStringLiteral("currency")].toString() ==
          QStringLiteral("USD"));
    QFile prices(dir.file(QStringLiteral("prices.json")));
    REQUIRE(prices.open(QIODevice::WriteOnly));
    prices.write(
        run(dir, {QStringLiteral("settings"), QStringLiteral("show"), QStringLiteral("prices")})
            .out
            .replace(QStringLiteral("\"per_session_price\": 0.0"),
                     QStringLiteral("\"per_session_price\": 650"))
            .toUtf8());
    prices.close();
    REQUIRE(run(dir, {QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("prices"),
                      prices.fileName()})
                .exitCode == 0);
    const QJsonObject quoted =
        run(dir, {QStringLiteral("plan"), QStringLiteral("plan:1"), QStringLiteral("--json")})
            .json()
            .object()[QStringLiteral("quote")]
            .toObject();
    CHECK(quoted[QStringLiteral("basis")].toString() == QStringLiteral("per session"));
    CHECK(quoted[QStringLiteral("total")].toDouble() == 4 * 650);
    QFile badTable(dir.file(QStringLiteral("bad-dilution.json")));
    REQUIRE(badTable.open(QIODevice::WriteOnly));
    badTable.write(R"({"dilution_table": [{"skin_type_min": 1, "skin_type_max": 9,
                       "first_pigment_share": 0.2, "last_pigment_share": 0.3}]})");
    badTable.close();
    Result refused = run(dir, {QStringLiteral("settings"), QStringLiteral("set"),
                               QStringLiteral("dilution"), badTable.fileName()});
    CHECK(refused.exitCode == 2);
    CHECK(refused.err.contains(QStringLiteral("skin_type_max")));
    CHECK(run(dir, {QStringLiteral("settings"), QStringLiteral("reset"), QStringLiteral("prices")})
              .exitCode == 0);

    // The clinic's defaults for a new plan: density, sessions and pace (impressions per minute).
    QFile defaults(dir.file(QStringLiteral("defaults.json")));
    REQUIRE(defaults.open(QIODevice::WriteOnly));
    defaults.write(R"({"density_dots_per_cm2": 90, "sessions": 4, "impressions_per_minute": 90})");
    defaults.close();
    REQUIRE(run(dir, {QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("defaults"),
                      defaults.fileName()})
                .exitCode == 0);
    CHECK(run(dir, {QStringLiteral("settings"), QStringLiteral("show"), QStringLiteral("defaults")})
              .out.contains(QStringLiteral("\"impressions_per_minute\": 90")));
    const QJsonObject byDefaults =
        run(dir, {QStringLiteral("plan"), QStringLiteral("client:1"), QStringLiteral("--json")})
            .json()
            .object();
    CHECK(byDefaults[QStringLiteral("density_dots_per_cm2")].toDouble() == 90);
    const QJsonArray fourSessions = byDefaults[QStringLiteral("sessions")].toArray();
    REQUIRE(fourSessions.size() == 4);
    // Twice the built-in pace: the first session takes about half as long per dot.
    const QJsonObject firstOfFour = fourSessions[0].toObject();
    CHECK(firstOfFour[QStringLiteral("minutes")].toDouble() <
          firstOfFour[QStringLiteral("dots")].toDouble() / 90 * 1.3);
    REQUIRE(defaults.open(QIODevice::WriteOnly | QIODevice::Truncate));
    defaults.write(R"({"sessions": 2.5})");
    defaults.close();
    Result badDefaults = run(dir, {QStringLiteral("settings"), QStringLiteral("set"),
                                   QStringLiteral("defaults"), defaults.fileName()});
    CHECK(badDefaults.exitCode == 2);
    CHECK(badDefaults.err.contains(QStringLiteral("'sessions'")));
    CHECK(
        run(dir, {QStringLiteral("settings"), QStringLiteral("reset"), QStringLiteral("defaults")})
            .exitCode == 0);

    // Bad input names the option or the line.
    Result badDensity = run(dir, {QStringLiteral("plan"), QStringLiteral("1"),
                                  QStringLiteral("--density"), QStringLiteral("110mm")});
    CHECK(badDensity.exitCode == 2);
    CHECK(badDensity.err.contains(QStringLiteral("--density")));
    QFile broken(dir.file(QStringLiteral("broken.csv")));
    REQUIRE(broken.open(QIODevice::WriteOnly));
    broken.write("x_mm,y_mm,session,needle,fresh_diameter_mm,healed_diameter_mm,shade\n1,2,1,3RL,"
                 "0.25,0.15,0.3\n1,2,x,3RL,0.25,0.15,0.3\n");
    broken.close();
    Result badCsv = run(dir, {QStringLiteral("plan-metrics"), broken.fileName()});
    CHECK(badCsv.exitCode == 2);
    CHECK(badCsv.err.contains(QStringLiteral("line 3, field session")));
}

namespace {

// The events of an iCalendar file as libical reads them: UID -> (start, sequence, cancelled).
struct IcsEvent
{
    qint64 start = 0;
    int sequence = 0;
    bool cancelled = false;
    bool allDay = false;
    QString summary;
};

std::map<QString, IcsEvent> readIcs(const QString &path)
{
    QFile file(path);
    REQUIRE(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    icalcomponent *calendar = icalparser_parse_string(text.constData());
    REQUIRE(calendar != nullptr);
    CHECK(icalcomponent_count_errors(calendar) == 0);
    std::map<QString, IcsEvent> events;
    for (icalcomponent *e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); e;
         e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
        IcsEvent event;
        const icaltimetype start = icalcomponent_get_dtstart(e);
        event.allDay = start.is_date;
        event.start = static_cast<qint64>(icaltime_as_timet(start));
        event.sequence =
            icalproperty_get_sequence(icalcomponent_get_first_property(e, ICAL_SEQUENCE_PROPERTY));
        event.cancelled = icalcomponent_get_status(e) == ICAL_STATUS_CANCELLED;
        event.summary = QString::fromUtf8(icalcomponent_get_summary(e));
        events[QString::fromUtf8(icalcomponent_get_uid(e))] = event;
    }
    icalcomponent_free(calendar);
    return events;
}

} // namespace

TEST_CASE("smp schedule proposes, books, moves with checks and exports iCalendar", "[cli]")
{
    ScratchDir dir;
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Okafor"), QStringLiteral("--given"), QStringLiteral("Maria")});
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Singh")});
    // No plan yet: it says what to do.
    Result early =
        run(dir, {QStringLiteral("schedule"), QStringLiteral("propose"), QStringLiteral("1")});
    CHECK(early.exitCode == 1);
    CHECK(early.err.contains(QStringLiteral("no saved plan")));
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    for (const char *client : {"1", "2"})
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QString::fromLatin1(client),
                  sample, QStringLiteral("--view"), QStringLiteral("top")});
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")}).exitCode == 0);
    REQUIRE(run(dir, {QStringLiteral("plan"), QStringLiteral("1"), QStringLiteral("--save")})
                .exitCode == 0);

    // The clinic: Berlin, closed over Christmas.
    const QString settings = dir.file(QStringLiteral("schedule.json"));
    {
        QFile file(settings);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"time_zone": "Europe/Berlin",
            "hours": {"mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"],
                      "wed": ["09:00", "18:00"], "thu": ["09:00", "18:00"],
                      "fri": ["09:00", "18:00"], "sat": null, "sun": null},
            "closures": [{"from": "2026-12-24", "to": "2027-01-01", "reason": "Holidays"}],
            "interval_days": {"minimum": 7, "preferred_from": 10, "preferred_to": 14},
            "recall_years": 3, "clinic_name": "Test Clinic"})");
    }
    REQUIRE(run(dir, {QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("schedule"),
                      settings})
                .exitCode == 0);
    // Maria comes on Tuesdays and Thursdays after 13:00.
    REQUIRE(run(dir, {QStringLiteral("schedule"), QStringLiteral("prefs"), QStringLiteral("1"),
                      QStringLiteral("--days"), QStringLiteral("tue,thu"),
                      QStringLiteral("--earliest"), QStringLiteral("13:00")})
                .exitCode == 0);
    Result proposed =
        run(dir, {QStringLiteral("schedule"), QStringLiteral("propose"), QStringLiteral("1"),
                  QStringLiteral("--from"), QStringLiteral("2026-12-07"), QStringLiteral("--book"),
                  QStringLiteral("--json")});
    INFO(proposed.err.toStdString());
    REQUIRE(proposed.exitCode == 0);
    const QJsonObject p = proposed.json().object();
    const QJsonArray proposedSlots = p[QStringLiteral("appointments")].toArray();
    REQUIRE(proposedSlots.size() == 3);
    QDate previous;
    for (const auto &v : proposedSlots) {
        const QDateTime start = QDateTime::fromString(
            v.toObject()[QStringLiteral("start_local")].toString(), Qt::ISODate);
        const QDate day = start.date();
        CHECK((day.dayOfWeek() == 2 || day.dayOfWeek() == 4));
        CHECK(start.time() >= QTime(13, 0));
        CHECK((day < QDate(2026, 12, 24) || day > QDate(2027, 1, 1)));
        if (previous.isValid())
            CHECK(previous.daysTo(day) >= 7);
        previous = day;
    }
    CHECK(p[QStringLiteral("booked")].toBool());
    CHECK(p[QStringLiteral("recall")].toString().startsWith(QStringLiteral("2030-")));

    // The clinic calendar and the client's own calendar, read by libical.
    const QString clinicIcs = dir.file(QStringLiteral("clinic.ics"));
    const QString clientIcs = dir.file(QStringLiteral("maria.ics"));
    REQUIRE(run(dir, {QStringLiteral("schedule"), QStringLiteral("export"), clinicIcs}).exitCode ==
            0);
    REQUIRE(run(dir, {QStringLiteral("schedule"), QStringLiteral("export"), clientIcs,
                      QStringLiteral("--client"), QStringLiteral("1")})
                .exitCode == 0);
    const auto first = readIcs(clinicIcs);
    REQUIRE(first.size() == 4); // three sessions and the recall
    CHECK(readIcs(clientIcs).size() == 4);
    int allDay = 0;
    for (const auto &[uid, e] : first) {
        CHECK(uid.endsWith(QStringLiteral("@smp-planner")));
        allDay += e.allDay;
        CHECK(e.summary.contains(QStringLiteral("Maria Okafor")));
    }
    CHECK(allDay == 1);

    // Moving session 2 under the minimum interval: a warning, nothing moved without --yes.
    const qint64 second = proposedSlots[1].toObject()[QStringLiteral("appointment_id")].toInteger();
    const QString secondId = QString::number(second);
    const QDate firstDay =
        QDateTime::fromString(proposedSlots[0].toObject()[QStringLiteral("start_local")].toString(),
                              Qt::ISODate)
            .date();
    const QString tooSoon = firstDay.addDays(2).toString(Qt::ISODate) + QStringLiteral("T14:00");
    Result warned =
        run(dir, {QStringLiteral("schedule"), QStringLiteral("move"), secondId, tooSoon});
    CHECK(warned.exitCode == 3);
    CHECK(warned.err.contains(QStringLiteral("only 2 days after the previous session")));
    // Onto session 1 itself: a double booking is refused, even with --yes.
    const QString clash =
        proposedSlots[0].toObject()[QStringLiteral("start_local")].toString().left(16);
    Result refused = run(dir, {QStringLiteral("schedule"), QStringLiteral("move"), secondId, clash,
                               QStringLiteral("--yes")});
    CHECK(refused.exitCode == 1);
    CHECK(refused.err.contains(QStringLiteral("overlaps")));
    // A day later with the later session: both move, each once more in the calendar.
    const QDateTime secondStart = QDateTime::fromString(
        proposedSlots[1].toObject()[QStringLiteral("start_local")].toString(), Qt::ISODate);
    const QString later = secondStart.addDays(2).toString(QStringLiteral("yyyy-MM-dd'T'HH:mm"));
    Result moved =
        run(dir, {QStringLiteral("schedule"), QStringLiteral("move"), secondId, later,
                  QStringLiteral("--later"), QStringLiteral("--yes"), QStringLiteral("--json")});
    INFO(moved.err.toStdString());
    REQUIRE(moved.exitCode == 0);
    CHECK(moved.json().object()[QStringLiteral("moves")].toArray().size() == 2);
    REQUIRE(run(dir, {QStringLiteral("schedule"), QStringLiteral("mark"), QStringLiteral("1"),
                      QStringLiteral("no-show")})
                .exitCode == 0);

    // The re-export updates the same events (same UIDs, higher SEQUENCE) instead of adding any.
    REQUIRE(run(dir, {QStringLiteral("schedule"), QStringLiteral("export"), clinicIcs}).exitCode ==
            0);
    const auto again = readIcs(clinicIcs);
    REQUIRE(again.size() == first.size());
    int changed = 0;
    for (const auto &[uid, e] : again) {
        REQUIRE(first.count(uid) == 1);
        if (e.start != first.at(uid).start) {
            ++changed;
            CHECK(e.sequence > first.at(uid).sequence);
            CHECK(e.start - first.at(uid).start == 2 * 86400);
        }
    }
    CHECK(changed == 2);

    // What was done at session 1, and the listing.
    REQUIRE(
        run(dir,
            {QStringLiteral("schedule"), QStringLiteral("record"),
             QString::number(
                 proposedSlots[0].toObject()[QStringLiteral("appointment_id")].toInteger()),
             QStringLiteral("--dilution"), QStringLiteral("3 ml water : 1 ml pigment"),
             QStringLiteral("--needle"), QStringLiteral("3RL 0.25"), QStringLiteral("--minutes"),
             QStringLiteral("95"), QStringLiteral("--after-photo"), QStringLiteral("1")})
            .exitCode == 0);
    Result listed =
        run(dir, {QStringLiteral("schedule"), QStringLiteral("list"), QStringLiteral("--from"),
                  QStringLiteral("2026-12-01"), QStringLiteral("--to"),
                  QStringLiteral("2027-03-01"), QStringLiteral("--json")});
    REQUIRE(listed.exitCode == 0);
    const QJsonArray rows = listed.json().array();
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].toObject()[QStringLiteral("status")].toString() == QStringLiteral("done"));
    // Bad input names what is wrong.
    Result badTime = run(dir, {QStringLiteral("schedule"), QStringLiteral("move"), secondId,
                               QStringLiteral("next tuesday")});
    CHECK(badTime.exitCode == 2);
    CHECK(badTime.err.contains(QStringLiteral("WHEN")));
    {
        QFile file(settings);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"time_zone": "Mars/Olympus"})");
    }
    Result badZone = run(dir, {QStringLiteral("settings"), QStringLiteral("set"),
                               QStringLiteral("schedule"), settings});
    CHECK(badZone.exitCode == 2);
    CHECK(badZone.err.contains(QStringLiteral("time_zone")));
}

TEST_CASE("smp report writes the consultation report and smp aftercare the aftercare sheet, and "
          "pdftotext finds every section and the records' numbers",
          "[cli][report]")
{
    ScratchDir dir;
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Ferreira"), QStringLiteral("--given"), QStringLiteral("Tomás"),
              QStringLiteral("--skin-type"), QStringLiteral("III")});
    run(dir, {QStringLiteral("screening"), QStringLiteral("set"), QStringLiteral("1"),
              QStringLiteral("keloid=none"), QStringLiteral("anticoagulants=needs_clearance")});
    const QString sample = dir.file(QStringLiteral("sample.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), sample}).exitCode == 0);
    run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"), sample,
              QStringLiteral("--view"), QStringLiteral("top")});
    Result analysed =
        run(dir, {QStringLiteral("analyze"), QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(analysed.exitCode == 0);
    Result planned = run(dir, {QStringLiteral("plan"), QStringLiteral("1"),
                               QStringLiteral("--save"), QStringLiteral("--json")});
    REQUIRE(planned.exitCode == 0);
    const int dots = planned.json().object()[QStringLiteral("dots")].toInt();
    const QString settings = dir.file(QStringLiteral("s.json"));
    {
        QFile file(settings);
        REQUIRE(file.open(QIODevice::WriteOnly));
        file.write(R"({"time_zone": "Europe/Berlin"})");
    }
    REQUIRE(run(dir, {QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("schedule"),
                      settings})
                .exitCode == 0);
    {
        QFile file(settings);
        REQUIRE(file.open(QIODevice::WriteOnly));
        // A logo drawn for the test, 200 px square (over 300 dpi at its 14 mm in the header).
        QImage logo(200, 200, QImage::Format_RGB32);
        logo.fill(QColor(30, 60, 110));
        REQUIRE(logo.save(dir.file(QStringLiteral("logo.png"))));
        file.write(
            QStringLiteral(R"({"clinic_name": "Northside SMP Studio", "address": "12 Harbour Road",
                       "contact": "+1 555 0199", "locale": "en_US", "logo": "%1"})")
                .arg(dir.file(QStringLiteral("logo.png")))
                .toUtf8());
    }
    REQUIRE(run(dir, {QStringLiteral("settings"), QStringLiteral("set"), QStringLiteral("report"),
                      settings})
                .exitCode == 0);
    Result booked =
        run(dir, {QStringLiteral("schedule"), QStringLiteral("propose"), QStringLiteral("1"),
                  QStringLiteral("--from"), QStringLiteral("2026-12-07"), QStringLiteral("--book"),
                  QStringLiteral("--json")});
    REQUIRE(booked.exitCode == 0);
    const QJsonArray appointments =
        booked.json().object()[QStringLiteral("appointments")].toArray();

    const QString pdf = dir.file(QStringLiteral("report.pdf"));
    Result report = run(dir, {QStringLiteral("report"), QStringLiteral("1"),
                              QStringLiteral("--out"), pdf, QStringLiteral("--json")});
    INFO(report.err.toStdString());
    REQUIRE(report.exitCode == 0);
    const int pages = report.json().object()[QStringLiteral("pages")].toInt();
    CHECK(pages >= 3);
    const QString text =
        poppler(QStringLiteral("pdftotext"), {QStringLiteral("-layout"), pdf, QStringLiteral("-")});
    for (const char *section :
         {"Consultation report", "Northside SMP Studio", "12 Harbour Road", "Tomás Ferreira",
          "The scalp today", "The treatment plan", "How it should look, healed",
          "Sessions and quote", "Schedule", "Health screening", "Aftercare after each session",
          "Consent", "Signature: client", "Signature: technician"})
        CHECK(text.contains(QString::fromUtf8(section)));
    CHECK(text.contains(QStringLiteral("Page %1 of %1").arg(pages)));
    // The numbers of the records: the graded areas, the dots, the dates, the prices.
    const QLocale us(QStringLiteral("en_US"));
    int areas = 0;
    for (const auto &region : analysed.json().object()[QStringLiteral("regions")].toArray()) {
        const QJsonObject r = region.toObject();
        if (r[QStringLiteral("grade")].toString() == QStringLiteral("advanced")) {
            ++areas;
            CHECK(text.contains(
                QStringLiteral("%1 cm²").arg(r[QStringLiteral("area_cm2")].toDouble(), 0, 'f', 1)));
        }
    }
    CHECK(areas > 0);
    CHECK(text.contains(us.toString(dots)));
    const QDateTime first = QDateTime::fromString(
        appointments[0].toObject()[QStringLiteral("start_local")].toString(), Qt::ISODate);
    CHECK(text.contains(us.toString(first.date(), QLocale::LongFormat)));
    CHECK(text.contains(QStringLiteral("$2,500")));
    // The flagged screening answer (its table cell may wrap), and the summary line above it.
    CHECK(text.contains(QStringLiteral("needs a doctor")));
    // In English plural forms (clinic::installPluralForms), not the source text's "(s)".
    CHECK(text.contains(QStringLiteral("1 item needs attention")));
    // The aftercare dates count from the first session.
    CHECK(text.contains(us.toString(first.date().addDays(4), QLocale::LongFormat)));
    // Short dates (the photo's caption, every page's header) read the same in any country:
    // "4 Dec 2026", not en_US's "12/4/26".
    const QString today = us.toString(QDate::currentDate(), QStringLiteral("d MMM yyyy"));
    CHECK(text.contains(QStringLiteral("Report of %1").arg(today)));
    CHECK(text.contains(QStringLiteral("top view, %1").arg(today)));
    CHECK_FALSE(text.contains(us.toString(QDate::currentDate(), QLocale::ShortFormat)));
    // Every image is at least 150 dpi where it is printed.
    const QStringList images = poppler(QStringLiteral("pdfimages"), {QStringLiteral("-list"), pdf})
                                   .split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                                   .mid(2);
    REQUIRE(images.size() >= 4);
    for (const QString &line : images) {
        const QStringList f = line.simplified().split(QLatin1Char(' '));
        REQUIRE(f.size() > 13);
        INFO(line.toStdString());
        CHECK(f[12].toInt() >= 150); // x-ppi
        CHECK(f[13].toInt() >= 150); // y-ppi
    }
    // The pages as images, and US Letter on request.
    poppler(QStringLiteral("pdftoppm"),
            {QStringLiteral("-r"), QStringLiteral("30"), QStringLiteral("-png"), pdf,
             dir.file(QStringLiteral("page"))});
    CHECK(QFile::exists(dir.file(QStringLiteral("page-1.png"))));
    CHECK(poppler(QStringLiteral("pdfinfo"), {pdf}).contains(QStringLiteral("(A4)")));
    Result letter =
        run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--out"), pdf,
                  QStringLiteral("--page-size"), QStringLiteral("Letter")});
    REQUIRE(letter.exitCode == 0);
    CHECK(poppler(QStringLiteral("pdfinfo"), {pdf})
              .contains(QStringLiteral("612 x 792 pts (letter)")));
    Result badSize =
        run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--out"), pdf,
                  QStringLiteral("--page-size"), QStringLiteral("A3")});
    CHECK(badSize.exitCode == 2);
    CHECK(badSize.err.contains(QStringLiteral("--page-size")));

    // The aftercare sheet of session 1: its dates and the next appointment.
    const QString aftercare = dir.file(QStringLiteral("aftercare.pdf"));
    const QString firstId =
        QString::number(appointments[0].toObject()[QStringLiteral("appointment_id")].toInteger());
    REQUIRE(run(dir, {QStringLiteral("aftercare"), firstId, QStringLiteral("--out"), aftercare})
                .exitCode == 0);
    const QString sheet = poppler(QStringLiteral("pdftotext"),
                                  {QStringLiteral("-layout"), aftercare, QStringLiteral("-")});
    CHECK(sheet.contains(QStringLiteral("Aftercare")));
    CHECK(sheet.contains(us.toString(first.date().addDays(4), QLocale::LongFormat)));
    CHECK(sheet.contains(us.toString(first.date().addDays(29), QLocale::LongFormat)));
    const QDateTime second = QDateTime::fromString(
        appointments[1].toObject()[QStringLiteral("start_local")].toString(), Qt::ISODate);
    CHECK(sheet.contains(us.toString(second.date(), QLocale::LongFormat)));
    CHECK(sheet.contains(QStringLiteral("+1 555 0199")));
    CHECK(poppler(QStringLiteral("pdfinfo"), {aftercare})
              .contains(QRegularExpression(QStringLiteral("Pages:\\s+1\\n"))));
}

TEST_CASE("smp compare aligns an after photo onto the before photo and measures the change",
          "[cli][compare]")
{
    ScratchDir dir;
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Compared")});
    run(dir, {QStringLiteral("client"), QStringLiteral("add"), QStringLiteral("--family"),
              QStringLiteral("Other")});
    const QString before = dir.file(QStringLiteral("before.png"));
    REQUIRE(run(dir, {QStringLiteral("sample-photo"), before}).exitCode == 0);
    // The after photo: the same head a little closer and turned by 2 degrees, in dimmer light.
    const QString after = dir.file(QStringLiteral("after.png"));
    {
        const QImage source(before);
        QImage image(source.size(), QImage::Format_RGB32);
        image.fill(QColor(150, 150, 155));
        QPainter painter(&image);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        QTransform t;
        t.translate(source.width() / 2.0, source.height() / 2.0);
        t.rotate(2);
        t.scale(1.03, 1.03);
        t.translate(-source.width() / 2.0, -source.height() / 2.0);
        painter.setTransform(t);
        painter.drawImage(0, 0, source);
        painter.resetTransform();
        painter.fillRect(image.rect(), QColor(0, 0, 0, 20));
        painter.end();
        REQUIRE(image.save(after));
    }
    for (const QString &file : {before, after})
        REQUIRE(run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                          file, QStringLiteral("--view"), QStringLiteral("top")})
                    .exitCode == 0);
    run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("2"), before,
              QStringLiteral("--view"), QStringLiteral("top")});
    for (const char *photo : {"1", "2"})
        REQUIRE(run(dir, {QStringLiteral("analyze"), QString::fromLatin1(photo)}).exitCode == 0);
    const QString side = dir.file(QStringLiteral("side.png"));
    const QString blend = dir.file(QStringLiteral("blend.png"));
    Result compared = run(dir, {QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2"),
                                QStringLiteral("--json"), QStringLiteral("--out"), side,
                                QStringLiteral("--blend"), blend});
    INFO(compared.err.toStdString());
    REQUIRE(compared.exitCode == 0);
    const QJsonObject c = compared.json().object();
    CHECK(c[QStringLiteral("aligned")].toBool());
    CHECK_FALSE(c[QStringLiteral("poor")].toBool());
    CHECK(c[QStringLiteral("residual_px")].toDouble() < 1.5);
    // The transform maps the after photo's centre back onto the before photo's centre.
    const QJsonArray h = c[QStringLiteral("transform_b_to_a")].toArray();
    REQUIRE(h.size() == 9);
    const double w = h[6].toDouble() * 800 + h[7].toDouble() * 600 + h[8].toDouble();
    CHECK((h[0].toDouble() * 800 + h[1].toDouble() * 600 + h[2].toDouble()) / w ==
          Approx(800).margin(1.5));
    CHECK((h[3].toDouble() * 800 + h[4].toDouble() * 600 + h[5].toDouble()) / w ==
          Approx(600).margin(1.5));
    // The same head: the coverage hardly changes, in the area and in each region.
    CHECK(c[QStringLiteral("coverage_before")].toDouble() > 0.1);
    CHECK(c[QStringLiteral("coverage_after")].toDouble() ==
          Approx(c[QStringLiteral("coverage_before")].toDouble()).margin(0.05));
    CHECK(c[QStringLiteral("regions")].toArray().size() > 2);
    CHECK(c[QStringLiteral("timeline")].toArray().size() == 2);
    CHECK(c[QStringLiteral("timeline_note")].toString().isEmpty()); // both read by this version
    CHECK(QImage(side).width() > 2 * 1500);
    // The before photo's analysis made by an earlier version (before an update): the coverage
    // over time says it mixes versions, and what to do.
    {
        smp::storage::Database(dir.file(QStringLiteral("clinic.sqlite")))
            .execute("UPDATE photo_analyses SET version = '1.19' WHERE photo_id = 1");
        const Result mixedVersions =
            run(dir, {QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2")});
        CHECK(mixedVersions.exitCode == 0);
        CHECK(mixedVersions.out.contains(
            QStringLiteral("The coverage over time was read by versions 1.19, %1 of the analysis")
                .arg(QString::fromStdString(smp::analysis::Result().algorithmVersion))));
        // The consultation report says which of its photos the earlier version read.
        const Result report =
            run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--out"),
                      dir.file(QStringLiteral("r.pdf"))});
        CHECK(report.exitCode == 0);
        CHECK(report.out.contains(QStringLiteral("Note: analysed by another version")));
        CHECK(report.out.contains(QStringLiteral("photo 1 (")));
        CHECK(report.out.contains(QStringLiteral("), version 1.19")));
        REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")}).exitCode == 0);
        const Result again = run(dir, {QStringLiteral("compare"), QStringLiteral("1"),
                                       QStringLiteral("2"), QStringLiteral("--json")});
        CHECK(again.json().object()[QStringLiteral("timeline_note")].toString().isEmpty());
    }
    CHECK(QImage(blend).size() == QSize(1600, 1200));
    // Photos of two clients, and too few hand-placed points, are refused with the reason.
    Result mixed = run(dir, {QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("3")});
    CHECK(mixed.exitCode == 1);
    CHECK(mixed.err.contains(QStringLiteral("different clients")));
    Result few = run(dir, {QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2"),
                           QStringLiteral("--points"), QStringLiteral("1,1:2,2;3,3:4,4")});
    CHECK(few.exitCode == 2);
    CHECK(few.err.contains(QStringLiteral("--points")));
    // The clinician's sign-off, stored with what was measured and in the audit trail.
    Result reviewed = run(dir, {QStringLiteral("review"), QStringLiteral("1"), QStringLiteral("2"),
                                QStringLiteral("--reviewer"), QStringLiteral("Dr. Lindqvist"),
                                QStringLiteral("--approved"), QStringLiteral("--notes"),
                                QStringLiteral("Even result"), QStringLiteral("--json")});
    REQUIRE(reviewed.exitCode == 0);
    CHECK(reviewed.json().object()[QStringLiteral("approved")].toBool());
    Result audit =
        run(dir, {QStringLiteral("audit"), QStringLiteral("--client"), QStringLiteral("1")});
    CHECK(audit.out.contains(QStringLiteral("approved by Dr. Lindqvist")));
    // The progress report: the pair aligned, the change measured, the review.
    const QString progress = dir.file(QStringLiteral("progress.pdf"));
    REQUIRE(run(dir, {QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--progress"),
                      QStringLiteral("--out"), progress})
                .exitCode == 0);
    const QString progressText = poppler(
        QStringLiteral("pdftotext"), {QStringLiteral("-layout"), progress, QStringLiteral("-")});
    CHECK(progressText.contains(QStringLiteral("Progress report")));
    CHECK(progressText.contains(QStringLiteral("Top view")));
    CHECK(progressText.contains(QStringLiteral("Treatment area")));
    CHECK(progressText.contains(QStringLiteral("%1%").arg(
        100 * c[QStringLiteral("coverage_before")].toDouble(), 0, 'f', 1)));
    CHECK(progressText.contains(QStringLiteral("approved by Dr. Lindqvist")));
    // One visit (both top views taken today), staged from its two photos.
    const qsizetype stagesAt = progressText.indexOf(QStringLiteral("The client's stage by visit"));
    CHECK(stagesAt >= 0);
    CHECK(progressText.indexOf(QStringLiteral("Norwood "), stagesAt) > stagesAt);
    Result undecided = run(dir, {QStringLiteral("review"), QStringLiteral("1"), QStringLiteral("2"),
                                 QStringLiteral("--reviewer"), QStringLiteral("Dr. L")});
    CHECK(undecided.exitCode == 2);
    CHECK(undecided.err.contains(QStringLiteral("--approved")));
}

TEST_CASE("a photo file damaged in the library is named, not read: analyze, report, compare",
          "[cli][report][analysis]")
{
    ScratchDir dir;
    const QString sample = clientWithSamplePhoto(dir, QStringLiteral("Damaged"));
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")}).exitCode == 0);
    // A second top view (the sample turned upside down), analysed, then its file in the
    // library cut short (a disk fault): decoded, it showed a grey band, silently.
    const QString turned = dir.file(QStringLiteral("turned.png"));
    REQUIRE(QImage(sample).transformed(QTransform().rotate(180)).save(turned));
    REQUIRE(run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                      turned, QStringLiteral("--view"), QStringLiteral("top")})
                .exitCode == 0);
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("2")}).exitCode == 0);
    const Result listed = run(dir, {QStringLiteral("photo"), QStringLiteral("list"),
                                    QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(listed.exitCode == 0);
    const QString stored = listed.json().array().at(1)[QStringLiteral("file")].toString();
    REQUIRE(QFileInfo::exists(stored));
    QFile file(stored);
    REQUIRE(file.open(QIODevice::ReadWrite));
    REQUIRE(file.resize(file.size() / 2));
    file.close();

    // `smp photo list` says which file cannot be used, and why.
    const Result listedAfter = run(dir, {QStringLiteral("photo"), QStringLiteral("list"),
                                         QStringLiteral("1"), QStringLiteral("--json")});
    REQUIRE(listedAfter.exitCode == 0);
    CHECK(listedAfter.json().array().at(0)[QStringLiteral("file_ok")].toBool());
    CHECK_FALSE(
        listedAfter.json().array().at(0).toObject().contains(QStringLiteral("file_problem")));
    CHECK_FALSE(listedAfter.json().array().at(1)[QStringLiteral("file_ok")].toBool());
    CHECK(listedAfter.json().array().at(1)[QStringLiteral("file_problem")].toString().contains(
        QStringLiteral("has changed since it was imported")));
    const Result listedText =
        run(dir, {QStringLiteral("photo"), QStringLiteral("list"), QStringLiteral("1")});
    CHECK(listedText.out.count(QStringLiteral("FILE PROBLEM")) == 1);
    CHECK(listedText.out.contains(QStringLiteral("FILE PROBLEM: photo 2 (turned.png): its file")));

    const Result analysed = run(dir, {QStringLiteral("analyze"), QStringLiteral("2")});
    CHECK(analysed.exitCode != 0);
    CHECK(analysed.err.contains(QStringLiteral("photo 2 (turned.png): its file")));
    CHECK(analysed.err.contains(QStringLiteral("has changed since it was imported")));

    // The consultation report names it (the newest top view) and the progress report the pair
    // it cannot compare; both print. (pdftotext writes "fi" as one ligature character.)
    const QString text = reportText(dir, QStringLiteral("consultation.pdf"));
    CHECK(text.contains(QStringLiteral("Photo not shown: photo 2 (turned.png): its ")));
    CHECK(text.contains(QStringLiteral("has changed since it was imported")));
    const QString progressText =
        reportText(dir, QStringLiteral("progress.pdf"), {QStringLiteral("--progress")});
    CHECK(progressText.contains(QStringLiteral("Not compared: photo 2 (turned.png): its ")));
    const Result compared =
        run(dir, {QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2")});
    CHECK(compared.exitCode != 0);
    CHECK(compared.err.contains(QStringLiteral("has changed since it was imported")));

    // `smp db check` finds it (it looked only for missing files).
    const Result check =
        run(dir, {QStringLiteral("db"), QStringLiteral("check"), QStringLiteral("--json")});
    CHECK(check.exitCode == 1);
    const QJsonArray changed =
        check.json().object()[QStringLiteral("photos_with_changed_file")].toArray();
    REQUIRE(changed.size() == 1);
    CHECK(changed.at(0)[QStringLiteral("id")].toInt() == 2);
    const Result checkText = run(dir, {QStringLiteral("db"), QStringLiteral("check")});
    CHECK(checkText.out.contains(QStringLiteral("1 changed since import")));
    CHECK(checkText.out.contains(QStringLiteral("photo 2 of client 1: file ")));
    // A backup does not take it (nor copy it over a good copy): exit 1, naming it.
    const Result backup = run(dir, {QStringLiteral("db"), QStringLiteral("backup"),
                                    dir.file(QStringLiteral("backup.sqlite"))});
    CHECK(backup.exitCode == 1);
    CHECK(backup.err.contains(QStringLiteral("has changed since it was imported (damaged): not "
                                             "backed up")));
    // The backup itself checks out whole without the damaged file's photo, which it names as
    // missing; `db verify-backup` needs no database of its own.
    const Result verified =
        run(dir, {QStringLiteral("db"), QStringLiteral("verify-backup"),
                  dir.file(QStringLiteral("backup.sqlite")), QStringLiteral("--json")});
    CHECK(verified.exitCode == 1);
    CHECK(verified.json().object()[QStringLiteral("photos")].toInt() == 2);
    const QJsonArray backupProblems =
        verified.json().object()[QStringLiteral("problems")].toArray();
    REQUIRE(backupProblems.size() == 1);
    CHECK(backupProblems.at(0).toString().startsWith(
        QStringLiteral("photo 2 of client 1 (turned.png): its file")));
    CHECK(backupProblems.at(0).toString().contains(QStringLiteral("is missing from the backup")));
    const Result verifiedText = run(dir, {QStringLiteral("db"), QStringLiteral("verify-backup"),
                                          dir.file(QStringLiteral("backup.sqlite"))});
    CHECK(verifiedText.exitCode == 1);
    CHECK(verifiedText.out.contains(QStringLiteral("2 photo files checked")));
    CHECK(verifiedText.out.contains(QStringLiteral("PROBLEMS FOUND")));
    const Result notABackup = run(dir, {QStringLiteral("db"), QStringLiteral("verify-backup"),
                                        dir.file(QStringLiteral("nothing.sqlite"))});
    CHECK(notABackup.exitCode != 0);
    CHECK(notABackup.err.contains(QStringLiteral("nothing.sqlite\" does not exist")));

    // Its file gone altogether: said so.
    REQUIRE(QFile::remove(stored));
    const Result missing = run(dir, {QStringLiteral("analyze"), QStringLiteral("2")});
    CHECK(missing.exitCode != 0);
    CHECK(missing.err.contains(QStringLiteral("is missing from the photo library")));
    // Importing the original again puts it back, and says so (it was a silent "skipped").
    const Result mended =
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"), turned,
                  QStringLiteral("--view"), QStringLiteral("top")});
    CHECK(mended.exitCode == 0);
    CHECK(mended.out.startsWith(QStringLiteral("Mended: photo \"")));
    CHECK(mended.out.contains(QStringLiteral("(photo 2); its missing file in the library is put "
                                             "back from this copy")));
    CHECK(run(dir, {QStringLiteral("analyze"), QStringLiteral("2")}).exitCode == 0);
    const Result again =
        run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"), turned,
                  QStringLiteral("--view"), QStringLiteral("top"), QStringLiteral("--json")});
    CHECK(again.json().object()[QStringLiteral("mended")].toArray().isEmpty());
    CHECK(again.json().object()[QStringLiteral("duplicates")].toArray().size() == 1);
}

TEST_CASE("smp db verify-backup and db restore name a backup copied without its photo folder",
          "[cli][backup]")
{
    ScratchDir dir;
    clientWithSamplePhoto(dir, QStringLiteral("Moved"));
    REQUIRE(run(dir, {QStringLiteral("db"), QStringLiteral("backup"),
                      dir.file(QStringLiteral("backup.sqlite"))})
                .exitCode == 0);
    const Result sound = run(dir, {QStringLiteral("db"), QStringLiteral("verify-backup"),
                                   dir.file(QStringLiteral("backup.sqlite"))});
    CHECK(sound.exitCode == 0);
    CHECK(sound.out.contains(QStringLiteral("1 photo file checked")));
    CHECK(sound.out.contains(QStringLiteral("OK: the backup can be restored")));

    // The database file alone on the "USB stick".
    REQUIRE(QDir().mkpath(dir.file(QStringLiteral("usb"))));
    const QString alone = dir.file(QStringLiteral("usb/backup.sqlite"));
    REQUIRE(QFile::copy(dir.file(QStringLiteral("backup.sqlite")), alone));
    const Result verified =
        run(dir, {QStringLiteral("db"), QStringLiteral("verify-backup"), alone});
    CHECK(verified.exitCode == 1);
    CHECK(verified.out.contains(QStringLiteral("the backup's photo folder \"%1.photos\" is "
                                               "missing, so none of its 1 photos")
                                    .arg(alone)));
    // Restored on another machine from it: the records come back, exit 1, the photo named.
    ScratchDir elsewhere;
    const Result restored =
        run(elsewhere, {QStringLiteral("db"), QStringLiteral("restore"), alone});
    CHECK(restored.exitCode == 1);
    CHECK(restored.err.contains(QStringLiteral("smp: restored photo 1 of client 1 "
                                               "(sample.png) has no file: the backup's "
                                               "photo folder")));
    CHECK(restored.err.contains(QStringLiteral("put it beside the backup file and restore again")));
    CHECK(run(elsewhere, {QStringLiteral("client"), QStringLiteral("list")})
              .out.contains(QStringLiteral("Moved")));
}

TEST_CASE("reports and comparisons leave out a photo that shows no scalp, and say why",
          "[cli][report][analysis]")
{
    ScratchDir dir;
    const QString sample = clientWithSamplePhoto(dir, QStringLiteral("Dim"));
    REQUIRE(run(dir, {QStringLiteral("analyze"), QStringLiteral("1")}).exitCode == 0);
    // The same head taken later in a dim room: a fifth of the light.
    QImage dim = QImage(sample).convertToFormat(QImage::Format_RGB888);
    for (int y = 0; y < dim.height(); ++y) {
        uchar *line = dim.scanLine(y);
        for (int x = 0; x < 3 * dim.width(); ++x)
            line[x] = static_cast<uchar>(line[x] / 5);
    }
    const QString dimFile = dir.file(QStringLiteral("dim.png"));
    REQUIRE(dim.save(dimFile));
    REQUIRE(run(dir, {QStringLiteral("photo"), QStringLiteral("import"), QStringLiteral("1"),
                      dimFile, QStringLiteral("--view"), QStringLiteral("top")})
                .exitCode == 0);
    const Result analysed = run(dir, {QStringLiteral("analyze"), QStringLiteral("2")});
    REQUIRE(analysed.exitCode == 0);
    CHECK(analysed.out.contains(QStringLiteral("No scalp found")));
    CHECK(analysed.out.contains(QStringLiteral("too dark to tell hair from skin")));

    // The consultation report names it instead of captioning it "hair coverage 0.0% · Norwood
    // (confidence 0.00)", and shows the photo that has a map.
    const QString text = reportText(dir, QStringLiteral("consultation.pdf"));
    CHECK(text.contains(QStringLiteral(
        "Photo not shown: photo 2 (dim.png) shows no scalp to analyse: the photo is too dark")));
    CHECK_FALSE(text.contains(QStringLiteral("hair coverage 0.0%")));
    CHECK(text.contains(QStringLiteral("top view, ")));

    // The progress report does not pair it with the first photo (it read a change of all the
    // hair, to 0.0%), and a comparison asked for by hand says why it cannot be made.
    const QString progressText =
        reportText(dir, QStringLiteral("progress.pdf"), {QStringLiteral("--progress")});
    CHECK_FALSE(progressText.contains(QStringLiteral("0.0%")));
    CHECK_FALSE(progressText.contains(QStringLiteral("Top view: ")));
    // It says which photo it left out and why (it said only "No view has two analysed photos
    // yet", though the view had two).
    CHECK(progressText.contains(QStringLiteral(
        "Photo not compared: photo 2 (dim.png) shows no scalp to analyse: the photo is too dark")));
    CHECK(progressText.contains(
        QStringLiteral("No view has two analysed photos that show the scalp yet.")));
    const Result compared =
        run(dir, {QStringLiteral("compare"), QStringLiteral("1"), QStringLiteral("2")});
    CHECK(compared.exitCode != 0);
    CHECK(compared.err.contains(
        QStringLiteral("photo 2 (dim.png) shows no scalp to analyse: the photo is too dark")));
}
