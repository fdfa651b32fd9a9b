#pragma once

// Piecewise-linear interpolation, shared by the analysis (the loss calibration) and the planner
// (the hairline's base line). Header only: no module depends on another for it.

#include <algorithm>
#include <cstddef>
#include <span>

namespace smp::numeric {

// The value at `x` of the polyline through the knots (xs[i], ys[i]), constant beyond the first and
// the last knot. `xs` strictly ascending and as long as `ys`; neither empty (the caller checks).
inline double interpolateClamped(std::span<const double> xs, std::span<const double> ys, double x)
{
    if (x <= xs.front())
        return ys.front();
    if (x >= xs.back())
        return ys.back();
    const auto upper = std::upper_bound(xs.begin(), xs.end(), x);
    const auto i = static_cast<std::size_t>(upper - xs.begin());
    const double t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

} // namespace smp::numeric
