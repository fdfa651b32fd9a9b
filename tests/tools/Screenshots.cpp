// smp-screenshots OUT_DIR: takes the user guide's screenshots from the running application
// (offscreen platform, a fresh database with the bundled sample client). Not run by ctest.

#include "TestSupport.h"
#include "smp/clinic/Analysis.h"
#include "smp/clinic/PhotoImport.h"
#include "smp/clinic/Planning.h"
#include "smp/clinic/PluralForms.h"
#include "smp/clinic/Report.h"
#include "smp/clinic/SampleClient.h"
#include "smp/clinic/Scheduling.h"
#include "smp/gui/ClientDialog.h"
#include "smp/gui/ClientPage.h"
#include "smp/gui/CompareWindow.h"
#include "smp/gui/MainWindow.h"
#include "smp/gui/PhotoViewer.h"
#include "smp/gui/PlanPanel.h"
#include "smp/gui/Schedule.h"
#include "smp/gui/SettingsDialog.h"
#include "smp/imaging/SampleScalp.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/PlanStore.h"

#include <QApplication>
#include <QComboBox>
#include <QDateEdit>
#include <QDialog>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QGraphicsItem>
#include <QLabel>
#include <QLineEdit>
#include <QLineF>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPrintPreviewWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

void settle(int ms = 300)
{
    QTest::qWait(ms);
}

void save(QWidget *widget, const QString &file)
{
    widget->grab().save(file);
    std::printf("wrote %s\n", qPrintable(file));
}

// Shots whose state was not reached (the run still writes them, and exits 1): a screenshot of
// the wrong state reads as right until someone looks closely.
int missedStates = 0;

// Says on standard error when `reached` is false that `file` does not show `what`.
void expectShown(bool reached, const QString &file, const char *what)
{
    if (reached)
        return;
    std::fprintf(stderr, "smp-screenshots: %s does not show %s\n", qPrintable(file), what);
    ++missedStates;
}

