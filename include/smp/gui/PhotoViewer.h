#pragma once

#include "smp/analysis/HairTexture.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Records.h"

#include <QGraphicsView>
#include <QImage>
#include <QPolygonF>
#include <QWidget>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <vector>

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QGraphicsEllipseItem;
class QGraphicsPathItem;
class QGraphicsPixmapItem;
class QGraphicsRectItem;
class QGraphicsItemGroup;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;
class QUndoStack;

namespace smp::storage {
class Database;
}

namespace smp::gui {

class PyramidImageItem;
class PlanPanel;

// The zoomable view of one photo. Scene coordinates are photo pixel coordinates (the upright
// image, see storage::Photo); the photo's display rotation is a transform of the image item, so
// overlays placed as its children stay in photo coordinates. Draws a scale bar in the corner
// when the photo is calibrated.
class PhotoView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit PhotoView(QWidget *parent = nullptr);

    // Takes the pyramid levels of the upright image (level 0 full size, each next half).
    void setImage(std::vector<QImage> levels, int quarterTurns);
    void setRotation(int quarterTurns);
    void setMmPerPx(std::optional<double> mmPerPx);
    // Overlay parent in photo coordinates; null before an image is set.
    QGraphicsItem *imageItem() const;

    void fitToWindow();
    void zoomBy(double factor);
    // Screen pixels per photo pixel.
    double zoom() const;
    bool isFitted() const noexcept { return m_fitted; }

    enum class StrokePhase
    {
        Begin,
        Move,
        End,
    };

signals:
    void zoomChanged(double zoom);
    // A left click on the photo, in photo coordinates (only while the measuring tool is on).
    void photoClicked(QPointF photoPoint);
    void cursorMoved(QPointF photoPoint);
    // The pointer left the view (the brush's footprint goes with it).
    void cursorLeft();
    // A brush stroke with the left button, in photo coordinates (only while painting is on).
    void stroke(QPointF photoPoint, StrokePhase phase);

public:
    void setMeasuring(bool on);
    void setPainting(bool on);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    PyramidImageItem *m_image = nullptr;
    std::optional<double> m_mmPerPx;
    bool m_fitted = true;
    bool m_measuring = false;
    bool m_painting = false;
    bool m_stroking = false;
};

// A window that shows one photo with its calibration: fit-to-window on open, zoom (wheel,
// Ctrl++ / Ctrl+-), pan (drag), rotate, detect the marker again, and the two-point tool: click
// two points a known distance apart (the length box says how far) to calibrate by hand. Every
// change is stored at once; Undo (Ctrl+Z) takes back points and calibrations.
// The image is decoded on a worker thread; the window is usable while it loads.
// Also shows the scalp analysis: grade colours, outlines and area labels as layers that can be
// hidden, and lets the technician correct the grades with a brush and an eraser (size in mm;
// undo/redo). The analysis runs on a worker thread with progress and Cancel; it is stored with
// the photo, and each correction is stored as the changed tiles, the original map kept.
class PhotoViewer : public QWidget
{
    Q_OBJECT

public:
    // `documentStack`: the client's undo stack (ClientUndoStacks), which the viewer's edits go
    // on; the viewer makes its own when it is null.
    PhotoViewer(storage::Database &db, storage::RecordId photoId,
                QUndoStack *documentStack = nullptr, QWidget *parent = nullptr);
    ~PhotoViewer() override;

    PhotoView *view() const { return m_view; }
    storage::Database &database() const { return m_db; }
    const storage::Photo &photo() const { return m_photo; }
    // The photo as decoded, upright (null until loaded).
    const QImage &uprightImage() const { return m_upright; }
    // The treatment plan beside the photo (hidden until the Plan action shows it).
    PlanPanel *planPanel() const { return m_planPanel; }
    QAction *planAction() const { return m_planAction; }
    QUndoStack *undoStack() const { return m_undo; }
    QAction *measureAction() const { return m_measure; }
    QDoubleSpinBox *lengthBox() const { return m_length; }
    bool isLoaded() const noexcept { return m_loaded; }
    std::optional<storage::Calibration> calibration() const { return m_calibration; }

