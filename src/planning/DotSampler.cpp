#include "smp/planning/DotSampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <stdexcept>

namespace smp::planning {

namespace {

struct SpacingFactors
{
    double all; // any two dots: the whole map's density
    double run; // dots of two sessions: the density of sessions 1..the later one
    double own; // dots of one session: that session's density
};
// Darts are placed with loose factors (so every quota can be met), then relaxed apart to the firm
// ones, which sit above the quality floors (0.70 for the map, 0.60 for sessions and runs).
constexpr SpacingFactors kPlacing{0.62, 0.54, 0.52};
// The few blocks whose quota the darts cannot meet at kPlacing (many sessions, tight spacing) get
// passes at these, looser factors; the relaxation and repair then move their dots apart.
constexpr SpacingFactors kPlacingLast{0.50, 0.42, 0.40};
constexpr int kLastPasses = 50;
constexpr SpacingFactors kRelaxed{0.78, 0.67, 0.65};
constexpr int kRelaxIterations = 5;
// The quality floors with a little room; the dots still closer than these after the relaxation
// are moved apart one by one (repair) to kRepairedTo.
constexpr SpacingFactors kFloor{0.71, 0.61, 0.61};
constexpr SpacingFactors kRepairedTo{0.74, 0.64, 0.63};
constexpr int kRepairRounds = 30;
constexpr int kRethrowDarts = 200;
// Below this density the spacing is taken at this density (keeps search windows bounded).
constexpr double kRadiusFloorDotsPerCm2 = 1.0;

// SplitMix64: a small, fully specified generator, so a seed gives the same plan everywhere.
class Random
{
public:
    explicit Random(std::uint64_t seed)
        : m_state(seed)
    {}
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t m_state;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b)
{
    Random r(a * 0x100000001B3ull ^ b);
    return r.next();
}

// Dot indices bucketed by square cells over the bounds: a list head per cell and a link per dot
// (no allocation per cell, so a grid is cheap to build again). Indices are those of the dot
// vector the caller keeps; `clear` empties the grid for re-use.
class Grid
{
public:
    Grid(const RectMm &bounds, double cellMm)
        : m_bounds(bounds)
        , m_cell(cellMm)
        , m_columns(std::max(1, static_cast<int>(std::ceil(bounds.width / cellMm))))
        , m_rows(std::max(1, static_cast<int>(std::ceil(bounds.height / cellMm))))
        , m_head(static_cast<std::size_t>(m_columns) * static_cast<std::size_t>(m_rows), -1)
    {}

    void clear()
    {
        std::fill(m_head.begin(), m_head.end(), -1);
        m_next.clear();
    }

    void add(int index, PointMm p)
    {
        const auto i = static_cast<std::size_t>(index);
        if (m_next.size() <= i)
            m_next.resize(std::max(i + 1, m_next.size() * 2), -1);
        int &head = m_head[cellOf(p)];
        m_next[i] = head;
        head = index;
    }

    // Moves dot `index` from the cell of `from` to the cell of `to`.
    void move(int index, PointMm from, PointMm to)
    {
        const std::size_t a = cellOf(from), b = cellOf(to);
        if (a == b)
            return;
        for (int *link = &m_head[a]; *link >= 0; link = &m_next[static_cast<std::size_t>(*link)])
            if (*link == index) {
                *link = m_next[static_cast<std::size_t>(index)];
                break;
            }
        m_next[static_cast<std::size_t>(index)] = m_head[b];
        m_head[b] = index;
    }

    // Calls visit(index) for each dot in the cells within `radius` of p (a superset of the dots
    // within radius).
    template <typename Visit> void forEachNear(PointMm p, double radius, Visit &&visit) const
    {
        const int reach = static_cast<int>(std::ceil(radius / m_cell));
        const int cx = column(p.x), cy = row(p.y);
        const int y1 = std::min(m_rows - 1, cy + reach), x1 = std::min(m_columns - 1, cx + reach);
        for (int y = std::max(0, cy - reach); y <= y1; ++y)
            for (int x = std::max(0, cx - reach); x <= x1; ++x)
                for (int i = m_head[static_cast<std::size_t>(y * m_columns + x)]; i >= 0;
                     i = m_next[static_cast<std::size_t>(i)])
                    visit(i);
    }

