// smp-planner: the desktop application. Parses the command line, opens (or creates and
// seeds) the database, and shows the main window.

#include "smp/clinic/Analysis.h"
#include "smp/clinic/PluralForms.h"
#include "smp/clinic/SampleClient.h"
#include "smp/gui/MainWindow.h"
#include "smp/gui/SessionLock.h"
#include "smp/imaging/Memory.h"
#include "smp/storage/Database.h"
#include "smp/storage/StorageError.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileDialog>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QPushButton>
#include <QThreadPool>

#include <memory>

namespace {

// Opens the database, asking the user what to do when it cannot be opened: try again (a lock
// may go away), choose another file, or quit. Returns nullptr when the user quits.
std::unique_ptr<smp::storage::Database> openWithRecovery(QString path, const QString &actor)
{
    for (;;) {
        try {
            auto db = std::make_unique<smp::storage::Database>(path);
            if (!actor.isEmpty())
                db->setActor(actor);
            return db;
        } catch (const smp::storage::StorageError &error) {
            QMessageBox box(QMessageBox::Critical, QObject::tr("SMP Planner"),
                            QObject::tr("The database could not be opened."));
            box.setInformativeText(error.message());
            QPushButton *retry = box.addButton(QObject::tr("Try Again"), QMessageBox::AcceptRole);
            QPushButton *other =
                box.addButton(QObject::tr("Open Another..."), QMessageBox::ActionRole);
            box.addButton(QMessageBox::Close);
            box.exec();
            if (box.clickedButton() == retry)
                continue;
            if (box.clickedButton() != other)
                return nullptr;
            const QString chosen =
                QFileDialog::getSaveFileName(nullptr, QObject::tr("Open or Create Database"), path,
                                             QObject::tr("SMP Planner database (*.sqlite)"),
                                             nullptr, QFileDialog::DontConfirmOverwrite);
            if (chosen.isEmpty())
                return nullptr;
            path = chosen;
        }
    }
}

} // namespace

int main(int argc, char *argv[])
{
    smp::imaging::keepImageBuffersForReuse();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SMP Planner"));
    QApplication::setApplicationName(QStringLiteral("smp-planner"));
    QApplication::setApplicationDisplayName(QStringLiteral("SMP Planner"));
    QApplication::setApplicationVersion(QStringLiteral(SMP_VERSION));
    QLoggingCategory::setFilterRules(QStringLiteral("qt.gui.imageio*=false"));
    smp::clinic::installPluralForms(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Treatment planning and records for scalp "
                                                    "micropigmentation clinics."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(
        {QStringLiteral("database"),
         QStringLiteral("The database file (default: %1).").arg(smp::clinic::defaultDatabasePath()),
         QStringLiteral("path")});
    parser.addOption({QStringLiteral("user"),
                      QStringLiteral("Name recorded in the audit trail (default: the login name)."),
                      QStringLiteral("name")});
    parser.addOption({QStringLiteral("no-sample"),
                      QStringLiteral("Do not add the sample client to a new database.")});
    parser.process(app);

    const QString path = parser.isSet(QStringLiteral("database"))
                             ? parser.value(QStringLiteral("database"))
                             : smp::clinic::defaultDatabasePath();
    std::unique_ptr<smp::storage::Database> db =
        openWithRecovery(path, parser.value(QStringLiteral("user")));
    if (!db)
        return 1;
    if (!parser.isSet(QStringLiteral("no-sample"))) {
        try {
            smp::clinic::seedSampleClientIfNew(*db);
        } catch (const std::exception &error) {
            QMessageBox::warning(nullptr, QObject::tr("SMP Planner"),
                                 QObject::tr("The sample client could not be added: %1")
                                     .arg(QString::fromUtf8(error.what())));
        }
    }

    smp::gui::MainWindow window(*db);
    window.show();
    // What the first analysis would build on its way (clinic::prepareAnalysis(): the models and
    // the conversion tables, 200-250 ms), built off the UI thread while the technician finds a
    // client.
    QThreadPool::globalInstance()->start([] { smp::clinic::prepareAnalysis(); });
    // Held until the program ends; left behind by a crash or kill, it brings the autosaved work
    // back on the next start.
    const smp::gui::SessionLock session(db->path());
    if (session.previousSessionCrashed())
        window.offerUnsavedWork();
    return QApplication::exec();
}
