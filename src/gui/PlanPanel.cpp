#include "smp/gui/PlanPanel.h"

#include "smp/gui/BackgroundWork.h"
#include "smp/gui/ClientUndo.h"
#include "smp/gui/PhotoViewer.h"
#include "smp/planning/PlanFiles.h"
#include "smp/storage/DraftStore.h"
#include "smp/storage/PlanStore.h"

#include <QAction>
#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGraphicsPixmapItem>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QSpinBox>
#include <QStyleOptionGraphicsItem>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <cmath>

namespace smp::gui {

// The dots over the photo, in photo pixels (a child of the image item), coloured by session.
class DotsItem : public QGraphicsItem
{
public:
    explicit DotsItem(QGraphicsItem *parent)
        : QGraphicsItem(parent)
    {
        setZValue(6);
    }

    void setPlan(const planning::Plan *plan, double pxPerMm, QRectF bounds)
    {
        prepareGeometryChange();
        m_plan = plan;
        m_pxPerMm = pxPerMm;
        m_bounds = bounds;
        update();
    }
    void setVisibleSessions(unsigned mask)
    {
        m_visible = mask;
        update();
    }

    QRectF boundingRect() const override { return m_bounds; }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        if (!m_plan)
            return;
        // At least 2.5 screen pixels wide, so a fitted view still shows every dot.
        const double screenPerPhotoPx = painter->worldTransform().map(QLineF(0, 0, 1, 0)).length();
        const QRectF exposed = option->exposedRect.adjusted(-4, -4, 4, 4);
        QColor colours[7];
        for (int s = 1; s <= 6; ++s)
            colours[s] = QColor(QString::fromLatin1(planning::sessionColour(s)));
        painter->setPen(Qt::NoPen);
        painter->setRenderHint(QPainter::Antialiasing, screenPerPhotoPx > 2);
        for (const planning::Dot &d : m_plan->dots) {
            if (!(m_visible & (1u << d.session)))
                continue;
            const QPointF p(d.position.x * m_pxPerMm, d.position.y * m_pxPerMm);
            if (!exposed.contains(p))
                continue;
            const double r = std::max(d.freshDiameterMm / 2 * m_pxPerMm,
                                      1.25 / std::max(screenPerPhotoPx, 1e-6));
            painter->setBrush(colours[std::clamp(d.session, 1, 6)]);
            painter->drawEllipse(p, r, r);
        }
    }

private:
    const planning::Plan *m_plan = nullptr;
    double m_pxPerMm = 1;
    QRectF m_bounds;
    unsigned m_visible = ~0u;
};

// The designed hairline and its control points, in photo pixels.
class HairlineItem : public QGraphicsItem
{
public:
    explicit HairlineItem(QGraphicsItem *parent)
        : QGraphicsItem(parent)
    {
        setZValue(7);
    }

    void setHairline(const planning::Hairline &hairline, double pxPerMm)
    {
        prepareGeometryChange();
        m_path = QPainterPath();
        m_points.clear();
        for (const planning::PointMm &p : hairline.controlPoints)
            m_points.append(QPointF(p.x * pxPerMm, p.y * pxPerMm));
        if (hairline.controlPoints.size() >= 2) {
            double low = hairline.controlPoints[0].x, high = low;
            for (const planning::PointMm &p : hairline.controlPoints) {
                low = std::min(low, p.x);
                high = std::max(high, p.x);
            }
            m_path.moveTo(low * pxPerMm, planning::hairlineY(hairline, low) * pxPerMm);
            for (double x = low + 0.5; x <= high; x += 0.5)
                m_path.lineTo(x * pxPerMm, planning::hairlineY(hairline, x) * pxPerMm);
        }
        m_bounds = m_path.boundingRect();
        for (const QPointF &p : m_points)
            m_bounds |= QRectF(p - QPointF(40, 40), QSizeF(80, 80));
        update();
    }

    QRectF boundingRect() const override { return m_bounds.adjusted(-40, -40, 40, 40); }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        painter->setRenderHint(QPainter::Antialiasing);
        QPen line(QColor(0, 210, 255), 2.5, Qt::DashLine);
        line.setCosmetic(true);
        painter->setPen(line);
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(m_path);
        const double screenPerPhotoPx = painter->worldTransform().map(QLineF(0, 0, 1, 0)).length();
        const double r = 5 / std::max(screenPerPhotoPx, 1e-6);
        QPen handle(Qt::black, 1);
        handle.setCosmetic(true);
        painter->setPen(handle);
        painter->setBrush(QColor(0, 210, 255));
        for (const QPointF &p : m_points)
            painter->drawEllipse(p, r, r);
    }

private:
    QPainterPath m_path;
    QList<QPointF> m_points;
    QRectF m_bounds;
};

// A change of the hairline (a point added, moved or removed), undoable.
class HairlineCommand : public WindowCommand
{
public:
    HairlineCommand(PlanPanel *panel, planning::Hairline before, planning::Hairline after,
                    const QString &text, bool alreadyApplied)
        : WindowCommand(panel, text)
        , m_panel(panel)
        , m_before(std::move(before))
        , m_after(std::move(after))
        , m_skipFirstRedo(alreadyApplied)
    {}
    bool isLive() const override
    {
        return WindowCommand::isLive() && m_panel->m_designGeneration == m_generation;
    }
    void undoOnTarget() override { m_panel->setHairline(m_before, sameShape()); }
    void redoOnTarget() override
    {
        if (m_skipFirstRedo) {
            m_skipFirstRedo = false;
            return;
        }
        m_panel->setHairline(m_after, sameShape());
    }

private:
    bool sameShape() const { return m_before.controlPoints.size() == m_after.controlPoints.size(); }
    PlanPanel *m_panel;
    int m_generation = m_panel->m_designGeneration;
    planning::Hairline m_before, m_after;
    bool m_skipFirstRedo;
};

// The outlined areas (excluded: grey hatching; scars: magenta) and the outline being drawn, in
// photo pixels.
class ZonesItem : public QGraphicsItem
{
public:
    explicit ZonesItem(QGraphicsItem *parent)
        : QGraphicsItem(parent)
    {
        setZValue(7);
    }

    void setZones(const std::vector<planning::TreatmentZone> &zones,
                  const std::vector<planning::PointMm> &pending, double pxPerMm)
    {
        prepareGeometryChange();
        const auto toPhotoPx = [pxPerMm](const std::vector<planning::PointMm> &points) {
            QPolygonF polygon;
            for (const planning::PointMm &p : points)
                polygon << QPointF(p.x * pxPerMm, p.y * pxPerMm);
            return polygon;
        };
        m_zones.clear();
        m_bounds = QRectF();
        for (const planning::TreatmentZone &zone : zones) {
            m_zones.append(
                {toPhotoPx(zone.outline), zone.kind == planning::TreatmentZone::Kind::Scar});
            m_bounds |= m_zones.back().outline.boundingRect();
        }
        m_pending = toPhotoPx(pending);
        m_bounds |= m_pending.boundingRect();
        update();
    }

