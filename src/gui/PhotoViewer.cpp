#include "smp/gui/PhotoViewer.h"

#include "smp/gui/PlanPanel.h"

#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/gui/BackgroundWork.h"
#include "smp/gui/ClientUndo.h"
#include "smp/gui/WindowState.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFutureWatcher>
#include <QGraphicsEllipseItem>
#include <QGraphicsItemGroup>
#include <QGraphicsPathItem>
#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyleOptionGraphicsItem>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent>

#include <cmath>

namespace smp::gui {

// An image drawn from a pyramid of halved copies: each paint picks the level whose pixels are
// closest to screen pixels, so a 24-megapixel photo zooms and pans smoothly. Item coordinates
// are level-0 pixels.
class PyramidImageItem : public QGraphicsItem
{
public:
    explicit PyramidImageItem(std::vector<QImage> levels)
        : m_levels(std::move(levels))
    {
        setFlag(ItemUsesExtendedStyleOption);
    }

    QRectF boundingRect() const override
    {
        return QRectF(QPointF(0, 0), QSizeF(m_levels.front().size()));
    }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        const QTransform &t = painter->worldTransform();
        const double scale = std::sqrt(std::abs(t.m11() * t.m22() - t.m12() * t.m21()));
        int level = scale > 0 ? static_cast<int>(std::floor(std::log2(1.0 / scale))) : 0;
        level = std::clamp(level, 0, static_cast<int>(m_levels.size()) - 1);
        const QImage &image = m_levels[static_cast<std::size_t>(level)];
        const double factor = static_cast<double>(image.width()) / m_levels.front().width();
        const QRectF target = option->exposedRect.intersected(boundingRect());
        const QRectF source(target.topLeft() * factor, target.size() * factor);
        painter->setRenderHint(QPainter::SmoothPixmapTransform, scale < 2.0);
        painter->drawImage(target, image, source);
    }

private:
    std::vector<QImage> m_levels;
};

namespace {

struct LoadResult
{
    QImage upright;
    std::vector<QImage> levels;
    QString error;
};

// Runs on a worker thread: `photo` and `path` are copies.
LoadResult loadPyramid(const storage::Photo &photo, const QString &path)
{
    LoadResult result;
    try {
        result.upright = imaging::loadUprightImage(storage::verifyPhotoFile(photo, path));
    } catch (const std::exception &error) {
        result.error = QString::fromUtf8(error.what());
        return result;
    }
    result.levels.push_back(result.upright.convertToFormat(QImage::Format_RGB32));
    while (std::max(result.levels.back().width(), result.levels.back().height()) > 512) {
        const QImage &last = result.levels.back();
        result.levels.push_back(last.scaled(last.width() / 2, last.height() / 2,
                                            Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    }
    return result;
}

// The photo window's single-key shortcuts (B, E, L, M, G, P, [, ], 0-5) would take typed keys
// from a list or a drop-down that has the focus (the plan panel's lists, the boxes' own
// type-ahead). Installed on such a widget, this lets it have unmodified printable keys first, as
// text and number boxes already do; with the focus on the photo the keys stay shortcuts.
class TypeAheadFirst : public QObject
{
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::ShortcutOverride) {
            const auto *key = static_cast<QKeyEvent *>(event);
            const Qt::KeyboardModifiers modifiers =
                key->modifiers() & ~(Qt::ShiftModifier | Qt::KeypadModifier);
            if (modifiers == Qt::NoModifier && !key->text().isEmpty() &&
                key->text().at(0).isPrint()) {
                event->accept();
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }
};

QTransform rotationTransform(const QRectF &bounds, int quarterTurns)
{
    QTransform t;
    t.rotate(90.0 * quarterTurns);
    const QRectF mapped = t.mapRect(bounds);
    return t * QTransform::fromTranslate(-mapped.left(), -mapped.top());
}

} // namespace

// Places one measuring point (undo removes it).
class PlacePointCommand : public WindowCommand
{
public:
    PlacePointCommand(PhotoViewer *viewer, QPointF point, QUndoCommand *parent = nullptr)
        : WindowCommand(viewer, QObject::tr("Place measuring point"), parent)
        , m_viewer(viewer)
        , m_point(point)
    {}
    void redoOnTarget() override
    {
        m_viewer->m_points.push_back(m_point);
        m_viewer->showOverlay();
    }
    void undoOnTarget() override
    {
        if (!m_viewer->m_points.empty())
            m_viewer->m_points.pop_back();
        m_viewer->showOverlay();
    }

private:
    PhotoViewer *m_viewer;
    QPointF m_point;
};

// Stores a calibration (undo deletes it again, so the previous one is current). For a manual
// calibration it also consumes the measuring points.
class CalibrationCommand : public WindowCommand
{
public:
    CalibrationCommand(PhotoViewer *viewer, storage::Calibration calibration,
                       QUndoCommand *parent = nullptr)
        : WindowCommand(viewer,
                        calibration.method == storage::CalibrationMethod::Manual
                            ? QObject::tr("Calibrate from two points")
                            : QObject::tr("Calibrate from marker"),
                        parent)
        , m_viewer(viewer)
        , m_calibration(std::move(calibration))
    {}
    void redoOnTarget() override
    {
        m_savedPoints = m_viewer->m_points;
        if (m_calibration.method == storage::CalibrationMethod::Manual)
            m_viewer->m_points.clear();
        try {
            m_id = storage::PhotoLibrary(m_viewer->m_db).addCalibration(m_calibration);
        } catch (const std::exception &error) {
            m_id = 0;
            QMessageBox::warning(m_viewer, QObject::tr("Calibration Not Saved"),
                                 QString::fromUtf8(error.what()));
        }
        m_viewer->reloadCalibration();
    }
    void undoOnTarget() override
    {
        if (m_id) {
            try {
                storage::PhotoLibrary(m_viewer->m_db).removeCalibration(m_id);
            } catch (const std::exception &error) {
                QMessageBox::warning(m_viewer, QObject::tr("Undo Failed"),
                                     QString::fromUtf8(error.what()));
            }
        }
        m_viewer->m_points = m_savedPoints;
        m_viewer->reloadCalibration();
    }

private:
    PhotoViewer *m_viewer;
    storage::Calibration m_calibration;
    storage::RecordId m_id = 0;
    std::vector<QPointF> m_savedPoints;
};

// Takes the photo's current calibration off (the one before it, if any, becomes current); undo
// stores it again, as the newest, so it is current once more.
class RemoveCalibrationCommand : public WindowCommand
{
public:
    RemoveCalibrationCommand(PhotoViewer *viewer, storage::Calibration calibration)
        : WindowCommand(viewer, QObject::tr("Remove scale"))
        , m_viewer(viewer)
        , m_calibration(std::move(calibration))
    {}
    void redoOnTarget() override
    {
        try {
            storage::PhotoLibrary(m_viewer->m_db).removeCalibration(m_calibration.id);
        } catch (const std::exception &error) {
            QMessageBox::warning(m_viewer, QObject::tr("Scale Not Removed"),
                                 QString::fromUtf8(error.what()));
        }
        m_viewer->reloadCalibration();
    }
    void undoOnTarget() override
    {
        try {
            storage::PhotoLibrary(m_viewer->m_db).restoreCalibration(m_calibration);
        } catch (const std::exception &error) {
            QMessageBox::warning(m_viewer, QObject::tr("Undo Failed"),
                                 QString::fromUtf8(error.what()));
        }
        m_viewer->reloadCalibration();
    }

private:
    PhotoViewer *m_viewer;
    storage::Calibration m_calibration;
};

// One brush or eraser stroke on the grade map: the tiles before and after. Redo stores the
// after-tiles as corrections, undo stores the before-tiles back (the original map is never
// touched). It retires when the photo is analysed again: corrections belong to the analysis they
// were painted on.
class PaintGradesCommand : public WindowCommand
{
public:
    PaintGradesCommand(PhotoViewer *viewer, std::vector<storage::GradeTile> before,
                       std::vector<storage::GradeTile> after, const QString &text)
        : WindowCommand(viewer, text)
        , m_viewer(viewer)
        , m_analysisId(viewer->m_analysis->id)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {}
    bool isLive() const override
    {
        return WindowCommand::isLive() && m_viewer->m_analysis &&
               m_viewer->m_analysis->id == m_analysisId;
    }
    void redoOnTarget() override { apply(m_after); }
    void undoOnTarget() override { apply(m_before); }

private:
    void apply(const std::vector<storage::GradeTile> &tiles)
    {
        m_viewer->applyTiles(tiles);
        for (const auto &tile : tiles)
            m_viewer->m_unsavedTiles.insert({tile.tileX, tile.tileY});
        m_viewer->storeCorrections();
    }
    PhotoViewer *m_viewer;
    storage::RecordId m_analysisId;
    std::vector<storage::GradeTile> m_before;
    std::vector<storage::GradeTile> m_after;
};

// ---------------------------------------------------------------------------------------------

PhotoView::PhotoView(QWidget *parent)
    : QGraphicsView(parent)
{
    setScene(new QGraphicsScene(this));
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setBackgroundBrush(QColor(48, 48, 48));
    setMouseTracking(true);
    setRenderHint(QPainter::Antialiasing);
}

void PhotoView::setImage(std::vector<QImage> levels, int quarterTurns)
{
    scene()->clear();
    m_image = new PyramidImageItem(std::move(levels));
    scene()->addItem(m_image);
    setRotation(quarterTurns);
}

void PhotoView::setRotation(int quarterTurns)
{
    if (!m_image)
        return;
    m_image->setTransform(rotationTransform(m_image->boundingRect(), quarterTurns));
    scene()->setSceneRect(m_image->sceneBoundingRect());
    fitToWindow();
}

QGraphicsItem *PhotoView::imageItem() const
{
    return m_image;
}

void PhotoView::setMmPerPx(std::optional<double> mmPerPx)
{
    m_mmPerPx = mmPerPx;
    viewport()->update();
}

void PhotoView::fitToWindow()
{
    if (!m_image)
        return;
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    m_fitted = true;
    emit zoomChanged(zoom());
}

void PhotoView::zoomBy(double factor)
{
    const double target = std::clamp(zoom() * factor, 0.01, 16.0);
    const double applied = target / zoom();
    scale(applied, applied);
    m_fitted = false;
    emit zoomChanged(zoom());
}

double PhotoView::zoom() const
{
    return std::sqrt(std::abs(transform().determinant()));
}

void PhotoView::setMeasuring(bool on)
{
    m_measuring = on;
    setDragMode(on ? QGraphicsView::NoDrag : QGraphicsView::ScrollHandDrag);
    viewport()->setCursor(on ? Qt::CrossCursor : Qt::OpenHandCursor);
}

void PhotoView::setPainting(bool on)
{
    m_painting = on;
    setDragMode(on || m_measuring ? QGraphicsView::NoDrag : QGraphicsView::ScrollHandDrag);
    viewport()->setCursor(on ? Qt::CrossCursor
                             : (m_measuring ? Qt::CrossCursor : Qt::OpenHandCursor));
}

void PhotoView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomBy(std::pow(1.25, steps));
    event->accept();
}

void PhotoView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (m_fitted)
        fitToWindow();
}

