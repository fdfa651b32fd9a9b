#pragma once

#include "smp/storage/Records.h"

#include <QDialog>

#include <memory>

namespace Ui {
class ConsentDialog;
}

namespace smp::gui {

// Records a signed consent (ui/ConsentDialog.ui). Closes only with all fields filled.
class ConsentDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ConsentDialog(const QString &clientName, QWidget *parent = nullptr);
    ~ConsentDialog() override;

    // The consent as entered; clientId is left 0 for the caller to set.
    storage::Consent consent() const;

    void accept() override;

private:
    std::unique_ptr<Ui::ConsentDialog> m_ui;
};

} // namespace smp::gui
