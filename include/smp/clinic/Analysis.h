#pragma once

// The bridge between the Qt side (photos, files, JSON) and smp::analysis (OpenCV, no Qt).

#include "smp/analysis/ScalpAnalysis.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Records.h"

namespace smp::storage {
class Database;
} // namespace smp::storage

#include <QColor>
#include <QDate>
#include <QImage>
#include <QJsonObject>
#include <QLocale>
#include <QPolygonF>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace smp::clinic {

analysis::View toAnalysisView(storage::PhotoView view);

// The parameters for a stored photo: its view and current calibration, and which way round its
// client's hair lies when their recorded hair colour says (hairToneForHairColour()). The
// technician's word for its last analysis, the hair tone and the reference area (photo pixels),
// holds for the next: a photo analysed again is graded as it was until they say otherwise.
analysis::Parameters parametersForPhoto(storage::Database &db, storage::RecordId photoId);

// What the technician said for a stored analysis, read from its parameters: the hair tone it
// was analysed with (Automatic when unreadable) and the reference area (photo pixels), if any.
struct TechnicianChoices
{
    analysis::HairTone hairTone = analysis::HairTone::Automatic;
    std::optional<analysis::Parameters::Rect> referenceArea;
};
TechnicianChoices technicianChoices(const storage::StoredAnalysis &stored);

// The hair tone to analyse a client's photos with, from the hair colour recorded for them: red
// hair (red, auburn, ginger, copper, strawberry) is darker than the skin but redder, which the
// analysis cannot tell by itself (it takes the reddest fifth of the head for the skin, and
// reads such a head inside out: docs/analysis.md); Automatic for any other colour.
analysis::HairTone hairToneForHairColour(const QString &hairColour);

// Stores a result for a photo (algorithm, version, parameters, summary JSON, grade map) and
// returns the analysis id; `corrections` (carryCorrections()) are stored with it, in the same
// transaction, as its corrections (its own map is kept as read).
storage::RecordId storeAnalysis(storage::Database &db, storage::RecordId photoId,
                                const analysis::Result &result,
                                const std::vector<storage::GradeTile> &corrections = {});

// The technician's corrections of one analysis: per map pixel the grade they gave where it
// differs from the analysis's own reading, kNotCorrected elsewhere.
struct MapCorrections
{
    static constexpr char kNotCorrected = -1;
    storage::RecordId analysisId = 0; // 0: the photo has no analysis
    int mapWidth = 0;
    int mapHeight = 0;
    double photoPxPerMapPx = 1;
    QByteArray grades;    // mapWidth x mapHeight bytes, row-major
    qsizetype pixels = 0; // how many map pixels are corrected
    // Why the analysis's corrections cannot be laid over another map (its own map damaged:
    // mapSizeDamage()); empty when they can. Such corrections come with no pixels.
    QString notCarried;
};

// The map pixels of `stored` whose centres lie in `photoPolygon` (photo pixels): one byte per
// map pixel, 1 inside; the pixels the analysis left off the scalp only when `beyondOutline`.
std::vector<std::uint8_t> mapPixelsInside(const storage::StoredAnalysis &stored,
                                          const QPolygonF &photoPolygon, bool beyondOutline);

// One grade correction: the tiles of the map it changes, as they were and as they become.
struct GradeChange
{
    std::vector<storage::GradeTile> before;
    std::vector<storage::GradeTile> after; // what AnalysisStore::saveCorrections stores
    qsizetype changedPixels = 0;
};

// The marked pixels (one byte per map pixel, non-zero to change) of `corrected`, a map of
// `mapWidth` x `mapHeight` as corrected so far, graded `grade`; pixels already of that grade
// are no change. Empty when `marked` does not fit the map.
GradeChange gradeMarkedPixels(const QByteArray &corrected, int mapWidth, int mapHeight,
                              const std::vector<std::uint8_t> &marked, analysis::Grade grade);

// Every correction of `corrected` (the map of `stored` as corrected so far) taken back: the
// analysis's own grades on the tiles where they differ. Empty when there is none, or when the
// maps do not fit `stored`'s size (mapSizeDamage()).
GradeChange takeBackCorrections(const storage::StoredAnalysis &stored, const QByteArray &corrected);

// The corrections of the photo's latest analysis, as stored (none without one).
MapCorrections latestCorrections(storage::Database &db, storage::RecordId photoId);

