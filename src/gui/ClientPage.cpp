#include "smp/gui/ClientPage.h"

#include "smp/gui/CompareWindow.h"
#include "smp/gui/Schedule.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/gui/BackgroundWork.h"
#include "smp/gui/ClientUndo.h"
#include "smp/gui/ConsentDialog.h"
#include "smp/gui/PhotoViewer.h"
#include "smp/imaging/ImageProbe.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/AuditLog.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <stdexcept>

namespace smp::gui {

namespace {

constexpr int kThumbnailSize = 200; // shown size; the cache holds larger ones
constexpr int kPhotoIdRole = Qt::UserRole + 1;
// The reason a photo's library file cannot be read (missing, changed since import); empty when
// it is whole. Set when its thumbnail arrives.
constexpr int kFileProblemRole = Qt::UserRole + 2;

QString viewLabel(storage::PhotoView view)
{
    switch (view) {
    case storage::PhotoView::Front:
        return QObject::tr("Front");
    case storage::PhotoView::Top:
        return QObject::tr("Top");
    case storage::PhotoView::Crown:
        return QObject::tr("Crown");
    case storage::PhotoView::Back:
        return QObject::tr("Back");
    case storage::PhotoView::Left:
        return QObject::tr("Left side");
    case storage::PhotoView::Right:
        return QObject::tr("Right side");
    case storage::PhotoView::Other:
        break;
    }
    return QObject::tr("Other");
}

void fillViewCombo(QComboBox *combo)
{
    for (storage::PhotoView view : storage::allPhotoViews())
        combo->addItem(viewLabel(view), int(view));
}

QString answerLabel(storage::ScreeningAnswer answer)
{
    switch (answer) {
    case storage::ScreeningAnswer::NeedsClearance:
        return QObject::tr("Needs clearance");
    case storage::ScreeningAnswer::Excludes:
        return QObject::tr("Excludes treatment");
    case storage::ScreeningAnswer::None:
        break;
    }
    return QObject::tr("No"); // the client does not have it (the report says "no")
}

QStringList localFiles(const QMimeData *mime)
{
    QStringList files;
    if (!mime || !mime->hasUrls())
        return files;
    for (const QUrl &url : mime->urls()) {
        if (url.isLocalFile())
            files << url.toLocalFile();
    }
    return files;
}

} // namespace

ClientPage::ClientPage(storage::Database &db, QWidget *parent)
    : QWidget(parent)
    , m_db(db)
{
    setAcceptDrops(true);
    auto *layout = new QVBoxLayout(this);

    auto *header = new QHBoxLayout;
    auto *titles = new QVBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("clientTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(this);
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    titles->addWidget(m_title);
    titles->addWidget(m_subtitle);
    header->addLayout(titles, 1);
    m_screeningBadge = new QLabel(this);
    m_screeningBadge->setObjectName(QStringLiteral("screeningBadge"));
    m_screeningBadge->setMargin(6);
    header->addWidget(m_screeningBadge);
    auto *editButton = new QPushButton(tr("&Edit Details..."), this);
    connect(editButton, &QPushButton::clicked, this, &ClientPage::editRequested);
    header->addWidget(editButton);
    layout->addLayout(header);

    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs, 1);
    buildDetailsTab();
    buildScreeningTab();
    buildConsentsTab();
    buildPhotosTab();
    m_schedule = new ClientScheduleTab(m_db, this);
    m_tabs->addTab(m_schedule, tr("S&chedule"));
    connect(m_schedule, &ClientScheduleTab::changed, this, [this] {
        loadHistory();
        emit clientChanged(m_clientId);
    });
    buildHistoryTab();

    connect(&m_thumbnails, &QFutureWatcher<QImage>::resultReadyAt, this, [this](int index) {
        QListWidgetItem *item = m_photoList->item(index);
        const QImage image = m_thumbnails.resultAt(index);
        if (!item || image.isNull())
            return;
        // The same pixmap when selected: styles tint selected icons, which falsifies skin tones.
        const QPixmap pixmap = QPixmap::fromImage(image);
        QIcon icon;
        icon.addPixmap(pixmap, QIcon::Normal);
        icon.addPixmap(pixmap, QIcon::Selected);
        item->setIcon(icon);
        // A file missing or changed since import (framed in red): said on the item.
        if (const QString problem = image.text(QString::fromLatin1(kThumbnailProblemKey));
            !problem.isEmpty()) {
            item->setText(item->text() + tr("\nfile damaged"));
            item->setForeground(QColor(198, 40, 40));
            item->setToolTip(problem);
            item->setData(kFileProblemRole, problem);
            if (item == m_photoList->currentItem())
                showPhotoInfo(item);
        }
    });
    connect(&m_thumbnails, &QFutureWatcher<QImage>::finished, this, [this] {
        if (!m_thumbnails.isCanceled())
            emit photoThumbnailsLoaded();
    });
}

ClientPage::~ClientPage()
{
    m_thumbnails.cancel();
    m_thumbnails.waitForFinished();
    m_stageReading.waitForFinished();
}

void ClientPage::buildDetailsTab()
{
    m_details = new QLabel(this);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);
    m_details->setMargin(12);
    m_tabs->addTab(m_details, tr("&Details"));
}

