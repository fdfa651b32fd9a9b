#include "smp/gui/CompareWindow.h"

#include "smp/gui/BackgroundWork.h"
#include "smp/gui/WindowState.h"
#include "smp/storage/AnalysisStore.h"
#include "smp/storage/Database.h"
#include "smp/storage/PhotoLibrary.h"
#include "smp/storage/ReviewStore.h"

#include <QChart>
#include <QChartView>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QFormLayout>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace smp::gui {

// --- ComparisonView ----------------------------------------------------------------------------

ComparisonView::ComparisonView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("comparisonView"));
    setMinimumSize(600, 360);
}

void ComparisonView::setComparison(std::shared_ptr<const clinic::Comparison> comparison)
{
    m_comparison = std::move(comparison);
    m_difference = m_comparison && m_comparison->alignment.ok
                       ? clinic::differenceImage(*m_comparison)
                       : QImage();
    m_zoom = 1;
    m_pan = {};
    update();
}

void ComparisonView::setMode(Mode mode)
{
    m_mode = mode;
    update();
}

void ComparisonView::setAmount(double amount)
{
    m_amount = std::clamp(amount, 0.0, 1.0);
    update();
}

void ComparisonView::setPicking(bool on)
{
    m_picking = on;
    if (on) {
        // A new set of pairs; the pairs of a finished pick stay for the comparison they made.
        m_pairs.clear();
        m_pendingA.reset();
        m_mode = Mode::SideBySide;
    }
    update();
}

void ComparisonView::clearPairs()
{
    m_pairs.clear();
    m_pendingA.reset();
    update();
}

QPointF ComparisonView::screenPointOf(int index, vision::Point2 photo) const
{
    if (!m_comparison)
        return {};
    return index == 0 ? imageToScreen(0).map(
                            QPointF(photo.x * m_comparison->scale, photo.y * m_comparison->scale))
                      : afterOwnToScreen().map(QPointF(photo.x * m_comparison->scaleAfter,
                                                       photo.y * m_comparison->scaleAfter));
}

QRectF ComparisonView::panel(int index) const
{
    if (m_mode != Mode::SideBySide)
        return QRectF(rect());
    const double half = width() / 2.0;
    return QRectF(index * half, 0, half - (index == 0 ? 2 : 0), height());
}

QTransform ComparisonView::imageToScreen(int index) const
{
    const QImage &image = m_comparison->imageBefore;
    const QRectF area = panel(index);
    const double fit = std::min(area.width() / image.width(), area.height() / image.height());
    const double scale = fit * m_zoom;
    QTransform t;
    t.translate(area.center().x(), area.center().y());
    t.scale(scale, scale);
    t.translate(-image.width() / 2.0 - m_pan.x(), -image.height() / 2.0 - m_pan.y());
    return t;
}

bool ComparisonView::showsAfterOwn() const
{
    return m_mode == Mode::SideBySide && m_comparison && (m_picking || !m_comparison->alignment.ok);
}

QTransform ComparisonView::afterOwnToScreen() const
{
    const QImage &image = m_comparison->imageAfterOwn;
    const QRectF area = panel(1);
    const double fit = std::min(area.width() / image.width(), area.height() / image.height());
    QTransform t;
    t.translate(area.center().x(), area.center().y());
    t.scale(fit * m_zoom, fit * m_zoom);
    t.translate(-image.width() / 2.0, -image.height() / 2.0);
    return t;
}