// `corrections` (of an earlier analysis of the same photo) laid over a new result's map: the
// tiles to store with it (storeAnalysis()). The maps are matched through photo pixels, so an
// analysis at another scale takes them too. `carried` receives how many of the new map's pixels
// they grade otherwise than the new analysis reads them; tiles hold only those.
std::vector<storage::GradeTile> carryCorrections(const MapCorrections &corrections,
                                                 const analysis::Result &result,
                                                 qsizetype *carried = nullptr);

// The id of the stage model compiled in (resources/models/norwood-rtrees.yml), as every result's
// parameters name it.
std::string stageModelId();

// The id of the texture check's forest compiled in (resources/models/hair-texture-rtrees.yml),
// as every texture check names it.
std::string textureModelId();

// Builds, once per process, what the first analyzeImage() would otherwise build on its way:
// the compiled-in models, parsed, and the analysis's conversion tables (analysis::prepare()).
// Any thread; a call while another thread builds them waits for it. Never throws: what fails
// is logged and tried again by the first analysis, which reports it. The application and
// `smp analyze` call it on a second thread while they start and decode the photo.
void prepareAnalysis() noexcept;

// Runs the analysis on an upright image (the QImage keeps the pixels for the call; converted to
// RGB888 first). Throws what analysis::analyze throws.
analysis::Result analyzeImage(const QImage &upright, const analysis::Parameters &parameters,
                              const analysis::Progress &progress = {});

// The result as JSON: coverage, Norwood stage, regions (outlines in photo pixels), calibration,
// the algorithm's name, version and parameters.
QJsonObject analysisJson(const analysis::Result &result);

// What the technician should know when the analysed photo was soft (out of focus, shaken, or
// enlarged from a small one): its photoSharpness under analysis::kSoftPhotoSharpness. A
// sentence naming the sharpness and what to do; empty for a sharp photo and when no scalp was
// found. The stored form reads the analysis's summary JSON: empty for analyses made before
// 1.20, which did not measure sharpness.
QString softPhotoNote(const analysis::Result &result);
QString softPhotoNote(const storage::StoredAnalysis &stored);

// What the technician should know when the analysis told which way round the hair lies on a near
// tie (analysis::Result::hairToneCloseCall): the map is then the likeliest to be inside out. A
// sentence naming the way it was read and the Hair setting that turns it; empty otherwise, when
// the technician gave the tone, when no scalp was found, and for stored analyses made before
// 1.43.
QString hairToneNote(const analysis::Result &result);
QString hairToneNote(const storage::StoredAnalysis &stored);

// This program's version of the analysis (analysis::Result::algorithmVersion), as stored with
// every analysis it makes.
QString analysisVersion();

// What the technician should know of an analysis made by another version of the algorithm than
// this program's (an earlier one, before an update): its figures may differ from what the photo
// reads now, and from analyses of the client's other photos. A sentence naming both versions and
// what to do; empty for this program's version.
QString olderVersionNote(const storage::StoredAnalysis &stored);

// What the technician should know of a front or side view: the analysis has no face finder and
// reads the face (and on side views the bare neck) as bald scalp, which raises the stage and
// would draw dots on it; a sentence saying so and how to take it off. Empty for other views.
QString faceOnMapNote(analysis::View view);

// Whether faceOnMapNote() still holds for a stored analysis as corrected (`corrected`:
// AnalysisStore::correctedGrades): a front or side view whose map shows scalp, none of which has
// been taken off by hand (graded not scalp) yet.
bool faceStillOnMap(const storage::StoredAnalysis &stored, const QByteArray &corrected,
                    storage::PhotoView view);

// A client's Norwood stage from the photos of their latest visit (analysis::combinedStage()).
struct ClientStage
{
    analysis::CombinedStage combined;
    QDate day; // the visit: the day (local time) the photos counted were taken
    // The photos counted, newest first: their view and their stage on the map as corrected.
    std::vector<std::pair<storage::PhotoView, QString>> photos;
    int notCounted = 0; // analysed photos of that day whose view does not count (back, sides)
    // Set by clientStageByVisit() alone, when a stored analysis of that day is damaged: which
    // one and how to mend it ("analysis 2 of photo 2 (front.jpg) is damaged: ...; analyse the
    // photo again"). `day` is then the visit's, and the rest is empty.
    QString problem;
};

// The stage of client `clientId` from the latest analysis of each of their photos taken on the
// day of the newest photo whose view counts (front, top, crown) and whose latest analysis found
// a scalp: each such photo's stage on its map as corrected (summarizeStoredAnalysis()),
// combined. Empty when no such photo exists. Reads the database; throws what its stores throw,
// and std::runtime_error naming the analysis and the photo when a stored analysis is damaged.
std::optional<ClientStage> clientStage(storage::Database &db, storage::RecordId clientId);

