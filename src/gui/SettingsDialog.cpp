#include "smp/gui/SettingsDialog.h"

#include "smp/clinic/Planning.h"
#include "smp/clinic/Report.h"
#include "smp/clinic/Scheduling.h"
#include "smp/planning/Pricing.h"
#include "smp/storage/Database.h"
#include "smp/storage/StorageError.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimeEdit>
#include <QTimeZone>
#include <QVBoxLayout>

namespace smp::gui {

namespace {

const char *const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

QDoubleSpinBox *money(QWidget *parent, double max = 100000)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setRange(0, max);
    box->setDecimals(0);
    box->setSingleStep(50);
    return box;
}

// Edits a cell holding an ISO date ("2026-12-24") with a date editor and its calendar, so that
// a closure's day is picked, not typed in a format to remember. The cell keeps the ISO text the
// settings are saved from; a cell whose text is no date opens on today.
class IsoDateDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &,
                          const QModelIndex &) const override
    {
        auto *editor = new QDateEdit(parent);
        editor->setCalendarPopup(true);
        editor->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        return editor;
    }

    void setEditorData(QWidget *editor, const QModelIndex &index) const override
    {
        const QDate date = QDate::fromString(index.data().toString(), Qt::ISODate);
        static_cast<QDateEdit *>(editor)->setDate(date.isValid() ? date : QDate::currentDate());
    }

    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override
    {
        model->setData(index, static_cast<QDateEdit *>(editor)->date().toString(Qt::ISODate));
    }
};

// A table with an Add and a Remove button under it.
QWidget *editableTable(QTableWidget *table, QWidget *parent, const std::function<void()> &addRow)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table);
    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(QObject::tr("Add"), box);
    auto *remove = new QPushButton(QObject::tr("Remove"), box);
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    layout->addLayout(buttons);
    QObject::connect(add, &QPushButton::clicked, box, addRow);
    QObject::connect(remove, &QPushButton::clicked, box, [table] {
        if (table->currentRow() >= 0)
            table->removeRow(table->currentRow());
    });
    return box;
}

