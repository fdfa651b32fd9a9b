#pragma once

// The clinician's before/after review of a client's photos: two photos of the same view
// aligned (automatically, or by three point pairs clicked on both), shown side by side with one
// zoom and pan, as a wipe, a blend (the "ghost") or a difference; the coverage before and after
// in the treatment area and each region; the view's coverage over time; and the sign-off.
// The comparison runs on a worker thread with its own database connection.

#include "smp/clinic/Compare.h"
#include "smp/storage/Records.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QTableWidget;

namespace smp::storage {
class Database;
}

namespace smp::gui {

// Paints a comparison in one of four modes with a shared zoom and pan (wheel, drag).
class ComparisonView : public QWidget
{
    Q_OBJECT

public:
    enum class Mode
    {
        SideBySide,
        Wipe,
        Blend,
        Difference,
    };
    explicit ComparisonView(QWidget *parent = nullptr);
    void setComparison(std::shared_ptr<const clinic::Comparison> comparison);
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    void setAmount(double amount); // wipe position or blend opacity, 0-1
    // Point-pair alignment: clicks on the left half mark the before photo, on the right the after
    // photo itself (shown unaligned while picking). Turning it on starts a new set of pairs.
    void setPicking(bool on);
    const std::vector<std::pair<vision::Point2, vision::Point2>> &pairs() const { return m_pairs; }
    void clearPairs();
    // Where a photo point (photo pixels of A for index 0, of B for index 1 while picking) is on
    // the screen.
    QPointF screenPointOf(int index, vision::Point2 photo) const;

signals:
    void pairsChanged(int complete);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    QRectF panel(int index) const; // the screen rect of panel 0 (left) or 1 (right)
    QTransform imageToScreen(int index) const;
    // B's own image in the right panel (while placing point pairs, or when not aligned).
    bool showsAfterOwn() const;
    QTransform afterOwnToScreen() const;

    std::shared_ptr<const clinic::Comparison> m_comparison;
    QImage m_difference;
    Mode m_mode = Mode::SideBySide;
    double m_amount = 0.5;
    double m_zoom = 1; // over "fit"
    QPointF m_pan;     // image pixels
    QPointF m_lastMouse;
    bool m_picking = false;
    std::vector<std::pair<vision::Point2, vision::Point2>> m_pairs;
    std::optional<vision::Point2> m_pendingA;
};

class CompareWindow : public QWidget
{
    Q_OBJECT

public:
    CompareWindow(storage::Database &db, storage::RecordId clientId, storage::RecordId before = 0,
                  QWidget *parent = nullptr);

    QComboBox *beforeBox() const { return m_before; }
    QComboBox *afterBox() const { return m_after; }
    QComboBox *modeBox() const { return m_mode; }
    ComparisonView *view() const { return m_view; }
    QPushButton *pickButton() const { return m_pick; }
    QTableWidget *changeTable() const { return m_table; }
    QLabel *statusLabel() const { return m_status; }
    QLineEdit *reviewerEdit() const { return m_reviewer; }
    QPushButton *approveButton() const { return m_approve; }
    std::shared_ptr<const clinic::Comparison> comparison() const { return m_comparison; }

    // Compares the chosen photos in the background; `compared` follows.
    void compare();
    // Stores the clinician's review of the shown pair.
    storage::RecordId signOff(bool approved);

signals:
    void compared();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void showComparison();
    storage::Database &m_db;
    storage::RecordId m_clientId;
    std::shared_ptr<const clinic::Comparison> m_comparison;
    QComboBox *m_before = nullptr;
    QComboBox *m_after = nullptr;
    QComboBox *m_mode = nullptr;
    QSlider *m_amount = nullptr;
    QPushButton *m_pick = nullptr;
    ComparisonView *m_view = nullptr;
    QLabel *m_status = nullptr;
    QTableWidget *m_table = nullptr;
    QWidget *m_chart = nullptr;
    QLabel *m_timelineNote = nullptr; // clinic::Comparison::timelineNote
    QLineEdit *m_reviewer = nullptr;
    QPlainTextEdit *m_notes = nullptr;
    QPushButton *m_approve = nullptr;
    QPushButton *m_reject = nullptr;
    QLabel *m_reviews = nullptr;
};

} // namespace smp::gui