    QAction *analyzeAction() const { return m_analyzeAction; }
    QAction *brushAction() const { return m_brush; }
    QAction *eraserAction() const { return m_eraser; }
    // Drawn round an area, grades all of it with the brush's grade (one undoable correction;
    // off the analysed scalp only with Beyond Outline).
    QAction *lassoAction() const { return m_lasso; }
    QAction *beyondOutlineAction() const { return m_beyondOutline; }
    QComboBox *brushGradeBox() const { return m_brushGrade; }
    QDoubleSpinBox *brushSizeBox() const { return m_brushSize; }
    // The grade colours' opacity, percent (10-90).
    QSlider *gradeOpacitySlider() const { return m_gradeOpacity; }
    // The brush's footprint at the pointer (photo px; null until first shown).
    QGraphicsEllipseItem *brushFootprint() const { return m_brushFootprint; }
    QAction *gradesLayerAction() const { return m_showGrades; }
    QAction *textureLayerAction() const { return m_showTexture; }
    // Grades the loss area the texture check hatches normal, in one undoable correction.
    QAction *gradeHatchedNormalAction() const { return m_gradeHatchedNormal; }
    // Edit menu: the analysis's own grades back everywhere, in one undoable step.
    QAction *takeBackCorrectionsAction() const { return m_takeBackCorrections; }
    QAction *referenceAreaAction() const { return m_referenceTool; }
    // Forgets the reference area and analyses again against the best-covered area (enabled
    // while one is set).
    QAction *clearReferenceAction() const { return m_clearReference; }
    // Which way round the next analysis reads the hair (analysis::HairTone as item data):
    // automatic, or the technician's word; set from the shown analysis's parameters.
    QComboBox *hairToneBox() const { return m_hairTone; }
    // True while the Hair box says otherwise than the map shown was read with (before the first
    // analysis: than the photo's default): the choice takes effect only when analysed again.
    bool hairToneIsPending() const;
    // The area the technician chose as the client's normal coverage (photo pixels), if any:
    // the one the shown analysis graded against, or one just drawn and being analysed.
    std::optional<QRectF> referenceArea() const { return m_referenceArea; }
    // The stored analysis shown (empty before one is made) and its grade map as corrected.
    const std::optional<storage::StoredAnalysis> &analysis() const { return m_analysis; }
    const QByteArray &correctedGrades() const { return m_corrected; }
    // The stage of the map as shown (corrected or not), as the status line gives it; empty
    // without an analysis or a scalp.
    const QString &stageText() const { return m_stageText; }
    // The status line's whole-scalp coverage, "coverage 61.2% of the corrected scalp" where the
    // technician took something off the scalp (clinic::scalpCoverage); empty without an analysis.
    const QString &coverageText() const { return m_coverageText; }
    QGraphicsItem *gradeLayer() const;
    // The texture check's hatching over the loss area, as corrected, that reads hair (null
    // without an analysis).
    QGraphicsItem *textureLayer() const;
    // Grades the map pixels (of the shown analysis) whose centres lie in `photoPolygon` (photo
    // pixels) "not scalp", as one undoable, stored correction named `text`; returns how many
    // changed (0 without an analysis). The plan panel takes a front view's face off with it.
    int takeOffMap(const QPolygonF &photoPolygon, const QString &text);
    // Grades the map pixels whose centres lie in `photoPolygon` (photo pixels) `grade`, those
    // off the analysed scalp only when `beyondOutline`, as one undoable, stored correction;
    // returns how many changed.
    int gradeArea(const QPolygonF &photoPolygon, analysis::Grade grade, bool beyondOutline,
                  const QString &text);
    // Runs the analysis in the background (progress dialog with Cancel); analysisFinished follows.
    // Refused (analysisFinished(false)) while corrections on screen are not stored.
    void analyze();
    // Tiles of the corrected map shown but not stored (the database refused them); they are
    // tried again every kStoreRetryInterval, with the next correction, and on close.
    int unsavedCorrectionTiles() const { return static_cast<int>(m_unsavedTiles.size()); }
    static constexpr std::chrono::milliseconds kStoreRetryInterval{3000};