    // True when no dot of the grid lies closer to p than radius.
    bool isClear(PointMm p, double radius, const std::vector<SampledDot> &dots) const
    {
        const int reach = static_cast<int>(std::ceil(radius / m_cell));
        const int cx = column(p.x), cy = row(p.y);
        const double r2 = radius * radius;
        const int y1 = std::min(m_rows - 1, cy + reach), x1 = std::min(m_columns - 1, cx + reach);
        for (int y = std::max(0, cy - reach); y <= y1; ++y)
            for (int x = std::max(0, cx - reach); x <= x1; ++x)
                for (int i = m_head[static_cast<std::size_t>(y * m_columns + x)]; i >= 0;
                     i = m_next[static_cast<std::size_t>(i)]) {
                    const PointMm q = dots[static_cast<std::size_t>(i)].position;
                    const double dx = q.x - p.x, dy = q.y - p.y;
                    if (dx * dx + dy * dy < r2)
                        return false;
                }
        return true;
    }

private:
    int column(double x) const
    {
        return std::clamp(static_cast<int>((x - m_bounds.x) / m_cell), 0, m_columns - 1);
    }
    int row(double y) const
    {
        return std::clamp(static_cast<int>((y - m_bounds.y) / m_cell), 0, m_rows - 1);
    }
    std::size_t cellOf(PointMm p) const
    {
        return static_cast<std::size_t>(row(p.y) * m_columns + column(p.x));
    }

    RectMm m_bounds;
    double m_cell;
    int m_columns;
    int m_rows;
    std::vector<int> m_head;
    std::vector<int> m_next;
};

double spacingAt(double dotsPerCm2)
{
    return meanSpacingMm(std::max(dotsPerCm2, kRadiusFloorDotsPerCm2));
}

// Fills blocks of kBlockMm square with their share of dots, session by session, by dart throwing
// against per-session grids. Each block has an integer quota per session (the target integrated
// over the block, with the rounding carried from block to block, so counts over any area follow
// the target closely); a dart is offered to the session furthest behind its quota in its block and
// kept when it respects the spacing rules below.
class MultiClassSampler
{
public:
    MultiClassSampler(const DensityFunction &density, const SamplerOptions &options,
                      std::vector<SampledDot> kept, const RectMm *region)
        : m_density(density)
        , m_options(options)
        , m_region(region)
        , m_dots(std::move(kept))
    {
        if (options.shares.empty())
            throw std::invalid_argument("sampleDots: no sessions");
        double total = 0;
        for (const double share : options.shares) {
            if (!(share > 0))
                throw std::invalid_argument("sampleDots: a session's share must be above 0");
            total += share;
        }
        double cumulative = 0;
        for (const double share : options.shares) {
            m_shares.push_back(share / total);
            cumulative += share / total;
            m_cumulativeShares.push_back(cumulative);
        }
        m_sessions = static_cast<int>(m_shares.size());
        const double maxDensity = std::max(density.maxDotsPerCm2, 1.0);
        for (int k = 0; k < m_sessions; ++k)
            m_grids.emplace_back(density.bounds,
                                 radius(k, k, maxDensity, kPlacing) / std::sqrt(2.0));
        for (std::size_t i = 0; i < m_dots.size(); ++i)
            grid(m_dots[i].session - 1).add(static_cast<int>(i), m_dots[i].position);
        m_keptCount = m_dots.size();
        if (m_keptCount > 0) {
            m_keptGrid = std::make_unique<Grid>(density.bounds,
                                                radius(0, m_sessions - 1, maxDensity, kRelaxed));
            for (std::size_t i = 0; i < m_keptCount; ++i)
                m_keptGrid->add(static_cast<int>(i), m_dots[i].position);
        }
    }

