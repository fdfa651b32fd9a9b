#include "smp/clinic/Analysis.h"

#include "smp/clinic/Calibration.h"

#include "smp/storage/AnalysisStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/StorageError.h"

#include <QDebug>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QPainter>
#include <QPainterPath>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>

namespace smp::clinic {

QColor gradeColour(analysis::Grade grade)
{
    switch (grade) {
    case analysis::Grade::Mild:
        return QColor(255, 214, 0);
    case analysis::Grade::Moderate:
        return QColor(255, 140, 0);
    case analysis::Grade::Advanced:
        return QColor(229, 57, 53);
    case analysis::Grade::Bald:
        return QColor(142, 36, 170);
    case analysis::Grade::Normal:
        return QColor(67, 160, 71);
    case analysis::Grade::NotScalp:
        break;
    }
    return Qt::transparent;
}

namespace {

template <typename T, typename F>
QImage mapImage(const analysis::Result &r, const std::vector<T> &values, F value)
{
    QImage image(r.mapWidth, r.mapHeight, QImage::Format_Grayscale8);
    for (int y = 0; y < r.mapHeight; ++y) {
        uchar *line = image.scanLine(y);
        for (int x = 0; x < r.mapWidth; ++x)
            line[x] = value(values[static_cast<std::size_t>(y * r.mapWidth + x)]);
    }
    return image;
}

} // namespace

analysis::View toAnalysisView(storage::PhotoView view)
{
    switch (view) {
    case storage::PhotoView::Front:
        return analysis::View::Front;
    case storage::PhotoView::Top:
        return analysis::View::Top;
    case storage::PhotoView::Crown:
        return analysis::View::Crown;
    case storage::PhotoView::Back:
        return analysis::View::Back;
    case storage::PhotoView::Left:
        return analysis::View::Left;
    case storage::PhotoView::Right:
        return analysis::View::Right;
    case storage::PhotoView::Other:
        break;
    }
    return analysis::View::Other;
}

analysis::Parameters parametersForPhoto(storage::Database &db, storage::RecordId photoId)
{
    storage::PhotoLibrary library(db);
    const auto photo = library.find(photoId);
    if (!photo)
        throw storage::StorageError(storage::ErrorKind::NotFound,
                                    QStringLiteral("photo %1 does not exist").arg(photoId));
    analysis::Parameters parameters;
    parameters.view = toAnalysisView(photo->view);
    parameters.displayQuarterTurns = photo->rotationQuarterTurns;
    if (const auto calibration = scaleInUse(library, photoId))
        parameters.mmPerPx = calibration->mmPerPx;
    if (const auto client = storage::ClientStore(db).find(photo->clientId))
        parameters.hairTone = hairToneForHairColour(client->hairColour);
    // What the technician said for the photo's last analysis holds for the next one.
    if (const auto last = storage::AnalysisStore(db).latest(photoId)) {
        const TechnicianChoices said = technicianChoices(*last);
        parameters.hairTone = said.hairTone;
        parameters.referenceArea = said.referenceArea;
    }
    return parameters;
}

TechnicianChoices technicianChoices(const storage::StoredAnalysis &stored)
{
    const QJsonObject parameters = QJsonDocument::fromJson(stored.parametersJson.toUtf8()).object();
    TechnicianChoices said;
    said.hairTone = analysis::hairToneFromName(
                        parameters.value(QLatin1String("hair_tone")).toString().toStdString())
                        .value_or(analysis::HairTone::Automatic);
    const QJsonArray area = parameters.value(QLatin1String("reference_area")).toArray();
    if (area.size() == 4)
        said.referenceArea = analysis::Parameters::Rect{area[0].toDouble(), area[1].toDouble(),
                                                        area[2].toDouble(), area[3].toDouble()};
    return said;
}

analysis::HairTone hairToneForHairColour(const QString &hairColour)
{
    static const QRegularExpression redHair(
        QStringLiteral("\\b(red|auburn|ginger|copper|strawberry)"),
        QRegularExpression::CaseInsensitiveOption);
    return redHair.match(hairColour).hasMatch() ? analysis::HairTone::DarkerThanSkin
                                                : analysis::HairTone::Automatic;
}

namespace {

// A result's grade map as stored: one byte per map pixel.
QByteArray gradeBytes(const analysis::Result &result)
{
    return QByteArray(reinterpret_cast<const char *>(result.grades.data()),
                      static_cast<qsizetype>(result.grades.size()));
}

} // namespace

storage::RecordId storeAnalysis(storage::Database &db, storage::RecordId photoId,
                                const analysis::Result &result,
                                const std::vector<storage::GradeTile> &corrections)
{
    storage::StoredAnalysis stored;
    stored.photoId = photoId;
    stored.algorithm = QString::fromStdString(result.algorithmName);
    stored.version = QString::fromStdString(result.algorithmVersion);
    stored.parametersJson = QString::fromStdString(result.parametersJson);
    stored.summaryJson =
        QString::fromUtf8(QJsonDocument(analysisJson(result)).toJson(QJsonDocument::Compact));
    stored.mapWidth = result.mapWidth;
    stored.mapHeight = result.mapHeight;
    stored.photoPxPerMapPx = result.photoPxPerMapPx;
    stored.grades = gradeBytes(result);
    if (result.hairFraction.size() == result.grades.size()) {
        stored.hairFraction.resize(qsizetype(result.hairFraction.size()));
        std::transform(result.hairFraction.begin(), result.hairFraction.end(),
                       stored.hairFraction.begin(), [](float share) {
                           return static_cast<char>(static_cast<unsigned char>(
                               std::lround(255.0f * std::clamp(share, 0.0f, 1.0f))));
                       });
    }
    return storage::AnalysisStore(db).add(stored, corrections);
}

namespace {

// Tile (tileX, tileY) of a map of `mapWidth` x `mapHeight` bytes, clipped at the map's edge.
storage::GradeTile tileOf(const QByteArray &map, int mapWidth, int mapHeight, int tileX, int tileY)
{
    const int size = storage::kAnalysisTileSize;
    const int x0 = tileX * size, y0 = tileY * size;
    const int tw = std::min(size, mapWidth - x0), th = std::min(size, mapHeight - y0);
    storage::GradeTile tile{tileX, tileY, QByteArray(qsizetype(tw) * th, '\0')};
    for (int y = 0; y < th; ++y)
        std::copy_n(map.constData() + qsizetype(y0 + y) * mapWidth + x0, tw,
                    tile.grades.data() + qsizetype(y) * tw);
    return tile;
}

} // namespace

std::vector<std::uint8_t> mapPixelsInside(const storage::StoredAnalysis &stored,
                                          const QPolygonF &photoPolygon, bool beyondOutline)
{
    const int w = stored.mapWidth, h = stored.mapHeight;
    std::vector<std::uint8_t> marked(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
    if (w <= 0 || h <= 0 || stored.grades.size() != qsizetype(w) * h ||
        !(stored.photoPxPerMapPx > 0))
        return marked;
    // The polygon drawn at the map's scale: a map pixel is inside when its centre is.
    QImage inside(w, h, QImage::Format_Grayscale8);
    inside.fill(0);
    {
        QPainter painter(&inside);
        painter.setPen(Qt::NoPen);
        painter.setBrush(Qt::white);
        painter.scale(1.0 / stored.photoPxPerMapPx, 1.0 / stored.photoPxPerMapPx);
        painter.drawPolygon(photoPolygon);
    }
    const char notScalp = static_cast<char>(analysis::Grade::NotScalp);
    for (int y = 0; y < h; ++y) {
        const uchar *row = inside.constScanLine(y);
        for (int x = 0; x < w; ++x) {
            const qsizetype i = qsizetype(y) * w + x;
            marked[static_cast<std::size_t>(i)] =
                row[x] != 0 && (beyondOutline || stored.grades.at(i) != notScalp);
        }
    }
    return marked;
}

GradeChange gradeMarkedPixels(const QByteArray &corrected, int mapWidth, int mapHeight,
                              const std::vector<std::uint8_t> &marked, analysis::Grade grade)
{
    GradeChange change;
    const int w = mapWidth, h = mapHeight;
    if (w <= 0 || h <= 0 || corrected.size() != qsizetype(w) * h ||
        marked.size() != static_cast<std::size_t>(corrected.size()))
        return change;
    const int size = storage::kAnalysisTileSize;
    std::map<std::pair<int, int>, bool> touched; // ordered: tiles row by row
    QByteArray after = corrected;
    const char value = static_cast<char>(grade);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const qsizetype i = qsizetype(y) * w + x;
            if (!marked[static_cast<std::size_t>(i)] || after.at(i) == value)
                continue;
            after[i] = value;
            ++change.changedPixels;
            touched[{y / size, x / size}] = true;
        }
    for (const auto &[key, unused] : touched) {
        change.before.push_back(tileOf(corrected, w, h, key.second, key.first));
        change.after.push_back(tileOf(after, w, h, key.second, key.first));
    }
    return change;
}

GradeChange takeBackCorrections(const storage::StoredAnalysis &stored, const QByteArray &corrected)
{
    GradeChange change;
    const int w = stored.mapWidth, h = stored.mapHeight;
    if (w <= 0 || h <= 0 || stored.grades.size() != qsizetype(w) * h ||
        corrected.size() != stored.grades.size())
        return change;
    const int size = storage::kAnalysisTileSize;
    for (int tileY = 0; tileY * size < h; ++tileY)
        for (int tileX = 0; tileX * size < w; ++tileX) {
            storage::GradeTile before = tileOf(corrected, w, h, tileX, tileY);
            storage::GradeTile after = tileOf(stored.grades, w, h, tileX, tileY);
            if (before.grades == after.grades)
                continue;
            for (qsizetype i = 0; i < before.grades.size(); ++i)
                change.changedPixels += before.grades.at(i) != after.grades.at(i);
            change.before.push_back(std::move(before));
            change.after.push_back(std::move(after));
        }
    return change;
}

MapCorrections latestCorrections(storage::Database &db, storage::RecordId photoId)
{
    storage::AnalysisStore store(db);
    MapCorrections corrections;
    const std::optional<storage::StoredAnalysis> latest = store.latest(photoId);
    if (!latest)
        return corrections;
    corrections.analysisId = latest->id;
    corrections.mapWidth = latest->mapWidth;
    corrections.mapHeight = latest->mapHeight;
    corrections.photoPxPerMapPx = latest->photoPxPerMapPx;
    // A map not of its stated size has no place for its pixels on another map.
    if (const auto photo = storage::PhotoLibrary(db).find(photoId)) {
        corrections.notCarried = mapSizeDamage(*latest, *photo);
        if (!corrections.notCarried.isEmpty())
            return corrections;
    }
    corrections.grades = store.correctedGrades(*latest);
    for (qsizetype i = 0; i < corrections.grades.size(); ++i) {
        if (corrections.grades[i] == latest->grades.at(i))
            corrections.grades[i] = MapCorrections::kNotCorrected;
        else
            ++corrections.pixels;
    }
    return corrections;
}

std::vector<storage::GradeTile> carryCorrections(const MapCorrections &corrections,
                                                 const analysis::Result &result, qsizetype *carried)
{
    const int w = result.mapWidth, h = result.mapHeight;
    QByteArray grades = gradeBytes(result);
    const int tileSize = storage::kAnalysisTileSize;
    const int tilesX = (w + tileSize - 1) / tileSize;
    std::vector<bool> touched(static_cast<std::size_t>(tilesX) *
                              static_cast<std::size_t>((h + tileSize - 1) / tileSize));
    qsizetype changed = 0;
    if (corrections.pixels > 0 && corrections.photoPxPerMapPx > 0 &&
        grades.size() == qsizetype(w) * h &&
        corrections.grades.size() == qsizetype(corrections.mapWidth) * corrections.mapHeight) {
        // Each new map pixel takes the correction of the old map pixel under its centre.
        const double scale = result.photoPxPerMapPx / corrections.photoPxPerMapPx;
        for (int y = 0; y < h; ++y) {
            const int oldY = static_cast<int>((y + 0.5) * scale);
            if (oldY >= corrections.mapHeight)
                break;
            for (int x = 0; x < w; ++x) {
                const int oldX = static_cast<int>((x + 0.5) * scale);
                if (oldX >= corrections.mapWidth)
                    break;
                const char given =
                    corrections.grades.at(qsizetype(oldY) * corrections.mapWidth + oldX);
                char &grade = grades[qsizetype(y) * w + x];
                if (given == MapCorrections::kNotCorrected || given == grade)
                    continue;
                grade = given;
                ++changed;
                touched[static_cast<std::size_t>((y / tileSize) * tilesX + x / tileSize)] = true;
            }
        }
    }
    if (carried)
        *carried = changed;
    std::vector<storage::GradeTile> tiles;
    for (std::size_t i = 0; i < touched.size(); ++i) {
        if (touched[i])
            tiles.push_back(
                tileOf(grades, w, h, static_cast<int>(i) % tilesX, static_cast<int>(i) / tilesX));
    }
    return tiles;
}

namespace {

// The stage model trained by smp-evaluate-hairloss --train on the fit half of the hair-loss
// photographs, with its loss calibrations for front, top and back views (analysis 1.6 features),
// and the texture check's forest trained by smp-train-hair-texture on the same half (uze,
// hair-loss dataset, Roboflow Universe, CC BY 4.0), compiled in as resources.
void installStageModel()
{
    static std::once_flag once;
    std::call_once(once, [] {
        QFile stage(QStringLiteral(":/smp/models/norwood-rtrees.yml"));
        if (stage.open(QIODevice::ReadOnly)) // without it the stage comes from the cut points
            analysis::setStageModel(stage.readAll().toStdString(), stageModelId());
        // Without the texture check's forest the check does not apply and says so; the
        // analysis itself does not need it.
        QFile texture(QStringLiteral(":/smp/models/hair-texture-rtrees.yml"));
        try {
            if (texture.open(QIODevice::ReadOnly))
                analysis::setHairTextureModel(texture.readAll().toStdString(), textureModelId());
        } catch (const std::invalid_argument &error) {
            qWarning("texture check off: %s", error.what());
        }
    });
}

} // namespace

std::string stageModelId()
{
    return "norwood-rtrees-2026-12-01c";
}

std::string textureModelId()
{
    return "hair-texture-rtrees-2026-12-04";
}

void prepareAnalysis() noexcept
{
    // Run on worker threads, where an exception would end the program. What fails here (a model
    // that does not parse, no memory) is tried again by the first analysis, which reports it.
    try {
        installStageModel();
        analysis::prepare();
    } catch (const std::exception &error) {
        qWarning("preparing the analysis: %s (the first analysis tries again)", error.what());
    }
}

analysis::Result analyzeImage(const QImage &upright, const analysis::Parameters &parameters,
                              const analysis::Progress &progress)
{
    installStageModel();
    const QImage rgb = upright.convertToFormat(QImage::Format_RGB888);
    return analysis::analyze({rgb.width(), rgb.height(), rgb.bytesPerLine(), rgb.constBits()},
                             parameters, progress);
}

namespace {

QString softPhotoNoteFor(double photoSharpness)
{
    if (photoSharpness <= 0 || photoSharpness >= analysis::kSoftPhotoSharpness)
        return {};
    return QObject::tr("Soft photo (sharpness %1; a photo in focus reads over %2): fine hairs blur "
                       "into the skin, so the map of thin areas is less exact. Retake the photo "
                       "in focus if you can.")
        .arg(photoSharpness, 0, 'f', 2)
        .arg(analysis::kSharpPhotoSharpness, 0, 'f', 1);
}

QString hairToneNoteFor(bool closeCall, bool darker)
{
    if (!closeCall)
        return {};
    return QObject::tr("Skin and hair read close in lightness: the analysis took the hair as %1 "
                       "on a near tie. If the map is inside out (hair graded bald, bare scalp "
                       "normal), choose Hair: %2 and analyse again.")
        .arg(darker ? QObject::tr("darker than the skin") : QObject::tr("lighter than the skin"),
             darker ? QObject::tr("Lighter than skin") : QObject::tr("Darker than skin"));
}

} // namespace

QString hairToneNote(const analysis::Result &result)
{
    return result.scalpFound
               ? hairToneNoteFor(result.hairToneCloseCall,
                                 result.hairTone == analysis::HairTone::DarkerThanSkin)
               : QString();
}

QString hairToneNote(const storage::StoredAnalysis &stored)
{
    const QJsonObject summary = QJsonDocument::fromJson(stored.summaryJson.toUtf8()).object();
    if (!summary.value(QLatin1String("scalp_found")).toBool())
        return {};
    const QJsonObject algorithm = summary.value(QLatin1String("algorithm")).toObject();
    return hairToneNoteFor(
        algorithm.value(QLatin1String("hair_tone_close_call")).toBool(),
        algorithm.value(QLatin1String("hair_tone")).toString() ==
            QLatin1String(analysis::hairToneName(analysis::HairTone::DarkerThanSkin)));
}

QString softPhotoNote(const analysis::Result &result)
{
    return result.scalpFound ? softPhotoNoteFor(result.photoSharpness) : QString();
}

QString analysisVersion()
{
    return QString::fromStdString(analysis::Result().algorithmVersion);
}

QString olderVersionNote(const storage::StoredAnalysis &stored)
{
    const QString current = analysisVersion();
    if (stored.version == current)
        return {};
    return QObject::tr("Read by version %1 of the analysis; this program has version %2, which "
                       "may read the photo differently. Analyse it again to compare it with "
                       "photos analysed now (your corrections can be kept).")
        .arg(stored.version, current);
}

QString softPhotoNote(const storage::StoredAnalysis &stored)
{
    const QJsonObject summary = QJsonDocument::fromJson(stored.summaryJson.toUtf8()).object();
    if (!summary.value(QLatin1String("scalp_found")).toBool())
        return {};
    return softPhotoNoteFor(summary.value(QLatin1String("algorithm"))
                                .toObject()
                                .value(QLatin1String("photo_sharpness"))
                                .toDouble());
}

QString faceOnMapNote(analysis::View view)
{
    switch (view) {
    case analysis::View::Front:
        return QObject::tr(
            "A front view: the analysis reads the face and the forehead below the hair as bald "
            "scalp. Take them off the map before planning (in the photo window: Plan, Mark Face, "
            "Take Face Off Map, or the Lasso with \u201cnot scalp\u201d).");
    case analysis::View::Left:
    case analysis::View::Right:
        return QObject::tr(
            "A side view: the analysis reads the face, and bare skin of the neck, as bald scalp. "
            "Take them off the map before planning (in the photo window: the Lasso with "
            "\u201cnot scalp\u201d).");
    default:
        return {};
    }
}

bool faceStillOnMap(const storage::StoredAnalysis &stored, const QByteArray &corrected,
                    storage::PhotoView view)
{
    const char notScalp = static_cast<char>(analysis::Grade::NotScalp);
    if (faceOnMapNote(toAnalysisView(view)).isEmpty() || corrected.size() != stored.grades.size() ||
        stored.grades.count(notScalp) == stored.grades.size())
        return false;
    for (qsizetype i = 0; i < corrected.size(); ++i)
        if (corrected.at(i) == notScalp && stored.grades.at(i) != notScalp)
            return false;
    return true;
}

namespace {

// A stored analysis that cannot be read back (its map not its stated size): the message names
// the analysis and the photo and says how to mend it.
class DamagedAnalysis : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// The latest analysis of `photo`, when it found a scalp.
std::optional<storage::StoredAnalysis> scalpAnalysis(storage::AnalysisStore &analyses,
                                                     const storage::Photo &photo)
{
    auto stored = analyses.latest(photo.id);
    if (!stored || !QJsonDocument::fromJson(stored->summaryJson.toUtf8())
                        .object()
                        .value(QLatin1String("scalp_found"))
                        .toBool())
        return std::nullopt;
    return stored;
}

// The client's stage from the photos of `photos` (newest first) taken on `day`, local time;
// empty when none of them counts and found a scalp. `known`, when given, is the latest analysis
// of the photo `knownPhotoId`, already read. Throws DamagedAnalysis (a std::runtime_error)
// naming the analysis and the photo when a stored analysis is damaged.
std::optional<ClientStage> stageOfVisit(storage::AnalysisStore &analyses,
                                        const std::vector<storage::Photo> &photos, QDate day,
                                        storage::RecordId knownPhotoId = 0,
                                        std::optional<storage::StoredAnalysis> known = {})
{
    ClientStage stage;
    stage.day = day;
    std::vector<analysis::ViewLevel> levels;
    for (const storage::Photo &photo : photos) {
        if (photo.takenAt.toLocalTime().date() != day)
            continue;
        const auto stored =
            photo.id == knownPhotoId && known ? std::move(known) : scalpAnalysis(analyses, photo);
        if (!stored)
            continue;
        if (!analysis::countsForCombinedStage(toAnalysisView(photo.view))) {
            ++stage.notCounted;
            continue;
        }
        analysis::NorwoodEstimate norwood;
        try {
            norwood = summarizeStoredAnalysis(*stored, analyses.correctedGrades(*stored),
                                              photo.view, photo.rotationQuarterTurns, std::nullopt)
                          .norwood;
        } catch (const std::invalid_argument &damaged) {
            throw DamagedAnalysis(
                damagedAnalysisText(*stored, photo, QString::fromUtf8(damaged.what()))
                    .toStdString());
        }
        levels.push_back({toAnalysisView(photo.view), norwood.level});
        stage.photos.emplace_back(photo.view, QString::fromStdString(norwood.stage));
    }
    const auto combined = analysis::combinedStage(levels);
    if (!combined)
        return std::nullopt;
    stage.combined = *combined;
    return stage;
}

// The client's photos, newest first.
std::vector<storage::Photo> photosNewestFirst(storage::Database &db, storage::RecordId clientId)
{
    std::vector<storage::Photo> photos = storage::PhotoLibrary(db).photos(clientId);
    std::stable_sort(
        photos.begin(), photos.end(),
        [](const storage::Photo &a, const storage::Photo &b) { return a.takenAt > b.takenAt; });
    return photos;
}

} // namespace

std::optional<ClientStage> clientStage(storage::Database &db, storage::RecordId clientId)
{
    storage::AnalysisStore analyses(db);
    const std::vector<storage::Photo> photos = photosNewestFirst(db, clientId);
    // The visit: the day of the newest photo that counts and found a scalp (its analysis kept,
    // not read twice).
    for (const storage::Photo &photo : photos)
        if (analysis::countsForCombinedStage(toAnalysisView(photo.view)))
            if (auto newest = scalpAnalysis(analyses, photo))
                return stageOfVisit(analyses, photos, photo.takenAt.toLocalTime().date(), photo.id,
                                    std::move(newest));
    return std::nullopt;
}

std::vector<ClientStage> clientStageByVisit(storage::Database &db, storage::RecordId clientId,
                                            std::size_t maxVisits)
{
    storage::AnalysisStore analyses(db);
    const std::vector<storage::Photo> photos = photosNewestFirst(db, clientId);
    std::vector<ClientStage> visits;
    QDate previous;
    for (const storage::Photo &photo : photos) {
        if (visits.size() >= maxVisits)
            break;
        const QDate day = photo.takenAt.toLocalTime().date();
        if (day == previous) // photos newest first: a day's photos lie together
            continue;
        previous = day;
        try {
            if (auto stage = stageOfVisit(analyses, photos, day))
                visits.push_back(std::move(*stage));
        } catch (const DamagedAnalysis &damaged) {
            ClientStage unread;
            unread.day = day;
            unread.problem = QString::fromUtf8(damaged.what());
            visits.push_back(std::move(unread));
        }
    }
    return visits;
}

QString clientStageText(const ClientStage &stage, const QLocale &locale)
{
    QStringList parts;
    for (const auto &[view, name] : stage.photos)
        parts << QObject::tr("%1 %2").arg(storage::toString(view), name);
    QString text =
        QObject::tr("Norwood %1 from %n photo(s) of %2 (%3)", nullptr, stage.combined.photosCounted)
            .arg(QString::fromStdString(stage.combined.stage),
                 locale.toString(stage.day, QStringLiteral("d MMM yyyy")),
                 parts.join(QStringLiteral(", ")));
    if (stage.notCounted > 0)
        text += QObject::tr("; back and side views not counted");
    return text;
}

ScalpCoverage scalpCoverage(const storage::StoredAnalysis &stored, const QByteArray &corrected)
{
    ScalpCoverage coverage;
    coverage.asAnalysedPercent = QJsonDocument::fromJson(stored.summaryJson.toUtf8())
                                     .object()
                                     .value(QLatin1String("coverage_percent"))
                                     .toDouble();
    coverage.percent = coverage.asAnalysedPercent;
    if (corrected.size() != stored.grades.size())
        return coverage;
    const char notScalp = static_cast<char>(analysis::Grade::NotScalp);
    // Only what was taken off changes the coverage: pixels painted beyond the outline were not
    // measured.
    bool takenOff = false;
    for (qsizetype i = 0; i < corrected.size() && !takenOff; ++i)
        takenOff = corrected.at(i) == notScalp && stored.grades.at(i) != notScalp;
    if (!takenOff)
        return coverage;
    if (stored.hairFraction.size() != stored.grades.size()) {
        coverage.notRetaken = true;
        return coverage;
    }
    double hair = 0;
    qsizetype scalp = 0;
    for (qsizetype i = 0; i < corrected.size(); ++i) {
        if (corrected.at(i) == notScalp || stored.grades.at(i) == notScalp)
            continue;
        hair += static_cast<unsigned char>(stored.hairFraction.at(i));
        ++scalp;
    }
    coverage.percent = scalp > 0 ? 100.0 * hair / (255.0 * double(scalp)) : 0.0;
    coverage.overCorrectedScalp = true;
    return coverage;
}

QJsonObject analysisJson(const analysis::Result &r)
{
    QJsonObject object;
    object[QLatin1String("scalp_found")] = r.scalpFound;
    object[QLatin1String("scalp_confidence")] = r.scalpConfidence;
    if (!r.scalpFound)
        object[QLatin1String("no_scalp_reason")] = QString::fromStdString(r.noScalpReason);
    object[QLatin1String("calibrated")] = r.calibrated;
    object[QLatin1String("coverage_percent")] = r.coveragePercent;
    object[QLatin1String("reference_coverage")] = r.referenceCoverage;
    object[QLatin1String("scalp_area_px")] = r.scalpAreaPx;
    object[QLatin1String("scalp_area_cm2")] =
        r.scalpAreaCm2 ? QJsonValue(*r.scalpAreaCm2) : QJsonValue();
    object[QLatin1String("taken_off_px")] = r.takenOffPx;
    object[QLatin1String("taken_off_cm2")] =
        r.takenOffCm2 ? QJsonValue(*r.takenOffCm2) : QJsonValue();
    if (r.calibrated)
        object[QLatin1String("window_mm")] = r.windowMm;
    object[QLatin1String("window_px")] = r.windowPhotoPx;
    if (const QString note = softPhotoNote(r); !note.isEmpty())
        object[QLatin1String("photo_note")] = note;
    if (const QString note = hairToneNote(r); !note.isEmpty())
        object[QLatin1String("hair_tone_note")] = note;
    if (!r.calibrated) {
        object[QLatin1String("estimate_note")] =
            QStringLiteral("uncalibrated photo: areas are in pixels only and the coverage window "
                           "is a share of the "
                           "head's width; calibrate the photo for areas in cm2");
    }
    QJsonObject norwood;
    norwood[QLatin1String("level")] = r.norwood.level;
    norwood[QLatin1String("method")] = QString::fromStdString(r.norwood.method);
    norwood[QLatin1String("stage")] = QString::fromStdString(r.norwood.stage);
    norwood[QLatin1String("confidence")] = r.norwood.confidence;
    norwood[QLatin1String("variant")] = r.norwood.variant.empty()
                                            ? QJsonValue()
                                            : QJsonValue(QString::fromStdString(r.norwood.variant));
    object[QLatin1String("norwood")] = norwood;
    // What the stage model read, so that a corrected map can be staged the same way.
    QJsonArray features;
    for (double value : r.stageFeatures)
        features.append(value);
    object[QLatin1String("stage_features")] = features;
    QJsonArray regions;
    for (const auto &region : r.regions) {
        QJsonObject entry;
        entry[QLatin1String("grade")] = QString::fromLatin1(analysis::gradeName(region.grade));
        entry[QLatin1String("area_px")] = region.areaPx;
        entry[QLatin1String("area_cm2")] =
            region.areaCm2 ? QJsonValue(*region.areaCm2) : QJsonValue();
        entry[QLatin1String("location")] = QString::fromStdString(region.location);
        entry[QLatin1String("centroid_px")] = QJsonArray{region.centroid.x, region.centroid.y};
        QJsonArray outline;
        for (const auto &point : region.outline)
            outline.append(QJsonArray{point.x, point.y});
        entry[QLatin1String("outline_px")] = outline;
        regions.append(entry);
    }
    object[QLatin1String("regions")] = regions;
    QJsonObject algorithm;
    algorithm[QLatin1String("name")] = QString::fromStdString(r.algorithmName);
    algorithm[QLatin1String("version")] = QString::fromStdString(r.algorithmVersion);
    if (!r.unmixing.empty())
        algorithm[QLatin1String("unmixing")] = QString::fromStdString(r.unmixing);
    if (r.scalpFound) {
        // Which way round the hair was read, and whose word that was.
        algorithm[QLatin1String("hair_tone")] =
            QString::fromLatin1(analysis::hairToneName(r.hairTone));
        algorithm[QLatin1String("hair_tone_from")] =
            r.hairToneGiven ? QStringLiteral("technician") : QStringLiteral("analysis");
        algorithm[QLatin1String("hair_tone_close_call")] = r.hairToneCloseCall;
        // How sharp the photo read, and so how far into the hair side its end was looked for.
        algorithm[QLatin1String("photo_sharpness")] = r.photoSharpness;
        algorithm[QLatin1String("hair_extreme_share")] = r.hairExtremeShare;
    }
    algorithm[QLatin1String("parameters")] =
        QJsonDocument::fromJson(QByteArray::fromStdString(r.parametersJson)).object();
    object[QLatin1String("algorithm")] = algorithm;
    QJsonObject texture = textureCheckJson(r.texture);
    if (const QString note = textureCheckNote(r); !note.isEmpty())
        texture[QLatin1String("note")] = note;
    object[QLatin1String("texture_check")] = texture;
    return object;
}

QJsonObject textureCheckJson(const analysis::TextureCheck &check)
{
    QJsonObject object;
    object[QLatin1String("applies")] = check.applies;
    if (!check.modelId.empty())
        object[QLatin1String("model")] = QString::fromStdString(check.modelId);
    if (!check.applies) {
        object[QLatin1String("reason")] = QString::fromStdString(check.reason);
        return object;
    }
    object[QLatin1String("cut_point")] = analysis::kTextureHairProbability;
    object[QLatin1String("loss_reading_hair_percent")] = 100.0 * check.lossReadingHair;
    object[QLatin1String("cells_wide")] = check.cellsWide;
    object[QLatin1String("cells_high")] = check.cellsHigh;
    object[QLatin1String("photo_px_per_cell")] = check.photoPxPerCell;
    // One byte per cell (probability x 255), row-major, base64.
    QByteArray cells(static_cast<qsizetype>(check.hairProbability.size()), '\0');
    for (std::size_t i = 0; i < check.hairProbability.size(); ++i)
        cells[static_cast<qsizetype>(i)] = static_cast<char>(
            std::lround(std::clamp(check.hairProbability[i], 0.0f, 1.0f) * 255.0f));
    object[QLatin1String("hair_probability")] = QString::fromLatin1(cells.toBase64());
    return object;
}

analysis::TextureCheck textureCheckOf(const storage::StoredAnalysis &stored)
{
    const QJsonObject object = QJsonDocument::fromJson(stored.summaryJson.toUtf8())
                                   .object()
                                   .value(QLatin1String("texture_check"))
                                   .toObject();
    analysis::TextureCheck check;
    check.modelId = object.value(QLatin1String("model")).toString().toStdString();
    check.reason = object.value(QLatin1String("reason")).toString().toStdString();
    check.cellsWide = object.value(QLatin1String("cells_wide")).toInt();
    check.cellsHigh = object.value(QLatin1String("cells_high")).toInt();
    check.photoPxPerCell = object.value(QLatin1String("photo_px_per_cell")).toDouble();
    check.lossReadingHair =
        object.value(QLatin1String("loss_reading_hair_percent")).toDouble() / 100.0;
    const QByteArray cells = QByteArray::fromBase64(
        object.value(QLatin1String("hair_probability")).toString().toLatin1());
    if (!object.value(QLatin1String("applies")).toBool() || check.cellsWide <= 0 ||
        check.cellsHigh <= 0 || cells.size() != qsizetype(check.cellsWide) * check.cellsHigh) {
        if (check.reason.empty())
            check.reason = object.isEmpty() ? "The analysis was made before the texture check."
                                            : "The stored texture check cannot be read.";
        analysis::TextureCheck none;
        none.reason = check.reason;
        none.modelId = check.modelId;
        return none;
    }
    check.hairProbability.resize(static_cast<std::size_t>(cells.size()));
    for (qsizetype i = 0; i < cells.size(); ++i)
        check.hairProbability[static_cast<std::size_t>(i)] =
            static_cast<float>(static_cast<std::uint8_t>(cells[i])) / 255.0f;
    check.applies = true;
    return check;
}

namespace {

// A stored grade map (one byte per map pixel) as grades.
std::vector<analysis::Grade> gradesOf(const QByteArray &map)
{
    std::vector<analysis::Grade> grades(static_cast<std::size_t>(map.size()));
    std::transform(map.cbegin(), map.cend(), grades.begin(), [](char g) {
        return static_cast<analysis::Grade>(static_cast<std::uint8_t>(g));
    });
    return grades;
}

} // namespace

std::vector<std::uint8_t> textureCheckMarks(const std::vector<std::uint8_t> &hairOnMap,
                                            const QByteArray &grades)
{
    if (hairOnMap.empty() || hairOnMap.size() != static_cast<std::size_t>(grades.size()))
        return {};
    std::vector<std::uint8_t> marks(hairOnMap.size(), 0);
    for (std::size_t i = 0; i < marks.size(); ++i)
        marks[i] = hairOnMap[i] && static_cast<std::uint8_t>(grades[static_cast<qsizetype>(i)]) >=
                                       static_cast<std::uint8_t>(analysis::Grade::Advanced)
                       ? 1
                       : 0;
    return marks;
}

std::vector<std::uint8_t> textureCheckMarks(const storage::StoredAnalysis &stored,
                                            const QByteArray &corrected)
{
    return textureCheckMarks(analysis::hairOnMap(textureCheckOf(stored), stored.mapWidth,
                                                 stored.mapHeight, stored.photoPxPerMapPx),
                             corrected);
}

double textureCheckShare(const std::vector<std::uint8_t> &marks, const QByteArray &grades)
{
    if (marks.empty() || marks.size() != static_cast<std::size_t>(grades.size()))
        return 0;
    std::size_t loss = 0, marked = 0;
    for (std::size_t i = 0; i < marks.size(); ++i) {
        loss += static_cast<std::uint8_t>(grades[static_cast<qsizetype>(i)]) >=
                        static_cast<std::uint8_t>(analysis::Grade::Advanced)
                    ? 1u
                    : 0u;
        marked += marks[i];
    }
    return loss > 0 ? static_cast<double>(marked) / static_cast<double>(loss) : 0;
}

double textureCheckShare(const storage::StoredAnalysis &stored, const QByteArray &corrected)
{
    return textureCheckShare(textureCheckMarks(stored, corrected), corrected);
}

QString textureCheckNote(double share)
{
    if (share < kTextureNoteShare)
        return {};
    return QObject::tr("Texture check: %1% of the area graded advanced or bald looks like hair to "
                       "a model learnt from real photographs (hatched). Look there before "
                       "planning, and grade it normal where hair covers the scalp.")
        .arg(qRound(100 * share));
}

QString textureCheckNote(const analysis::Result &result)
{
    return textureCheckNote(result.texture.lossReadingHair);
}

QImage textureCheckOverlayImage(const std::vector<std::uint8_t> &marks, int mapWidth, int mapHeight)
{
    return textureCheckOverlayImage(marks, mapWidth, mapHeight, QSize(mapWidth, mapHeight), 6);
}

QImage textureCheckOverlayImage(const std::vector<std::uint8_t> &marks, int mapWidth, int mapHeight,
                                QSize size, int periodPx)
{
    QImage hatch(size, QImage::Format_ARGB32_Premultiplied);
    hatch.fill(Qt::transparent);
    if (mapWidth <= 0 || mapHeight <= 0 || size.isEmpty() ||
        marks.size() != static_cast<std::size_t>(mapWidth) * static_cast<std::size_t>(mapHeight))
        return hatch;
    // Diagonal stripes a third of the period wide, in a cyan no grade is drawn in; each pixel
    // of the hatching reads the map pixel it lies on.
    const int period = std::max(3, periodPx);
    const int stripe = std::max(1, (period + 1) / 3);
    const QRgb colour = qPremultiply(qRgba(0, 210, 255, 235));
    std::vector<int> mapColumn(static_cast<std::size_t>(size.width()));
    for (int x = 0; x < size.width(); ++x)
        mapColumn[static_cast<std::size_t>(x)] = std::min(
            mapWidth - 1, static_cast<int>(static_cast<qint64>(x) * mapWidth / size.width()));
    for (int y = 0; y < size.height(); ++y) {
        const int mapY = std::min(
            mapHeight - 1, static_cast<int>(static_cast<qint64>(y) * mapHeight / size.height()));
        const std::uint8_t *row =
            marks.data() + static_cast<std::size_t>(mapY) * static_cast<std::size_t>(mapWidth);
        auto *line = reinterpret_cast<QRgb *>(hatch.scanLine(y));
        for (int x = 0; x < size.width(); ++x)
            if ((x + y) % period < stripe && row[mapColumn[static_cast<std::size_t>(x)]])
                line[x] = colour;
    }
    return hatch;
}

QImage gradeOverlayImage(const QByteArray &grades, int mapWidth, int mapHeight, int alpha)
{
    if (mapWidth <= 0 || mapHeight <= 0 || grades.size() != qsizetype(mapWidth) * mapHeight)
        throw std::invalid_argument("gradeOverlayImage: the map does not match its size");
    QImage tint(mapWidth, mapHeight, QImage::Format_ARGB32_Premultiplied);
    QRgb palette[6];
    for (int g = 0; g < 6; ++g) {
        const QColor c = gradeColour(static_cast<analysis::Grade>(g));
        palette[g] = g <= 1 ? 0u : qPremultiply(qRgba(c.red(), c.green(), c.blue(), alpha));
    }
    for (int y = 0; y < mapHeight; ++y) {
        auto *line = reinterpret_cast<QRgb *>(tint.scanLine(y));
        const auto *row =
            reinterpret_cast<const std::uint8_t *>(grades.constData()) + qsizetype(y) * mapWidth;
        for (int x = 0; x < mapWidth; ++x)
            line[x] = palette[std::min<int>(row[x], 5)];
    }
    return tint;
}

QImage drawAnalysisOverlay(const QImage &upright, const analysis::Result &r)
{
    QImage out = upright.convertToFormat(QImage::Format_RGB32);
    if (!r.scalpFound)
        return out;
    // Grade colours, translucent, at map resolution scaled up.
    const QImage tint = gradeOverlayImage(gradeBytes(r), r.mapWidth, r.mapHeight);
    QPainter painter(&out);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(QRectF(0, 0, out.width(), out.height()), tint);
    // The texture check's hatching over the loss area that reads hair.
    painter.drawImage(
        QRectF(0, 0, out.width(), out.height()),
        textureCheckOverlayImage(analysis::lossReadingHair(r.texture, r.grades, r.mapWidth,
                                                           r.mapHeight, r.photoPxPerMapPx),
                                 r.mapWidth, r.mapHeight));
    const double pen = std::max(2.0, out.width() / 500.0);
    QFont font = painter.font();
    font.setPixelSize(static_cast<int>(std::max(12.0, out.width() / 60.0)));
    font.setBold(true);
    painter.setFont(font);
    std::vector<QPointF> labelledAt;
    for (const auto &region : r.regions) {
        if (region.grade == analysis::Grade::Normal)
            continue;
        // Outline every thinning region; label only the larger ones of moderate grade or worse.
        const bool labelled =
            region.grade >= analysis::Grade::Moderate && region.areaPx >= 0.015 * r.scalpAreaPx;
        QPolygonF polygon;
        for (const auto &p : region.outline)
            polygon << QPointF(p.x, p.y);
        painter.setPen(QPen(gradeColour(region.grade).darker(130), pen));
        painter.setBrush(Qt::NoBrush);
        painter.drawPolygon(polygon);
        if (!labelled)
            continue;
        // One label per place: a region whose centre is close to a labelled one stays unlabelled.
        const QPointF centre(region.centroid.x, region.centroid.y);
        if (std::any_of(labelledAt.begin(), labelledAt.end(), [&](const QPointF &p) {
                return QLineF(p, centre).length() < 0.06 * out.width();
            }))
            continue;
        labelledAt.push_back(centre);
        const QString label = region.areaCm2
                                  ? QStringLiteral("%1 %2 cm²")
                                        .arg(QString::fromLatin1(analysis::gradeName(region.grade)))
                                        .arg(*region.areaCm2, 0, 'f', 1)
                                  : QString::fromLatin1(analysis::gradeName(region.grade));
        const QPointF at(region.centroid.x, region.centroid.y);
        QPainterPath text;
        text.addText(at - QPointF(painter.fontMetrics().horizontalAdvance(label) / 2.0, 0), font,
                     label);
        painter.setPen(QPen(Qt::white, pen * 1.5));
        painter.drawPath(text);
        painter.fillPath(text, Qt::black);
    }
    return out;
}

void checkImageOutputPath(const QString &path)
{
    const QFileInfo info(path);
    const auto fail = [&](const QString &why) {
        throw std::runtime_error(
            QStringLiteral("cannot write \"%1\": %2").arg(path, why).toStdString());
    };
    if (info.isDir())
        fail(QStringLiteral("it is a folder"));
    if (!QImageWriter::supportedImageFormats().contains(info.suffix().toLower().toLatin1()))
        fail(QStringLiteral("the file name should end in an image format such as .png or .jpg"));
    if (!info.absoluteDir().exists())
        fail(QStringLiteral("the folder \"%1\" does not exist").arg(info.absolutePath()));
}

void checkMaskFolder(const QString &folder)
{
    const auto fail = [&](const QString &why) {
        throw std::runtime_error(
            QStringLiteral("cannot write masks into \"%1\": %2").arg(folder, why).toStdString());
    };
    QFileInfo info(folder);
    if (info.exists() && !info.isDir())
        fail(QStringLiteral("it is a file, not a folder"));
    // A folder still to be made is made inside its nearest existing ancestor.
    QString path = info.absoluteFilePath();
    while (!QFileInfo::exists(path) && QFileInfo(path).absolutePath() != path)
        path = QFileInfo(path).absolutePath();
    const QFileInfo ancestor(path);
    if (!ancestor.isDir())
        fail(QStringLiteral("\"%1\" is a file, not a folder").arg(path));
    if (!ancestor.isWritable())
        fail(QStringLiteral("the folder \"%1\" is not writable").arg(path));
}

void writeImageAtomically(const QImage &image, const QString &path)
{
    checkImageOutputPath(path);
    const QByteArray format = QFileInfo(path).suffix().toLower().toLatin1();
    const auto fail = [&](const QString &why) {
        throw std::runtime_error(
            QStringLiteral("cannot write \"%1\": %2").arg(path, why).toStdString());
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        fail(file.errorString());
    QImageWriter writer(&file, format);
    if (!writer.write(image)) {
        file.cancelWriting();
        fail(writer.errorString());
    }
    if (!file.commit())
        fail(file.errorString());
}

void writeAnalysisMasks(const analysis::Result &r, const QString &folder)
{
    checkMaskFolder(folder);
    if (!QDir().mkpath(folder))
        throw std::runtime_error(
            QStringLiteral("cannot create the folder \"%1\"").arg(folder).toStdString());
    const auto save = [&](const QImage &image, const char *name) {
        writeImageAtomically(image, QDir(folder).filePath(QString::fromLatin1(name)));
    };
    save(mapImage(r, r.labels, [](analysis::Label l) { return static_cast<uchar>(l); }),
         "labels.png");
    save(mapImage(r, r.grades, [](analysis::Grade g) { return static_cast<uchar>(g); }),
         "grades.png");
    save(mapImage(r, r.coverage,
                  [](float c) { return static_cast<uchar>(std::clamp(c, 0.0f, 1.0f) * 255.0f); }),
         "coverage.png");
    // The texture check's marks (all 0 where it does not apply, so no earlier run's stay).
    std::vector<std::uint8_t> marks =
        analysis::lossReadingHair(r.texture, r.grades, r.mapWidth, r.mapHeight, r.photoPxPerMapPx);
    marks.resize(r.grades.size(), 0);
    save(mapImage(r, marks, [](std::uint8_t m) { return static_cast<uchar>(m ? 255 : 0); }),
         "texture.png");
}

QString damagedAnalysisText(const storage::StoredAnalysis &stored, const storage::Photo &photo,
                            const QString &problem)
{
    return QObject::tr("analysis %1 of photo %2 (%3) is damaged: %4; analyse the photo again")
        .arg(stored.id)
        .arg(photo.id)
        .arg(photo.originalName, problem);
}

namespace {

QString noScalpTextFor(const storage::Photo &photo, const QString &reason)
{
    return QObject::tr("photo %1 (%2) shows no scalp to analyse: %3")
        .arg(photo.id)
        .arg(photo.originalName, reason);
}

} // namespace

QString noScalpText(const storage::StoredAnalysis &stored, const storage::Photo &photo)
{
    const QJsonObject summary = QJsonDocument::fromJson(stored.summaryJson.toUtf8()).object();
    if (summary.value(QLatin1String("scalp_found")).toBool(true))
        return QString();
    return noScalpTextFor(photo, summary.value(QLatin1String("no_scalp_reason")).toString());
}

QString noScalpText(const analysis::Result &result, const storage::Photo &photo)
{
    if (result.scalpFound)
        return QString();
    return noScalpTextFor(photo, QString::fromStdString(result.noScalpReason));
}

QString mapSizeDamage(const storage::StoredAnalysis &stored, const storage::Photo &photo)
{
    if (stored.grades.size() == qsizetype(stored.mapWidth) * stored.mapHeight)
        return QString();
    return damagedAnalysisText(stored, photo,
                               QObject::tr("its map does not match its size (%1 x %2)")
                                   .arg(stored.mapWidth)
                                   .arg(stored.mapHeight));
}

analysis::GradeSummary summarizeStoredAnalysis(const storage::StoredAnalysis &stored,
                                               const QByteArray &corrected, storage::PhotoView view,
                                               int quarterTurns, std::optional<double> mmPerPx)
{
    const std::vector<analysis::Grade> grades = gradesOf(corrected);
    analysis::GradeSummary summary =
        analysis::summarizeGrades(grades, stored.mapWidth, stored.mapHeight, stored.photoPxPerMapPx,
                                  mmPerPx, toAnalysisView(view), 0.003, quarterTurns);
    const QJsonObject json = QJsonDocument::fromJson(stored.summaryJson.toUtf8()).object();
    // This version's analysis: restaged by the model from its features. An earlier version's (no
    // features before 1.2; 1.2 has 21, 1.3 the same 48 from a different coverage): the stage it
    // gave, moved by the corrections.
    const QJsonArray features = json.value(QLatin1String("stage_features")).toArray();
    if (stored.version == analysisVersion() &&
        features.size() == qsizetype(analysis::stageFeatureNames().size())) {
        installStageModel();
        std::vector<double> values;
        for (const QJsonValue &value : features)
            values.push_back(value.toDouble());
        summary.norwood = analysis::stageOfGrades(grades, stored.mapWidth, stored.mapHeight,
                                                  std::move(values), summary.norwood);
    } else if (json.contains(QLatin1String("norwood"))) {
        const QJsonObject norwood = json.value(QLatin1String("norwood")).toObject();
        analysis::NorwoodEstimate asStored;
        asStored.level = norwood.value(QLatin1String("level")).toInt();
        asStored.stage = norwood.value(QLatin1String("stage")).toString().toStdString();
        asStored.method = norwood.value(QLatin1String("method")).toString().toStdString();
        asStored.confidence = norwood.value(QLatin1String("confidence")).toDouble();
        asStored.variant = norwood.value(QLatin1String("variant")).toString().toStdString();
        const std::vector<analysis::Grade> original = gradesOf(stored.grades);
        if (asStored.level >= 1 && original.size() == grades.size())
            summary.norwood = analysis::movedStage(asStored, original, grades, summary.norwood);
    }
    return summary;
}

} // namespace smp::clinic