void PhotoView::mousePressEvent(QMouseEvent *event)
{
    if (m_painting && m_image && event->button() == Qt::LeftButton) {
        m_stroking = true;
        emit stroke(m_image->mapFromScene(mapToScene(event->position().toPoint())),
                    StrokePhase::Begin);
        event->accept();
        return;
    }
    if (m_measuring && m_image && event->button() == Qt::LeftButton) {
        emit photoClicked(m_image->mapFromScene(mapToScene(event->position().toPoint())));
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void PhotoView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_image) {
        const QPointF point = m_image->mapFromScene(mapToScene(event->position().toPoint()));
        emit cursorMoved(point);
        if (m_stroking) {
            emit stroke(point, StrokePhase::Move);
            event->accept();
            return;
        }
    }
    QGraphicsView::mouseMoveEvent(event);
}

void PhotoView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_stroking && event->button() == Qt::LeftButton) {
        m_stroking = false;
        emit stroke(m_image->mapFromScene(mapToScene(event->position().toPoint())),
                    StrokePhase::End);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void PhotoView::leaveEvent(QEvent *event)
{
    emit cursorLeft();
    QGraphicsView::leaveEvent(event);
}

void PhotoView::drawForeground(QPainter *painter, const QRectF &)
{
    if (!m_mmPerPx || !m_image)
        return;
    // mm per screen pixel; pick a round bar length 80-250 screen pixels long.
    const double mmPerScreenPx = *m_mmPerPx / zoom();
    double barMm = 0.5;
    for (double candidate : {0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0}) {
        barMm = candidate;
        if (candidate / mmPerScreenPx >= 80)
            break;
    }
    const double barPx = barMm / mmPerScreenPx;
    painter->save();
    painter->resetTransform();
    const QRectF box(12, viewport()->height() - 44, barPx + 24, 32);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(255, 255, 255, 210));
    painter->drawRoundedRect(box, 4, 4);
    painter->setPen(QPen(Qt::black, 3));
    const double y = box.bottom() - 9;
    painter->drawLine(QPointF(box.left() + 12, y), QPointF(box.left() + 12 + barPx, y));
    painter->setPen(QPen(Qt::black, 2));
    painter->drawLine(QPointF(box.left() + 12, y - 5), QPointF(box.left() + 12, y + 4));
    painter->drawLine(QPointF(box.left() + 12 + barPx, y - 5),
                      QPointF(box.left() + 12 + barPx, y + 4));
    painter->drawText(QRectF(box.left(), box.top() + 2, box.width(), 16), Qt::AlignCenter,
                      QStringLiteral("%1 mm").arg(barMm));
    painter->restore();
}

// ---------------------------------------------------------------------------------------------

