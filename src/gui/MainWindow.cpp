#include "smp/gui/MainWindow.h"

#include "smp/gui/PhotoViewer.h"

#include "smp/gui/CompareWindow.h"
#include "smp/gui/Schedule.h"
#include "smp/gui/SettingsDialog.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/gui/BackgroundWork.h"
#include "smp/gui/ClientDialog.h"
#include "smp/gui/ClientListModel.h"
#include "smp/gui/ClientPage.h"
#include "smp/gui/ClientUndo.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/DraftStore.h"
#include "smp/storage/PhotoLibrary.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPrintPreviewDialog>
#include <QPrinter>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QToolBar>
#include <QUndoGroup>
#include <QVBoxLayout>

namespace smp::gui {

namespace {

// Two-line rows: the name, and below it in a smaller, muted font the detail line.
class ClientItemDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        return QSize(200, option.fontMetrics.height() * 2 + 12);
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyleOptionViewItem base = option;
        initStyleOption(&base, index);
        base.text.clear();
        const QWidget *widget = option.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &base, painter, widget);

        const bool selected = option.state & QStyle::State_Selected;
        const QRect area = option.rect.adjusted(8, 4, -8, -4);
        painter->save();
        QFont nameFont = option.font;
        nameFont.setBold(true);
        painter->setFont(nameFont);
        painter->setPen(
            option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
        painter->drawText(area, Qt::AlignLeft | Qt::AlignTop,
                          QFontMetrics(nameFont).elidedText(index.data().toString(), Qt::ElideRight,
                                                            area.width()));
        QFont detailFont = option.font;
        detailFont.setPointSizeF(option.font.pointSizeF() * 0.9);
        painter->setFont(detailFont);
        QColor muted = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
        muted.setAlphaF(0.7f);
        painter->setPen(muted);
        painter->drawText(area, Qt::AlignLeft | Qt::AlignBottom,
                          QFontMetrics(detailFont)
                              .elidedText(index.data(ClientListModel::DetailRole).toString(),
                                          Qt::ElideRight, area.width()));
        painter->restore();
    }
};

} // namespace

