#pragma once

// Timing helpers of the benchmark programs (not part of the test run).

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace smp::bench {

// Wall-clock milliseconds `work` takes.
inline double millisecondsOf(const std::function<void()> &work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

inline double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

inline double p95(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, values.size() * 95 / 100)];
}

} // namespace smp::bench
