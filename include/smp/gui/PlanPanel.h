#pragma once

#include "smp/clinic/Planning.h"
#include "smp/planning/HairlineGuides.h"
#include "smp/planning/Plan.h"
#include "smp/planning/PlanFiles.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QImage>
#include <QString>
#include <QWidget>

#include <map>
#include <optional>

class QAbstractSpinBox;
class QCheckBox;
class QComboBox;
class QAction;
class QDoubleSpinBox;
class QGraphicsPixmapItem;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTimer;
class QTableWidget;

namespace smp::gui {

class PhotoViewer;
class DotsItem;
class HairlineItem;
class ZonesItem;
class GuidesItem;

// The plan panel beside a photo: the design (density, sessions, seed, the hairline drawn on the
// photo, areas outlined to leave out or to treat as scars), the dot map over the photo with a
// toggle per session, the healed preview after each session, and a table of dots, needles, shade
// and hours per session. Plans are stored when the technician saves them and exported as CSV, SVG,
// PNG or JSON.
//
// Threads: a full plan is made on a worker thread (progress dialog with Cancel); moving a
// hairline point or changing an area re-places only the dots near it, on the GUI thread, so the
// map follows the mouse. Coordinates: the plan is in mm on the photo (upright image, mm = px x mm
// per px).
class PlanPanel : public QWidget
{
    Q_OBJECT

public:
    explicit PlanPanel(PhotoViewer &viewer, QWidget *parent = nullptr);
    ~PlanPanel() override;

    // Picks up the viewer's current analysis and calibration and a stored plan of the photo.
    void refresh();

    const std::optional<planning::Plan> &plan() const { return m_plan; }
    const planning::Hairline &hairline() const { return m_hairline; }
    QAction *hairlineAction() const { return m_hairlineTool; }
    QAction *zoneAction() const { return m_zoneTool; }
    QAction *faceAction() const { return m_faceTool; }
    QComboBox *presetBox() const { return m_preset; }
    QPushButton *applyPresetButton() const { return m_applyPreset; }
    // Takes the face below the guides off the analysis's map (planning::faceOutline(), one
    // undoable correction): on a front view it reads as bald scalp. Enabled with guides.
    QPushButton *faceOffMapButton() const { return m_faceOffMap; }
    // The guides from the marked face points (empty until three are marked and plausible).
    const std::optional<planning::HairlineGuides> &guides() const { return m_guides; }
    QComboBox *zoneKindBox() const { return m_zoneKind; }
    QDoubleSpinBox *scarDensityBox() const { return m_scarDensity; }
    QListWidget *zoneList() const { return m_zoneList; }
    const std::vector<planning::TreatmentZone> &zones() const { return m_zones; }
    QSpinBox *sessionsBox() const { return m_sessions; }
    QDoubleSpinBox *densityBox() const { return m_density; }
    QPushButton *generateButton() const { return m_generate; }
    QPushButton *saveButton() const { return m_save; }
    QComboBox *showBox() const { return m_show; }
    QTableWidget *sessionTable() const { return m_table; }
    QCheckBox *sessionToggle(int session) const;
    // The id of the plan as last saved (0 when the shown plan is not stored).
    qint64 savedPlanId() const { return m_savedId; }
    // A plan is shown that is not stored (made or changed since the last save).
    bool hasUnsavedPlan() const { return m_plan.has_value() && m_savedId == 0; }

    // Autosave. Every edit of the design (parameters, hairline, areas, face points, the dots)
    // is written as the photo's draft (storage::DraftStore) at most a second later, serialised
    // on a worker; the panel restores a draft when it opens, before the stored plan. Saving the
    // plan or Revert removes the draft.
    // Writes a pending draft now (closing the window); no-op when nothing changed.
    void flushDraft();
    // Removes the photo's draft (the technician discarded the changes).
    void discardDraft();
    // Discards the draft and shows the stored plan again.
    void revertToSaved();
    // A draft was restored when the panel opened (and not discarded or saved since).
    bool restoredDraft() const { return m_restoredDraft; }
    QPushButton *revertButton() const { return m_revert; }