    QRectF boundingRect() const override { return m_bounds.adjusted(-40, -40, 40, 40); }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        painter->setRenderHint(QPainter::Antialiasing);
        for (const Zone &zone : m_zones) {
            const QColor colour = zone.scar ? QColor(230, 0, 160) : QColor(70, 70, 70);
            QPen pen(colour, 2);
            pen.setCosmetic(true);
            painter->setPen(pen);
            QColor fill = zone.scar ? QColor(230, 0, 160, 50) : QColor(40, 40, 40, 120);
            painter->setBrush(fill);
            painter->drawPolygon(zone.outline);
            if (!zone.scar) {
                // Hatching in screen space, so it reads the same at any zoom.
                QBrush hatch(QColor(230, 230, 230, 160), Qt::BDiagPattern);
                hatch.setTransform(painter->worldTransform().inverted());
                painter->setPen(Qt::NoPen);
                painter->setBrush(hatch);
                painter->drawPolygon(zone.outline);
            }
        }
        if (m_pending.isEmpty())
            return;
        QPen dashed(QColor(255, 220, 0), 2, Qt::DashLine);
        dashed.setCosmetic(true);
        painter->setPen(dashed);
        painter->setBrush(Qt::NoBrush);
        painter->drawPolyline(m_pending);
        const double screenPerPhotoPx = painter->worldTransform().map(QLineF(0, 0, 1, 0)).length();
        const double r = 4 / std::max(screenPerPhotoPx, 1e-6);
        painter->setBrush(QColor(255, 220, 0));
        for (const QPointF &p : m_pending)
            painter->drawEllipse(p, r, r);
    }

private:
    struct Zone
    {
        QPolygonF outline;
        bool scar = false;
    };
    QList<Zone> m_zones;
    QPolygonF m_pending;
    QRectF m_bounds;
};

// The hairline guides on a front view, in photo pixels: the face points, the line through the
// outer eye corners, the verticals up to the mid-frontal point and the frontotemporal angles,
// and the temple points.
class GuidesItem : public QGraphicsItem
{
public:
    explicit GuidesItem(QGraphicsItem *parent)
        : QGraphicsItem(parent)
    {
        setZValue(8);
    }

    void setGuides(const std::vector<planning::PointMm> &facePoints,
                   const std::optional<planning::HairlineGuides> &guides, double pxPerMm)
    {
        prepareGeometryChange();
        const auto px = [pxPerMm](planning::PointMm p) {
            return QPointF(p.x * pxPerMm, p.y * pxPerMm);
        };
        m_points.clear();
        for (const planning::PointMm &p : facePoints)
            m_points.append(px(p));
        m_lines.clear();
        m_marks.clear();
        if (guides) {
            const auto &g = *guides;
            const QPointF a = px(g.face.glabella), l = px(g.face.leftEyeCorner),
                          r = px(g.face.rightEyeCorner);
            m_lines.append({l + (l - r) * 0.3, r + (r - l) * 0.3});
            m_lines.append({a, px(g.midFrontal)});
            m_lines.append({l, px(g.frontotemporal[0])});
            m_lines.append({r, px(g.frontotemporal[1])});
            m_lines.append({px(g.frontotemporal[0]), px(g.temple[0])});
            m_lines.append({px(g.frontotemporal[1]), px(g.temple[1])});
            m_marks.append({px(g.midFrontal),
                            QObject::tr("mid-frontal %1 mm").arg(g.midFrontalHeightMm, 0, 'f', 0)});
            m_marks.append({px(g.frontotemporal[0]), QObject::tr("frontotemporal")});
            m_marks.append({px(g.frontotemporal[1]), QObject::tr("frontotemporal")});
            m_marks.append({px(g.temple[0]), QObject::tr("temple")});
            m_marks.append({px(g.temple[1]), QObject::tr("temple")});
        }
        m_bounds = QRectF();
        for (const QPointF &p : m_points)
            m_bounds |= QRectF(p, QSizeF(1, 1));
        for (const QLineF &line : m_lines)
            m_bounds |= QRectF(line.p1(), line.p2()).normalized();
        update();
    }

    QRectF boundingRect() const override { return m_bounds.adjusted(-400, -100, 400, 100); }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        painter->setRenderHint(QPainter::Antialiasing);
        const double screenPerPhotoPx = painter->worldTransform().map(QLineF(0, 0, 1, 0)).length();
        const double unit = 1 / std::max(screenPerPhotoPx, 1e-6); // one screen pixel
        QPen guide(QColor(255, 255, 255, 220), 1.5, Qt::DotLine);
        guide.setCosmetic(true);
        painter->setPen(guide);
        for (const QLineF &line : m_lines)
            painter->drawLine(line);
        QPen cross(QColor(255, 140, 0), 2);
        cross.setCosmetic(true);
        painter->setPen(cross);
        for (const QPointF &p : m_points) {
            painter->drawLine(p - QPointF(6 * unit, 0), p + QPointF(6 * unit, 0));
            painter->drawLine(p - QPointF(0, 6 * unit), p + QPointF(0, 6 * unit));
        }
        QFont font = painter->font();
        font.setPointSizeF(9 * unit * 1.33);
        painter->setFont(font);
        for (const auto &[at, text] : m_marks) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(QColor(255, 140, 0));
            painter->drawEllipse(at, 4 * unit, 4 * unit);
            painter->setPen(Qt::white);
            painter->drawText(at + QPointF(7 * unit, -6 * unit), text);
        }
    }

private:
    QList<QPointF> m_points;
    QList<QLineF> m_lines;
    QList<std::pair<QPointF, QString>> m_marks;
    QRectF m_bounds;
};

// A change of the outlined areas (one added or removed), undoable.
class ZonesCommand : public WindowCommand
{
public:
    ZonesCommand(PlanPanel *panel, std::vector<planning::TreatmentZone> before,
                 std::vector<planning::TreatmentZone> after, const QString &text)
        : WindowCommand(panel, text)
        , m_panel(panel)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {}
    bool isLive() const override
    {
        return WindowCommand::isLive() && m_panel->m_designGeneration == m_generation;
    }
    void undoOnTarget() override { m_panel->setZones(m_before); }
    void redoOnTarget() override { m_panel->setZones(m_after); }

private:
    PlanPanel *m_panel;
    int m_generation = m_panel->m_designGeneration;
    std::vector<planning::TreatmentZone> m_before, m_after;
};

// A plan parameter (density, sessions, seed) changed in its box. Already applied when pushed;
// steps of the same box in a row (arrow clicks, typing) merge into one command.
class ParameterCommand : public WindowCommand
{
public:
    ParameterCommand(PlanPanel *panel, QAbstractSpinBox *box, double before, double after)
        : WindowCommand(panel, describe(box, after))
        , m_panel(panel)
        , m_box(box)
        , m_before(before)
        , m_after(after)
    {}
    int id() const override { return 0x504c414e; } // "PLAN"
    bool isLive() const override
    {
        return WindowCommand::isLive() && m_panel->m_designGeneration == m_generation;
    }

    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *next = static_cast<const ParameterCommand *>(other);
        if (next->m_box != m_box)
            return false;
        m_after = next->m_after;
        setText(describe(m_box, m_after));
        setObsolete(m_after == m_before); // back where it started: nothing to undo
        return true;
    }
    void undoOnTarget() override { m_panel->setParameter(m_box, m_before); }
    void redoOnTarget() override
    {
        if (m_skipFirstRedo) {
            m_skipFirstRedo = false;
            return;
        }
        m_panel->setParameter(m_box, m_after);
    }

private:
    static QString describe(QAbstractSpinBox *box, double value)
    {
        const QString name = box->property("parameterName").toString();
        return QObject::tr("Set %1 to %2").arg(name).arg(value);
    }
    PlanPanel *m_panel;
    int m_generation = m_panel->m_designGeneration;
    QAbstractSpinBox *m_box;
    double m_before, m_after;
    bool m_skipFirstRedo = true;
};