void ComparisonView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(40, 40, 40));
    if (!m_comparison || m_comparison->imageBefore.isNull()) {
        p.setPen(Qt::white);
        p.drawText(rect(), Qt::AlignCenter, tr("Choose two photos of the same view and Compare."));
        return;
    }
    const clinic::Comparison &c = *m_comparison;
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const auto draw = [&](int index, const QImage &image, double opacity = 1.0) {
        p.save();
        p.setClipRect(panel(index));
        p.setTransform(imageToScreen(index));
        p.setOpacity(opacity);
        p.drawImage(0, 0, image);
        p.restore();
    };
    switch (m_mode) {
    case Mode::SideBySide:
        draw(0, c.imageBefore);
        if (showsAfterOwn()) {
            p.save();
            p.setClipRect(panel(1));
            p.setTransform(afterOwnToScreen());
            p.drawImage(0, 0, c.imageAfterOwn);
            p.restore();
        } else {
            draw(1, c.imageAfter);
        }
        break;
    case Mode::Wipe: {
        draw(0, c.imageBefore);
        const double x = width() * m_amount;
        p.save();
        p.setClipRect(QRectF(x, 0, width() - x, height()));
        p.setTransform(imageToScreen(0));
        p.drawImage(0, 0, c.imageAfter);
        p.restore();
        p.setPen(QPen(Qt::white, 2));
        p.drawLine(QPointF(x, 0), QPointF(x, height()));
        break;
    }
    case Mode::Blend:
        draw(0, c.imageBefore);
        draw(0, c.imageAfter, m_amount);
        break;
    case Mode::Difference:
        draw(0, m_difference);
        break;
    }
    // Point pairs while placing them: numbered crosses on both photos (the right panel shows B
    // itself then, so its points are in B's own pixels).
    if (m_picking) {
        p.setPen(QPen(QColor(255, 200, 0), 2));
        int n = 1;
        const auto mark = [&](int index, vision::Point2 point) {
            const QPointF s =
                index == 0 ? imageToScreen(0).map(QPointF(point.x * c.scale, point.y * c.scale))
                           : afterOwnToScreen().map(
                                 QPointF(point.x * c.scaleAfter, point.y * c.scaleAfter));
            p.drawLine(s - QPointF(8, 0), s + QPointF(8, 0));
            p.drawLine(s - QPointF(0, 8), s + QPointF(0, 8));
            p.drawText(s + QPointF(6, -6), QString::number(n));
        };
        for (const auto &[a, b] : m_pairs) {
            mark(0, a);
            mark(1, b);
            ++n;
        }
        if (m_pendingA)
            mark(0, *m_pendingA);
    }
    p.setPen(Qt::white);
    if (m_mode == Mode::SideBySide) {
        p.drawText(panel(0).adjusted(8, 6, 0, 0), Qt::AlignLeft | Qt::AlignTop, tr("Before"));
        p.drawText(panel(1).adjusted(8, 6, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                   m_picking        ? tr("After (click the same point)")
                   : c.alignment.ok ? tr("After, aligned")
                                    : tr("After, not aligned"));
    }
}

void ComparisonView::wheelEvent(QWheelEvent *event)
{
    m_zoom = std::clamp(m_zoom * std::pow(1.0015, event->angleDelta().y()), 1.0, 20.0);
    update();
}

void ComparisonView::mousePressEvent(QMouseEvent *event)
{
    m_lastMouse = event->position();
    if (!m_picking || !m_comparison)
        return;
    const int index = m_mode == Mode::SideBySide && event->position().x() > width() / 2.0 ? 1 : 0;
    const double scale = index == 0 ? m_comparison->scale : m_comparison->scaleAfter;
    const QPointF image =
        (index == 0 ? imageToScreen(0) : afterOwnToScreen()).inverted().map(event->position());
    const vision::Point2 photo{image.x() / scale, image.y() / scale};
    if (index == 0) {
        m_pendingA = photo;
    } else if (m_pendingA) {
        m_pairs.push_back({*m_pendingA, photo});
        m_pendingA.reset();
        emit pairsChanged(static_cast<int>(m_pairs.size()));
    }
    update();
}

void ComparisonView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_picking || !(event->buttons() & Qt::LeftButton) || !m_comparison)
        return;
    const double scale = imageToScreen(0).m11();
    m_pan -= (event->position() - m_lastMouse) / scale;
    m_lastMouse = event->position();
    update();
}

// --- CompareWindow -----------------------------------------------------------------------------