void ClientPage::buildScreeningTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *intro = new QLabel(tr("Ask each question at intake. \"Needs clearance\": treat only with "
                                "a doctor's written clearance. \"Excludes treatment\": do not "
                                "treat."),
                             page);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_screeningTable = new QTableWidget(0, 4, page);
    m_screeningTable->setObjectName(QStringLiteral("screeningTable"));
    m_screeningTable->setHorizontalHeaderLabels(
        {tr("Contraindication"), tr("Answer"), tr("Note"), tr("Answered")});
    m_screeningTable->verticalHeader()->hide();
    m_screeningTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_screeningTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_screeningTable->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_screeningTable, 1);
    auto *buttons = new QHBoxLayout;
    m_screeningSummary = new QLabel(page);
    buttons->addWidget(m_screeningSummary, 1);
    m_saveScreening = new QPushButton(tr("&Save Screening"), page);
    m_saveScreening->setObjectName(QStringLiteral("saveScreeningButton"));
    m_saveScreening->setToolTip(tr("Answers are stored as you give them (with today's date and "
                                   "your name); this stores them at once"));
    connect(m_saveScreening, &QPushButton::clicked, this, &ClientPage::saveScreening);
    buttons->addWidget(m_saveScreening);
    layout->addLayout(buttons);
    m_tabs->addTab(page, tr("&Screening"));

    const auto catalogue = storage::contraindicationCatalogue();
    m_screeningTable->setRowCount(static_cast<int>(catalogue.size()));
    for (int row = 0; row < static_cast<int>(catalogue.size()); ++row) {
        const auto &item = catalogue[static_cast<std::size_t>(row)];
        auto *label = new QTableWidgetItem(QString::fromLatin1(item.label));
        label->setFlags(Qt::ItemIsEnabled);
        label->setToolTip(QString::fromLatin1(item.guidance));
        label->setData(Qt::UserRole, QString::fromLatin1(item.key));
        m_screeningTable->setItem(row, 0, label);
        auto *answer = new QComboBox(m_screeningTable);
        answer->addItem(tr("Not asked"), -1);
        for (auto value : {storage::ScreeningAnswer::None, storage::ScreeningAnswer::NeedsClearance,
                           storage::ScreeningAnswer::Excludes})
            answer->addItem(answerLabel(value), int(value));
        m_screeningTable->setCellWidget(row, 1, answer);
        connect(answer, &QComboBox::currentIndexChanged, this, &ClientPage::screeningEdited);
        m_screeningTable->setItem(row, 2, new QTableWidgetItem);
        auto *answered = new QTableWidgetItem;
        answered->setFlags(Qt::ItemIsEnabled);
        m_screeningTable->setItem(row, 3, answered);
    }
    m_screeningTable->resizeColumnToContents(1);
    // Answers are stored as they are given: a second after the last change (a crash or kill
    // loses at most that), and at once when another client is shown.
    m_screeningTimer = new QTimer(this);
    m_screeningTimer->setSingleShot(true);
    m_screeningTimer->setInterval(1000);
    connect(m_screeningTimer, &QTimer::timeout, this, &ClientPage::saveScreening);
    connect(m_screeningTable, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() == 2)
            screeningEdited();
    });
}

void ClientPage::screeningEdited()
{
    if (!m_loadingScreening && m_clientId)
        m_screeningTimer->start();
}

void ClientPage::flushPendingEdits()
{
    if (m_screeningTimer->isActive()) {
        m_screeningTimer->stop();
        saveScreening();
    }
}

void ClientPage::buildConsentsTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_consentTable = new QTableWidget(0, 4, page);
    m_consentTable->setHorizontalHeaderLabels(
        {tr("Consent to"), tr("Text version"), tr("Signed on"), tr("Signed by")});
    m_consentTable->verticalHeader()->hide();
    m_consentTable->horizontalHeader()->setStretchLastSection(true);
    m_consentTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_consentTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_consentTable->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(m_consentTable, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    auto *add = new QPushButton(tr("&Record Consent..."), page);
    add->setObjectName(QStringLiteral("recordConsentButton"));
    connect(add, &QPushButton::clicked, this, &ClientPage::addConsent);
    auto *remove = new QPushButton(tr("Remove"), page);
    connect(remove, &QPushButton::clicked, this, &ClientPage::removeSelectedConsent);
    buttons->addWidget(add);
    buttons->addWidget(remove);
    layout->addLayout(buttons);
    m_tabs->addTab(page, tr("&Consents"));
}

