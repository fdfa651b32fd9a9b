// smp: the command-line tool of SMP Planner. Links the core libraries only (no widgets, no
// display needed). Exit codes: 0 success, 1 the operation failed, 2 the command was misused.

#include "CliSupport.h"

#include "smp/clinic/PluralForms.h"
#include "smp/imaging/Memory.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QLoggingCategory>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

const char *const kUsage = R"(Usage: smp <command> [options]   (every command takes --help)

Clients:   client add|list|show|edit|delete
           screening set|items        consent add
Photos:    photo import CLIENT FILE... --view VIEW     photo list|set-view|delete
Database:  db check|info|backup FILE|restore FILE|verify-backup FILE
           audit [--client ID]
Calibration: calibrate PHOTO [--points x1,y1,x2,y2 --length-mm L]   marker-sheet FILE.pdf
Analysis:  analyze PHOTO [--view V] [--mm-per-px X] [--hair-tone auto|darker|lighter]
                [--reference-area x,y,w,h|none] [--corrections keep|drop]
                [--overlay OUT.png] [--masks DIR]
           correct PHOTO (--area "x,y;x,y;x,y" --grade G [--beyond-outline] | --face FILE
                | --take-back-all)
Planning:  plan ANALYSIS|client:ID|plan:ID|FILE.json [--sessions 3] [--density 110]
                [--hairline FILE | --face FILE [--preset mature]] [--zones FILE]
                [--json] [--dots F.csv] [--map F.svg|png]
                [--preview-session N --out F.png] [--save]
           plan-metrics DOTS.csv [--density 110] [--json]
Schedule:  schedule propose CLIENT [--from WHEN] [--interval 10-14] [--min-days 7] [--book]
           schedule list [--from DATE] [--to DATE] [--client ID]
           schedule move APPOINTMENT WHEN [--later] [--yes]
           schedule mark APPOINTMENT booked|done|cancelled|no-show
           schedule record APPOINTMENT [--dilution T] [--needle T] [--minutes N] [--notes T]
                [--after-photo ID]
           schedule prefs CLIENT [--days mon,tue] [--earliest HH:MM] [--latest HH:MM]
           schedule export FILE.ics [--client ID]
Compare:   compare PHOTO_A PHOTO_B [--json] [--out SIDE.png] [--blend F.png] [--difference F.png]
                [--points "ax,ay:bx,by;..."]
           review PHOTO_A PHOTO_B --reviewer NAME --approved|--not-approved [--notes T]
Reports:   report CLIENT --out FILE.pdf [--page-size A4|Letter]
           aftercare APPOINTMENT --out FILE.pdf [--page-size A4|Letter]
Settings:  settings show|set|reset dilution|prices|defaults|schedule|report [FILE.json]
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
        QStringLiteral("--severity"),     QStringLiteral("--seed"),
        QStringLiteral("--from"),         QStringLiteral("--to"),
        QStringLiteral("--plan"),         QStringLiteral("--min-days"),
        QStringLiteral("--interval"),     QStringLiteral("--recall-years"),
        QStringLiteral("--dilution"),     QStringLiteral("--needle"),
        QStringLiteral("--minutes"),      QStringLiteral("--after-photo"),
        QStringLiteral("--days"),         QStringLiteral("--earliest"),
        QStringLiteral("--latest"),       QStringLiteral("--face"),
        QStringLiteral("--preset"),       QStringLiteral("--zones"),
        QStringLiteral("--blend"),        QStringLiteral("--reviewer"),
        QStringLiteral("--opacity"),      QStringLiteral("--difference"),
        QStringLiteral("--points"),       QStringLiteral("--length-mm"),
        QStringLiteral("--page-size"),    QStringLiteral("--quarter-turns"),
        QStringLiteral("--mm-per-px"),    QStringLiteral("--overlay"),
        QStringLiteral("--masks"),        QStringLiteral("--reference-area"),
        QStringLiteral("--hair-tone"),    QStringLiteral("--sessions"),
        QStringLiteral("--density"),      QStringLiteral("--hairline"),
        QStringLiteral("--dots"),         QStringLiteral("--map"),
        QStringLiteral("--plan-json"),    QStringLiteral("--preview-session"),
        QStringLiteral("--out"),          QStringLiteral("--corrections"),
        QStringLiteral("--area"),         QStringLiteral("--grade")};
    return withValue.contains(option);
}

