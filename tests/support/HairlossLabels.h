#pragma once

#include "smp/analysis/ScalpAnalysis.h"

#include <QLatin1String>
#include <QString>

namespace smp::test {

// The analysis view of a view name in ../shared/data/hairloss/labels.csv ("front", "top",
// "back", "left", "right"; anything else is View::Other). Shared by the real-photo tests and
// smp-evaluate-hairloss, which must read a photo the same way.
inline analysis::View viewOfHairlossLabel(const QString &view)
{
    if (view == QLatin1String("front"))
        return analysis::View::Front;
    if (view == QLatin1String("top"))
        return analysis::View::Top;
    if (view == QLatin1String("back"))
        return analysis::View::Back;
    if (view == QLatin1String("left"))
        return analysis::View::Left;
    if (view == QLatin1String("right"))
        return analysis::View::Right;
    return analysis::View::Other;
}

} // namespace smp::test
