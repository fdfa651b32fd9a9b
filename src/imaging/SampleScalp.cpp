#include "smp/imaging/SampleScalp.h"

#include <QPainter>
#include <QPainterPath>
#include <QRadialGradient>

#include <cmath>
#include <numbers>
#include <random>

namespace smp::imaging {

namespace {

// std::mt19937's output sequence is fixed by the standard (the distributions are not), so
// uniform numbers are made from its raw output to keep the drawing identical everywhere.
class Random
{
public:
    explicit Random(std::uint32_t seed)
        : m_engine(seed)
    {}
    double uniform() { return static_cast<double>(m_engine()) / 4294967296.0; }
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    // Approximately normal (sum of four uniforms), mean 0, standard deviation 1.
    double normal()
    {
        return (uniform() + uniform() + uniform() + uniform() - 2.0) * std::sqrt(3.0);
    }

private:
    std::mt19937 m_engine;
};

double smoothstep(double edge0, double edge1, double x)
{
    const double t = std::clamp((x - edge0) / (edge1 - edge0), 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

} // namespace

double sampleHairDensity(double u, double v, double lossSeverity)
{
    const double r = std::hypot(u, v);
    if (r > 1.0)
        return 0.0;
    // Vertex (crown) thinning: centred behind the middle of the head.
    const double vertex = 1.0 - smoothstep(0.18, 0.55, std::hypot(u * 1.1, (v - 0.28) * 1.2));
    // Frontal recession: deeper at the temples (an M-shaped hairline).
    const double hairlineV =
        -0.62 + 0.22 * lossSeverity * (1.0 - std::abs(u) * 1.6) - 0.18 * lossSeverity * std::abs(u);
    const double front = 1.0 - smoothstep(hairlineV - 0.10, hairlineV + 0.06, v);
    // Diffuse thinning on the top between the two.
    const double mid = 0.35 * (1.0 - smoothstep(0.0, 0.6, std::hypot(u * 1.3, v + 0.1)));
    const double loss = lossSeverity * std::max({vertex, front * 0.97, mid});
    return std::clamp(1.0 - loss, 0.0, 1.0);
}

QImage drawSampleScalp(const SampleScalpParameters &p)
{
    QImage image(p.widthPx, p.heightPx, QImage::Format_RGB32);
    Random random(p.seed);

    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing, true);

    // Backdrop: a neutral grey studio wall, lighter at the top.
    QLinearGradient backdrop(0, 0, 0, p.heightPx);
    backdrop.setColorAt(0.0, QColor(206, 210, 214));
    backdrop.setColorAt(1.0, QColor(160, 165, 172));
    painter.fillRect(image.rect(), backdrop);

    const QPointF centre(p.widthPx * 0.5, p.heightPx * 0.53);
    const double rx = p.widthPx * 0.30;
    const double ry = p.heightPx * 0.44;

    // Shoulders at the bottom edge, then the head: skin with soft top lighting.
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(70, 78, 92));
    painter.drawEllipse(QPointF(centre.x(), p.heightPx * 1.18), p.widthPx * 0.55, p.heightPx * 0.3);
    QRadialGradient skin(centre - QPointF(rx * 0.2, ry * 0.3), std::max(rx, ry) * 1.2);
    skin.setColorAt(0.0, QColor(236, 200, 176));
    skin.setColorAt(0.6, QColor(214, 170, 142));
    skin.setColorAt(1.0, QColor(160, 116, 92));
    painter.setBrush(skin);
    painter.drawEllipse(centre, rx, ry);
    // Ears.
    painter.setBrush(QColor(204, 156, 128));
    painter.drawEllipse(QPointF(centre.x() - rx * 1.02, centre.y() - ry * 0.05), rx * 0.09,
                        ry * 0.16);
    painter.drawEllipse(QPointF(centre.x() + rx * 1.02, centre.y() - ry * 0.05), rx * 0.09,
                        ry * 0.16);

    // Follicle-scale skin texture: faint pores.
    for (int i = 0; i < p.widthPx * p.heightPx / 400; ++i) {
        const double u = random.uniform(-1, 1);
        const double v = random.uniform(-1, 1);
        if (u * u + v * v > 1.0)
            continue;
        painter.setBrush(QColor(150, 105, 85, 40));
        painter.drawEllipse(QPointF(centre.x() + u * rx, centre.y() + v * ry), 1.2, 1.2);
    }

    // Hair strands: short, slightly curved, pointing away from the crown whorl.
    const QPointF whorl(centre.x() + rx * 0.05, centre.y() + ry * 0.28);
    const double headArea = std::numbers::pi * rx * ry;
    const int candidates = static_cast<int>(headArea * p.strandsPerPixel);
    for (int i = 0; i < candidates; ++i) {
        const double u = random.uniform(-1, 1);
        const double v = random.uniform(-1, 1);
        const double density = sampleHairDensity(u, v, p.lossSeverity);
        const double keep = random.uniform();
        const double shade = random.uniform();
        const double lengthJitter = random.normal();
        const double angleJitter = random.normal();
        const double bend = random.normal();
        const double width = random.uniform(1.1, 2.2);
        if (u * u + v * v > 0.985 || keep > density)
            continue;
        const QPointF root(centre.x() + u * rx, centre.y() + v * ry);
        const QPointF away = root - whorl;
        double angle = std::atan2(away.y(), away.x());
        // A slight clockwise swirl around the whorl, and combed forward at the front.
        angle += 0.5 + 0.25 * angleJitter;
        const double length = std::max(8.0, 26.0 + 7.0 * lengthJitter) * p.widthPx / 1600.0;
        const QPointF tip = root + QPointF(std::cos(angle), std::sin(angle)) * length;
        const QPointF normal(-std::sin(angle), std::cos(angle));
        const QPointF control = (root + tip) * 0.5 + normal * (bend * length * 0.15);
        QPainterPath strand(root);
        strand.quadTo(control, tip);
        const int base = 28 + static_cast<int>(shade * 40.0);
        painter.setPen(
            QPen(QColor(base + 18, base + 8, base, 235), width, Qt::SolidLine, Qt::RoundCap));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(strand);
    }
    painter.end();
    return image;
}

} // namespace smp::imaging
