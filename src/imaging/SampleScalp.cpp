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

// lightingGain() with the picture's diagonal (px) worked out once by the caller.
double gainAt(double lightingGradient, double diagonal, int x, int y)
{
    return 1.0 + lightingGradient * (0.5 - std::hypot(x, y) / diagonal);
}

} // namespace

double sampleHairDensity(double u, double v, double lossSeverity, LossPattern pattern)
{
    const double r = std::hypot(u, v);
    if (r > 1.0)
        return 0.0;
    if (pattern == LossPattern::Diffuse) {
        const double top = 1.0 - smoothstep(0.2, 0.85, std::hypot(u * 1.1, (v + 0.05) * 1.0));
        return std::clamp(1.0 - lossSeverity * 0.75 * top, 0.0, 1.0);
    }
    // Frontal recession: deeper at the temples (an M-shaped hairline).
    const double hairlineV =
        -0.62 + 0.22 * lossSeverity * (1.0 - std::abs(u) * 1.6) - 0.18 * lossSeverity * std::abs(u);
    const double front = 1.0 - smoothstep(hairlineV - 0.10, hairlineV + 0.06, v);
    if (pattern == LossPattern::Receding)
        return std::clamp(1.0 - lossSeverity * front, 0.0, 1.0);
    // Vertex (crown) thinning: centred behind the middle of the head.
    const double vertex = 1.0 - smoothstep(0.18, 0.55, std::hypot(u * 1.1, (v - 0.28) * 1.2));
    // Diffuse thinning on the top between the two.
    const double mid = 0.35 * (1.0 - smoothstep(0.0, 0.6, std::hypot(u * 1.3, v + 0.1)));
    const double loss = lossSeverity * std::max({vertex, front * 0.97, mid});
    return std::clamp(1.0 - loss, 0.0, 1.0);
}

