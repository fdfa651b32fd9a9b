#include "smp/planning/PlanMetrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

namespace smp::planning {

namespace {

// Nearest-neighbour queries over a fixed set of points (bucketed by cells of `cellMm`).
class NearestIndex
{
public:
    NearestIndex(std::vector<PointMm> points, double cellMm)
        : m_points(std::move(points))
        , m_cell(cellMm)
    {
        if (m_points.empty())
            return;
        m_minX = m_maxX = m_points[0].x;
        m_minY = m_maxY = m_points[0].y;
        for (const PointMm &p : m_points) {
            m_minX = std::min(m_minX, p.x);
            m_maxX = std::max(m_maxX, p.x);
            m_minY = std::min(m_minY, p.y);
            m_maxY = std::max(m_maxY, p.y);
        }
        m_columns = static_cast<int>((m_maxX - m_minX) / m_cell) + 1;
        m_rows = static_cast<int>((m_maxY - m_minY) / m_cell) + 1;
        m_cells.resize(static_cast<std::size_t>(m_columns) * static_cast<std::size_t>(m_rows));
        for (std::size_t i = 0; i < m_points.size(); ++i)
            m_cells[cellOf(m_points[i])].push_back(static_cast<int>(i));
    }

    const std::vector<PointMm> &points() const { return m_points; }

    // Distance from point i to its nearest other point (infinity when alone).
    double nearest(std::size_t i) const
    {
        const PointMm p = m_points[i];
        const int cx = column(p.x), cy = row(p.y);
        double best = std::numeric_limits<double>::infinity();
        for (int ring = 0; ring <= std::max(m_columns, m_rows); ++ring) {
            // Everything within ring * cell has been seen once the ring is done.
            if (best <= (ring - 1) * m_cell)
                break;
            for (int y = cy - ring; y <= cy + ring; ++y)
                for (int x = cx - ring; x <= cx + ring; ++x) {
                    if (std::max(std::abs(x - cx), std::abs(y - cy)) != ring || x < 0 || y < 0 ||
                        x >= m_columns || y >= m_rows)
                        continue;
                    for (const int j : m_cells[static_cast<std::size_t>(y * m_columns + x)]) {
                        if (static_cast<std::size_t>(j) == i)
                            continue;
                        const PointMm q = m_points[static_cast<std::size_t>(j)];
                        best = std::min(best, std::hypot(q.x - p.x, q.y - p.y));
                    }
                }
        }
        return best;
    }

private:
    int column(double x) const { return static_cast<int>((x - m_minX) / m_cell); }
    int row(double y) const { return static_cast<int>((y - m_minY) / m_cell); }
    std::size_t cellOf(PointMm p) const
    {
        return static_cast<std::size_t>(row(p.y) * m_columns + column(p.x));
    }

    std::vector<PointMm> m_points;
    double m_cell;
    double m_minX = 0, m_maxX = 0, m_minY = 0, m_maxY = 0;
    int m_columns = 0, m_rows = 0;
    std::vector<std::vector<int>> m_cells;
};

// True when the target is above 0 all around p within `radius` (8 directions, 2 distances).
bool isInterior(const DensityFunction &target, PointMm p, double radius)
{
    if (p.x - radius < target.bounds.x || p.y - radius < target.bounds.y ||
        p.x + radius > target.bounds.x + target.bounds.width ||
        p.y + radius > target.bounds.y + target.bounds.height)
        return false;
    for (int i = 0; i < 8; ++i) {
        const double angle = i * std::numbers::pi / 4;
        for (const double r : {radius * 0.5, radius})
            if (!(target.dotsPerCm2({p.x + r * std::cos(angle), p.y + r * std::sin(angle)}) > 0))
                return false;
    }
    return true;
}

SpreadMetric measureSpread(const std::string &name, const std::vector<SampledDot> &dots,
                           const DensityFunction &target, int firstSession, int lastSession,
                           double share)
{
    SpreadMetric metric;
    metric.name = name;
    std::vector<PointMm> points;
    for (const SampledDot &dot : dots)
        if (dot.session >= firstSession && dot.session <= lastSession)
            points.push_back(dot.position);
    metric.dots = static_cast<int>(points.size());
    if (points.size() < 2)
        return metric;
    const double cell = meanSpacingMm(std::max(target.maxDotsPerCm2 * share, 1.0));
    const NearestIndex index(std::move(points), cell);
    double minimum = std::numeric_limits<double>::infinity(), sum = 0;
    for (std::size_t i = 0; i < index.points().size(); ++i) {
        const PointMm p = index.points()[i];
        const double density = target.dotsPerCm2(p) * share;
        if (!(density > 0))
            continue;
        const double spacing = meanSpacingMm(density);
        if (!isInterior(target, p, 3 * spacing))
            continue;
        const double normalised = index.nearest(i) / spacing;
        minimum = std::min(minimum, normalised);
        sum += normalised;
        ++metric.interiorDots;
    }
    if (metric.interiorDots > 0) {
        metric.minNormalisedNearest = minimum;
        metric.meanNormalisedNearest = sum / metric.interiorDots;
    }
    return metric;
}

} // namespace

PlanMetrics measurePlan(const std::vector<SampledDot> &dots, const DensityFunction &target,
                        const std::vector<double> &shares)
{
    PlanMetrics metrics;
    double total = 0;
    for (const double s : shares)
        total += s;
    metrics.spreads.push_back(measureSpread("all", dots, target, 1, 1 << 20, 1.0));
    const int sessions = static_cast<int>(shares.size());
    for (int k = 1; k <= sessions && sessions > 1; ++k)
        metrics.spreads.push_back(measureSpread("session " + std::to_string(k), dots, target, k, k,
                                                shares[static_cast<std::size_t>(k - 1)] / total));
    double cumulative = 0;
    for (int k = 1; k <= sessions; ++k) {
        cumulative += shares[static_cast<std::size_t>(k - 1)] / total;
        if (k >= 2 && k < sessions)
            metrics.spreads.push_back(
                measureSpread("sessions 1-" + std::to_string(k), dots, target, 1, k, cumulative));
    }

    // 1 cm2 cells, aligned to the bounds, whose target is the same (within 1%) all over.
    const RectMm &b = target.bounds;
    const int columns = static_cast<int>(b.width / 10.0);
    const int rows = static_cast<int>(b.height / 10.0);
    std::vector<int> counts(static_cast<std::size_t>(std::max(0, columns * rows)), 0);
    for (const SampledDot &dot : dots) {
        const int x = static_cast<int>(std::floor((dot.position.x - b.x) / 10.0));
        const int y = static_cast<int>(std::floor((dot.position.y - b.y) / 10.0));
        if (x >= 0 && y >= 0 && x < columns && y < rows)
            ++counts[static_cast<std::size_t>(y * columns + x)];
    }
    int within = 0;
    double errorSum = 0;
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < columns; ++x) {
            double low = std::numeric_limits<double>::infinity(), high = 0;
            for (int sy = 0; sy <= 10; ++sy)
                for (int sx = 0; sx <= 10; ++sx) {
                    const double d = target.dotsPerCm2(
                        {b.x + x * 10.0 + std::min(sx, 9) + (sx == 10 ? 0.99 : 0.0),
                         b.y + y * 10.0 + std::min(sy, 9) + (sy == 10 ? 0.99 : 0.0)});
                    low = std::min(low, d);
                    high = std::max(high, d);
                }
            if (!(low > 0) || high > low * 1.01)
                continue;
            const double expected = (low + high) / 2;
            const double error =
                std::abs(counts[static_cast<std::size_t>(y * columns + x)] - expected) / expected;
            ++metrics.cells;
            errorSum += error;
            metrics.worstCellDensityError = std::max(metrics.worstCellDensityError, error);
            within += error <= 0.03;
        }
    if (metrics.cells > 0) {
        metrics.meanCellDensityError = errorSum / metrics.cells;
        metrics.cellsWithin3Percent = static_cast<double>(within) / metrics.cells;
    }