QString cellText(QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

SettingsDialog::SettingsDialog(storage::Database &db, QWidget *parent)
    : QDialog(parent)
    , m_db(db)
{
    setWindowTitle(tr("Settings"));
    resize(760, 640);
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    layout->addWidget(m_tabs);

    // Clinic and reports.
    auto *clinicPage = new QWidget(this);
    auto *clinicForm = new QFormLayout(clinicPage);
    m_clinicName = new QLineEdit(clinicPage);
    m_clinicName->setObjectName(QStringLiteral("settingsClinicName"));
    m_address = new QLineEdit(clinicPage);
    m_contact = new QLineEdit(clinicPage);
    m_contact->setPlaceholderText(tr("phone · e-mail · web"));
    auto *logoRow = new QHBoxLayout;
    m_logo = new QLineEdit(clinicPage);
    auto *browse = new QPushButton(tr("Choose..."), clinicPage);
    logoRow->addWidget(m_logo, 1);
    logoRow->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Clinic Logo"), QString(),
                                                          tr("Images (*.png *.jpg *.jpeg)"));
        if (!path.isEmpty())
            m_logo->setText(path);
    });
    m_locale = new QComboBox(clinicPage);
    m_locale->setEditable(true);
    m_locale->addItems({QStringLiteral("en_US"), QStringLiteral("en_GB"), QStringLiteral("de_DE"),
                        QStringLiteral("fr_FR"), QStringLiteral("es_ES"), QStringLiteral("it_IT"),
                        QStringLiteral("nl_NL"), QStringLiteral("pt_BR"), QStringLiteral("pl_PL"),
                        QStringLiteral("tr_TR"), QStringLiteral("ar_AE"), QStringLiteral("ja_JP")});
    m_aftercare = new QPlainTextEdit(clinicPage);
    m_aftercare->setToolTip(
        tr("One rule per line; {session+N} is the date N days after the session"));
    m_consent = new QPlainTextEdit(clinicPage);
    clinicForm->addRow(tr("Clinic name:"), m_clinicName);
    clinicForm->addRow(tr("Address:"), m_address);
    clinicForm->addRow(tr("Contact:"), m_contact);
    clinicForm->addRow(tr("Logo:"), logoRow);
    clinicForm->addRow(tr("Dates and money as in:"), m_locale);
    clinicForm->addRow(tr("Aftercare rules:"), m_aftercare);
    clinicForm->addRow(tr("Consent text:"), m_consent);
    m_tabs->addTab(clinicPage, tr("Clinic and Reports"));

    // Scheduling.
    auto *schedulePage = new QWidget(this);
    auto *scheduleLayout = new QVBoxLayout(schedulePage);
    auto *scheduleForm = new QFormLayout;
    m_timeZone = new QComboBox(schedulePage);
    m_timeZone->setEditable(true);
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds())
        m_timeZone->addItem(QString::fromUtf8(id));
    scheduleForm->addRow(tr("Time zone:"), m_timeZone);
    auto *hours = new QGridLayout;
    for (int d = 0; d < 7; ++d) {
        m_open[d] = new QCheckBox(scheduling::weekdayName(d), schedulePage);
        m_opens[d] = new QTimeEdit(schedulePage);
        m_closes[d] = new QTimeEdit(schedulePage);
        m_opens[d]->setDisplayFormat(QStringLiteral("HH:mm"));
        m_closes[d]->setDisplayFormat(QStringLiteral("HH:mm"));
        hours->addWidget(m_open[d], d, 0);
        hours->addWidget(m_opens[d], d, 1);
        hours->addWidget(new QLabel(QStringLiteral("-"), schedulePage), d, 2);
        hours->addWidget(m_closes[d], d, 3);
        connect(m_open[d], &QCheckBox::toggled, m_opens[d], &QWidget::setEnabled);
        connect(m_open[d], &QCheckBox::toggled, m_closes[d], &QWidget::setEnabled);
    }
    // The times keep their natural width; the space left over goes to an empty last column.
    hours->setColumnStretch(4, 1);
    scheduleForm->addRow(tr("Opening hours:"), hours);
    m_closures = new QTableWidget(0, 3, schedulePage);
    m_closures->setObjectName(QStringLiteral("closuresTable"));
    m_closures->setHorizontalHeaderLabels({tr("From"), tr("To"), tr("Reason")});
    m_closures->horizontalHeader()->setStretchLastSection(true);
    m_closures->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_closures->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_closures->setMaximumHeight(130);
    auto *dates = new IsoDateDelegate(m_closures);
    m_closures->setItemDelegateForColumn(0, dates);
    m_closures->setItemDelegateForColumn(1, dates);
    scheduleForm->addRow(tr("Closures and holidays:"),
                         editableTable(m_closures, schedulePage, [this] {
                             // A new closure starts on today, one day long.
                             const int row = m_closures->rowCount();
                             m_closures->insertRow(row);
                             const QString today = QDate::currentDate().toString(Qt::ISODate);
                             m_closures->setItem(row, 0, new QTableWidgetItem(today));
                             m_closures->setItem(row, 1, new QTableWidgetItem(today));
                             m_closures->setCurrentCell(row, 0);
                         }));
    m_slot = new QSpinBox(schedulePage);
    m_slot->setRange(5, 120);
    m_slot->setSuffix(tr(" min"));
    scheduleForm->addRow(tr("Appointments start every:"), m_slot);
    auto *interval = new QHBoxLayout;
    m_minimum = new QSpinBox(schedulePage);
    m_preferredFrom = new QSpinBox(schedulePage);
    m_preferredTo = new QSpinBox(schedulePage);
    for (QSpinBox *box : {m_minimum, m_preferredFrom, m_preferredTo})
        box->setRange(1, 120);
    m_minimum->setPrefix(tr("at least "));
    m_preferredTo->setSuffix(tr(" days"));
    interval->addWidget(m_minimum);
    interval->addWidget(new QLabel(tr("preferably"), schedulePage));
    interval->addWidget(m_preferredFrom);
    interval->addWidget(new QLabel(QStringLiteral("-"), schedulePage));
    interval->addWidget(m_preferredTo);
    interval->addStretch();
    scheduleForm->addRow(tr("Between sessions:"), interval);
    m_recall = new QSpinBox(schedulePage);
    m_recall->setRange(1, 8);
    m_recall->setSuffix(tr(" years"));
    scheduleForm->addRow(tr("Touch-up recall after:"), m_recall);
    m_technician = new QLineEdit(schedulePage);
    scheduleForm->addRow(tr("Technician:"), m_technician);
    scheduleLayout->addLayout(scheduleForm);
    m_tabs->addTab(schedulePage, tr("Hours and Scheduling"));

    // Prices.
    auto *pricePage = new QWidget(this);
    auto *priceForm = new QFormLayout(pricePage);
    m_currency = new QLineEdit(pricePage);
    m_currency->setMaxLength(3);
    m_currency->setToolTip(tr("ISO code, e.g. USD, EUR, GBP"));
    m_hairlineUpTo = new QDoubleSpinBox(pricePage);
    m_frontUpTo = new QDoubleSpinBox(pricePage);
    for (QDoubleSpinBox *box : {m_hairlineUpTo, m_frontUpTo}) {
        box->setRange(1, 1000);
        box->setDecimals(0);
        box->setSuffix(tr(" cm²"));
    }
    m_hairline = money(pricePage);
    m_front = money(pricePage);
    m_fullHead = money(pricePage);
    m_fullHead->setObjectName(QStringLiteral("settingsFullHead"));
    m_perSession = money(pricePage);
    m_perSession->setToolTip(tr("Above 0: the course is priced per session instead of by area"));
    m_touchUp = money(pricePage);
    priceForm->addRow(tr("Currency:"), m_currency);
    priceForm->addRow(tr("Hairline: up to"), m_hairlineUpTo);
    priceForm->addRow(tr("Hairline price:"), m_hairline);
    priceForm->addRow(tr("Front half: up to"), m_frontUpTo);
    priceForm->addRow(tr("Front half price:"), m_front);
    priceForm->addRow(tr("Full head price:"), m_fullHead);
    priceForm->addRow(tr("Per session (0: by area):"), m_perSession);
    priceForm->addRow(tr("Touch-up:"), m_touchUp);
    // A new plan's starting values.
    m_defaultDensity = new QDoubleSpinBox(pricePage);
    m_defaultDensity->setObjectName(QStringLiteral("defaultDensity"));
    m_defaultDensity->setRange(40, 200);
    m_defaultDensity->setDecimals(0);
    m_defaultDensity->setSuffix(tr(" dots/cm²"));
    m_defaultDensity->setToolTip(tr("Full density on bald skin for a new plan"));
    priceForm->addRow(tr("New plans: density"), m_defaultDensity);
    m_defaultSessions = new QSpinBox(pricePage);
    m_defaultSessions->setRange(2, 6);
    priceForm->addRow(tr("New plans: sessions"), m_defaultSessions);
    m_impressions = new QDoubleSpinBox(pricePage);
    m_impressions->setObjectName(QStringLiteral("impressionsPerMinute"));
    m_impressions->setRange(10, 300);
    m_impressions->setDecimals(0);
    m_impressions->setSuffix(tr(" per minute"));
    m_impressions->setToolTip(
        tr("The clinic's pace of needle impressions: a plan's hours per session follow from it"));
    priceForm->addRow(tr("Impressions"), m_impressions);
    m_tabs->addTab(pricePage, tr("Prices and Plans"));

    // Dilution.
    auto *dilutionPage = new QWidget(this);
    auto *dilutionLayout = new QVBoxLayout(dilutionPage);
    dilutionLayout->addWidget(new QLabel(
        tr("The first row that matches the client's skin type and hair colour gives the pigment "
           "share of the mix (pigment / (pigment + water)) in the first and the last session. "
           "Skin type 0 stands for \"not recorded\"; no hair words match any hair."),
        dilutionPage));
    qobject_cast<QLabel *>(dilutionLayout->itemAt(0)->widget())->setWordWrap(true);
    m_dilution = new QTableWidget(0, 5, dilutionPage);
    m_dilution->setObjectName(QStringLiteral("dilutionTable"));
    m_dilution->setHorizontalHeaderLabels(
        {tr("Skin from"), tr("Skin to"), tr("Hair words"), tr("First share"), tr("Last share")});
    m_dilution->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    dilutionLayout->addWidget(editableTable(m_dilution, dilutionPage, [this] {
        const int row = m_dilution->rowCount();
        m_dilution->insertRow(row);
        const QStringList defaults{QStringLiteral("0"), QStringLiteral("6"), QString(),
                                   QStringLiteral("0.25"), QStringLiteral("0.45")};
        for (int c = 0; c < 5; ++c)
            m_dilution->setItem(row, c, new QTableWidgetItem(defaults[c]));
    }));
    m_tabs->addTab(dilutionPage, tr("Dilution"));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    load();
}