ScalpPhantom drawScalpPhantom(const SampleScalpParameters &p)
{
    ScalpPhantom phantom;
    phantom.photo = QImage(p.widthPx, p.heightPx, QImage::Format_RGB32);
    phantom.hairMask = QImage(p.widthPx, p.heightPx, QImage::Format_Grayscale8);
    phantom.hairMask.fill(0);
    phantom.headMask = QImage(p.widthPx, p.heightPx, QImage::Format_Grayscale8);
    phantom.headMask.fill(0);
    Random random(p.seed);

    QPainter painter(&phantom.photo);
    painter.setRenderHint(QPainter::Antialiasing, true);
    QPainter mask(&phantom.hairMask);
    mask.setRenderHint(QPainter::Antialiasing, true);

    // Backdrop: a neutral grey studio wall, lighter at the top.
    QLinearGradient backdrop(0, 0, 0, p.heightPx);
    backdrop.setColorAt(0.0, QColor(206, 210, 214));
    backdrop.setColorAt(1.0, QColor(160, 165, 172));
    painter.fillRect(phantom.photo.rect(), backdrop);

    const QPointF centre(p.widthPx * 0.5, p.heightPx * 0.53);
    const double rx = p.widthPx * 0.30;
    const double ry = p.heightPx * 0.44;

    // Shoulders at the bottom edge, then the head: skin with soft top lighting.
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(70, 78, 92));
    painter.drawEllipse(QPointF(centre.x(), p.heightPx * 1.18), p.widthPx * 0.55, p.heightPx * 0.3);
    const QPointF shadingCentre = centre - QPointF(rx * 0.2, ry * 0.3);
    const double shadingRadius = std::max(rx, ry) * 1.2;
    QRadialGradient skin(shadingCentre, shadingRadius);
    skin.setColorAt(0.0, p.skin.lighter(110));
    skin.setColorAt(0.6, p.skin);
    skin.setColorAt(1.0, p.skin.darker(135));
    // The same shading as a gain, for the hair on the head when `shadeHairWithHead`: 1.1 at the
    // centre, 1 at 0.6 of the radius, 1 / 1.35 at the rim (as QColor::lighter() and darker()
    // scale the colour).
    const auto shadingGain = [&](QPointF at) {
        if (!p.shadeHairWithHead)
            return 1.0;
        const double t =
            std::hypot(at.x() - shadingCentre.x(), at.y() - shadingCentre.y()) / shadingRadius;
        return t < 0.6 ? 1.1 - (0.1 * t / 0.6)
                       : 1.0 + (1.0 / 1.35 - 1.0) * std::min(1.0, (t - 0.6) / 0.4);
    };
    painter.setBrush(skin);
    painter.drawEllipse(centre, rx, ry);
    {
        QPainter head(&phantom.headMask);
        head.setRenderHint(QPainter::Antialiasing, true);
        head.setPen(Qt::NoPen);
        head.setBrush(Qt::white);
        head.drawEllipse(centre, rx, ry);
    }
    // Ears.
    painter.setBrush(p.skin.darker(105));
    painter.drawEllipse(QPointF(centre.x() - rx * 1.02, centre.y() - ry * 0.05), rx * 0.09,
                        ry * 0.16);
    painter.drawEllipse(QPointF(centre.x() + rx * 1.02, centre.y() - ry * 0.05), rx * 0.09,
                        ry * 0.16);

    if (p.shine > 0) {
        QRadialGradient highlight(centre - QPointF(rx * 0.25, ry * 0.3), std::max(rx, ry) * 0.55);
        highlight.setColorAt(0.0, QColor(255, 255, 255, static_cast<int>(255 * p.shine)));
        highlight.setColorAt(1.0, QColor(255, 255, 255, 0));
        painter.setBrush(highlight);
        painter.drawEllipse(centre, rx, ry);
    }

    // Follicle-scale skin texture: faint pores.
    const QColor pore =
        QColor(p.skin.darker(140).red(), p.skin.darker(140).green(), p.skin.darker(140).blue(), 40);
    for (int i = 0; i < p.widthPx * p.heightPx / 400; ++i) {
        const double u = random.uniform(-1, 1);
        const double v = random.uniform(-1, 1);
        if (u * u + v * v > 1.0)
            continue;
        painter.setBrush(pore);
        painter.drawEllipse(QPointF(centre.x() + u * rx, centre.y() + v * ry), 1.2, 1.2);
    }

    // Hair strands: short, slightly curved, pointing away from the crown whorl.
    const QPointF whorl(centre.x() + rx * 0.05, centre.y() + ry * 0.28);
    const double headArea = std::numbers::pi * rx * ry;
    const int candidates = static_cast<int>(headArea * p.strandsPerPixel);
    mask.setBrush(Qt::NoBrush);
    for (int i = 0; i < candidates; ++i) {
        const double u = random.uniform(-1, 1);
        const double v = random.uniform(-1, 1);
        const double density = sampleHairDensity(u, v, p.lossSeverity, p.pattern);
        const double keep = random.uniform();
        const double shade = random.uniform();
        const double lengthJitter = random.normal();
        const double angleJitter = random.normal();
        const double bend = random.normal();
        const double width = random.uniform(1.1, 2.2) * p.widthPx / 1600.0;
        if (u * u + v * v > 0.985 || keep > density)
            continue;
        const QPointF root(centre.x() + u * rx, centre.y() + v * ry);
        const QPointF away = root - whorl;
        double angle = std::atan2(away.y(), away.x());
        // A slight clockwise swirl around the whorl.
        angle += 0.5 + 0.25 * angleJitter;
        const double length = std::max(8.0, 26.0 + 7.0 * lengthJitter) * p.widthPx / 1600.0;
        const QPointF tip = root + QPointF(std::cos(angle), std::sin(angle)) * length;
        const QPointF normal(-std::sin(angle), std::cos(angle));
        const QPointF control = (root + tip) * 0.5 + normal * (bend * length * 0.15);
        QPainterPath strand(root);
        strand.quadTo(control, tip);
        // Shade varies around the hair colour: +-20% lightness; the head's shading at the
        // strand's middle.
        const bool grey = p.greyStrandShare > 0 && random.uniform() < p.greyStrandShare;
        const QColor colour =
            (grey ? p.greyHair : p.hair).lighter(static_cast<int>(85 + shade * 40));
        const double gain = shadingGain(control);
        const auto shaded = [gain](int channel) {
            return std::clamp(static_cast<int>(std::lround(channel * gain)), 0, 255);
        };
        painter.setPen(QPen(QColor(shaded(colour.red()), shaded(colour.green()),
                                   shaded(colour.blue()), kStrandOpacity),
                            width, Qt::SolidLine, Qt::RoundCap));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(strand);
        mask.setPen(QPen(Qt::white, width, Qt::SolidLine, Qt::RoundCap));
        mask.drawPath(strand);
    }
    painter.end();
    mask.end();

    // Uneven lighting: brightness falls off linearly from the top-left corner.
    if (p.lightingGradient > 0) {
        const double diagonal = std::hypot(p.widthPx, p.heightPx);
        for (int y = 0; y < p.heightPx; ++y) {
            auto *line = reinterpret_cast<QRgb *>(phantom.photo.scanLine(y));
            for (int x = 0; x < p.widthPx; ++x) {
                const double gain = gainAt(p.lightingGradient, diagonal, x, y);
                line[x] = qRgb(std::clamp(static_cast<int>(qRed(line[x]) * gain), 0, 255),
                               std::clamp(static_cast<int>(qGreen(line[x]) * gain), 0, 255),
                               std::clamp(static_cast<int>(qBlue(line[x]) * gain), 0, 255));
            }
        }
    }
    return phantom;
}

double lightingGain(const SampleScalpParameters &parameters, int x, int y)
{
    return gainAt(parameters.lightingGradient, std::hypot(parameters.widthPx, parameters.heightPx),
                  x, y);
}

QImage drawSampleScalp(const SampleScalpParameters &parameters)
{
    return drawScalpPhantom(parameters).photo;
}

} // namespace smp::imaging
