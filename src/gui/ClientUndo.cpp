#include "smp/gui/ClientUndo.h"

#include <QTimer>
#include <QUndoGroup>
#include <QUndoStack>

namespace smp::gui {

bool isRetiredCommand(const QUndoCommand *command)
{
    if (command->isObsolete())
        return true;
    if (const auto *windowCommand = dynamic_cast<const WindowCommand *>(command))
        return !windowCommand->isLive();
    if (command->childCount() == 0)
        return false;
    for (int i = 0; i < command->childCount(); ++i)
        if (!isRetiredCommand(command->child(i)))
            return false;
    return true;
}

void dropRetiredCommands(QUndoStack *stack)
{
    // QUndoStack deletes an obsolete command, without calling it, when undo or redo reaches it.
    // command() hands out const pointers to commands the stack owns and never made const.
    while (stack->canUndo()) {
        const QUndoCommand *next = stack->command(stack->index() - 1);
        if (!isRetiredCommand(next))
            break;
        const_cast<QUndoCommand *>(next)->setObsolete(true);
        stack->undo();
    }
    while (stack->canRedo()) {
        const QUndoCommand *next = stack->command(stack->index());
        if (!isRetiredCommand(next))
            break;
        const_cast<QUndoCommand *>(next)->setObsolete(true);
        stack->redo();
    }
}

QUndoStack *makeDocumentStack(QObject *parent)
{
    auto *stack = new QUndoStack(parent);
    // Queued: the stack is in the middle of undo, redo or push when it reports the change.
    QObject::connect(stack, &QUndoStack::indexChanged, stack, [stack] {
        QTimer::singleShot(0, stack, [stack] { dropRetiredCommands(stack); });
    });
    return stack;
}

ClientUndoStacks::ClientUndoStacks(QObject *parent)
    : QObject(parent)
    , m_group(new QUndoGroup(this))
{}

QUndoStack *ClientUndoStacks::stackFor(storage::RecordId clientId)
{
    auto found = m_stacks.find(clientId);
    if (found != m_stacks.end())
        return found->second;
    QUndoStack *stack = makeDocumentStack(this);
    stack->setUndoLimit(200);
    m_group->addStack(stack);
    m_stacks.emplace(clientId, stack);
    return stack;
}

void ClientUndoStacks::setActiveClient(storage::RecordId clientId)
{
    m_group->setActiveStack(clientId != 0 ? stackFor(clientId) : nullptr);
}

void ClientUndoStacks::forgetClient(storage::RecordId clientId)
{
    auto found = m_stacks.find(clientId);
    if (found == m_stacks.end())
        return;
    delete found->second; // leaves the group as it goes
    m_stacks.erase(found);
}

void ClientUndoStacks::notifyAppointmentsChanged(storage::RecordId clientId)
{
    emit appointmentsChanged(clientId);
}

} // namespace smp::gui