    std::vector<SampledDot> run()
    {
        const RectMm &b = m_density.bounds;
        const int columns = std::max(1, static_cast<int>(std::ceil(b.width / kBlockMm)));
        const int rows = std::max(1, static_cast<int>(std::ceil(b.height / kBlockMm)));
        const auto sessions = static_cast<std::size_t>(m_sessions);
        // Quotas. The total of each block is rounded with the rounding carried from block to
        // block in cell-major order (1 cm cells, serpentine through the cells and through the
        // blocks of each cell), so every 1 cm2 cell holds its target to within one dot; the total
        // is then dealt to the sessions furthest behind their share, carried the same way.
        std::vector<int> &quota = m_quota;
        quota.assign(static_cast<std::size_t>(columns * rows) * sessions, 0);
        double carriedTotal = 0;
        std::vector<double> owed(sessions, 0.0);
        const int cellColumns = (columns + kBlocksPerCell - 1) / kBlocksPerCell;
        const int cellRows = (rows + kBlocksPerCell - 1) / kBlocksPerCell;
        for (int cy = 0; cy < cellRows; ++cy)
            for (int ci = 0; ci < cellColumns; ++ci) {
                const int cx = (cy % 2) ? cellColumns - 1 - ci : ci;
                for (int by = 0; by < kBlocksPerCell; ++by)
                    for (int bi = 0; bi < kBlocksPerCell; ++bi) {
                        const int x =
                            cx * kBlocksPerCell + ((by % 2) ? kBlocksPerCell - 1 - bi : bi);
                        const int y = cy * kBlocksPerCell + by;
                        if (x >= columns || y >= rows)
                            continue;
                        const double expected = expectedDots(x, y);
                        const double want = expected + carriedTotal;
                        const auto n = static_cast<int>(std::floor(want + 0.5));
                        carriedTotal = want - n;
                        for (std::size_t k = 0; k < sessions; ++k)
                            owed[k] += expected * m_shares[k];
                        const auto base = static_cast<std::size_t>(y * columns + x) * sessions;
                        for (int dot = 0; dot < n; ++dot) {
                            const auto k = static_cast<std::size_t>(
                                std::max_element(owed.begin(), owed.end()) - owed.begin());
                            owed[k] -= 1;
                            ++quota[base + k];
                        }
                    }
            }
        // Kept dots (outside an edited region) count towards their blocks.
        std::vector<int> count(quota.size(), 0);
        for (const SampledDot &dot : m_dots)
            ++count[blockOf(dot.position, columns, rows) * sessions +
                    static_cast<std::size_t>(dot.session - 1)];
        // Blocks in a random order, a few darts each, pass after pass until every quota is met
        // or the darts stop landing.
        std::vector<int> open;
        const RectMm area = m_region ? *m_region : b;
        for (int y = 0; y < rows; ++y)
            for (int x = 0; x < columns; ++x) {
                const RectMm block{b.x + x * kBlockMm, b.y + y * kBlockMm, kBlockMm, kBlockMm};
                if (block.x + block.width <= area.x || block.y + block.height <= area.y ||
                    block.x >= area.x + area.width || block.y >= area.y + area.height)
                    continue;
                open.push_back(y * columns + x);
            }
        Random random(m_options.seed);
        const std::size_t blocksToFill = open.size();
        for (int pass = 0; pass < kMaxPasses + kLastPasses && !open.empty(); ++pass) {
            const SpacingFactors &placing = pass < kMaxPasses ? kPlacing : kPlacingLast;
            // Most of the dots land in the first passes: report them as 80% of the work.
            report(0.8 * (1.0 - static_cast<double>(open.size()) /
                                    static_cast<double>(std::max<std::size_t>(1, blocksToFill))));
            for (std::size_t i = open.size(); i > 1; --i)
                std::swap(open[i - 1], open[random.below(i)]);
            std::vector<int> stillOpen;
            for (const int blockIndex : open) {
                const auto base = static_cast<std::size_t>(blockIndex) * sessions;
                const RectMm block{b.x + (blockIndex % columns) * kBlockMm,
                                   b.y + (blockIndex / columns) * kBlockMm, kBlockMm, kBlockMm};
                for (int dart = 0; dart < kDartsPerVisit; ++dart) {
                    // The sparsest session still behind its quota in this block: its dots
                    // are the hardest to place, so they go first.
                    int session = -1;
                    for (std::size_t k = sessions; k-- > 0;)
                        if (count[base + k] < quota[base + k]) {
                            session = static_cast<int>(k);
                            break;
                        }
                    if (session < 0)
                        break;
                    const PointMm p{block.x + random.uniform() * kBlockMm,
                                    block.y + random.uniform() * kBlockMm};
                    tryAdd(p, session, placing, count, columns, rows);
                }
                bool full = true;
                for (std::size_t k = 0; k < sessions; ++k)
                    full = full && count[base + k] >= quota[base + k];
                if (!full)
                    stillOpen.push_back(blockIndex);
            }
            open = std::move(stillOpen);
        }
        findFixedCells();
        relax();
        report(0.97);
        repair();
        return std::move(m_dots);
    }

private:
    void report(double done) const
    {
        if (m_options.progress && !m_options.progress(done))
            throw Cancelled();
    }

