#include "smp/gui/Schedule.h"

#include "smp/clinic/Planning.h"
#include "smp/clinic/Report.h"
#include "smp/gui/ClientUndo.h"
#include "smp/gui/WindowState.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPrintPreviewDialog>
#include <QPrinter>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimeEdit>
#include <QToolButton>
#include <QUndoGroup>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

namespace smp::gui {

using storage::Appointment;
using storage::AppointmentStatus;
using storage::AppointmentStore;
using storage::RecordId;

namespace {

const QString kWhen = QStringLiteral("ddd yyyy-MM-dd HH:mm");

QColor statusColour(AppointmentStatus status)
{
    switch (status) {
    case AppointmentStatus::Booked:
        return QColor(52, 120, 200);
    case AppointmentStatus::Done:
        return QColor(46, 150, 80);
    case AppointmentStatus::Cancelled:
        return QColor(150, 150, 150);
    case AppointmentStatus::NoShow:
        return QColor(220, 120, 30);
    }
    return Qt::gray;
}

// Touch-up recalls, in the calendar, its Upcoming list and the client's schedule.
constexpr QColor kRecallColour(150, 90, 200);

QString statusText(AppointmentStatus status)
{
    switch (status) {
    case AppointmentStatus::Booked:
        return QObject::tr("booked");
    case AppointmentStatus::Done:
        return QObject::tr("done");
    case AppointmentStatus::Cancelled:
        return QObject::tr("cancelled");
    case AppointmentStatus::NoShow:
        return QObject::tr("no-show");
    }
    return {};
}

QTableWidgetItem *cell(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

} // namespace

namespace {

// A moved appointment, with the client's later sessions of the plan when they moved along.
// Already applied when pushed; undo moves it back (and them by the same time) with the clinic's
// checks: a double booking made since is refused, said, and the command dropped.
class MoveAppointmentCommand : public QUndoCommand
{
public:
    MoveAppointmentCommand(storage::Database &db, ClientUndoStacks &stacks,
                           const Appointment &before, QDateTime after, bool withLater)
        : QUndoCommand(QObject::tr("Move %1").arg(clinic::appointmentTitle(before)))
        , m_db(db)
        , m_stacks(stacks)
        , m_clientId(before.clientId)
        , m_appointmentId(before.id)
        , m_before(before.start)
        , m_after(std::move(after))
        , m_withLater(withLater)
    {}
    void undo() override { moveTo(m_before); }
    void redo() override
    {
        if (m_skipFirstRedo) {
            m_skipFirstRedo = false;
            return;
        }
        moveTo(m_after);
    }

private:
    void moveTo(const QDateTime &start)
    {
        try {
            clinic::moveAppointment(m_db, m_appointmentId, start, m_withLater, true);
        } catch (const std::exception &error) {
            QMessageBox::warning(QApplication::activeWindow(), QObject::tr("Not Moved"),
                                 QString::fromUtf8(error.what()));
            setObsolete(true);
        }
        m_stacks.notifyAppointmentsChanged(m_clientId);
    }
    storage::Database &m_db;
    ClientUndoStacks &m_stacks;
    RecordId m_clientId;
    RecordId m_appointmentId;
    QDateTime m_before, m_after;
    bool m_withLater;
    bool m_skipFirstRedo = true;
};

} // namespace

bool moveAppointmentInteractively(QWidget *parent, storage::Database &db, RecordId appointmentId,
                                  const QDateTime &start, ClientUndoStacks *undo)
{
    try {
        AppointmentStore store(db);
        const auto moved = store.find(appointmentId);
        if (!moved)
            return false;
        // Later booked sessions of the same plan: offer to move them along.
        bool withLater = false;
        int later = 0;
        for (const Appointment &a : store.ofClient(moved->clientId))
            later += a.kind == QLatin1String("session") && a.planId == moved->planId &&
                     a.start > moved->start && a.status == AppointmentStatus::Booked;
        if (later > 0) {
            const auto answer = QMessageBox::question(
                parent, QObject::tr("Move Later Sessions?"),
                QObject::tr("Move the %n later session(s) of this plan by the same time too?", "",
                            later),
                QMessageBox::Yes | QMessageBox::No | QMessageBox::Cancel, QMessageBox::Yes);
            if (answer == QMessageBox::Cancel)
                return false;
            withLater = answer == QMessageBox::Yes;
        }
        clinic::MoveOutcome outcome =
            clinic::moveAppointment(db, appointmentId, start, withLater, false);
        if (!outcome.applied) {
            const auto answer = QMessageBox::warning(
                parent, QObject::tr("Move Anyway?"),
                QObject::tr("This move breaks the clinic's rules:\n\n%1\n\nMove anyway?")
                    .arg(QStringList(outcome.warnings.begin(), outcome.warnings.end())
                             .join(QLatin1Char('\n'))),
                QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
            if (answer != QMessageBox::Yes)
                return false;
            outcome = clinic::moveAppointment(db, appointmentId, start, withLater, true);
        }
        if (outcome.applied && undo)
            undo->stackFor(moved->clientId)
                ->push(new MoveAppointmentCommand(db, *undo, *moved, start, withLater));
        return outcome.applied;
    } catch (const std::exception &error) {
        QMessageBox::warning(parent, QObject::tr("Not Moved"), QString::fromUtf8(error.what()));
        return false;
    }
}

// --- ProposalDialog --------------------------------------------------------------------------

ProposalDialog::ProposalDialog(storage::Database &db, RecordId clientId, QWidget *parent)
    : QDialog(parent)
    , m_db(db)
    , m_clientId(clientId)
{
    setWindowTitle(tr("Propose a Schedule"));
    setMinimumWidth(560);
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    const clinic::ScheduleSettings settings = clinic::scheduleSettings(db);
    m_from = new QDateEdit(QDate::currentDate(), this);
    m_from->setObjectName(QStringLiteral("proposalFrom"));
    m_from->setCalendarPopup(true);
    m_from->setDisplayFormat(QStringLiteral("ddd yyyy-MM-dd"));
    form->addRow(tr("From:"), m_from);
    auto *interval = new QHBoxLayout;
    m_minimum = new QSpinBox(this);
    m_minimum->setRange(1, 120);
    m_minimum->setValue(settings.interval.minimumDays);
    m_minimum->setPrefix(tr("at least "));
    m_minimum->setSuffix(tr(" days"));
    m_preferredFrom = new QSpinBox(this);
    m_preferredFrom->setRange(1, 120);
    m_preferredFrom->setValue(settings.interval.preferredMinDays);
    m_preferredTo = new QSpinBox(this);
    m_preferredTo->setRange(1, 120);
    m_preferredTo->setValue(settings.interval.preferredMaxDays);
    m_preferredTo->setSuffix(tr(" days"));
    interval->addWidget(m_minimum);
    interval->addWidget(new QLabel(tr("preferably"), this));
    interval->addWidget(m_preferredFrom);
    interval->addWidget(new QLabel(QStringLiteral("-"), this));
    interval->addWidget(m_preferredTo);
    interval->addStretch();
    form->addRow(tr("Between sessions:"), interval);
    layout->addLayout(form);
    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("proposalTable"));
    m_table->setHorizontalHeaderLabels({tr("Session"), tr("When"), tr("Hours"), tr("Interval")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("proposalMessage"));
    layout->addWidget(m_message);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_book = buttons->addButton(tr("Book"), QDialogButtonBox::AcceptRole);
    m_book->setObjectName(QStringLiteral("bookSchedule"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_book, &QPushButton::clicked, this, &ProposalDialog::book);
    for (QSpinBox *box : {m_minimum, m_preferredFrom, m_preferredTo})
        connect(box, &QSpinBox::valueChanged, this, &ProposalDialog::propose);
    connect(m_from, &QDateEdit::dateChanged, this, &ProposalDialog::propose);
    propose();
}

void ProposalDialog::propose()
{
    m_proposal.reset();
    m_table->setRowCount(0);
    m_book->setEnabled(false);
    const clinic::ScheduleSettings settings = clinic::scheduleSettings(m_db);
    const QTimeZone &zone = settings.calendar.timeZone;
    clinic::ProposalOptions options;
    options.from = QDateTime(m_from->date(), QTime(0, 0), zone);
    if (m_from->date() == QDateTime::currentDateTimeUtc().toTimeZone(zone).date())
        options.from = QDateTime::currentDateTimeUtc();
    options.interval = scheduling::IntervalRule{m_minimum->value(), m_preferredFrom->value(),
                                                m_preferredTo->value()};
    if (m_minimum->value() > m_preferredFrom->value() ||
        m_preferredFrom->value() > m_preferredTo->value()) {
        m_message->setText(tr("The interval must read: at least ≤ preferably from ≤ to."));
        return;
    }
    try {
        m_proposal = clinic::proposeForClient(m_db, m_clientId, options);
    } catch (const std::exception &error) {
        m_message->setText(tr("No schedule: %1").arg(QString::fromUtf8(error.what())));
        return;
    }
    const auto &slots_ = m_proposal->proposal.appointments;
    m_table->setRowCount(static_cast<int>(slots_.size()) + 1);
    int row = 0;
    for (const scheduling::ProposedSlot &s : slots_) {
        m_table->setItem(row, 0,
                         cell(s.sitting > 1 ? tr("%1 (sitting %2)").arg(s.session).arg(s.sitting)
                                            : QString::number(s.session)));
        m_table->setItem(row, 1,
                         cell(s.start.toTimeZone(zone).toString(kWhen) + QStringLiteral("-") +
                              s.end.toTimeZone(zone).toString(QStringLiteral("HH:mm"))));
        m_table->setItem(
            row, 2,
            cell(QString::number(static_cast<double>(s.start.secsTo(s.end)) / 3600.0, 'f', 2)));
        m_table->setItem(
            row, 3, cell(s.daysAfterPrevious ? tr("%1 days").arg(s.daysAfterPrevious) : QString()));
        ++row;
    }
    m_table->setItem(row, 0, cell(tr("Touch-up")));
    m_table->setItem(row, 1,
                     cell(m_proposal->proposal.recall.toString(QStringLiteral("ddd yyyy-MM-dd"))));
    QStringList text;
    for (const QString &n : m_proposal->proposal.notes)
        text << n;
    m_message->setText(text.isEmpty() ? tr("Within the clinic's hours, clear of other "
                                           "appointments and on the client's days.")
                                      : text.join(QLatin1Char('\n')));
    m_book->setEnabled(true);
}

void ProposalDialog::book()
{
    if (!m_proposal)
        return;
    try {
        clinic::bookProposal(m_db, *m_proposal);
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Not Booked"), QString::fromUtf8(error.what()));
        return;
    }
    accept();
}

// --- SessionRecordDialog ---------------------------------------------------------------------

SessionRecordDialog::SessionRecordDialog(storage::Database &db, RecordId appointmentId,
                                         QWidget *parent)
    : QDialog(parent)
    , m_db(db)
    , m_appointmentId(appointmentId)
{
    setWindowTitle(tr("Record Session"));
    AppointmentStore store(db);
    const auto appointment = store.find(appointmentId);
    const auto existing = store.sessionRecord(appointmentId);
    auto *form = new QFormLayout(this);
    m_dilution = new QLineEdit(existing ? existing->dilution : QString(), this);
    m_dilution->setObjectName(QStringLiteral("recordDilution"));
    m_dilution->setPlaceholderText(tr("e.g. 3 ml water : 1 ml pigment"));
    form->addRow(tr("Dilution as mixed:"), m_dilution);
    m_needle = new QLineEdit(existing ? existing->needle : QString(), this);
    m_needle->setPlaceholderText(tr("e.g. 1RL 0.20 + 3RL 0.25"));
    form->addRow(tr("Needle:"), m_needle);
    m_minutes = new QSpinBox(this);
    m_minutes->setRange(0, 1440);
    m_minutes->setSuffix(tr(" min"));
    m_minutes->setValue(existing && existing->minutes ? *existing->minutes
                                                      : (appointment ? appointment->minutes : 0));
    form->addRow(tr("Duration:"), m_minutes);
    m_notes = new QPlainTextEdit(existing ? existing->notes : QString(), this);
    m_notes->setMaximumHeight(90);
    form->addRow(tr("Notes:"), m_notes);
    m_photo = new QComboBox(this);
    m_photo->addItem(tr("None yet"), 0);
    if (appointment)
        for (const storage::Photo &p : storage::PhotoLibrary(db).photos(appointment->clientId))
            m_photo->addItem(QStringLiteral("%1 · %2").arg(
                                 p.takenAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd")),
                                 storage::toString(p.view)),
                             qint64(p.id));
    if (existing && existing->afterPhotoId)
        m_photo->setCurrentIndex(std::max(0, m_photo->findData(qint64(*existing->afterPhotoId))));
    form->addRow(tr("After photo:"), m_photo);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &SessionRecordDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void SessionRecordDialog::accept()
{
    storage::SessionRecord r;
    r.appointmentId = m_appointmentId;
    r.dilution = m_dilution->text().trimmed();
    r.needle = m_needle->text().trimmed();
    r.minutes = m_minutes->value();
    r.notes = m_notes->toPlainText().trimmed();
    if (const qint64 photo = m_photo->currentData().toLongLong())
        r.afterPhotoId = photo;
    try {
        AppointmentStore(m_db).record(r);
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Not Recorded"), QString::fromUtf8(error.what()));
        return;
    }
    QDialog::accept();
}

// --- ClientScheduleTab -----------------------------------------------------------------------

ClientScheduleTab::ClientScheduleTab(storage::Database &db, QWidget *parent)
    : QWidget(parent)
    , m_db(db)
{
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_timeline = new QTableWidget(0, 5, this);
    m_timeline->setObjectName(QStringLiteral("clientTimeline"));
    m_timeline->setHorizontalHeaderLabels(
        {tr("When"), tr("What"), tr("Hours"), tr("Status"), tr("Recorded")});
    m_timeline->verticalHeader()->hide();
    m_timeline->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timeline->setSelectionMode(QAbstractItemView::SingleSelection);
    m_timeline->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_timeline->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_timeline, 1);
    auto *buttons = new QHBoxLayout;
    m_propose = new QPushButton(tr("Propose Schedule..."), this);
    m_propose->setToolTip(tr("Dates and times for the sessions of the newest saved plan"));
    m_move = new QPushButton(tr("Move..."), this);
    m_move->setObjectName(QStringLiteral("moveButton"));
    m_move->setToolTip(tr("Another date or time for the selected appointment (undoable)"));
    m_mark = new QPushButton(tr("Mark"), this);
    m_mark->setToolTip(tr("Done, cancelled, no-show or booked again"));
    auto *markMenu = new QMenu(m_mark);
    for (const AppointmentStatus s : {AppointmentStatus::Done, AppointmentStatus::Cancelled,
                                      AppointmentStatus::NoShow, AppointmentStatus::Booked})
        markMenu->addAction(statusText(s), this, [this, s] { markSelected(s); });
    m_mark->setMenu(markMenu);
    m_record = new QPushButton(tr("Record Session..."), this);
    m_record->setObjectName(QStringLiteral("recordButton"));
    m_record->setToolTip(tr("Dilution, needle, duration, notes and the after photo"));
    m_aftercare = new QPushButton(tr("Aftercare Sheet..."), this);
    m_aftercare->setObjectName(QStringLiteral("aftercareButton"));
    m_aftercare->setToolTip(tr("The aftercare sheet of the selected session, with its dates"));
    m_preferences = new QPushButton(tr("Booking Days..."), this);
    m_preferences->setToolTip(tr("The days and times this client can come"));
    m_export = new QPushButton(tr("Export Calendar..."), this);
    m_export->setToolTip(tr("The client's appointments as an iCalendar (.ics) file"));
    for (QPushButton *b :
         {m_propose, m_move, m_mark, m_record, m_aftercare, m_preferences, m_export})
        buttons->addWidget(b);
    buttons->addStretch();
    layout->addLayout(buttons);

    connect(m_timeline, &QTableWidget::itemSelectionChanged, this, [this] {
        const bool appointment = selectedAppointment() != 0;
        m_move->setEnabled(appointment);
        m_mark->setEnabled(appointment);
        m_record->setEnabled(appointment);
        m_aftercare->setEnabled(appointment);
    });
    connect(m_aftercare, &QPushButton::clicked, this, [this] {
        try {
            const clinic::AftercareSheet sheet =
                clinic::gatherAftercare(m_db, selectedAppointment());
            QPrinter printer(QPrinter::HighResolution);
            printer.setPageSize(QPageSize(QPageSize::A4));
            QPrintPreviewDialog preview(&printer, this);
            preview.setWindowTitle(tr("Aftercare: %1").arg(sheet.client.displayName()));
            connect(&preview, &QPrintPreviewDialog::paintRequested, this,
                    [&sheet](QPrinter *device) { clinic::paintAftercare(sheet, *device); });
            preview.exec();
        } catch (const std::exception &error) {
            QMessageBox::warning(this, tr("No Aftercare Sheet"), QString::fromUtf8(error.what()));
        }
    });
    connect(m_propose, &QPushButton::clicked, this, [this] {
        ProposalDialog dialog(m_db, m_clientId, this);
        if (dialog.exec() == QDialog::Accepted) {
            reload();
            emit changed();
        }
    });
    connect(m_move, &QPushButton::clicked, this, [this] {
        const RecordId id = selectedAppointment();
        const auto a = AppointmentStore(m_db).find(id);
        if (!a)
            return;
        const QTimeZone zone = clinic::scheduleSettings(m_db).calendar.timeZone;
        QDialog ask(this);
        ask.setWindowTitle(tr("Move %1").arg(clinic::appointmentTitle(*a)));
        auto *form = new QFormLayout(&ask);
        auto *edit = new QDateTimeEdit(a->start.toTimeZone(zone).toLocalTime(), &ask);
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("ddd yyyy-MM-dd HH:mm"));
        edit->setDateTime(
            QDateTime(a->start.toTimeZone(zone).date(), a->start.toTimeZone(zone).time()));
        form->addRow(tr("New start (clinic time):"), edit);
        auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &ask);
        form->addRow(box);
        connect(box, &QDialogButtonBox::accepted, &ask, &QDialog::accept);
        connect(box, &QDialogButtonBox::rejected, &ask, &QDialog::reject);
        if (ask.exec() != QDialog::Accepted)
            return;
        const QDateTime start(edit->date(), edit->time(), zone);
        if (moveAppointmentInteractively(this, m_db, id, start, m_undoStacks)) {
            reload();
            emit changed();
        }
    });
    connect(m_record, &QPushButton::clicked, this, [this] {
        SessionRecordDialog dialog(m_db, selectedAppointment(), this);
        if (dialog.exec() == QDialog::Accepted) {
            reload();
            emit changed();
        }
    });
    connect(m_preferences, &QPushButton::clicked, this, [this] {
        AppointmentStore store(m_db);
        storage::SchedulePreferences p = store.preferences(m_clientId);
        QDialog ask(this);
        ask.setWindowTitle(tr("Booking Days"));
        auto *form = new QFormLayout(&ask);
        auto *days = new QHBoxLayout;
        QList<QCheckBox *> boxes;
        for (int d = 0; d < 7; ++d) {
            auto *box = new QCheckBox(scheduling::weekdayName(d), &ask);
            box->setChecked(p.weekdays.at(d) == QLatin1Char('1'));
            days->addWidget(box);
            boxes << box;
        }
        form->addRow(tr("Days:"), days);
        const auto timeRow = [&](const QString &label, const QTime &value) {
            auto *row = new QHBoxLayout;
            auto *on = new QCheckBox(&ask);
            auto *time = new QTimeEdit(value.isValid() ? value : QTime(9, 0), &ask);
            time->setDisplayFormat(QStringLiteral("HH:mm"));
            on->setChecked(value.isValid());
            time->setEnabled(value.isValid());
            connect(on, &QCheckBox::toggled, time, &QWidget::setEnabled);
            row->addWidget(on);
            row->addWidget(time);
            row->addStretch();
            form->addRow(label, row);
            return std::pair{on, time};
        };
        const auto [earliestOn, earliest] = timeRow(tr("Not before:"), p.earliest);
        const auto [latestOn, latest] = timeRow(tr("Done by:"), p.latest);
        auto *box = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &ask);
        form->addRow(box);
        connect(box, &QDialogButtonBox::accepted, &ask, &QDialog::accept);
        connect(box, &QDialogButtonBox::rejected, &ask, &QDialog::reject);
        if (ask.exec() != QDialog::Accepted)
            return;
        QString flags;
        for (QCheckBox *b : boxes)
            flags += b->isChecked() ? QLatin1Char('1') : QLatin1Char('0');
        p.weekdays = flags;
        p.earliest = earliestOn->isChecked() ? earliest->time() : QTime();
        p.latest = latestOn->isChecked() ? latest->time() : QTime();
        try {
            store.setPreferences(m_clientId, p);
        } catch (const std::exception &error) {
            QMessageBox::warning(this, tr("Not Saved"), QString::fromUtf8(error.what()));
        }
        reload();
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Calendar"), QString(),
                                                          tr("iCalendar (*.ics)"));
        if (path.isEmpty())
            return;
        try {
            clinic::writeFileAtomically(path, clinic::exportCalendar(m_db, m_clientId));
        } catch (const std::exception &error) {
            QMessageBox::warning(this, tr("Not Exported"), QString::fromUtf8(error.what()));
        }
    });
}

