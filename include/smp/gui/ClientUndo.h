#pragma once

#include "smp/storage/Records.h"

#include <QObject>
#include <QPointer>
#include <QUndoCommand>

#include <map>

class QUndoGroup;
class QUndoStack;

namespace smp::gui {

// An undo command that acts on one window (or a widget in it) of a client's document. When that
// window closes the command can no longer be taken back: it is retired, and the stack drops it as
// undo or redo reaches it (see dropRetiredCommands). GUI thread only.
class WindowCommand : public QUndoCommand
{
public:
    WindowCommand(QObject *target, const QString &text, QUndoCommand *parent = nullptr)
        : QUndoCommand(text, parent)
        , m_target(target)
    {}
    // The target still exists and the command still applies to it.
    virtual bool isLive() const { return !m_target.isNull(); }

    // A retired command does nothing and marks itself obsolete, so the stack deletes it.
    void undo() final
    {
        if (isLive())
            undoOnTarget();
        else
            setObsolete(true);
    }
    void redo() final
    {
        if (isLive())
            redoOnTarget();
        else
            setObsolete(true);
    }

protected:
    virtual void undoOnTarget() = 0;
    virtual void redoOnTarget() = 0;

private:
    QPointer<QObject> m_target;
};

// True when the command is obsolete, a retired WindowCommand, or a macro all of whose parts are.
bool isRetiredCommand(const QUndoCommand *command);

// Drops the retired commands next to the stack's index (the ones undo and redo would act on), so
// the Undo and Redo actions always name an edit that can still be taken back. Call after a
// window's commands were retired; stacks from makeDocumentStack do it on every change.
void dropRetiredCommands(QUndoStack *stack);

// A stack that drops retired commands as they come up (queued after each change).
QUndoStack *makeDocumentStack(QObject *parent);

// One undo stack per client: every edit of a client's document (grade corrections, calibration
// points, the hairline, treatment areas, plan parameters, schedule moves), in whichever of the
// client's windows it was made, goes on that client's stack, so Edit > Undo in any of them takes
// back the latest. Owned by the main window; GUI thread only.
class ClientUndoStacks : public QObject
{
    Q_OBJECT

public:
    explicit ClientUndoStacks(QObject *parent = nullptr);

    // The client's stack, made on first use; owned by this object.
    QUndoStack *stackFor(storage::RecordId clientId);
    // The group whose undo and redo actions (the main window's Edit menu) act on the active
    // client's stack.
    QUndoGroup *group() const { return m_group; }
    // 0: no client is active.
    void setActiveClient(storage::RecordId clientId);
    // The client was deleted: their stack goes with them.
    void forgetClient(storage::RecordId clientId);

    // Commands that change stored appointments call this after they did (views reload).
    void notifyAppointmentsChanged(storage::RecordId clientId);

signals:
    void appointmentsChanged(storage::RecordId clientId);

private:
    QUndoGroup *m_group = nullptr;
    std::map<storage::RecordId, QUndoStack *> m_stacks;
};

} // namespace smp::gui
