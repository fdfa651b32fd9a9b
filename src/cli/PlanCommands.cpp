#include "CliSupport.h"

#include "smp/clinic/Calibration.h"
#include "smp/clinic/Planning.h"
#include "smp/clinic/Report.h"
#include "smp/clinic/Scheduling.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/planning/PlanFiles.h"
#include "smp/planning/PlanMetrics.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/PlanStore.h"
#include "smp/storage/SettingsStore.h"
#include "smp/storage/StorageError.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace smp::cli {

namespace {

double numberOption(Invocation &call, const QString &name, double low, double high,
                    const QString &unit)
{
    const std::optional<double> value = parseNumber(call.value(name));
    if (!value || *value < low || *value > high)
        throw UsageError(QStringLiteral("--%1: \"%2\" must be a number from %3 to %4 (%5)")
                             .arg(name, call.value(name))
                             .arg(low)
                             .arg(high)
                             .arg(unit));
    return *value;
}

QJsonObject sessionsJson(const planning::Plan &plan)
{
    QJsonObject object = clinic::planSummaryJson(plan);
    object.insert(QStringLiteral("algorithm"), QString::fromLatin1(planning::kPlanAlgorithm));
    object.insert(QStringLiteral("algorithm_version"),
                  QString::fromLatin1(planning::kPlanAlgorithmVersion));
    object.insert(QStringLiteral("seed"), QString::number(plan.settings.seed));
    object.insert(QStringLiteral("density_dots_per_cm2"), plan.settings.densityDotsPerCm2);
    return object;
}

} // namespace

int runPlanCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("plan"),
        QStringLiteral(
            "Plans the pigment dots for a client from an analysed, calibrated photo: every dot "
            "with its session, needle, size and shade; sessions with time. SOURCE is an analysis "
            "id, client:ID (the client's latest analysed photo), plan:ID (a stored plan) or a "
            "plan JSON file."),
        arguments,
        {{QStringLiteral("sessions"),
          QStringLiteral("Number of sessions, 2-6 (default: the clinic's, see settings show "
                         "defaults; 3 built in)."),
          QStringLiteral("n")},
         {QStringLiteral("density"),
          QStringLiteral("Full density on bald skin, dots/cm2, 40-200 (default: the clinic's; "
                         "110 built in)."),
          QStringLiteral("dots/cm2")},
         {QStringLiteral("hairline"),
          QStringLiteral("The designed hairline: a JSON file {\"control_points_mm\": [[x,y],...]} "
                         "in mm on the photo (x right, y down, forehead up)."),
          QStringLiteral("file.json")},
         {QStringLiteral("face"),
          QStringLiteral("Face points on a front view for the hairline guides: a JSON file "
                         "{\"glabella_mm\": [x,y], \"left_eye_corner_mm\": [x,y], "
                         "\"right_eye_corner_mm\": [x,y], \"chin_mm\": [x,y] (optional)}; the "
                         "hairline is then the --preset through the guides."),
          QStringLiteral("file.json")},
         {QStringLiteral("preset"),
          QStringLiteral("With --face: juvenile, mature (Garg's 8-8-8, the default), receded or "
                         "female (a third of the face height)."),
          QStringLiteral("name")},
         {QStringLiteral("zones"),
          QStringLiteral("Areas left out or treated as scars: a JSON file {\"zones\": [{\"kind\": "
                         "\"exclude\"|\"scar\", \"outline_mm\": [[x,y],...], "
                         "\"density_dots_per_cm2\": 110, \"needle\": \"1RL\"}, ...]}."),
          QStringLiteral("file.json")},
         {QStringLiteral("seed"), QStringLiteral("Random seed (default 1): same seed, same dots."),
          QStringLiteral("n")},
         {QStringLiteral("dots"), QStringLiteral("Write the dot list as CSV."),
          QStringLiteral("file.csv")},
         {QStringLiteral("map"),
          QStringLiteral("Write the pigment map at 1:1 scale (.svg or .png, by the extension)."),
          QStringLiteral("file")},
         {QStringLiteral("plan-json"), QStringLiteral("Write the whole plan as JSON."),
          QStringLiteral("file.json")},
         {QStringLiteral("preview-session"),
          QStringLiteral("With --out: the photo as it should look healed after this session."),
          QStringLiteral("n")},
         {QStringLiteral("out"),
          QStringLiteral("The preview image (photo and preview side by side)."),
          QStringLiteral("file.png")},
         {QStringLiteral("save"), QStringLiteral("Store the plan in the database.")}},
        {QStringLiteral("SOURCE analysis id, client:ID, plan:ID or a plan JSON file.")});
    const QString source = call.requirePositional(1)[0];

    planning::Plan plan;
    clinic::PlanningInput input;
    bool fromStoredOrFile = false;
    if (source.startsWith(QLatin1String("plan:"))) {
        const storage::RecordId id = parseId(source.mid(5), QStringLiteral("plan"));
        const auto stored = storage::PlanStore(call.database()).find(id);
        if (!stored)
            throw storage::StorageError(storage::ErrorKind::NotFound,
                                        QStringLiteral("plan %1 does not exist").arg(id));
        plan = clinic::loadPlan(*stored);
        input.photoId = stored->photoId;
        fromStoredOrFile = true;
    } else if (QFileInfo(source).isFile()) {
        try {
            plan = planning::parsePlanJson(
                readInputFile(source, QStringLiteral("plan")).toStdString());
        } catch (const planning::PlanFileError &e) {
            throw UsageError(QStringLiteral("%1: %2").arg(source, QString::fromUtf8(e.what())));
        }
        fromStoredOrFile = true;
    } else {
        const storage::RecordId analysisId =
            source.startsWith(QLatin1String("client:"))
                ? clinic::latestAnalysisOfClient(call.database(),
                                                 parseId(source.mid(7), QStringLiteral("client")))
                : parseId(source, QStringLiteral("analysis"));
        input = clinic::planningInputForAnalysis(call.database(), analysisId);
    }
    const clinic::PlanningTables tables = clinic::planningTables(call.database());
    if (!fromStoredOrFile) {
        // Shades from the clinic's dilution table for this client's skin and hair.
        planning::PlanSettings settings = clinic::planSettingsFor(input, tables);
        if (call.isSet(QStringLiteral("sessions")))
            settings.sessions = static_cast<int>(
                numberOption(call, QStringLiteral("sessions"), 2, 6, QStringLiteral("sessions")));
        if (call.isSet(QStringLiteral("density")))
            settings.densityDotsPerCm2 =
                numberOption(call, QStringLiteral("density"), 40, 200, QStringLiteral("dots/cm2"));
        if (call.isSet(QStringLiteral("seed"))) {
            bool ok = false;
            settings.seed = call.value(QStringLiteral("seed")).toULongLong(&ok);
            if (!ok)
                throw UsageError(QStringLiteral("--seed: \"%1\" is not a whole number")
                                     .arg(call.value(QStringLiteral("seed"))));
        }
        std::optional<planning::Hairline> hairline;
        if (call.isSet(QStringLiteral("hairline"))) {
            const QString file = call.value(QStringLiteral("hairline"));
            try {
                hairline = planning::parseHairlineJson(
                    readInputFile(file, QStringLiteral("hairline")).toStdString());
            } catch (const planning::PlanFileError &e) {
                throw UsageError(
                    QStringLiteral("--hairline %1: %2").arg(file, QString::fromUtf8(e.what())));
            }
        }
        if (call.isSet(QStringLiteral("preset")) && !call.isSet(QStringLiteral("face")))
            throw UsageError(QStringLiteral("--preset needs --face (the points the guides start "
                                            "from)"));
        if (call.isSet(QStringLiteral("face"))) {
            if (hairline)
                throw UsageError(QStringLiteral("--face and --hairline: give one of them"));
            const QString file = call.value(QStringLiteral("face"));
            const QString presetName = call.isSet(QStringLiteral("preset"))
                                           ? call.value(QStringLiteral("preset"))
                                           : QStringLiteral("mature");
            const auto preset = planning::presetFromName(presetName.toStdString());
            if (!preset)
                throw UsageError(QStringLiteral("--preset: \"%1\" is not juvenile, mature, "
                                                "receded or female")
                                     .arg(presetName));
            try {
                const planning::FaceLandmarks face = planning::parseFaceJson(
                    readInputFile(file, QStringLiteral("face")).toStdString());
                hairline = planning::presetHairline(planning::hairlineGuides(face, *preset));
            } catch (const std::exception &e) {
                throw UsageError(
                    QStringLiteral("--face %1: %2").arg(file, QString::fromUtf8(e.what())));
            }
        }
        std::vector<planning::TreatmentZone> zones;
        if (call.isSet(QStringLiteral("zones"))) {
            const QString file = call.value(QStringLiteral("zones"));
            try {
                zones = planning::parseZonesJson(
                    readInputFile(file, QStringLiteral("zones")).toStdString());
            } catch (const planning::PlanFileError &e) {
                throw UsageError(
                    QStringLiteral("--zones %1: %2").arg(file, QString::fromUtf8(e.what())));
            }
        }
        try {
            plan = planning::buildPlan(input.map, settings, hairline, zones);
        } catch (const std::invalid_argument &e) {
            throw UsageError(QStringLiteral("analysis %1: %2")
                                 .arg(input.analysisId)
                                 .arg(QString::fromUtf8(e.what())));
        }
    }

    storage::RecordId planId = 0;
    if (call.isSet(QStringLiteral("save"))) {
        if (!input.photoId)
            throw UsageError(
                QStringLiteral("--save: a plan from a file has no photo to belong to"));
        planId = clinic::storePlan(call.database(), input, plan);
    }
    if (call.isSet(QStringLiteral("dots")))
        clinic::writeFileAtomically(call.value(QStringLiteral("dots")),
                                    QByteArray::fromStdString(planning::dotsCsv(plan.dots)));
    if (call.isSet(QStringLiteral("plan-json")))
        clinic::writeFileAtomically(call.value(QStringLiteral("plan-json")),
                                    QByteArray::fromStdString(planning::planJson(plan)));
    if (call.isSet(QStringLiteral("map"))) {
        const QString file = call.value(QStringLiteral("map"));
        const planning::RectMm area = clinic::planExtent(plan);
        if (file.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
            clinic::writeFileAtomically(file,
                                        QByteArray::fromStdString(planning::planSvg(plan, area)));
        } else if (file.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            clinic::renderPigmentMap(plan, area).save(&buffer, "PNG");
            clinic::writeFileAtomically(file, png);
        } else {
            throw UsageError(QStringLiteral("--map: \"%1\" must end in .svg or .png").arg(file));
        }
    }
    if (call.isSet(QStringLiteral("preview-session")) != call.isSet(QStringLiteral("out")))
        throw UsageError(QStringLiteral("--preview-session and --out go together"));
    if (call.isSet(QStringLiteral("preview-session"))) {
        const int session = static_cast<int>(numberOption(call, QStringLiteral("preview-session"),
                                                          1, plan.settings.sessions,
                                                          QStringLiteral("a session of the plan")));
        if (!input.photoId)
            throw UsageError(QStringLiteral("--preview-session: the plan has no photo (plan from a "
                                            "file); plan from an analysis or plan:ID"));
        storage::PhotoLibrary library(call.database());
        const auto photo = library.find(input.photoId);
        const auto calibration = clinic::scaleInUse(library, input.photoId);
        if (!photo || !calibration)
            throw storage::StorageError(
                storage::ErrorKind::NotFound,
                QStringLiteral("photo %1 is missing or not calibrated").arg(input.photoId));
        const QImage upright = imaging::loadUprightImage(library.verifiedPath(*photo));
        const QImage preview =
            clinic::renderHealedPreview(upright, plan, calibration->mmPerPx, session);
        const QImage both = clinic::sideBySide(upright, preview, QStringLiteral("Today"),
                                               QStringLiteral("Healed, after session %1 of %2")
                                                   .arg(session)
                                                   .arg(plan.settings.sessions));
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        both.save(&buffer, "PNG");
        clinic::writeFileAtomically(call.value(QStringLiteral("out")), png);
    }

    const QJsonObject recipes = clinic::recipesAndQuoteJson(plan, tables);
    if (call.json()) {
        QJsonObject object = sessionsJson(plan);
        for (auto it = recipes.begin(); it != recipes.end(); ++it)
            object[it.key()] = it.value();
        if (planId)
            object[QStringLiteral("plan_id")] = static_cast<qint64>(planId);
        if (input.analysisId)
            object[QStringLiteral("analysis_id")] = static_cast<qint64>(input.analysisId);
        printJson(object);
    } else {
        print(QStringLiteral("%1 dots over %2 cm2 in %3 sessions%4")
                  .arg(plan.dots.size())
                  .arg(plan.treatedAreaCm2, 0, 'f', 1)
                  .arg(plan.settings.sessions)
                  .arg(planId ? QStringLiteral(" (stored as plan %1)").arg(planId) : QString()));
        for (const planning::SessionSummary &s : plan.sessions)
            print(QStringLiteral("  session %1: %2 dots (%3 x 1RL, %4 x 3RL), mix %5 ml water to 1 "
                                 "ml pigment, about %6 h%7")
                      .arg(s.session)
                      .arg(s.dots)
                      .arg(s.dots1RL)
                      .arg(s.dots3RL)
                      .arg(planning::waterMlPerPigmentMl(s.shade), 0, 'f', 1)
                      .arg(s.minutes / 60, 0, 'f', 1)
                      .arg(s.sittings > 1 ? QStringLiteral(" in %1 sittings").arg(s.sittings)
                                          : QString()));
        const planning::Quote quote =
            planning::quoteFor(tables.prices, plan.treatedAreaCm2, plan.settings.sessions);
        print(QStringLiteral("Quote (%1): %2 %3; touch-up %4 %3")
                  .arg(QString::fromStdString(quote.basis))
                  .arg(quote.total, 0, 'f', 0)
                  .arg(QString::fromStdString(quote.currency))
                  .arg(quote.touchUp, 0, 'f', 0));
        for (const std::string &n : plan.notices)
            print(QStringLiteral("Note: %1").arg(QString::fromStdString(n)));
    }
    return 0;
}

