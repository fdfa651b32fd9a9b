#include "smp/clinic/Report.h"

#include "smp/analysis/ScalpAnalysis.h"
#include "smp/clinic/Analysis.h"
#include "smp/clinic/Calibration.h"
#include "smp/clinic/Compare.h"
#include "smp/clinic/Planning.h"
#include "smp/clinic/Scheduling.h"
#include "smp/imaging/PhotoFile.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/ClientStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/PlanStore.h"
#include "smp/storage/ReviewStore.h"
#include "smp/storage/SettingsStore.h"
#include "smp/storage/StorageError.h"

#include <QFontMetricsF>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPagedPaintDevice>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

namespace smp::clinic {

using storage::ErrorKind;
using storage::RecordId;
using storage::StorageError;

namespace {

const QString kDefaultAftercare = QStringLiteral(
    "Keep the treated area dry: no washing or wetting until {session+4}.\n"
    "Then water only until {session+9}; a mild shampoo from {session+10}.\n"
    "No sweating, sport or heavy exercise until {session+7}.\n"
    "No sun on the scalp until {session+21}; after that, sunscreen (SPF 30 or more) outdoors.\n"
    "No swimming pool, sauna or steam room until {session+29}.\n"
    "Do not shave the treated area until {session+10}.\n"
    "Do not pick or scratch the small scabs: let them fall off on their own.");

const QString kDefaultConsent = QStringLiteral(
    "I agree to scalp micropigmentation as planned in this report. The technician has explained "
    "the procedure, that it takes several sessions, that healed pigment looks lighter and softer "
    "than fresh dots, that results vary with skin and aftercare, and that touch-ups are needed "
    "every few years. I have answered the screening questions truthfully and will tell the "
    "clinic of any change in my health before each session. I have received the aftercare "
    "instructions.");

// --- Layout: blocks measured and painted in millimetres on the device -------------------------

struct Page
{
    QPagedPaintDevice *device = nullptr;
    QPainter *painter = nullptr;
    double pxPerMm = 1;
    QRectF body; // mm, where blocks go
    double toPx(double mm) const { return mm * pxPerMm; }
    QPointF toPx(QPointF mm) const { return mm * pxPerMm; }
    QRectF toPx(const QRectF &r) const
    {
        return QRectF(r.x() * pxPerMm, r.y() * pxPerMm, r.width() * pxPerMm, r.height() * pxPerMm);
    }
};

QFont font(double points, bool bold = false)
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(points);
    f.setBold(bold);
    return f;
}

// The height (mm) of `text` wrapped in `widthMm` on the device.
double textHeight(const Page &page, const QFont &f, const QString &text, double widthMm)
{
    const QFontMetricsF metrics(f, page.device);
    const QRectF r = metrics.boundingRect(QRectF(0, 0, page.toPx(widthMm), 1e7),
                                          Qt::TextWordWrap | Qt::AlignLeft, text);
    return r.height() / page.pxPerMm;
}

void drawText(const Page &page, const QRectF &mm, const QFont &f, const QString &text,
              int flags = Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop,
              const QColor &colour = Qt::black)
{
    page.painter->setFont(f);
    page.painter->setPen(colour);
    page.painter->drawText(page.toPx(mm), flags, text);
}

class Block
{
public:
    virtual ~Block() = default;
    virtual double height(const Page &page, double width) const = 0;
    virtual void paint(const Page &page, const QRectF &rect) const = 0;
    virtual bool startsTable() const { return false; }
    virtual bool isTableRow() const { return false; }
    double spaceBefore = 0;
};

class Heading : public Block
{
public:
    Heading(QString text, double points = 13)
        : m_text(std::move(text))
        , m_points(points)
    {
        spaceBefore = 5;
    }
    double height(const Page &page, double width) const override
    {
        return textHeight(page, font(m_points, true), m_text, width) + 1.5;
    }
    void paint(const Page &page, const QRectF &rect) const override
    {
        drawText(page, rect, font(m_points, true), m_text, Qt::TextWordWrap | Qt::AlignLeft,
                 QColor(30, 60, 110));
    }

private:
    QString m_text;
    double m_points;
};

class Paragraph : public Block
{
public:
    Paragraph(QString text, double points = 9.5, QColor colour = Qt::black)
        : m_text(std::move(text))
        , m_points(points)
        , m_colour(colour)
    {
        spaceBefore = 1.5;
    }
    double height(const Page &page, double width) const override
    {
        return textHeight(page, font(m_points), m_text, width);
    }
    void paint(const Page &page, const QRectF &rect) const override
    {
        drawText(page, rect, font(m_points), m_text, Qt::TextWordWrap | Qt::AlignLeft, m_colour);
    }

private:
    QString m_text;
    double m_points;
    QColor m_colour;
};

struct Columns
{
    QStringList titles;
    std::vector<double> fractions; // of the width
    std::vector<bool> right;       // numbers align right
};

class TableRow : public Block
{
public:
    TableRow(std::shared_ptr<const Columns> columns, QStringList cells, bool header = false,
             bool bold = false, QColor colour = Qt::black)
        : m_columns(std::move(columns))
        , m_cells(std::move(cells))
        , m_header(header)
        , m_bold(bold)
        , m_colour(colour)
    {}
    bool startsTable() const override { return m_header; }
    bool isTableRow() const override { return true; }
    double height(const Page &page, double width) const override
    {
        double h = 0;
        for (int c = 0; c < m_cells.size(); ++c)
            h = std::max(h,
                         textHeight(page, font(8.5, m_header || m_bold), m_cells[c],
                                    width * m_columns->fractions[static_cast<std::size_t>(c)] - 2));
        return h + 1.6;
    }
    void paint(const Page &page, const QRectF &rect) const override
    {
        if (m_header)
            page.painter->fillRect(page.toPx(rect), QColor(225, 232, 242));
        double x = rect.x();
        for (int c = 0; c < m_cells.size(); ++c) {
            const double w = rect.width() * m_columns->fractions[static_cast<std::size_t>(c)];
            const bool right = m_columns->right[static_cast<std::size_t>(c)];
            drawText(page, QRectF(x + 1, rect.y() + 0.8, w - 2, rect.height()),
                     font(8.5, m_header || m_bold), m_cells[c],
                     Qt::TextWordWrap | (right && !m_header ? Qt::AlignRight : Qt::AlignLeft),
                     m_header ? QColor(30, 60, 110) : m_colour);
            x += w;
        }
        page.painter->setPen(QPen(QColor(200, 200, 200), page.toPx(0.15)));
        page.painter->drawLine(page.toPx(rect.bottomLeft()), page.toPx(rect.bottomRight()));
    }
    std::shared_ptr<const Columns> columns() const { return m_columns; }

private:
    std::shared_ptr<const Columns> m_columns;
    QStringList m_cells;
    bool m_header, m_bold;
    QColor m_colour;
};

// Images side by side, each with a caption; `heightMm` caps the row's image height.
class Images : public Block
{
public:
    Images(std::vector<QImage> images, QStringList captions, double maxHeightMm)
        : m_images(std::move(images))
        , m_captions(std::move(captions))
        , m_maxHeight(maxHeightMm)
    {
        spaceBefore = 3;
    }
    double imageHeight(double width) const
    {
        const double gap = 3;
        const double each = (width - gap * static_cast<double>(m_images.size() - 1)) /
                            static_cast<double>(m_images.size());
        double h = 0;
        for (const QImage &i : m_images)
            h = std::max(h, each * i.height() / std::max(1, i.width()));
        return std::min(h, m_maxHeight);
    }
    double height(const Page &page, double width) const override
    {
        double caption = 0;
        for (const QString &c : m_captions)
            caption = std::max(caption, textHeight(page, font(8), c,
                                                   width / static_cast<double>(m_images.size())));
        return imageHeight(width) + 1 + caption;
    }
    void paint(const Page &page, const QRectF &rect) const override
    {
        const double gap = 3;
        const double each = (rect.width() - gap * static_cast<double>(m_images.size() - 1)) /
                            static_cast<double>(m_images.size());
        const double h = imageHeight(rect.width());
        double x = rect.x();
        for (std::size_t i = 0; i < m_images.size(); ++i) {
            const QImage &image = m_images[i];
            // Fit the image in each x h, keeping its shape.
            double w = each, ih = each * image.height() / std::max(1, image.width());
            if (ih > h) {
                w = w * h / ih;
                ih = h;
            }
            const QRectF target(x + (each - w) / 2, rect.y(), w, ih);
            page.painter->setRenderHint(QPainter::SmoothPixmapTransform);
            page.painter->drawImage(page.toPx(target), image);
            if (i < static_cast<std::size_t>(m_captions.size()))
                drawText(page, QRectF(x, rect.y() + h + 1, each, 40), font(8),
                         m_captions[static_cast<int>(i)],
                         Qt::TextWordWrap | Qt::AlignHCenter | Qt::AlignTop, QColor(60, 60, 60));
            x += each + gap;
        }
    }

private:
    std::vector<QImage> m_images;
    QStringList m_captions;
    double m_maxHeight;
};

class Signatures : public Block
{
public:
    explicit Signatures(QStringList who)
        : m_who(std::move(who))
    {
        spaceBefore = 8;
    }
    double height(const Page &, double) const override { return 22; }
    void paint(const Page &page, const QRectF &rect) const override
    {
        const double each = rect.width() / static_cast<double>(m_who.size());
        for (int i = 0; i < m_who.size(); ++i) {
            const double x = rect.x() + i * each;
            page.painter->setPen(QPen(Qt::black, page.toPx(0.25)));
            page.painter->drawLine(page.toPx(QPointF(x, rect.y() + 12)),
                                   page.toPx(QPointF(x + each - 10, rect.y() + 12)));
            drawText(page, QRectF(x, rect.y() + 13, each - 10, 5), font(8),
                     QObject::tr("Signature: %1").arg(m_who[i]));
            page.painter->drawLine(page.toPx(QPointF(x, rect.y() + 21)),
                                   page.toPx(QPointF(x + (each - 10) / 2, rect.y() + 21)));
            drawText(page, QRectF(x + (each - 10) / 2 + 2, rect.y() + 18, 20, 5), font(8),
                     QObject::tr("Date"));
        }
    }

private:
    QStringList m_who;
};

struct Placed
{
    const Block *block;
    QRectF rect;
};

// The page header and footer of every page, in mm from the body's top left.
using Decorate = std::function<void(const Page &, int page, int pages)>;

// Lays the blocks out page by page (a table's header repeats after a page break), then paints
// them with the header and footer. Returns the number of pages.
int paginateAndPaint(QPagedPaintDevice &device, const std::vector<std::unique_ptr<Block>> &blocks,
                     double headerMm, double footerMm, const Decorate &decorate)
{
    device.setPageMargins(QMarginsF(15, 12, 15, 12), QPageLayout::Millimeter);
    QPainter painter;
    if (!painter.begin(&device))
        throw StorageError(ErrorKind::Io, QStringLiteral("cannot paint the report pages"));
    Page page;
    page.device = &device;
    page.painter = &painter;
    page.pxPerMm = device.logicalDpiX() / 25.4;
    const QSizeF paint = device.pageLayout().paintRect(QPageLayout::Millimeter).size();
    page.body = QRectF(0, headerMm, paint.width(), paint.height() - headerMm - footerMm);

    std::vector<std::vector<Placed>> pages(1);
    double y = page.body.top();
    const TableRow *header = nullptr;
    for (const auto &block : blocks) {
        if (block->startsTable())
            header = static_cast<const TableRow *>(block.get());
        else if (!block->isTableRow())
            header = nullptr;
        const double h = block->height(page, page.body.width());
        double before = pages.back().empty() ? 0 : block->spaceBefore;
        // A heading keeps at least 25 mm of what follows on its page.
        const double keep = dynamic_cast<const Heading *>(block.get()) ? 25 : 0;
        if (y + before + h + keep > page.body.bottom() && !pages.back().empty()) {
            pages.emplace_back();
            y = page.body.top();
            before = 0;
            if (header && block.get() != header && block->isTableRow()) {
                const double hh = header->height(page, page.body.width());
                pages.back().push_back({header, QRectF(0, y, page.body.width(), hh)});
                y += hh;
            }
        }
        y += before;
        pages.back().push_back({block.get(), QRectF(0, y, page.body.width(), h)});
        y += h;
    }
    const int count = static_cast<int>(pages.size());
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            device.newPage();
        decorate(page, i + 1, count);
        for (const Placed &placed : pages[static_cast<std::size_t>(i)])
            placed.block->paint(page, placed.rect);
    }
    painter.end();
    return count;
}