PhotoViewer::PhotoViewer(storage::Database &db, storage::RecordId photoId,
                         QUndoStack *documentStack, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_db(db)
    , m_photoId(photoId)
{
    setAttribute(Qt::WA_DeleteOnClose);
    m_photo = storage::PhotoLibrary(m_db).find(photoId).value_or(storage::Photo{});
    setWindowTitle(tr("Photo %1 - %2").arg(photoId).arg(m_photo.originalName));
    m_undo = documentStack ? documentStack : makeDocumentStack(this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *menuBar = new QMenuBar(this);
    layout->setMenuBar(menuBar);
    auto *toolbar = new QToolBar(this);
    layout->addWidget(toolbar);
    m_view = new PhotoView(this);
    auto *centre = new QHBoxLayout;
    centre->setContentsMargins(0, 0, 0, 0);
    centre->addWidget(m_view, 1);
    layout->addLayout(centre, 1);
    // A soft photo's map is less exact (clinic::softPhotoNote): said under the photo while its
    // analysis is shown, so that the technician retakes it before planning on it.
    // The notes under the photo: bold, wrapped, hidden until there is something to say.
    const auto addNote = [this, layout](const QString &name, const QString &colour) {
        auto *note = new QLabel(this);
        note->setObjectName(name);
        note->setWordWrap(true);
        note->setContentsMargins(8, 4, 8, 0);
        note->setStyleSheet(QStringLiteral("color: %1; font-weight: bold").arg(colour));
        note->hide();
        layout->addWidget(note);
        return note;
    };
    m_photoProblemLabel = addNote(QStringLiteral("photoProblemLabel"), QStringLiteral("#c62828"));
    // A stored analysis that cannot be shown (unreadable, or its map damaged) is named here in
    // red, in place of its colours and outlines, with what to do.
    m_analysisProblemLabel =
        addNote(QStringLiteral("analysisProblemLabel"), QStringLiteral("#c62828"));
    m_analysisOutcomeLabel =
        addNote(QStringLiteral("analysisOutcomeLabel"), QStringLiteral("#c62828"));
    m_softPhotoLabel = addNote(QStringLiteral("softPhotoLabel"), QStringLiteral("#b35c00"));
    // A near tie between skin and hair (clinic::hairToneNote): the map may be inside out.
    m_hairToneLabel = addNote(QStringLiteral("hairToneLabel"), QStringLiteral("#b35c00"));
    // An analysis by another version of the algorithm (clinic::olderVersionNote).
    m_olderVersionLabel = addNote(QStringLiteral("olderVersionLabel"), QStringLiteral("#b35c00"));
    // The face note comes with the tool that takes the face off (updateFaceNote()).
    m_faceNoteLabel = addNote(QStringLiteral("faceOnMapLabel"), QStringLiteral("#b35c00"));
    m_faceNoteRow = new QWidget(this);
    auto *faceNoteRow = new QHBoxLayout(m_faceNoteRow);
    faceNoteRow->setContentsMargins(0, 0, 8, 0);
    delete layout->replaceWidget(m_faceNoteLabel, m_faceNoteRow); // the label's old layout item
    faceNoteRow->addWidget(m_faceNoteLabel, 1);
    m_faceNoteButton = new QPushButton(m_faceNoteRow);
    m_faceNoteButton->setObjectName(QStringLiteral("faceOnMapButton"));
    faceNoteRow->addWidget(m_faceNoteButton, 0, Qt::AlignBottom);
    m_faceNoteRow->hide();
    connect(m_faceNoteButton, &QPushButton::clicked, this, [this] {
        if (m_photo.view == storage::PhotoView::Left || m_photo.view == storage::PhotoView::Right) {
            m_brushGrade->setCurrentIndex(
                m_brushGrade->findData(static_cast<int>(analysis::Grade::NotScalp)));
            m_lasso->setChecked(true);
        } else {
            m_planAction->setChecked(true);
            m_planPanel->faceAction()->setChecked(true);
        }
    });
    // While corrections on screen are not stored (a locked or read-only database): said in red,
    // tried again every few seconds and on close.
    m_unsavedLabel = addNote(QStringLiteral("unsavedCorrectionsLabel"), QStringLiteral("#b00020"));
    m_storeRetry = new QTimer(this);
    m_storeRetry->setSingleShot(true);
    m_storeRetry->setInterval(kStoreRetryInterval);
    connect(m_storeRetry, &QTimer::timeout, this, &PhotoViewer::storeCorrections);
    // Where the texture check reads hair in the loss area (clinic::textureCheckNote): said under
    // the photo, so that the technician looks before planning on the map.
    m_textureLabel = new QLabel(this);
    m_textureLabel->setObjectName(QStringLiteral("textureCheckLabel"));
    m_textureLabel->setWordWrap(true);
    m_textureLabel->setContentsMargins(8, 4, 8, 0);
    m_textureLabel->setStyleSheet(QStringLiteral("color: #00708a; font-weight: bold"));
    // Beside the note, what to do once the technician has looked: grade the hatched area normal.
    m_gradeHatchedNormal = new QAction(tr("Grade Hatched Area Normal"), this);
    m_gradeHatchedNormal->setToolTip(
        tr("Grade the hatched area normal, where you have checked that hair covers the scalp "
           "(one step to undo)"));
    m_gradeHatchedNormal->setEnabled(false);
    connect(m_gradeHatchedNormal, &QAction::triggered, this, &PhotoViewer::gradeHatchedNormal);
    m_textureRow = new QWidget(this);
    auto *textureRow = new QHBoxLayout(m_textureRow);
    textureRow->setContentsMargins(0, 0, 8, 0);
    textureRow->addWidget(m_textureLabel, 1);
    auto *gradeHatched = new QToolButton(m_textureRow);
    gradeHatched->setObjectName(QStringLiteral("gradeHatchedNormal"));
    gradeHatched->setDefaultAction(m_gradeHatchedNormal);
    textureRow->addWidget(gradeHatched, 0, Qt::AlignBottom);
    m_textureRow->hide();
    m_textureLabel->show(); // shown and hidden with its row
    layout->addWidget(m_textureRow);
    auto *statusRow = new QHBoxLayout;
    statusRow->setContentsMargins(8, 2, 8, 4);
    m_calibrationLabel = new QLabel(this);
    m_calibrationLabel->setObjectName(QStringLiteral("calibrationLabel"));
    m_status = new QLabel(tr("Loading the photo..."), this);
    m_status->setObjectName(QStringLiteral("viewerStatus"));
    statusRow->addWidget(m_calibrationLabel, 1);
    statusRow->addWidget(m_status);
    layout->addLayout(statusRow);

    QAction *fit = toolbar->addAction(tr("Fit"), m_view, &PhotoView::fitToWindow);
    fit->setShortcut(tr("Ctrl+0"));
    fit->setToolTip(tr("Fit the photo to the window (Ctrl+0)"));
    QAction *in = toolbar->addAction(tr("Zoom In"), m_view, [this] { m_view->zoomBy(1.5); });
    in->setShortcut(QKeySequence::ZoomIn);
    QAction *out = toolbar->addAction(tr("Zoom Out"), m_view, [this] { m_view->zoomBy(1 / 1.5); });
    out->setShortcut(QKeySequence::ZoomOut);
    QAction *actual =
        toolbar->addAction(tr("100%"), m_view, [this] { m_view->zoomBy(1.0 / m_view->zoom()); });
    actual->setShortcut(tr("Ctrl+1"));
    toolbar->addSeparator();
    toolbar->addAction(tr("Rotate Left"), this, [this] { rotate(-1); })->setShortcut(tr("Ctrl+L"));
    toolbar->addAction(tr("Rotate Right"), this, [this] { rotate(1); })->setShortcut(tr("Ctrl+R"));
    toolbar->addSeparator();
    QAction *detect = toolbar->addAction(tr("Find Marker"), this, &PhotoViewer::detectMarker);
    detect->setToolTip(tr("Look for a printed calibration marker in the photo"));
    m_removeScale = toolbar->addAction(tr("Remove Scale"), this, &PhotoViewer::removeScale);
    m_removeScale->setToolTip(tr("Take the photo's current scale off (a wrong one, such as a "
                                 "marker found in the hair); sizes are then estimates"));
    m_removeScale->setEnabled(false);
    m_measure = toolbar->addAction(tr("Measure"));
    m_measure->setCheckable(true);
    m_measure->setShortcut(tr("M"));
    m_measure->setToolTip(
        tr("Click two points a known distance apart (a ruler in the photo) to set "
           "the scale by hand"));
    connect(m_measure, &QAction::toggled, m_view, &PhotoView::setMeasuring);
    toolbar->addWidget(new QLabel(tr(" known length: "), toolbar));
    m_length = new QDoubleSpinBox(toolbar);
    m_length->setObjectName(QStringLiteral("knownLength"));
    m_length->setRange(0.5, 500.0);
    m_length->setDecimals(1);
    m_length->setValue(10.0);
    m_length->setSuffix(tr(" mm"));
    toolbar->addWidget(m_length);
    toolbar->addSeparator();
    // The client's undo stack: the Edit menu names the edit it takes back, whichever of the
    // client's windows it was made in.
    QAction *undo = m_undo->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undo->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    QMenu *fileMenu = menuBar->addMenu(tr("&File"));
    QAction *closeWindow = fileMenu->addAction(tr("&Close"), this, &QWidget::close);
    closeWindow->setShortcut(QKeySequence::Close);
    QMenu *editMenu = menuBar->addMenu(tr("&Edit"));
    editMenu->addAction(undo);
    editMenu->addAction(redo);
    editMenu->addSeparator();
    // Every correction of the shown map at once (one step, undoable): for a map corrected in an
    // earlier session, whose strokes are no longer on the undo stack.
    m_takeBackCorrections = editMenu->addAction(tr("Take Back All Corrections"), this,
                                                &PhotoViewer::takeBackAllCorrections);
    m_takeBackCorrections->setToolTip(
        tr("Bring back the analysis's own grades everywhere on the map (undoable)"));
    m_takeBackCorrections->setEnabled(false);
    // The toolbar keeps short labels; the edit's name is in the menu and the tooltip.
    QAction *undoButton = toolbar->addAction(tr("Undo"), m_undo, &QUndoStack::undo);
    QAction *redoButton = toolbar->addAction(tr("Redo"), m_undo, &QUndoStack::redo);
    const auto followStack = [this, undoButton, redoButton] {
        undoButton->setEnabled(m_undo->canUndo());
        undoButton->setToolTip(m_undo->canUndo() ? tr("Undo %1 (Ctrl+Z)").arg(m_undo->undoText())
                                                 : tr("Nothing to undo"));
        redoButton->setEnabled(m_undo->canRedo());
        redoButton->setToolTip(m_undo->canRedo()
                                   ? tr("Redo %1 (Ctrl+Shift+Z)").arg(m_undo->redoText())
                                   : tr("Nothing to redo"));
    };
    connect(m_undo, &QUndoStack::indexChanged, undoButton, followStack);
    connect(m_undo, &QUndoStack::undoTextChanged, undoButton, followStack);
    connect(m_undo, &QUndoStack::redoTextChanged, undoButton, followStack);
    followStack();

    // Second row: the scalp analysis and its correction.
    auto *analysisBar = new QToolBar(this);
    layout->insertWidget(1, analysisBar);
    m_analyzeAction = analysisBar->addAction(tr("Analyze"), this, &PhotoViewer::analyze);
    m_analyzeAction->setShortcut(tr("Ctrl+Shift+A"));
    m_analyzeAction->setToolTip(
        tr("Map the thinning: coverage, graded regions, Norwood stage (Ctrl+Shift+A)"));
    m_referenceTool = analysisBar->addAction(tr("Reference Area"));
    m_referenceTool->setCheckable(true);
    m_referenceTool->setToolTip(
        tr("Drag a rectangle over hair of the client's normal density; the "
           "analysis then grades against it instead of the best-covered area"));
    // Clearing it is on the button's menu (the bar is full at the usual window width).
    m_clearReference = new QAction(tr("Clear Reference Area"), this);
    m_clearReference->setEnabled(false);
    if (auto *button = qobject_cast<QToolButton *>(analysisBar->widgetForAction(m_referenceTool))) {
        auto *menu = new QMenu(button);
        menu->addAction(m_clearReference);
        button->setMenu(menu);
        button->setPopupMode(QToolButton::MenuButtonPopup);
    }
    m_clearReference->setToolTip(
        tr("Forget the reference area drawn and analyse again against the best-covered area"));
    connect(m_clearReference, &QAction::triggered, this, [this] {
        m_referenceArea.reset();
        showReferenceArea();
        analyze();
    });
    // Which way round the hair lies against the skin: the analysis tells by itself, but on some
    // heads that is a near-tie (docs/analysis.md), and read the wrong way round a head of dark
    // hair maps as bald; the technician, who sees the client, can say.
    analysisBar->addWidget(new QLabel(tr(" Hair: "), analysisBar));
    m_hairTone = new QComboBox(analysisBar);
    m_hairTone->setObjectName(QStringLiteral("hairTone"));
    m_hairTone->setSizeAdjustPolicy(QComboBox::AdjustToContents); // its first item's text changes
    m_hairTone->addItem(tr("Automatic"), static_cast<int>(analysis::HairTone::Automatic));
    m_hairTone->addItem(tr("Darker than skin"),
                        static_cast<int>(analysis::HairTone::DarkerThanSkin));
    m_hairTone->addItem(tr("Lighter than skin"),
                        static_cast<int>(analysis::HairTone::LighterThanSkin));
    analysisBar->addWidget(m_hairTone);
    // A choice not yet analysed is said on the status line until it is (or is taken back).
    connect(m_hairTone, &QComboBox::currentIndexChanged, this, &PhotoViewer::updateStatus);
    analysisBar->addSeparator();
    m_showGrades = analysisBar->addAction(tr("Grades"));
    m_showOutlines = analysisBar->addAction(tr("Outlines"));
    m_showLabels = analysisBar->addAction(tr("Labels"));
    m_showTexture = analysisBar->addAction(tr("Texture Check"));
    m_showTexture->setToolTip(
        tr("Hatch the loss area that looks like hair to a model learnt from real photographs"));
    for (QAction *layer : {m_showGrades, m_showOutlines, m_showLabels, m_showTexture}) {
        layer->setCheckable(true);
        layer->setChecked(true);
        connect(layer, &QAction::toggled, this, &PhotoViewer::showAnalysis);
    }
    // G flicks the colours off and on, to compare the map with the hair under it.
    m_showGrades->setShortcut(tr("G"));
    m_showGrades->setToolTip(tr("Show or hide the grade colours (G)"));
    // How strongly the grade colours tint the photo: faint to judge the hair under them, strong
    // to see the grades' edges. Kept between sessions.
    analysisBar->addWidget(new QLabel(tr(" Tint: "), analysisBar));
    m_gradeOpacity = new QSlider(Qt::Horizontal, analysisBar);
    m_gradeOpacity->setObjectName(QStringLiteral("gradeOpacity"));
    m_gradeOpacity->setRange(10, 90); // percent
    m_gradeOpacity->setPageStep(10);
    m_gradeOpacity->setFixedWidth(90);
    m_gradeOpacity->setValue(std::clamp(
        QSettings().value(QStringLiteral("photoViewer/gradeOpacity"), 43).toInt(), 10, 90));
    m_gradeOpacity->setToolTip(tr("How strongly the grade colours tint the photo"));
    analysisBar->addWidget(m_gradeOpacity);
    connect(m_gradeOpacity, &QSlider::valueChanged, this, [this](int percent) {
        QSettings().setValue(QStringLiteral("photoViewer/gradeOpacity"), percent);
        if (m_gradeItem)
            m_gradeItem->setOpacity(percent / 100.0);
    });
    // Third row: correcting the map. On a row of its own so that the brush's grade and size
    // stay on screen at the usual window width (on the second row they fell into its overflow
    // menu below about 1,300 px).
    auto *correctionBar = new QToolBar(this);
    correctionBar->setObjectName(QStringLiteral("correctionBar"));
    layout->insertWidget(2, correctionBar);
    correctionBar->addWidget(new QLabel(tr(" Correct the map: "), correctionBar));
    m_brush = correctionBar->addAction(tr("Brush"));
    m_brush->setCheckable(true);
    m_brush->setShortcut(tr("B"));
    m_brush->setToolTip(tr("Paint a grade onto the map where the analysis is wrong (B)"));
    m_eraser = correctionBar->addAction(tr("Eraser"));
    m_eraser->setCheckable(true);
    m_eraser->setShortcut(tr("E"));
    m_eraser->setToolTip(tr("Bring back the analysis's own grades under the eraser (E)"));
    m_lasso = correctionBar->addAction(tr("Lasso"));
    m_lasso->setObjectName(QStringLiteral("lasso"));
    m_lasso->setCheckable(true);
    m_lasso->setShortcut(tr("L"));
    m_lasso->setToolTip(
        tr("Draw round an area: letting go grades all of it with the brush's grade, as one step "
           "(L; Esc while drawing cancels). For large corrections: a face on a side view, a "
           "collar, a wrong stretch of map"));
    auto *cancelLasso = new QShortcut(QKeySequence::Cancel, this);
    connect(cancelLasso, &QShortcut::activated, this, &PhotoViewer::cancelLasso);
    m_brushGrade = new QComboBox(correctionBar);
    m_brushGrade->setObjectName(QStringLiteral("brushGrade"));
    for (int g = static_cast<int>(analysis::Grade::Normal);
         g <= static_cast<int>(analysis::Grade::Bald); ++g) {
        QPixmap swatch(12, 12);
        swatch.fill(clinic::gradeColour(static_cast<analysis::Grade>(g)));
        m_brushGrade->addItem(
            QIcon(swatch),
            QString::fromLatin1(analysis::gradeName(static_cast<analysis::Grade>(g))), g);
    }
    // Where the head's outline took in the background (a busy room, the face on a side view),
    // the technician takes it off the scalp: "not scalp" gets no grade, counts in no share and
    // gets no dots planned.
    {
        QPixmap swatch(12, 12);
        swatch.fill(Qt::transparent);
        QPainter painter(&swatch);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawRect(0, 0, 11, 11);
        painter.drawLine(0, 11, 11, 0);
        painter.end();
        m_brushGrade->addItem(QIcon(swatch), tr("not scalp"),
                              static_cast<int>(analysis::Grade::NotScalp));
    }
    m_brushGrade->setCurrentIndex(m_brushGrade->findData(static_cast<int>(analysis::Grade::Bald)));
    // The keys 1 (normal) to 5 (bald), and 0 for not scalp (the grades' own numbers), pick the
    // brush's grade without a trip to the box.
    for (int g = static_cast<int>(analysis::Grade::NotScalp);
         g <= static_cast<int>(analysis::Grade::Bald); ++g) {
        auto *pick = new QAction(this);
        pick->setShortcut(QKeySequence(Qt::Key_0 + g));
        connect(pick, &QAction::triggered, this,
                [this, g] { m_brushGrade->setCurrentIndex(m_brushGrade->findData(g)); });
        addAction(pick);
    }
    m_brushGrade->setToolTip(tr("The grade the brush paints (keys 1 normal to 5 bald); \"not "
                                "scalp\" (0) takes background or face that the analysis took "
                                "for scalp off the map"));
    correctionBar->addWidget(m_brushGrade);
    correctionBar->addWidget(new QLabel(tr(" size: "), correctionBar));
    m_brushSize = new QDoubleSpinBox(correctionBar);
    m_brushSize->setObjectName(QStringLiteral("brushSize"));
    m_brushSize->setRange(1, 100);
    m_brushSize->setValue(10);
    m_brushSize->setSuffix(tr(" mm"));
    m_brushSize->setToolTip(tr("The brush's and eraser's diameter, in mm on a photo with a scale "
                               "(in photo pixels without one); [ smaller, ] larger"));
    correctionBar->addWidget(m_brushSize);
    // As in paint programs: [ and ] step the size down and up by a quarter.
    auto *smallerBrush = new QAction(tr("Smaller Brush"), this);
    smallerBrush->setShortcut(tr("["));
    connect(smallerBrush, &QAction::triggered, this, [this] { scaleBrushSize(1 / 1.25); });
    auto *largerBrush = new QAction(tr("Larger Brush"), this);
    largerBrush->setShortcut(tr("]"));
    connect(largerBrush, &QAction::triggered, this, [this] { scaleBrushSize(1.25); });
    addActions({smallerBrush, largerBrush});
    connect(m_brushSize, &QDoubleSpinBox::valueChanged, this, &PhotoViewer::updateBrushFootprint);
    // Off, a wide brush along the outline stays on the scalp; on, it adds what the analysis left
    // off the map (ears, neck, a missed edge of the head) with the grade it paints.
    m_beyondOutline = correctionBar->addAction(tr("Beyond Outline"));
    m_beyondOutline->setObjectName(QStringLiteral("beyondOutline"));
    m_beyondOutline->setCheckable(true);
    m_beyondOutline->setShortcut(tr("Shift+B"));
    m_beyondOutline->setToolTip(
        tr("Let the brush paint off the analysed scalp too, to add scalp the analysis left off "
           "the map; off, a wide brush along the outline stays on the scalp (Shift+B)"));
    // The map's tools take the view's strokes one at a time.
    for (QAction *tool : {m_brush, m_eraser, m_lasso}) {
        connect(tool, &QAction::toggled, this, [this, tool](bool checked) {
            if (checked) {
                for (QAction *other : {m_brush, m_eraser, m_lasso})
                    if (other != tool)
                        other->setChecked(false);
                m_measure->setChecked(false);
            }
            m_view->setPainting(mapToolChecked());
            updateBrushFootprint();
        });
    }
    connect(m_measure, &QAction::toggled, this, [this](bool checked) {
        if (checked) {
            for (QAction *tool : {m_brush, m_eraser, m_lasso, m_referenceTool})
                tool->setChecked(false);
        } else if (m_loaded) {
            m_photoProblemLabel->hide(); // a refused scale, no longer being measured
        }
    });
    connect(m_referenceTool, &QAction::toggled, this, [this](bool checked) {
        if (checked) {
            for (QAction *tool : {m_brush, m_eraser, m_lasso, m_measure})
                tool->setChecked(false);
        }
        m_view->setPainting(checked || mapToolChecked());
    });
    connect(m_view, &PhotoView::stroke, this, &PhotoViewer::paintStroke);

    // The treatment plan, beside the photo: the step after Analyze, next to it.
    m_planAction = new QAction(tr("Plan"), this);
    analysisBar->insertAction(m_referenceTool, m_planAction);
    analysisBar->insertSeparator(m_referenceTool);
    m_planAction->setCheckable(true);
    m_planAction->setShortcut(tr("P"));
    m_planAction->setToolTip(
        tr("Design the hairline and plan the pigment dots and sessions from the graded map (P)"));
    m_planPanel = new PlanPanel(*this, this);
    m_planPanel->setVisible(false);
    centre->addWidget(m_planPanel);
    connect(m_planAction, &QAction::toggled, this, [this](bool on) {
        m_planPanel->setVisible(on);
        if (on)
            m_planPanel->refresh();
        else
            m_planPanel->hairlineAction()->setChecked(false);
    });
    connect(this, &PhotoViewer::loaded, m_planPanel, &PlanPanel::refresh);
    connect(this, &PhotoViewer::analysisFinished, m_planPanel, &PlanPanel::refresh);

    connect(m_view, &PhotoView::photoClicked, this, &PhotoViewer::addMeasurePoint);
    connect(m_undo, &QUndoStack::indexChanged, this, &PhotoViewer::updateStatus);
    connect(m_measure, &QAction::toggled, this, &PhotoViewer::updateStatus);
    connect(m_view, &PhotoView::zoomChanged, this, &PhotoViewer::updateStatus);
    connect(m_view, &PhotoView::cursorMoved, this, [this](QPointF p) {
        m_cursor = p;
        m_cursorOnView = true;
        updateStatus();
        updateBrushFootprint();
    });
    connect(m_view, &PhotoView::cursorLeft, this, [this] {
        m_cursorOnView = false;
        updateBrushFootprint();
    });
    auto *typeAheadFirst = new TypeAheadFirst(this);
    for (QAbstractItemView *list : findChildren<QAbstractItemView *>())
        list->installEventFilter(typeAheadFirst);
    for (QComboBox *box : findChildren<QComboBox *>())
        if (!box->isEditable())
            box->installEventFilter(typeAheadFirst);
    restoreWindowGeometry(this, QStringLiteral("photoViewer"), QSize(1100, 800));
    reloadCalibration();
    startLoading();
}

void PhotoViewer::closeEvent(QCloseEvent *event)
{
    // Corrections the database refused: tried again, or lost only once the viewer does close.
    bool discardCorrections = false;
    while (!m_unsavedTiles.empty() && !storeCorrections()) {
        const auto answer = QMessageBox::warning(
            this, tr("Corrections Not Saved"),
            tr("Corrections on the map (%n tile(s)) could not be stored: %1\n\nTry again once "
               "the database is free, or close and lose them?",
               nullptr, static_cast<int>(m_unsavedTiles.size()))
                .arg(m_storeError),
            QMessageBox::Retry | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Retry);
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Discard) {
            discardCorrections = true;
            break;
        }
    }
    const auto forgetUnsavedCorrections = [this, discardCorrections] {
        if (discardCorrections) {
            m_unsavedTiles.clear();
            m_storeRetry->stop();
        }
    };
    if (m_planPanel && m_planPanel->hasUnsavedPlan()) {
        const auto answer = QMessageBox::question(
            this, tr("Save the Plan?"),
            tr("The treatment plan of this photo has changes that are not saved. Save it with the "
               "client's records?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel ||
            (answer == QMessageBox::Save && m_planPanel->save() == 0)) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Discard)
            m_planPanel->discardDraft();
    }
    if (hairToneIsPending()) {
        const auto answer = QMessageBox::question(
            this, tr("Analyse Again?"),
            tr("The Hair box says \u201c%1\u201d, but the map shown was read otherwise. Analyse "
               "the photo with it before closing? Otherwise the choice is not kept.")
                .arg(m_hairTone->currentText()),
            QMessageBox::Yes | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Yes);
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Yes) {
            // Closes once the new analysis is stored; a failed or cancelled one keeps the
            // viewer open with its reason on the status line.
            event->ignore();
            forgetUnsavedCorrections(); // as the technician said; the new map replaces them
            connect(
                this, &PhotoViewer::analysisFinished, this,
                [this](bool stored) {
                    if (stored)
                        close();
                },
                Qt::SingleShotConnection);
            analyze();
            return;
        }
    }
    // A design without dots (a hairline drawn, a parameter changed) stays as the photo's draft
    // and comes back when the photo is opened again.
    m_planPanel->flushDraft();
    forgetUnsavedCorrections();
    saveWindowGeometry(this, QStringLiteral("photoViewer"));
    QWidget::closeEvent(event);
}