int runSettingsCommand(const QString &verb, const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("settings ") + verb,
        QStringLiteral("The clinic's tables. show TABLE prints it as JSON (the built-in default "
                       "until one is set); set TABLE FILE.json validates and stores it; reset "
                       "TABLE goes back to the default. TABLE: dilution, prices, defaults (a new "
                       "plan's density, sessions and impressions per minute), schedule "
                       "(opening hours, closures, intervals, recall, time zone) or report (clinic "
                       "details, logo, locale, aftercare and consent texts)."),
        arguments, {},
        {QStringLiteral("TABLE dilution, prices, defaults, schedule or report"),
         QStringLiteral("[FILE] for set: the table as JSON (as show prints it)")});
    const QStringList args = call.requireAtLeast(1);
    const QString table = args[0];
    const bool dilution = table == QLatin1String("dilution");
    const bool schedule = table == QLatin1String("schedule");
    const bool report = table == QLatin1String("report");
    const bool defaults = table == QLatin1String("defaults");
    if (!dilution && !schedule && !report && !defaults && table != QLatin1String("prices"))
        throw UsageError(QStringLiteral("settings %1: \"%2\" is not a table (dilution, prices, "
                                        "defaults, schedule or report)")
                             .arg(verb, table));
    const char *key = dilution   ? clinic::kDilutionTableKey
                      : schedule ? clinic::kScheduleSettingsKey
                      : report   ? clinic::kReportSettingsKey
                      : defaults ? clinic::kPlanDefaultsKey
                                 : clinic::kPriceListKey;
    if (report && verb == QLatin1String("show")) {
        std::fputs(clinic::reportSettingsJson(clinic::reportSettings(call.database())).constData(),
                   stdout);
        return 0;
    }
    if (schedule && verb == QLatin1String("show")) {
        std::fputs(
            clinic::scheduleSettingsJson(clinic::scheduleSettings(call.database())).constData(),
            stdout);
        return 0;
    }
    if (verb == QLatin1String("show")) {
        const clinic::PlanningTables tables = clinic::planningTables(call.database());
        if (defaults) {
            std::fputs(clinic::planDefaultsJson(tables.defaults).constData(), stdout);
            return 0;
        }
        std::fputs(dilution ? planning::dilutionTableJson(tables.dilution).c_str()
                            : planning::priceListJson(tables.prices).c_str(),
                   stdout);
        return 0;
    }
    if (verb == QLatin1String("set")) {
        if (args.size() != 2)
            throw UsageError(
                QStringLiteral("settings set %1: give the table's JSON file").arg(table));
        const QByteArray json = readInputFile(args[1], QStringLiteral("table"));
        try {
            if (dilution)
                clinic::setDilutionTable(call.database(), json);
            else if (schedule)
                clinic::setScheduleSettings(call.database(), json);
            else if (report)
                clinic::setReportSettings(call.database(), json);
            else if (defaults)
                clinic::setPlanDefaults(call.database(), json);
            else
                clinic::setPriceList(call.database(), json);
        } catch (const storage::StorageError &e) {
            if (e.kind() != storage::ErrorKind::InvalidInput)
                throw;
            throw UsageError(QStringLiteral("%1: %2").arg(args[1], e.message()));
        }
        print(QStringLiteral("Stored the %1 table").arg(table));
        return 0;
    }
    if (verb == QLatin1String("reset")) {
        storage::SettingsStore(call.database()).remove(QString::fromLatin1(key));
        print(QStringLiteral("The %1 table is the built-in default again").arg(table));
        return 0;
    }
    throw UsageError(QStringLiteral("settings: unknown verb \"%1\" (show, set, reset)").arg(verb));
}