    // Moves each new dot that is closer to another than the floors allow away from it, round
    // after round over the dots still too close (few, so this is cheap).
    void repair()
    {
        const double maxDensity = std::max(m_density.maxDotsPerCm2, 1.0);
        Grid grid(m_density.bounds, kFloor.all * spacingAt(maxDensity));
        for (std::size_t i = 0; i < m_dots.size(); ++i)
            grid.add(static_cast<int>(i), m_dots[i].position);
        std::vector<std::size_t> close;
        for (std::size_t i = m_keptCount; i < m_dots.size(); ++i)
            close.push_back(i);
        for (int round = 0; round < kRepairRounds && !close.empty(); ++round) {
            std::vector<std::size_t> stillClose;
            bool moved = false;
            for (const std::size_t i : close) {
                const SampledDot &dot = m_dots[i];
                // Where the dot is now: the target can change fast (the hairline's edge).
                const double density = m_density.dotsPerCm2(dot.position);
                const int a = dot.session - 1;
                double reach = 0;
                for (int b = 0; b < m_sessions; ++b)
                    reach = std::max(reach, radius(a, b, density, kRepairedTo));
                PointMm push{0, 0};
                bool tooClose = false;
                grid.forEachNear(dot.position, reach, [&](int j) {
                    const SampledDot &other = m_dots[static_cast<std::size_t>(j)];
                    const double dx = dot.position.x - other.position.x;
                    const double dy = dot.position.y - other.position.y;
                    const double d2 = dx * dx + dy * dy;
                    if (static_cast<std::size_t>(j) == i || d2 <= 1e-18)
                        return;
                    // Measured as the metrics do: against the spacing at this dot.
                    const double floor = radius(a, other.session - 1, density, kFloor);
                    if (d2 >= floor * floor)
                        return;
                    tooClose = true;
                    const double d = std::sqrt(d2);
                    const double target = radius(a, other.session - 1, density, kRepairedTo);
                    push.x += dx / d * (target - d);
                    push.y += dy / d * (target - d);
                });
                if (!tooClose)
                    continue;
                stillClose.push_back(i);
                // Small steps: a long jump would land among other dots.
                const double length = std::sqrt(push.x * push.x + push.y * push.y);
                const double longest = 0.25 * spacingAt(density);
                if (length > longest) {
                    push.x *= longest / length;
                    push.y *= longest / length;
                }
                // A dot at its cell's side slides along it instead of crossing it.
                const PointMm to =
                    insideCellOf(dot.position, {dot.position.x + push.x, dot.position.y + push.y});
                if (mayMove(dot.position, to)) {
                    grid.move(static_cast<int>(i), dot.position, to);
                    m_dots[i].position = to;
                    moved = true;
                    // Its new neighbours see it from their own density: look at them again.
                    grid.forEachNear(to, reach, [&](int j) {
                        if (static_cast<std::size_t>(j) >= m_keptCount)
                            stillClose.push_back(static_cast<std::size_t>(j));
                    });
                }
            }
            if (!moved)
                break; // the rest are held where they are (at the area's edge)
            std::sort(stillClose.begin(), stillClose.end());
            stillClose.erase(std::unique(stillClose.begin(), stillClose.end()), stillClose.end());
            close = std::move(stillClose);
        }
        // What pushing cannot untangle (a few dots jammed together) is re-thrown: each dot still
        // too close tries darts within a spacing of where it is and takes the first that keeps
        // the floors with every neighbour, seen from both dots.
        Random random(mix(m_options.seed, 0x7265706169ull));
        for (const std::size_t i : close) {
            const SampledDot dot = m_dots[i];
            const double here = m_density.dotsPerCm2(dot.position);
            if (!isTooClose(grid, i, dot.position, here))
                continue;
            const double spacing = spacingAt(here);
            for (int dart = 0; dart < kRethrowDarts; ++dart) {
                const double angle = 2 * std::numbers::pi * random.uniform();
                const double distance = spacing * std::sqrt(random.uniform());
                const PointMm to{dot.position.x + distance * std::cos(angle),
                                 dot.position.y + distance * std::sin(angle)};
                if (!mayMove(dot.position, to))
                    continue;
                const double there = m_density.dotsPerCm2(to);
                if (isTooClose(grid, i, to, there))
                    continue;
                grid.move(static_cast<int>(i), dot.position, to);
                m_dots[i].position = to;
                break;
            }
        }
    }