void ClientScheduleTab::setUndoStacks(ClientUndoStacks *stacks)
{
    m_undoStacks = stacks;
    connect(stacks, &ClientUndoStacks::appointmentsChanged, this, [this](RecordId clientId) {
        if (clientId == m_clientId) {
            reload();
            emit changed();
        }
    });
}

void ClientScheduleTab::showClient(RecordId clientId)
{
    m_clientId = clientId;
    reload();
}

RecordId ClientScheduleTab::selectedAppointment() const
{
    const int row = m_timeline->currentRow();
    if (row < 0 || !m_timeline->item(row, 0))
        return 0;
    return m_timeline->item(row, 0)->data(Qt::UserRole).toLongLong();
}

void ClientScheduleTab::markSelected(AppointmentStatus status)
{
    const RecordId id = selectedAppointment();
    if (!id)
        return;
    try {
        AppointmentStore(m_db).setStatus(id, status);
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Not Changed"), QString::fromUtf8(error.what()));
    }
    reload();
    emit changed();
}

void ClientScheduleTab::reload()
{
    m_timeline->setRowCount(0);
    if (!m_clientId)
        return;
    try {
        const clinic::ScheduleSettings settings = clinic::scheduleSettings(m_db);
        const QTimeZone &zone = settings.calendar.timeZone;
        AppointmentStore store(m_db);
        struct Row
        {
            QDateTime when;
            RecordId appointment = 0;
            QStringList cells;
            QColor colour;
        };
        std::vector<Row> rows;
        int booked = 0, done = 0;
        QDate recall;
        for (const Appointment &a : store.ofClient(m_clientId)) {
            Row r;
            r.when = a.start;
            r.appointment = a.id;
            const bool isRecall = a.kind == QLatin1String("recall");
            QString recorded;
            if (const auto rec = store.sessionRecord(a.id))
                recorded = QStringList{rec->dilution, rec->needle,
                                       rec->minutes ? tr("%1 min").arg(*rec->minutes) : QString(),
                                       rec->notes}
                               .filter(QRegularExpression(QStringLiteral(".")))
                               .join(QStringLiteral(" · "));
            r.cells = {isRecall
                           ? a.start.toTimeZone(zone).toString(QStringLiteral("ddd yyyy-MM-dd"))
                           : a.start.toTimeZone(zone).toString(kWhen),
                       clinic::appointmentTitle(a),
                       isRecall ? QString() : QString::number(a.minutes / 60.0, 'f', 1),
                       // A recall is a reminder to call the client, not a booked visit.
                       isRecall && a.status == AppointmentStatus::Booked ? tr("reminder")
                                                                         : statusText(a.status),
                       recorded};
            r.colour = isRecall ? kRecallColour : statusColour(a.status);
            if (isRecall)
                recall = a.start.toTimeZone(zone).date();
            else {
                booked += a.status == AppointmentStatus::Booked;
                done += a.status == AppointmentStatus::Done;
            }
            rows.push_back(r);
        }
        for (const storage::Photo &p : storage::PhotoLibrary(m_db).photos(m_clientId)) {
            Row r;
            r.when = p.takenAt;
            r.cells = {p.takenAt.toTimeZone(zone).toString(kWhen),
                       tr("Photo (%1)").arg(storage::toString(p.view)), QString(), QString(),
                       p.originalName};
            r.colour = QColor(110, 110, 110);
            rows.push_back(r);
        }
        std::stable_sort(rows.begin(), rows.end(),
                         [](const Row &a, const Row &b) { return a.when < b.when; });
        m_timeline->setRowCount(static_cast<int>(rows.size()));
        for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
            const Row &r = rows[static_cast<std::size_t>(i)];
            for (int c = 0; c < 5; ++c) {
                auto *item = cell(r.cells.value(c));
                if (c == 0)
                    item->setData(Qt::UserRole, qint64(r.appointment));
                if (c == 3)
                    item->setForeground(r.colour);
                m_timeline->setItem(i, c, item);
            }
        }
        m_summary->setText(tr("%1 sessions booked, %2 done%3 · times in %4")
                               .arg(booked)
                               .arg(done)
                               .arg(recall.isValid()
                                        ? tr(" · touch-up due %1").arg(recall.toString(Qt::ISODate))
                                        : QString())
                               .arg(QString::fromUtf8(zone.id())));
    } catch (const std::exception &error) {
        m_summary->setText(QString::fromUtf8(error.what()));
    }
    m_move->setEnabled(false);
    m_mark->setEnabled(false);
    m_record->setEnabled(false);
    m_aftercare->setEnabled(false);
}