// `logo`: the clinic's logo, read once per document (empty: none).
void drawHeaderFooter(const Page &page, int number, int count, const ReportSettings &settings,
                      const QImage &logo, const QString &title, const QStringList &right)
{
    const double width = page.body.width();
    double x = 0;
    if (!logo.isNull()) {
        const double h = 14, w = std::min(40.0, h * logo.width() / std::max(1, logo.height()));
        page.painter->drawImage(page.toPx(QRectF(0, 0, w, h)), logo);
        x = w + 4;
    }
    drawText(page, QRectF(x, 0, width * 0.55 - x, 7), font(12, true), settings.clinicName,
             Qt::AlignLeft | Qt::AlignTop, QColor(30, 60, 110));
    drawText(page, QRectF(x, 6.5, width * 0.55 - x, 10), font(7.5),
             QStringList{settings.address, settings.contact}
                 .filter(QRegularExpression(QStringLiteral("\\S")))
                 .join(QStringLiteral(" · ")),
             Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, QColor(70, 70, 70));
    drawText(page, QRectF(width * 0.55, 0, width * 0.45, 16), font(8),
             right.join(QLatin1Char('\n')), Qt::AlignRight | Qt::AlignTop);
    page.painter->setPen(QPen(QColor(30, 60, 110), page.toPx(0.4)));
    page.painter->drawLine(page.toPx(QPointF(0, 17)), page.toPx(QPointF(width, 17)));
    const double bottom = page.body.bottom() + 4;
    page.painter->setPen(QPen(QColor(180, 180, 180), page.toPx(0.2)));
    page.painter->drawLine(page.toPx(QPointF(0, bottom)), page.toPx(QPointF(width, bottom)));
    drawText(page, QRectF(0, bottom + 1, width * 0.7, 5), font(7.5),
             QStringLiteral("%1 · %2").arg(title, settings.clinicName),
             Qt::AlignLeft | Qt::AlignTop, QColor(90, 90, 90));
    drawText(page, QRectF(width * 0.7, bottom + 1, width * 0.3, 5), font(7.5),
             QObject::tr("Page %1 of %2").arg(number).arg(count), Qt::AlignRight | Qt::AlignTop,
             QColor(90, 90, 90));
}

template <typename Paint>
int writePdf(const QString &path, QPageSize::PageSizeId size, const QString &title, Paint paint)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw StorageError(ErrorKind::Io,
                           QStringLiteral("cannot write \"%1\": %2").arg(path, file.errorString()));
    int pages = 0;
    {
        QPdfWriter pdf(&file);
        pdf.setPageSize(QPageSize(size));
        pdf.setResolution(300);
        pdf.setTitle(title);
        pdf.setCreator(QStringLiteral("SMP Planner"));
        pages = paint(pdf);
    }
    if (!file.commit())
        throw StorageError(ErrorKind::Io,
                           QStringLiteral("cannot write \"%1\": %2").arg(path, file.errorString()));
    return pages;
}

// A date and time in the locale's own order ("Monday, November 30, 2026, 9:00 AM").
QString dateTimeText(const QLocale &locale, const QDateTime &t)
{
    return locale.toString(t.date(), QLocale::LongFormat) + QStringLiteral(", ") +
           locale.toString(t.time(), QLocale::ShortFormat);
}

// A date in tables and captions: day, month's short name in the clinic's language, and the
// full year ("4 Dec 2026"), which reads the same to a reader of any locale. The locale's short
// format ("12/4/26" in en_US, "04.12.26" in de_DE) is read as 12 April outside its country.
QString shortDate(const QLocale &locale, QDate date)
{
    return locale.toString(date, QStringLiteral("d MMM yyyy"));
}