PhotoViewer::~PhotoViewer()
{
    // Children outlive this destructor (QWidget deletes them later); the undo stack's clear() on
    // destruction emits indexChanged, which must not reach this half-destroyed viewer.
    disconnect(m_undo, nullptr, this, nullptr);
    disconnect(m_view, nullptr, this, nullptr);
    disconnect(m_measure, nullptr, this, nullptr);
    // On the client's stack this viewer's edits retire with it; the stack drops them once the
    // viewer is gone.
    if (m_undo->parent() != this)
        QTimer::singleShot(0, m_undo, [stack = m_undo] { dropRetiredCommands(stack); });
}

void PhotoViewer::startLoading()
{
    const QString path = storage::PhotoLibrary(m_db).absolutePath(m_photo);
    auto *watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher] {
        LoadResult result = watcher->result();
        watcher->deleteLater();
        if (!result.error.isEmpty()) {
            m_status->setText(tr("Cannot show the photo"));
            m_photoProblemLabel->setText(tr("Cannot show the photo: %1").arg(result.error));
            m_photoProblemLabel->show();
            return;
        }
        m_upright = result.upright;
        m_view->setImage(std::move(result.levels), m_photo.rotationQuarterTurns);
        m_overlay = nullptr;
        m_gradeItem = nullptr;
        m_textureItem = nullptr;
        m_outlines = nullptr;
        m_labels = nullptr;
        m_brushFootprint = nullptr;
        m_loaded = true;
        showOverlay();
        loadStoredAnalysis();
        updateStatus();
        emit loaded();
    });
    watcher->setFuture(QtConcurrent::run(loadPyramid, m_photo, path));
}