// --- CalendarView ----------------------------------------------------------------------------

CalendarView::CalendarView(storage::Database &db, QWidget *parent)
    : QWidget(parent)
    , m_db(db)
{
    setObjectName(QStringLiteral("calendarView"));
    setMinimumSize(640, 480);
    setMouseTracking(false);
    m_settings = clinic::scheduleSettings(db);
    m_date = QDateTime::currentDateTimeUtc().toTimeZone(m_settings.calendar.timeZone).date();
    reload();
}

void CalendarView::setMode(Mode mode)
{
    m_mode = mode;
    reload();
}

void CalendarView::setDate(QDate date)
{
    m_date = date;
    reload();
}

QDate CalendarView::firstDay() const
{
    switch (m_mode) {
    case Mode::Day:
        return m_date;
    case Mode::Week:
        return m_date.addDays(1 - m_date.dayOfWeek());
    case Mode::Month: {
        const QDate first(m_date.year(), m_date.month(), 1);
        return first.addDays(1 - first.dayOfWeek());
    }
    }
    return m_date;
}

QDate CalendarView::lastDay() const
{
    switch (m_mode) {
    case Mode::Day:
        return m_date;
    case Mode::Week:
        return firstDay().addDays(6);
    case Mode::Month:
        return firstDay().addDays(41);
    }
    return m_date;
}