// The figure of a drawn bald head with a strong highlight (docs/analysis.md, "shiny bald"): the
// tests' "medium skin, strong shine" head (800 x 600, noise sigma 3, JPEG quality 85) beside its
// analysis overlay.
QImage shinyBaldFigure()
{
    smp::imaging::SampleScalpParameters shiny;
    shiny.widthPx = 800;
    shiny.heightPx = 600;
    shiny.strandsPerPixel = 0.0;
    shiny.skin = QColor(198, 150, 120);
    shiny.shine = 0.8;
    QImage photo = smp::imaging::drawSampleScalp(shiny).convertToFormat(QImage::Format_RGB888);
    smp::test::addNoise(photo, 3.0, 7);
    photo = smp::test::jpegRoundTrip(photo, 85);
    const auto result = smp::clinic::analyzeImage(photo, {});
    std::printf("shiny bald phantom: %.1f%% covered, stage %s\n", result.coveragePercent,
                result.norwood.stage.c_str());
    QImage pair(photo.width() * 2, photo.height(), QImage::Format_RGB32);
    QPainter painter(&pair);
    painter.drawImage(0, 0, photo);
    painter.drawImage(photo.width(), 0, smp::clinic::drawAnalysisOverlay(photo, result));
    painter.end();
    return pair.scaled(960, 360, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

// The figure of a known failure (docs/analysis.md, "Dark clothing joined to the head"): the
// even phantom (1600 px, dark hair on light skin, no loss drawn) cut out by its head mask,
// scaled to 700 px wide and set on dark shoulders in a 1600 x 1200 sky-and-field scene, with its
// analysis (uncalibrated) drawn over it; cropped round the head and shoulders.
QImage darkClothingFigure()
{
    smp::imaging::SampleScalpParameters even;
    even.lossSeverity = 0.0;
    even.skin = QColor(222, 178, 150);
    even.hair = QColor(40, 32, 26);
    const smp::imaging::ScalpPhantom head = smp::imaging::drawScalpPhantom(even);
    QImage cutOut = head.photo.convertToFormat(QImage::Format_ARGB32);
    cutOut.setAlphaChannel(head.headMask);
    cutOut = cutOut.scaledToWidth(700, Qt::SmoothTransformation);

    QImage scene(1600, 1200, QImage::Format_RGB32);
    QPainter painter(&scene);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(0, 0, 1600, 540, QColor(112, 166, 234)); // sky
    painter.fillRect(0, 540, 1600, 660, QColor(68, 150, 62)); // field
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(50, 60, 80)); // the shirt's shoulders
    painter.drawEllipse(QPointF(800, 920), 540, 250);
    painter.drawImage(QPointF(800 - cutOut.width() / 2.0, 180), cutOut);
    painter.end();
    const QImage photo = scene.convertToFormat(QImage::Format_RGB888);
    const auto result = smp::clinic::analyzeImage(photo, {});
    double normalPx = 0;
    for (const auto &region : result.regions)
        if (region.grade == smp::analysis::Grade::Normal)
            normalPx += region.areaPx;
    std::printf("dark clothing scene: reference %.2f, %.0f px graded normal, stage %s, %zu "
                "regions\n",
                result.referenceCoverage, normalPx, result.norwood.stage.c_str(),
                result.regions.size());
    std::printf("  %s\n", qPrintable(smp::clinic::textureCheckNote(result)));
    return smp::clinic::drawAnalysisOverlay(photo, result)
        .copy(QRect(200, 200, 1200, 1000))
        .scaled(600, 500, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("smp-screenshots"));
    smp::clinic::installPluralForms(app);
    const QStringList args = QApplication::arguments();
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: smp-screenshots OUT_DIR\n");
        return 2;
    }
    const QString out = args[1];
    QDir().mkpath(out);

    QTemporaryDir dir;
    smp::storage::Database db(dir.filePath(QStringLiteral("clinic.sqlite")));
    db.setActor(QStringLiteral("anna.tech"));
    const auto sample = smp::clinic::seedSampleClientIfNew(db);
    const char *const others[][2] = {{"Maria", "Okafor"},   {"Kenji", "Nakamura"},
                                     {"Lukas", "Müller"},   {"Priya", "Singh"},
                                     {"Tomás", "Ferreira"}, {"Fatima", "Haddad"}};
    int nextPhone = 21;
    for (const auto &name : others) {
        smp::storage::Client client;
        client.givenName = QString::fromUtf8(name[0]);
        client.familyName = QString::fromUtf8(name[1]);
        client.phone = QStringLiteral("+1 555 01%1").arg(nextPhone);
        nextPhone += 13;
        smp::storage::ClientStore(db).add(client);
    }

    smp::gui::MainWindow window(db);
    window.resize(1280, 800);
    window.show();
    window.selectClient(*sample);
    settle();
    auto *page = window.clientPage();
    page->tabs()->setCurrentIndex(3);
    page->photoList()->setCurrentRow(0);
    settle(800);
    save(&window, out + QStringLiteral("/main-window-photos.png"));

    page->tabs()->setCurrentIndex(1);
    auto *table = page->screeningTable();
    auto *answer = qobject_cast<QComboBox *>(table->cellWidget(4, 1));
    answer->setCurrentIndex(answer->findData(int(smp::storage::ScreeningAnswer::NeedsClearance)));
    table->item(4, 2)->setText(QStringLiteral("apixaban; GP letter requested"));
    settle(1500); // past the second after which answers are stored, and the badge follows
    save(&window, out + QStringLiteral("/screening.png"));

    page->tabs()->setCurrentIndex(0);
    settle();
    save(&window, out + QStringLiteral("/client-details.png"));

    smp::gui::ClientDialog *dialog = window.newClient();
    dialog->findChild<QLineEdit *>(QStringLiteral("givenNameEdit"))
        ->setText(QStringLiteral("Daniel"));
    dialog->findChild<QLineEdit *>(QStringLiteral("familyNameEdit"))
        ->setText(QStringLiteral("Adeyemi"));
    dialog->findChild<QLineEdit *>(QStringLiteral("phoneEdit"))
        ->setText(QStringLiteral("+44 20 7946 0958"));
    settle();
    save(dialog, out + QStringLiteral("/new-client-dialog.png"));
    dialog->reject();

    window.searchField()->setText(QStringLiteral("mu"));
    settle(400);
    save(&window, out + QStringLiteral("/search.png"));
    window.searchField()->clear();
    settle(400);

    // A photo window at `size`, shown, its photo loaded (it deletes itself on close).
    const auto openViewer = [&db](smp::storage::RecordId photoId, QSize size) {
        auto *viewer = new smp::gui::PhotoViewer(db, photoId);
        viewer->resize(size);
        viewer->show();
        if (!viewer->isLoaded())
            QSignalSpy(viewer, &smp::gui::PhotoViewer::loaded).wait(10000);
        return viewer;
    };

    // The photo viewer on the sample photo: the marker found on import, the scale bar.
    const auto photos = smp::storage::PhotoLibrary(db).photos(*sample);
    auto *viewer = openViewer(photos.front().id, QSize(1100, 760));
    settle(500);
    save(viewer, out + QStringLiteral("/viewer-marker.png"));

    // Measuring by hand: one point placed, zoomed in on the marker.
    viewer->measureAction()->setChecked(true);
    viewer->lengthBox()->setValue(20.0);
    viewer->view()->zoomBy(2.5);
    viewer->view()->centerOn(viewer->view()->imageItem()->mapToScene(QPointF(200, 150)));
    viewer->addMeasurePoint(QPointF(140, 90));
    settle(300);
    save(viewer, out + QStringLiteral("/viewer-measuring.png"));
    viewer->measureAction()->setChecked(false);
    viewer->undoStack()->undo();
    viewer->undoStack()->clear(); // the next shots should not offer to redo that measurement

    // The analysis drawn over the photo.
    viewer->view()->fitToWindow();
    QSignalSpy analysed(viewer, &smp::gui::PhotoViewer::analysisFinished);
    viewer->analyze();
    analysed.wait(30000);
    settle(500);
    expectShown(!analysed.isEmpty(), out + QStringLiteral("/viewer-analysis.png"),
                "a finished analysis");
    save(viewer, out + QStringLiteral("/viewer-analysis.png"));

    // The client page once analysed: the client's stage over the photos, the photo's analysis
    // under them.
    QSignalSpy stageShown(page, &smp::gui::ClientPage::stageShown);
    page->showClient(*sample);
    page->tabs()->setCurrentIndex(3);
    page->photoList()->setCurrentRow(0);
    stageShown.wait(10000);
    settle(800);
    save(&window, out + QStringLiteral("/client-stage.png"));

    // Corrections: the bald vertex and the front of the crown painted normal with a 30 mm brush;
    // the status line's stage follows the corrected map.
    viewer->brushAction()->setChecked(true);
    viewer->brushGradeBox()->setCurrentIndex(
        viewer->brushGradeBox()->findData(int(smp::analysis::Grade::Normal)));
    viewer->brushSizeBox()->setValue(30);
    {
        smp::gui::PhotoView *photoView = viewer->view();
        // A straight brush stroke between two photo points, in steps of 20 px.
        const auto stroke = [photoView](QPointF from, QPointF to) {
            const auto toView = [photoView](QPointF p) {
                return photoView->mapFromScene(photoView->imageItem()->mapToScene(p));
            };
            QTest::mousePress(photoView->viewport(), Qt::LeftButton, Qt::NoModifier, toView(from));
            const int steps = std::max(1, static_cast<int>(QLineF(from, to).length() / 20));
            for (int i = 1; i <= steps; ++i)
                QTest::mouseMove(photoView->viewport(),
                                 toView(from + (to - from) * (double(i) / steps)));
            QTest::mouseRelease(photoView->viewport(), Qt::LeftButton, Qt::NoModifier, toView(to));
        };
        const int stepsBefore = viewer->undoStack()->index();
        stroke({700, 700}, {920, 810});
        stroke({620, 250}, {1000, 250}); // and the front of the crown, read as advanced
        settle(500);
        expectShown(viewer->undoStack()->index() == stepsBefore + 2,
                    QStringLiteral("viewer-corrected.png"), "two brush strokes");
        save(viewer, out + QStringLiteral("/viewer-corrected.png"));
        viewer->undoStack()->undo(); // both strokes
        viewer->undoStack()->undo();

        // "Not scalp": the strip along the front edge taken off the map, as a technician takes
        // off a forehead that a front view's outline took in.
        viewer->brushGradeBox()->setCurrentIndex(
            viewer->brushGradeBox()->findData(int(smp::analysis::Grade::NotScalp)));
        stroke({600, 160}, {1000, 160});
        stroke({560, 200}, {1040, 200});
        settle(500);
        save(viewer, out + QStringLiteral("/viewer-not-scalp.png"));
        viewer->undoStack()->undo();
        viewer->undoStack()->undo();

        // Beyond Outline: the brush paints what the analysis left off the map (the left ear,
        // only to show the tool), graded mild with a 5 mm brush.
        viewer->beyondOutlineAction()->setChecked(true);
        viewer->brushGradeBox()->setCurrentIndex(
            viewer->brushGradeBox()->findData(int(smp::analysis::Grade::Mild)));
        viewer->brushSizeBox()->setValue(5);
        stroke({310, 545}, {310, 675});
        settle(500);
        save(viewer, out + QStringLiteral("/viewer-beyond-outline.png"));
        viewer->undoStack()->undo();
        viewer->beyondOutlineAction()->setChecked(false);

        // The lasso drawn round the vertex, caught before it is let go (the dashed outline),
        // then let go: the area graded normal in one step.
        viewer->lassoAction()->setChecked(true);
        viewer->brushGradeBox()->setCurrentIndex(
            viewer->brushGradeBox()->findData(int(smp::analysis::Grade::Normal)));
        {
            const auto toView = [photoView](QPointF p) {
                return photoView->mapFromScene(photoView->imageItem()->mapToScene(p));
            };
            const QPointF centre(800, 790);
            QTest::mousePress(photoView->viewport(), Qt::LeftButton, Qt::NoModifier,
                              toView(centre + QPointF(170, 0)));
            for (int step = 1; step <= 40; ++step) {
                const double angle = 2 * M_PI * step / 44.0;
                QTest::mouseMove(
                    photoView->viewport(),
                    toView(centre + QPointF(170 * std::cos(angle), 140 * std::sin(angle))));
            }
            settle(300);
            save(viewer, out + QStringLiteral("/viewer-lasso.png"));
            QTest::mouseRelease(photoView->viewport(), Qt::LeftButton, Qt::NoModifier,
                                toView(centre + QPointF(170 * std::cos(2 * M_PI * 40 / 44.0),
                                                        140 * std::sin(2 * M_PI * 40 / 44.0))));
        }
        viewer->undoStack()->undo();
        viewer->lassoAction()->setChecked(false);

        // The texture check: a band of dense hair on the right of the head painted bald (as a
        // map that reads a full head's sheen as loss would have it) is hatched, and said under
        // the photo. (The brush again: the lasso was the tool, and until 2026-12-07 this shot
        // showed the map unpainted.)
        viewer->brushAction()->setChecked(true);
        viewer->brushGradeBox()->setCurrentIndex(
            viewer->brushGradeBox()->findData(int(smp::analysis::Grade::Bald)));
        viewer->brushSizeBox()->setValue(25);
        stroke({1030, 420}, {1110, 560});
        stroke({1110, 560}, {1060, 760});
        settle(500);
        expectShown(viewer->findChild<QLabel *>(QStringLiteral("textureCheckLabel"))->isVisible(),
                    QStringLiteral("viewer-texture-check.png"), "the texture check's note");
        save(viewer, out + QStringLiteral("/viewer-texture-check.png"));
        // The same band in the consultation report (docs/reports.md): the photo hatched as it
        // prints, its stripes sized for the page.
        {
            const QString file = out + QStringLiteral("/report-texture-check.png");
            const auto report = smp::clinic::gatherConsultation(db, *sample);
            const auto hatched =
                std::find_if(report.photos.begin(), report.photos.end(),
                             [](const auto &photo) { return !photo.textureCheck.isEmpty(); });
            expectShown(hatched != report.photos.end(), file,
                        "a report photo with the texture check's note");
            if (hatched != report.photos.end()) {
                hatched->image.scaledToWidth(800, Qt::SmoothTransformation).save(file);
                std::printf("wrote %s\n", qPrintable(file));
            }
        }
        viewer->undoStack()->undo();
        viewer->undoStack()->undo();
        // The brush as the viewer opens (bald, 10 mm), for the screenshots that follow.
        viewer->brushGradeBox()->setCurrentIndex(
            viewer->brushGradeBox()->findData(int(smp::analysis::Grade::Bald)));
        viewer->brushSizeBox()->setValue(10);
        viewer->brushAction()->setChecked(false);

        // A reference area dragged over the thinning mid-scalp: the map graded against it, the
        // dashed rectangle kept; then cleared, for the shots that follow.
        viewer->referenceAreaAction()->setChecked(true);
        QSignalSpy referenced(viewer, &smp::gui::PhotoViewer::analysisFinished);
        stroke({700, 560}, {900, 680});
        referenced.wait(30000);
        settle(500);
        expectShown(!referenced.isEmpty() && viewer->referenceArea().has_value(),
                    out + QStringLiteral("/viewer-reference-area.png"),
                    "the map graded against a reference area");
        save(viewer, out + QStringLiteral("/viewer-reference-area.png"));
        QSignalSpy cleared(viewer, &smp::gui::PhotoViewer::analysisFinished);
        viewer->clearReferenceAction()->trigger();
        cleared.wait(30000);
    }
    viewer->brushAction()->setChecked(false);

    // The plan: a hairline across the front, the dots of three sessions, the table.
    viewer->resize(1400, 800);
    viewer->planAction()->setChecked(true);
    viewer->gradesLayerAction()->setChecked(false);
    smp::gui::PlanPanel *panel = viewer->planPanel();
    panel->hairlineAction()->setChecked(true);
    for (const QPointF p : {QPointF(520, 330), QPointF(660, 262), QPointF(800, 248),
                            QPointF(950, 268), QPointF(1080, 335)}) {
        panel->pressHairline(p);
        panel->releaseHairline(p);
    }
    QSignalSpy planned(panel, &smp::gui::PlanPanel::planReady);
    panel->generate();
    planned.wait(30000);
    viewer->view()->fitToWindow();
    settle(500);
    expectShown(!planned.isEmpty(), out + QStringLiteral("/viewer-plan.png"), "a generated plan");
    save(viewer, out + QStringLiteral("/viewer-plan.png"));
    // The ears left out (the analysis counts them as scalp) and a scar treated on its own.
    panel->zoneAction()->setChecked(true);
    const auto outline = [panel](std::initializer_list<QPointF> corners) {
        for (const QPointF p : corners)
            panel->clickZone(p);
        panel->clickZone(*corners.begin());
    };
    outline({QPointF(262, 515), QPointF(330, 505), QPointF(335, 700), QPointF(262, 690)});
    outline({QPointF(1270, 505), QPointF(1340, 515), QPointF(1340, 690), QPointF(1265, 700)});
    panel->zoneKindBox()->setCurrentIndex(1);
    panel->scarDensityBox()->setValue(80);
    outline({QPointF(640, 930), QPointF(900, 900), QPointF(905, 930), QPointF(645, 962)});
    panel->zoneAction()->setChecked(false);
    settle(500);
    save(viewer, out + QStringLiteral("/viewer-plan-zones.png"));
    // Close up on the hairline: the transition zone, 1RL dots in front, 3RL behind.
    viewer->view()->zoomBy(3.0);
    viewer->view()->centerOn(viewer->view()->imageItem()->mapToScene(QPointF(800, 300)));
    settle(300);
    save(viewer, out + QStringLiteral("/viewer-plan-hairline.png"));
    // The healed look after all three sessions.
    panel->showBox()->setCurrentIndex(3);
    settle(1500);
    viewer->view()->fitToWindow();
    viewer->view()->zoomBy(1.8);
    viewer->view()->centerOn(viewer->view()->imageItem()->mapToScene(QPointF(820, 700)));
    settle(300);
    save(viewer, out + QStringLiteral("/viewer-plan-healed.png"));
    panel->save();
    viewer->close();

    // Autosave: the density changed and the window closed without saving (a crash would leave
    // the same draft); the next start offers it, and the photo opens with it.
    {
        auto *edited = openViewer(photos.front().id, QSize(1100, 760));
        edited->planAction()->setChecked(true);
        edited->planPanel()->densityBox()->setValue(125);
        edited->close();
        QTimer::singleShot(800, [&out] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                save(box, out + QStringLiteral("/restore-unsaved-work.png"));
                box->button(QMessageBox::Ignore)->click();
            }
        });
        window.offerUnsavedWork();
        auto *restored = openViewer(photos.front().id, QSize(1400, 800));
        restored->gradesLayerAction()->setChecked(false);
        settle(800);
        save(restored, out + QStringLiteral("/viewer-restored-draft.png"));
        // The Edit menu names the edit it takes back.
        restored->planPanel()->sessionsBox()->setValue(4);
        QMenu *edit = nullptr;
        for (QMenu *menu : restored->findChildren<QMenu *>())
            if (menu->title() == QStringLiteral("&Edit"))
                edit = menu;
        if (edit) {
            edit->popup(restored->mapToGlobal(QPoint(40, 24)));
            settle(300);
            save(edit, out + QStringLiteral("/edit-menu.png"));
            edit->hide();
        }
        restored->planPanel()->revertToSaved();
        restored->close();
    }

    // The schedule: a clinic in Berlin, a week with other clients booked (each client's second
    // session two weeks or so after the first), the sample client's three sessions proposed from
    // Monday 7 December 2026 and booked.
    smp::clinic::setScheduleSettings(db, R"({"time_zone": "Europe/Berlin",
        "hours": {"mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"],
                  "thu": ["09:00", "18:00"], "fri": ["09:00", "18:00"], "sat": ["10:00", "14:00"],
                  "sun": null},
        "closures": [{"from": "2026-12-24", "to": "2026-12-26", "reason": "Christmas"}],
        "clinic_name": "SMP Studio"})");
    {
        const QTimeZone berlin(QByteArrayLiteral("Europe/Berlin"));
        std::vector<smp::storage::Appointment> booked;
        const int plan[][4] = {{2, 7, 9, 240},   {3, 7, 14, 180}, {4, 8, 10, 300},
                               {5, 9, 9, 150},   {6, 9, 13, 240}, {2, 17, 9, 210},
                               {7, 10, 15, 120}, {3, 21, 9, 180}, {4, 18, 10, 240}};
        for (const auto &p : plan) {
            smp::storage::Appointment a;
            a.clientId = p[0];
            a.session = 1 + (p[1] > 12);
            a.ofSessions = 3;
            a.start = QDateTime(QDate(2026, 12, p[1]), QTime(p[2], 0), berlin).toUTC();
            a.minutes = p[3];
            booked.push_back(a);
        }
        smp::storage::AppointmentStore(db).book(booked);
        smp::clinic::ProposalOptions options;
        options.from = QDateTime(QDate(2026, 12, 7), QTime(8, 0), berlin);
        smp::clinic::bookProposal(db, smp::clinic::proposeForClient(db, *sample, options));
    }
    window.selectClient(*sample);
    page->tabs()->setCurrentWidget(page->scheduleTab());
    page->scheduleTab()->reload();
    settle();
    save(&window, out + QStringLiteral("/client-schedule.png"));
    {
        smp::gui::ProposalDialog proposal(db, *sample, &window);
        proposal.fromEdit()->setDate(QDate(2027, 1, 11));
        proposal.show();
        settle();
        save(&proposal, out + QStringLiteral("/schedule-proposal.png"));
        proposal.reject();
    }
    smp::gui::CalendarWindow *calendar = window.showCalendar();
    calendar->resize(1400, 820);
    calendar->view()->setDate(QDate(2026, 12, 7));
    calendar->reload();
    settle();
    save(calendar, out + QStringLiteral("/calendar-week.png"));
    calendar->findChild<QToolButton *>(QStringLiteral("monthMode"))->click();
    settle();
    save(calendar, out + QStringLiteral("/calendar-month.png"));
    calendar->close();

    // The sample client's consultation report and the aftercare sheet of session 1, as PDF
    // (docs/sample-consultation-report.pdf, docs/sample-aftercare.pdf).
    smp::clinic::setReportSettings(db, R"({"clinic_name": "SMP Studio",
        "address": "12 Harbour Road, Springfield", "contact": "+1 555 0100 · hello@smp-studio.example",
        "locale": "en_US"})");
    {
        const auto report = smp::clinic::gatherConsultation(db, *sample);
        smp::clinic::writeConsultationPdf(report,
                                          out + QStringLiteral("/sample-consultation-report.pdf"));
        std::printf("wrote %s\n",
                    qPrintable(out + QStringLiteral("/sample-consultation-report.pdf")));
        const auto sessions = smp::storage::AppointmentStore(db).ofClient(*sample);
        smp::clinic::writeAftercarePdf(smp::clinic::gatherAftercare(db, sessions.front().id),
                                       out + QStringLiteral("/sample-aftercare.pdf"));
        std::printf("wrote %s\n", qPrintable(out + QStringLiteral("/sample-aftercare.pdf")));
    }

    // Before and after: the sample photo as it should look healed after three sessions, taken
    // a little closer and turned, compared with the photo of today; the progress report.
    {
        smp::storage::PhotoLibrary library(db);
        const smp::storage::Photo before = library.photos(*sample).front();
        const QImage upright(library.absolutePath(before));
        const auto stored = smp::storage::PlanStore(db).plansOfClient(*sample);
        const smp::planning::Plan plan =
            smp::clinic::loadPlan(*smp::storage::PlanStore(db).find(stored.front().id));
        const QImage healed = smp::clinic::renderHealedPreview(
            upright, plan, library.currentCalibration(before.id)->mmPerPx, 3);
        QImage later(upright.size(), QImage::Format_RGB32);
        later.fill(QColor(180, 186, 196));
        {
            QPainter painter(&later);
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            QTransform t;
            t.translate(800, 600);
            t.rotate(-3);
            t.scale(1.04, 1.04);
            t.translate(-800, -600);
            painter.setTransform(t);
            painter.drawImage(0, 0, healed);
        }
        const QString laterPath = dir.filePath(QStringLiteral("after-session-3.jpg"));
        later.save(laterPath, "JPEG", 92);
        const auto after =
            smp::clinic::importPhoto(db, *sample, laterPath, smp::storage::PhotoView::Top);
        for (const smp::storage::Photo &p : {before, after})
            if (!smp::storage::AnalysisStore(db).latest(p.id))
                smp::clinic::storeAnalysis(
                    db, p.id,
                    smp::clinic::analyzeImage(QImage(library.absolutePath(p)),
                                              smp::clinic::parametersForPhoto(db, p.id)));
        auto *compare = new smp::gui::CompareWindow(db, *sample, before.id);
        compare->resize(1400, 860);
        compare->show();
        QSignalSpy compared(compare, &smp::gui::CompareWindow::compared);
        compare->compare();
        compared.wait(60000);
        settle(500);
        save(compare, out + QStringLiteral("/compare-side-by-side.png"));
        compare->modeBox()->setCurrentIndex(1); // wipe
        settle(300);
        save(compare, out + QStringLiteral("/compare-wipe.png"));
        compare->close();
        smp::clinic::writeProgressPdf(smp::clinic::gatherProgress(db, *sample),
                                      out + QStringLiteral("/sample-progress-report.pdf"));
        std::printf("wrote %s\n", qPrintable(out + QStringLiteral("/sample-progress-report.pdf")));
    }

    // The consultation report in its print preview, as Client > Consultation Report... opens it
    // (the dialog is modal: grabbed from a timer once its pages are laid out, then closed).
    {
        const QString file = out + QStringLiteral("/report-print-preview.png");
        int previewPages = -1;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, [&] {
            QWidget *preview = window.reportPreview();
            if (!preview)
                return;
            const auto *pages = preview->findChild<QPrintPreviewWidget *>();
            if (!pages || pages->pageCount() == 0)
                return;
            previewPages = pages->pageCount();
            save(preview, file);
            static_cast<QDialog *>(preview)->reject();
        });
        poll.start(500);
        window.selectClient(*sample);
        window.consultationReport();
        const bool shown = QTest::qWaitFor([&] { return previewPages >= 0; }, 60000);
        poll.stop();
        expectShown(shown && previewPages >= 3, file,
                    "the consultation report's pages in its print preview");
    }

    // The settings window: opening hours and scheduling, the dilution table.
    {
        smp::gui::SettingsDialog settings(db);
        settings.resize(780, 660);
        settings.show();
        settings.tabs()->setCurrentIndex(1);
        settle();
        save(&settings, out + QStringLiteral("/settings-scheduling.png"));
        settings.tabs()->setCurrentIndex(3);
        settle();
        save(&settings, out + QStringLiteral("/settings-dilution.png"));
        settings.reject();
    }

    // Hairline guides on a front view: the face points, Garg's construction, the mature preset.
    {
        const QString front = dir.filePath(QStringLiteral("front-view.png"));
        smp::test::drawFrontView().save(front);
        const auto photo =
            smp::clinic::importPhoto(db, *sample, front, smp::storage::PhotoView::Front);
        smp::storage::Calibration scale;
        scale.photoId = photo.id;
        scale.method = smp::storage::CalibrationMethod::Manual;
        scale.mmPerPx = 0.2;
        scale.details = QStringLiteral("{\"drawn\": \"5 px per mm\"}");
        smp::storage::PhotoLibrary(db).addCalibration(scale);
        auto *face = openViewer(photo.id, QSize(1400, 860));
        QSignalSpy faceAnalysed(face, &smp::gui::PhotoViewer::analysisFinished);
        face->analyze();
        faceAnalysed.wait(30000);
        // As analysed: the face graded bald, and the note under the photo saying so.
        face->view()->fitToWindow();
        settle(500);
        expectShown(face->findChild<QLabel *>(QStringLiteral("faceOnMapLabel"))->isVisible(),
                    out + QStringLiteral("/viewer-front-face-note.png"),
                    "the note that the face is on the map");
        save(face, out + QStringLiteral("/viewer-front-face-note.png"));
        face->gradesLayerAction()->setChecked(false);
        face->planAction()->setChecked(true);
        smp::gui::PlanPanel *facePanel = face->planPanel();
        facePanel->faceAction()->setChecked(true);
        for (const QPointF p :
             {QPointF(800, 590), QPointF(550, 640), QPointF(1050, 640), QPointF(800, 1170)})
            facePanel->markFacePoint(p);
        facePanel->applyPreset();
        facePanel->faceAction()->setChecked(false);
        facePanel->faceOffMapButton()->click(); // the face reads as bald scalp
        QSignalSpy facePlanned(facePanel, &smp::gui::PlanPanel::planReady);
        facePanel->generate();
        facePlanned.wait(30000);
        face->view()->fitToWindow();
        settle(500);
        save(face, out + QStringLiteral("/viewer-hairline-guides.png"));
        facePanel->save();
        face->close();
    }

    // A drawn head with this skin and hair, imported for `client` as a top view, analysed in the
    // viewer and saved as `file` (user guide). `enlargedFrom` > 1: drawn that many times smaller
    // and enlarged, as a small photo blown up (soft), whose shot must show the soft-photo note.
    const auto analysedHead = [&](smp::storage::RecordId client, QColor skin, QColor hair,
                                  const QString &name, const QString &file, int enlargedFrom = 1) {
        smp::imaging::SampleScalpParameters head;
        head.skin = skin;
        head.hair = hair;
        const QString path = dir.filePath(name);
        QImage drawn = smp::imaging::drawSampleScalp(head);
        if (enlargedFrom > 1)
            drawn = drawn
                        .scaled(drawn.size() / enlargedFrom, Qt::IgnoreAspectRatio,
                                Qt::SmoothTransformation)
                        .scaled(drawn.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        drawn.save(path, "JPEG", 92);
        const smp::storage::Photo photo =
            smp::clinic::importPhoto(db, client, path, smp::storage::PhotoView::Top);
        auto *headViewer = openViewer(photo.id, QSize(1100, 760));
        QSignalSpy headAnalysed(headViewer, &smp::gui::PhotoViewer::analysisFinished);
        headViewer->analyze();
        headAnalysed.wait(30000);
        headViewer->view()->fitToWindow();
        settle(500);
        expectShown(!headAnalysed.isEmpty(), out + QLatin1Char('/') + file, "a finished analysis");
        if (enlargedFrom > 1)
            expectShown(
                headViewer->findChild<QLabel *>(QStringLiteral("softPhotoLabel"))->isVisible(),
                out + QLatin1Char('/') + file, "the soft-photo note");
        save(headViewer, out + QLatin1Char('/') + file);
        headViewer->close();
    };
    // A grey-haired client's photo.
    analysedHead(*sample, QColor(222, 178, 150), QColor(165, 165, 160), QStringLiteral("grey.jpg"),
                 QStringLiteral("viewer-analysis-grey.png"));
    // A red-haired client's photo: the Hair box says "darker than skin" from the client's record.
    smp::storage::Client redHaired;
    redHaired.familyName = QStringLiteral("Byrne");
    redHaired.givenName = QStringLiteral("Ciaran");
    redHaired.hairColour = QStringLiteral("auburn");
    analysedHead(smp::storage::ClientStore(db).add(redHaired), QColor(222, 178, 150),
                 QColor(140, 60, 30), QStringLiteral("auburn.jpg"),
                 QStringLiteral("viewer-analysis-red.png"));
    // A small photo blown up: the viewer says it is soft (clinic::softPhotoNote).
    analysedHead(*sample, QColor(214, 170, 142), QColor(46, 36, 28), QStringLiteral("enlarged.jpg"),
                 QStringLiteral("viewer-soft-photo.png"), 3);
    // The grey-haired head as if analysed before an update: the viewer says which version read it
    // (clinic::olderVersionNote).
    for (const smp::storage::Photo &photo : smp::storage::PhotoLibrary(db).photos(*sample)) {
        if (photo.originalName != QStringLiteral("grey.jpg"))
            continue;
        db.execute("UPDATE photo_analyses SET version = '1.19' WHERE photo_id = " +
                   std::to_string(photo.id));
        auto *older = openViewer(photo.id, QSize(1100, 760));
        older->view()->fitToWindow();
        settle(500);
        expectShown(older->findChild<QLabel *>(QStringLiteral("olderVersionLabel"))->isVisible(),
                    out + QStringLiteral("/viewer-older-version.png"),
                    "the note naming the older version");
        save(older, out + QStringLiteral("/viewer-older-version.png"));
        older->close();
    }

    // The analysis overlay of the phantom used in docs/analysis.md.
    const QImage phantom = smp::imaging::drawSampleScalp();
    smp::analysis::Parameters parameters;
    parameters.mmPerPx = 1.0 / 6.0;
    const auto result = smp::clinic::analyzeImage(phantom, parameters);
    smp::clinic::drawAnalysisOverlay(phantom, result)
        .scaled(960, 720, Qt::KeepAspectRatio, Qt::SmoothTransformation)
        .save(out + QStringLiteral("/analysis-overlay-phantom.png"));
    std::printf("wrote %s\n", qPrintable(out + QStringLiteral("/analysis-overlay-phantom.png")));

    // Grey hair on light skin (unmixed in colour since algorithm 1.2): the photo and its overlay.
    smp::imaging::SampleScalpParameters grey;
    grey.skin = QColor(222, 178, 150);
    grey.hair = QColor(165, 165, 160);
    const QImage greyPhantom = smp::imaging::drawSampleScalp(grey);
    const QImage greyOverlay = smp::clinic::drawAnalysisOverlay(
        greyPhantom, smp::clinic::analyzeImage(greyPhantom, parameters));
    QImage pair(greyPhantom.width() * 2, greyPhantom.height(), QImage::Format_RGB32);
    {
        QPainter painter(&pair);
        painter.drawImage(0, 0, greyPhantom);
        painter.drawImage(greyPhantom.width(), 0, greyOverlay);
    }
    pair.scaled(1280, 480, Qt::KeepAspectRatio, Qt::SmoothTransformation)
        .save(out + QStringLiteral("/analysis-overlay-grey-phantom.png"));
    std::printf("wrote %s\n",
                qPrintable(out + QStringLiteral("/analysis-overlay-grey-phantom.png")));

    shinyBaldFigure().save(out + QStringLiteral("/analysis-overlay-shiny-bald-phantom.png"));
    std::printf("wrote %s\n",
                qPrintable(out + QStringLiteral("/analysis-overlay-shiny-bald-phantom.png")));
    darkClothingFigure().save(out + QStringLiteral("/failure-dark-clothing.png"));
    std::printf("wrote %s\n", qPrintable(out + QStringLiteral("/failure-dark-clothing.png")));

    // A PNG cut short on its way from the camera, imported as Import Photos... imports it: the
    // box that says why it was not imported.
    {
        const QString file = out + QStringLiteral("/import-refused.png");
        const QString truncated = dir.filePath(QStringLiteral("crown-copy.png"));
        QImage(dir.filePath(QStringLiteral("after-session-3.jpg"))).save(truncated);
        QFile cut(truncated);
        const bool made = cut.open(QIODevice::ReadWrite) && cut.resize(cut.size() / 3);
        cut.close();
        window.selectClient(*sample);
        window.clientPage()->tabs()->setCurrentIndex(3);
        settle();
        window.clientPage()->importPhotos({truncated});
        QMessageBox *box = nullptr;
        const bool refused = QTest::qWaitFor(
            [&] {
                for (auto *candidate : window.findChildren<QMessageBox *>())
                    if (candidate->isVisible())
                        box = candidate;
                return box != nullptr;
            },
            20000);
        expectShown(made && refused && box->informativeText().contains(QStringLiteral("truncated")),
                    file, "the import's refusal of a truncated PNG with its reason");
        if (box) {
            settle();
            save(box, file);
            box->close();
        }
    }

    // Last, as it damages the sample's photo: its library file cut short (a disk fault), the
    // Photos tab reloaded by selecting the client again.
    {
        const auto samplePhotos = smp::storage::PhotoLibrary(db).photos(*sample);
        QFile file(smp::storage::PhotoLibrary(db).absolutePath(samplePhotos.front()));
        if (file.open(QIODevice::ReadWrite) && file.resize(file.size() / 2)) {
            file.close();
            window.selectClient(*sample + 1); // another client, then back
            settle();
            window.selectClient(*sample);
            window.clientPage()->tabs()->setCurrentIndex(3);
            settle(1500);
            window.clientPage()->photoList()->setCurrentRow(0);
            settle(300);
            save(&window, out + QStringLiteral("/photos-file-damaged.png"));
        }
    }
    return missedStates == 0 ? 0 : 1;
}