PlanPanel::PlanPanel(PhotoViewer &viewer, QWidget *parent)
    : QWidget(parent)
    , m_viewer(viewer)
{
    setObjectName(QStringLiteral("planPanel"));
    setMinimumWidth(390);
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("<b>Treatment plan</b>"), this);
    layout->addWidget(title);
    m_state = new QLabel(this);
    m_state->setWordWrap(true);
    layout->addWidget(m_state);

    auto *form = new QFormLayout;
    m_density = new QDoubleSpinBox(this);
    m_density->setObjectName(QStringLiteral("planDensity"));
    m_density->setRange(40, 200);
    m_density->setDecimals(0);
    m_density->setValue(110);
    m_density->setSuffix(tr(" dots/cm²"));
    m_density->setToolTip(tr("Full density on bald skin; less where hair remains"));
    form->addRow(tr("Density:"), m_density);
    m_sessions = new QSpinBox(this);
    m_sessions->setObjectName(QStringLiteral("planSessions"));
    m_sessions->setRange(2, 6);
    m_sessions->setValue(3);
    form->addRow(tr("Sessions:"), m_sessions);
    m_seed = new QSpinBox(this);
    m_seed->setRange(1, 999999);
    m_seed->setValue(1);
    m_seed->setToolTip(tr("The same seed gives the same dots"));
    form->addRow(tr("Seed:"), m_seed);
    layout->addLayout(form);
    m_density->setProperty("parameterName", tr("density"));
    m_sessions->setProperty("parameterName", tr("sessions"));
    m_seed->setProperty("parameterName", tr("seed"));
    m_sessions->setToolTip(tr("Sessions to build the density in (2-6), 10-14 days apart"));

    auto *hairlineRow = new QHBoxLayout;
    auto *hairlineButton = new QToolButton(this);
    m_hairlineTool = new QAction(tr("Draw Hairline"), this);
    m_hairlineTool->setCheckable(true);
    m_hairlineTool->setShortcut(tr("H"));
    m_hairlineTool->setToolTip(
        tr("Click on the photo to add hairline points from temple to temple; drag a point to "
           "move it (H). The dots near it follow."));
    hairlineButton->setDefaultAction(m_hairlineTool);
    hairlineRow->addWidget(hairlineButton);
    m_clearHairline = new QPushButton(tr("Clear"), this);
    m_clearHairline->setToolTip(tr("Remove the hairline (undoable)"));
    hairlineRow->addWidget(m_clearHairline);
    hairlineRow->addStretch();
    layout->addLayout(hairlineRow);

    auto *zoneRow = new QHBoxLayout;
    auto *zoneButton = new QToolButton(this);
    m_zoneTool = new QAction(tr("Outline Area"), this);
    m_zoneTool->setCheckable(true);
    m_zoneTool->setShortcut(tr("O"));
    m_zoneTool->setToolTip(
        tr("Click the corners of an area on the photo; click the first corner again to close it "
           "(O). Excluded areas get no dots; scars get their own density and needle."));
    zoneButton->setDefaultAction(m_zoneTool);
    zoneRow->addWidget(zoneButton);
    m_zoneKind = new QComboBox(this);
    m_zoneKind->setObjectName(QStringLiteral("zoneKind"));
    m_zoneKind->addItem(tr("Leave out"));
    m_zoneKind->addItem(tr("Scar"));
    zoneRow->addWidget(m_zoneKind);
    m_scarDensity = new QDoubleSpinBox(this);
    m_scarDensity->setObjectName(QStringLiteral("scarDensity"));
    m_scarDensity->setRange(40, 200);
    m_scarDensity->setDecimals(0);
    m_scarDensity->setValue(110);
    m_scarDensity->setSuffix(tr(" /cm²"));
    m_scarDensity->setToolTip(tr("Dots per cm² on the scar"));
    zoneRow->addWidget(m_scarDensity);
    m_scarNeedle = new QComboBox(this);
    m_scarNeedle->addItem(QStringLiteral("1RL"));
    m_scarNeedle->addItem(QStringLiteral("3RL"));
    m_scarNeedle->setToolTip(tr("Needle on the scar (scar tissue takes pigment less well: 1RL "
                                "by default)"));
    zoneRow->addWidget(m_scarNeedle);
    zoneRow->addStretch();
    layout->addLayout(zoneRow);
    auto *zoneListRow = new QHBoxLayout;
    m_zoneList = new QListWidget(this);
    m_zoneList->setObjectName(QStringLiteral("zoneList"));
    m_zoneList->setMaximumHeight(64);
    zoneListRow->addWidget(m_zoneList, 1);
    m_removeZone = new QPushButton(tr("Remove"), this);
    m_removeZone->setToolTip(tr("Remove the selected area (undoable)"));
    zoneListRow->addWidget(m_removeZone, 0, Qt::AlignTop);
    layout->addLayout(zoneListRow);

    auto *faceRow = new QHBoxLayout;
    auto *faceButton = new QToolButton(this);
    m_faceTool = new QAction(tr("Mark Face"), this);
    m_faceTool->setCheckable(true);
    m_faceTool->setShortcut(tr("F"));
    m_faceTool->setToolTip(tr("On a calibrated front view, click the glabella (between the brows), "
                              "the two outer eye corners and, for the third-of-face rule, the "
                              "chin (F). The hairline guides follow."));
    faceButton->setDefaultAction(m_faceTool);
    faceRow->addWidget(faceButton);
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("hairlinePreset"));
    m_preset->addItem(tr("Juvenile"), int(planning::HairlinePreset::Juvenile));
    m_preset->addItem(tr("Mature (8-8-8)"), int(planning::HairlinePreset::Mature));
    m_preset->addItem(tr("Receded"), int(planning::HairlinePreset::Receded));
    m_preset->addItem(tr("Female (third of face)"), int(planning::HairlinePreset::Female));
    m_preset->setCurrentIndex(1);
    faceRow->addWidget(m_preset);
    m_applyPreset = new QPushButton(tr("Use Preset"), this);
    m_applyPreset->setToolTip(tr("Draw the hairline through the guides (undoable); then drag its "
                                 "points to suit the client"));
    faceRow->addWidget(m_applyPreset);
    faceRow->addStretch();
    layout->addLayout(faceRow);
    m_faceHint = new QLabel(this);
    m_faceHint->setWordWrap(true);
    m_faceHint->setVisible(false);
    layout->addWidget(m_faceHint);
    m_faceOffMap = new QPushButton(tr("Take Face Off Map"), this);
    m_faceOffMap->setObjectName(QStringLiteral("faceOffMap"));
    m_faceOffMap->setToolTip(
        tr("Grade the face \u201cnot scalp\u201d on the map: everything below the brows and the "
           "forehead up to %1 mm above the glabella, where a hairline never lies. On a front "
           "view the analysis reads the face as bald scalp (undoable)")
            .arg(planning::kFaceForeheadMm, 0, 'f', 0));
    m_faceOffMap->setVisible(false);
    auto *faceOffRow = new QHBoxLayout;
    faceOffRow->addWidget(m_faceOffMap);
    faceOffRow->addStretch();
    layout->addLayout(faceOffRow);

    auto *buttons = new QHBoxLayout;
    m_generate = new QPushButton(tr("Make Plan"), this);
    m_generate->setObjectName(QStringLiteral("makePlan"));
    m_generate->setShortcut(QKeySequence(tr("Ctrl+G")));
    m_generate->setToolTip(
        tr("Place the dots for the treated area and split them into sessions (Ctrl+G)"));
    m_save = new QPushButton(tr("Save"), this);
    m_save->setShortcut(QKeySequence::Save);
    m_save->setToolTip(tr("Store this plan with the client's records (Ctrl+S)"));
    m_export = new QPushButton(tr("Export"), this);
    auto *exportMenu = new QMenu(m_export);
    const auto addExport = [this, exportMenu](const QString &label, const QString &filter) {
        exportMenu->addAction(label, this, [this, filter, label] {
            const QString path = QFileDialog::getSaveFileName(this, label, QString(), filter);
            if (path.isEmpty())
                return;
            try {
                exportTo(path);
            } catch (const std::exception &error) {
                QMessageBox::warning(this, tr("Not Exported"), QString::fromUtf8(error.what()));
            }
        });
    };
    addExport(tr("Dot List (CSV)..."), tr("CSV (*.csv)"));
    addExport(tr("Pigment Map (SVG, 1:1)..."), tr("SVG (*.svg)"));
    addExport(tr("Pigment Map (PNG, 1:1)..."), tr("PNG (*.png)"));
    addExport(tr("Plan (JSON)..."), tr("JSON (*.json)"));
    m_export->setMenu(exportMenu);
    m_revert = new QPushButton(tr("Revert"), this);
    m_revert->setObjectName(QStringLiteral("planRevert"));
    m_revert->setToolTip(
        tr("Throw away the autosaved changes and return to the saved plan of this photo"));
    buttons->addWidget(m_generate);
    buttons->addWidget(m_save);
    buttons->addWidget(m_revert);
    buttons->addWidget(m_export);
    layout->addLayout(buttons);

    // Autosave: edits are written as a draft at most a second after they are made.
    m_draftTimer = new QTimer(this);
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(1000);
    connect(m_draftTimer, &QTimer::timeout, this, &PlanPanel::writeDraftInBackground);
    connect(&m_draftWriter, &QFutureWatcher<QByteArray>::finished, this, [this] {
        // Reported after the fact: a save, discard or flush since makes this write stale.
        if (m_writingEpoch == m_draftEpoch)
            storeDraft(m_draftWriter.result());
    });
    connect(m_revert, &QPushButton::clicked, this, &PlanPanel::revertToSaved);

    auto *showRow = new QFormLayout;
    m_show = new QComboBox(this);
    m_show->setObjectName(QStringLiteral("planShow"));
    showRow->addRow(tr("Show:"), m_show);
    layout->addLayout(showRow);
    auto *toggles = new QHBoxLayout;
    for (int s = 1; s <= 6; ++s) {
        auto *box = new QCheckBox(tr("S%1").arg(s), this);
        box->setChecked(true);
        box->setToolTip(tr("Show the dots of session %1").arg(s));
        QPixmap swatch(10, 10);
        swatch.fill(QColor(QString::fromLatin1(planning::sessionColour(s))));
        box->setIcon(QIcon(swatch));
        connect(box, &QCheckBox::toggled, this, &PlanPanel::updateOverlay);
        toggles->addWidget(box);
        m_sessionToggles.append(box);
    }
    toggles->addStretch();
    layout->addLayout(toggles);

    m_table = new QTableWidget(0, 8, this);
    m_table->setObjectName(QStringLiteral("planTable"));
    m_table->setHorizontalHeaderLabels({tr("Session"), tr("Dots"), tr("1RL"), tr("3RL"), tr("Mix"),
                                        tr("Hours"), tr("cm²"), tr("Price")});
    m_table->horizontalHeaderItem(6)->setToolTip(
        tr("The area each session covers (every session treats the whole area)"));
    m_table->horizontalHeaderItem(7)->setToolTip(
        tr("The quote per session: the price list's per-session price, or the area tier's price "
           "shared evenly over the sessions"));
    m_table->horizontalHeaderItem(4)->setToolTip(
        tr("ml of distilled water to 1 ml of pigment (the clinic's dilution table)"));
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setMinimumHeight(170);
    layout->addWidget(m_table);
    m_notices = new QLabel(this);
    m_notices->setWordWrap(true);
    m_notices->setObjectName(QStringLiteral("planNotices"));
    layout->addWidget(m_notices);
    layout->addStretch();

    connect(m_generate, &QPushButton::clicked, this, &PlanPanel::generate);
    connect(m_save, &QPushButton::clicked, this, &PlanPanel::save);
    connect(m_clearHairline, &QPushButton::clicked, this, [this] {
        if (m_hairline.controlPoints.empty())
            return;
        planning::Hairline cleared = m_hairline;
        cleared.controlPoints.clear();
        m_viewer.undoStack()->push(
            new HairlineCommand(this, m_hairline, cleared, tr("Clear hairline"), false));
    });
    connect(m_applyPreset, &QPushButton::clicked, this, &PlanPanel::applyPreset);
    connect(m_faceOffMap, &QPushButton::clicked, this, &PlanPanel::takeFaceOffMap);
    // Corrections painted with the panel open reach the plan.
    connect(m_viewer.undoStack(), &QUndoStack::indexChanged, this, &PlanPanel::followCorrections);
    connect(m_preset, &QComboBox::currentIndexChanged, this, &PlanPanel::updateGuides);
    connect(m_faceTool, &QAction::toggled, this, [this](bool on) {
        toolToggled(m_faceTool, on);
        updateGuides();
    });
    connect(m_removeZone, &QPushButton::clicked, this,
            [this] { removeZone(m_zoneList->currentRow()); });
    connect(m_zoneList, &QListWidget::currentRowChanged, this, &PlanPanel::updateEnabled);
    connect(m_zoneKind, &QComboBox::currentIndexChanged, this, &PlanPanel::updateEnabled);
    connect(m_zoneTool, &QAction::toggled, this, [this](bool on) {
        toolToggled(m_zoneTool, on);
        if (!on) {
            m_pendingOutline.clear(); // an unfinished outline is dropped
            updateOverlay();
        }
    });
    connect(m_show, &QComboBox::currentIndexChanged, this, &PlanPanel::updatePreview);
    connect(m_sessions, &QSpinBox::valueChanged, this, &PlanPanel::updateEnabled);
    // Each parameter change is an edit of the document: undoable, and kept in the draft.
    for (QAbstractSpinBox *box :
         {static_cast<QAbstractSpinBox *>(m_density), static_cast<QAbstractSpinBox *>(m_sessions),
          static_cast<QAbstractSpinBox *>(m_seed)}) {
        m_parameterValues[box] = parameterValue(box);
        const auto changed = [this, box] {
            const double before = m_parameterValues[box];
            const double after = parameterValue(box);
            m_parameterValues[box] = after;
            if (!m_settingParameters && before != after) {
                m_viewer.undoStack()->push(new ParameterCommand(this, box, before, after));
                markDraftDirty();
            }
        };
        if (auto *integer = qobject_cast<QSpinBox *>(box))
            connect(integer, &QSpinBox::valueChanged, this, changed);
        else
            connect(static_cast<QDoubleSpinBox *>(box), &QDoubleSpinBox::valueChanged, this,
                    changed);
    }
    connect(&m_previewWatcher, &QFutureWatcher<QImage>::finished, this, [this] {
        const QImage image = m_previewWatcher.result();
        if (m_preview && !image.isNull()) {
            m_preview->setPixmap(QPixmap::fromImage(image));
            m_preview->setVisible(m_show->currentIndex() > 0);
        }
    });
    // The hairline tool takes the view's strokes; the viewer's own tools give way to it.
    connect(m_hairlineTool, &QAction::toggled, this,
            [this](bool on) { toolToggled(m_hairlineTool, on); });
    for (QAction *other : {m_viewer.brushAction(), m_viewer.eraserAction(), m_viewer.lassoAction(),
                           m_viewer.referenceAreaAction(), m_viewer.measureAction()})
        connect(other, &QAction::toggled, this, [this](bool on) {
            if (on) {
                m_hairlineTool->setChecked(false);
                m_zoneTool->setChecked(false);
                m_faceTool->setChecked(false);
            }
        });
    connect(m_viewer.view(), &PhotoView::stroke, this,
            [this](QPointF p, PhotoView::StrokePhase phase) {
                if (m_zoneTool->isChecked() && phase == PhotoView::StrokePhase::Begin)
                    clickZone(p);
                if (m_faceTool->isChecked() && phase == PhotoView::StrokePhase::Begin)
                    markFacePoint(p);
                if (!m_hairlineTool->isChecked())
                    return;
                if (phase == PhotoView::StrokePhase::Begin)
                    pressHairline(p);
                else if (phase == PhotoView::StrokePhase::Move)
                    dragHairline(p);
                else
                    releaseHairline(p);
            });
    refresh();
}