    // Adds a measuring point (photo coordinates) as the tool does on a click; the second point
    // stores a manual calibration. Both are undoable.
    void addMeasurePoint(QPointF photoPoint);

signals:
    void loaded();
    void analysisFinished(bool stored);
    // The photo's stored state changed (rotation, calibration): thumbnails and lists refresh.
    void photoChanged(storage::RecordId photoId);
    // The technician's grade corrections were stored (the stage on the corrected map moved).
    void correctionsStored(storage::RecordId photoId);

protected:
    // An unsaved plan is not lost: the viewer asks to save it (Save, Discard, Cancel). Nor is a
    // Hair box choice not yet analysed: it asks to analyse with it (Analyse, Discard, Cancel).
    void closeEvent(QCloseEvent *event) override;

private:
    friend class PlacePointCommand;
    friend class CalibrationCommand;
    friend class RemoveCalibrationCommand;
    friend class PaintGradesCommand;
    void loadStoredAnalysis();
    void showAnalysis();
    void updateGradeImage();
    void updateRegionLayers();
    // Shows clinic::faceOnMapNote() for a front or side view until something is taken off the
    // map by hand.
    void updateFaceNote();
    void paintStroke(QPointF photoPoint, PhotoView::StrokePhase phase);
    // The lasso's stroke: drawn as it goes, graded (gradeArea()) when it ends.
    void lassoStroke(QPointF photoPoint, PhotoView::StrokePhase phase);
    // Esc while a lasso is being drawn: the outline goes and letting go grades nothing.
    void cancelLasso();
    // Whether the brush, the eraser or the lasso is on.
    bool mapToolChecked() const;
    void applyTiles(const std::vector<storage::GradeTile> &tiles);
    // Stores m_unsavedTiles as they are in m_corrected; on failure keeps them, says so and
    // schedules a retry. True when nothing is left unstored.
    bool storeCorrections();
    // The bytes of tile (tileX, tileY) of a map of the shown analysis's size, clipped at its edge.
    QByteArray tileBytes(const QByteArray &map, int tileX, int tileY) const;
    void gradeHatchedNormal();
    // The analysis's own grades back on the whole map, as one undoable correction.
    void takeBackAllCorrections();
    // Grades the pixels of the corrected map marked in `marked` (one byte per map pixel, non-zero
    // to change) `grade` as one correction on the undo stack; returns how many changed.
    int regrade(const std::vector<std::uint8_t> &marked, analysis::Grade grade,
                const QString &text);
    void startLoading();
    void reloadCalibration();
    void showOverlay();
    void rotate(int quarterTurns);
    void detectMarker();
    // Takes the current scale off (undoable), e.g. a marker found in the hair.
    void removeScale();
    void updateStatus();
    void followHairTone();
    // m_referenceArea from the shown analysis's parameters, drawn over the photo.
    void followReferenceArea();
    // Draws m_referenceArea (dashed) or takes the drawing away; Clear Reference follows it.
    void showReferenceArea();
    // The brush's or eraser's footprint at the pointer, at the size it paints; hidden while
    // neither is on or the pointer is off the photo.
    void updateBrushFootprint();
    // The brush size times `factor` ([ and ] keys), within its box's range.
    void scaleBrushSize(double factor);

