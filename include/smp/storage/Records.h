#pragma once

#include <QDate>
#include <QDateTime>
#include <QString>

#include <cstdint>
#include <optional>
#include <span>

namespace smp::storage {

using RecordId = std::int64_t;

enum class Sex
{
    Unspecified,
    Female,
    Male,
    Other,
};

// A client of the clinic. Dates are calendar dates in the clinic's time zone; timestamps UTC.
struct Client
{
    RecordId id = 0; // 0 until stored
    QString familyName;
    QString givenName;
    QDate dateOfBirth; // null when unknown
    Sex sex = Sex::Unspecified;
    QString phone;
    QString email;
    QString address;
    std::optional<int> fitzpatrick; // skin type I-VI as 1-6; empty when not assessed
    QString hairColour;
    QString notes;
    QDateTime createdAt; // UTC, set by the store
    QDateTime updatedAt; // UTC, set by the store

    // "Given Family", or the family name alone.
    QString displayName() const;
};

// One line of the client list.
struct ClientSummary
{
    RecordId id = 0;
    QString familyName;
    QString givenName;
    QDate dateOfBirth;
    QString phone;
    int photoCount = 0;

    QString displayName() const;
};

enum class ScreeningAnswer
{
    None,           // the condition is not present
    NeedsClearance, // treatment only with a doctor's written clearance
    Excludes,       // treatment is refused
};

// A contraindication the clinic screens for (from the product's domain facts).
struct ContraindicationItem
{
    const char *key;   // stable identifier stored in the database
    const char *label; // English text shown to the technician
    const char *guidance;
};

// The catalogue of contraindications, in the order the intake form asks them.
std::span<const ContraindicationItem> contraindicationCatalogue();
// nullptr when the key is not in the catalogue.
const ContraindicationItem *findContraindication(const QString &key);

struct ScreeningEntry
{
    QString item; // ContraindicationItem::key
    ScreeningAnswer answer = ScreeningAnswer::None;
    QString note;
    QDate answeredOn;
    QString answeredBy;
};

struct Consent
{
    RecordId id = 0;
    RecordId clientId = 0;
    QString kind;        // e.g. "treatment", "photography", "data processing"
    QString textVersion; // which version of the consent text was signed
    QDate signedOn;
    QString signedBy;
};

enum class PhotoView
{
    Front,
    Top,
    Crown,
    Back,
    Left,
    Right,
    Other,
};

// Photo pixel coordinates: the stored image with its EXIF orientation applied ("upright"),
// before the user's rotation; origin at the top-left corner, x right, y down, pixel centres at
// +0.5. widthPx/heightPx are the upright size. The user's rotation (quarter turns clockwise) is
// applied for display only, so coordinates stored with a photo never change when it is rotated.
struct Photo
{
    RecordId id = 0;
    RecordId clientId = 0;
    PhotoView view = PhotoView::Other;
    QDateTime takenAt;    // UTC
    QDateTime importedAt; // UTC
    QString sha256;       // lower-case hex of the file's content
    QString fileName;     // path relative to the photo library
    QString originalName; // file name it was imported from
    QString format;       // "jpeg", "png", ...
    int widthPx = 0;
    int heightPx = 0;
    std::int64_t byteSize = 0;
    QString notes;
    int rotationQuarterTurns = 0; // 0-3, clockwise, applied on top of the upright image
    bool takenAtFromExif = false; // false: takenAt is the file's modification time
};

enum class CalibrationMethod
{
    Marker, // a printed calibration marker found in the photo
    Manual, // two points a known distance apart, placed by the user
};

// The photo's scale. Points and corners in `details` are in photo pixel coordinates (above).
struct Calibration
{
    RecordId id = 0;
    RecordId photoId = 0;
    CalibrationMethod method = CalibrationMethod::Marker;
    double mmPerPx = 0;
    double uncertaintyMmPerPx = 0; // one standard deviation
    QString details;               // JSON: marker id and corners, or the two points and length
    QDateTime createdAt;           // UTC
    QString createdBy;
};

struct AuditEntry
{
    RecordId id = 0;
    QDateTime at; // UTC
    QString actor;
    QString action; // insert, update, delete
    QString tableName;
    RecordId recordId = 0;
    std::optional<RecordId> clientId;
    QString details;
};

// Text forms used in the database, the command line and JSON. fromString functions
// return std::nullopt for unknown text.
QString toString(Sex sex);
std::optional<Sex> sexFromString(const QString &text);
QString toString(ScreeningAnswer answer);
std::optional<ScreeningAnswer> screeningAnswerFromString(const QString &text);
QString toString(PhotoView view);
std::optional<PhotoView> photoViewFromString(const QString &text);
std::span<const PhotoView> allPhotoViews();
QString toString(CalibrationMethod method);
std::optional<CalibrationMethod> calibrationMethodFromString(const QString &text);
// Roman numeral for Fitzpatrick types 1-6 ("I".."VI").
QString fitzpatrickRoman(int type);

} // namespace smp::storage