// The client's stage at each visit, newest first: for every day (local time) on which a photo
// whose view counts was taken and its latest analysis found a scalp, clientStage() as it reads
// for that day. Empty when there is none. A visit with a damaged stored analysis is listed with
// its `problem`; other failures throw as clientStage()'s do. At most `maxVisits` visits, the
// newest (each restages its photos: about 65 ms a visit of four).
std::vector<ClientStage> clientStageByVisit(storage::Database &db, storage::RecordId clientId,
                                            std::size_t maxVisits = SIZE_MAX);

// One line for a client's stage: "Norwood III from 2 photos of 4 Dec 2026 (top III, front IV)",
// dates as `locale` writes "4 Dec 2026", with a word on the back and side views not counted.
QString clientStageText(const ClientStage &stage, const QLocale &locale);

// The whole-scalp hair coverage of a stored analysis on its map as corrected (`corrected`:
// AnalysisStore::correctedGrades). Where the technician took something off the scalp (graded a
// face, a neck or an ear not scalp), the coverage is taken again: the hair share the analysis
// measured (StoredAnalysis::hairFraction) averaged over the pixels that are scalp on both maps.
// Regrading a pixel changes its grade, not the hair measured there, and pixels painted beyond
// the outline were not measured: neither changes the coverage. Elsewhere, and for analyses
// stored before the hair share was (schema version 9), the coverage as analysed.
struct ScalpCoverage
{
    double percent = 0;           // 0-100
    double asAnalysedPercent = 0; // the analysis's own reading, over the scalp it outlined
    // Something was taken off the scalp, and `percent` is taken over what is left.
    bool overCorrectedScalp = false;
    // Something was taken off the scalp, but the analysis kept no hair share to take the
    // coverage again: `percent` is as analysed.
    bool notRetaken = false;
};
ScalpCoverage scalpCoverage(const storage::StoredAnalysis &stored, const QByteArray &corrected);

// The texture check as JSON (analysisJson's "texture_check"): whether it applies and why not, the
// model, the cut point, the share of the loss area reading hair in percent, and the cells'
// probabilities (one byte each, probability x 255, row-major, base64) to redraw it on a corrected
// map. analysisJson() adds its note (textureCheckNote()) when there is one.
QJsonObject textureCheckJson(const analysis::TextureCheck &check);

// The texture check of a stored analysis, read back from its summary JSON (probabilities to
// 1/255); one that does not apply, with the reason, for analyses made before the check.
analysis::TextureCheck textureCheckOf(const storage::StoredAnalysis &stored);

// The marks of a stored grade map (one byte per map pixel, as analysed or as corrected): 1 where
// it is advanced or bald and `hairOnMap` (analysis::hairOnMap() of its check, made once per
// analysis) reads hair. A pass over the map: the viewer calls it on every brush movement. Empty
// when `hairOnMap` is empty or of another size.
std::vector<std::uint8_t> textureCheckMarks(const std::vector<std::uint8_t> &hairOnMap,
                                            const QByteArray &grades);

// The marks of a stored analysis's own texture check on its map as corrected (`corrected`:
// AnalysisStore::correctedGrades): textureCheckMarks() of its analysis::hairOnMap(). Empty when
// the check did not apply or `corrected` is not the map's size. For one look at a stored analysis
// (the client page, a report); the viewer keeps hairOnMap and marks on every brush movement.
std::vector<std::uint8_t> textureCheckMarks(const storage::StoredAnalysis &stored,
                                            const QByteArray &corrected);

// The share (0-1) of `grades`' advanced and bald area that `marks` (textureCheckMarks()) mark; 0
// without marks or loss.
double textureCheckShare(const std::vector<std::uint8_t> &marks, const QByteArray &grades);
// The same for a stored analysis's map as corrected: the share of its loss that looks like hair
// to its own texture check (0 where the check did not apply).
double textureCheckShare(const storage::StoredAnalysis &stored, const QByteArray &corrected);

// The share of a map's loss area (advanced and bald) reading hair from which the technician is
// told (textureCheckNote()).
inline constexpr double kTextureNoteShare = 0.01;

// What the technician should know when `share` (textureCheckShare()) of the map's loss area
// reads hair to the texture check: a sentence with the share and what to do; empty under
// kTextureNoteShare.
QString textureCheckNote(double share);
// The same for a fresh result's own map and check.
QString textureCheckNote(const analysis::Result &result);