void CalendarView::setUndoStacks(ClientUndoStacks *stacks)
{
    m_undoStacks = stacks;
    connect(stacks, &ClientUndoStacks::appointmentsChanged, this, &CalendarView::reload);
}

void CalendarView::reload()
{
    try {
        m_settings = clinic::scheduleSettings(m_db);
        const QTimeZone &zone = m_settings.calendar.timeZone;
        m_appointments =
            AppointmentStore(m_db).between(QDateTime(firstDay(), QTime(0, 0), zone),
                                           QDateTime(lastDay().addDays(1), QTime(0, 0), zone));
        storage::ClientStore clients(m_db);
        for (const Appointment &a : m_appointments)
            if (!m_names.count(a.clientId)) {
                const auto c = clients.find(a.clientId);
                m_names[a.clientId] = c ? c->displayName() : QString();
            }
    } catch (const std::exception &) {
        m_appointments.clear();
    }
    update();
}

int CalendarView::columns() const
{
    return m_mode == Mode::Day ? 1 : 7;
}

QRectF CalendarView::grid() const
{
    const double gutter = m_mode == Mode::Month ? 0 : 52;
    const double header = m_mode == Mode::Month ? 22 : 42;
    return QRectF(gutter, header, width() - gutter - 1, height() - header - 1);
}