void PhotoViewer::removeScale()
{
    if (m_calibration)
        m_undo->push(new RemoveCalibrationCommand(this, *m_calibration));
}

void PhotoViewer::reloadCalibration()
{
    m_calibration = storage::PhotoLibrary(m_db).currentCalibration(m_photoId);
    m_calibrationLabel->setText(clinic::describeCalibration(m_calibration));
    // A doubtful scale (clinic::calibrationDoubt) stands out: every area on the map follows it.
    const bool doubtful = m_calibration && clinic::calibrationDoubt(*m_calibration).has_value();
    m_calibrationLabel->setStyleSheet(doubtful ? QStringLiteral("color: #c62828; font-weight: bold")
                                               : QString());
    m_removeScale->setEnabled(m_calibration.has_value());
    m_mmPerPx =
        m_calibration && !doubtful ? std::optional<double>(m_calibration->mmPerPx) : std::nullopt;
    m_view->setMmPerPx(m_mmPerPx);
    // The brush is sized in mm on a photo with a scale, in photo pixels without one.
    m_brushSize->setSuffix(m_mmPerPx ? tr(" mm") : tr(" px"));
    updateBrushFootprint();
    showOverlay();
    emit photoChanged(m_photoId);
}

void PhotoViewer::showOverlay()
{
    QGraphicsItem *image = m_view->imageItem();
    if (!image)
        return;
    delete m_overlay;
    m_overlay = new QGraphicsItemGroup(image);
    const QPen marker(QColor(0, 230, 118), 2);
    const QPen measure(QColor(255, 196, 0), 2);
    auto cosmetic = [](QPen pen) {
        pen.setCosmetic(true);
        return pen;
    };
    auto cross = [&](QPointF p, const QPen &pen) {
        for (const QLineF &line : {QLineF(p - QPointF(8, 0), p + QPointF(8, 0)),
                                   QLineF(p - QPointF(0, 8), p + QPointF(0, 8))}) {
            auto *item = new QGraphicsLineItem(line, m_overlay);
            item->setPen(cosmetic(pen));
            item->setFlag(QGraphicsItem::ItemIgnoresTransformations, false);
        }
    };
    if (m_calibration) {
        const QJsonObject details =
            QJsonDocument::fromJson(m_calibration->details.toUtf8()).object();
        if (m_calibration->method == storage::CalibrationMethod::Marker) {
            QPolygonF polygon;
            for (const QJsonValue &corner : details.value(QLatin1String("corners_px")).toArray())
                polygon << QPointF(corner.toArray().at(0).toDouble(),
                                   corner.toArray().at(1).toDouble());
            auto *outline = new QGraphicsPolygonItem(polygon, m_overlay);
            outline->setPen(cosmetic(marker));
        } else {
            const QJsonArray points = details.value(QLatin1String("points_px")).toArray();
            if (points.size() == 2) {
                const QPointF a(points[0].toArray().at(0).toDouble(),
                                points[0].toArray().at(1).toDouble());
                const QPointF b(points[1].toArray().at(0).toDouble(),
                                points[1].toArray().at(1).toDouble());
                auto *line = new QGraphicsLineItem(QLineF(a, b), m_overlay);
                line->setPen(cosmetic(marker));
                cross(a, marker);
                cross(b, marker);
            }
        }
    }
    for (const QPointF &p : m_points)
        cross(p, measure);
}

void PhotoViewer::addMeasurePoint(QPointF photoPoint)
{
    m_photoProblemLabel->hide(); // a refused scale is not said once the next point is placed
    if (m_points.empty()) {
        m_undo->push(new PlacePointCommand(this, photoPoint));
        return;
    }
    storage::Calibration calibration;
    try {
        calibration =
            clinic::makeManualCalibration(m_photo, m_points.front(), photoPoint, m_length->value());
    } catch (const std::exception &error) {
        m_photoProblemLabel->setText(tr("Not calibrated: %1; click the second point again")
                                         .arg(QString::fromUtf8(error.what())));
        m_photoProblemLabel->show();
        return;
    }
    auto *macro = new QUndoCommand(tr("Calibrate from two points"));
    new PlacePointCommand(this, photoPoint, macro);
    new CalibrationCommand(this, calibration, macro);
    m_undo->push(macro);
}

void PhotoViewer::rotate(int quarterTurns)
{
    try {
        storage::PhotoLibrary library(m_db);
        library.setRotation(m_photoId, m_photo.rotationQuarterTurns + quarterTurns);
        m_photo = *library.find(m_photoId);
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Not Rotated"), QString::fromUtf8(error.what()));
        return;
    }
    m_view->setRotation(m_photo.rotationQuarterTurns);
    // Region names and the stage's variant follow the way the photo is shown.
    updateRegionLayers();
    emit photoChanged(m_photoId);
}

void PhotoViewer::detectMarker()
{
    if (!m_loaded)
        return;
    m_status->setText(tr("Looking for a marker..."));
    auto *watcher = new QFutureWatcher<std::optional<vision::MarkerMeasurement>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        const auto marker = watcher->result();
        watcher->deleteLater();
        if (!marker) {
            m_status->setText(tr("No calibration marker found"));
            // A marker scale the detector no longer finds was a false match (in the hair, before
            // such outlines were refused) or the photo changed: offer to take it off.
            if (m_calibration && m_calibration->method == storage::CalibrationMethod::Marker &&
                QMessageBox::question(
                    this, tr("Marker Not Found"),
                    tr("No calibration marker is found in this photo, but its scale (%1) comes "
                       "from one. Remove that scale?")
                        .arg(clinic::describeCalibration(m_calibration))) == QMessageBox::Yes)
                removeScale();
            return;
        }
        m_undo->push(
            new CalibrationCommand(this, clinic::makeMarkerCalibration(m_photoId, *marker)));
        updateStatus();
    });
    watcher->setFuture(QtConcurrent::run(clinic::findMarker, m_upright));
}

QGraphicsItem *PhotoViewer::gradeLayer() const
{
    return m_gradeItem;
}

QGraphicsItem *PhotoViewer::textureLayer() const
{
    return m_textureItem;
}

void PhotoViewer::loadStoredAnalysis()
{
    QString problem;
    try {
        storage::AnalysisStore store(m_db);
        m_analysis = store.latest(m_photoId);
        m_corrected = m_analysis ? store.correctedGrades(*m_analysis) : QByteArray();
        // A map not of its stated size would be read (and brushed) past its end: not shown.
        if (const QString damage =
                m_analysis ? clinic::mapSizeDamage(*m_analysis, m_photo) : QString();
            !damage.isEmpty())
            problem = tr("Not shown: %1").arg(damage);
    } catch (const std::exception &error) {
        problem = tr("The stored analysis cannot be read: %1; analyse the photo again")
                      .arg(QString::fromUtf8(error.what()));
    }
    if (!problem.isEmpty()) {
        m_analysis.reset();
        m_corrected.clear();
    }
    m_analysisProblemLabel->setText(problem);
    m_analysisProblemLabel->setVisible(!problem.isEmpty());
    const bool has = m_analysis.has_value();
    const QString noScalp = has ? clinic::noScalpText(*m_analysis, m_photo) : QString();
    m_analysisOutcomeLabel->setText(noScalp.isEmpty() ? QString() : tr("No map: %1").arg(noScalp));
    m_analysisOutcomeLabel->setVisible(!noScalp.isEmpty());
    const QString softNote = has ? clinic::softPhotoNote(*m_analysis) : QString();
    m_softPhotoLabel->setText(softNote);
    m_softPhotoLabel->setVisible(!softNote.isEmpty());
    const QString toneNote = has ? clinic::hairToneNote(*m_analysis) : QString();
    m_hairToneLabel->setText(toneNote);
    m_hairToneLabel->setVisible(!toneNote.isEmpty());
    const QString versionNote = has ? clinic::olderVersionNote(*m_analysis) : QString();
    m_olderVersionLabel->setText(versionNote);
    m_olderVersionLabel->setVisible(!versionNote.isEmpty());
    m_texture = has ? clinic::textureCheckOf(*m_analysis) : analysis::TextureCheck();
    // Interpolated onto the map once here; marked against the corrections on every change.
    m_hairOnMap = has ? analysis::hairOnMap(m_texture, m_analysis->mapWidth, m_analysis->mapHeight,
                                            m_analysis->photoPxPerMapPx)
                      : std::vector<std::uint8_t>();
    // An analysis that found no scalp has an all-"not scalp" map: nothing to show or correct
    // (the reports and the planner pass over it whatever is painted on it).
    const bool hasMap = has && noScalp.isEmpty();
    for (QAction *action :
         {m_showGrades, m_showOutlines, m_showLabels, m_brush, m_eraser, m_lasso, m_beyondOutline})
        action->setEnabled(hasMap);
    if (!hasMap)
        for (QAction *tool : {m_brush, m_eraser, m_lasso})
            tool->setChecked(false);
    m_showTexture->setEnabled(m_texture.applies);
    m_showTexture->setToolTip(
        m_texture.applies || m_texture.reason.empty()
            ? tr("Hatch the loss area that looks like hair to a model learnt from real photographs")
            : tr("The texture check does not apply: %1")
                  .arg(QString::fromStdString(m_texture.reason)));
    updateGradeImage();
    updateRegionLayers();
    updateBrushFootprint();
    followHairTone();
    followReferenceArea();
}

void PhotoViewer::followReferenceArea()
{
    // The area the shown analysis graded against (photo pixels, as stored with its parameters),
    // so that analysing again keeps it until the technician clears it.
    m_referenceArea.reset();
    if (m_analysis) {
        if (const auto area = clinic::technicianChoices(*m_analysis).referenceArea)
            m_referenceArea = QRectF(area->x, area->y, area->width, area->height);
    }
    showReferenceArea();
}