// Money in the clinic's locale: its own symbol when the currency is the locale's ("$2,500"),
// else the ISO code before the amount ("EUR 2,500").
QString money(const QLocale &locale, double value, const std::string &currency)
{
    const QString code = QString::fromStdString(currency);
    if (locale.currencySymbol(QLocale::CurrencyIsoCode) == code)
        return locale.toCurrencyString(value, locale.currencySymbol(), 0);
    return code + QLatin1Char(' ') + locale.toString(value, 'f', 0);
}

// The photo with the corrected grades, the texture check's hatching over `hatched`
// (textureCheckMarks(); empty: none), region outlines, area labels and a scale bar, at most
// 1600 px on its long side (over 150 dpi at any size it is printed here).
QImage analysisImage(const QImage &upright, const QByteArray &grades,
                     const std::vector<std::uint8_t> &hatched, const storage::StoredAnalysis &a,
                     const analysis::GradeSummary &summary, std::optional<double> mmPerPx)
{
    const double scale = std::min(1.0, 1600.0 / std::max(upright.width(), upright.height()));
    QImage image =
        upright.scaled(upright.size() * scale, Qt::KeepAspectRatio, Qt::SmoothTransformation)
            .convertToFormat(QImage::Format_RGB32);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF mapOnImage(0, 0, a.mapWidth * a.photoPxPerMapPx * scale,
                            a.mapHeight * a.photoPxPerMapPx * scale);
    p.drawImage(mapOnImage, gradeOverlayImage(grades, a.mapWidth, a.mapHeight, 95));
    // The hatching's stripes every 1/80 of the picture's width: about 1.7 mm on the page, to
    // be seen as stripes on paper and in a preview on screen.
    if (!hatched.empty())
        p.drawImage(mapOnImage.topLeft(),
                    textureCheckOverlayImage(hatched, a.mapWidth, a.mapHeight,
                                             mapOnImage.size().toSize(),
                                             std::max(6, image.width() / 80)));
    QFont labelFont(QStringLiteral("DejaVu Sans"));
    labelFont.setPixelSize(std::max(12, image.width() / 60));
    labelFont.setBold(true);
    p.setFont(labelFont);
    double scalp = 0;
    for (const auto &r : summary.regions)
        scalp += r.areaPx;
    for (const auto &r : summary.regions) {
        if (r.grade == analysis::Grade::Normal)
            continue;
        QPolygonF polygon;
        for (const auto &pt : r.outline)
            polygon << QPointF(pt.x * scale, pt.y * scale);
        p.setPen(QPen(gradeColour(r.grade).darker(140), std::max(2.0, image.width() / 500.0)));
        p.setBrush(Qt::NoBrush);
        p.drawPolygon(polygon);
    }
    std::vector<QRectF> drawn; // label boxes so far
    for (const auto &r : summary.regions) {
        if (r.grade < analysis::Grade::Moderate || r.areaPx < 0.015 * scalp)
            continue;
        // "bald 3.7 cm²" over "vertex", as the photo window labels them.
        QString text = r.areaCm2 ? QStringLiteral("%1 %2 cm²")
                                       .arg(QString::fromLatin1(analysis::gradeName(r.grade)))
                                       .arg(*r.areaCm2, 0, 'f', 1)
                                 : QString::fromLatin1(analysis::gradeName(r.grade));
        if (!r.location.empty())
            text += QLatin1Char('\n') + QString::fromStdString(r.location);
        const QSizeF size =
            QFontMetricsF(labelFont)
                .boundingRect(QRectF(0, 0, image.width(), image.height()), Qt::AlignCenter, text)
                .size() +
            QSizeF(10, 6);
        const QRectF box(QPointF(r.centroid.x * scale, r.centroid.y * scale) -
                             QPointF(size.width() / 2, size.height() / 2),
                         size);
        // No label over another: the regions come worst grade first, so those keep theirs (the
        // table below lists every region).
        const QRectF spaced = box.adjusted(-4, -4, 4, 4);
        if (std::any_of(drawn.begin(), drawn.end(),
                        [&](const QRectF &other) { return other.intersects(spaced); }))
            continue;
        drawn.push_back(box);
        p.setPen(QPen(gradeColour(r.grade).darker(140), 1.5));
        p.setBrush(QColor(255, 255, 255, 225));
        p.drawRect(box);
        p.setPen(Qt::black);
        p.drawText(box, Qt::AlignCenter, text);
    }
    if (mmPerPx) {
        // A scale bar of 10, 20 or 50 mm, about a fifth of the width.
        const double pxPerMm = scale / *mmPerPx;
        double length = 50;
        for (const double candidate : {10.0, 20.0, 50.0, 100.0})
            if (candidate * pxPerMm <= image.width() / 4.0)
                length = candidate;
        const QRectF bar(image.width() * 0.04, image.height() * 0.92, length * pxPerMm,
                         std::max(5.0, image.height() / 150.0));
        p.fillRect(bar.adjusted(-8, -labelFont.pixelSize() * 1.6, 8, 8),
                   QColor(255, 255, 255, 215));
        p.fillRect(bar, Qt::black);
        p.setPen(Qt::black);
        p.drawText(QRectF(bar.left(), bar.top() - labelFont.pixelSize() * 1.5, bar.width(),
                          labelFont.pixelSize() * 1.4),
                   Qt::AlignCenter, QStringLiteral("%1 mm").arg(length));
    }
    return image;
}

} // namespace

// --- Settings ----------------------------------------------------------------------------------

ReportSettings defaultReportSettings()
{
    ReportSettings s;
    s.aftercare = kDefaultAftercare;
    s.consent = kDefaultConsent;
    return s;
}

QByteArray reportSettingsJson(const ReportSettings &s)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("clinic_name"), s.clinicName},
                                     {QStringLiteral("address"), s.address},
                                     {QStringLiteral("contact"), s.contact},
                                     {QStringLiteral("logo"), s.logoPath},
                                     {QStringLiteral("locale"), s.locale},
                                     {QStringLiteral("aftercare"), s.aftercare},
                                     {QStringLiteral("consent"), s.consent}})
        .toJson(QJsonDocument::Indented);
}

namespace {

ReportSettings parseReportSettings(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("report settings: not a JSON object (%1)").arg(error.errorString()));
    const QJsonObject o = document.object();
    ReportSettings s = defaultReportSettings();
    const auto text = [&](const char *name, QString &target) {
        if (!o.contains(QLatin1String(name)))
            return;
        if (!o.value(QLatin1String(name)).isString())
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("%1: must be text").arg(QLatin1String(name)));
        target = o.value(QLatin1String(name)).toString();
    };
    text("clinic_name", s.clinicName);
    text("address", s.address);
    text("contact", s.contact);
    text("logo", s.logoPath);
    text("locale", s.locale);
    text("aftercare", s.aftercare);
    text("consent", s.consent);
    if (s.clinicName.trimmed().isEmpty())
        throw StorageError(ErrorKind::InvalidInput,
                           QStringLiteral("clinic_name: must not be empty"));
    if (QLocale(s.locale).name() == QLatin1String("C") && s.locale != QLatin1String("C"))
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("locale: \"%1\" is not a known locale (e.g. en_US, de_DE)")
                .arg(s.locale));
    if (!s.logoPath.isEmpty() && QImage(s.logoPath).isNull())
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("logo: \"%1\" is not a readable PNG or JPEG").arg(s.logoPath));
    static const QRegularExpression placeholder(QStringLiteral("\\{([^}]*)\\}"));
    static const QRegularExpression valid(QStringLiteral("^session\\+\\d{1,3}$"));
    for (auto it = placeholder.globalMatch(s.aftercare); it.hasNext();) {
        const QString inside = it.next().captured(1);
        if (!valid.match(inside).hasMatch())
            throw StorageError(ErrorKind::InvalidInput,
                               QStringLiteral("aftercare: \"{%1}\" is not a date placeholder "
                                              "({session+N})")
                                   .arg(inside));
    }
    return s;
}

} // namespace