int runPlanMetricsCommand(const QStringList &arguments)
{
    Invocation call(
        QStringLiteral("plan-metrics"),
        QStringLiteral("Measures a dot list: how evenly the dots, each session and each run of "
                       "sessions are spread, and how closely the density follows a uniform "
                       "target over the area the dots cover."),
        arguments,
        {{QStringLiteral("density"), QStringLiteral("The target density, dots/cm2 (default 110)."),
          QStringLiteral("dots/cm2")}},
        {QStringLiteral("DOTS.csv A dot list (smp plan --dots).")});
    const QString file = call.requirePositional(1)[0];
    const double density =
        call.isSet(QStringLiteral("density"))
            ? numberOption(call, QStringLiteral("density"), 1, 1000, QStringLiteral("dots/cm2"))
            : 110.0;
    std::vector<planning::Dot> dots;
    try {
        dots =
            planning::parseDotsCsv(readInputFile(file, QStringLiteral("dot list")).toStdString());
    } catch (const planning::PlanFileError &e) {
        throw UsageError(QStringLiteral("%1: %2").arg(file, QString::fromUtf8(e.what())));
    }
    std::vector<planning::SampledDot> sampled;
    int sessions = 1;
    for (const planning::Dot &d : dots) {
        sampled.push_back({d.position, d.session});
        sessions = std::max(sessions, d.session);
    }
    const planning::DensityFunction target = planning::uniformTargetOver(sampled, density);
    const planning::PlanMetrics m =
        planning::measurePlan(sampled, target, planning::sessionShares(sessions));
    if (call.json()) {
        QJsonArray spreads;
        for (const planning::SpreadMetric &s : m.spreads)
            spreads.append(
                QJsonObject{{QStringLiteral("set"), QString::fromStdString(s.name)},
                            {QStringLiteral("dots"), s.dots},
                            {QStringLiteral("interior_dots"), s.interiorDots},
                            {QStringLiteral("min_nn_over_spacing"), s.minNormalisedNearest},
                            {QStringLiteral("mean_nn_over_spacing"), s.meanNormalisedNearest}});
        printJson(QJsonObject{{QStringLiteral("dots"), static_cast<qint64>(dots.size())},
                              {QStringLiteral("density_dots_per_cm2"), density},
                              {QStringLiteral("spread"), spreads},
                              {QStringLiteral("cells_1cm2"), m.cells},
                              {QStringLiteral("worst_cell_density_error"), m.worstCellDensityError},
                              {QStringLiteral("mean_cell_density_error"), m.meanCellDensityError},
                              {QStringLiteral("cells_within_3_percent"), m.cellsWithin3Percent},
                              {QStringLiteral("min_distance_mm"), m.minDistanceMm}});
    } else {
        print(QStringLiteral("%1 dots, target %2 dots/cm2").arg(dots.size()).arg(density));
        for (const planning::SpreadMetric &s : m.spreads)
            print(QStringLiteral("  %1: nearest neighbour / spacing min %2, mean %3 (%4 dots)")
                      .arg(QString::fromStdString(s.name), -13)
                      .arg(s.minNormalisedNearest, 0, 'f', 3)
                      .arg(s.meanNormalisedNearest, 0, 'f', 3)
                      .arg(s.interiorDots));
        print(QStringLiteral("  density: %1 cells of 1 cm2, worst %2%, %3% within 3%")
                  .arg(m.cells)
                  .arg(100 * m.worstCellDensityError, 0, 'f', 1)
                  .arg(100 * m.cellsWithin3Percent, 0, 'f', 1));
        print(QStringLiteral("  closest dots: %1 mm").arg(m.minDistanceMm, 0, 'f', 3));
    }
    return 0;
}

} // namespace smp::cli
