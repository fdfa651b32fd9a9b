#pragma once

#include "smp/storage/Records.h"

#include <QDialog>

#include <functional>
#include <memory>

namespace Ui {
class ClientDialog;
}

namespace smp::gui {

// The form for a new or an edited client (ui/ClientDialog.ui).
//
// Save runs the save handler while the dialog is still open: when it throws (invalid field,
// database locked, disk full) the message is shown in the dialog and everything typed stays,
// so nothing is lost. The dialog closes only after a successful save.
class ClientDialog : public QDialog
{
    Q_OBJECT

public:
    // Stores the client; sets client.id when it was new. Throws std::exception on failure.
    using SaveHandler = std::function<void(storage::Client &client)>;

    explicit ClientDialog(QWidget *parent = nullptr);
    ~ClientDialog() override;

    void setClient(const storage::Client &client);
    // The client as entered (id of the client given to setClient, or 0 for a new one).
    storage::Client client() const;

    void setSaveHandler(SaveHandler handler);

    void accept() override;

private:
    void updateAge();

    std::unique_ptr<Ui::ClientDialog> m_ui;
    storage::Client m_original;
    SaveHandler m_saveHandler;
};

} // namespace smp::gui