    // True when dot i placed at p (target `density` there) would be closer to another dot than
    // the floors allow, from its own view or the other's.
    bool isTooClose(const Grid &grid, std::size_t i, PointMm p, double density) const
    {
        const int a = m_dots[i].session - 1;
        double reach = 0;
        for (int b = 0; b < m_sessions; ++b)
            reach = std::max(reach, radius(a, b, density / 2, kFloor));
        bool tooClose = false;
        grid.forEachNear(p, reach, [&](int j) {
            if (tooClose || static_cast<std::size_t>(j) == i)
                return;
            const SampledDot &other = m_dots[static_cast<std::size_t>(j)];
            const double lower = std::min(density, m_density.dotsPerCm2(other.position));
            const double floor = radius(a, other.session - 1, lower, kFloor);
            const double dx = p.x - other.position.x, dy = p.y - other.position.y;
            tooClose = dx * dx + dy * dy < floor * floor;
        });
        return tooClose;
    }

    // Moves the new dots apart until every pair keeps the firm spacing (kRelaxed), a few
    // iterations of pairwise projection; a dot never moves to where the target is 0, and kept
    // dots (outside an edited region) never move. Moves are a fraction of a spacing, so counts per
    // block stay as placed and the pattern stays random.
    void relax()
    {
        const double maxDensity = std::max(m_density.maxDotsPerCm2, 1.0);
        const double cell = kRelaxed.all * spacingAt(maxDensity);
        // The target at each dot, taken where it was placed (moves are a fraction of a spacing).
        std::vector<double> densityAt(m_dots.size());
        for (std::size_t i = 0; i < m_dots.size(); ++i)
            densityAt[i] = m_density.dotsPerCm2(m_dots[i].position);
        Grid grid(m_density.bounds, cell);
        for (int iteration = 0; iteration < kRelaxIterations; ++iteration) {
            report(0.8 + 0.17 * iteration / kRelaxIterations);
            grid.clear();
            for (std::size_t i = 0; i < m_dots.size(); ++i)
                grid.add(static_cast<int>(i), m_dots[i].position);
            int violations = 0;
            std::vector<double> wanted(static_cast<std::size_t>(m_sessions));
            for (std::size_t i = m_keptCount; i < m_dots.size(); ++i) {
                const SampledDot &dot = m_dots[i];
                const int a = dot.session - 1;
                double reach = 0;
                for (int b = 0; b < m_sessions; ++b) {
                    wanted[static_cast<std::size_t>(b)] = radius(a, b, densityAt[i], kRelaxed);
                    reach = std::max(reach, wanted[static_cast<std::size_t>(b)]);
                }
                PointMm push{0, 0};
                grid.forEachNear(dot.position, reach, [&](int j) {
                    const SampledDot &other = m_dots[static_cast<std::size_t>(j)];
                    const double w = wanted[static_cast<std::size_t>(other.session - 1)];
                    const double dx = dot.position.x - other.position.x;
                    const double dy = dot.position.y - other.position.y;
                    const double d2 = dx * dx + dy * dy;
                    if (d2 >= w * w || static_cast<std::size_t>(j) == i || d2 <= 1e-18)
                        return;
                    const double d = std::sqrt(d2);
                    ++violations;
                    // Half the overlap each (all of it when the other dot may not move).
                    const double share = static_cast<std::size_t>(j) < m_keptCount ? 1.0 : 0.5;
                    push.x += dx / d * (w - d) * share;
                    push.y += dy / d * (w - d) * share;
                });
                // Gauss-Seidel: the dot moves at once, so its neighbours see where it went.
                if (push.x == 0 && push.y == 0)
                    continue;
                const PointMm moved =
                    insideCellOf(dot.position, {dot.position.x + push.x, dot.position.y + push.y});
                if (mayMove(dot.position, moved)) {
                    grid.move(static_cast<int>(i), dot.position, moved);
                    m_dots[i].position = moved;
                }
            }
            if (violations == 0)
                break;
        }
    }

