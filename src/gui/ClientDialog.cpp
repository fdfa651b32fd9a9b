#include "smp/gui/ClientDialog.h"

#include "ui_ClientDialog.h"

#include "smp/storage/ClientStore.h"

#include <QPushButton>

namespace smp::gui {

namespace {

const char *const kSkinTypeDescriptions[] = {
    "I - always burns, never tans",       "II - usually burns, tans minimally",
    "III - sometimes burns, tans evenly", "IV - burns minimally, tans well",
    "V - rarely burns, tans darkly",      "VI - never burns, deeply pigmented",
};

} // namespace

ClientDialog::ClientDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::ClientDialog>())
{
    m_ui->setupUi(this);

    m_ui->sexCombo->addItem(tr("Not stated"), QVariant::fromValue(int(storage::Sex::Unspecified)));
    m_ui->sexCombo->addItem(tr("Female"), QVariant::fromValue(int(storage::Sex::Female)));
    m_ui->sexCombo->addItem(tr("Male"), QVariant::fromValue(int(storage::Sex::Male)));
    m_ui->sexCombo->addItem(tr("Other"), QVariant::fromValue(int(storage::Sex::Other)));

    m_ui->skinTypeCombo->addItem(tr("Not assessed"), 0);
    for (int type = 1; type <= 6; ++type)
        m_ui->skinTypeCombo->addItem(QString::fromLatin1(kSkinTypeDescriptions[type - 1]), type);

    m_ui->hairColourCombo->addItems({QString(), tr("black"), tr("dark brown"), tr("brown"),
                                     tr("light brown"), tr("blond"), tr("red"), tr("grey"),
                                     tr("white")});

    m_ui->dateOfBirthEdit->setMaximumDate(QDate::currentDate());
    m_ui->dateOfBirthEdit->setMinimumDate(QDate(1900, 1, 1));
    m_ui->dateOfBirthEdit->setDate(QDate(1980, 1, 1));
    connect(m_ui->dateOfBirthKnownCheck, &QCheckBox::toggled, m_ui->dateOfBirthEdit,
            &QWidget::setEnabled);
    connect(m_ui->dateOfBirthKnownCheck, &QCheckBox::toggled, this, &ClientDialog::updateAge);
    connect(m_ui->dateOfBirthEdit, &QDateEdit::dateChanged, this, &ClientDialog::updateAge);

    QPushButton *save = m_ui->buttonBox->button(QDialogButtonBox::Save);
    save->setEnabled(false);
    connect(m_ui->familyNameEdit, &QLineEdit::textChanged, this,
            [save](const QString &text) { save->setEnabled(!text.trimmed().isEmpty()); });
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &ClientDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &ClientDialog::reject);

    setWindowTitle(tr("New Client"));
    updateAge();
}

ClientDialog::~ClientDialog() = default;

void ClientDialog::setClient(const storage::Client &client)
{
    m_original = client;
    setWindowTitle(client.id ? tr("Edit Client - %1").arg(client.displayName()) : tr("New Client"));
    m_ui->givenNameEdit->setText(client.givenName);
    m_ui->familyNameEdit->setText(client.familyName);
    m_ui->dateOfBirthKnownCheck->setChecked(client.dateOfBirth.isValid());
    if (client.dateOfBirth.isValid())
        m_ui->dateOfBirthEdit->setDate(client.dateOfBirth);
    m_ui->sexCombo->setCurrentIndex(m_ui->sexCombo->findData(int(client.sex)));
    m_ui->phoneEdit->setText(client.phone);
    m_ui->emailEdit->setText(client.email);
    m_ui->addressEdit->setPlainText(client.address);
    m_ui->skinTypeCombo->setCurrentIndex(
        m_ui->skinTypeCombo->findData(client.fitzpatrick.value_or(0)));
    m_ui->hairColourCombo->setCurrentText(client.hairColour);
    m_ui->notesEdit->setPlainText(client.notes);
    updateAge();
}

storage::Client ClientDialog::client() const
{
    storage::Client client = m_original;
    client.givenName = m_ui->givenNameEdit->text().trimmed();
    client.familyName = m_ui->familyNameEdit->text().trimmed();
    client.dateOfBirth =
        m_ui->dateOfBirthKnownCheck->isChecked() ? m_ui->dateOfBirthEdit->date() : QDate();
    client.sex = static_cast<storage::Sex>(m_ui->sexCombo->currentData().toInt());
    client.phone = m_ui->phoneEdit->text().trimmed();
    client.email = m_ui->emailEdit->text().trimmed();
    client.address = m_ui->addressEdit->toPlainText().trimmed();
    const int skinType = m_ui->skinTypeCombo->currentData().toInt();
    client.fitzpatrick = skinType ? std::optional<int>(skinType) : std::nullopt;
    client.hairColour = m_ui->hairColourCombo->currentText().trimmed();
    client.notes = m_ui->notesEdit->toPlainText();
    return client;
}

void ClientDialog::setSaveHandler(SaveHandler handler)
{
    m_saveHandler = std::move(handler);
}

void ClientDialog::accept()
{
    storage::Client entered = client();
    if (const QString problem = storage::validateClient(entered); !problem.isEmpty()) {
        m_ui->problemLabel->setText(tr("Please check: %1").arg(problem));
        return;
    }
    if (m_saveHandler) {
        try {
            m_saveHandler(entered);
        } catch (const std::exception &error) {
            m_ui->problemLabel->setText(tr("Not saved: %1").arg(QString::fromUtf8(error.what())));
            return;
        }
    }
    m_original = entered;
    m_ui->problemLabel->clear();
    QDialog::accept();
}

void ClientDialog::updateAge()
{
    if (!m_ui->dateOfBirthKnownCheck->isChecked()) {
        m_ui->ageLabel->clear();
        return;
    }
    const QDate born = m_ui->dateOfBirthEdit->date();
    const QDate today = QDate::currentDate();
    int age = today.year() - born.year();
    if (today < born.addYears(age))
        --age;
    m_ui->ageLabel->setText(tr("age %1").arg(age));
}

} // namespace smp::gui
