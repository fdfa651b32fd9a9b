#pragma once

#include <QSize>
#include <QString>

class QWidget;

namespace smp::gui {

// Window sizes and places kept across restarts (QSettings, per user), under `key`
// ("photoViewer", "calendar", ...). Restoring falls back to `fallback` on first use or when the
// saved place is on a screen that is gone. GUI thread.
void restoreWindowGeometry(QWidget *window, const QString &key, QSize fallback);
void saveWindowGeometry(const QWidget *window, const QString &key);

} // namespace smp::gui