CompareWindow::CompareWindow(storage::Database &db, storage::RecordId clientId,
                             storage::RecordId before, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_db(db)
    , m_clientId(clientId)
{
    setWindowTitle(tr("Compare Photos"));
    restoreWindowGeometry(this, QStringLiteral("compare"), QSize(1400, 900));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_before = new QComboBox(this);
    m_after = new QComboBox(this);
    storage::PhotoLibrary library(db);
    storage::AnalysisStore analyses(db);
    std::vector<storage::Photo> photos = library.photos(clientId);
    std::sort(photos.begin(), photos.end(), [](const storage::Photo &a, const storage::Photo &b) {
        return a.takenAt < b.takenAt;
    });
    for (const storage::Photo &p : photos) {
        const QString label =
            QStringLiteral("%1 · %2%3")
                .arg(p.takenAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                     storage::toString(p.view),
                     analyses.latest(p.id) ? QString() : tr(" (not analysed)"));
        m_before->addItem(label, qint64(p.id));
        m_after->addItem(label, qint64(p.id));
    }
    if (before)
        m_before->setCurrentIndex(std::max(0, m_before->findData(qint64(before))));
    // The latest photo of the same view as the after photo.
    const storage::PhotoView view =
        photos.empty() ? storage::PhotoView::Top
                       : photos[static_cast<std::size_t>(m_before->currentIndex())].view;
    for (int i = m_after->count() - 1; i >= 0; --i)
        if (photos[static_cast<std::size_t>(i)].view == view && i != m_before->currentIndex()) {
            m_after->setCurrentIndex(i);
            break;
        }
    bar->addWidget(new QLabel(tr("Before:"), this));
    bar->addWidget(m_before, 1);
    bar->addWidget(new QLabel(tr("After:"), this));
    bar->addWidget(m_after, 1);
    auto *firstLatest = new QPushButton(tr("First and Latest"), this);
    firstLatest->setToolTip(
        tr("The first and the latest analysed photo of the before photo's view"));
    bar->addWidget(firstLatest);
    auto *compareButton = new QPushButton(tr("Compare"), this);
    compareButton->setObjectName(QStringLiteral("compareButton"));
    bar->addWidget(compareButton);
    layout->addLayout(bar);

    auto *modes = new QHBoxLayout;
    m_mode = new QComboBox(this);
    m_mode->addItems({tr("Side by side"), tr("Wipe"), tr("Blend (ghost)"), tr("Difference")});
    m_amount = new QSlider(Qt::Horizontal, this);
    m_amount->setRange(0, 100);
    m_amount->setValue(50);
    m_amount->setToolTip(tr("Wipe position or the after photo's opacity"));
    m_pick = new QPushButton(tr("Align by Points..."), this);
    m_pick->setCheckable(true);
    m_pick->setToolTip(tr("Click a point on the before photo, then the same point on the after "
                          "photo; three pairs align them by hand"));
    modes->addWidget(new QLabel(tr("Show:"), this));
    modes->addWidget(m_mode);
    modes->addWidget(m_amount, 1);
    modes->addWidget(m_pick);
    layout->addLayout(modes);

    auto *splitter = new QSplitter(this);
    m_view = new ComparisonView(splitter);
    auto *side = new QWidget(splitter);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    m_status = new QLabel(side);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("compareStatus"));
    sideLayout->addWidget(m_status);
    m_table = new QTableWidget(0, 5, side);
    m_table->setObjectName(QStringLiteral("changeTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("Area"), tr("cm²"), tr("Before"), tr("After"), tr("Change")});
    m_table->verticalHeader()->hide();
    // The numbers keep their width; the area's name takes the rest of the panel.
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    sideLayout->addWidget(m_table, 1);
    auto *chartView = new QChartView(side);
    chartView->setMinimumHeight(240);
    chartView->setRenderHint(QPainter::Antialiasing);
    m_chart = chartView;
    sideLayout->addWidget(chartView);
    // Said under the chart when its points were read by other versions of the analysis.
    m_timelineNote = new QLabel(side);
    m_timelineNote->setObjectName(QStringLiteral("timelineNote"));
    m_timelineNote->setWordWrap(true);
    m_timelineNote->setStyleSheet(QStringLiteral("color: #b35c00"));
    m_timelineNote->hide();
    sideLayout->addWidget(m_timelineNote);
    auto *form = new QFormLayout;
    m_reviewer = new QLineEdit(db.actor(), side);
    m_reviewer->setObjectName(QStringLiteral("reviewer"));
    form->addRow(tr("Reviewer:"), m_reviewer);
    m_notes = new QPlainTextEdit(side);
    m_notes->setMaximumHeight(70);
    form->addRow(tr("Notes:"), m_notes);
    sideLayout->addLayout(form);
    auto *signButtons = new QHBoxLayout;
    m_approve = new QPushButton(tr("Approve"), side);
    m_reject = new QPushButton(tr("Not Approved"), side);
    signButtons->addWidget(m_approve);
    signButtons->addWidget(m_reject);
    sideLayout->addLayout(signButtons);
    m_reviews = new QLabel(side);
    m_reviews->setWordWrap(true);
    sideLayout->addWidget(m_reviews);
    splitter->addWidget(m_view);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    splitter->setSizes({1000, 400});
    layout->addWidget(splitter, 1);

    connect(compareButton, &QPushButton::clicked, this, &CompareWindow::compare);
    // Point pairs belong to the two photos they were placed on.
    for (QComboBox *box : {m_before, m_after})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            m_pick->setChecked(false);
            m_view->clearPairs();
        });
    connect(firstLatest, &QPushButton::clicked, this, [this] {
        storage::PhotoLibrary photoLibrary(m_db);
        const auto chosen = photoLibrary.find(m_before->currentData().toLongLong());
        if (!chosen)
            return;
        if (const auto pair = clinic::firstAndLatest(m_db, m_clientId, chosen->view)) {
            m_before->setCurrentIndex(m_before->findData(qint64(pair->first)));
            m_after->setCurrentIndex(m_after->findData(qint64(pair->second)));
            compare();
        }
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_view->setMode(static_cast<ComparisonView::Mode>(index)); });
    connect(m_amount, &QSlider::valueChanged, this,
            [this](int v) { m_view->setAmount(v / 100.0); });
    connect(m_pick, &QPushButton::toggled, this, [this](bool on) {
        m_mode->setCurrentIndex(0);
        m_view->setPicking(on);
        m_status->setText(on ? tr("Click a point on the before photo (left), then the same point "
                                  "on the after photo (right). Three pairs are needed.")
                             : QString());
    });
    connect(m_view, &ComparisonView::pairsChanged, this, [this](int complete) {
        if (complete >= 3) {
            m_pick->setChecked(false);
            compare();
        }
    });
    connect(m_approve, &QPushButton::clicked, this, [this] { signOff(true); });
    connect(m_reject, &QPushButton::clicked, this, [this] { signOff(false); });
    m_approve->setEnabled(false);
    m_reject->setEnabled(false);
}