void SettingsDialog::load()
{
    try {
        const clinic::ReportSettings report = clinic::reportSettings(m_db);
        m_clinicName->setText(report.clinicName);
        m_address->setText(report.address);
        m_contact->setText(report.contact);
        m_logo->setText(report.logoPath);
        m_locale->setCurrentText(report.locale);
        m_aftercare->setPlainText(report.aftercare);
        m_consent->setPlainText(report.consent);
        const clinic::ScheduleSettings schedule = clinic::scheduleSettings(m_db);
        m_timeZone->setCurrentText(QString::fromUtf8(schedule.calendar.timeZone.id()));
        for (int d = 0; d < 7; ++d) {
            const scheduling::DayHours &h = schedule.calendar.week[static_cast<std::size_t>(d)];
            m_open[d]->setChecked(h.isOpen());
            m_opens[d]->setTime(h.isOpen() ? h.opens : QTime(9, 0));
            m_closes[d]->setTime(h.isOpen() ? h.closes : QTime(18, 0));
            m_opens[d]->setEnabled(h.isOpen());
            m_closes[d]->setEnabled(h.isOpen());
        }
        m_closures->setRowCount(0);
        for (const scheduling::Closure &c : schedule.calendar.closures) {
            const int row = m_closures->rowCount();
            m_closures->insertRow(row);
            m_closures->setItem(row, 0, new QTableWidgetItem(c.from.toString(Qt::ISODate)));
            m_closures->setItem(row, 1, new QTableWidgetItem(c.to.toString(Qt::ISODate)));
            m_closures->setItem(row, 2, new QTableWidgetItem(c.reason));
        }
        m_slot->setValue(schedule.calendar.slotMinutes);
        m_minimum->setValue(schedule.interval.minimumDays);
        m_preferredFrom->setValue(schedule.interval.preferredMinDays);
        m_preferredTo->setValue(schedule.interval.preferredMaxDays);
        m_recall->setValue(schedule.recallYears);
        m_technician->setText(schedule.technician);
        const clinic::PlanningTables tables = clinic::planningTables(m_db);
        const planning::PriceList &p = tables.prices;
        m_currency->setText(QString::fromStdString(p.currency));
        m_hairlineUpTo->setValue(p.hairlineUpToCm2);
        m_hairline->setValue(p.hairlinePrice);
        m_frontUpTo->setValue(p.frontHalfUpToCm2);
        m_front->setValue(p.frontHalfPrice);
        m_fullHead->setValue(p.fullHeadPrice);
        m_perSession->setValue(p.perSessionPrice);
        m_touchUp->setValue(p.touchUpPrice);
        m_defaultDensity->setValue(tables.defaults.densityDotsPerCm2);
        m_defaultSessions->setValue(tables.defaults.sessions);
        m_impressions->setValue(tables.defaults.impressionsPerMinute);
        m_dilution->setRowCount(0);
        for (const planning::DilutionRow &r : tables.dilution.rows) {
            const int row = m_dilution->rowCount();
            m_dilution->insertRow(row);
            QStringList words;
            for (const std::string &w : r.hairColours)
                words << QString::fromStdString(w);
            const QStringList cells{QString::number(r.skinTypeMin), QString::number(r.skinTypeMax),
                                    words.join(QStringLiteral(", ")), QString::number(r.firstShare),
                                    QString::number(r.lastShare)};
            for (int c = 0; c < 5; ++c)
                m_dilution->setItem(row, c, new QTableWidgetItem(cells[c]));
        }
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Settings"), QString::fromUtf8(error.what()));
    }
}