ReportSettings reportSettings(storage::Database &db)
{
    const auto text = storage::SettingsStore(db).value(QString::fromLatin1(kReportSettingsKey));
    ReportSettings s;
    if (!text) {
        s = defaultReportSettings();
        s.clinicName = scheduleSettings(db).clinicName;
        return s;
    }
    try {
        return parseReportSettings(text->toUtf8());
    } catch (const StorageError &e) {
        throw StorageError(ErrorKind::Damaged,
                           QStringLiteral("setting %1 cannot be read: %2")
                               .arg(QString::fromLatin1(kReportSettingsKey), e.message()));
    }
}

void setReportSettings(storage::Database &db, const QByteArray &json)
{
    const ReportSettings s = parseReportSettings(json);
    storage::SettingsStore(db).setValue(QString::fromLatin1(kReportSettingsKey),
                                        QString::fromUtf8(reportSettingsJson(s)));
}

QStringList fillAftercare(const QString &text, QDate session, const QLocale &locale)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{session\\+(\\d{1,3})\\}"));
    QStringList rules;
    for (QString line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        QString out;
        qsizetype last = 0;
        for (auto it = placeholder.globalMatch(line); it.hasNext();) {
            const auto m = it.next();
            out += line.mid(last, m.capturedStart() - last);
            out += locale.toString(session.addDays(m.captured(1).toInt()), QLocale::LongFormat);
            last = m.capturedEnd();
        }
        out += line.mid(last);
        rules << out.trimmed();
    }
    return rules;
}

// --- Gathering ---------------------------------------------------------------------------------

ConsultationReport gatherConsultation(storage::Database &db, RecordId clientId,
                                      const std::function<bool(double)> &progress)
{
    const auto report = [&](double done) {
        if (progress && !progress(done))
            throw ReportCancelled();
    };
    ConsultationReport r;
    r.settings = reportSettings(db);
    const QLocale locale(r.settings.locale);
    r.client = storage::ClientStore(db).get(clientId);
    r.date = QDate::currentDate();
    storage::PhotoLibrary library(db);
    storage::AnalysisStore analyses(db);

    // Up to four analysed photos: the newest of each view, then the next newest.
    std::vector<storage::Photo> photos = library.photos(clientId);
    std::sort(photos.begin(), photos.end(), [](const storage::Photo &a, const storage::Photo &b) {
        return a.takenAt > b.takenAt;
    });
    std::vector<storage::Photo> chosen;
    std::map<storage::PhotoView, int> perView;
    std::set<storage::RecordId> noScalp; // named once under "The scalp today", not shown
    for (int pass = 0; pass < 2; ++pass)
        for (const storage::Photo &p : photos) {
            if (chosen.size() >= 4)
                break;
            const auto latest = analyses.latest(p.id);
            if (!latest || std::any_of(chosen.begin(), chosen.end(),
                                       [&](const storage::Photo &c) { return c.id == p.id; }))
                continue;
            // A photo whose analysis found no scalp (too dark, blank, not a head) has no map to
            // show: it read "hair coverage 0.0% · Norwood (confidence 0.00)" until 2026-12-05.
            if (const QString none = noScalpText(*latest, p); !none.isEmpty()) {
                if (noScalp.insert(p.id).second)
                    r.photosNotShown.push_back(none);
                continue;
            }
            if (pass == 0 && perView[p.view]++ > 0)
                continue;
            chosen.push_back(p);
        }
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        report(0.05 + 0.45 * static_cast<double>(i) / static_cast<double>(chosen.size()));
        const storage::Photo &p = chosen[i];
        const auto stored = analyses.latest(p.id);
        const QByteArray corrected = analyses.correctedGrades(*stored);
        const auto calibration = scaleInUse(library, p.id);
        const std::optional<double> mmPerPx =
            calibration ? std::optional<double>(calibration->mmPerPx) : std::nullopt;
        analysis::GradeSummary summary;
        try {
            summary = summarizeStoredAnalysis(*stored, corrected, p.view, p.rotationQuarterTurns,
                                              mmPerPx);
        } catch (const std::invalid_argument &damaged) {
            // The rest of the report still prints, naming the photo to analyse again.
            r.photosNotShown.push_back(
                damagedAnalysisText(*stored, p, QString::fromUtf8(damaged.what())));
            continue;
        }
        QString path;
        try {
            path = library.verifiedPath(p);
        } catch (const storage::StorageError &missing) {
            // A photo file missing or damaged in the library: named, the rest still prints.
            r.photosNotShown.push_back(missing.message());
            continue;
        }
        const QImage upright = imaging::loadUprightImage(path);
        ReportPhoto photo;
        // The texture check as the viewer gives it, on the map as corrected: loss the
        // technician painted over is not hatched; under a hundredth of the loss, nothing is.
        std::vector<std::uint8_t> hatched = textureCheckMarks(*stored, corrected);
        photo.textureCheck = textureCheckNote(textureCheckShare(hatched, corrected));
        if (photo.textureCheck.isEmpty())
            hatched.clear();
        photo.image = analysisImage(upright, corrected, hatched, *stored, summary, mmPerPx);
        const ScalpCoverage coverage = scalpCoverage(*stored, corrected);
        photo.coveragePercent = coverage.percent;
        photo.calibrated = mmPerPx.has_value();
        photo.softPhoto = softPhotoNote(*stored);
        if (!olderVersionNote(*stored).isEmpty())
            r.olderAnalyses.push_back(QObject::tr("photo %1 (%2), version %3")
                                          .arg(p.id)
                                          .arg(p.originalName, stored->version));
        if (faceStillOnMap(*stored, corrected, p.view))
            photo.faceOnMap = faceOnMapNote(toAnalysisView(p.view));
        if (const auto current = library.currentCalibration(p.id); current && !calibration)
            photo.scaleDoubt = calibrationDoubt(*current).value_or(QString());
        photo.stage = QObject::tr("Norwood %1 (confidence %2)")
                          .arg(QString::fromStdString(summary.norwood.stage))
                          .arg(summary.norwood.confidence, 0, 'f', 2);
        // The stage and the areas follow the corrections, and so does the coverage where the
        // technician took something off the scalp (an analysis stored before schema 9 kept no hair
        // share to take it again: the caption says it is as analysed).
        const bool correctedByHand = corrected != stored->grades;
        QString coverageText = QObject::tr("hair coverage %1%").arg(coverage.percent, 0, 'f', 1);
        if (coverage.overCorrectedScalp)
            coverageText += QObject::tr(" of the scalp as corrected (%1% as analysed)")
                                .arg(coverage.asAnalysedPercent, 0, 'f', 1);
        else if (coverage.notRetaken)
            coverageText += QObject::tr(" as analysed");
        photo.caption =
            QObject::tr("%1 view, %2 · %3 · %4")
                .arg(storage::toString(p.view), shortDate(locale, p.takenAt.toLocalTime().date()),
                     coverageText,
                     correctedByHand ? photo.stage + QObject::tr(" on the corrected map")
                                     : photo.stage);
        for (const auto &region : summary.regions)
            if (region.grade != analysis::Grade::Normal)
                photo.regions.push_back({QString::fromLatin1(analysis::gradeName(region.grade)),
                                         QString::fromStdString(region.location), region.areaCm2});
        r.photos.push_back(std::move(photo));
    }

    // The latest visit's stage (clientStage()'s) and the one before; a damaged stored analysis
    // is named there and the rest of the report still prints.
    const std::vector<ClientStage> visits = clientStageByVisit(db, clientId, 2);
    const auto visitText = [&](const ClientStage &visit) {
        return visit.problem.isEmpty()
                   ? clientStageText(visit, locale)
                   : QObject::tr("%1: not read: %2")
                         .arg(locale.toString(visit.day, QStringLiteral("d MMM yyyy")),
                              visit.problem);
    };
    if (!visits.empty() && (!visits[0].problem.isEmpty() || visits[0].combined.photosCounted >= 2))
        r.stage = visitText(visits[0]);
    if (visits.size() == 2)
        r.previousStage = visitText(visits[1]);

    // The newest saved plan.
    report(0.5);
    const PlanningTables tables = planningTables(db);
    const auto plans = storage::PlanStore(db).plansOfClient(clientId);
    if (!plans.empty()) {
        const auto stored = storage::PlanStore(db).find(plans.front().id);
        const planning::Plan plan = loadPlan(*stored);
        r.hasPlan = true;
        r.treatedAreaCm2 = plan.treatedAreaCm2;
        r.dots = static_cast<int>(plan.dots.size());
        r.planVersion = QObject::tr("plan %1 · %2 %3 · seed %4 · %5")
                            .arg(stored->id)
                            .arg(stored->algorithm, stored->version, stored->seed,
                                 shortDate(locale, stored->createdAt.toLocalTime().date()));
        // 6 px per mm at 1:1, dots drawn at least 0.6 mm across: printed smaller than life it
        // is well over 150 dpi and every dot shows.
        const planning::RectMm extent = planExtent(plan);
        r.pigmentMap = renderPigmentMap(plan, extent, 6, 0.6);
        if (plan.hairline && plan.hairline->controlPoints.size() >= 2) {
            // The designed hairline over the map, as the technician drew it.
            QPainter painter(&r.pigmentMap);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setPen(QPen(QColor(0, 170, 220), 5, Qt::DashLine));
            double low = plan.hairline->controlPoints.front().x, high = low;
            for (const planning::PointMm &p : plan.hairline->controlPoints) {
                low = std::min(low, p.x);
                high = std::max(high, p.x);
            }
            QPolygonF line;
            for (double x = low; x <= high; x += 1)
                line << QPointF((x - extent.x) * 6,
                                (planning::hairlineY(*plan.hairline, x) - extent.y) * 6);
            painter.drawPolyline(line);
        }
        r.quote = planning::quoteFor(tables.prices, plan.treatedAreaCm2, plan.settings.sessions);
        for (const planning::SessionSummary &s : plan.sessions)
            r.sessions.push_back({s.session, s.dots, s.dots1RL, s.dots3RL,
                                  QObject::tr("%1 ml water : 1 ml pigment")
                                      .arg(planning::waterMlPerPigmentMl(s.shade), 0, 'f', 1),
                                  s.minutes / 60, s.sittings,
                                  r.quote.total / std::max(1, plan.settings.sessions)});
        if (const auto photo = library.find(stored->photoId)) {
            const auto calibration = scaleInUse(library, photo->id);
            QString path;
            try {
                path = calibration ? library.verifiedPath(*photo) : QString();
            } catch (const storage::StorageError &missing) {
                // No healed previews; said with the photos, unless said there already.
                if (std::find(r.photosNotShown.begin(), r.photosNotShown.end(),
                              missing.message()) == r.photosNotShown.end())
                    r.photosNotShown.push_back(missing.message());
            }
            if (!path.isEmpty()) {
                const QImage upright = imaging::loadUprightImage(path);
                const QImage small =
                    upright.scaled(QSize(900, 900), Qt::KeepAspectRatio, Qt::SmoothTransformation);
                const double mmPerPx = calibration->mmPerPx * upright.width() / small.width();
                r.healed.push_back(small);
                for (int k = 1; k <= plan.settings.sessions; ++k) {
                    report(0.55 + 0.35 * k / plan.settings.sessions);
                    r.healed.push_back(renderHealedPreview(small, plan, mmPerPx, k));
                }
            }
        }
    }
    report(0.92);
    // The schedule.
    const ScheduleSettings schedule = scheduleSettings(db);
    r.timeZone = QString::fromUtf8(schedule.calendar.timeZone.id());
    for (const storage::Appointment &a : storage::AppointmentStore(db).ofClient(clientId))
        if (a.status != storage::AppointmentStatus::Cancelled)
            r.schedule.push_back(a);
    // Screening and consents.
    storage::ClientStore clients(db);
    for (const storage::ScreeningEntry &e : clients.screening(clientId)) {
        const storage::ContraindicationItem *item = storage::findContraindication(e.item);
        ReportScreening s;
        s.item = item ? QString::fromUtf8(item->label) : e.item;
        s.note = e.note;
        switch (e.answer) {
        case storage::ScreeningAnswer::None:
            s.answer = QObject::tr("no");
            break;
        case storage::ScreeningAnswer::NeedsClearance:
            s.answer = QObject::tr("needs a doctor's clearance");
            s.flagged = true;
            break;
        case storage::ScreeningAnswer::Excludes:
            s.answer = QObject::tr("excludes treatment");
            s.flagged = true;
            break;
        }
        r.screening.push_back(s);
    }
    for (const storage::Consent &c : clients.consents(clientId))
        r.consentsSigned << QObject::tr("%1 (text %2), signed %3 by %4")
                                .arg(c.kind, c.textVersion, shortDate(locale, c.signedOn),
                                     c.signedBy);
    QDate firstSession;
    for (const storage::Appointment &a : r.schedule)
        if (a.kind == QLatin1String("session")) {
            firstSession = a.start.toTimeZone(schedule.calendar.timeZone).date();
            break;
        }
    r.aftercare =
        fillAftercare(r.settings.aftercare, firstSession.isValid() ? firstSession : r.date, locale);
    report(1.0);
    return r;
}