QRectF CalendarView::blockRect(const Appointment &a) const
{
    const QRectF g = grid();
    const QDateTime local = a.start.toTimeZone(m_settings.calendar.timeZone);
    const qint64 day = firstDay().daysTo(local.date());
    if (day < 0 || local.date() > lastDay())
        return {};
    if (m_mode == Mode::Month) {
        const double w = g.width() / 7, h = g.height() / 6;
        int index = 0;
        for (const Appointment &b : m_appointments) {
            if (b.id == a.id)
                break;
            index += b.start.toTimeZone(m_settings.calendar.timeZone).date() == local.date();
        }
        return QRectF(g.x() + static_cast<double>(day % 7) * w + 2,
                      g.y() + static_cast<double>(day / 7) * h + 18 + index * 15, w - 4, 14);
    }
    const double w = g.width() / columns();
    const double hourHeight = g.height() / (kLastHour - kFirstHour);
    if (a.kind == QLatin1String("recall"))
        return QRectF(g.x() + static_cast<double>(day) * w + 2, g.y() - 18, w - 4, 16);
    const double top =
        g.y() + (local.time().msecsSinceStartOfDay() / 3600000.0 - kFirstHour) * hourHeight;
    return QRectF(g.x() + static_cast<double>(day) * w + 3, top, w - 6,
                  std::max(12.0, a.minutes / 60.0 * hourHeight));
}