PlanPanel::~PlanPanel()
{
    m_previewWatcher.waitForFinished();
    m_draftWriter.waitForFinished();
}

QCheckBox *PlanPanel::sessionToggle(int session) const
{
    return m_sessionToggles.value(session - 1);
}

double PlanPanel::parameterValue(const QAbstractSpinBox *box)
{
    if (const auto *integer = qobject_cast<const QSpinBox *>(box))
        return integer->value();
    return static_cast<const QDoubleSpinBox *>(box)->value();
}

void PlanPanel::setParameter(QAbstractSpinBox *box, double value)
{
    const QScopedValueRollback guard(m_settingParameters, true);
    if (auto *integer = qobject_cast<QSpinBox *>(box))
        integer->setValue(static_cast<int>(value));
    else
        static_cast<QDoubleSpinBox *>(box)->setValue(value);
    updateEnabled();
    markDraftDirty();
}

double PlanPanel::mmPerPx() const
{
    return m_input ? m_input->mmPerPhotoPx : 0;
}

planning::PlanSettings PlanPanel::settings() const
{
    // Shades from the clinic's dilution table for this client's skin and hair.
    planning::PlanSettings s =
        m_input ? clinic::planSettingsFor(*m_input, m_tables) : planning::PlanSettings{};
    s.densityDotsPerCm2 = m_density->value();
    s.sessions = m_sessions->value();
    s.seed = static_cast<std::uint64_t>(m_seed->value());
    return s;
}