void PhotoViewer::showReferenceArea()
{
    m_clearReference->setEnabled(m_referenceArea.has_value());
    if (!m_referenceArea || !m_view->imageItem()) {
        delete m_referenceItem;
        m_referenceItem = nullptr;
        return;
    }
    if (!m_referenceItem) {
        // White dashes on a dark band: seen on hair and skin alike, and unlike the grade colours
        // and the texture check's cyan hatching.
        m_referenceItem = new QGraphicsRectItem(m_view->imageItem());
        QPen band(QColor(0, 0, 0, 160), 4);
        band.setCosmetic(true);
        m_referenceItem->setPen(band);
        m_referenceItem->setZValue(4);
        m_referenceItem->setToolTip(tr("Reference area: the client's normal coverage (Clear "
                                       "Reference Area, on the Reference Area button's menu, "
                                       "grades against the best-covered area again)"));
        auto *dashes = new QGraphicsRectItem(m_referenceItem);
        QPen pen(Qt::white, 2, Qt::DashLine);
        pen.setCosmetic(true);
        dashes->setPen(pen);
    }
    m_referenceItem->setRect(*m_referenceArea);
    for (QGraphicsItem *child : m_referenceItem->childItems())
        static_cast<QGraphicsRectItem *>(child)->setRect(*m_referenceArea);
}

void PhotoViewer::followHairTone()
{
    // The technician's word stays with the photo (the stored analysis's parameters keep it), and
    // "Automatic (darker)" says which way round the analysis read the hair. Before the first
    // analysis the client's recorded hair colour may say (red hair:
    // clinic::hairToneForHairColour()).
    QString read, method;
    auto tone = analysis::HairTone::Automatic;
    if (!m_analysis) {
        try {
            tone = clinic::parametersForPhoto(m_db, m_photoId).hairTone;
        } catch (const std::exception &) {
            // The photo is gone or the database unreadable: analyze() says so when asked.
        }
    } else {
        tone = clinic::technicianChoices(*m_analysis).hairTone;
        const QJsonObject algorithm = QJsonDocument::fromJson(m_analysis->summaryJson.toUtf8())
                                          .object()
                                          .value(QLatin1String("algorithm"))
                                          .toObject();
        // What the analysis itself read, only when it was its own word (an analysis told
        // "darker" says nothing of what automatic would read).
        const QString readAs = algorithm.value(QLatin1String("hair_tone")).toString();
        const bool ownWord = algorithm.value(QLatin1String("hair_tone_from")).toString() ==
                             QLatin1String("analysis");
        if (ownWord &&
            readAs == QLatin1String(analysis::hairToneName(analysis::HairTone::DarkerThanSkin)))
            read = tr("Automatic (darker)");
        else if (ownWord && readAs == QLatin1String(analysis::hairToneName(
                                          analysis::HairTone::LighterThanSkin)))
            read = tr("Automatic (lighter)");
        // How hair was told from skin (docs/analysis.md, step 3), for support.
        method = algorithm.value(QLatin1String("unmixing")).toString();
    }
    m_hairTone->setItemText(0, read.isEmpty() ? tr("Automatic") : read);
    m_hairTone->setToolTip(
        tr("Which way round the analysis reads the hair against the skin. Automatic tells it "
           "from the photo; choose \"darker\" (dark or red hair, or grey or blond hair on very "
           "light skin) or \"lighter\" (grey or blond hair on darker skin) where the map shows "
           "hair as bald or skin as hair, and analyse again") +
        (method.isEmpty() ? QString()
                          : tr("\n\nThe analysis shown told hair from skin by: %1").arg(method)));
    m_hairToneShown = static_cast<int>(tone);
    // Quietly: the status line may be saying how the analysis went.
    const QSignalBlocker quiet(m_hairTone);
    m_hairTone->setCurrentIndex(m_hairTone->findData(static_cast<int>(tone)));
}

bool PhotoViewer::hairToneIsPending() const
{
    return m_loaded && m_hairTone->currentData().toInt() != m_hairToneShown;
}

void PhotoViewer::analyze()
{
    if (!m_loaded)
        return;
    auto result = std::make_shared<analysis::Result>();
    auto failure = std::make_shared<QString>();
    analysis::Parameters parameters;
    try {
        parameters = clinic::parametersForPhoto(m_db, m_photoId);
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Not Analysed"), QString::fromUtf8(error.what()));
        emit analysisFinished(false);
        return;
    }
    parameters.hairTone = static_cast<analysis::HairTone>(m_hairTone->currentData().toInt());
    parameters.referenceArea.reset(); // the viewer's, which may have been cleared
    if (m_referenceArea) {
        parameters.referenceArea =
            analysis::Parameters::Rect{m_referenceArea->x(), m_referenceArea->y(),
                                       m_referenceArea->width(), m_referenceArea->height()};
    }
    // A new analysis retires the shown one's corrections: those on screen must be stored first.
    if (!storeCorrections()) {
        QMessageBox::warning(this, tr("Not Analysed"),
                             tr("Corrections on the map are not stored yet (%1); analysing again "
                                "would lose them. Try again once the database is free.")
                                 .arg(m_storeError));
        emit analysisFinished(false);
        return;
    }
    // The technician's corrections of the shown map: laid over the new one, or left with the
    // analysis they were made on.
    bool keepCorrections = false;
    if (m_analysis && m_corrected != m_analysis->grades) {
        QMessageBox ask(QMessageBox::Question, tr("Keep Your Corrections?"),
                        tr("The map shown has corrections you made. Lay them over the new "
                           "analysis too? Otherwise it starts from the map as analysed (your "
                           "corrections stay with the earlier analysis)."),
                        QMessageBox::Yes | QMessageBox::No | QMessageBox::Cancel, this);
        ask.button(QMessageBox::Yes)->setText(tr("Keep Corrections"));
        ask.button(QMessageBox::No)->setText(tr("Start Fresh"));
        ask.setDefaultButton(QMessageBox::Yes);
        const int answer = ask.exec();
        if (answer != QMessageBox::Yes && answer != QMessageBox::No) {
            followReferenceArea(); // a new area not analysed is not the map's
            emit analysisFinished(false);
            return;
        }
        keepCorrections = answer == QMessageBox::Yes;
    }
    const QImage image = m_upright;
    QFuture<void> future =
        QtConcurrent::run([image, parameters, result, failure](QPromise<void> &promise) {
            promise.setProgressRange(0, 100);
            try {
                *result = clinic::analyzeImage(image, parameters, [&promise](double done) {
                    promise.setProgressValue(static_cast<int>(done * 100));
                    return !promise.isCanceled();
                });
            } catch (const analysis::Cancelled &) {
                *failure = tr("cancelled");
            } catch (const std::exception &error) {
                *failure = QString::fromUtf8(error.what());
            }
        });
    const bool backView = parameters.view == analysis::View::Back;
    followWithProgress(
        this, tr("Analysing the scalp"), future,
        [this, result, failure, backView, keepCorrections] {
            if (!failure->isEmpty()) {
                followReferenceArea(); // a new area not analysed is not the map's
                m_status->setText(tr("Not analysed: %1").arg(*failure));
                // Said in full under the photo, where it wraps (a cancel needs no saying).
                const bool cancelled = *failure == tr("cancelled");
                m_analysisOutcomeLabel->setText(cancelled ? QString()
                                                          : tr("Not analysed: %1").arg(*failure));
                m_analysisOutcomeLabel->setVisible(!cancelled);
                emit analysisFinished(false);
                return;
            }
            if (!result->scalpFound) {
                m_status->setText(tr("No scalp found (confidence %1): %2")
                                      .arg(result->scalpConfidence, 0, 'f', 2)
                                      .arg(QString::fromStdString(result->noScalpReason)));
            }
            // The analysis shown until now, as it read (to compare with on the status line).
            const QJsonObject before =
                m_analysis ? QJsonDocument::fromJson(m_analysis->summaryJson.toUtf8()).object()
                           : QJsonObject();
            qsizetype keptPixels = 0;
            try {
                std::vector<storage::GradeTile> kept;
                if (keepCorrections)
                    kept = clinic::carryCorrections(clinic::latestCorrections(m_db, m_photoId),
                                                    *result, &keptPixels);
                clinic::storeAnalysis(m_db, m_photoId, *result, kept);
            } catch (const std::exception &error) {
                QMessageBox::warning(this, tr("Analysis Not Saved"),
                                     QString::fromUtf8(error.what()));
                emit analysisFinished(false);
                return;
            }
            loadStoredAnalysis();
            dropRetiredCommands(m_undo); // corrections belong to the analysis they were painted on
            if (result->scalpFound) {
                QString status = tr("Coverage %1% · Norwood %2 (confidence %3)")
                                     .arg(result->coveragePercent, 0, 'f', 1)
                                     .arg(QString::fromStdString(result->norwood.stage))
                                     .arg(result->norwood.confidence, 0, 'f', 2);
                // Ears, and on back views bare skin on the outline, are off the map: the technician
                // should know they were left out (Beyond Outline paints them back).
                if (result->takenOffPx > 0) {
                    const QString area = result->takenOffCm2
                                             ? tr("%1 cm²").arg(*result->takenOffCm2, 0, 'f', 1)
                                             : tr("%1 px").arg(qRound(result->takenOffPx));
                    status += (backView ? tr(" · %1 left off the map as ears or neck")
                                        : tr(" · %1 left off the map as ears"))
                                  .arg(area);
                }
                if (before.value(QLatin1String("scalp_found")).toBool())
                    status += tr(" · before: coverage %1%, Norwood %2")
                                  .arg(before.value(QLatin1String("coverage_percent")).toDouble(),
                                       0, 'f', 1)
                                  .arg(before.value(QLatin1String("norwood"))
                                           .toObject()
                                           .value(QLatin1String("stage"))
                                           .toString());
                if (m_referenceArea)
                    status += tr(" · graded against the reference area drawn");
                if (keepCorrections) {
                    const double mmPerMapPx = m_mmPerPx ? *m_mmPerPx * result->photoPxPerMapPx : 0;
                    status += keptPixels == 0 ? tr(" · your corrections: the new map agrees")
                              : mmPerMapPx > 0
                                  ? tr(" · your corrections kept (%1 cm² graded otherwise)")
                                        .arg(double(keptPixels) * mmPerMapPx * mmPerMapPx / 100.0,
                                             0, 'f', 1)
                                  : tr(" · your corrections kept (%1 map px graded otherwise)")
                                        .arg(keptPixels);
                }
                m_status->setText(status);
            }
            emit analysisFinished(true);
            emit photoChanged(m_photoId);
        });
}

