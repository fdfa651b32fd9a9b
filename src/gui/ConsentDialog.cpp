#include "smp/gui/ConsentDialog.h"

#include "ui_ConsentDialog.h"

namespace smp::gui {

ConsentDialog::ConsentDialog(const QString &clientName, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::ConsentDialog>())
{
    m_ui->setupUi(this);
    m_ui->kindCombo->addItems({tr("treatment"), tr("photography"), tr("data processing")});
    m_ui->signedOnEdit->setMaximumDate(QDate::currentDate());
    m_ui->signedOnEdit->setDate(QDate::currentDate());
    m_ui->signedByEdit->setText(clientName);
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &ConsentDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &ConsentDialog::reject);
}

ConsentDialog::~ConsentDialog() = default;

storage::Consent ConsentDialog::consent() const
{
    storage::Consent consent;
    consent.kind = m_ui->kindCombo->currentText().trimmed();
    consent.textVersion = m_ui->textVersionEdit->text().trimmed();
    consent.signedOn = m_ui->signedOnEdit->date();
    consent.signedBy = m_ui->signedByEdit->text().trimmed();
    return consent;
}

void ConsentDialog::accept()
{
    const storage::Consent entered = consent();
    QString problem;
    if (entered.kind.isEmpty())
        problem = tr("say what the consent is to");
    else if (entered.textVersion.isEmpty())
        problem = tr("enter the version of the consent text that was signed");
    else if (entered.signedBy.isEmpty())
        problem = tr("enter who signed");
    if (!problem.isEmpty()) {
        m_ui->problemLabel->setText(tr("Please %1.").arg(problem));
        return;
    }
    QDialog::accept();
}

} // namespace smp::gui