void PlanPanel::refresh()
{
    m_input.reset();
    try {
        m_tables = clinic::planningTables(m_viewer.database());
    } catch (const std::exception &error) {
        m_state->setText(QString::fromUtf8(error.what()));
    }
    if (!m_defaultsApplied) {
        // A new design starts from the clinic's defaults (a draft or stored plan replaces them).
        m_defaultsApplied = true;
        const QScopedValueRollback guard(m_settingParameters, true);
        m_density->setValue(m_tables.defaults.densityDotsPerCm2);
        m_sessions->setValue(m_tables.defaults.sessions);
    }
    const auto &analysis = m_viewer.analysis();
    if (analysis && m_viewer.calibration()) {
        try {
            m_input = clinic::planningInputForAnalysis(m_viewer.database(), analysis->id);
            followCorrections(); // as painted in the viewer, stored or not yet
        } catch (const std::exception &error) {
            m_state->setText(QString::fromUtf8(error.what()));
        }
    }
    if (!m_draftChecked && m_input) {
        // Work left unsaved (closed without saving, a crash, a kill) comes back as it was.
        m_draftChecked = true;
        if (restoreDraft()) {
            updateZoneList();
            planChanged(); // the state line says it was restored, and when
            if (!m_viewer.planAction()->isChecked())
                m_viewer.planAction()->setChecked(true);
            return;
        }
    }
    if (!m_plan && m_input) {
        // The photo's stored plan, as the client last saw it.
        try {
            if (const auto stored =
                    storage::PlanStore(m_viewer.database()).latestForPhoto(m_input->photoId)) {
                m_plan = clinic::loadPlan(*stored);
                m_savedId = stored->id;
                m_basedOnPlanId = stored->id;
                const QScopedValueRollback guard(m_settingParameters, true);
                m_density->setValue(m_plan->settings.densityDotsPerCm2);
                m_sessions->setValue(m_plan->settings.sessions);
                m_seed->setValue(static_cast<int>(m_plan->settings.seed % 1000000));
                if (m_plan->hairline)
                    m_hairline = *m_plan->hairline;
                m_zones = m_plan->zones;
            }
        } catch (const std::exception &error) {
            m_state->setText(QString::fromUtf8(error.what()));
        }
    }
    updateZoneList();
    planChanged();
}

void PlanPanel::toolToggled(QAction *tool, bool on)
{
    // One tool at a time takes the view's clicks and strokes: the panel's and the viewer's.
    if (on)
        for (QAction *other : {m_hairlineTool, m_zoneTool, m_faceTool, m_viewer.brushAction(),
                               m_viewer.eraserAction(), m_viewer.lassoAction(),
                               m_viewer.referenceAreaAction(), m_viewer.measureAction()})
            if (other != tool)
                other->setChecked(false);
    m_viewer.view()->setPainting(m_hairlineTool->isChecked() || m_zoneTool->isChecked() ||
                                 m_faceTool->isChecked() || m_viewer.brushAction()->isChecked() ||
                                 m_viewer.eraserAction()->isChecked() ||
                                 m_viewer.lassoAction()->isChecked());
}

void PlanPanel::updateEnabled()
{
    const bool ready = m_input.has_value();
    m_generate->setEnabled(ready);
    m_hairlineTool->setEnabled(ready);
    m_clearHairline->setEnabled(ready && !m_hairline.controlPoints.empty());
    m_zoneTool->setEnabled(ready);
    m_faceTool->setEnabled(ready);
    m_applyPreset->setEnabled(ready && m_guides.has_value());
    // Only where a face can be in the frame below the hairline: on a top or crown view the
    // "face" outline would take scalp off the map.
    const storage::PhotoView view = m_viewer.photo().view;
    const bool faceInFrame = view == storage::PhotoView::Front || view == storage::PhotoView::Other;
    m_faceOffMap->setEnabled(ready && m_guides.has_value() && faceInFrame);
    m_faceOffMap->setVisible(m_guides.has_value() && faceInFrame);
    const bool scar = m_zoneKind->currentIndex() == 1;
    m_scarDensity->setEnabled(scar);
    m_scarNeedle->setEnabled(scar);
    m_removeZone->setEnabled(m_zoneList->currentRow() >= 0);
    m_save->setEnabled(m_plan.has_value() && m_savedId == 0);
    m_revert->setEnabled(m_restoredDraft || m_draftDirty || (m_plan && m_savedId == 0));
    m_export->setEnabled(m_plan.has_value());
    const int sessions = m_plan ? m_plan->settings.sessions : m_sessions->value();
    for (int s = 1; s <= 6; ++s)
        m_sessionToggles[s - 1]->setVisible(s <= sessions);
    if (!m_viewer.analysis())
        m_state->setText(tr("Analyse the photo first: the plan starts from its graded map."));
    else if (!m_viewer.calibration())
        m_state->setText(tr("Calibrate the photo first: a plan needs millimetres (Find Marker or "
                            "Measure)."));
    else if (!m_plan)
        m_state->setText(tr("Draw the hairline (optional), then Make Plan."));
    else
        m_state->setText(
            tr("%1 dots over %2 cm² · %3")
                .arg(m_plan->dots.size())
                .arg(m_plan->treatedAreaCm2, 0, 'f', 1)
                .arg(m_savedId ? tr("saved as plan %1").arg(m_savedId) : tr("not saved")));
    if (!m_draftProblem.isEmpty())
        m_state->setText(m_state->text() + QLatin1Char('\n') + m_draftProblem);
    if (m_restoredDraft)
        m_state->setText(
            m_state->text() + QLatin1Char('\n') +
            tr("Restored the design left unsaved at %1: Save keeps it, Revert returns to the saved "
               "plan.")
                .arg(QLocale().toString(m_restoredAt.toLocalTime(), QLocale::ShortFormat)));
}