void PhotoViewer::showAnalysis()
{
    if (m_gradeItem)
        m_gradeItem->setVisible(m_showGrades->isChecked());
    if (m_textureItem)
        m_textureItem->setVisible(m_showTexture->isChecked());
    // Only what is shown is graded: the hatching on and something hatched.
    m_gradeHatchedNormal->setEnabled(m_textureItem && !m_textureRow->isHidden() &&
                                     m_showTexture->isChecked());
    if (m_outlines)
        m_outlines->setVisible(m_showOutlines->isChecked());
    if (m_labels)
        m_labels->setVisible(m_showLabels->isChecked());
}

void PhotoViewer::updateGradeImage()
{
    QGraphicsItem *image = m_view->imageItem();
    if (!image)
        return;
    m_takeBackCorrections->setEnabled(m_analysis && m_corrected != m_analysis->grades);
    if (!m_analysis) {
        delete m_gradeItem;
        delete m_textureItem;
        m_gradeItem = nullptr;
        m_textureItem = nullptr;
        m_textureRow->hide();
        m_gradeHatchedNormal->setEnabled(false);
        return;
    }
    // Opaque colours, tinted by the item's opacity (the Tint slider).
    const QPixmap pixmap = QPixmap::fromImage(
        clinic::gradeOverlayImage(m_corrected, m_analysis->mapWidth, m_analysis->mapHeight, 255));
    if (!m_gradeItem) {
        m_gradeItem = new QGraphicsPixmapItem(image);
        m_gradeItem->setTransformationMode(Qt::SmoothTransformation);
        m_gradeItem->setZValue(1);
        m_gradeItem->setOpacity(m_gradeOpacity->value() / 100.0);
    }
    m_gradeItem->setPixmap(pixmap);
    m_gradeItem->setTransform(
        QTransform::fromScale(m_analysis->photoPxPerMapPx, m_analysis->photoPxPerMapPx));
    // The texture check follows the corrections: loss painted over is no longer hatched or counted.
    if (!m_textureItem) {
        m_textureItem = new QGraphicsPixmapItem(image);
        m_textureItem->setZValue(1.5);
    }
    const std::vector<std::uint8_t> marks = clinic::textureCheckMarks(m_hairOnMap, m_corrected);
    m_textureItem->setPixmap(QPixmap::fromImage(
        clinic::textureCheckOverlayImage(marks, m_analysis->mapWidth, m_analysis->mapHeight)));
    m_textureItem->setTransform(m_gradeItem->transform());
    const QString textureNote =
        clinic::textureCheckNote(clinic::textureCheckShare(marks, m_corrected));
    m_textureLabel->setText(textureNote);
    m_textureRow->setVisible(!textureNote.isEmpty());
    showAnalysis();
}

void PhotoViewer::updateFaceNote()
{
    // Said until the technician has taken something off the map by hand (the face, most
    // likely): after that, the map is theirs.
    const QString note =
        m_analysis && clinic::faceStillOnMap(*m_analysis, m_corrected, m_photo.view)
            ? clinic::faceOnMapNote(clinic::toAnalysisView(m_photo.view))
            : QString();
    m_faceNoteLabel->setText(note);
    m_faceNoteLabel->setVisible(!note.isEmpty());
    m_faceNoteRow->setVisible(!note.isEmpty());
    const bool sideView =
        m_photo.view == storage::PhotoView::Left || m_photo.view == storage::PhotoView::Right;
    m_faceNoteButton->setText(sideView ? tr("Lasso, Not Scalp") : tr("Mark Face"));
    m_faceNoteButton->setToolTip(
        sideView ? tr("The lasso with the grade \u201cnot scalp\u201d: draw round the face and "
                      "the bare neck")
                 : tr("The plan panel's Mark Face: click the glabella, the outer eye corners and "
                      "the chin, then Take Face Off Map"));
}

void PhotoViewer::updateRegionLayers()
{
    QGraphicsItem *image = m_view->imageItem();
    delete m_outlines;
    delete m_labels;
    m_outlines = nullptr;
    m_labels = nullptr;
    m_stageText.clear();
    m_coverageText.clear();
    updateFaceNote();
    if (!image || !m_analysis)
        return;
    m_outlines = new QGraphicsItemGroup(image);
    m_labels = new QGraphicsItemGroup(image);
    m_outlines->setZValue(2);
    m_labels->setZValue(6.5); // over the plan's dots (6), under its hairline and guides (7, 8)
    analysis::GradeSummary summary;
    try {
        summary = clinic::summarizeStoredAnalysis(*m_analysis, m_corrected, m_photo.view,
                                                  m_photo.rotationQuarterTurns, m_mmPerPx);
    } catch (const std::exception &) {
        return;
    }
    if (summary.norwood.level > 0) {
        const clinic::ScalpCoverage coverage = clinic::scalpCoverage(*m_analysis, m_corrected);
        m_coverageText = (coverage.overCorrectedScalp ? tr("coverage %1% of the corrected scalp")
                          : coverage.notRetaken       ? tr("coverage %1% as analysed")
                                                      : tr("coverage %1%"))
                             .arg(coverage.percent, 0, 'f', 1);
        const bool corrected = m_corrected != m_analysis->grades;
        m_stageText = (corrected ? tr("Norwood %1 (confidence %2, corrected map)")
                                 : tr("Norwood %1 (confidence %2)"))
                          .arg(QString::fromStdString(summary.norwood.stage))
                          .arg(summary.norwood.confidence, 0, 'f', 2);
    }
    updateStatus();
    double scalpPx = 0;
    for (const auto &region : summary.regions)
        scalpPx += region.areaPx;
    std::vector<QPointF> labelled;
    for (const auto &region : summary.regions) {
        if (region.grade == analysis::Grade::Normal)
            continue;
        QPolygonF polygon;
        for (const auto &p : region.outline)
            polygon << QPointF(p.x, p.y);
        auto *outline = new QGraphicsPolygonItem(polygon, m_outlines);
        QPen pen(clinic::gradeColour(region.grade).darker(130), 2);
        pen.setCosmetic(true);
        outline->setPen(pen);
        if (region.grade < analysis::Grade::Moderate || region.areaPx < 0.015 * scalpPx)
            continue;
        // "bald 3.7 cm²" over "vertex": the grade, its size when calibrated, where it lies (on
        // two lines, so that neighbouring labels overlap less).
        QString text = QString::fromLatin1(analysis::gradeName(region.grade));
        if (region.areaCm2)
            text += tr(" %1 cm²").arg(*region.areaCm2, 0, 'f', 1);
        if (!region.location.empty())
            text += QLatin1Char('\n') + QString::fromStdString(region.location);
        // One label per place: a region whose centre is close to a labelled one stays unlabelled.
        const QPointF at(region.centroid.x, region.centroid.y);
        const double spacing = 0.06 * std::max(m_photo.widthPx, m_photo.heightPx);
        if (std::any_of(labelled.begin(), labelled.end(),
                        [&](const QPointF &p) { return QLineF(p, at).length() < spacing; }))
            continue;
        labelled.push_back(at);
        auto *box = new QGraphicsRectItem(m_labels);
        box->setBrush(QColor(255, 255, 255, 215));
        box->setPen(QPen(clinic::gradeColour(region.grade).darker(130), 0));
        box->setFlag(QGraphicsItem::ItemIgnoresTransformations);
        auto *label = new QGraphicsSimpleTextItem(text, box);
        QFont font = label->font();
        font.setBold(true);
        label->setFont(font);
        label->setBrush(Qt::black);
        // Centred on the region in screen pixels (the box ignores the view's zoom).
        const QSizeF size = label->boundingRect().size() + QSizeF(8, 4);
        box->setRect(QRectF(QPointF(-size.width() / 2, -size.height() / 2), size));
        label->setPos(-size.width() / 2 + 4, -size.height() / 2 + 2);
        box->setPos(at);
    }
    showAnalysis();
}

void PhotoViewer::applyTiles(const std::vector<storage::GradeTile> &tiles)
{
    if (!m_analysis)
        return;
    const int w = m_analysis->mapWidth, h = m_analysis->mapHeight;
    for (const auto &tile : tiles) {
        const int x0 = tile.tileX * storage::kAnalysisTileSize,
                  y0 = tile.tileY * storage::kAnalysisTileSize;
        const int tw = std::min(storage::kAnalysisTileSize, w - x0),
                  th = std::min(storage::kAnalysisTileSize, h - y0);
        if (tw <= 0 || th <= 0 || tile.grades.size() != qsizetype(tw) * th)
            continue;
        for (int y = 0; y < th; ++y)
            std::copy_n(tile.grades.constData() + y * tw, tw,
                        m_corrected.data() + (y0 + y) * w + x0);
    }
    updateGradeImage();
    updateRegionLayers();
}

void PhotoViewer::updateBrushFootprint()
{
    QGraphicsItem *image = m_view->imageItem();
    const bool show = image && m_analysis && m_cursorOnView &&
                      (m_brush->isChecked() || m_eraser->isChecked()) &&
                      image->boundingRect().contains(m_cursor);
    if (!show) {
        if (m_brushFootprint)
            m_brushFootprint->hide();
        return;
    }
    if (!m_brushFootprint) {
        // White on a dark band, as the reference area: seen on hair, skin and every grade.
        m_brushFootprint = new QGraphicsEllipseItem(image);
        QPen band(QColor(0, 0, 0, 160), 3);
        band.setCosmetic(true);
        m_brushFootprint->setPen(band);
        m_brushFootprint->setZValue(9);
        auto *line = new QGraphicsEllipseItem(m_brushFootprint);
        QPen pen(Qt::white, 1);
        pen.setCosmetic(true);
        line->setPen(pen);
    }
    // The same diameter paintStroke() paints (photo px).
    const double diameter = m_mmPerPx ? m_brushSize->value() / *m_mmPerPx : m_brushSize->value();
    const QRectF rect(m_cursor.x() - diameter / 2, m_cursor.y() - diameter / 2, diameter, diameter);
    m_brushFootprint->setRect(rect);
    for (QGraphicsItem *child : m_brushFootprint->childItems())
        static_cast<QGraphicsEllipseItem *>(child)->setRect(rect);
    m_brushFootprint->show();
}