    std::vector<PointMm> all;
    all.reserve(dots.size());
    for (const SampledDot &dot : dots)
        all.push_back(dot.position);
    metrics.minDistanceMm = std::numeric_limits<double>::infinity();
    if (all.size() >= 2) {
        const NearestIndex index(std::move(all),
                                 meanSpacingMm(std::max(target.maxDotsPerCm2, 1.0)));
        for (std::size_t i = 0; i < index.points().size(); ++i)
            metrics.minDistanceMm = std::min(metrics.minDistanceMm, index.nearest(i));
    } else {
        metrics.minDistanceMm = 0;
    }
    return metrics;
}

DensityFunction uniformTargetOver(const std::vector<SampledDot> &dots, double dotsPerCm2)
{
    DensityFunction target;
    if (dots.empty())
        return target;
    double minX = dots[0].position.x, maxX = minX, minY = dots[0].position.y, maxY = minY;
    for (const SampledDot &d : dots) {
        minX = std::min(minX, d.position.x);
        maxX = std::max(maxX, d.position.x);
        minY = std::min(minY, d.position.y);
        maxY = std::max(maxY, d.position.y);
    }
    const double reach = 1.5 * meanSpacingMm(dotsPerCm2);
    const auto columns = static_cast<int>(std::ceil(maxX - minX)) + 1;
    const auto rows = static_cast<int>(std::ceil(maxY - minY)) + 1;
    auto covered = std::make_shared<std::vector<char>>(
        static_cast<std::size_t>(columns) * static_cast<std::size_t>(rows), 0);
    const int r = static_cast<int>(std::ceil(reach));
    for (const SampledDot &d : dots) {
        const int cx = static_cast<int>(d.position.x - minX),
                  cy = static_cast<int>(d.position.y - minY);
        for (int y = std::max(0, cy - r); y <= std::min(rows - 1, cy + r); ++y)
            for (int x = std::max(0, cx - r); x <= std::min(columns - 1, cx + r); ++x)
                if (std::hypot(minX + x + 0.5 - d.position.x, minY + y + 0.5 - d.position.y) <=
                    reach)
                    (*covered)[static_cast<std::size_t>(y * columns + x)] = 1;
    }
    target.bounds = {minX, minY, static_cast<double>(columns), static_cast<double>(rows)};
    target.maxDotsPerCm2 = dotsPerCm2;
    target.dotsPerCm2 = [covered, minX, minY, columns, rows, dotsPerCm2](PointMm p) {
        const int x = static_cast<int>(std::floor(p.x - minX));
        const int y = static_cast<int>(std::floor(p.y - minY));
        if (x < 0 || y < 0 || x >= columns || y >= rows)
            return 0.0;
        return (*covered)[static_cast<std::size_t>(y * columns + x)] ? dotsPerCm2 : 0.0;
    };
    return target;
}

} // namespace smp::planning
