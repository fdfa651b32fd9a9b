// A photo window in its own process for the kill test (GuiTests.cpp): draws a hairline by mouse,
// waits until its autosave is written, then drags a point without end until it is killed.
//   smp-gui-edit-child DATABASE PHOTO_ID
// Prints "SAVED <points>" after the first autosave and "EDITING" once the drag has begun.

#include "smp/gui/PhotoViewer.h"
#include "smp/gui/PlanPanel.h"
#include "smp/gui/SessionLock.h"
#include "smp/storage/Database.h"

#include <QAction>
#include <QApplication>
#include <QGraphicsItem>
#include <QSignalSpy>
#include <QTest>

#include <cstdio>

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: smp-gui-edit-child DATABASE PHOTO_ID\n");
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[1]);
    smp::storage::Database db(path);
    const smp::gui::SessionLock session(path);
    auto *viewer = new smp::gui::PhotoViewer(db, QByteArray(argv[2]).toLongLong());
    viewer->show();
    if (!viewer->isLoaded() && !QSignalSpy(viewer, &smp::gui::PhotoViewer::loaded).wait(20000))
        return 3;
    viewer->planAction()->trigger();
    smp::gui::PlanPanel *panel = viewer->planPanel();
    smp::gui::PhotoView *view = viewer->view();
    const auto at = [view](QPointF photo) {
        return view->mapFromScene(view->imageItem()->mapToScene(photo));
    };
    panel->hairlineAction()->trigger();
    QSignalSpy saved(panel, &smp::gui::PlanPanel::draftSaved);
    for (const QPointF p : {QPointF(520, 330), QPointF(800, 250), QPointF(1080, 330)})
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, at(p));
    if (!saved.wait(10000))
        return 4;
    std::printf("SAVED %zu\n", panel->hairline().controlPoints.size());
    std::fflush(stdout);

    // The drag of the right point down that is never finished.
    QTest::mousePress(view->viewport(), Qt::LeftButton, Qt::NoModifier, at({1080, 330}));
    std::printf("EDITING\n");
    std::fflush(stdout);
    for (int step = 1;; ++step) {
        QTest::mouseMove(view->viewport(), at({1080.0, 330.0 + step % 100}));
        QTest::qWait(20);
    }
}
