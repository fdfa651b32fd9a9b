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
// Roman numeral for Fitzpatrick types 1-6 ("I".."VI").
QString fitzpatrickRoman(int type);

} // namespace smp::storage