// --- The consultation report -------------------------------------------------------------------

int paintConsultation(const ConsultationReport &r, QPagedPaintDevice &device)
{
    const QLocale locale(r.settings.locale);
    const QTimeZone zone(r.timeZone.toUtf8());
    std::vector<std::unique_ptr<Block>> blocks;
    const auto add = [&](auto *block) { blocks.emplace_back(block); };
    // A table's header row, `spaceBefore` mm below the block before it.
    const auto table = [&](QStringList titles, std::vector<double> fractions,
                           std::vector<bool> right, double spaceBefore = 0) {
        auto columns = std::make_shared<Columns>(Columns{titles, fractions, right});
        auto *header = new TableRow(columns, titles, true);
        header->spaceBefore = spaceBefore;
        add(header);
        return columns;
    };

    add(new Heading(QObject::tr("Consultation report"), 17));
    QStringList facts;
    if (r.client.dateOfBirth.isValid())
        facts << QObject::tr("born %1").arg(
            locale.toString(r.client.dateOfBirth, QLocale::LongFormat));
    if (r.client.fitzpatrick)
        facts << QObject::tr("skin type %1 (Fitzpatrick)").arg(*r.client.fitzpatrick);
    if (!r.client.hairColour.isEmpty())
        facts << QObject::tr("%1 hair").arg(r.client.hairColour);
    add(new Paragraph(QObject::tr("For %1%2. Prepared %3.")
                          .arg(r.client.displayName(),
                               facts.isEmpty()
                                   ? QString()
                                   : QStringLiteral(", ") + facts.join(QStringLiteral(", ")),
                               locale.toString(r.date, QLocale::LongFormat)),
                      10));

    // Photos and their analysis.
    add(new Heading(QObject::tr("The scalp today")));
    if (r.photos.empty() && r.photosNotShown.empty())
        add(new Paragraph(QObject::tr("No analysed photo yet.")));
    for (const QString &problem : r.photosNotShown)
        add(new Paragraph(QObject::tr("Photo not shown: %1.").arg(problem), 8.5,
                          QColor(170, 40, 40)));
    if (!r.stage.isEmpty())
        add(new Paragraph(QObject::tr("Stage of the client: %1.").arg(r.stage)));
    if (!r.previousStage.isEmpty())
        add(new Paragraph(QObject::tr("At the previous visit: %1.").arg(r.previousStage)));
    for (const ReportPhoto &p : r.photos) {
        add(new Images({p.image}, {p.caption}, 105));
        if (!p.calibrated && !p.scaleDoubt.isEmpty())
            add(new Paragraph(QObject::tr("This photo's stored scale is doubtful and not used: %1. "
                                          "The areas are not given in cm², and what is shown is an "
                                          "estimate from the photo alone.")
                                  .arg(p.scaleDoubt),
                              8.5, QColor(150, 80, 0)));
        else if (!p.calibrated)
            add(new Paragraph(QObject::tr("This photo carries no scale: the areas are not given in "
                                          "cm², and what is shown is an estimate from the photo "
                                          "alone."),
                              8.5, QColor(150, 80, 0)));
        if (!p.softPhoto.isEmpty())
            add(new Paragraph(p.softPhoto, 8.5, QColor(150, 80, 0)));
        if (!p.faceOnMap.isEmpty())
            add(new Paragraph(p.faceOnMap, 8.5, QColor(150, 80, 0)));
        if (!p.textureCheck.isEmpty())
            add(new Paragraph(p.textureCheck, 8.5, QColor(150, 80, 0)));
        if (!p.regions.empty()) {
            // Set off from the caption or the notes above it, which it would run into.
            const auto columns =
                table({QObject::tr("Area"), QObject::tr("Where"), QObject::tr("Size")},
                      {0.35, 0.35, 0.30}, {false, false, true}, 2.5);
            for (const ReportRegion &region : p.regions)
                add(new TableRow(columns,
                                 {region.grade, region.location,
                                  region.areaCm2 ? QObject::tr("%1 cm²").arg(
                                                       locale.toString(*region.areaCm2, 'f', 1))
                                                 : QObject::tr("estimate (no scale)")}));
        }
    }

    // The plan.
    add(new Heading(QObject::tr("The treatment plan")));
    if (!r.hasPlan) {
        add(new Paragraph(QObject::tr("No plan saved yet.")));
    } else {
        add(new Paragraph(QObject::tr("%1 dots over %2 cm², in %3 sessions (%4). The pigment "
                                      "map, one colour per session, with the designed hairline "
                                      "(dashed) where there is one:")
                              .arg(locale.toString(r.dots))
                              .arg(locale.toString(r.treatedAreaCm2, 'f', 1))
                              .arg(r.sessions.size())
                              .arg(r.planVersion)));
        add(new Images(
            {r.pigmentMap},
            {QObject::tr("Pigment map, dots drawn enlarged to be seen (10 mm scale bar below the "
                         "map; the 1:1 map is exported from the plan)")},
            120));
        if (!r.healed.empty()) {
            add(new Heading(QObject::tr("How it should look, healed"), 11));
            QStringList captions{QObject::tr("Today")};
            for (std::size_t k = 1; k < r.healed.size(); ++k)
                captions << QObject::tr("After session %1").arg(k);
            for (std::size_t start = 0; start < r.healed.size(); start += 2) {
                std::vector<QImage> pair(r.healed.begin() + static_cast<std::ptrdiff_t>(start),
                                         r.healed.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                start + 2, r.healed.size())));
                add(new Images(pair, captions.mid(static_cast<qsizetype>(start), 2), 75));
            }
        }
        add(new Heading(QObject::tr("Sessions and quote"), 11));
        const auto columns =
            table({QObject::tr("Session"), QObject::tr("Dots"), QObject::tr("1RL / 3RL"),
                   QObject::tr("Dilution"), QObject::tr("Hours"), QObject::tr("Price")},
                  {0.12, 0.12, 0.16, 0.30, 0.12, 0.18}, {false, true, true, false, true, true});
        int dots = 0;
        double hours = 0;
        for (const ReportSession &s : r.sessions) {
            add(new TableRow(
                columns,
                {QString::number(s.session), locale.toString(s.dots),
                 QStringLiteral("%1 / %2").arg(locale.toString(s.dots1RL),
                                               locale.toString(s.dots3RL)),
                 s.recipe,
                 locale.toString(s.hours, 'f', 1) +
                     (s.sittings > 1 ? QObject::tr(" (%1 sittings)").arg(s.sittings) : QString()),
                 money(locale, s.price, r.quote.currency)}));
            dots += s.dots;
            hours += s.hours;
        }
        add(new TableRow(columns,
                         {QObject::tr("Total"), locale.toString(dots), QString(), QString(),
                          locale.toString(hours, 'f', 1),
                          money(locale, r.quote.total, r.quote.currency)},
                         false, true));
        add(new Paragraph(QObject::tr("Quote basis: %1. A touch-up later costs %2.")
                              .arg(QString::fromStdString(r.quote.basis),
                                   money(locale, r.quote.touchUp, r.quote.currency)),
                          8.5));
    }

    // The schedule.
    add(new Heading(QObject::tr("Schedule")));
    if (r.schedule.empty()) {
        add(new Paragraph(QObject::tr("No appointments booked yet.")));
    } else {
        const auto columns =
            table({QObject::tr("When"), QObject::tr("What"), QObject::tr("Duration")},
                  {0.45, 0.35, 0.20}, {false, false, true});
        for (const storage::Appointment &a : r.schedule) {
            const QDateTime local = a.start.toTimeZone(zone);
            const bool recall = a.kind == QLatin1String("recall");
            add(new TableRow(columns, {recall ? locale.toString(local.date(), QLocale::LongFormat)
                                              : dateTimeText(locale, local),
                                       appointmentTitle(a),
                                       recall ? QString()
                                              : QObject::tr("%1 h").arg(
                                                    locale.toString(a.minutes / 60.0, 'f', 1))}));
        }
        add(new Paragraph(QObject::tr("Times are local to the clinic (%1).").arg(r.timeZone), 8));
    }

    // Screening.
    add(new Heading(QObject::tr("Health screening")));
    if (r.screening.empty()) {
        add(new Paragraph(QObject::tr("Not answered yet: the screening must be completed before "
                                      "the first session.")));
    } else {
        int flagged = 0;
        for (const ReportScreening &s : r.screening)
            flagged += s.flagged;
        add(new Paragraph(flagged
                              ? QObject::tr("%n item(s) need attention before treatment (marked "
                                            "below).",
                                            "", flagged)
                              : QObject::tr("No contraindication reported."),
                          9.5, flagged ? QColor(170, 40, 40) : QColor(30, 110, 50)));
        const auto columns =
            table({QObject::tr("Question"), QObject::tr("Answer"), QObject::tr("Note")},
                  {0.50, 0.25, 0.25}, {false, false, false});
        for (const ReportScreening &s : r.screening)
            add(new TableRow(columns, {s.item, s.answer, s.note}, false, s.flagged,
                             s.flagged ? QColor(170, 40, 40) : QColor(Qt::black)));
    }

    // Aftercare and consent.
    add(new Heading(QObject::tr("Aftercare after each session")));
    add(new Paragraph(QObject::tr("Dates below are for the first session; you receive a sheet "
                                  "with the dates of every session."),
                      8.5, QColor(80, 80, 80)));
    for (const QString &rule : r.aftercare)
        add(new Paragraph(QStringLiteral("• ") + rule));
    add(new Heading(QObject::tr("Consent")));
    add(new Paragraph(r.settings.consent));
    if (!r.consentsSigned.isEmpty())
        add(new Paragraph(
            QObject::tr("On file: %1").arg(r.consentsSigned.join(QStringLiteral("; "))), 8.5));
    add(new Signatures({QObject::tr("client"), QObject::tr("technician")}));

    const QStringList right{
        r.client.displayName(), QObject::tr("Report of %1").arg(shortDate(locale, r.date)),
        r.hasPlan ? r.planVersion.section(QStringLiteral(" · "), 0, 0) : QString()};
    const QImage logo = r.settings.logoPath.isEmpty() ? QImage() : QImage(r.settings.logoPath);
    return paginateAndPaint(device, blocks, 21, 8, [&](const Page &page, int n, int count) {
        drawHeaderFooter(page, n, count, r.settings, logo, QObject::tr("Consultation report"),
                         right);
    });
}