void ClientPage::buildPhotosTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    auto *toolbar = new QHBoxLayout;
    auto *import = new QPushButton(tr("&Import Photos..."), page);
    import->setObjectName(QStringLiteral("importPhotosButton"));
    import->setToolTip(tr("Import photos from files or a folder; you can also drop them here"));
    connect(import, &QPushButton::clicked, this, &ClientPage::chooseAndImportPhotos);
    toolbar->addWidget(import);
    toolbar->addWidget(new QLabel(tr("as view:"), page));
    m_importView = new QComboBox(page);
    m_importView->setObjectName(QStringLiteral("importViewCombo"));
    fillViewCombo(m_importView);
    m_importView->setCurrentIndex(m_importView->findData(int(storage::PhotoView::Top)));
    toolbar->addWidget(m_importView);
    toolbar->addStretch(1);
    toolbar->addWidget(new QLabel(tr("Selected photo's view:"), page));
    m_selectedPhotoView = new QComboBox(page);
    fillViewCombo(m_selectedPhotoView);
    m_selectedPhotoView->setEnabled(false);
    connect(m_selectedPhotoView, &QComboBox::activated, this, &ClientPage::changeSelectedPhotoView);
    toolbar->addWidget(m_selectedPhotoView);
    auto *open = new QPushButton(tr("&Open"), page);
    open->setToolTip(tr("Open the selected photo to zoom, rotate and calibrate it (double-click)"));
    connect(open, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_photoList->currentItem())
            openPhoto(item->data(kPhotoIdRole).toLongLong());
    });
    toolbar->addWidget(open);
    auto *compare = new QPushButton(tr("Compare..."), page);
    compare->setToolTip(
        tr("Compare the selected photo (before) with a later one of the same view"));
    connect(compare, &QPushButton::clicked, this, [this] {
        const QListWidgetItem *item = m_photoList->currentItem();
        auto *window = new CompareWindow(m_db, m_clientId,
                                         item ? item->data(kPhotoIdRole).toLongLong() : 0, this);
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
    });
    toolbar->addWidget(compare);
    auto *rotateLeft = new QPushButton(tr("⟲"), page);
    rotateLeft->setToolTip(tr("Rotate the selected photo 90° to the left"));
    connect(rotateLeft, &QPushButton::clicked, this, [this] { rotateSelectedPhoto(-1); });
    toolbar->addWidget(rotateLeft);
    auto *rotateRight = new QPushButton(tr("⟳"), page);
    rotateRight->setObjectName(QStringLiteral("rotateRightButton"));
    rotateRight->setToolTip(tr("Rotate the selected photo 90° to the right"));
    connect(rotateRight, &QPushButton::clicked, this, [this] { rotateSelectedPhoto(1); });
    toolbar->addWidget(rotateRight);
    auto *remove = new QPushButton(tr("Delete Photo"), page);
    connect(remove, &QPushButton::clicked, this, &ClientPage::deleteSelectedPhoto);
    toolbar->addWidget(remove);
    layout->addLayout(toolbar);
    m_stageInfo = new QLabel(page);
    m_stageInfo->setObjectName(QStringLiteral("clientStageLabel"));
    m_stageInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stageInfo->setToolTip(
        tr("The stage of the client from the front, top and crown views of their latest visit: "
           "the mean of their stages on the maps as corrected. Together they read the stage more "
           "surely than one photo; back and side views read it least surely and do not count."));
    layout->addWidget(m_stageInfo);

    m_photoList = new QListWidget(page);
    m_photoList->setObjectName(QStringLiteral("photoList"));
    m_photoList->setViewMode(QListView::IconMode);
    m_photoList->setIconSize(QSize(kThumbnailSize, kThumbnailSize));
    // Room for three lines under each thumbnail: view, date and "file damaged".
    const int textHeight = 3 * m_photoList->fontMetrics().lineSpacing() + 6;
    m_photoList->setGridSize(QSize(kThumbnailSize + 24, kThumbnailSize + textHeight + 12));
    m_photoList->setResizeMode(QListView::Adjust);
    m_photoList->setMovement(QListView::Static);
    m_photoList->setWordWrap(true);
    // Each item sized by its own text: sized alike (from the first), the third line a check
    // adds to a damaged file's item was cut off, its date elided.
    m_photoList->setUniformItemSizes(false);
    layout->addWidget(m_photoList, 1);
    m_photoInfo = new QLabel(tr("Drop photos here to import them."), page);
    m_photoInfo->setObjectName(QStringLiteral("photoInfo"));
    m_photoInfo->setWordWrap(true); // a long analysis line (no scalp and why) stays readable
    layout->addWidget(m_photoInfo);
    connect(m_photoList, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { openPhoto(item->data(kPhotoIdRole).toLongLong()); });
    connect(m_photoList, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        m_selectedPhotoView->setEnabled(item != nullptr);
        if (item)
            showPhotoInfo(item);
    });
    m_tabs->addTab(page, tr("&Photos"));
}

