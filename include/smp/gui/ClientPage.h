#pragma once

#include "smp/storage/Records.h"

#include <QFutureWatcher>
#include <QImage>
#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QTableWidget;
class QTabWidget;
class QTimer;

namespace smp::storage {
class Database;
}

namespace smp::gui {

class ClientScheduleTab;
class ClientUndoStacks;

// One client: details, contraindication screening, consents, photos, the treatment schedule
// and the history of changes. Reads and writes through the GUI thread's connection; photo import
// runs on a worker thread (BackgroundWork.h). Photos can be dropped onto the page.
class ClientPage : public QWidget
{
    Q_OBJECT

public:
    explicit ClientPage(storage::Database &db, QWidget *parent = nullptr);
    ~ClientPage() override;

    // The clients' undo stacks (owned by the main window): photo windows and the schedule put
    // their edits on the shown client's stack. Without it each photo window has its own.
    void setUndoStacks(ClientUndoStacks *stacks);

    // Loads and shows a client; 0 clears the page.
    void showClient(storage::RecordId id);
    storage::RecordId clientId() const noexcept { return m_clientId; }
    // Re-reads the current client from the database.
    void reload();

    // Starts importing the files (or folders) for the current client in the background, with
    // progress and cancel, tagged with the view chosen on the Photos tab.
    void importPhotos(const QStringList &paths);
    // Asks for files with a file dialog, then importPhotos().
    void chooseAndImportPhotos();
    // Opens the photo in its own viewer window (zoom, rotate, calibrate); an open one comes
    // forward.
    void openPhoto(storage::RecordId photoId);
    // Stores answers given in the last second (the screening is saved as it is edited); called
    // before another client is shown and when the window closes.
    void flushPendingEdits();

    // For tests and the main window: the widgets a person works with.
    QTabWidget *tabs() const { return m_tabs; }
    QListWidget *photoList() const { return m_photoList; }
    QTableWidget *screeningTable() const { return m_screeningTable; }
    QComboBox *importViewCombo() const { return m_importView; }
    ClientScheduleTab *scheduleTab() const { return m_schedule; }

signals:
    // The client's records changed (the list shows counts and names).
    void clientChanged(storage::RecordId id);
    void editRequested();
    // A background job finished (tests wait for this).
    void photoImportFinished(int imported, int failed);
    // The client's stage is on the Photos tab (showClientStage()).
    void stageShown();
    // Every thumbnail on the Photos tab is loaded and its file checked (damaged files marked);
    // not emitted when the load was cancelled for another client or a reload.
    void photoThumbnailsLoaded();
    void statusMessage(const QString &message);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildDetailsTab();
    void buildScreeningTab();
    void buildConsentsTab();
    void buildPhotosTab();
    void buildHistoryTab();
    void loadDetails(const storage::Client &client);
    void loadScreening();
    void loadConsents();
    void loadPhotos();
    // The client's stage from their latest visit's photos (clinic::clientStage()), on the Photos
    // tab; after the photos load, a photo's view changes and a photo window stores corrections.
    // Read on a worker thread (restaging four photos takes about 90 ms); for another client than
    // the line shows, the line says so meanwhile; stageShown() follows.
    void showClientStage();
    void loadHistory();
    void saveScreening();
    void screeningEdited();
    void addConsent();
    void removeSelectedConsent();
    void changeSelectedPhotoView(int comboIndex);
    void deleteSelectedPhoto();
    void rotateSelectedPhoto(int quarterTurns);
    void showError(const QString &what, const std::exception &error);
    QString describeLatestAnalysis(storage::RecordId photoId);
    // The line under the thumbnails for the selected photo: its facts, its latest analysis and
    // whether its file can be used.
    void showPhotoInfo(QListWidgetItem *item);

    storage::Database &m_db;
    storage::RecordId m_clientId = 0;
    QString m_clientName;
    ClientUndoStacks *m_undoStacks = nullptr;

    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QLabel *m_screeningBadge = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_details = nullptr;
    QTableWidget *m_screeningTable = nullptr;
    QLabel *m_screeningSummary = nullptr;
    QPushButton *m_saveScreening = nullptr;
    QTimer *m_screeningTimer = nullptr;
    bool m_loadingScreening = false; // filling the table: not an edit
    QTableWidget *m_consentTable = nullptr;
    QListWidget *m_photoList = nullptr;
    QComboBox *m_importView = nullptr;
    QComboBox *m_selectedPhotoView = nullptr;
    QLabel *m_photoInfo = nullptr;
    QLabel *m_stageInfo = nullptr;
    QFutureWatcher<void> m_stageReading;
    int m_stageRequest = 0; // the latest reading asked for; earlier ones are not shown
    storage::RecordId m_stageShownFor = 0; // whose stage the line shows (0: none yet)
    QTableWidget *m_historyTable = nullptr;
    ClientScheduleTab *m_schedule = nullptr;
    QFutureWatcher<QImage> m_thumbnails;
};

} // namespace smp::gui
