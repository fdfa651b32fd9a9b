#pragma once

#include <QLockFile>
#include <QString>

namespace smp::gui {

// Held while the program works on a database: a lock file beside it ("<database>.session").
// One left behind by a process that no longer runs means the last session ended without closing
// (a crash, a kill, a power cut): the program then offers the work it autosaved. GUI thread.
class SessionLock
{
public:
    explicit SessionLock(const QString &databasePath);

    // The previous session with this database did not close.
    bool previousSessionCrashed() const noexcept { return m_crashed; }
    // Another running program holds the session (it works on the same database).
    bool heldElsewhere() const noexcept { return !m_locked; }

private:
    QLockFile m_lock;
    bool m_locked = false;
    bool m_crashed = false;
};

} // namespace smp::gui