    // The least distance (mm) between a dot of session a and one of session b (0-based) where the
    // target is `density` (Wei 2010's matrix of radii): f.all times the whole map's spacing, and
    // for one session f.own times its own spacing, for two sessions f.run times the spacing of
    // sessions 1..the later one.
    double radius(int a, int b, double density, const SpacingFactors &f) const
    {
        double r = f.all * spacingAt(density);
        if (a == b)
            r = std::max(r, f.own * spacingAt(density * m_shares[static_cast<std::size_t>(a)]));
        else
            r = std::max(
                r, f.run * spacingAt(density *
                                     m_cumulativeShares[static_cast<std::size_t>(std::max(a, b))]));
        return r;
    }

    Grid &grid(int session) { return m_grids[static_cast<std::size_t>(session)]; }

    double expectedDots(int x, int y) const
    {
        // The target integrated over the block on a 4 x 4 grid of samples; dots per mm2 x mm2.
        const RectMm &b = m_density.bounds;
        double sum = 0;
        for (int sy = 0; sy < 4; ++sy)
            for (int sx = 0; sx < 4; ++sx) {
                const PointMm p{b.x + (x + (sx + 0.5) / 4) * kBlockMm,
                                b.y + (y + (sy + 0.5) / 4) * kBlockMm};
                if (b.contains(p))
                    sum += std::max(0.0, m_density.dotsPerCm2(p));
            }
        return sum / 16 / 100.0 * kBlockMm * kBlockMm;
    }

    std::size_t blockOf(PointMm p, int columns, int rows) const
    {
        const RectMm &b = m_density.bounds;
        const int x = std::clamp(static_cast<int>((p.x - b.x) / kBlockMm), 0, columns - 1);
        const int y = std::clamp(static_cast<int>((p.y - b.y) / kBlockMm), 0, rows - 1);
        return static_cast<std::size_t>(y * columns + x);
    }

    // The 1 cm cells of the bounds (as PlanMetrics counts them) whose target is the same all over
    // (within 1%): the quotas give each its target to the dot, so their dots never leave them.
    // In the other cells (edges, the hairline's zone) dots move freely with the target.
    void findFixedCells()
    {
        const RectMm &r = m_density.bounds;
        m_cellColumns = std::max(1, static_cast<int>(std::ceil(r.width / kCellMm)));
        m_cellRows = std::max(1, static_cast<int>(std::ceil(r.height / kCellMm)));
        m_fixedCell.assign(static_cast<std::size_t>(m_cellColumns * m_cellRows), 0);
        for (int y = 0; y < m_cellRows; ++y)
            for (int x = 0; x < m_cellColumns; ++x) {
                double low = std::numeric_limits<double>::infinity(), high = 0;
                // 5 x 5 samples 2.5 mm apart, corners included: a cell PlanMetrics finds
                // uniform (on a finer grid) is found uniform here too.
                for (int sy = 0; sy <= 4; ++sy)
                    for (int sx = 0; sx <= 4; ++sx) {
                        const PointMm p{r.x + x * kCellMm + std::min(sx * 2.5, 9.99),
                                        r.y + y * kCellMm + std::min(sy * 2.5, 9.99)};
                        const double d = r.contains(p) ? m_density.dotsPerCm2(p) : 0.0;
                        low = std::min(low, d);
                        high = std::max(high, d);
                    }
                m_fixedCell[static_cast<std::size_t>(y * m_cellColumns + x)] =
                    low > 0 && high <= low * 1.01;
            }
    }