void ClientPage::showPhotoInfo(QListWidgetItem *item)
{
    const auto photo = storage::PhotoLibrary(m_db).find(item->data(kPhotoIdRole).toLongLong());
    if (!photo)
        return;
    m_selectedPhotoView->setCurrentIndex(m_selectedPhotoView->findData(int(photo->view)));
    const auto calibration = storage::PhotoLibrary(m_db).currentCalibration(photo->id);
    const QString problem = item->data(kFileProblemRole).toString();
    QString text = tr("%1 · %2 × %3 px · taken %4%5 · from %6 · %7")
                       .arg(viewLabel(photo->view))
                       .arg(photo->widthPx)
                       .arg(photo->heightPx)
                       .arg(QLocale().toString(photo->takenAt.toLocalTime(), QLocale::ShortFormat))
                       .arg(photo->takenAtFromExif ? QString() : tr(" (file date)"))
                       .arg(photo->originalName)
                       .arg(clinic::describeCalibration(calibration));
    // The latest analysis, unless there is none and the file cannot be opened to make one: then
    // the whole reason and what to do (the thumbnail says only "file damaged").
    const bool analysed = storage::AnalysisStore(m_db).latest(photo->id).has_value();
    if (analysed || problem.isEmpty())
        text += QLatin1Char('\n') + describeLatestAnalysis(photo->id);
    if (!problem.isEmpty())
        text += QLatin1Char('\n') + tr("The file cannot be used: %1").arg(problem);
    m_photoInfo->setText(text);
}

QString ClientPage::describeLatestAnalysis(storage::RecordId photoId)
{
    storage::AnalysisStore store(m_db);
    const auto analysis = store.latest(photoId);
    if (!analysis)
        return tr("Not analysed yet: open the photo and choose Analyze.");
    const QJsonObject summary = QJsonDocument::fromJson(analysis->summaryJson.toUtf8()).object();
    if (!summary.value(QLatin1String("scalp_found")).toBool()) {
        // Why, when the analysis said (a photo too dark or blank says what to do about it).
        const QString reason = summary.value(QLatin1String("no_scalp_reason")).toString();
        const QString when =
            QLocale().toString(analysis->createdAt.toLocalTime(), QLocale::ShortFormat);
        return reason.isEmpty() ? tr("Analysed %1: no scalp found").arg(when)
                                : tr("Analysed %1: no scalp found: %2").arg(when, reason);
    }
    const auto photo = storage::PhotoLibrary(m_db).find(photoId);
    if (!photo)
        return QString();
    // A damaged map (not its stated size) is named with what to do, rather than read.
    if (const QString damage = clinic::mapSizeDamage(*analysis, *photo); !damage.isEmpty())
        return damage;
    const QByteArray correctedGrades = store.correctedGrades(*analysis);
    const QJsonObject norwood = summary.value(QLatin1String("norwood")).toObject();
    QString stage = norwood.value(QLatin1String("stage")).toString();
    double confidence = norwood.value(QLatin1String("confidence")).toDouble();
    // Corrected where the map differs from the analysis's own (an undone stroke or Take Back
    // All Corrections leaves its tiles stored, as the analysis read them).
    const bool corrected = correctedGrades != analysis->grades;
    if (corrected) {
        // The stage of the map as corrected, as the report gives it (areas are not shown here).
        try {
            const auto stageNow =
                clinic::summarizeStoredAnalysis(*analysis, correctedGrades, photo->view,
                                                photo->rotationQuarterTurns, std::nullopt)
                    .norwood;
            stage = QString::fromStdString(stageNow.stage);
            confidence = stageNow.confidence;
        } catch (const std::invalid_argument &damaged) {
            return clinic::damagedAnalysisText(*analysis, *photo,
                                               QString::fromUtf8(damaged.what()));
        }
    }
    // Loss on the map as corrected that looks like hair to the texture check (the viewer says
    // more and hatches it).
    const double textureShare = clinic::textureCheckShare(*analysis, correctedGrades);
    const bool faceOnMap = clinic::faceStillOnMap(*analysis, correctedGrades, photo->view);
    const clinic::ScalpCoverage coverage = clinic::scalpCoverage(*analysis, correctedGrades);
    const QString thisVersion = clinic::analysisVersion();
    return tr("Analysed %1: coverage %2%%3 · Norwood %4 (confidence %5)%6%7%8%9%10")
        .arg(QLocale().toString(analysis->createdAt.toLocalTime(), QLocale::ShortFormat))
        .arg(coverage.percent, 0, 'f', 1)
        .arg(coverage.overCorrectedScalp ? tr(" of the scalp as corrected")
             : coverage.notRetaken       ? tr(" as analysed")
                                         : QString())
        .arg(stage)
        .arg(confidence, 0, 'f', 2)
        .arg(corrected ? tr(" · corrected by hand") : QString())
        .arg(clinic::softPhotoNote(*analysis).isEmpty() ? QString()
                                                        : tr(" · soft photo: retake it in focus"))
        .arg(textureShare < clinic::kTextureNoteShare
                 ? QString()
                 : tr(" · texture check: %1% of the loss looks like hair")
                       .arg(qRound(100 * textureShare)))
        .arg(faceOnMap ? tr(" · the face still reads as bald scalp: take it off the map")
                       : QString())
        .arg(analysis->version == thisVersion
                 ? QString()
                 : tr(" · analysis version %1, not this program's %2: analyse it again")
                       .arg(analysis->version, thisVersion));
}