void PhotoViewer::scaleBrushSize(double factor)
{
    // Rounded to the box's step (0.5 mm or px below 10, whole ones above), so that repeated
    // presses come back to the same sizes.
    const double size = m_brushSize->value() * factor;
    const double step = size < 10 ? 0.5 : 1.0;
    double next = std::round(size / step) * step;
    if (next == m_brushSize->value())
        next += factor > 1 ? step : -step;
    m_brushSize->setValue(next); // clamped to the box's range
}

void PhotoViewer::paintStroke(QPointF photoPoint, PhotoView::StrokePhase phase)
{
    if (m_referenceTool->isChecked()) {
        // Dragging out the reference area; releasing runs the analysis against it.
        if (phase == PhotoView::StrokePhase::Begin)
            m_referenceStart = photoPoint;
        const QRectF rect = QRectF(m_referenceStart, photoPoint)
                                .normalized()
                                .intersected(QRectF(0, 0, m_photo.widthPx, m_photo.heightPx));
        m_referenceArea = rect;
        showReferenceArea();
        if (phase == PhotoView::StrokePhase::End) {
            m_referenceTool->setChecked(false);
            if (rect.width() >= 4 && rect.height() >= 4)
                analyze();
            else
                followReferenceArea(); // a click, not an area: the shown analysis's stands
        }
        return;
    }
    if (m_lasso->isChecked() && m_analysis) {
        lassoStroke(photoPoint, phase);
        return;
    }
    if (!m_analysis || (!m_brush->isChecked() && !m_eraser->isChecked()))
        return; // strokes of other tools (the plan's hairline) are theirs
    const int w = m_analysis->mapWidth, h = m_analysis->mapHeight;
    const int tile = storage::kAnalysisTileSize;
    if (phase == PhotoView::StrokePhase::Begin)
        m_strokeBefore.clear();
    // Radius in map pixels: the size is a diameter in mm (photo pixels when uncalibrated).
    const double diameterPhotoPx =
        m_mmPerPx ? m_brushSize->value() / *m_mmPerPx : m_brushSize->value();
    const double radius = std::max(1.0, diameterPhotoPx / 2.0 / m_analysis->photoPxPerMapPx);
    const double cx = photoPoint.x() / m_analysis->photoPxPerMapPx,
                 cy = photoPoint.y() / m_analysis->photoPxPerMapPx;
    const bool erase = m_eraser->isChecked();
    const char value = static_cast<char>(m_brushGrade->currentData().toInt());
    const bool beyondOutline = m_beyondOutline->isChecked();
    for (int y = std::max(0, int(cy - radius)); y <= std::min(h - 1, int(cy + radius)); ++y) {
        for (int x = std::max(0, int(cx - radius)); x <= std::min(w - 1, int(cx + radius)); ++x) {
            if (std::hypot(x + 0.5 - cx, y + 0.5 - cy) > radius)
                continue;
            const qsizetype i = qsizetype(y) * w + x;
            const char original = m_analysis->grades.at(i);
            if (original == 0 && !erase && !beyondOutline)
                continue; // off the scalp, and the brush stays on it
            const char next = erase ? original : value;
            if (m_corrected.at(i) == next)
                continue; // only changed pixels (and so tiles) make a correction
            const auto key = std::pair{x / tile, y / tile};
            if (!m_strokeBefore.count(key))
                m_strokeBefore[key] = tileBytes(m_corrected, key.first, key.second);
            m_corrected[i] = next;
        }
    }
    updateGradeImage();
    if (phase != PhotoView::StrokePhase::End || m_strokeBefore.empty())
        return;
    std::vector<storage::GradeTile> before, after;
    for (const auto &[key, bytes] : m_strokeBefore) {
        before.push_back({key.first, key.second, bytes});
        after.push_back({key.first, key.second, tileBytes(m_corrected, key.first, key.second)});
    }
    m_strokeBefore.clear();
    m_undo->push(new PaintGradesCommand(this, std::move(before), std::move(after),
                                        erase ? tr("Erase grade correction") : tr("Paint grade")));
}

QByteArray PhotoViewer::tileBytes(const QByteArray &map, int tileX, int tileY) const
{
    const int w = m_analysis->mapWidth, h = m_analysis->mapHeight;
    const int tile = storage::kAnalysisTileSize;
    const int x0 = tileX * tile, y0 = tileY * tile;
    const int tw = std::min(tile, w - x0), th = std::min(tile, h - y0);
    QByteArray bytes(qsizetype(tw) * th, '\0');
    for (int y = 0; y < th; ++y)
        std::copy_n(map.constData() + (y0 + y) * w + x0, tw, bytes.data() + y * tw);
    return bytes;
}

void PhotoViewer::takeBackAllCorrections()
{
    if (!m_analysis)
        return;
    clinic::GradeChange change = clinic::takeBackCorrections(*m_analysis, m_corrected);
    if (change.after.empty())
        return;
    m_undo->push(new PaintGradesCommand(this, std::move(change.before), std::move(change.after),
                                        tr("Take back all corrections")));
}

void PhotoViewer::gradeHatchedNormal()
{
    if (!m_analysis)
        return;
    regrade(clinic::textureCheckMarks(m_hairOnMap, m_corrected), analysis::Grade::Normal,
            tr("Grade hatched area normal"));
}

bool PhotoViewer::mapToolChecked() const
{
    return m_brush->isChecked() || m_eraser->isChecked() || m_lasso->isChecked();
}

void PhotoViewer::cancelLasso()
{
    if (!m_lassoItem)
        return;
    delete m_lassoItem;
    m_lassoItem = nullptr;
    m_lassoPath.clear();
    m_lassoCancelled = true; // the rest of this stroke grades nothing
}

void PhotoViewer::lassoStroke(QPointF photoPoint, PhotoView::StrokePhase phase)
{
    if (phase == PhotoView::StrokePhase::Begin)
        m_lassoCancelled = false;
    else if (m_lassoCancelled)
        return;
    if (phase == PhotoView::StrokePhase::Begin) {
        m_lassoPath.clear();
        delete m_lassoItem;
        m_lassoItem = new QGraphicsPathItem(m_view->imageItem());
        QPen pen(Qt::white, 2, Qt::DashLine);
        pen.setCosmetic(true);
        m_lassoItem->setPen(pen);
        m_lassoItem->setZValue(5);
    }
    if (m_lassoPath.isEmpty() || QLineF(m_lassoPath.last(), photoPoint).length() >= 1.0)
        m_lassoPath << photoPoint;
    if (m_lassoItem) {
        QPainterPath path;
        path.addPolygon(m_lassoPath);
        path.closeSubpath();
        m_lassoItem->setPath(path);
    }
    if (phase != PhotoView::StrokePhase::End)
        return;
    delete m_lassoItem;
    m_lassoItem = nullptr;
    const QPolygonF outline = m_lassoPath;
    m_lassoPath.clear();
    if (outline.size() < 3)
        return; // a click, not an area
    const auto grade = static_cast<analysis::Grade>(m_brushGrade->currentData().toInt());
    gradeArea(outline, grade, m_beyondOutline->isChecked(),
              tr("Grade area %1").arg(m_brushGrade->currentText()));
}

int PhotoViewer::takeOffMap(const QPolygonF &photoPolygon, const QString &text)
{
    return gradeArea(photoPolygon, analysis::Grade::NotScalp, true, text);
}

int PhotoViewer::gradeArea(const QPolygonF &photoPolygon, analysis::Grade grade, bool beyondOutline,
                           const QString &text)
{
    if (!m_analysis)
        return 0;
    return regrade(clinic::mapPixelsInside(*m_analysis, photoPolygon, beyondOutline), grade, text);
}

int PhotoViewer::regrade(const std::vector<std::uint8_t> &marked, analysis::Grade grade,
                         const QString &text)
{
    clinic::GradeChange change = clinic::gradeMarkedPixels(m_corrected, m_analysis->mapWidth,
                                                           m_analysis->mapHeight, marked, grade);
    if (change.after.empty())
        return 0;
    m_undo->push(
        new PaintGradesCommand(this, std::move(change.before), std::move(change.after), text));
    return static_cast<int>(change.changedPixels);
}

bool PhotoViewer::storeCorrections()
{
    if (m_unsavedTiles.empty() || !m_analysis)
        return true;
    // The tiles as they are on screen now: a later stroke or undo over an unsaved tile wins.
    std::vector<storage::GradeTile> tiles;
    tiles.reserve(m_unsavedTiles.size());
    for (const auto &[tileX, tileY] : m_unsavedTiles)
        tiles.push_back({tileX, tileY, tileBytes(m_corrected, tileX, tileY)});
    try {
        storage::AnalysisStore(m_db).saveCorrections(m_analysis->id, tiles);
    } catch (const std::exception &error) {
        m_storeError = QString::fromUtf8(error.what());
        m_unsavedLabel->setText(
            tr("Corrections not stored: %1. They stay on screen and are tried again every few "
               "seconds; closing the viewer asks before they are lost.")
                .arg(m_storeError));
        m_unsavedLabel->show();
        m_storeRetry->start();
        return false;
    }
    m_unsavedTiles.clear();
    m_storeError.clear();
    m_storeRetry->stop();
    m_unsavedLabel->hide();
    emit correctionsStored(m_photoId);
    return true;
}

void PhotoViewer::updateStatus()
{
    if (!m_loaded)
        return;
    QString text = tr("%1 × %2 px · zoom %3%")
                       .arg(m_photo.widthPx)
                       .arg(m_photo.heightPx)
                       .arg(m_view->zoom() * 100, 0, 'f', 0);
    text += tr(" · cursor %1, %2 px").arg(m_cursor.x(), 0, 'f', 0).arg(m_cursor.y(), 0, 'f', 0);
    if (m_mmPerPx) {
        text += tr(" (%1, %2 mm)")
                    .arg(m_cursor.x() * *m_mmPerPx, 0, 'f', 1)
                    .arg(m_cursor.y() * *m_mmPerPx, 0, 'f', 1);
    }
    if (!m_coverageText.isEmpty())
        text += QStringLiteral(" · ") + m_coverageText;
    if (!m_stageText.isEmpty())
        text += QStringLiteral(" · ") + m_stageText;
    if (m_measure->isChecked())
        text += m_points.empty() ? tr(" · click the first point") : tr(" · click the second point");
    if (m_referenceArea)
        text += tr(" · graded against the reference area drawn (its button’s menu clears it)");
    if (hairToneIsPending())
        text +=
            tr(" · hair set to \u201c%1\u201d: Analyze to apply it").arg(m_hairTone->currentText());
    m_status->setText(text);
}

} // namespace smp::gui