void PlanPanel::generate()
{
    if (!m_input)
        return;
    auto input = std::make_shared<clinic::PlanningInput>(*m_input);
    auto result = std::make_shared<planning::Plan>();
    auto failure = std::make_shared<QString>();
    const planning::PlanSettings s = settings();
    std::optional<planning::Hairline> hairline;
    if (m_hairline.controlPoints.size() >= 2)
        hairline = m_hairline;
    const std::vector<planning::TreatmentZone> zones = m_zones;
    QFuture<void> future =
        QtConcurrent::run([input, result, failure, s, hairline, zones](QPromise<void> &promise) {
            promise.setProgressRange(0, 100);
            try {
                *result =
                    planning::buildPlan(input->map, s, hairline, zones, [&promise](double done) {
                        promise.setProgressValue(static_cast<int>(done * 100));
                        return !promise.isCanceled();
                    });
            } catch (const planning::Cancelled &) {
                *failure = tr("cancelled");
            } catch (const std::exception &error) {
                *failure = QString::fromUtf8(error.what());
            }
        });
    followWithProgress(this, tr("Placing the dots"), future, [this, result, failure] {
        if (!failure->isEmpty()) {
            m_state->setText(tr("No plan: %1").arg(*failure));
            return;
        }
        m_plan = std::move(*result);
        m_savedId = 0;
        planChanged();
        markDraftDirty();
        emit planReady();
    });
}

qint64 PlanPanel::save()
{
    if (!m_plan || !m_input)
        return 0;
    try {
        m_savedId = clinic::storePlan(m_viewer.database(), *m_input, *m_plan);
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Plan Not Saved"), QString::fromUtf8(error.what()));
        return 0;
    }
    discardDraft(); // the plan is a record now
    m_draftProblem.clear();
    updateEnabled();
    emit planSaved(m_savedId);
    return m_savedId;
}

void PlanPanel::exportTo(const QString &path)
{
    if (!m_plan)
        return;
    const QString lower = path.toLower();
    QByteArray bytes;
    if (lower.endsWith(QLatin1String(".csv"))) {
        bytes = QByteArray::fromStdString(planning::dotsCsv(m_plan->dots));
    } else if (lower.endsWith(QLatin1String(".svg"))) {
        bytes = QByteArray::fromStdString(planning::planSvg(*m_plan, clinic::planExtent(*m_plan)));
    } else if (lower.endsWith(QLatin1String(".json"))) {
        bytes = QByteArray::fromStdString(planning::planJson(*m_plan));
    } else if (lower.endsWith(QLatin1String(".png"))) {
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        clinic::renderPigmentMap(*m_plan, clinic::planExtent(*m_plan)).save(&buffer, "PNG");
    } else {
        throw std::invalid_argument(
            tr("\"%1\": the name must end in .csv, .svg, .png or .json").arg(path).toStdString());
    }
    clinic::writeFileAtomically(path, bytes);
}

void PlanPanel::pressHairline(QPointF photoPoint)
{
    if (!m_input || !(mmPerPx() > 0))
        return;
    const double mm = mmPerPx();
    // Near an existing point (12 screen pixels): drag it; else add a point.
    const double reach = 12 / std::max(m_viewer.view()->zoom(), 1e-6);
    m_dragIndex = -1;
    for (std::size_t i = 0; i < m_hairline.controlPoints.size(); ++i) {
        const auto &p = m_hairline.controlPoints[i];
        if (std::hypot(p.x / mm - photoPoint.x(), p.y / mm - photoPoint.y()) <= reach)
            m_dragIndex = static_cast<int>(i);
    }
    m_dragStart = m_hairline;
    if (m_dragIndex < 0) {
        planning::Hairline added = m_hairline;
        if (added.controlPoints.empty()) // a front view is treated above the line
            added.treatedAbove = m_viewer.photo().view == storage::PhotoView::Front;
        added.controlPoints.push_back({photoPoint.x() * mm, photoPoint.y() * mm});
        m_viewer.undoStack()->push(
            new HairlineCommand(this, m_hairline, added, tr("Add hairline point"), false));
    }
}

void PlanPanel::dragHairline(QPointF photoPoint)
{
    if (m_dragIndex < 0 || !m_input)
        return;
    planning::Hairline moved = m_hairline;
    moved.controlPoints[static_cast<std::size_t>(m_dragIndex)] = {photoPoint.x() * mmPerPx(),
                                                                  photoPoint.y() * mmPerPx()};
    setHairline(moved, true);
}

void PlanPanel::releaseHairline(QPointF photoPoint)
{
    if (m_dragIndex < 0)
        return;
    dragHairline(photoPoint);
    m_viewer.undoStack()->push(
        new HairlineCommand(this, m_dragStart, m_hairline, tr("Move hairline point"), true));
    m_dragIndex = -1;
}

void PlanPanel::clickZone(QPointF photoPoint)
{
    if (!m_input || !(mmPerPx() > 0))
        return;
    const double mm = mmPerPx();
    const planning::PointMm p{photoPoint.x() * mm, photoPoint.y() * mm};
    // Near the first corner (12 screen pixels) with 3 corners or more: the outline closes.
    const double reach = 12 / std::max(m_viewer.view()->zoom(), 1e-6) * mm;
    if (m_pendingOutline.size() >= 3 &&
        std::hypot(p.x - m_pendingOutline[0].x, p.y - m_pendingOutline[0].y) <= reach) {
        planning::TreatmentZone zone;
        zone.kind = m_zoneKind->currentIndex() == 1 ? planning::TreatmentZone::Kind::Scar
                                                    : planning::TreatmentZone::Kind::Exclude;
        zone.outline = std::move(m_pendingOutline);
        zone.densityDotsPerCm2 = m_scarDensity->value();
        zone.needle =
            m_scarNeedle->currentIndex() == 1 ? planning::Needle::RL3 : planning::Needle::RL1;
        m_pendingOutline.clear();
        std::vector<planning::TreatmentZone> after = m_zones;
        after.push_back(std::move(zone));
        m_viewer.undoStack()->push(new ZonesCommand(
            this, m_zones, after,
            after.back().kind == planning::TreatmentZone::Kind::Scar ? tr("Add scar area")
                                                                     : tr("Leave out an area")));
        return;
    }
    m_pendingOutline.push_back(p);
    updateOverlay();
}

void PlanPanel::removeZone(int index)
{
    if (index < 0 || index >= static_cast<int>(m_zones.size()))
        return;
    std::vector<planning::TreatmentZone> after = m_zones;
    after.erase(after.begin() + index);
    m_viewer.undoStack()->push(new ZonesCommand(this, m_zones, after, tr("Remove area")));
}

void PlanPanel::markFacePoint(QPointF photoPoint)
{
    if (!m_input || !(mmPerPx() > 0))
        return;
    if (m_facePoints.size() >= 4)
        m_facePoints.clear();
    m_facePoints.push_back({photoPoint.x() * mmPerPx(), photoPoint.y() * mmPerPx()});
    updateGuides();
    markDraftDirty();
}