// A translucent cyan hatching, at map size, over `marks` (textureCheckMarks(),
// analysis::lossReadingHair()); transparent elsewhere, and all of it when `marks` does not fit.
// Stripes two map pixels wide every six: the photo window scales it with the photo.
QImage textureCheckOverlayImage(const std::vector<std::uint8_t> &marks, int mapWidth,
                                int mapHeight);
// The same hatching at `size` (the map's area on a picture, in that picture's pixels), its
// stripes every `periodPx` of those pixels, a third of that wide: for a picture seen at one
// scale (the report's photo), where stripes at map resolution can be too fine to see.
QImage textureCheckOverlayImage(const std::vector<std::uint8_t> &marks, int mapWidth, int mapHeight,
                                QSize size, int periodPx);

// The regions and the Norwood stage of a stored analysis's map as corrected (`corrected`:
// AnalysisStore::correctedGrades), for a photo seen from `view` and shown `quarterTurns`
// clockwise quarter turns round; areas in cm2 when `mmPerPx` is given. The stage comes from the
// stage model, as for a fresh analysis, when the analysis is of this version; an earlier
// version's keeps the stage it gave, moved by the corrections (analysis::movedStage()), and one
// without a stored stage gets the loss-share estimate. Throws std::invalid_argument when the map
// does not match its size.
analysis::GradeSummary summarizeStoredAnalysis(const storage::StoredAnalysis &stored,
                                               const QByteArray &corrected, storage::PhotoView view,
                                               int quarterTurns, std::optional<double> mmPerPx);

// What to tell the technician when summarizeStoredAnalysis() finds the stored analysis of
// `photo` damaged (`problem`: its message): "analysis 2 of photo 2 (front.jpg) is damaged: ...;
// analyse the photo again".
QString damagedAnalysisText(const storage::StoredAnalysis &stored, const storage::Photo &photo,
                            const QString &problem);

// damagedAnalysisText() for a stored analysis whose grade map is not its stated size (a fault
// in the database file), checked before anything reads or writes the map; empty when it is.
QString mapSizeDamage(const storage::StoredAnalysis &stored, const storage::Photo &photo);

// What to say of a photo whose analysis found no scalp (too dark, blank, not a head), where a
// report or a comparison would show its map: "photo 2 (dim.jpg) shows no scalp to analyse: " and
// the analysis's reason; empty when it found one (the stored form reads the summary JSON).
QString noScalpText(const storage::StoredAnalysis &stored, const storage::Photo &photo);
QString noScalpText(const analysis::Result &result, const storage::Photo &photo);

// The colour each grade is drawn in (normal green, mild yellow, moderate orange, advanced red,
// bald purple).
QColor gradeColour(analysis::Grade grade);

// A translucent colour image of a grade map (normal and not-scalp transparent), at map size.
// Throws std::invalid_argument when `grades` is not mapWidth x mapHeight (mapSizeDamage()).
QImage gradeOverlayImage(const QByteArray &grades, int mapWidth, int mapHeight, int alpha = 110);

// The photo with the result drawn over it: grade colours, the texture check's hatching, region
// outlines and their areas.
QImage drawAnalysisOverlay(const QImage &upright, const analysis::Result &result);

// Writes `image` to `path` in the format its suffix names (png, jpg, ...), through a temporary
// file renamed over it once complete: an existing file is replaced whole or not at all. Throws
// std::runtime_error naming the file and what is wrong (an unknown suffix, a folder that does
// not exist, a full disk).
void writeImageAtomically(const QImage &image, const QString &path);

// Throws std::runtime_error naming `path` when no image can be written there: its suffix names
// no image format, its folder does not exist, or it is a folder. For checking before long work.
void checkImageOutputPath(const QString &path);

// Throws std::runtime_error naming `folder` when masks cannot go there: it is a file, or the
// nearest folder it would be made in is a file or not writable. Creates nothing.
void checkMaskFolder(const QString &folder);

// Writes labels.png (0 background, 1 skin, 2 hair), grades.png (0 not scalp, 1 normal .. 5 bald),
// coverage.png (coverage x 255) and texture.png (255 where the texture check marks loss that reads
// hair, else 0) at the map resolution into `folder`, each atomically. Throws std::runtime_error
// naming a file that cannot be written.
void writeAnalysisMasks(const analysis::Result &result, const QString &folder);

} // namespace smp::clinic
