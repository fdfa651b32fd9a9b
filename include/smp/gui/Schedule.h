#pragma once

// The treatment schedule in the desktop application: a client's timeline (sessions, photos,
// the touch-up recall) with proposing, booking, moving, marking and recording; the clinic
// calendar (day, week, month) with drag-to-move and the upcoming list. Everything reads and
// writes on the GUI thread: a proposal against thousands of appointments takes milliseconds.

#include "smp/clinic/Scheduling.h"
#include "smp/storage/Records.h"

#include <QDate>
#include <QDialog>
#include <QWidget>

#include <map>
#include <optional>
#include <vector>

class QButtonGroup;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QPlainTextEdit;
class QLabel;
class QListWidget;
class QMenu;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace smp::storage {
class Database;
}

namespace smp::gui {

class ClientUndoStacks;

// Moves an appointment as a person would: asks whether later sessions move with it (when there
// are any), refuses a double booking with the reason, asks before moving despite warnings.
// Returns true when it moved. With `undo`, the move goes on the client's undo stack (undo moves
// it back, with the later sessions when they moved along).
bool moveAppointmentInteractively(QWidget *parent, storage::Database &db,
                                  storage::RecordId appointmentId, const QDateTime &start,
                                  ClientUndoStacks *undo = nullptr);

// Proposes a schedule for the client's newest plan and books it.
class ProposalDialog : public QDialog
{
    Q_OBJECT

public:
    ProposalDialog(storage::Database &db, storage::RecordId clientId, QWidget *parent = nullptr);

    QDateEdit *fromEdit() const { return m_from; }
    QTableWidget *table() const { return m_table; }
    QPushButton *bookButton() const { return m_book; }
    QLabel *messageLabel() const { return m_message; }
    // Proposes again with the dialog's values (also on every change).
    void propose();
    // Books the shown proposal and closes the dialog.
    void book();

private:
    storage::Database &m_db;
    storage::RecordId m_clientId;
    std::optional<clinic::ClientProposal> m_proposal;
    QDateEdit *m_from = nullptr;
    QSpinBox *m_minimum = nullptr;
    QSpinBox *m_preferredFrom = nullptr;
    QSpinBox *m_preferredTo = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_book = nullptr;
};

// What was done at a session: dilution, needle, duration, notes, the after photo.
class SessionRecordDialog : public QDialog
{
    Q_OBJECT

public:
    SessionRecordDialog(storage::Database &db, storage::RecordId appointmentId,
                        QWidget *parent = nullptr);
    void accept() override;

private:
    storage::Database &m_db;
    storage::RecordId m_appointmentId;
    QLineEdit *m_dilution = nullptr;
    QLineEdit *m_needle = nullptr;
    QSpinBox *m_minutes = nullptr;
    QPlainTextEdit *m_notes = nullptr;
    QComboBox *m_photo = nullptr;
};

// The Schedule tab of a client: the timeline and the actions on it.
class ClientScheduleTab : public QWidget
{
    Q_OBJECT

public:
    explicit ClientScheduleTab(storage::Database &db, QWidget *parent = nullptr);
    // Moves go on the client's undo stack; the tab reloads when an undo moves them back.
    void setUndoStacks(ClientUndoStacks *stacks);
    void showClient(storage::RecordId clientId);
    void reload();

    QTableWidget *timeline() const { return m_timeline; }
    QPushButton *proposeButton() const { return m_propose; }
    // The appointment of the selected row (0 when a photo or nothing is selected).
    storage::RecordId selectedAppointment() const;
    void markSelected(storage::AppointmentStatus status);

signals:
    void changed();

private:
    storage::Database &m_db;
    storage::RecordId m_clientId = 0;
    ClientUndoStacks *m_undoStacks = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_timeline = nullptr;
    QPushButton *m_propose = nullptr;
    QPushButton *m_move = nullptr;
    QPushButton *m_mark = nullptr;
    QPushButton *m_record = nullptr;
    QPushButton *m_aftercare = nullptr;
    QPushButton *m_preferences = nullptr;
    QPushButton *m_export = nullptr;
};

// The clinic calendar: appointments of every client by day, week or month; a session block can
// be dragged to another time (day and week views) with the checks of moveAppointmentInteractively.
class CalendarView : public QWidget
{
    Q_OBJECT

public:
    enum class Mode
    {
        Day,
        Week,
        Month,
    };
    explicit CalendarView(storage::Database &db, QWidget *parent = nullptr);
    // Moves go on their client's undo stack; the view reloads when an undo moves them back.
    void setUndoStacks(ClientUndoStacks *stacks);

    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    void setDate(QDate date); // any day of the period to show
    QDate date() const { return m_date; }
    void reload();
    // The first and last day shown.
    QDate firstDay() const;
    QDate lastDay() const;
    // Where an appointment is drawn (widget coordinates), empty when not shown.
    QRectF blockOf(storage::RecordId appointmentId) const;
    // The time at a point of the day or week grid (the clinic's zone), invalid elsewhere.
    QDateTime timeAt(QPointF point) const;
    const std::vector<storage::Appointment> &appointments() const { return m_appointments; }

signals:
    void appointmentMoved(storage::RecordId id);
    void clientActivated(storage::RecordId clientId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    QRectF grid() const;
    int columns() const;
    QRectF blockRect(const storage::Appointment &a) const;
    storage::RecordId appointmentAt(QPointF point) const;

    storage::Database &m_db;
    ClientUndoStacks *m_undoStacks = nullptr;
    clinic::ScheduleSettings m_settings;
    Mode m_mode = Mode::Week;
    QDate m_date;
    std::vector<storage::Appointment> m_appointments;
    std::map<storage::RecordId, QString> m_names;
    storage::RecordId m_dragging = 0;
    QPointF m_dragOffset;
    QPointF m_dragAt;
    static constexpr int kFirstHour = 7;
    static constexpr int kLastHour = 20;
};

// The clinic calendar window: view switches, navigation, export, and the upcoming list
// (sessions in the next 14 days, touch-ups due in the next 90).
class CalendarWindow : public QWidget
{
    Q_OBJECT

public:
    explicit CalendarWindow(storage::Database &db, QWidget *parent = nullptr);
    // Moves go on their client's undo stack, which becomes the active one of the group: the
    // window's Edit menu takes back the last move made here.
    void setUndoStacks(ClientUndoStacks *stacks);
    CalendarView *view() const { return m_view; }
    QListWidget *upcoming() const { return m_upcoming; }
    void reload();

signals:
    void clientActivated(storage::RecordId clientId);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void updateTitle();
    storage::Database &m_db;
    ClientUndoStacks *m_undoStacks = nullptr;
    QMenu *m_editMenu = nullptr;
    CalendarView *m_view = nullptr;
    QLabel *m_title = nullptr;
    QListWidget *m_upcoming = nullptr;
};

} // namespace smp::gui