    storage::Database &m_db;
    storage::RecordId m_photoId;
    storage::Photo m_photo;
    std::optional<storage::Calibration> m_calibration; // current, shown (maybe doubtful)
    std::optional<double> m_mmPerPx;                   // the scale sizes use (clinic::scaleInUse)
    QImage m_upright;
    std::vector<QPointF> m_points; // measuring points placed so far (0 or 1 pending)
    PhotoView *m_view = nullptr;
    QUndoStack *m_undo = nullptr;
    QAction *m_measure = nullptr;
    QAction *m_removeScale = nullptr;
    QDoubleSpinBox *m_length = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_calibrationLabel = nullptr;
    // The photo that cannot be shown, or the scale from two points refused: until the next
    // point placed (the bottom line's cursor readout overwrote it at the next mouse move).
    QLabel *m_photoProblemLabel = nullptr;
    QLabel *m_analysisProblemLabel = nullptr; // the stored analysis unreadable or damaged
    // An analysis refused (a scale too fine, a photo too narrow) or that found no scalp (too
    // dark, blank), with the reason: too long for the bottom line.
    QLabel *m_analysisOutcomeLabel = nullptr;
    QLabel *m_olderVersionLabel = nullptr;   // shown while the analysis is another version's
    QLabel *m_softPhotoLabel = nullptr;      // shown while the stored analysis read a soft photo
    QLabel *m_hairToneLabel = nullptr;       // shown while it told hair from skin on a near tie
    QLabel *m_faceNoteLabel = nullptr;       // updateFaceNote()
    QWidget *m_faceNoteRow = nullptr;        // the note and its button
    QPushButton *m_faceNoteButton = nullptr; // Mark Face (front views) or the lasso (side views)
    QLabel *m_unsavedLabel = nullptr;        // shown while m_unsavedTiles is not empty
    std::set<std::pair<int, int>> m_unsavedTiles; // (tileX, tileY) of the shown analysis
    QString m_storeError;                         // why they were refused
    QTimer *m_storeRetry = nullptr;
    // Shown while some of the map's loss area (as corrected) reads hair to the texture check.
    QLabel *m_textureLabel = nullptr;
    QWidget *m_textureRow = nullptr; // the note and Grade Hatched Area Normal
    QGraphicsItemGroup *m_overlay = nullptr;
    QPointF m_cursor;
    bool m_loaded = false;

    std::optional<storage::StoredAnalysis> m_analysis;
    QByteArray m_corrected;
    QString m_stageText;    // follows the corrections (updateRegionLayers)
    QString m_coverageText; // likewise
    std::map<std::pair<int, int>, QByteArray>
        m_strokeBefore; // tiles as they were when the stroke began
    QAction *m_analyzeAction = nullptr;
    QAction *m_showGrades = nullptr;
    QAction *m_showOutlines = nullptr;
    QAction *m_showLabels = nullptr;
    QAction *m_showTexture = nullptr;
    QAction *m_gradeHatchedNormal = nullptr;
    QAction *m_takeBackCorrections = nullptr; // Edit menu; on while the map has corrections
    QAction *m_brush = nullptr;
    QAction *m_eraser = nullptr;
    QAction *m_lasso = nullptr;
    QPolygonF m_lassoPath;                    // photo pixels, while a lasso is drawn
    QGraphicsPathItem *m_lassoItem = nullptr; // its drawing
    bool m_lassoCancelled = false;            // Esc during the stroke (cancelLasso())
    // On: the brush also paints off the analysed scalp (adds what the analysis left off).
    QAction *m_beyondOutline = nullptr;
    QComboBox *m_brushGrade = nullptr;
    QSlider *m_gradeOpacity = nullptr;
    QDoubleSpinBox *m_brushSize = nullptr;
    QGraphicsPixmapItem *m_gradeItem = nullptr;
    QGraphicsPixmapItem *m_textureItem = nullptr; // the texture check's hatching, over the grades
    analysis::TextureCheck m_texture;             // the stored analysis's
    std::vector<std::uint8_t> m_hairOnMap;        // analysis::hairOnMap() of m_texture
    QGraphicsItemGroup *m_outlines = nullptr;
    QGraphicsItemGroup *m_labels = nullptr;
    QAction *m_referenceTool = nullptr;
    QAction *m_clearReference = nullptr;
    QComboBox *m_hairTone = nullptr;
    int m_hairToneShown = 0; // analysis::HairTone, as the Hair box's item data; followHairTone()
    std::optional<QRectF> m_referenceArea;
    QPointF m_referenceStart;
    QGraphicsRectItem *m_referenceItem = nullptr;
    QGraphicsEllipseItem *m_brushFootprint = nullptr; // a child of the image item (photo px)
    bool m_cursorOnView = false;
    PlanPanel *m_planPanel = nullptr;
    QAction *m_planAction = nullptr;
};

} // namespace smp::gui