QRectF CalendarView::blockOf(RecordId appointmentId) const
{
    for (const Appointment &a : m_appointments)
        if (a.id == appointmentId)
            return blockRect(a);
    return {};
}

QDateTime CalendarView::timeAt(QPointF point) const
{
    if (m_mode == Mode::Month)
        return {};
    const QRectF g = grid();
    if (!g.contains(point))
        return {};
    const int column = static_cast<int>((point.x() - g.x()) / (g.width() / columns()));
    const double hours = kFirstHour + (point.y() - g.y()) / g.height() * (kLastHour - kFirstHour);
    const int step = m_settings.calendar.slotMinutes;
    const int minutes = static_cast<int>(std::lround(hours * 60 / step)) * step;
    return QDateTime(firstDay().addDays(column), QTime(minutes / 60 % 24, minutes % 60),
                     m_settings.calendar.timeZone);
}

RecordId CalendarView::appointmentAt(QPointF point) const
{
    for (auto it = m_appointments.rbegin(); it != m_appointments.rend(); ++it)
        if (blockRect(*it).contains(point))
            return it->id;
    return 0;
}

void CalendarView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QRectF g = grid();
    const QTimeZone &zone = m_settings.calendar.timeZone;
    const QDate today = QDateTime::currentDateTimeUtc().toTimeZone(zone).date();
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    if (m_mode == Mode::Month) {
        const double w = g.width() / 7, h = g.height() / 6;
        for (int d = 0; d < 7; ++d)
            p.drawText(QRectF(g.x() + d * w, 0, w, g.y()), Qt::AlignCenter,
                       scheduling::weekdayName(d));
        for (int i = 0; i < 42; ++i) {
            const QDate day = firstDay().addDays(i);
            const QRectF box(g.x() + (i % 7) * w, g.y() + (i / 7) * h, w, h);
            const bool closed =
                !m_settings.calendar.week[static_cast<std::size_t>(day.dayOfWeek() - 1)].isOpen() ||
                m_settings.calendar.closureOn(day);
            if (closed)
                p.fillRect(box, QColor(235, 235, 235));
            if (day.month() != m_date.month())
                p.fillRect(box, QColor(0, 0, 0, 12));
            p.setPen(QColor(200, 200, 200));
            p.drawRect(box);
            p.setPen(day == today ? QColor(200, 40, 40) : palette().text().color());
            p.drawText(box.adjusted(4, 2, -4, 0), Qt::AlignLeft | Qt::AlignTop,
                       QString::number(day.day()));
        }
    } else {
        const double w = g.width() / columns();
        const double hourHeight = g.height() / (kLastHour - kFirstHour);
        for (int c = 0; c < columns(); ++c) {
            const QDate day = firstDay().addDays(c);
            const QRectF column(g.x() + c * w, g.y(), w, g.height());
            const scheduling::DayHours &hours =
                m_settings.calendar.week[static_cast<std::size_t>(day.dayOfWeek() - 1)];
            const scheduling::Closure *closure = m_settings.calendar.closureOn(day);
            // Closed hours shaded: before opening, after closing, whole closed days.
            p.fillRect(column, QColor(238, 238, 238));
            if (hours.isOpen() && !closure) {
                const double top =
                    g.y() +
                    (hours.opens.msecsSinceStartOfDay() / 3600000.0 - kFirstHour) * hourHeight;
                const double bottom =
                    g.y() +
                    (hours.closes.msecsSinceStartOfDay() / 3600000.0 - kFirstHour) * hourHeight;
                p.fillRect(QRectF(column.x(), top, w, bottom - top), palette().base());
            }
            p.setPen(day == today ? QColor(200, 40, 40) : palette().text().color());
            p.drawText(QRectF(column.x(), 0, w, 22), Qt::AlignCenter,
                       QLocale().toString(day, QStringLiteral("ddd d MMM")));
            if (closure) {
                p.setFont(small);
                p.setPen(QColor(120, 120, 120));
                p.drawText(column.adjusted(4, 30, -4, 0),
                           Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap,
                           tr("Closed: %1").arg(closure->reason));
                p.setFont(font());
            }
        }
        p.setPen(QColor(215, 215, 215));
        for (int h = kFirstHour; h <= kLastHour; ++h) {
            const double y = g.y() + (h - kFirstHour) * hourHeight;
            p.drawLine(QPointF(g.x(), y), QPointF(g.right(), y));
            p.setPen(palette().text().color());
            p.drawText(QRectF(0, y - 8, g.x() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
                       QStringLiteral("%1:00").arg(h, 2, 10, QLatin1Char('0')));
            p.setPen(QColor(215, 215, 215));
        }
        for (int c = 0; c <= columns(); ++c)
            p.drawLine(QPointF(g.x() + c * w, g.y() - 20), QPointF(g.x() + c * w, g.bottom()));
    }
    p.setFont(small);
    for (const Appointment &a : m_appointments) {
        QRectF r = blockRect(a);
        if (r.isEmpty())
            continue;
        const bool recall = a.kind == QLatin1String("recall");
        QColor colour = recall ? kRecallColour : statusColour(a.status);
        if (a.id == m_dragging)
            colour.setAlpha(90);
        p.setPen(Qt::NoPen);
        p.setBrush(colour);
        p.drawRoundedRect(r, 3, 3);
        p.setPen(Qt::white);
        const QString time = a.start.toTimeZone(zone).toString(QStringLiteral("HH:mm"));
        const QString name = m_names.count(a.clientId) ? m_names.at(a.clientId) : QString();
        const QString text =
            recall
                ? tr("Touch-up due: %1").arg(name)
                : (m_mode == Mode::Month
                       ? QStringLiteral("%1 %2 S%3").arg(time, name).arg(a.session)
                       : QStringLiteral("%1 %2\n%3").arg(time, name, clinic::appointmentTitle(a)));
        p.drawText(r.adjusted(4, 1, -3, -1), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
        if (a.status == AppointmentStatus::Cancelled)
            p.drawLine(r.topLeft() + QPointF(3, r.height() / 2),
                       r.topRight() + QPointF(-3, r.height() / 2));
    }
    if (m_dragging) {
        for (const Appointment &a : m_appointments)
            if (a.id == m_dragging) {
                QRectF r = blockRect(a);
                r.moveTopLeft(m_dragAt - m_dragOffset);
                QPen dashed(statusColour(a.status), 2, Qt::DashLine);
                p.setPen(dashed);
                p.setBrush(Qt::NoBrush);
                p.drawRoundedRect(r, 3, 3);
                const QDateTime at = timeAt(r.topLeft() + QPointF(2, 0));
                if (at.isValid())
                    p.drawText(r.adjusted(4, 2, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                               at.toString(QStringLiteral("ddd HH:mm")));
            }
    }
}

void CalendarView::mousePressEvent(QMouseEvent *event)
{
    const RecordId id = appointmentAt(event->position());
    if (!id || m_mode == Mode::Month || event->button() != Qt::LeftButton)
        return;
    for (const Appointment &a : m_appointments)
        if (a.id == id && a.kind == QLatin1String("session") &&
            a.status == AppointmentStatus::Booked) {
            m_dragging = id;
            m_dragOffset = event->position() - blockRect(a).topLeft();
            m_dragAt = event->position();
        }
}

void CalendarView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    m_dragAt = event->position();
    update();
}

void CalendarView::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    const RecordId id = m_dragging;
    m_dragging = 0;
    const QPointF topLeft = event->position() - m_dragOffset;
    const QDateTime start = timeAt(topLeft + QPointF(2, 0));
    const QRectF before = blockOf(id);
    if (start.isValid() && (topLeft - before.topLeft()).manhattanLength() > 3 &&
        moveAppointmentInteractively(this, m_db, id, start, m_undoStacks))
        emit appointmentMoved(id);
    reload();
}