    int cellOf(PointMm p) const
    {
        const RectMm &r = m_density.bounds;
        const int x =
            std::clamp(static_cast<int>(std::floor((p.x - r.x) / kCellMm)), 0, m_cellColumns - 1);
        const int y =
            std::clamp(static_cast<int>(std::floor((p.y - r.y) / kCellMm)), 0, m_cellRows - 1);
        return y * m_cellColumns + x;
    }

    // True when a dot at `from` may go to `to` as far as cells go: the same cell, or neither
    // cell fixed.
    bool mayCross(PointMm from, PointMm to) const
    {
        const int a = cellOf(from), b = cellOf(to);
        return a == b || (!m_fixedCell[static_cast<std::size_t>(a)] &&
                          !m_fixedCell[static_cast<std::size_t>(b)]);
    }

    // p, or p moved into the cell of `home` when the dot may not leave it for p's cell.
    PointMm insideCellOf(PointMm home, PointMm p) const
    {
        if (mayCross(home, p))
            return p;
        const RectMm &r = m_density.bounds;
        const double inset = 1e-6;
        const double x0 = r.x + std::floor((home.x - r.x) / kCellMm) * kCellMm;
        const double y0 = r.y + std::floor((home.y - r.y) / kCellMm) * kCellMm;
        return {std::clamp(p.x, x0 + inset, x0 + kCellMm - inset),
                std::clamp(p.y, y0 + inset, y0 + kCellMm - inset)};
    }

    // True when a dot may move from `from` to `to`: inside the bounds and the edited region, on
    // target above 0, not out of a fixed cell.
    bool mayMove(PointMm from, PointMm to) const
    {
        return m_density.bounds.contains(to) && (!m_region || m_region->contains(to)) &&
               mayCross(from, to) && m_density.dotsPerCm2(to) > 0;
    }

    // Adds p as a dot of `session` (0-based) when the density and the spacing rules allow it.
    bool tryAdd(PointMm p, int session, const SpacingFactors &placing, std::vector<int> &count,
                int columns, int rows)
    {
        if (!m_density.bounds.contains(p) || (m_region && !m_region->contains(p)))
            return false;
        const double density = m_density.dotsPerCm2(p);
        if (!(density > 0))
            return false;
        for (int other = 0; other < m_sessions; ++other)
            if (!grid(other).isClear(p, radius(session, other, density, placing), m_dots))
                return false;
        // Kept dots do not move in the relaxation: keep the firm spacing from them at once.
        if (m_keptGrid) {
            bool clear = true;
            const double reach = radius(session, session, density, kRelaxed) +
                                 radius(0, m_sessions - 1, density, kRelaxed);
            m_keptGrid->forEachNear(p, reach, [&](int j) {
                const SampledDot &kept = m_dots[static_cast<std::size_t>(j)];
                const double wanted = radius(session, kept.session - 1, density, kRelaxed);
                const double dx = kept.position.x - p.x, dy = kept.position.y - p.y;
                clear = clear && dx * dx + dy * dy >= wanted * wanted;
            });
            if (!clear)
                return false;
        }
        const auto index = static_cast<int>(m_dots.size());
        m_dots.push_back({p, session + 1});
        grid(session).add(index, p);
        ++count[blockOf(p, columns, rows) * static_cast<std::size_t>(m_sessions) +
                static_cast<std::size_t>(session)];
        return true;
    }

    static constexpr double kBlockMm = 2.5;
    static constexpr int kBlocksPerCell = 4; // 1 cm cells, the measure of density (PlanMetrics)
    static constexpr double kCellMm = kBlockMm * kBlocksPerCell;
    static constexpr int kMaxPasses = 150;
    static constexpr int kDartsPerVisit = 4;