int writeConsultationPdf(const ConsultationReport &report, const QString &path,
                         QPageSize::PageSizeId pageSize)
{
    return writePdf(path, pageSize,
                    QObject::tr("Consultation report: %1").arg(report.client.displayName()),
                    [&](QPdfWriter &pdf) { return paintConsultation(report, pdf); });
}

// --- Progress ----------------------------------------------------------------------------------

ProgressReport gatherProgress(storage::Database &db, RecordId clientId)
{
    ProgressReport r;
    r.settings = reportSettings(db);
    r.client = storage::ClientStore(db).get(clientId);
    r.date = QDate::currentDate();
    const QLocale locale(r.settings.locale);
    {
        // firstAndLatest() passes over photos whose analysis found no scalp: said, not silent.
        storage::AnalysisStore analyses(db);
        for (const storage::Photo &photo : storage::PhotoLibrary(db).photos(clientId))
            if (const auto latest = analyses.latest(photo.id))
                if (QString none = noScalpText(*latest, photo); !none.isEmpty())
                    r.photosNotCompared.push_back(std::move(none));
    }
    for (const storage::PhotoView view :
         {storage::PhotoView::Front, storage::PhotoView::Top, storage::PhotoView::Crown,
          storage::PhotoView::Back, storage::PhotoView::Left, storage::PhotoView::Right}) {
        const auto pair = firstAndLatest(db, clientId, view);
        if (!pair)
            continue;
        QString viewName = storage::toString(view);
        viewName[0] = viewName[0].toUpper();
        // Dated by the day; both taken on one day (a session's before and after), by the day
        // and the two times.
        const auto titleOf = [&](const QDateTime &before, const QDateTime &after) {
            const QDateTime first = before.toLocalTime(), second = after.toLocalTime();
            if (first.date() == second.date())
                return QObject::tr("%1 view: %2, %3 to %4")
                    .arg(viewName, locale.toString(first.date(), QLocale::LongFormat),
                         locale.toString(first.time(), QLocale::ShortFormat),
                         locale.toString(second.time(), QLocale::ShortFormat));
            return QObject::tr("%1 view: %2 to %3")
                .arg(viewName, locale.toString(first.date(), QLocale::LongFormat),
                     locale.toString(second.date(), QLocale::LongFormat));
        };
        Comparison c;
        try {
            c = comparePhotos(db, pair->first, pair->second);
        } catch (const storage::StorageError &failure) {
            // A damaged stored analysis, a photo file missing, damaged or unreadable in the
            // library: the pair says so, the rest of the report prints.
            if (failure.kind() != storage::ErrorKind::InvalidInput &&
                failure.kind() != storage::ErrorKind::Damaged &&
                failure.kind() != storage::ErrorKind::NotFound &&
                failure.kind() != storage::ErrorKind::Io)
                throw;
            storage::PhotoLibrary library(db);
            ProgressPair p;
            p.title =
                titleOf(library.find(pair->first)->takenAt, library.find(pair->second)->takenAt);
            p.alignment = QObject::tr("Not compared: %1.").arg(failure.message());
            r.pairs.push_back(std::move(p));
            continue;
        }
        ProgressPair p;
        p.title = titleOf(c.before.takenAt, c.after.takenAt);
        p.aligned = c.alignment.ok;
        p.alignment =
            c.alignment.ok
                ? QObject::tr("Aligned (%1), the matched points differ by %2 px after alignment%3.")
                      .arg(QString::fromStdString(c.alignment.method))
                      .arg(c.alignment.residualPx, 0, 'f', 2)
                      .arg(c.alignment.poor ? QObject::tr(" (poor: check by eye)") : QString())
                : QObject::tr("Not aligned: %1.").arg(QString::fromStdString(c.alignment.problem));
        if (c.alignment.ok) {
            const QImage side = sideBySideImage(c);
            p.sideBySide =
                side.scaled(QSize(2400, 2400), Qt::KeepAspectRatio, Qt::SmoothTransformation);
        }
        p.coverageBefore = c.coverageBefore;
        p.coverageAfter = c.coverageAfter;
        for (const RegionChange &region : c.regions)
            p.regions.emplace_back(QStringLiteral("%1, %2").arg(region.grade, region.location),
                                   region.areaCm2, region.coverageBefore, region.coverageAfter);
        p.timeline = c.timeline;
        p.timelineNote = c.timelineNote;
        r.pairs.push_back(std::move(p));
    }
    r.stages = clientStageByVisit(db, clientId);
    std::reverse(r.stages.begin(), r.stages.end());
    const QTimeZone zone = scheduleSettings(db).calendar.timeZone;
    storage::AppointmentStore appointments(db);
    for (const storage::Appointment &a : appointments.ofClient(clientId)) {
        if (a.kind != QLatin1String("session") || a.status != storage::AppointmentStatus::Done)
            continue;
        const auto record = appointments.sessionRecord(a.id);
        r.sessions.push_back(
            {shortDate(locale, a.start.toTimeZone(zone).date()), appointmentTitle(a),
             record ? record->dilution : QString(), record ? record->needle : QString(),
             record && record->minutes ? QString::number(*record->minutes) : QString()});
    }
    for (const storage::PhotoReview &review : storage::ReviewStore(db).ofClient(clientId))
        r.reviews << QObject::tr("%1: %2 by %3 (photos %4 and %5)%6")
                         .arg(shortDate(locale, review.createdAt.toLocalTime().date()),
                              review.approved ? QObject::tr("approved")
                                              : QObject::tr("not approved"),
                              review.reviewer)
                         .arg(review.beforePhotoId)
                         .arg(review.afterPhotoId)
                         .arg(review.notes.isEmpty() ? QString()
                                                     : QStringLiteral(": ") + review.notes);
    return r;
}

