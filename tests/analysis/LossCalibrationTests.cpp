// The loss calibration the stage model blends with its forest: isotonic regression of the level
// on the loss share, read by linear interpolation.

#include "smp/analysis/LossCalibration.h"

#include <catch2/catch.hpp>

#include <stdexcept>

using smp::analysis::LossCalibration;

TEST_CASE("a loss calibration pools the levels that fall as the loss share rises",
          "[analysis][calibration]")
{
    // 0.3 reads lower than 0.2: the two pool to their mean, 3.5, flat from 0.2 to 0.3.
    const auto calibration = LossCalibration::fit({{0.4, 6.0}, {0.1, 2.0}, {0.3, 3.0}, {0.2, 4.0}});
    CHECK(calibration.loss() == std::vector<double>{0.1, 0.2, 0.3, 0.4});
    CHECK(calibration.level() == std::vector<double>{2.0, 3.5, 3.5, 6.0});
    CHECK(calibration(0.0) == Approx(2.0));   // flat before the first share
    CHECK(calibration(0.15) == Approx(2.75)); // linear between points
    CHECK(calibration(0.25) == Approx(3.5));
    CHECK(calibration(0.35) == Approx(4.75));
    CHECK(calibration(0.9) == Approx(6.0)); // flat after the last
}

TEST_CASE("a loss calibration averages photos with the same loss share", "[analysis][calibration]")
{
    const auto calibration = LossCalibration::fit({{0.5, 7.0}, {0.2, 2.0}, {0.2, 4.0}});
    CHECK(calibration.loss() == std::vector<double>{0.2, 0.5});
    CHECK(calibration.level() == std::vector<double>{3.0, 7.0});
    // A rising series stays as it is; one that only falls is one level, its mean.
    CHECK(LossCalibration::fit({{0.1, 2}, {0.2, 3}, {0.3, 5}}).level() ==
          std::vector<double>{2, 3, 5});
    const auto falling = LossCalibration::fit({{0.1, 6}, {0.2, 4}, {0.3, 2}});
    CHECK(falling(0.05) == Approx(4.0));
    CHECK(falling(0.5) == Approx(4.0));
}

TEST_CASE("a loss calibration refuses points that are not a rising map", "[analysis][calibration]")
{
    CHECK_THROWS_AS(LossCalibration::fit({}), std::invalid_argument);
    CHECK_THROWS_AS(LossCalibration({}, {}), std::invalid_argument);
    CHECK_THROWS_AS(LossCalibration({0.1, 0.2}, {3.0}), std::invalid_argument);
    CHECK_THROWS_AS(LossCalibration({0.2, 0.1}, {3.0, 4.0}), std::invalid_argument);
    CHECK_THROWS_AS(LossCalibration({0.1, 0.2}, {4.0, 3.0}), std::invalid_argument);
    CHECK_NOTHROW(LossCalibration({0.1, 0.2}, {3.0, 3.0}));
}
