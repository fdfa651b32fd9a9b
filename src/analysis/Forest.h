#pragma once

// Private to smp_analysis (OpenCV in the header): reading the random forests the analysis ships
// (the stage model, the texture check's forest) from their YAML text.

#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace smp::analysis {

// A trained cv::ml::RTrees of `variableCount` inputs, read from the YAML text RTrees::save()
// writes. Throws std::invalid_argument naming `what` (e.g. "stage model <id>") when the text is
// not YAML of a forest, or the forest is untrained or reads another number of inputs (`inputs`
// names them: "the stage features").
inline cv::Ptr<cv::ml::RTrees> readForest(const std::string &yaml, const std::string &what,
                                          std::size_t variableCount, const std::string &inputs)
{
    cv::Ptr<cv::ml::RTrees> forest;
    try {
        forest = cv::Algorithm::loadFromString<cv::ml::RTrees>(yaml);
    } catch (const cv::Exception &error) {
        throw std::invalid_argument(what + ": " + error.what());
    }
    if (!forest || !forest->isTrained() || forest->getVarCount() != static_cast<int>(variableCount))
        throw std::invalid_argument(what + ": not a trained model of " + inputs);
    return forest;
}

} // namespace smp::analysis
