#include "smp/planning/DotSampler.h"

#include <algorithm>
#include <cmath>
#include <memory>
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
constexpr SpacingFactors kRelaxed{0.76, 0.66, 0.64};
constexpr int kRelaxIterations = 16;
// Below this density the spacing is taken at this density (keeps search windows bounded).
constexpr double kRadiusFloorDotsPerCm2 = 4.0;

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

// Dot indices by grid cell; a cell is small enough to hold at most one dot of the dots it keeps.
class Grid
{
public:
    Grid(const RectMm &bounds, double cellMm)
        : m_bounds(bounds)
        , m_cell(cellMm)
        , m_columns(std::max(1, static_cast<int>(std::ceil(bounds.width / cellMm))))
        , m_rows(std::max(1, static_cast<int>(std::ceil(bounds.height / cellMm))))
        , m_cells(static_cast<std::size_t>(m_columns) * static_cast<std::size_t>(m_rows))
    {}

    void add(int index, PointMm p) { m_cells[cellOf(p)].push_back(index); }
    void remove(int index, PointMm p)
    {
        auto &cell = m_cells[cellOf(p)];
        cell.erase(std::remove(cell.begin(), cell.end(), index), cell.end());
    }

    // Calls visit(index) for each dot in the cells within `radius` of p (a superset of the dots
    // within radius).
    template <typename Visit> void forEachNear(PointMm p, double radius, Visit &&visit) const
    {
        const int reach = static_cast<int>(std::ceil(radius / m_cell));
        const int cx = column(p.x), cy = row(p.y);
        for (int y = std::max(0, cy - reach); y <= std::min(m_rows - 1, cy + reach); ++y)
            for (int x = std::max(0, cx - reach); x <= std::min(m_columns - 1, cx + reach); ++x)
                for (const int i : m_cells[static_cast<std::size_t>(y * m_columns + x)])
                    visit(i);
    }

    // True when no kept dot lies closer to p than radius.
    bool isClear(PointMm p, double radius, const std::vector<SampledDot> &dots) const
    {
        const int reach = static_cast<int>(std::ceil(radius / m_cell));
        const int cx = column(p.x), cy = row(p.y);
        const double r2 = radius * radius;
        for (int y = std::max(0, cy - reach); y <= std::min(m_rows - 1, cy + reach); ++y)
            for (int x = std::max(0, cx - reach); x <= std::min(m_columns - 1, cx + reach); ++x)
                for (const int i : m_cells[static_cast<std::size_t>(y * m_columns + x)]) {
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
    std::vector<std::vector<int>> m_cells;
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
        // Quotas, in serpentine block order so the carried rounding stays local.
        std::vector<int> &quota = m_quota;
        quota.assign(static_cast<std::size_t>(columns * rows) * sessions, 0);
        std::vector<double> carry(sessions, 0.0);
        for (int y = 0; y < rows; ++y)
            for (int i = 0; i < columns; ++i) {
                const int x = (y % 2) ? columns - 1 - i : i;
                const double expected = expectedDots(x, y);
                for (std::size_t k = 0; k < sessions; ++k) {
                    const double want = expected * m_shares[k] + carry[k];
                    const auto n = static_cast<int>(std::floor(want + 0.5));
                    carry[k] = want - n;
                    quota[static_cast<std::size_t>(y * columns + x) * sessions + k] = n;
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
        for (int pass = 0; pass < kMaxPasses && !open.empty(); ++pass) {
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
                    tryAdd(p, session, count, columns, rows);
                }
                bool full = true;
                for (std::size_t k = 0; k < sessions; ++k)
                    full = full && count[base + k] >= quota[base + k];
                if (!full)
                    stillOpen.push_back(blockIndex);
            }
            open = std::move(stillOpen);
        }
        relax();
        return std::move(m_dots);
    }

private:
    // Moves the new dots apart until every pair keeps the firm spacing (kRelaxed), a few
    // iterations of pairwise projection; a dot never moves to where the target is 0, and kept
    // dots (outside an edited region) never move. Moves are a fraction of a spacing, so counts per
    // block stay as placed and the pattern stays random.
    void relax()
    {
        const double maxDensity = std::max(m_density.maxDotsPerCm2, 1.0);
        double smallestShare = 1;
        for (const double share : m_shares)
            smallestShare = std::min(smallestShare, share);
        const double cell = kRelaxed.all * spacingAt(maxDensity);
        std::vector<double> densityAt(m_dots.size());
        std::vector<PointMm> move(m_dots.size());
        for (int iteration = 0; iteration < kRelaxIterations; ++iteration) {
            Grid grid(m_density.bounds, cell);
            for (std::size_t i = 0; i < m_dots.size(); ++i) {
                grid.add(static_cast<int>(i), m_dots[i].position);
                densityAt[i] = m_density.dotsPerCm2(m_dots[i].position);
            }
            int violations = 0;
            for (std::size_t i = m_keptCount; i < m_dots.size(); ++i) {
                const SampledDot &dot = m_dots[i];
                const int a = dot.session - 1;
                const double reach = kRelaxed.own * spacingAt(densityAt[i] * smallestShare);
                PointMm push{0, 0};
                grid.forEachNear(dot.position, reach, [&](int j) {
                    if (static_cast<std::size_t>(j) == i)
                        return;
                    const SampledDot &other = m_dots[static_cast<std::size_t>(j)];
                    const double wanted = radius(a, other.session - 1, densityAt[i], kRelaxed);
                    const double dx = dot.position.x - other.position.x;
                    const double dy = dot.position.y - other.position.y;
                    const double d = std::sqrt(dx * dx + dy * dy);
                    if (d >= wanted || d <= 1e-9)
                        return;
                    ++violations;
                    // Half the overlap each (all of it when the other dot may not move).
                    const double share = static_cast<std::size_t>(j) < m_keptCount ? 1.0 : 0.5;
                    push.x += dx / d * (wanted - d) * share;
                    push.y += dy / d * (wanted - d) * share;
                });
                move[i] = push;
            }
            if (violations == 0)
                break;
            for (std::size_t i = m_keptCount; i < m_dots.size(); ++i) {
                const PointMm moved{m_dots[i].position.x + move[i].x,
                                    m_dots[i].position.y + move[i].y};
                if (m_density.bounds.contains(moved) && (!m_region || m_region->contains(moved)) &&
                    m_density.dotsPerCm2(moved) > 0)
                    m_dots[i].position = moved;
            }
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

    // Adds p as a dot of `session` (0-based) when the density and the spacing rules allow it.
    bool tryAdd(PointMm p, int session, std::vector<int> &count, int columns, int rows)
    {
        if (!m_density.bounds.contains(p) || (m_region && !m_region->contains(p)))
            return false;
        const double density = m_density.dotsPerCm2(p);
        if (!(density > 0))
            return false;
        for (int other = 0; other < m_sessions; ++other)
            if (!grid(other).isClear(p, radius(session, other, density, kPlacing), m_dots))
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
    std::vector<SampledDot> kept;
    kept.reserve(dots.size());
    for (const SampledDot &dot : dots)
        if (!region.contains(dot.position))
            kept.push_back(dot);
    SamplerOptions local = options;
    // The region's own stream: the same edit gives the same dots.
    local.seed =
        mix(options.seed, static_cast<std::uint64_t>(std::llround(region.x * 1000)) ^
                              (static_cast<std::uint64_t>(std::llround(region.y * 1000)) << 32));
    return MultiClassSampler(density, local, std::move(kept), &region).run();
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
