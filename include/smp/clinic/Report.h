#pragma once

// The consultation report and the aftercare sheet (Qt Gui; no widgets). The data are gathered
// from the records into plain values (images rendered), then one routine lays the pages out and
// paints them on any paged device: the print preview's printer, a real printer, a PDF.
//
// Units: page geometry in millimetres, fonts in points; images are painted at their printed
// size from pixels of at least 150 dpi there.

#include "smp/clinic/Analysis.h"
#include "smp/planning/Plan.h"
#include "smp/planning/Pricing.h"
#include "smp/storage/AppointmentStore.h"
#include "smp/storage/Records.h"

#include <QByteArray>
#include <QDate>
#include <QImage>
#include <QPageSize>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <vector>

class QPagedPaintDevice;

namespace smp::storage {
class Database;
}

namespace smp::clinic {

inline constexpr const char *kReportSettingsKey = "report.clinic";

// The clinic's details and texts for reports (setting `report.clinic`, JSON).
struct ReportSettings
{
    QString clinicName = QStringLiteral("SMP clinic");
    QString address;
    QString contact;                          // phone, e-mail, web
    QString logoPath;                         // a PNG or JPEG; empty: no logo
    QString locale = QStringLiteral("en_US"); // dates and money
    // The aftercare rules, one per line; {session+N} is the session's date plus N days.
    QString aftercare;
    QString consent; // the consent text the client signs
};
ReportSettings defaultReportSettings();
ReportSettings reportSettings(storage::Database &db);
QByteArray reportSettingsJson(const ReportSettings &settings);
// Validates (StorageError InvalidInput naming the field) and stores.
void setReportSettings(storage::Database &db, const QByteArray &json);

struct ReportRegion
{
    QString grade;
    QString location;
    std::optional<double> areaCm2;
};

struct ReportPhoto
{
    QImage image; // the photo with the analysis drawn over it and a scale bar
    QString caption;
    QString stage; // "Norwood IV (confidence 0.58)"
    double coveragePercent = 0;
    bool calibrated = false;
    QString scaleDoubt; // why the photo's stored scale is not used (clinic::calibrationDoubt)
    QString softPhoto;  // clinic::softPhotoNote: empty for a sharp photo
    QString faceOnMap;  // clinic::faceOnMapNote while clinic::faceStillOnMap(), else empty
    // clinic::textureCheckNote() of the map as corrected, the image hatched where it says; empty
    // (and nothing hatched) under kTextureNoteShare of the loss area.
    QString textureCheck;
    std::vector<ReportRegion> regions;
};

struct ReportSession
{
    int session = 1;
    int dots = 0, dots1RL = 0, dots3RL = 0;
    QString recipe; // "3.0 ml water : 1 ml pigment"
    double hours = 0;
    int sittings = 1;
    double price = 0;
};

struct ReportScreening
{
    QString item;
    QString answer; // "no", "needs a doctor's clearance", "excludes treatment"
    QString note;
    bool flagged = false;
};

struct ConsultationReport
{
    ReportSettings settings;
    storage::Client client;
    QDate date;
    QString planVersion; // "plan 3 · smp-dot-plan 0.1 · seed 1 · 2026-11-24"
    std::vector<ReportPhoto> photos;
    // Photos chosen but not shown, and why: "analysis 1 of photo 1 (top.jpg) is damaged: ...;
    // analyse the photo again" (damagedAnalysisText()), "photo 2 (dim.jpg) shows no scalp to
    // analyse: the photo is too dark ...".
    std::vector<QString> photosNotShown;
    // Photos shown whose analysis another version of the algorithm made (an earlier one, before
    // an update): "photo 1 (top.jpg), version 1.19". Not printed: the application asks before
    // printing, `smp report` says so (olderVersionNote()).
    std::vector<QString> olderAnalyses;
    // The client's stage from two or more photos of their latest visit (clientStageText()), or
    // why it could not be read ("2 Nov 2026: not read: analysis 1 of photo 3 (...) is damaged:
    // ..."); empty when fewer than two photos count.
    QString stage;
    // The client's stage at the visit before the latest, the same way; empty when there was no
    // earlier visit with a front, top or crown view analysed.
    QString previousStage;
    bool hasPlan = false;
    double treatedAreaCm2 = 0;
    int dots = 0;
    QImage pigmentMap;          // the whole plan, one colour per session
    std::vector<QImage> healed; // the photo, then healed after session 1, 2, ...
    std::vector<ReportSession> sessions;
    planning::Quote quote;
    std::vector<storage::Appointment> schedule; // sessions, then the recall
    QString timeZone;
    std::vector<ReportScreening> screening;
    QStringList consentsSigned;
    QStringList aftercare; // rules with example dates from the first session
};

// Gathers a client's report: up to four analysed photos (newest of each view first), the newest
// saved plan with its pigment map and healed previews, the session table and quote, the booked
// schedule, the screening. `progress` (0..1) is called on the calling thread; returning false
// cancels (ReportCancelled is thrown). The database must be used on the thread it belongs to.
class ReportCancelled : public std::runtime_error
{
public:
    ReportCancelled()
        : std::runtime_error("cancelled")
    {}
};
ConsultationReport gatherConsultation(storage::Database &db, storage::RecordId clientId,
                                      const std::function<bool(double)> &progress = {});

// Lays the report out on `device` (its page size and resolution) and paints every page, with
// the header and "page N of M". Returns the number of pages.
int paintConsultation(const ConsultationReport &report, QPagedPaintDevice &device);
// The same into a PDF file (written through a temporary file and a rename).
int writeConsultationPdf(const ConsultationReport &report, const QString &path,
                         QPageSize::PageSizeId pageSize = QPageSize::A4);

// The progress report: for each view with two or more analysed photos, the first and the
// latest aligned side by side with the coverage before and after (treatment area and regions),
// the view's coverage over time, and the clinician's reviews.
struct ProgressPair
{
    QImage sideBySide;
    QString title;     // "Top view: 2026-11-24 to 2027-02-10"
    QString alignment; // "aligned by features+ecc+patches, residual 0.45 px" or the problem
    bool aligned = false;
    double coverageBefore = 0, coverageAfter = 0;
    std::vector<std::tuple<QString, std::optional<double>, double, double>> regions;
    std::vector<std::pair<QDateTime, double>> timeline;
    QString timelineNote; // Comparison::timelineNote
};
struct ProgressReport
{
    ReportSettings settings;
    storage::Client client;
    QDate date;
    std::vector<ProgressPair> pairs;
    // Analysed photos left out of the pairs, and why: "photo 2 (dim.jpg) shows no scalp to
    // analyse: the photo is too dark ..." (noScalpText()).
    std::vector<QString> photosNotCompared;
    // The client's stage at each visit, oldest first (clientStageByVisit()).
    std::vector<ClientStage> stages;
    // The sessions performed: date, title, what was recorded (dilution, needle, minutes).
    std::vector<QStringList> sessions;
    QStringList reviews; // "2026-12-20: approved by Dr. L (photos 1 -> 4): notes"
};
ProgressReport gatherProgress(storage::Database &db, storage::RecordId clientId);
int paintProgress(const ProgressReport &report, QPagedPaintDevice &device);
int writeProgressPdf(const ProgressReport &report, const QString &path,
                     QPageSize::PageSizeId pageSize = QPageSize::A4);

// The aftercare sheet of one session appointment: what was done, the rules with their dates,
// the next appointment, the clinic's contact. One page.
struct AftercareSheet
{
    ReportSettings settings;
    storage::Client client;
    storage::Appointment session;
    std::optional<storage::SessionRecord> record;
    std::optional<storage::Appointment> next;
    QString timeZone;
    QStringList rules; // with the dates filled in
};
AftercareSheet gatherAftercare(storage::Database &db, storage::RecordId appointmentId);
int paintAftercare(const AftercareSheet &sheet, QPagedPaintDevice &device);
int writeAftercarePdf(const AftercareSheet &sheet, const QString &path,
                      QPageSize::PageSizeId pageSize = QPageSize::A4);

// The rules of `text` with {session+N} replaced by the date N days after `session`.
QStringList fillAftercare(const QString &text, QDate session, const QLocale &locale);

} // namespace smp::clinic
