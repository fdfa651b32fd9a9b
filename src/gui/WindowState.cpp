#include "smp/gui/WindowState.h"

#include <QSettings>
#include <QWidget>

namespace smp::gui {

void restoreWindowGeometry(QWidget *window, const QString &key, QSize fallback)
{
    const QByteArray saved = QSettings().value(key + QStringLiteral("/geometry")).toByteArray();
    if (saved.isEmpty() || !window->restoreGeometry(saved))
        window->resize(fallback);
}

void saveWindowGeometry(const QWidget *window, const QString &key)
{
    QSettings().setValue(key + QStringLiteral("/geometry"), window->saveGeometry());
}

} // namespace smp::gui