void ClientPage::buildHistoryTab()
{
    m_historyTable = new QTableWidget(0, 4, this);
    m_historyTable->setHorizontalHeaderLabels({tr("When"), tr("Who"), tr("What"), tr("Details")});
    m_historyTable->verticalHeader()->hide();
    m_historyTable->horizontalHeader()->setStretchLastSection(true);
    m_historyTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tabs->addTab(m_historyTable, tr("&History"));
}

void ClientPage::showClient(storage::RecordId id)
{
    flushPendingEdits(); // the answers belong to the client shown so far
    m_clientId = id;
    reload();
}

void ClientPage::reload()
{
    m_thumbnails.cancel();
    if (!m_clientId) {
        m_title->clear();
        m_subtitle->clear();
        return;
    }
    try {
        const storage::Client client = storage::ClientStore(m_db).get(m_clientId);
        m_clientName = client.displayName();
        loadDetails(client);
        loadScreening();
        loadConsents();
        loadPhotos();
        m_schedule->showClient(m_clientId);
        loadHistory();
    } catch (const std::exception &error) {
        showError(tr("Could not load the client"), error);
    }
}

void ClientPage::loadDetails(const storage::Client &client)
{
    m_title->setText(client.displayName());
    QStringList facts;
    if (client.dateOfBirth.isValid()) {
        const QDate today = QDate::currentDate();
        int age = today.year() - client.dateOfBirth.year();
        if (today < client.dateOfBirth.addYears(age))
            --age;
        facts << tr("born %1 (age %2)")
                     .arg(QLocale().toString(client.dateOfBirth, QLocale::LongFormat))
                     .arg(age);
    }
    if (client.fitzpatrick)
        facts << tr("skin type %1").arg(storage::fitzpatrickRoman(*client.fitzpatrick));
    if (!client.hairColour.isEmpty())
        facts << tr("%1 hair").arg(client.hairColour);
    m_subtitle->setText(facts.join(QStringLiteral(" · ")));

    auto row = [](const QString &label, const QString &value) {
        return value.isEmpty() ? QString()
                               : QStringLiteral("<tr><td style='padding-right:16px'><b>%1</b></td>"
                                                "<td>%2</td></tr>")
                                     .arg(label.toHtmlEscaped(),
                                          value.toHtmlEscaped().replace(QLatin1Char('\n'),
                                                                        QStringLiteral("<br>")));
    };
    const QString sex = client.sex == storage::Sex::Female  ? tr("female")
                        : client.sex == storage::Sex::Male  ? tr("male")
                        : client.sex == storage::Sex::Other ? tr("other")
                                                            : QString();
    m_details->setText(
        QStringLiteral("<table>") + row(tr("Phone"), client.phone) +
        row(tr("E-mail"), client.email) + row(tr("Address"), client.address) + row(tr("Sex"), sex) +
        row(tr("Notes"), client.notes) +
        row(tr("Client since"),
            QLocale().toString(client.createdAt.toLocalTime().date(), QLocale::LongFormat)) +
        row(tr("Client number"), QString::number(client.id)) + QStringLiteral("</table>"));
}

void ClientPage::loadScreening()
{
    const QScopedValueRollback loading(m_loadingScreening, true);
    const auto answers = storage::ClientStore(m_db).screening(m_clientId);
    int clearance = 0;
    int excludes = 0;
    int answered = 0;
    for (int row = 0; row < m_screeningTable->rowCount(); ++row) {
        const QString key = m_screeningTable->item(row, 0)->data(Qt::UserRole).toString();
        auto *combo = qobject_cast<QComboBox *>(m_screeningTable->cellWidget(row, 1));
        const auto found = std::find_if(answers.begin(), answers.end(),
                                        [&](const auto &entry) { return entry.item == key; });
        if (found == answers.end()) {
            combo->setCurrentIndex(0);
            m_screeningTable->item(row, 2)->setText(QString());
            m_screeningTable->item(row, 3)->setText(QString());
            continue;
        }
        ++answered;
        clearance += found->answer == storage::ScreeningAnswer::NeedsClearance;
        excludes += found->answer == storage::ScreeningAnswer::Excludes;
        combo->setCurrentIndex(combo->findData(int(found->answer)));
        m_screeningTable->item(row, 2)->setText(found->note);
        m_screeningTable->item(row, 3)->setText(tr("%1, %2").arg(
            QLocale().toString(found->answeredOn, QLocale::ShortFormat), found->answeredBy));
    }
    m_screeningTable->resizeColumnToContents(3);
    const int total = m_screeningTable->rowCount();
    QString badge;
    QString style;
    if (excludes > 0) {
        badge = tr("Screening: treatment excluded");
        style = QStringLiteral("background:#b00020;color:white;border-radius:4px;");
    } else if (clearance > 0) {
        badge = tr("Screening: %n item(s) need clearance", nullptr, clearance);
        style = QStringLiteral("background:#f9a825;color:black;border-radius:4px;");
    } else if (answered < total) {
        badge = tr("Screening incomplete (%1 of %2)").arg(answered).arg(total);
        style = QStringLiteral("background:#e0e0e0;color:black;border-radius:4px;");
    } else {
        badge = tr("Screening: no contraindications");
        style = QStringLiteral("background:#2e7d32;color:white;border-radius:4px;");
    }
    m_screeningBadge->setText(badge);
    m_screeningBadge->setStyleSheet(style);
    m_screeningSummary->setText(tr("%1 of %2 answered").arg(answered).arg(total));
}