void PlanPanel::updateGuides()
{
    static const char *const prompts[] = {
        QT_TR_NOOP("Click the glabella, between the brows."),
        QT_TR_NOOP("Click the outer corner of one eye."),
        QT_TR_NOOP("Click the outer corner of the other eye."),
        QT_TR_NOOP("Guides drawn. Click the chin for the third-of-face rule (optional), or Use "
                   "Preset."),
        QT_TR_NOOP("Guides drawn from all four points. Use Preset, or click to start again."),
    };
    m_guides.reset();
    QString hint = tr(prompts[std::min<std::size_t>(m_facePoints.size(), 4)]);
    if (m_facePoints.size() >= 3) {
        planning::FaceLandmarks face;
        face.glabella = m_facePoints[0];
        // Either eye first: the one further left on the photo is the left one.
        face.leftEyeCorner = m_facePoints[1];
        face.rightEyeCorner = m_facePoints[2];
        if (face.leftEyeCorner.x > face.rightEyeCorner.x)
            std::swap(face.leftEyeCorner, face.rightEyeCorner);
        if (m_facePoints.size() >= 4)
            face.chin = m_facePoints[3];
        try {
            m_guides = planning::hairlineGuides(
                face, static_cast<planning::HairlinePreset>(m_preset->currentData().toInt()));
        } catch (const std::exception &error) {
            hint = tr("No guides: %1").arg(QString::fromUtf8(error.what()));
        }
    }
    m_faceHint->setText(hint);
    m_faceHint->setVisible(m_faceTool->isChecked() || !m_facePoints.empty());
    updateOverlay();
    updateEnabled();
}

void PlanPanel::applyPreset()
{
    if (!m_guides)
        return;
    try {
        const planning::Hairline preset = planning::presetHairline(*m_guides);
        m_viewer.undoStack()->push(new HairlineCommand(
            this, m_hairline, preset, tr("Use %1 hairline").arg(m_preset->currentText()), false));
    } catch (const std::exception &error) {
        m_faceHint->setText(QString::fromUtf8(error.what()));
    }
}

void PlanPanel::takeFaceOffMap()
{
    if (!m_guides || !(mmPerPx() > 0))
        return;
    QPolygonF photoPolygon;
    for (const planning::PointMm &p : planning::faceOutline(*m_guides))
        photoPolygon << QPointF(p.x / mmPerPx(), p.y / mmPerPx());
    const int taken = m_viewer.takeOffMap(photoPolygon, tr("Take face off map"));
    m_faceHint->setText(taken > 0 ? tr("The face is off the map: it gets no grade and no dots, "
                                       "and the stage is read without it (Undo puts it back).")
                                  : tr("The face was off the map already."));
}

void PlanPanel::followCorrections()
{
    if (!m_input)
        return;
    const QByteArray &grades = m_viewer.correctedGrades();
    if (grades.size() == qsizetype(m_input->map.grades.size()))
        m_input->map.grades.assign(grades.begin(), grades.end());
}

void PlanPanel::setZones(const std::vector<planning::TreatmentZone> &zones)
{
    if (m_plan && m_input) {
        try {
            // Only the dots within the changed area are placed again.
            m_plan = planning::replanZones(*m_plan, m_input->map, zones);
            m_savedId = 0;
        } catch (const std::exception &error) {
            m_state->setText(QString::fromUtf8(error.what()));
            return;
        }
    }
    m_zones = zones;
    updateZoneList();
    planChanged();
    markDraftDirty();
}

void PlanPanel::updateZoneList()
{
    const QSignalBlocker block(m_zoneList);
    m_zoneList->clear();
    for (std::size_t i = 0; i < m_zones.size(); ++i) {
        const planning::TreatmentZone &zone = m_zones[i];
        // The outline's area (shoelace), cm2.
        double twice = 0;
        for (std::size_t a = 0, b = zone.outline.size() - 1; a < zone.outline.size(); b = a++)
            twice += zone.outline[b].x * zone.outline[a].y - zone.outline[a].x * zone.outline[b].y;
        const double cm2 = std::abs(twice) / 2 / 100;
        m_zoneList->addItem(zone.kind == planning::TreatmentZone::Kind::Scar
                                ? tr("%1. Scar, %2 cm², %3 dots/cm², %4")
                                      .arg(i + 1)
                                      .arg(cm2, 0, 'f', 1)
                                      .arg(zone.densityDotsPerCm2, 0, 'f', 0)
                                      .arg(QString::fromLatin1(planning::needleName(zone.needle)))
                                : tr("%1. Left out, %2 cm²").arg(i + 1).arg(cm2, 0, 'f', 1));
    }
}

void PlanPanel::setHairline(const planning::Hairline &hairline, bool incremental)
{
    const planning::Hairline before = m_hairline;
    m_hairline = hairline;
    if (m_plan && m_input) {
        try {
            if (incremental && before.controlPoints.size() >= 2 &&
                hairline.controlPoints.size() == before.controlPoints.size()) {
                // Only the dots near the moved point are placed again: the rest of the plan the
                // client has seen stays as it was.
                m_plan = planning::replanHairline(*m_plan, m_input->map, hairline);
                m_savedId = 0;
            } else {
                m_state->setText(tr("The hairline changed: Make Plan to place the dots again."));
            }
        } catch (const std::exception &error) {
            m_state->setText(QString::fromUtf8(error.what()));
        }
    }
    planChanged();
    markDraftDirty();
}

void PlanPanel::planChanged()
{
    updateTable();
    updateOverlay();
    updateEnabled();
    // The preview choices: the dots, or the healed look after each session.
    const int sessions = m_plan ? m_plan->settings.sessions : 0;
    if (m_show->count() != sessions + 1) {
        const QSignalBlocker block(m_show);
        m_show->clear();
        m_show->addItem(tr("Dot map"));
        for (int s = 1; s <= sessions; ++s)
            m_show->addItem(tr("Healed after session %1").arg(s));
    }
    updatePreview();
}

planning::PlanDesign PlanPanel::design() const
{
    planning::PlanDesign d;
    d.densityDotsPerCm2 = m_density->value();
    d.sessions = m_sessions->value();
    d.seed = static_cast<std::uint64_t>(m_seed->value());
    d.hairline = m_hairline;
    d.zones = m_zones;
    d.facePoints = m_facePoints;
    d.plan = m_plan;
    d.basedOnPlanId = m_basedOnPlanId;
    return d;
}

void PlanPanel::markDraftDirty()
{
    if (m_restoring)
        return;
    m_draftDirty = true;
    // Not restarted by every change: during a long drag the draft is still written every second.
    if (!m_draftTimer->isActive())
        m_draftTimer->start();
}

void PlanPanel::writeDraftInBackground()
{
    if (!m_draftDirty || !m_input)
        return;
    if (m_draftWriter.isRunning()) { // the next write follows this one
        m_draftTimer->start();
        return;
    }
    m_draftDirty = false;
    m_writingEpoch = m_draftEpoch;
    // Serialised on a worker (a full head is 70,000 dots); stored on the GUI thread's connection.
    m_draftWriter.setFuture(QtConcurrent::run([design = design()] {
        return QByteArray::fromStdString(planning::planDesignJson(design));
    }));
}

void PlanPanel::storeDraft(const QByteArray &content)
{
    if (!m_input)
        return;
    try {
        storage::DraftStore(m_viewer.database()).putPlanDraft(m_input->photoId, content);
    } catch (const std::exception &error) {
        // Said under the state line; the edits stay in the window (Save still stores them) and
        // the draft is tried again in 10 s (a lock may go away; each try can wait for it).
        m_draftProblem =
            tr("Autosave failed, trying again: %1").arg(QString::fromUtf8(error.what()));
        m_draftDirty = true;
        m_draftTimer->start(10000);
        updateEnabled();
        return;
    }
    m_draftTimer->setInterval(1000);
    if (m_draftProblem.startsWith(tr("Autosave failed"))) {
        m_draftProblem.clear();
        updateEnabled();
    }
    emit draftSaved();
}