int paintProgress(const ProgressReport &r, QPagedPaintDevice &device)
{
    const QLocale locale(r.settings.locale);
    std::vector<std::unique_ptr<Block>> blocks;
    blocks.emplace_back(new Heading(QObject::tr("Progress report"), 17));
    blocks.emplace_back(new Paragraph(
        QObject::tr(
            "For %1. Prepared %2. Each pair is the first and the latest analysed photo of a "
            "view, the later one aligned onto the earlier; hair coverage is measured in the "
            "earlier photo's frame over the areas graded mild to bald.")
            .arg(r.client.displayName(), locale.toString(r.date, QLocale::LongFormat)),
        9.5));
    for (const QString &problem : r.photosNotCompared)
        blocks.emplace_back(new Paragraph(QObject::tr("Photo not compared: %1.").arg(problem), 8.5,
                                          QColor(170, 40, 40)));
    if (r.pairs.empty())
        blocks.emplace_back(new Paragraph(
            r.photosNotCompared.empty()
                ? QObject::tr("No view has two analysed photos yet.")
                : QObject::tr("No view has two analysed photos that show the scalp yet.")));
    const auto percent = [&](double v) -> QString {
        return locale.toString(100 * v, 'f', 1) + QLatin1Char('%');
    };
    for (const ProgressPair &p : r.pairs) {
        blocks.emplace_back(new Heading(p.title));
        blocks.emplace_back(
            new Paragraph(p.alignment, 8.5, p.aligned ? QColor(60, 60, 60) : QColor(170, 40, 40)));
        if (!p.sideBySide.isNull())
            blocks.emplace_back(
                new Images({p.sideBySide}, {QObject::tr("Before, and after aligned")}, 90));
        if (p.aligned) {
            auto columns = std::make_shared<Columns>(
                Columns{{QObject::tr("Area"), QObject::tr("Size"), QObject::tr("Coverage before"),
                         QObject::tr("Coverage after"), QObject::tr("Change")},
                        {0.34, 0.14, 0.18, 0.18, 0.16},
                        {false, true, true, true, true}});
            blocks.emplace_back(new TableRow(columns, columns->titles, true));
            const auto change = [&](double before, double after) {
                return coverageChangeText(before, after, locale);
            };
            blocks.emplace_back(
                new TableRow(columns,
                             {QObject::tr("Treatment area"), QString(), percent(p.coverageBefore),
                              percent(p.coverageAfter), change(p.coverageBefore, p.coverageAfter)},
                             false, true));
            for (const auto &[name, area, before, after] : p.regions)
                blocks.emplace_back(new TableRow(
                    columns,
                    {name,
                     area ? QObject::tr("%1 cm²").arg(locale.toString(*area, 'f', 1)) : QString(),
                     percent(before), percent(after), change(before, after)}));
        }
        if (p.timeline.size() > 1) {
            auto columns = std::make_shared<Columns>(
                Columns{{QObject::tr("Photo of"), QObject::tr("Hair coverage of the scalp")},
                        {0.5, 0.5},
                        {false, true}});
            blocks.emplace_back(new TableRow(columns, columns->titles, true));
            for (const auto &[when, coverage] : p.timeline)
                blocks.emplace_back(
                    new TableRow(columns, {timelineDateText(when, p.timeline, locale),
                                           locale.toString(coverage, 'f', 1) + QLatin1Char('%')}));
            if (!p.timelineNote.isEmpty())
                blocks.emplace_back(new Paragraph(p.timelineNote, 8.5, QColor(179, 92, 0)));
        }
    }
    blocks.emplace_back(new Heading(QObject::tr("The client's stage by visit")));
    if (r.stages.empty()) {
        blocks.emplace_back(
            new Paragraph(QObject::tr("None yet: no front, top or crown view has been analysed.")));
    } else {
        blocks.emplace_back(new Paragraph(
            QObject::tr("The Hamilton-Norwood stage of each visit: the mean level of the front, "
                        "top and crown views taken that day, each read on its map as corrected. "
                        "Back and side views are not counted."),
            8.5, QColor(60, 60, 60)));
        auto columns = std::make_shared<Columns>(
            Columns{{QObject::tr("Visit"), QObject::tr("Stage"), QObject::tr("Photos counted")},
                    {0.28, 0.16, 0.56},
                    {false, false, false}});
        blocks.emplace_back(new TableRow(columns, columns->titles, true));
        for (const ClientStage &stage : r.stages) {
            if (!stage.problem.isEmpty()) {
                blocks.emplace_back(new TableRow(columns,
                                                 {locale.toString(stage.day, QLocale::LongFormat),
                                                  QObject::tr("not read"), stage.problem},
                                                 false, false, QColor(170, 40, 40)));
                continue;
            }
            QStringList photos;
            for (const auto &[view, name] : stage.photos)
                photos << QObject::tr("%1 %2").arg(storage::toString(view), name);
            blocks.emplace_back(new TableRow(
                columns,
                {locale.toString(stage.day, QLocale::LongFormat),
                 QObject::tr("Norwood %1").arg(QString::fromStdString(stage.combined.stage)),
                 photos.join(QStringLiteral(", "))}));
        }
    }
    blocks.emplace_back(new Heading(QObject::tr("Sessions performed")));
    if (r.sessions.empty()) {
        blocks.emplace_back(new Paragraph(QObject::tr("None recorded yet.")));
    } else {
        auto columns = std::make_shared<Columns>(
            Columns{{QObject::tr("Date"), QObject::tr("Session"), QObject::tr("Dilution"),
                     QObject::tr("Needle"), QObject::tr("Minutes")},
                    {0.16, 0.22, 0.30, 0.20, 0.12},
                    {false, false, false, false, true}});
        blocks.emplace_back(new TableRow(columns, columns->titles, true));
        for (const QStringList &row : r.sessions)
            blocks.emplace_back(new TableRow(columns, row));
    }
    blocks.emplace_back(new Heading(QObject::tr("Clinician's review")));
    blocks.emplace_back(new Paragraph(r.reviews.isEmpty() ? QObject::tr("Not reviewed yet.")
                                                          : r.reviews.join(QLatin1Char('\n'))));
    const QStringList right{r.client.displayName(),
                            QObject::tr("Progress of %1").arg(shortDate(locale, r.date))};
    const QImage logo = r.settings.logoPath.isEmpty() ? QImage() : QImage(r.settings.logoPath);
    return paginateAndPaint(device, blocks, 21, 8, [&](const Page &page, int n, int count) {
        drawHeaderFooter(page, n, count, r.settings, logo, QObject::tr("Progress report"), right);
    });
}