void ClientPage::saveScreening()
{
    m_screeningTimer->stop();
    std::vector<storage::ScreeningEntry> entries;
    const auto previous = storage::ClientStore(m_db).screening(m_clientId);
    for (int row = 0; row < m_screeningTable->rowCount(); ++row) {
        auto *combo = qobject_cast<QComboBox *>(m_screeningTable->cellWidget(row, 1));
        const int value = combo->currentData().toInt();
        if (value < 0)
            continue;
        storage::ScreeningEntry entry;
        entry.item = m_screeningTable->item(row, 0)->data(Qt::UserRole).toString();
        entry.answer = static_cast<storage::ScreeningAnswer>(value);
        entry.note = m_screeningTable->item(row, 2)->text().trimmed();
        entry.answeredOn = QDate::currentDate();
        entry.answeredBy = m_db.actor();
        // Keep the original date and person for answers that did not change.
        const auto old = std::find_if(previous.begin(), previous.end(),
                                      [&](const auto &e) { return e.item == entry.item; });
        if (old != previous.end() && old->answer == entry.answer && old->note == entry.note)
            continue;
        entries.push_back(entry);
    }
    if (entries.empty()) {
        emit statusMessage(tr("Screening unchanged"));
        return;
    }
    try {
        storage::ClientStore(m_db).setScreening(m_clientId, entries);
    } catch (const std::exception &error) {
        showError(tr("The screening was not saved"), error);
        return;
    }
    loadScreening();
    loadHistory();
    emit statusMessage(tr("Saved %n screening answer(s)", nullptr, int(entries.size())));
    emit clientChanged(m_clientId);
}

void ClientPage::loadConsents()
{
    const auto consents = storage::ClientStore(m_db).consents(m_clientId);
    m_consentTable->setRowCount(static_cast<int>(consents.size()));
    for (int row = 0; row < static_cast<int>(consents.size()); ++row) {
        const auto &consent = consents[static_cast<std::size_t>(row)];
        auto *kind = new QTableWidgetItem(consent.kind);
        kind->setData(Qt::UserRole, QVariant::fromValue<qint64>(consent.id));
        m_consentTable->setItem(row, 0, kind);
        m_consentTable->setItem(row, 1, new QTableWidgetItem(consent.textVersion));
        m_consentTable->setItem(
            row, 2,
            new QTableWidgetItem(QLocale().toString(consent.signedOn, QLocale::ShortFormat)));
        m_consentTable->setItem(row, 3, new QTableWidgetItem(consent.signedBy));
    }
    m_consentTable->resizeColumnsToContents();
}

void ClientPage::addConsent()
{
    if (!m_clientId)
        return;
    auto *dialog = new ConsentDialog(m_clientName, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        storage::Consent consent = dialog->consent();
        consent.clientId = m_clientId;
        try {
            storage::ClientStore(m_db).addConsent(consent);
        } catch (const std::exception &error) {
            showError(tr("The consent was not recorded"), error);
            return;
        }
        loadConsents();
        loadHistory();
        emit clientChanged(m_clientId);
    });
    dialog->open();
}

void ClientPage::removeSelectedConsent()
{
    const int row = m_consentTable->currentRow();
    if (row < 0)
        return;
    const qint64 id = m_consentTable->item(row, 0)->data(Qt::UserRole).toLongLong();
    if (QMessageBox::question(this, tr("Remove Consent"),
                              tr("Remove the record of this signed consent? The removal is kept "
                                 "in the history.")) != QMessageBox::Yes)
        return;
    try {
        storage::ClientStore(m_db).removeConsent(id);
    } catch (const std::exception &error) {
        showError(tr("The consent was not removed"), error);
        return;
    }
    loadConsents();
    loadHistory();
}

