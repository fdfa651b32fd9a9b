#include "smp/analysis/LossCalibration.h"

#include "smp/numeric/PiecewiseLinear.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace smp::analysis {

LossCalibration::LossCalibration(std::vector<double> loss, std::vector<double> level)
    : loss_(std::move(loss))
    , level_(std::move(level))
{
    if (loss_.empty() || loss_.size() != level_.size())
        throw std::invalid_argument("loss calibration: needs as many levels as loss shares, "
                                    "at least one");
    for (std::size_t i = 1; i < loss_.size(); ++i) {
        if (!(loss_[i] > loss_[i - 1]) || level_[i] < level_[i - 1])
            throw std::invalid_argument("loss calibration: loss shares must rise and levels "
                                        "must not fall");
    }
    for (std::size_t i = 0; i < loss_.size(); ++i) {
        if (!std::isfinite(loss_[i]) || !std::isfinite(level_[i]))
            throw std::invalid_argument("loss calibration: not a number");
    }
}

LossCalibration LossCalibration::fit(std::vector<std::pair<double, double>> samples)
{
    if (samples.empty())
        throw std::invalid_argument("loss calibration: no samples to fit");
    std::sort(samples.begin(), samples.end());
    // Blocks of pooled samples: their mean level and weight, and the loss shares they span.
    struct Block
    {
        double first = 0, last = 0, level = 0, weight = 0;
    };
    std::vector<Block> blocks;
    for (const auto &[loss, level] : samples) {
        blocks.push_back({loss, loss, level, 1});
        // Pool adjacent violators: merge while the level does not rise, and tied shares.
        while (blocks.size() > 1 && (blocks[blocks.size() - 2].level >= blocks.back().level ||
                                     blocks[blocks.size() - 2].last == blocks.back().first)) {
            const Block b = blocks.back();
            blocks.pop_back();
            Block &a = blocks.back();
            const double w = a.weight + b.weight;
            a.level = (a.level * a.weight + b.level * b.weight) / w;
            a.last = b.last;
            a.weight = w;
        }
    }
    // Each block is flat from its first to its last share; between blocks the map is linear.
    std::vector<double> loss, level;
    for (const Block &b : blocks) {
        loss.push_back(b.first);
        level.push_back(b.level);
        if (b.last > b.first) {
            loss.push_back(b.last);
            level.push_back(b.level);
        }
    }
    return {std::move(loss), std::move(level)};
}

double LossCalibration::operator()(double lossShare) const
{
    if (loss_.empty())
        throw std::logic_error("loss calibration: empty");
    return numeric::interpolateClamped(loss_, level_, lossShare);
}

} // namespace smp::analysis
