// smp: the command-line tool of SMP Planner. Links the core libraries only (no widgets, no
// display needed). Exit codes: 0 success, 1 the operation failed, 2 the command was misused.

#include "CliSupport.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>

namespace {

const char *const kUsage = R"(Usage: smp <command> [options]   (every command takes --help)

Clients:   client add|list|show|edit|delete
           screening set|items        consent add
Photos:    photo import CLIENT FILE... --view VIEW     photo list|set-view|delete
Database:  db check|info|backup FILE|restore FILE      audit [--client ID]
Other:     sample-photo OUT.jpg

Options every command accepts: --database PATH, --user NAME, --json
)";

// Options that take a value, so that their value is not mistaken for a command word.
bool takesValue(const QString &option)
{
    static const QStringList withValue = {
        QStringLiteral("--database"),     QStringLiteral("--user"),
        QStringLiteral("--view"),         QStringLiteral("--family"),
        QStringLiteral("--given"),        QStringLiteral("--dob"),
        QStringLiteral("--sex"),          QStringLiteral("--phone"),
        QStringLiteral("--email"),        QStringLiteral("--address"),
        QStringLiteral("--skin-type"),    QStringLiteral("--hair-colour"),
        QStringLiteral("--notes"),        QStringLiteral("--limit"),
        QStringLiteral("--client"),       QStringLiteral("--note"),
        QStringLiteral("--date"),         QStringLiteral("--kind"),
        QStringLiteral("--text-version"), QStringLiteral("--signed-by"),
        QStringLiteral("--severity"),     QStringLiteral("--seed")};
    return withValue.contains(option);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("SMP Planner"));
    QCoreApplication::setApplicationName(QStringLiteral("smp-planner"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMP_VERSION));
    // Decoder warnings ("Corrupt JPEG data") would duplicate the one-line error we print.
    QLoggingCategory::setFilterRules(QStringLiteral("qt.gui.imageio*=false"));

    // Split the command words (the first one or two positional arguments) from the options,
    // which may stand before or after them.
    QStringList rest = QCoreApplication::arguments().mid(1);
    QStringList words;
    for (qsizetype i = 0; i < rest.size() && words.size() < 2;) {
        const QString &arg = rest[i];
        if (arg.startsWith(QLatin1Char('-'))) {
            i += (takesValue(arg) && !arg.contains(QLatin1Char('='))) ? 2 : 1;
            continue;
        }
        const bool group = words.isEmpty();
        words << arg;
        rest.removeAt(i);
        if (group && (arg == QLatin1String("audit") || arg == QLatin1String("sample-photo")))
            break;
    }

    if (words.isEmpty()) {
        if (rest.contains(QStringLiteral("--version"))) {
            std::printf("smp %s\n", SMP_VERSION);
            return 0;
        }
        std::fputs(kUsage, rest.contains(QStringLiteral("--help")) ? stdout : stderr);
        return rest.contains(QStringLiteral("--help")) ? 0 : 2;
    }
    const QString group = words[0];
    const QString verb = words.value(1);
    try {
        using namespace smp::cli;
        if (group == QLatin1String("audit"))
            return runAuditCommand(rest);
        if (group == QLatin1String("sample-photo"))
            return runSamplePhotoCommand(rest);
        if (verb.isEmpty()) {
            if (rest.contains(QStringLiteral("--help"))) {
                std::fputs(kUsage, stdout);
                return 0;
            }
            throw UsageError(QStringLiteral("%1: which command? (see smp --help)").arg(group));
        }
        if (group == QLatin1String("client"))
            return runClientCommand(verb, rest);
        if (group == QLatin1String("photo"))
            return runPhotoCommand(verb, rest);
        if (group == QLatin1String("db"))
            return runDbCommand(verb, rest);
        if (group == QLatin1String("screening"))
            return runScreeningCommand(verb, rest);
        if (group == QLatin1String("consent"))
            return runConsentCommand(verb, rest);
        throw UsageError(QStringLiteral("unknown command \"%1\" (see smp --help)").arg(group));
    } catch (const smp::cli::UsageError &error) {
        std::fprintf(stderr, "smp: %s\n", error.what());
        return 2;
    } catch (const std::exception &error) {
        std::fprintf(stderr, "smp: error: %s\n", error.what());
        return 1;
    }
}