void ClientPage::loadPhotos()
{
    m_thumbnails.cancel();
    m_thumbnails.waitForFinished();
    m_photoList->clear();
    storage::PhotoLibrary library(m_db);
    const auto photos = library.photos(m_clientId);
    std::vector<ThumbnailRequest> requests;
    QPixmap placeholder(kThumbnailSize, kThumbnailSize * 3 / 4);
    placeholder.fill(palette().color(QPalette::Mid));
    for (const auto &photo : photos) {
        auto *item = new QListWidgetItem(
            QIcon(placeholder),
            tr("%1\n%2").arg(
                viewLabel(photo.view),
                QLocale().toString(photo.takenAt.toLocalTime().date(), QLocale::ShortFormat)),
            m_photoList);
        item->setData(kPhotoIdRole, QVariant::fromValue<qint64>(photo.id));
        item->setToolTip(photo.originalName);
        requests.push_back({photo, library.absolutePath(photo), library.thumbnailPath(photo),
                            photo.rotationQuarterTurns});
    }
    m_photoInfo->setText(photos.empty() ? tr("No photos yet. Import them or drop them here.")
                                        : tr("%n photo(s). Drop more here to import them.", nullptr,
                                             int(photos.size())));
    m_tabs->setTabText(3, tr("&Photos (%1)").arg(photos.size()));
    showClientStage();
    if (!requests.empty())
        m_thumbnails.setFuture(loadThumbnails(requests));
}

void ClientPage::changeSelectedPhotoView(int comboIndex)
{
    QListWidgetItem *item = m_photoList->currentItem();
    if (!item)
        return;
    const auto view =
        static_cast<storage::PhotoView>(m_selectedPhotoView->itemData(comboIndex).toInt());
    try {
        storage::PhotoLibrary(m_db).setView(item->data(kPhotoIdRole).toLongLong(), view);
    } catch (const std::exception &error) {
        showError(tr("The view was not changed"), error);
        return;
    }
    item->setText(tr("%1\n%2").arg(viewLabel(view), item->text().section(QLatin1Char('\n'), 1)));
    loadHistory();
    showClientStage();
}

void ClientPage::showClientStage()
{
    // Read again for the same client (a correction, a view changed), the line stays as it is
    // until the new reading replaces it, rather than flickering.
    if (m_stageShownFor != m_clientId)
        m_stageInfo->setText(tr("Stage of the client: reading the analyses..."));
    auto stage = std::make_shared<std::optional<clinic::ClientStage>>();
    auto error = std::make_shared<QString>();
    const int request = ++m_stageRequest;
    // The watcher's previous future, if any, still runs to its end; its result is not shown.
    m_stageReading.disconnect(this);
    const storage::RecordId clientId = m_clientId;
    connect(
        &m_stageReading, &QFutureWatcher<void>::finished, this,
        [this, request, clientId, stage, error] {
            if (request != m_stageRequest)
                return;
            m_stageShownFor = clientId;
            if (!error->isEmpty())
                m_stageInfo->setText(tr("The client's stage could not be read: %1").arg(*error));
            else if (*stage)
                m_stageInfo->setText(
                    tr("Stage of the client: %1").arg(clinic::clientStageText(**stage, QLocale())));
            else
                m_stageInfo->setText(
                    tr("Stage of the client: none yet (analyse a front or top view)"));
            emit stageShown();
        });
    m_stageReading.setFuture(
        clientStageInBackground({m_db.path(), m_db.actor()}, m_clientId, stage, error));
}

void ClientPage::setUndoStacks(ClientUndoStacks *stacks)
{
    m_undoStacks = stacks;
    m_schedule->setUndoStacks(stacks);
}

void ClientPage::openPhoto(storage::RecordId photoId)
{
    // One window per photo: opening it again brings the open one forward.
    for (PhotoViewer *open : findChildren<PhotoViewer *>())
        if (open->photo().id == photoId && open->isVisible()) {
            open->show();
            open->raise();
            open->activateWindow();
            return;
        }
    auto *viewer = new PhotoViewer(
        m_db, photoId, m_undoStacks ? m_undoStacks->stackFor(m_clientId) : nullptr, this);
    viewer->setObjectName(QStringLiteral("photoViewer"));
    connect(viewer, &PhotoViewer::photoChanged, this, [this] {
        const int row = m_photoList->currentRow();
        loadPhotos();
        loadHistory();
        m_photoList->setCurrentRow(row);
    });
    connect(viewer, &PhotoViewer::correctionsStored, this, &ClientPage::showClientStage);
    viewer->show();
}

void ClientPage::rotateSelectedPhoto(int quarterTurns)
{
    QListWidgetItem *item = m_photoList->currentItem();
    if (!item)
        return;
    const int row = m_photoList->currentRow();
    try {
        storage::PhotoLibrary library(m_db);
        const auto photo = library.find(item->data(kPhotoIdRole).toLongLong());
        if (!photo)
            return;
        library.setRotation(photo->id, photo->rotationQuarterTurns + quarterTurns);
    } catch (const std::exception &error) {
        showError(tr("The photo was not rotated"), error);
        return;
    }
    loadPhotos();
    loadHistory();
    m_photoList->setCurrentRow(row);
}