int writeProgressPdf(const ProgressReport &report, const QString &path,
                     QPageSize::PageSizeId pageSize)
{
    return writePdf(path, pageSize,
                    QObject::tr("Progress report: %1").arg(report.client.displayName()),
                    [&](QPdfWriter &pdf) { return paintProgress(report, pdf); });
}

// --- Aftercare ---------------------------------------------------------------------------------

AftercareSheet gatherAftercare(storage::Database &db, RecordId appointmentId)
{
    AftercareSheet s;
    storage::AppointmentStore store(db);
    const auto a = store.find(appointmentId);
    if (!a)
        throw StorageError(ErrorKind::NotFound,
                           QStringLiteral("appointment %1 does not exist").arg(appointmentId));
    if (a->kind != QLatin1String("session"))
        throw StorageError(
            ErrorKind::InvalidInput,
            QStringLiteral("appointment %1 is a recall, not a session").arg(appointmentId));
    s.settings = reportSettings(db);
    s.client = storage::ClientStore(db).get(a->clientId);
    s.session = *a;
    s.record = store.sessionRecord(appointmentId);
    const ScheduleSettings schedule = scheduleSettings(db);
    s.timeZone = QString::fromUtf8(schedule.calendar.timeZone.id());
    for (const storage::Appointment &b : store.ofClient(a->clientId))
        if (b.start > a->start && b.status == storage::AppointmentStatus::Booked) {
            s.next = b;
            break;
        }
    s.rules =
        fillAftercare(s.settings.aftercare, a->start.toTimeZone(schedule.calendar.timeZone).date(),
                      QLocale(s.settings.locale));
    return s;
}

int paintAftercare(const AftercareSheet &s, QPagedPaintDevice &device)
{
    const QLocale locale(s.settings.locale);
    const QTimeZone zone(s.timeZone.toUtf8());
    std::vector<std::unique_ptr<Block>> blocks;
    blocks.emplace_back(new Heading(QObject::tr("Aftercare"), 17));
    const QDateTime when = s.session.start.toTimeZone(zone);
    blocks.emplace_back(new Paragraph(
        QObject::tr("For %1 · %2 on %3.")
            .arg(s.client.displayName(), appointmentTitle(s.session), dateTimeText(locale, when)),
        10));
    QStringList done;
    if (s.record) {
        if (!s.record->dilution.isEmpty())
            done << QObject::tr("dilution %1").arg(s.record->dilution);
        if (!s.record->needle.isEmpty())
            done << QObject::tr("needle %1").arg(s.record->needle);
        if (s.record->minutes)
            done << QObject::tr("%1 minutes").arg(*s.record->minutes);
    }
    blocks.emplace_back(new Heading(QObject::tr("What was done"), 11));
    blocks.emplace_back(new Paragraph(done.isEmpty()
                                          ? QObject::tr("As planned for this session.")
                                          : done.join(QStringLiteral(", ")) + QLatin1Char('.')));
    if (s.record && !s.record->notes.isEmpty())
        blocks.emplace_back(new Paragraph(s.record->notes));
    blocks.emplace_back(new Heading(QObject::tr("For the next days"), 11));
    for (const QString &rule : s.rules)
        blocks.emplace_back(new Paragraph(QStringLiteral("• ") + rule, 10.5));
    blocks.emplace_back(new Heading(QObject::tr("Your next appointment"), 11));
    blocks.emplace_back(new Paragraph(
        s.next
            ? QObject::tr("%1: %2.").arg(
                  appointmentTitle(*s.next),
                  s.next->kind == QLatin1String("recall")
                      ? locale.toString(s.next->start.toTimeZone(zone).date(), QLocale::LongFormat)
                      : dateTimeText(locale, s.next->start.toTimeZone(zone)))
            : QObject::tr("None booked yet: the clinic will call you."),
        10.5));
    blocks.emplace_back(new Paragraph(
        QObject::tr("Questions, redness that grows, or signs of infection: call %1%2.")
            .arg(s.settings.clinicName,
                 s.settings.contact.isEmpty()
                     ? QString()
                     : QStringLiteral(" (") + s.settings.contact + QLatin1Char(')')),
        9.5));
    const QStringList right{s.client.displayName(), appointmentTitle(s.session)};
    const QImage logo = s.settings.logoPath.isEmpty() ? QImage() : QImage(s.settings.logoPath);
    return paginateAndPaint(device, blocks, 21, 8, [&](const Page &page, int n, int count) {
        drawHeaderFooter(page, n, count, s.settings, logo, QObject::tr("Aftercare"), right);
    });
}

int writeAftercarePdf(const AftercareSheet &sheet, const QString &path,
                      QPageSize::PageSizeId pageSize)
{
    return writePdf(path, pageSize, QObject::tr("Aftercare: %1").arg(sheet.client.displayName()),
                    [&](QPdfWriter &pdf) { return paintAftercare(sheet, pdf); });
}

} // namespace smp::clinic