    // Starts making the plan in the background; planReady follows.
    void generate();
    // Stores the shown plan; returns its id (0 and a message box when it failed).
    qint64 save();
    // Writes an export by the file's extension: .csv (dots), .svg or .png (pigment map at 1:1),
    // .json (the plan). Throws what the writers throw.
    void exportTo(const QString &path);
    // Hairline editing in photo pixel coordinates, as the mouse does it (undoable).
    void pressHairline(QPointF photoPoint);
    void dragHairline(QPointF photoPoint);
    void releaseHairline(QPointF photoPoint);
    // Area outlining in photo pixel coordinates, as a click does it: adds a corner, or closes
    // the outline when near its first corner (3 corners at least); the closed area is added as
    // the kind chosen (undoable) and the dots within it placed again.
    void clickZone(QPointF photoPoint);
    // Removes the zone at `index` (undoable).
    void removeZone(int index);
    // Face points on a front view, in photo pixel coordinates, in the order the panel asks for
    // them: glabella, the two outer eye corners, then (optional) the chin; a fifth click starts
    // again. The guides follow at once.
    void markFacePoint(QPointF photoPoint);
    // Replaces the hairline with the chosen preset through the guides (undoable).
    void applyPreset();
    void takeFaceOffMap();
    // The planning input's grades from the viewer's corrected map (corrections painted while
    // the panel is open reach the next plan).
    void followCorrections();

signals:
    void planReady();
    void planSaved(qint64 planId);
    // An autosaved draft was written (tests, status).
    void draftSaved();

private:
    friend class HairlineCommand;
    friend class ZonesCommand;
    friend class ParameterCommand;
    static double parameterValue(const QAbstractSpinBox *box);
    // Sets a parameter box as undo and redo do (no new command).
    void setParameter(QAbstractSpinBox *box, double value);
    void setHairline(const planning::Hairline &hairline, bool incremental);
    void setZones(const std::vector<planning::TreatmentZone> &zones);
    void updateZoneList();
    void updateGuides();
    void toolToggled(QAction *tool, bool on);
    void planChanged();
    void updateTable();
    void updateOverlay();
    void updatePreview();
    void updateEnabled();
    planning::PlanSettings settings() const;
    planning::PlanDesign design() const;
    void markDraftDirty();
    void writeDraftInBackground();
    void storeDraft(const QByteArray &content);
    bool restoreDraft();
    double mmPerPx() const;

    PhotoViewer &m_viewer;
    std::optional<clinic::PlanningInput> m_input;
    clinic::PlanningTables m_tables;
    planning::Hairline m_hairline;
    std::optional<planning::Plan> m_plan;
    qint64 m_savedId = 0;
    int m_dragIndex = -1;
    planning::Hairline m_dragStart;
    std::vector<planning::TreatmentZone> m_zones;    // in mm, drawing order
    std::vector<planning::PointMm> m_pendingOutline; // the area being outlined, mm
    std::vector<planning::PointMm> m_facePoints;     // glabella, eye corners, chin (mm), as marked
    std::optional<planning::HairlineGuides> m_guides;
    std::map<const QAbstractSpinBox *, double> m_parameterValues; // as last seen, for undo
    bool m_settingParameters = false; // loading or undoing: no new command
    qint64 m_basedOnPlanId = 0;       // the stored plan the design started from
    int m_designGeneration = 0;       // grows on Revert: older commands retire
    QTimer *m_draftTimer = nullptr;
    QFutureWatcher<QByteArray> m_draftWriter;
    bool m_draftDirty = false;   // edits not yet in a draft
    int m_draftEpoch = 0;        // grows when a draft is saved over, discarded or flushed
    int m_writingEpoch = 0;      // the epoch of the background write in flight
    bool m_draftChecked = false; // the photo's draft was looked for (once per panel)
    bool m_restoredDraft = false;
    bool m_restoring = false; // applying a draft: not an edit
    bool m_defaultsApplied = false;
    QDateTime m_restoredAt;
    QString m_draftProblem; // why a draft could not be restored (shown until the next save)
    QPushButton *m_revert = nullptr;

    QLabel *m_state = nullptr;
    QDoubleSpinBox *m_density = nullptr;
    QSpinBox *m_sessions = nullptr;
    QSpinBox *m_seed = nullptr;
    QAction *m_hairlineTool = nullptr;
    QPushButton *m_clearHairline = nullptr;
    QAction *m_zoneTool = nullptr;
    QComboBox *m_zoneKind = nullptr;
    QDoubleSpinBox *m_scarDensity = nullptr;
    QComboBox *m_scarNeedle = nullptr;
    QListWidget *m_zoneList = nullptr;
    QPushButton *m_removeZone = nullptr;
    QAction *m_faceTool = nullptr;
    QComboBox *m_preset = nullptr;
    QPushButton *m_applyPreset = nullptr;
    QPushButton *m_faceOffMap = nullptr;
    QLabel *m_faceHint = nullptr;
    QPushButton *m_generate = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_export = nullptr;
    QComboBox *m_show = nullptr;
    QList<QCheckBox *> m_sessionToggles;
    QTableWidget *m_table = nullptr;
    QLabel *m_notices = nullptr;
    DotsItem *m_dots = nullptr;
    HairlineItem *m_hairlineItem = nullptr;
    ZonesItem *m_zonesItem = nullptr;
    GuidesItem *m_guidesItem = nullptr;
    QGraphicsPixmapItem *m_preview = nullptr;
    QFutureWatcher<QImage> m_previewWatcher;
};

} // namespace smp::gui