void CalendarView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const RecordId id = appointmentAt(event->position());
    for (const Appointment &a : m_appointments)
        if (a.id == id)
            emit clientActivated(a.clientId);
}

// --- CalendarWindow --------------------------------------------------------------------------

CalendarWindow::CalendarWindow(storage::Database &db, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_db(db)
{
    setWindowTitle(tr("Clinic Calendar"));
    restoreWindowGeometry(this, QStringLiteral("calendar"), QSize(1280, 820));
    auto *layout = new QVBoxLayout(this);
    auto *menuBar = new QMenuBar(this);
    layout->setMenuBar(menuBar);
    m_editMenu = menuBar->addMenu(tr("&Edit"));
    m_editMenu->setEnabled(false); // until setUndoStacks
    auto *bar = new QHBoxLayout;
    auto *modes = new QButtonGroup(this);
    const auto modeButton = [&](const QString &text, CalendarView::Mode mode, const QString &name) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setObjectName(name);
        b->setCheckable(true);
        modes->addButton(b);
        bar->addWidget(b);
        connect(b, &QToolButton::clicked, this, [this, mode] {
            m_view->setMode(mode);
            updateTitle();
        });
        return b;
    };
    modeButton(tr("Day"), CalendarView::Mode::Day, QStringLiteral("dayMode"));
    modeButton(tr("Week"), CalendarView::Mode::Week, QStringLiteral("weekMode"))->setChecked(true);
    modeButton(tr("Month"), CalendarView::Mode::Month, QStringLiteral("monthMode"));
    bar->addSpacing(12);
    const auto step = [this](int direction) {
        const QDate d = m_view->date();
        switch (m_view->mode()) {
        case CalendarView::Mode::Day:
            m_view->setDate(d.addDays(direction));
            break;
        case CalendarView::Mode::Week:
            m_view->setDate(d.addDays(7 * direction));
            break;
        case CalendarView::Mode::Month:
            m_view->setDate(d.addMonths(direction));
            break;
        }
        updateTitle();
    };
    auto *previous = new QToolButton(this);
    previous->setText(QStringLiteral("<"));
    previous->setToolTip(tr("Previous"));
    auto *today = new QToolButton(this);
    today->setText(tr("Today"));
    auto *next = new QToolButton(this);
    next->setText(QStringLiteral(">"));
    next->setToolTip(tr("Next"));
    bar->addWidget(previous);
    bar->addWidget(today);
    bar->addWidget(next);
    m_title = new QLabel(this);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    bar->addSpacing(12);
    bar->addWidget(m_title);
    bar->addStretch();
    auto *exportButton = new QPushButton(tr("Export Calendar..."), this);
    exportButton->setToolTip(tr("The whole clinic's appointments as iCalendar (.ics)"));
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(this);
    m_view = new CalendarView(db, splitter);
    auto *side = new QWidget(splitter);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(
        new QLabel(tr("<b>Upcoming</b> (sessions in 14 days, touch-ups due in 90)"), side));
    m_upcoming = new QListWidget(side);
    m_upcoming->setObjectName(QStringLiteral("upcomingList"));
    m_upcoming->setSpacing(3); // its items are two lines each: kept apart
    sideLayout->addWidget(m_upcoming);
    splitter->addWidget(m_view);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    splitter->setSizes({960, 300});
    layout->addWidget(splitter, 1);

    connect(previous, &QToolButton::clicked, this, [step] { step(-1); });
    connect(next, &QToolButton::clicked, this, [step] { step(1); });
    connect(today, &QToolButton::clicked, this, [this] {
        m_view->setDate(QDate::currentDate());
        updateTitle();
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Calendar"), QString(),
                                                          tr("iCalendar (*.ics)"));
        if (path.isEmpty())
            return;
        try {
            clinic::writeFileAtomically(path, clinic::exportCalendar(m_db, std::nullopt));
        } catch (const std::exception &error) {
            QMessageBox::warning(this, tr("Not Exported"), QString::fromUtf8(error.what()));
        }
    });
    connect(m_view, &CalendarView::appointmentMoved, this, &CalendarWindow::reload);
    connect(m_view, &CalendarView::clientActivated, this, &CalendarWindow::clientActivated);
    connect(m_upcoming, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        emit clientActivated(item->data(Qt::UserRole).toLongLong());
    });
    reload();
}

