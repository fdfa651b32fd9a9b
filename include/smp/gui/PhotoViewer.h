#pragma once

#include "smp/storage/Records.h"

#include <QGraphicsView>
#include <QImage>
#include <QWidget>

#include <optional>
#include <vector>

class QAction;
class QDoubleSpinBox;
class QGraphicsItemGroup;
class QLabel;
class QUndoStack;

namespace smp::storage {
class Database;
}

namespace smp::gui {

class PyramidImageItem;

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

signals:
    void zoomChanged(double zoom);
    // A left click on the photo, in photo coordinates (only while the measuring tool is on).
    void photoClicked(QPointF photoPoint);
    void cursorMoved(QPointF photoPoint);

public:
    void setMeasuring(bool on);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    PyramidImageItem *m_image = nullptr;
    std::optional<double> m_mmPerPx;
    bool m_fitted = true;
    bool m_measuring = false;
};

// A window that shows one photo with its calibration: fit-to-window on open, zoom (wheel,
// Ctrl++ / Ctrl+-), pan (drag), rotate, detect the marker again, and the two-point tool: click
// two points a known distance apart (the length box says how far) to calibrate by hand. Every
// change is stored at once; Undo (Ctrl+Z) takes back points and calibrations.
// The image is decoded on a worker thread; the window is usable while it loads.
class PhotoViewer : public QWidget
{
    Q_OBJECT

public:
    PhotoViewer(storage::Database &db, storage::RecordId photoId, QWidget *parent = nullptr);
    ~PhotoViewer() override;

    PhotoView *view() const { return m_view; }
    QUndoStack *undoStack() const { return m_undo; }
    QAction *measureAction() const { return m_measure; }
    QDoubleSpinBox *lengthBox() const { return m_length; }
    bool isLoaded() const noexcept { return m_loaded; }
    std::optional<storage::Calibration> calibration() const { return m_calibration; }

    // Adds a measuring point (photo coordinates) as the tool does on a click; the second point
    // stores a manual calibration. Both are undoable.
    void addMeasurePoint(QPointF photoPoint);

signals:
    void loaded();
    // The photo's stored state changed (rotation, calibration): thumbnails and lists refresh.
    void photoChanged(storage::RecordId photoId);

private:
    friend class PlacePointCommand;
    friend class CalibrationCommand;
    void startLoading();
    void reloadCalibration();
    void showOverlay();
    void rotate(int quarterTurns);
    void detectMarker();
    void updateStatus();

    storage::Database &m_db;
    storage::RecordId m_photoId;
    storage::Photo m_photo;
    std::optional<storage::Calibration> m_calibration;
    QImage m_upright;
    std::vector<QPointF> m_points; // measuring points placed so far (0 or 1 pending)
    PhotoView *m_view = nullptr;
    QUndoStack *m_undo = nullptr;
    QAction *m_measure = nullptr;
    QDoubleSpinBox *m_length = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_calibrationLabel = nullptr;
    QGraphicsItemGroup *m_overlay = nullptr;
    QPointF m_cursor;
    bool m_loaded = false;
};

} // namespace smp::gui