bool isSingleWordCommand(const QString &word)
{
    for (const char *command :
         {"audit", "sample-photo", "calibrate", "marker-sheet", "analyze", "correct", "plan",
          "plan-metrics", "report", "aftercare", "compare", "review"}) {
        if (word == QLatin1String(command))
            return true;
    }
    return false;
}

// Commands that lay out text (PDF pages) need a QGuiApplication for fonts; the others run with
// a QCoreApplication and need no display at all.
bool needsGui(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "marker-sheet") == 0 || std::strcmp(argv[i], "analyze") == 0 ||
            std::strcmp(argv[i], "correct") == 0 || std::strcmp(argv[i], "plan") == 0 ||
            std::strcmp(argv[i], "report") == 0 || std::strcmp(argv[i], "aftercare") == 0 ||
            std::strcmp(argv[i], "compare") == 0 || std::strcmp(argv[i], "review") == 0)
            return true;
    }
    return false;
}

// Qt's platform start-up says "QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to ..." on a
// machine without a login session (cron, ssh, CI). The offscreen platform the tool runs on needs
// no runtime folder, and the note would stand beside the one line an error prints: dropped.
// Every other message goes on to the handler that was installed before (Qt's own).
QtMessageHandler previousMessageHandler = nullptr;

void dropRuntimeFolderNote(QtMsgType type, const QMessageLogContext &context,
                           const QString &message)
{
    if (type == QtWarningMsg &&
        message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR")))
        return;
    previousMessageHandler(type, context, message);
}

} // namespace

int main(int argc, char *argv[])
{
    previousMessageHandler = qInstallMessageHandler(dropRuntimeFolderNote);
    smp::imaging::keepImageBuffersForReuse();
    std::unique_ptr<QCoreApplication> application;
    if (needsGui(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        application = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        application = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setOrganizationName(QStringLiteral("SMP Planner"));
    QCoreApplication::setApplicationName(QStringLiteral("smp-planner"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMP_VERSION));
    // Decoder warnings ("Corrupt JPEG data") would duplicate the one-line error we print.
    QLoggingCategory::setFilterRules(QStringLiteral("qt.gui.imageio*=false"));
    smp::clinic::installPluralForms(*application);

    // Split the command words (the first one or two positional arguments) from the options,
    // which may stand before or after them.
    QStringList rest = QCoreApplication::arguments().mid(1);
    QStringList words;
    for (qsizetype i = 0; i < rest.size() && words.size() < 2;) {
        const QString arg = rest[i]; // a copy: the word is removed from `rest` below
        if (arg.startsWith(QLatin1Char('-'))) {
            i += (takesValue(arg) && !arg.contains(QLatin1Char('='))) ? 2 : 1;
            continue;
        }
        const bool group = words.isEmpty();
        words << arg;
        rest.removeAt(i);
        if (group && isSingleWordCommand(arg))
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
        if (group == QLatin1String("calibrate"))
            return runCalibrateCommand(rest);
        if (group == QLatin1String("marker-sheet"))
            return runMarkerSheetCommand(rest);
        if (group == QLatin1String("analyze"))
            return runAnalyzeCommand(rest);
        if (group == QLatin1String("correct"))
            return runCorrectCommand(rest);
        if (group == QLatin1String("plan"))
            return runPlanCommand(rest);
        if (group == QLatin1String("plan-metrics"))
            return runPlanMetricsCommand(rest);
        if (group == QLatin1String("report"))
            return runReportCommand(rest);
        if (group == QLatin1String("aftercare"))
            return runAftercareCommand(rest);
        if (group == QLatin1String("compare"))
            return runCompareCommand(rest);
        if (group == QLatin1String("review"))
            return runReviewCommand(rest);
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
        if (group == QLatin1String("settings"))
            return runSettingsCommand(verb, rest);
        if (group == QLatin1String("schedule"))
            return runScheduleCommand(verb, rest);
        throw UsageError(QStringLiteral("unknown command \"%1\" (see smp --help)").arg(group));
    } catch (const smp::cli::UsageError &error) {
        std::fprintf(stderr, "smp: %s\n", error.what());
        return 2;
    } catch (const std::exception &error) {
        std::fprintf(stderr, "smp: error: %s\n", error.what());
        return 1;
    }
}