void PlanPanel::flushDraft()
{
    m_draftWriter.waitForFinished();
    ++m_draftEpoch; // what the worker wrote is older than what is written now
    m_draftTimer->stop();
    if (!m_draftDirty || !m_input)
        return;
    m_draftDirty = false;
    storeDraft(QByteArray::fromStdString(planning::planDesignJson(design())));
}

void PlanPanel::discardDraft()
{
    m_draftWriter.waitForFinished();
    ++m_draftEpoch; // a write still to be reported must not bring the draft back
    m_draftTimer->stop();
    m_draftDirty = false;
    if (!m_input)
        return;
    try {
        storage::DraftStore(m_viewer.database()).removePlanDraft(m_input->photoId);
    } catch (const std::exception &error) {
        m_state->setText(QString::fromUtf8(error.what()));
    }
    m_restoredDraft = false;
    updateEnabled();
}

bool PlanPanel::restoreDraft()
{
    std::optional<storage::PlanDraft> draft;
    planning::PlanDesign restored;
    try {
        draft = storage::DraftStore(m_viewer.database()).planDraft(m_input->photoId);
        if (!draft)
            return false;
        restored = planning::parsePlanDesignJson(draft->content.toStdString());
    } catch (const std::exception &error) {
        // Said under the state line until the next save; the draft stays for a closer look.
        m_draftProblem = tr("The autosaved design could not be read and was not restored: %1")
                             .arg(QString::fromUtf8(error.what()));
        return false;
    }
    const QScopedValueRollback restoring(m_restoring, true);
    {
        const QScopedValueRollback guard(m_settingParameters, true);
        m_density->setValue(restored.densityDotsPerCm2);
        m_sessions->setValue(restored.sessions);
        m_seed->setValue(static_cast<int>(restored.seed % 1000000));
    }
    m_hairline = restored.hairline;
    m_zones = restored.zones;
    m_facePoints = restored.facePoints;
    m_plan = std::move(restored.plan);
    m_basedOnPlanId = restored.basedOnPlanId;
    m_savedId = 0;
    m_restoredDraft = true;
    m_restoredAt = draft->savedAt;
    updateGuides();
    return true;
}

void PlanPanel::revertToSaved()
{
    discardDraft();
    ++m_designGeneration; // the edits made so far can no longer be undone
    dropRetiredCommands(m_viewer.undoStack());
    const QScopedValueRollback restoring(m_restoring, true);
    m_plan.reset();
    m_savedId = 0;
    m_basedOnPlanId = 0;
    m_hairline = {};
    m_zones.clear();
    m_facePoints.clear();
    m_draftChecked = true; // the draft is gone: refresh loads the stored plan
    refresh();
    updateGuides();
}

void PlanPanel::updateTable()
{
    m_table->setRowCount(0);
    m_notices->clear();
    if (!m_plan)
        return;
    const auto item = [](const QString &text) {
        auto *cell = new QTableWidgetItem(text);
        cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return cell;
    };
    const planning::Quote quote =
        planning::quoteFor(m_tables.prices, m_plan->treatedAreaCm2, m_plan->settings.sessions);
    const double sessionPrice = quote.total / std::max(1, m_plan->settings.sessions);
    const QString area = QString::number(m_plan->treatedAreaCm2, 'f', 0);
    int row = 0;
    int dots = 0, oneRL = 0, threeRL = 0;
    double minutes = 0;
    m_table->setRowCount(static_cast<int>(m_plan->sessions.size()) + 1);
    for (const planning::SessionSummary &s : m_plan->sessions) {
        m_table->setItem(row, 0, item(QString::number(s.session)));
        m_table->setItem(row, 1, item(QString::number(s.dots)));
        m_table->setItem(row, 2, item(QString::number(s.dots1RL)));
        m_table->setItem(row, 3, item(QString::number(s.dots3RL)));
        m_table->setItem(row, 4,
                         item(tr("%1 : 1").arg(planning::waterMlPerPigmentMl(s.shade), 0, 'f', 1)));
        m_table->setItem(row, 5,
                         item(QString::number(s.minutes / 60, 'f', 1) +
                              (s.sittings > 1 ? tr(" (%1 sittings)").arg(s.sittings) : QString())));
        m_table->setItem(row, 6, item(area));
        m_table->setItem(row, 7, item(QString::number(sessionPrice, 'f', 0)));
        dots += s.dots;
        oneRL += s.dots1RL;
        threeRL += s.dots3RL;
        minutes += s.minutes;
        ++row;
    }
    m_table->setItem(row, 0, item(tr("All")));
    m_table->setItem(row, 1, item(QString::number(dots)));
    m_table->setItem(row, 2, item(QString::number(oneRL)));
    m_table->setItem(row, 3, item(QString::number(threeRL)));
    m_table->setItem(row, 4, item(QString()));
    m_table->setItem(row, 5, item(QString::number(minutes / 60, 'f', 1)));
    m_table->setItem(row, 6, item(area));
    m_table->setItem(row, 7, item(QString::number(quote.total, 'f', 0)));
    m_table->horizontalHeaderItem(7)->setText(
        tr("Price %1").arg(QString::fromStdString(quote.currency)));
    QStringList notices;
    notices << tr("Quote (%1): %2 %3 · touch-up %4 %3")
                   .arg(QString::fromStdString(quote.basis))
                   .arg(quote.total, 0, 'f', 0)
                   .arg(QString::fromStdString(quote.currency))
                   .arg(quote.touchUp, 0, 'f', 0);
    for (const std::string &n : m_plan->notices)
        notices << QString::fromStdString(n);
    m_notices->setText(notices.join(QLatin1Char('\n')));
}

void PlanPanel::updateOverlay()
{
    QGraphicsItem *image = m_viewer.view()->imageItem();
    if (!image)
        return;
    if (!m_dots) {
        m_dots = new DotsItem(image);
        m_hairlineItem = new HairlineItem(image);
        m_zonesItem = new ZonesItem(image);
        m_guidesItem = new GuidesItem(image);
        m_preview = new QGraphicsPixmapItem(image);
        m_preview->setZValue(5);
        m_preview->setVisible(false);
    }
    const double mm = mmPerPx();
    const double pxPerMm = mm > 0 ? 1 / mm : 1;
    m_dots->setPlan(m_plan ? &*m_plan : nullptr, pxPerMm, image->boundingRect());
    unsigned mask = 0;
    for (int s = 1; s <= 6; ++s)
        if (m_sessionToggles[s - 1]->isChecked())
            mask |= 1u << s;
    m_dots->setVisibleSessions(mask);
    m_dots->setVisible(m_show->currentIndex() <= 0);
    m_hairlineItem->setHairline(m_hairline, pxPerMm);
    m_zonesItem->setZones(m_zones, m_pendingOutline, pxPerMm);
    m_guidesItem->setGuides(m_facePoints, m_guides, pxPerMm);
}

void PlanPanel::updatePreview()
{
    updateOverlay();
    const int session = m_show->currentIndex();
    if (!m_preview)
        return;
    if (session <= 0 || !m_plan) {
        m_preview->setVisible(false);
        return;
    }
    // The healed look on the client's photo, rendered off the GUI thread.
    const QImage upright = m_viewer.uprightImage();
    const planning::Plan plan = *m_plan;
    const double mm = mmPerPx();
    m_previewWatcher.setFuture(QtConcurrent::run([upright, plan, mm, session] {
        return clinic::renderHealedPreview(upright, plan, mm, session);
    }));
}

} // namespace smp::gui
