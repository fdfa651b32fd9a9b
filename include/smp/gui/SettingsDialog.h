#pragma once

// The clinic's settings in one window (File > Settings): clinic details and texts for reports,
// opening hours and scheduling, the price list and the dilution table. They are stored in the
// database (they travel with backups); each part is validated by the same code as
// `smp settings set`, and a refusal names the field.

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;
class QTableWidget;
class QTimeEdit;

namespace smp::storage {
class Database;
}

namespace smp::gui {

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(storage::Database &db, QWidget *parent = nullptr);

    QTabWidget *tabs() const { return m_tabs; }
    QLineEdit *clinicNameEdit() const { return m_clinicName; }
    QDoubleSpinBox *fullHeadPriceBox() const { return m_fullHead; }
    QTableWidget *dilutionTable() const { return m_dilution; }
    QTableWidget *closuresTable() const { return m_closures; }
    QDoubleSpinBox *defaultDensityBox() const { return m_defaultDensity; }
    QDoubleSpinBox *impressionsBox() const { return m_impressions; }
    // Validates and stores every part; false (with a message naming the field) when one is
    // refused, and nothing of the refused part is stored.
    bool save();
    void accept() override;

private:
    void load();
    storage::Database &m_db;
    QTabWidget *m_tabs = nullptr;
    // Clinic and reports.
    QLineEdit *m_clinicName = nullptr;
    QLineEdit *m_address = nullptr;
    QLineEdit *m_contact = nullptr;
    QLineEdit *m_logo = nullptr;
    QComboBox *m_locale = nullptr;
    QPlainTextEdit *m_aftercare = nullptr;
    QPlainTextEdit *m_consent = nullptr;
    // Scheduling.
    QComboBox *m_timeZone = nullptr;
    QCheckBox *m_open[7] = {};
    QTimeEdit *m_opens[7] = {};
    QTimeEdit *m_closes[7] = {};
    QTableWidget *m_closures = nullptr;
    QSpinBox *m_slot = nullptr;
    QSpinBox *m_minimum = nullptr;
    QSpinBox *m_preferredFrom = nullptr;
    QSpinBox *m_preferredTo = nullptr;
    QSpinBox *m_recall = nullptr;
    QLineEdit *m_technician = nullptr;
    QDoubleSpinBox *m_defaultDensity = nullptr;
    QSpinBox *m_defaultSessions = nullptr;
    QDoubleSpinBox *m_impressions = nullptr;
    // Prices.
    QLineEdit *m_currency = nullptr;
    QDoubleSpinBox *m_hairlineUpTo = nullptr;
    QDoubleSpinBox *m_hairline = nullptr;
    QDoubleSpinBox *m_frontUpTo = nullptr;
    QDoubleSpinBox *m_front = nullptr;
    QDoubleSpinBox *m_fullHead = nullptr;
    QDoubleSpinBox *m_perSession = nullptr;
    QDoubleSpinBox *m_touchUp = nullptr;
    // Dilution.
    QTableWidget *m_dilution = nullptr;
};

} // namespace smp::gui