void CalendarWindow::updateTitle()
{
    const QDate a = m_view->firstDay(), b = m_view->lastDay();
    if (m_view->mode() == CalendarView::Mode::Month)
        m_title->setText(QLocale().toString(m_view->date(), QStringLiteral("MMMM yyyy")));
    else if (a == b)
        m_title->setText(QLocale().toString(a, QStringLiteral("dddd d MMMM yyyy")));
    else
        m_title->setText(
            QStringLiteral("%1 - %2").arg(QLocale().toString(a, QStringLiteral("d MMM")),
                                          QLocale().toString(b, QStringLiteral("d MMM yyyy"))));
}

void CalendarWindow::closeEvent(QCloseEvent *event)
{
    saveWindowGeometry(this, QStringLiteral("calendar"));
    QWidget::closeEvent(event);
}

void CalendarWindow::setUndoStacks(ClientUndoStacks *stacks)
{
    m_undoStacks = stacks;
    m_view->setUndoStacks(stacks);
    QAction *undo = stacks->group()->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = stacks->group()->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    m_editMenu->addAction(undo);
    m_editMenu->addAction(redo);
    m_editMenu->setEnabled(true);
    connect(m_view, &CalendarView::appointmentMoved, this, [this](RecordId id) {
        if (const auto moved = AppointmentStore(m_db).find(id))
            m_undoStacks->setActiveClient(moved->clientId);
    });
    connect(stacks, &ClientUndoStacks::appointmentsChanged, this, &CalendarWindow::reload);
}

void CalendarWindow::reload()
{
    m_view->reload();
    updateTitle();
    m_upcoming->clear();
    try {
        const clinic::ScheduleSettings settings = clinic::scheduleSettings(m_db);
        const QTimeZone &zone = settings.calendar.timeZone;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        storage::ClientStore clients(m_db);
        for (const Appointment &a :
             AppointmentStore(m_db).between(now.addDays(-1), now.addDays(90))) {
            const bool recall = a.kind == QLatin1String("recall");
            if ((!recall && (a.start > now.addDays(14) || a.start < now ||
                             a.status != AppointmentStatus::Booked)) ||
                (recall && a.status != AppointmentStatus::Booked))
                continue;
            const auto client = clients.find(a.clientId);
            // Two short lines, when and what over whom, so that the side panel need not scroll
            // sideways (within 90 days the day and month say which date it is).
            auto *item = new QListWidgetItem(
                QStringLiteral("%1 · %2\n%3")
                    .arg(a.start.toTimeZone(zone).toString(recall
                                                               ? QStringLiteral("ddd d MMM")
                                                               : QStringLiteral("ddd d MMM HH:mm")),
                         clinic::appointmentTitle(a), client ? client->displayName() : QString()),
                m_upcoming);
            item->setData(Qt::UserRole, qint64(a.clientId));
            item->setForeground(recall ? kRecallColour : statusColour(a.status));
        }
        if (m_upcoming->count() == 0)
            m_upcoming->addItem(tr("Nothing in the next 14 days."));
    } catch (const std::exception &error) {
        m_upcoming->addItem(QString::fromUtf8(error.what()));
    }
}

} // namespace smp::gui
