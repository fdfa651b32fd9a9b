#pragma once

#include <utility>
#include <vector>

namespace smp::analysis {

// A monotone map from a photo's loss share (advanced plus bald, 0-1 of the scalp) to a Norwood
// level (1-7, continuous), fitted to labelled photos of one view by isotonic regression (the
// pool-adjacent-violators algorithm: the least-squares fit that never falls as the loss share
// rises) and read by linear interpolation between its points, flat beyond the ends. The stage
// model blends it with its forest (setStageModel()). No Qt, no OpenCV; a value type.
class LossCalibration
{
public:
    LossCalibration() = default;
    // `loss` increasing, `level` non-decreasing, the same size (at least one point); throws
    // std::invalid_argument otherwise.
    LossCalibration(std::vector<double> loss, std::vector<double> level);

    // Fits (loss share, level) samples; throws std::invalid_argument when there are none.
    static LossCalibration fit(std::vector<std::pair<double, double>> samples);

    bool empty() const { return loss_.empty(); }
    double operator()(double lossShare) const;

    const std::vector<double> &loss() const { return loss_; }
    const std::vector<double> &level() const { return level_; }

private:
    std::vector<double> loss_;
    std::vector<double> level_;
};

} // namespace smp::analysis
