#pragma once

// Shared plumbing of the `smp` command-line tool: option parsing, output, JSON forms.

#include "smp/storage/Records.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <stdexcept>

namespace smp::storage {
class Database;
class PhotoLibrary;
} // namespace smp::storage

namespace smp::cli {

// A usage mistake (exit code 2) as opposed to a failure of the operation (exit code 1).
class UsageError : public std::runtime_error
{
public:
    explicit UsageError(const QString &message)
        : std::runtime_error(message.toStdString())
    {}
};

// One invocation: the parsed options of a subcommand plus the global ones
// (--database, --user, --json) that every subcommand accepts.
class Invocation
{
public:
    // `command` is e.g. "client add"; `arguments` the program arguments without the command
    // words. Adds --help and the global options, then parses (exits 0 on --help).
    Invocation(const QString &command, const QString &description, QStringList arguments,
               const QList<QCommandLineOption> &options, const QStringList &positionalSyntax);

    bool json() const { return m_parser.isSet(QStringLiteral("json")); }
    bool isSet(const QString &name) const { return m_parser.isSet(name); }
    QString value(const QString &name) const { return m_parser.value(name); }
    const QStringList positional() const { return m_parser.positionalArguments(); }

    // Exactly `count` positional arguments, or a UsageError naming what is missing or extra.
    QStringList requirePositional(int count) const;
    // At least `count`.
    QStringList requireAtLeast(int count) const;

    // Opens the database named by --database, or the application's default one.
    storage::Database &database();

private:
    QCommandLineParser m_parser;
    QString m_command;
    QStringList m_syntax;
    std::unique_ptr<storage::Database> m_database;
};

// A finite number ("0.167", " 12 "); nullopt for anything else. QString::toDouble() also reads
// "nan" and "inf", which pass every range check written as `value < low || value > high`.
std::optional<double> parseNumber(const QString &text);
// Parses a client id ("12"); UsageError naming the argument when it is not one.
storage::RecordId parseId(const QString &text, const QString &what);
// "YYYY-MM-DD"; UsageError naming the option when the text is not such a date.
QDate parseDate(const QString &text, const QString &option);
// "I".."VI" or "1".."6".
int parseSkinType(const QString &text);
// A photo view by name (front, top, crown, back, left, right, other); a UsageError naming
// `what` (the option or argument, "--view" by default) and the accepted names otherwise.
storage::PhotoView parseView(const QString &text, const QString &what = QStringLiteral("--view"));

QJsonObject toJson(const storage::Client &client);
QJsonObject toJson(const storage::ClientSummary &summary);
QJsonObject toJson(const storage::Photo &photo, const QString &absolutePath);
// A photo with its file, thumbnail and current calibration.
QJsonObject photoJson(storage::PhotoLibrary &library, const storage::Photo &photo);
QJsonObject toJson(const storage::ScreeningEntry &entry);
QJsonObject toJson(const storage::Consent &consent);

// The bytes of an input file (a plan, hairline, face or zones JSON) named `what` in messages:
// StorageError when it cannot be read, UsageError when it is over 512 MB.
QByteArray readInputFile(const QString &path, const QString &what);

// Writes to standard output (UTF-8), with a newline.
void print(const QString &line);
void printJson(const QJsonValue &value);

// Subcommand groups. Each takes the arguments after its command words and returns the exit code.
int runClientCommand(const QString &verb, const QStringList &arguments);
int runPhotoCommand(const QString &verb, const QStringList &arguments);
int runDbCommand(const QString &verb, const QStringList &arguments);
int runScreeningCommand(const QString &verb, const QStringList &arguments);
int runConsentCommand(const QString &verb, const QStringList &arguments);
int runAuditCommand(const QStringList &arguments);
int runSamplePhotoCommand(const QStringList &arguments);
int runCalibrateCommand(const QStringList &arguments);
int runMarkerSheetCommand(const QStringList &arguments);
int runAnalyzeCommand(const QStringList &arguments);
int runCorrectCommand(const QStringList &arguments);
int runPlanCommand(const QStringList &arguments);
int runSettingsCommand(const QString &verb, const QStringList &arguments);
int runScheduleCommand(const QString &verb, const QStringList &arguments);
int runReportCommand(const QStringList &arguments);
int runAftercareCommand(const QStringList &arguments);
int runCompareCommand(const QStringList &arguments);
int runReviewCommand(const QStringList &arguments);
int runPlanMetricsCommand(const QStringList &arguments);

} // namespace smp::cli