MainWindow::MainWindow(storage::Database &db, QWidget *parent)
    : QMainWindow(parent)
    , m_db(db)
{
    setWindowTitle(tr("SMP Planner"));
    m_model = new ClientListModel(m_db, this);

    auto *splitter = new QSplitter(this);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 6);
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("clientSearch"));
    m_search->setPlaceholderText(tr("Search name, phone or e-mail  (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    leftLayout->addWidget(m_search);
    m_list = new QListView(left);
    m_list->setObjectName(QStringLiteral("clientList"));
    m_list->setModel(m_model);
    m_list->setItemDelegate(new ClientItemDelegate(m_list));
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    leftLayout->addWidget(m_list, 1);
    m_countLabel = new QLabel(left);
    m_countLabel->setObjectName(QStringLiteral("clientCount"));
    leftLayout->addWidget(m_countLabel);

    m_stack = new QStackedWidget(splitter);
    m_emptyState = new QLabel(tr("Select a client on the left, or create one with "
                                 "<b>Client > New Client</b> (Ctrl+N)."),
                              m_stack);
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_undoStacks = new ClientUndoStacks(this);
    m_page = new ClientPage(m_db, m_stack);
    m_page->setUndoStacks(m_undoStacks);
    m_stack->addWidget(m_emptyState);
    m_stack->addWidget(m_page);
    splitter->addWidget(left);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({300, 900});
    setCentralWidget(splitter);

    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(150);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, [this] {
        const storage::RecordId selected = m_page->clientId();
        m_model->setSearchText(m_search->text());
        refreshList(selected);
    });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::showSelectedClient);
    connect(m_model, &ClientListModel::errorOccurred, this,
            [this](const QString &message) { showError(tr("Could not list clients"), message); });
    connect(m_page, &ClientPage::clientChanged, this,
            [this](storage::RecordId id) { refreshList(id); });
    connect(m_page, &ClientPage::editRequested, this, &MainWindow::editClient);
    connect(m_page, &ClientPage::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, 5000); });

    createActions();
    statusBar()->showMessage(tr("Database: %1 · signed in as %2").arg(m_db.path(), m_db.actor()));

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1200, 780);
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    splitter->restoreState(settings.value(QStringLiteral("mainWindow/splitter")).toByteArray());
    splitter->setObjectName(QStringLiteral("mainSplitter"));

    refreshList(0);
    if (m_model->rowCount() > 0)
        m_list->setCurrentIndex(m_model->index(0));
    else
        showSelectedClient();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *backup =
        file->addAction(tr("&Back Up Database..."), this, [this] { backupDatabase(); });
    backup->setStatusTip(tr("Write a copy of all records and photos while you keep working"));
    QAction *restore =
        file->addAction(tr("&Restore From Backup..."), this, [this] { restoreDatabase(); });
    restore->setStatusTip(
        tr("Replace the records with a backup; the current state is saved first"));
    file->addAction(tr("&Verify Backup..."), this, [this] { verifyBackup(); })
        ->setStatusTip(tr("Check that a backup and all its photos can be restored, without "
                          "restoring it"));
    file->addAction(tr("&Check Database"), this, &MainWindow::checkDatabase)
        ->setStatusTip(tr("Read every record and photo and report anything damaged or missing"));
    QAction *settings = file->addAction(tr("S&ettings..."), this, [this] {
        SettingsDialog dialog(m_db, this);
        dialog.exec();
    });
    settings->setShortcut(QKeySequence::Preferences);
    settings->setStatusTip(tr("Clinic details, opening hours, prices, dilution table"));
    file->addSeparator();
    QAction *markers =
        file->addAction(tr("Calibration &Markers (PDF)..."), this, &MainWindow::saveMarkerSheet);
    markers->setStatusTip(
        tr("Save the printable sheet of calibration markers with its check ruler"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    // One undo stack per client: the menu names the edit it takes back, made in this window or
    // in one of the client's photo windows.
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = m_undoStacks->group()->createUndoAction(this, tr("Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_undoAction->setStatusTip(tr("Take back the client's last edit"));
    m_redoAction = m_undoStacks->group()->createRedoAction(this, tr("Redo"));
    m_redoAction->setShortcut(QKeySequence::Redo);
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);

    QMenu *client = menuBar()->addMenu(tr("&Client"));
    QAction *add = client->addAction(tr("&New Client..."), this, [this] { newClient(); });
    add->setObjectName(QStringLiteral("newClientAction"));
    add->setShortcut(QKeySequence::New);
    add->setStatusTip(tr("Register a new client"));
    m_editAction = client->addAction(tr("&Edit Client..."), this, [this] { editClient(); });
    m_editAction->setShortcut(tr("Ctrl+E"));
    m_editAction->setStatusTip(tr("Change the client's name, contact details and notes"));
    m_importAction = client->addAction(tr("&Import Photos..."), this, &MainWindow::importPhotos);
    m_importAction->setShortcut(tr("Ctrl+I"));
    m_importAction->setStatusTip(
        tr("Add photos to the client (JPEG, PNG, TIFF, HEIC); you can also drop them on the page"));
    client->addSeparator();
    m_deleteAction = client->addAction(tr("&Delete Client..."), this, &MainWindow::deleteClient);
    m_deleteAction->setStatusTip(tr("Remove the client with all their records and photos"));
    QAction *find = client->addAction(tr("&Find Client"), this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    find->setStatusTip(tr("Search clients by name, phone or e-mail"));

    client->addSeparator();
    QAction *report =
        client->addAction(tr("Consultation &Report..."), this, [this] { consultationReport(); });
    report->setShortcut(QKeySequence::Print);
    report->setStatusTip(tr("Preview and print the client's consultation report"));
    client->addAction(tr("Pro&gress Report..."), this, [this] { progressReport(); })
        ->setStatusTip(
            tr("The first and latest photo of each view aligned, with the measured change"));
    QAction *comparePhotos = client->addAction(tr("Compare &Photos..."), this, [this] {
        if (!m_page->clientId())
            return;
        auto *window = new CompareWindow(m_db, m_page->clientId(), 0, this);
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
    });
    comparePhotos->setShortcut(tr("Ctrl+Shift+C"));
    comparePhotos->setStatusTip(tr("Before and after photos aligned, with the measured change"));
    QAction *exportPdf = client->addAction(tr("Export Report as &PDF..."), this, [this] {
        if (!m_page->clientId())
            return;
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export Report"), QString(), tr("PDF (*.pdf)"));
        if (!path.isEmpty())
            consultationReport(path);
    });
    exportPdf->setShortcut(tr("Ctrl+Shift+E"));
    exportPdf->setStatusTip(tr("Write the consultation report as a PDF file"));

    QMenu *schedule = menuBar()->addMenu(tr("&Schedule"));
    QAction *calendar =
        schedule->addAction(tr("Clinic &Calendar"), this, [this] { showCalendar(); });
    calendar->setShortcut(tr("Ctrl+K"));
    calendar->setStatusTip(tr("Every client's appointments by day, week or month"));
    schedule
        ->addAction(tr("&Propose Schedule for Client..."), this,
                    [this] {
                        if (!m_page->clientId())
                            return;
                        m_page->tabs()->setCurrentWidget(m_page->scheduleTab());
                        m_page->scheduleTab()->proposeButton()->click();
                    })
        ->setStatusTip(tr("Dates and times for the sessions of the client's newest saved plan"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About SMP Planner"), this, [this] {
        QMessageBox::about(
            this, tr("About SMP Planner"),
            tr("<b>SMP Planner %1</b><p>Treatment planning and records for scalp "
               "micropigmentation clinics.</p><p>Database: %2</p>")
                .arg(QApplication::applicationVersion(), m_db.path().toHtmlEscaped()));
    });

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(add);
    toolbar->addAction(m_editAction);
    toolbar->addAction(m_importAction);
}

void MainWindow::refreshList(storage::RecordId keepSelected)
{
    QModelIndex index;
    {
        QSignalBlocker blocker(m_list->selectionModel());
        m_model->refresh();
        index = m_model->indexOfClient(keepSelected);
        if (index.isValid())
            m_list->setCurrentIndex(index);
    }
    const int total = storage::ClientStore(m_db).count();
    m_countLabel->setText(m_search->text().isEmpty()
                              ? tr("%n client(s)", nullptr, total)
                              : tr("%1 of %n client(s)", nullptr, total).arg(m_model->rowCount()));
    if (index.isValid()) {
        if (m_page->clientId() == keepSelected)
            m_page->reload();
        else
            showSelectedClient();
        return;
    }
    // The client is not listed: deleted, or hidden by the search (then the page keeps them).
    if (m_page->clientId() != 0 && !storage::ClientStore(m_db).find(m_page->clientId()))
        m_page->showClient(0);
    if (m_page->clientId() == 0)
        showSelectedClient();
}

void MainWindow::showSelectedClient()
{
    const QModelIndex current = m_list->currentIndex();
    const storage::RecordId id =
        current.isValid() ? current.data(ClientListModel::ClientIdRole).toLongLong() : 0;
    const bool hasClient = id != 0;
    m_editAction->setEnabled(hasClient);
    m_deleteAction->setEnabled(hasClient);
    m_importAction->setEnabled(hasClient);
    m_undoStacks->setActiveClient(id);
    if (!hasClient) {
        m_stack->setCurrentWidget(m_emptyState);
        return;
    }
    if (id != m_page->clientId())
        m_page->showClient(id);
    m_stack->setCurrentWidget(m_page);
}

void MainWindow::changeEvent(QEvent *event)
{
    // Back in this window, Edit acts on the client it shows (the calendar may have made another
    // client's stack active).
    if (event->type() == QEvent::ActivationChange && isActiveWindow())
        m_undoStacks->setActiveClient(m_page->clientId());
    QMainWindow::changeEvent(event);
}

void MainWindow::selectClient(storage::RecordId id)
{
    QModelIndex index = m_model->indexOfClient(id);
    if (!index.isValid() && !m_search->text().isEmpty()) {
        m_search->clear();
        m_model->setSearchText(QString());
        index = m_model->indexOfClient(id);
    }
    if (index.isValid()) {
        m_list->setCurrentIndex(index);
        m_list->scrollTo(index);
    }
}

ClientDialog *MainWindow::newClient()
{
    auto *dialog = new ClientDialog(this);
    dialog->setObjectName(QStringLiteral("newClientDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSaveHandler(
        [this](storage::Client &client) { client.id = storage::ClientStore(m_db).add(client); });
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const storage::RecordId id = dialog->client().id;
        refreshList(id);
        selectClient(id);
        statusBar()->showMessage(tr("Added %1").arg(dialog->client().displayName()), 5000);
    });
    dialog->open();
    return dialog;
}

ClientDialog *MainWindow::editClient()
{
    const storage::RecordId id = m_page->clientId();
    if (!id)
        return nullptr;
    auto *dialog = new ClientDialog(this);
    dialog->setObjectName(QStringLiteral("editClientDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    try {
        dialog->setClient(storage::ClientStore(m_db).get(id));
    } catch (const std::exception &error) {
        delete dialog;
        showError(tr("Could not open the client"), QString::fromUtf8(error.what()));
        return nullptr;
    }
    dialog->setSaveHandler(
        [this](storage::Client &client) { storage::ClientStore(m_db).update(client); });
    connect(dialog, &QDialog::accepted, this, [this, id] {
        refreshList(id);
        m_page->reload();
    });
    dialog->open();
    return dialog;
}

void MainWindow::deleteClient()
{
    const storage::RecordId id = m_page->clientId();
    if (!id)
        return;
    try {
        storage::ClientStore store(m_db);
        const storage::Client client = store.get(id);
        const auto photos = storage::PhotoLibrary(m_db).photos(id).size();
        const auto answer = QMessageBox::warning(
            this, tr("Delete Client"),
            tr("Delete %1 with all their records and %n photo(s)?\n\nThis cannot be undone; "
               "make a backup first if unsure.",
               nullptr, int(photos))
                .arg(client.displayName()),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
        // The client's photo windows close first (one with an unsaved plan may ask and stay).
        for (PhotoViewer *viewer : findChildren<PhotoViewer *>())
            if (viewer->photo().clientId == id && !viewer->close())
                return;
        store.remove(id);
        QTimer::singleShot(0, m_undoStacks, [stacks = m_undoStacks, id] {
            stacks->forgetClient(id); // after the closed viewers are deleted
        });
        statusBar()->showMessage(tr("Deleted %1").arg(client.displayName()), 5000);
    } catch (const std::exception &error) {
        showError(tr("The client was not deleted"), QString::fromUtf8(error.what()));
        return;
    }
    m_page->showClient(0);
    refreshList(0);
    showSelectedClient();
}

void MainWindow::importPhotos()
{
    if (!m_page->clientId())
        return;
    m_page->tabs()->setCurrentIndex(3);
    m_page->chooseAndImportPhotos();
}

void MainWindow::backupDatabase(const QString &chosenFile)
{
    QString file = chosenFile;
    if (file.isEmpty()) {
        const QString suggested =
            QStringLiteral("smp-planner-backup-%1.sqlite")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd")));
        file = QFileDialog::getSaveFileName(this, tr("Back Up Database"), suggested,
                                            tr("SMP Planner database (*.sqlite)"));
    }
    if (file.isEmpty())
        return;
    auto result = std::make_shared<storage::BackupResult>();
    auto error = std::make_shared<QString>();
    followWithProgress(
        this, tr("Backing up"),
        backupInBackground({m_db.path(), m_db.actor()}, file, result, error),
        [this, result, error] {
            if (!error->isEmpty()) {
                showError(tr("The backup failed"), *error);
                return;
            }
            if (!result->damagedPhotoFiles.isEmpty()) {
                // Backed up, but not those files: said, with what to do.
                QMessageBox::warning(this, tr("Backup Complete, Photos Damaged"),
                                     tr("The records were saved to %1 and the photos to %2, "
                                        "except these photo files, which have changed since they "
                                        "were imported (damaged); the backup keeps any good copy "
                                        "it had of them:\n\n%3\n\nFile > Check Database names "
                                        "their photos.")
                                         .arg(result->databaseFile, result->photoFolder,
                                              result->damagedPhotoFiles.join(QLatin1Char('\n'))));
                return;
            }
            QMessageBox::information(this, tr("Backup Complete"),
                                     tr("The records were saved to %1 and the photos to %2.")
                                         .arg(result->databaseFile, result->photoFolder));
        });
}

void MainWindow::restoreDatabase(const QString &chosenFile)
{
    const QString file = backupFileToOpen(chosenFile, tr("Restore From Backup"));
    if (file.isEmpty())
        return;
    if (QMessageBox::warning(this, tr("Restore From Backup"),
                             tr("Replace all current records with the backup %1?\n\nThe current "
                                "state is saved beside the database first.")
                                 .arg(file),
                             QMessageBox::Yes | QMessageBox::Cancel,
                             QMessageBox::Cancel) != QMessageBox::Yes)
        return;
    auto result = std::make_shared<storage::RestoreResult>();
    auto error = std::make_shared<QString>();
    followWithProgress(
        this, tr("Restoring"),
        restoreInBackground({m_db.path(), m_db.actor()}, file, result, error),
        [this, result, error, file] {
            if (!error->isEmpty()) {
                showError(tr("The restore failed"), *error);
                return;
            }
            m_page->showClient(0);
            refreshList(0);
            showSelectedClient();
            if (!result->photosWithoutFile.isEmpty()) {
                const QString backupLibrary = storage::Database::photoLibraryPathFor(file);
                QMessageBox::warning(this, tr("Restore Complete, Photos Missing"),
                                     tr("The backup's records were restored (the state before "
                                        "is saved in %1), but these photos have no file:\n\n"
                                        "%2\n\n%3")
                                         .arg(result->safetyCopy,
                                              result->photosWithoutFile.join(QLatin1Char('\n')),
                                              result->backupPhotoFolderMissing
                                                  ? tr("The backup's photo folder %1 is missing: "
                                                       "put it beside the backup file and "
                                                       "restore again.")
                                                        .arg(backupLibrary)
                                                  : tr("They are in neither the backup nor the "
                                                       "library: import the originals again.")));
                return;
            }
            if (!result->damagedPhotoFiles.isEmpty()) {
                QMessageBox::warning(this, tr("Restore Complete, Photos Damaged"),
                                     tr("The backup was restored. The state before it is saved in "
                                        "%1. These photo files are damaged in the backup and were "
                                        "not copied into the library:\n\n%2\n\nFile > Check "
                                        "Database names their photos.")
                                         .arg(result->safetyCopy,
                                              result->damagedPhotoFiles.join(QLatin1Char('\n'))));
                return;
            }
            QMessageBox::information(
                this, tr("Restore Complete"),
                tr("The backup was restored. The state before it is saved in %1.")
                    .arg(result->safetyCopy));
        });
}

void MainWindow::saveMarkerSheet()
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Save Calibration Markers"),
                                                      QStringLiteral("smp-calibration-markers.pdf"),
                                                      tr("PDF (*.pdf)"));
    if (file.isEmpty())
        return;
    const bool letter = QLocale().measurementSystem() == QLocale::ImperialUSSystem;
    try {
        clinic::writeMarkerSheet(file, letter ? QPageSize::Letter : QPageSize::A4);
    } catch (const std::exception &error) {
        showError(tr("The marker sheet was not saved"), QString::fromUtf8(error.what()));
        return;
    }
    statusBar()->showMessage(tr("Saved %1: print it at 100% and check its 100 mm ruler").arg(file),
                             8000);
}

void MainWindow::checkDatabase()
{
    // The full check reads every page and photo: on a worker, with progress and Cancel.
    auto problems = std::make_shared<QStringList>();
    auto error = std::make_shared<QString>();
    QFuture<void> check = checkDatabaseInBackground({m_db.path(), m_db.actor()}, problems, error);
    followWithProgress(this, tr("Checking the database"), check, [this, problems, error] {
        if (*error == QLatin1String("cancelled"))
            return;
        if (!error->isEmpty())
            *problems << *error;
        if (problems->isEmpty())
            QMessageBox::information(this, tr("Check Database"),
                                     tr("The database and the photo library are sound."));
        else
            showError(tr("Check Database"), problems->join(QLatin1Char('\n')));
        emit databaseChecked(int(problems->size()));
    });
}

QString MainWindow::backupFileToOpen(const QString &chosenFile, const QString &title)
{
    if (!chosenFile.isEmpty())
        return chosenFile;
    return QFileDialog::getOpenFileName(this, title, QString(),
                                        tr("SMP Planner database (*.sqlite);;All files (*)"));
}

void MainWindow::verifyBackup(const QString &chosenFile)
{
    const QString file = backupFileToOpen(chosenFile, tr("Verify Backup"));
    if (file.isEmpty())
        return;
    // Every photo file of the backup is read: on a worker, with progress and Cancel.
    auto result = std::make_shared<storage::BackupCheck>();
    auto error = std::make_shared<QString>();
    followWithProgress(
        this, tr("Checking the backup"), checkBackupInBackground(file, result, error),
        [this, result, error] {
            if (result->cancelled) {
                emit backupChecked(-1);
                return;
            }
            QMessageBox::Icon icon = QMessageBox::Information;
            QString title = tr("Backup Sound");
            QString text;
            if (!error->isEmpty()) {
                icon = QMessageBox::Warning;
                title = tr("Backup Cannot Be Used");
                text = *error;
            } else if (!result->problems.isEmpty()) {
                icon = QMessageBox::Warning;
                title = tr("Backup Damaged");
                text = tr("%n problem(s) found in the backup %1: what is named cannot be "
                          "restored as it was saved.",
                          nullptr, int(result->problems.size()))
                           .arg(result->databaseFile);
            } else {
                text = tr("The backup %1 and its %n photo(s) can be restored: its records pass "
                          "the integrity check and every photo file holds the bytes it was "
                          "imported with.",
                          nullptr, result->photos)
                           .arg(result->databaseFile);
            }
            auto *box = new QMessageBox(icon, title, text, QMessageBox::Ok, this);
            box->setObjectName(QStringLiteral("backupCheckBox"));
            if (!result->problems.isEmpty()) {
                box->setInformativeText(result->problems.first());
                box->setDetailedText(result->problems.join(QLatin1Char('\n')));
            }
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            emit backupChecked(error->isEmpty() ? int(result->problems.size()) : -1);
        });
}

void MainWindow::showError(const QString &what, const QString &message)
{
    QMessageBox::warning(this, what, message);
}

void MainWindow::consultationReport(const QString &pdfPath)
{
    const storage::RecordId clientId = m_page->clientId();
    if (!clientId)
        return;
    auto report = std::make_shared<clinic::ConsultationReport>();
    auto error = std::make_shared<QString>();
    followWithProgress(
        this, tr("Preparing the report"),
        gatherReportInBackground({m_db.path(), m_db.actor()}, clientId, report, error),
        [this, report, error, pdfPath] {
            if (*error == QLatin1String("cancelled"))
                return;
            if (!error->isEmpty()) {
                showError(tr("No report"), *error);
                return;
            }
            // Figures read by an earlier version of the analysis may differ from what the photos
            // read now: the technician decides before the client gets them on paper.
            if (!report->olderAnalyses.empty()) {
                QMessageBox ask(
                    QMessageBox::Question, tr("Analysed by an Earlier Version"),
                    tr("The report shows photos analysed by another version of the analysis "
                       "than this program's (%1), whose coverage and stage may differ from "
                       "what they read now:\n%2\n\nAnalyse them again first (in the photo "
                       "window), or make the report as it is?")
                        .arg(clinic::analysisVersion(),
                             QStringList(report->olderAnalyses.begin(), report->olderAnalyses.end())
                                 .join(QLatin1Char('\n'))),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
                ask.button(QMessageBox::Yes)->setText(tr("Make It As It Is"));
                ask.setDefaultButton(QMessageBox::Cancel);
                if (ask.exec() != QMessageBox::Yes)
                    return;
            }
            if (!pdfPath.isEmpty()) {
                try {
                    const int pages = clinic::writeConsultationPdf(*report, pdfPath);
                    statusBar()->showMessage(tr("Wrote %1 (%2 pages)").arg(pdfPath).arg(pages),
                                             8000);
                } catch (const std::exception &failure) {
                    showError(tr("Report not written"), QString::fromUtf8(failure.what()));
                }
                return;
            }
            QPrinter printer(QPrinter::HighResolution);
            printer.setPageSize(QPageSize(QPageSize::A4));
            QPrintPreviewDialog preview(&printer, this);
            preview.setWindowTitle(tr("Consultation Report: %1").arg(report->client.displayName()));
            preview.resize(1000, 900);
            connect(&preview, &QPrintPreviewDialog::paintRequested, this,
                    [report](QPrinter *device) { clinic::paintConsultation(*report, *device); });
            m_preview = &preview;
            preview.exec();
            m_preview = nullptr;
        });
}

void MainWindow::progressReport()
{
    const storage::RecordId clientId = m_page->clientId();
    if (!clientId)
        return;
    auto report = std::make_shared<clinic::ProgressReport>();
    auto error = std::make_shared<QString>();
    followWithProgress(
        this, tr("Aligning the photos"),
        gatherProgressInBackground({m_db.path(), m_db.actor()}, clientId, report, error),
        [this, report, error] {
            if (!error->isEmpty()) {
                showError(tr("No progress report"), *error);
                return;
            }
            QPrinter printer(QPrinter::HighResolution);
            printer.setPageSize(QPageSize(QPageSize::A4));
            QPrintPreviewDialog preview(&printer, this);
            preview.setWindowTitle(tr("Progress Report: %1").arg(report->client.displayName()));
            preview.resize(1000, 900);
            connect(&preview, &QPrintPreviewDialog::paintRequested, this,
                    [report](QPrinter *device) { clinic::paintProgress(*report, *device); });
            m_preview = &preview;
            preview.exec();
            m_preview = nullptr;
        });
}

int MainWindow::offerUnsavedWork()
{
    std::vector<storage::PlanDraft> drafts;
    try {
        drafts = storage::DraftStore(m_db).planDrafts();
    } catch (const std::exception &error) {
        showError(tr("The autosaved work could not be listed"), QString::fromUtf8(error.what()));
        return 0;
    }
    if (drafts.empty())
        return 0;
    QStringList lines;
    storage::ClientStore clients(m_db);
    storage::PhotoLibrary photos(m_db);
    for (const storage::PlanDraft &draft : drafts) {
        const auto client = clients.find(draft.clientId);
        const auto photo = photos.find(draft.photoId);
        lines << tr("%1: plan of photo %2 (%3), autosaved %4")
                     .arg(client ? client->displayName() : tr("client %1").arg(draft.clientId))
                     .arg(draft.photoId)
                     .arg(photo ? photo->originalName : QString())
                     .arg(QLocale().toString(draft.savedAt.toLocalTime(), QLocale::ShortFormat));
    }
    QMessageBox box(QMessageBox::Question, tr("Restore Unsaved Work?"),
                    tr("SMP Planner did not close properly last time. Work that was not saved "
                       "yet was kept:"),
                    QMessageBox::Open | QMessageBox::Ignore, this);
    box.setInformativeText(lines.join(QLatin1Char('\n')) +
                           tr("\n\nOpen it now? Otherwise it comes back when you open the photo."));
    box.setDefaultButton(QMessageBox::Open);
    if (box.exec() != QMessageBox::Open)
        return 0;
    int opened = 0;
    for (const storage::PlanDraft &draft : drafts) {
        selectClient(draft.clientId);
        if (m_page->clientId() != draft.clientId)
            continue;
        m_page->openPhoto(draft.photoId);
        ++opened;
    }
    return opened;
}

CalendarWindow *MainWindow::showCalendar()
{
    if (!m_calendar) {
        m_calendar = new CalendarWindow(m_db, this);
        m_calendar->setUndoStacks(m_undoStacks);
        connect(m_calendar, &CalendarWindow::clientActivated, this, [this](storage::RecordId id) {
            selectClient(id);
            m_page->tabs()->setCurrentWidget(m_page->scheduleTab());
            raise();
            activateWindow();
        });
        connect(m_page->scheduleTab(), &ClientScheduleTab::changed, m_calendar,
                &CalendarWindow::reload);
    }
    m_calendar->reload();
    m_calendar->show();
    m_calendar->raise();
    return m_calendar;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Open photo viewers first: one with an unsaved plan may ask, and may keep the window open.
    for (PhotoViewer *viewer : findChildren<PhotoViewer *>())
        if (viewer->isVisible() && !viewer->close()) {
            event->ignore();
            return;
        }
    m_page->flushPendingEdits();
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("mainSplitter")))
        settings.setValue(QStringLiteral("mainWindow/splitter"), splitter->saveState());
    QMainWindow::closeEvent(event);
}

} // namespace smp::gui