void ClientPage::deleteSelectedPhoto()
{
    QListWidgetItem *item = m_photoList->currentItem();
    if (!item)
        return;
    if (QMessageBox::question(
            this, tr("Delete Photo"),
            tr("Delete this photo of %1? This cannot be undone.").arg(m_clientName)) !=
        QMessageBox::Yes)
        return;
    try {
        storage::PhotoLibrary(m_db).remove(item->data(kPhotoIdRole).toLongLong());
    } catch (const std::exception &error) {
        showError(tr("The photo was not deleted"), error);
        return;
    }
    loadPhotos();
    loadHistory();
    emit clientChanged(m_clientId);
}

void ClientPage::loadHistory()
{
    const auto entries = storage::AuditLog(m_db).entries(m_clientId, 500);
    m_historyTable->setRowCount(static_cast<int>(entries.size()));
    for (int row = 0; row < static_cast<int>(entries.size()); ++row) {
        const auto &entry = entries[static_cast<std::size_t>(row)];
        m_historyTable->setItem(
            row, 0,
            new QTableWidgetItem(QLocale().toString(entry.at.toLocalTime(), QLocale::ShortFormat)));
        m_historyTable->setItem(row, 1, new QTableWidgetItem(entry.actor));
        m_historyTable->setItem(
            row, 2, new QTableWidgetItem(entry.action + QLatin1Char(' ') + entry.tableName));
        m_historyTable->setItem(row, 3, new QTableWidgetItem(entry.details));
    }
    m_historyTable->resizeColumnsToContents();
}

void ClientPage::chooseAndImportPhotos()
{
    if (!m_clientId)
        return;
    QStringList patterns;
    for (const QString &format : imaging::acceptedImageFormats()) {
        patterns << QStringLiteral("*.") + format;
        if (format == QLatin1String("jpeg"))
            patterns << QStringLiteral("*.jpg");
        if (format == QLatin1String("tiff"))
            patterns << QStringLiteral("*.tif");
    }
    const QString filter = tr("Photos (%1);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Import Photos of %1").arg(m_clientName), QString(), filter);
    if (!files.isEmpty())
        importPhotos(files);
}

void ClientPage::importPhotos(const QStringList &paths)
{
    if (!m_clientId || paths.isEmpty())
        return;
    const auto view = static_cast<storage::PhotoView>(m_importView->currentData().toInt());
    auto report = std::make_shared<clinic::ImportReport>();
    const storage::RecordId clientId = m_clientId;
    QFuture<void> future =
        importPhotosInBackground({m_db.path(), m_db.actor()}, clientId, paths, view, report);
    followWithProgress(this, tr("Importing photos"), future, [this, report, clientId] {
        if (m_clientId == clientId) {
            loadPhotos();
            loadHistory();
        }
        emit clientChanged(clientId);
        const int imported = static_cast<int>(report->imported.size());
        const int failed = static_cast<int>(report->failed.size());
        const int duplicates = static_cast<int>(report->duplicates.size());
        const int mended = static_cast<int>(report->mended.size());
        QStringList said{tr("Imported %n photo(s)", nullptr, imported)};
        if (duplicates > 0)
            said << tr("%n already among this client's photos (skipped)", nullptr, duplicates);
        if (mended > 0)
            said << tr("%n damaged or missing photo file(s) mended", nullptr, mended);
        emit statusMessage(said.join(QStringLiteral("; ")));
        // A mend repairs the library (the thumbnail's red frame goes): said where it is seen.
        if (mended > 0 && failed == 0) {
            QStringList reasons;
            for (const auto &mend : report->mended)
                reasons << mend.reason;
            auto *box = new QMessageBox(
                QMessageBox::Information, tr("Photo Files Mended"),
                tr("%n photo(s) were already this client's, but their file in the library was "
                   "damaged or missing: this import put it back.",
                   nullptr, mended),
                QMessageBox::Ok, this);
            box->setObjectName(QStringLiteral("photoFilesMendedBox"));
            box->setInformativeText(reasons.first());
            if (reasons.size() > 1)
                box->setDetailedText(reasons.join(QLatin1Char('\n')));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        if (failed > 0) {
            QStringList reasons;
            for (const auto &failure : report->failed)
                reasons << failure.reason;
            for (const auto &mend : report->mended)
                reasons << mend.reason;
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Some Photos Were Not Imported"),
                                        tr("%1 of %n file(s) could not be imported.", nullptr,
                                           failed + imported + duplicates + mended)
                                            .arg(failed),
                                        QMessageBox::Ok, this);
            box->setDetailedText(reasons.join(QLatin1Char('\n')));
            box->setInformativeText(reasons.first());
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        emit photoImportFinished(imported, failed);
    });
}

void ClientPage::dragEnterEvent(QDragEnterEvent *event)
{
    if (m_clientId && !localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void ClientPage::dropEvent(QDropEvent *event)
{
    const QStringList files = localFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    m_tabs->setCurrentIndex(3);
    importPhotos(files);
}

void ClientPage::showError(const QString &what, const std::exception &error)
{
    QMessageBox::warning(this, what, QString::fromUtf8(error.what()));
}

} // namespace smp::gui