bool SettingsDialog::save()
{
    // Each part goes through the validating setter used by `smp settings set`.
    const auto attempt = [this](int tab, const QString &part, const std::function<void()> &store) {
        try {
            store();
            return true;
        } catch (const std::exception &error) {
            m_tabs->setCurrentIndex(tab);
            QMessageBox::warning(this, tr("Not Saved"),
                                 tr("%1: %2").arg(part, QString::fromUtf8(error.what())));
            return false;
        }
    };
    const bool reportOk = attempt(0, tr("Clinic and reports"), [this] {
        clinic::setReportSettings(
            m_db,
            QJsonDocument(QJsonObject{{QStringLiteral("clinic_name"), m_clinicName->text()},
                                      {QStringLiteral("address"), m_address->text()},
                                      {QStringLiteral("contact"), m_contact->text()},
                                      {QStringLiteral("logo"), m_logo->text()},
                                      {QStringLiteral("locale"), m_locale->currentText()},
                                      {QStringLiteral("aftercare"), m_aftercare->toPlainText()},
                                      {QStringLiteral("consent"), m_consent->toPlainText()}})
                .toJson());
    });
    const bool scheduleOk =
        reportOk && attempt(1, tr("Hours and scheduling"), [this] {
            QJsonObject hours;
            for (int d = 0; d < 7; ++d)
                hours.insert(QString::fromLatin1(kDays[d]),
                             m_open[d]->isChecked()
                                 ? QJsonValue(QJsonArray{
                                       m_opens[d]->time().toString(QStringLiteral("HH:mm")),
                                       m_closes[d]->time().toString(QStringLiteral("HH:mm"))})
                                 : QJsonValue(QJsonValue::Null));
            QJsonArray closures;
            for (int row = 0; row < m_closures->rowCount(); ++row) {
                if (cellText(m_closures, row, 0).isEmpty())
                    continue;
                QJsonObject c{{QStringLiteral("from"), cellText(m_closures, row, 0)},
                              {QStringLiteral("reason"), cellText(m_closures, row, 2)}};
                if (!cellText(m_closures, row, 1).isEmpty())
                    c.insert(QStringLiteral("to"), cellText(m_closures, row, 1));
                closures.append(c);
            }
            clinic::setScheduleSettings(
                m_db,
                QJsonDocument(
                    QJsonObject{
                        {QStringLiteral("time_zone"), m_timeZone->currentText()},
                        {QStringLiteral("hours"), hours},
                        {QStringLiteral("closures"), closures},
                        {QStringLiteral("slot_minutes"), m_slot->value()},
                        {QStringLiteral("interval_days"),
                         QJsonObject{{QStringLiteral("minimum"), m_minimum->value()},
                                     {QStringLiteral("preferred_from"), m_preferredFrom->value()},
                                     {QStringLiteral("preferred_to"), m_preferredTo->value()}}},
                        {QStringLiteral("recall_years"), m_recall->value()},
                        {QStringLiteral("clinic_name"), m_clinicName->text()},
                        {QStringLiteral("technician"), m_technician->text()}})
                    .toJson());
        });
    const bool pricesOk =
        scheduleOk && attempt(2, tr("Prices and plans"), [this] {
            planning::PriceList p;
            p.currency = m_currency->text().trimmed().toUpper().toStdString();
            p.hairlineUpToCm2 = m_hairlineUpTo->value();
            p.hairlinePrice = m_hairline->value();
            p.frontHalfUpToCm2 = m_frontUpTo->value();
            p.frontHalfPrice = m_front->value();
            p.fullHeadPrice = m_fullHead->value();
            p.perSessionPrice = m_perSession->value();
            p.touchUpPrice = m_touchUp->value();
            clinic::setPriceList(m_db, QByteArray::fromStdString(planning::priceListJson(p)));
            clinic::PlanDefaults d;
            d.densityDotsPerCm2 = m_defaultDensity->value();
            d.sessions = m_defaultSessions->value();
            d.impressionsPerMinute = m_impressions->value();
            clinic::setPlanDefaults(m_db, clinic::planDefaultsJson(d));
        });
    const bool dilutionOk =
        pricesOk && attempt(3, tr("Dilution"), [this] {
            planning::DilutionTable table;
            for (int row = 0; row < m_dilution->rowCount(); ++row) {
                planning::DilutionRow r;
                bool ok1 = false, ok2 = false, ok3 = false, ok4 = false;
                r.skinTypeMin = cellText(m_dilution, row, 0).toInt(&ok1);
                r.skinTypeMax = cellText(m_dilution, row, 1).toInt(&ok2);
                for (const QString &w :
                     cellText(m_dilution, row, 2).split(QLatin1Char(','), Qt::SkipEmptyParts))
                    r.hairColours.push_back(w.trimmed().toLower().toStdString());
                r.firstShare = cellText(m_dilution, row, 3).toDouble(&ok3);
                r.lastShare = cellText(m_dilution, row, 4).toDouble(&ok4);
                if (!(ok1 && ok2 && ok3 && ok4))
                    throw std::invalid_argument(
                        tr("row %1: skin types must be whole numbers and shares numbers")
                            .arg(row + 1)
                            .toStdString());
                table.rows.push_back(r);
            }
            clinic::setDilutionTable(m_db,
                                     QByteArray::fromStdString(planning::dilutionTableJson(table)));
        });
    return dilutionOk;
}

void SettingsDialog::accept()
{
    if (save())
        QDialog::accept();
}

} // namespace smp::gui
