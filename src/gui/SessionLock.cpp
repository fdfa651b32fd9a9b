#include "smp/gui/SessionLock.h"

#include <QFileInfo>

namespace smp::gui {

SessionLock::SessionLock(const QString &databasePath)
    : m_lock(databasePath + QStringLiteral(".session"))
{
    const bool leftBehind = QFileInfo::exists(databasePath + QStringLiteral(".session"));
    // Never stale by age: a session may run for days. QLockFile still takes over a lock whose
    // process is gone, which is how a crash shows.
    m_lock.setStaleLockTime(0);
    m_locked = m_lock.tryLock(0);
    m_crashed = leftBehind && m_locked;
}

} // namespace smp::gui