    const DensityFunction &m_density;
    const SamplerOptions &m_options;
    const RectMm *m_region;
    std::vector<SampledDot> m_dots;
    std::vector<double> m_shares;
    std::vector<double> m_cumulativeShares;
    int m_sessions = 0;
    std::vector<Grid> m_grids;
    std::vector<int> m_quota;
    std::size_t m_keptCount = 0;
    std::unique_ptr<Grid> m_keptGrid; // the kept dots, when re-placing a region
    int m_cellColumns = 1;
    int m_cellRows = 1;
    std::vector<char> m_fixedCell; // per 1 cm cell, row-major: its dots stay in it
};

} // namespace

double meanSpacingMm(double dotsPerCm2)
{
    return 10.0 / std::sqrt(dotsPerCm2);
}

std::vector<double> sessionShares(int sessions)
{
    switch (sessions) {
    case 1:
        return {1.0};
    case 2:
        return {0.60, 0.40};
    case 3:
        return {0.45, 0.35, 0.20};
    case 4:
        return {0.40, 0.30, 0.18, 0.12};
    case 5:
        return {0.36, 0.26, 0.17, 0.12, 0.09};
    case 6:
        return {0.33, 0.24, 0.16, 0.11, 0.09, 0.07};
    default:
        throw std::invalid_argument("sessions must be 1 to 6");
    }
}

std::vector<SampledDot> sampleDots(const DensityFunction &density, const SamplerOptions &options)
{
    return MultiClassSampler(density, options, {}, nullptr).run();
}

std::vector<SampledDot> resampleRegion(const std::vector<SampledDot> &dots, RectMm region,
                                       const DensityFunction &density,
                                       const SamplerOptions &options)
{
    // Only the dots within reach of the region take part: the region grown by a few of the
    // largest spacings (the sparsest session at the lowest density the spacing rules use).
    double smallestShare = 1;
    for (const double share : options.shares)
        smallestShare = std::min(smallestShare, share);
    const double margin = 2 * spacingAt(kRadiusFloorDotsPerCm2 * smallestShare);
    const RectMm &b = density.bounds;
    RectMm near{std::max(b.x, region.x - margin), std::max(b.y, region.y - margin), 0, 0};
    near.width = std::min(b.x + b.width, region.x + region.width + margin) - near.x;
    near.height = std::min(b.y + b.height, region.y + region.height + margin) - near.y;
    std::vector<SampledDot> out, kept;
    out.reserve(dots.size());
    for (const SampledDot &dot : dots) {
        if (region.contains(dot.position))
            continue;
        out.push_back(dot);
        if (near.contains(dot.position))
            kept.push_back(dot);
    }
    if (near.width <= 0 || near.height <= 0)
        return out;
    DensityFunction local = density;
    local.bounds = near;
    SamplerOptions localOptions = options;
    // The region's own stream: the same edit gives the same dots.
    localOptions.seed =
        mix(options.seed, static_cast<std::uint64_t>(std::llround(region.x * 1000)) ^
                              (static_cast<std::uint64_t>(std::llround(region.y * 1000)) << 32));
    const std::size_t keptCount = kept.size();
    const std::vector<SampledDot> filled =
        MultiClassSampler(local, localOptions, std::move(kept), &region).run();
    out.insert(out.end(), filled.begin() + static_cast<std::ptrdiff_t>(keptCount), filled.end());
    return out;
}

std::vector<SampledDot> dartThrowingBaseline(const DensityFunction &density,
                                             const SamplerOptions &options)
{
    // Plain dart throwing: uniform darts over the bounds, each kept with probability density /
    // max density, until the expected count is reached; sessions dealt at random by share.
    Random random(options.seed);
    const RectMm &b = density.bounds;
    std::vector<double> cumulative;
    double sum = 0;
    for (const double share : options.shares)
        cumulative.push_back(sum += share);
    std::vector<SampledDot> dots;
    const double maxPerMm2 = density.maxDotsPerCm2 / 100.0;
    const auto darts = static_cast<std::size_t>(maxPerMm2 * b.width * b.height);
    for (std::size_t i = 0; i < darts; ++i) {
        const PointMm p{b.x + random.uniform() * b.width, b.y + random.uniform() * b.height};
        if (random.uniform() * density.maxDotsPerCm2 >= density.dotsPerCm2(p))
            continue;
        const double u = random.uniform() * sum;
        const int session = static_cast<int>(
            std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
        dots.push_back({p, std::min(session + 1, static_cast<int>(cumulative.size()))});
    }
    return dots;
}

} // namespace smp::planning