void CompareWindow::compare()
{
    const storage::RecordId a = m_before->currentData().toLongLong();
    const storage::RecordId b = m_after->currentData().toLongLong();
    if (!a || !b || a == b) {
        m_status->setText(tr("Choose two different photos."));
        return;
    }
    auto pairs = m_view->pairs(); // after a pick, align by hand
    auto result = std::make_shared<clinic::Comparison>();
    auto error = std::make_shared<QString>();
    followWithProgress(this, tr("Aligning the photos"),
                       compareInBackground({m_db.path(), m_db.actor()}, a, b, pairs, result, error),
                       [this, result, error] {
                           if (!error->isEmpty()) {
                               m_status->setText(tr("Not compared: %1").arg(*error));
                               return;
                           }
                           m_comparison = result;
                           showComparison();
                           emit compared();
                       });
}

void CompareWindow::showComparison()
{
    const clinic::Comparison &c = *m_comparison;
    m_view->setComparison(m_comparison);
    const vision::Alignment &al = c.alignment;
    if (!al.ok)
        m_status->setText(tr("<b>Not aligned:</b> %1. Align by three point pairs.")
                              .arg(QString::fromStdString(al.problem).toHtmlEscaped()));
    else
        m_status->setText(
            tr("Aligned (%1): the matched points differ by %2 px after alignment.%3")
                .arg(QString::fromStdString(al.method))
                .arg(al.residualPx, 0, 'f', 2)
                .arg(al.poor ? tr(" <b>Poor:</b> %1")
                                   .arg(QString::fromStdString(al.problem).toHtmlEscaped())
                             : QString()));
    m_table->setRowCount(0);
    if (al.ok) {
        const auto row = [this](const QString &name, const QString &area, double before,
                                double after) {
            const int r = m_table->rowCount();
            m_table->insertRow(r);
            m_table->setItem(r, 0, new QTableWidgetItem(name));
            const QLocale locale;
            const QString numbers[] = {area, locale.toString(100 * before, 'f', 1) + u'%',
                                       locale.toString(100 * after, 'f', 1) + u'%',
                                       clinic::coverageChangeText(before, after, locale)};
            for (int column = 1; column <= 4; ++column) {
                auto *item = new QTableWidgetItem(numbers[column - 1]);
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                m_table->setItem(r, column, item);
            }
        };
        row(tr("Treatment area"), QString(), c.coverageBefore, c.coverageAfter);
        for (const clinic::RegionChange &region : c.regions)
            row(QStringLiteral("%1 %2").arg(region.grade, region.location),
                region.areaCm2 ? QString::number(*region.areaCm2, 'f', 1) : QString(),
                region.coverageBefore, region.coverageAfter);
    }
    // The view's coverage over time.
    auto *chart = new QChart;
    auto *series = new QLineSeries;
    series->setName(tr("Hair coverage of the scalp, %"));
    for (const auto &[when, coverage] : c.timeline)
        series->append(static_cast<qreal>(when.toMSecsSinceEpoch()), coverage);
    series->setPointsVisible(true); // a timeline of a few visits: each one marked
    chart->addSeries(series);
    // Dates short enough to be read under a narrow chart ("3 Dec"; the full "2026-12-03" was
    // cut to "2026-1..."), or hours when every photo was taken on one day (timelineAxis()).
    auto *time = new QDateTimeAxis;
    if (const clinic::TimelineAxis axis = clinic::timelineAxis(c.timeline, QLocale());
        axis.from.isValid()) {
        time->setFormat(axis.format);
        time->setRange(axis.from, axis.to);
        time->setTickCount(axis.tickCount);
        time->setTitleText(axis.title);
    }
    auto *value = new QValueAxis;
    value->setRange(0, 100);
    value->setTickCount(5); // every 25 points
    value->setLabelFormat(QStringLiteral("%d"));
    // The series' name as the value axis's title, not a legend under the chart: the one line
    // saved goes to the plot, which the hour axis's title already shortens.
    value->setTitleText(tr("Hair coverage, %"));
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(value, Qt::AlignLeft);
    series->attachAxis(time);
    series->attachAxis(value);
    chart->legend()->hide();
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setMargins(QMargins(4, 4, 8, 4));
    static_cast<QChartView *>(m_chart)->setChart(chart);
    m_timelineNote->setText(c.timelineNote);
    m_timelineNote->setVisible(!c.timelineNote.isEmpty());
    m_approve->setEnabled(al.ok);
    m_reject->setEnabled(true);
    QStringList lines;
    for (const storage::PhotoReview &r : storage::ReviewStore(m_db).ofClient(m_clientId))
        if (r.beforePhotoId == c.before.id && r.afterPhotoId == c.after.id)
            lines << tr("%1: %2 by %3")
                         .arg(
                             r.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                             r.approved ? tr("approved") : tr("not approved"), r.reviewer);
    m_reviews->setText(lines.isEmpty() ? tr("Not reviewed yet.") : lines.join(QLatin1Char('\n')));
}

void CompareWindow::closeEvent(QCloseEvent *event)
{
    saveWindowGeometry(this, QStringLiteral("compare"));
    QWidget::closeEvent(event);
}

storage::RecordId CompareWindow::signOff(bool approved)
{
    if (!m_comparison)
        return 0;
    storage::PhotoReview review;
    review.beforePhotoId = m_comparison->before.id;
    review.afterPhotoId = m_comparison->after.id;
    review.reviewer = m_reviewer->text();
    review.approved = approved;
    review.notes = m_notes->toPlainText().trimmed();
    if (m_comparison->alignment.ok) {
        review.coverageBefore = m_comparison->coverageBefore;
        review.coverageAfter = m_comparison->coverageAfter;
        review.residualPx = m_comparison->alignment.residualPx;
    }
    try {
        const storage::RecordId id = storage::ReviewStore(m_db).add(review);
        showComparison();
        return id;
    } catch (const std::exception &error) {
        QMessageBox::warning(this, tr("Review Not Stored"), QString::fromUtf8(error.what()));
        return 0;
    }
}

} // namespace smp::gui
