#pragma once

#include "smp/storage/Records.h"

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTimer;

namespace smp::storage {
class Database;
}

namespace smp::gui {

class CalendarWindow;

class ClientDialog;
class ClientUndoStacks;
class ClientListModel;
class ClientPage;

// The main window: the searchable client list on the left, the selected client on the right.
// Does not own the database; it must outlive the window. GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(storage::Database &db, QWidget *parent = nullptr);
    ~MainWindow() override;

    ClientListModel *clientModel() const { return m_model; }
    ClientPage *clientPage() const { return m_page; }
    QLineEdit *searchField() const { return m_search; }
    QListView *clientList() const { return m_list; }

    // Selects the client in the list (clearing the search when it hides them) and shows them.
    void selectClient(storage::RecordId id);

    // Opens the non-modal-to-the-app dialog; the client is stored when the user saves.
    // Returns the dialog (owned by the window, deleted when closed).
    ClientDialog *newClient();
    ClientDialog *editClient();
    void deleteClient();
    void importPhotos();
    // Backs up into `file` in the background (progress, Cancel), or first asks where when it is
    // empty; says the outcome in a message box.
    void backupDatabase(const QString &file = QString());
    // Restores the backup `file` after asking to confirm, or first asks which when it is empty.
    void restoreDatabase(const QString &file = QString());
    void checkDatabase();
    // Checks a backup without restoring it (asks for the file when `file` is empty); says what
    // it found in a message box (object name "backupCheckBox") and emits backupChecked().
    void verifyBackup(const QString &file = QString());
    void saveMarkerSheet();
    // The client's consultation report: gathered in the background (progress, Cancel), then
    // shown in a print preview (print from there) or, with `pdfPath`, written as PDF.
    void consultationReport(const QString &pdfPath = QString());
    // The progress report (before/after of each view) in a print preview, gathered in the
    // background.
    void progressReport();
    // The report's print preview while it is open (tests), else nullptr.
    QWidget *reportPreview() const { return m_preview; }
    // After a session that did not close: lists the autosaved designs (storage::DraftStore) and,
    // when the technician agrees, opens each photo with its design restored. Returns how many
    // were opened.
    int offerUnsavedWork();
    // Shows the clinic calendar window (made on first use, owned by this window).
    CalendarWindow *showCalendar();

    // The per-client undo stacks (Edit menu).
    ClientUndoStacks *undoStacks() const { return m_undoStacks; }
    QAction *undoAction() const { return m_undoAction; }
    QAction *redoAction() const { return m_redoAction; }

signals:
    // File > Check Database finished with this many problems (tests).
    void databaseChecked(int problems);
    // -1: the check could not run or was cancelled.
    void backupChecked(int problems);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createActions();
    void showSelectedClient();
    void refreshList(storage::RecordId keepSelected);
    void showError(const QString &what, const QString &message);
    // `chosenFile` when given, else the backup file the user picks in a dialog titled `title`
    // (empty when cancelled).
    QString backupFileToOpen(const QString &chosenFile, const QString &title);

    storage::Database &m_db;
    ClientListModel *m_model = nullptr;
    QLineEdit *m_search = nullptr;
    QListView *m_list = nullptr;
    QStackedWidget *m_stack = nullptr;
    ClientPage *m_page = nullptr;
    QLabel *m_emptyState = nullptr;
    QLabel *m_countLabel = nullptr;
    QTimer *m_searchTimer = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_importAction = nullptr;
    CalendarWindow *m_calendar = nullptr;
    ClientUndoStacks *m_undoStacks = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QWidget *m_preview = nullptr; // the report's print preview while it is open
};

} // namespace smp::gui
