// smp-evaluate-hairloss: runs the scalp analysis over ../shared/data/hairloss (labelled real
// photos, CC BY 4.0: uze, hair-loss dataset, Roboflow Universe) and reports, per view, how the
// estimated Norwood level compares with the label: mean absolute error, share within one level,
// Spearman rank correlation. Subjects are split in two halves by a hash of their id: "fit" (for
// choosing the stage cut points, printed as a suggestion) and "check" (reported). Not run by ctest.
//
// With --train MODEL.yml it also trains the stage model (OpenCV random forest regression on
// analysis::Result::stageFeatures, blended for front, top and back views with a per-view loss
// calibration: --blend WEIGHT[,VIEW...], 0.5 by default, 0 for the forest alone) on the fit
// half, reports it on the check half, and writes it. --repeat N trains and checks it on N
// random halvings of the people.
//
// With --model MODEL.yml the per-view table is that model's estimate (e.g. the shipped model on
// a changed coverage estimate), without training.
//
// With --cv it chooses the forest's settings by 5-fold cross-validation inside the fit half
// (folds by subject), so the check half is looked at once, by --train, with the chosen ones.
//
// --cache FILE keeps the analysis results (features, stage, loss share) per photo in a CSV and
// reads them back when it matches this build's features: to try forest settings without
// analysing the photos again. Delete it when the analysis changes.
//
// Last it prints the maps' own quality over both halves, no model involved: the loss share per
// view and label, its rank correlation, and the level-2 photos mapped mostly as loss.
//
// --recalibrate (an experiment, not in the product) maps the blend to the level by a monotone
// fit on the training people's out-of-fold blends.
//
// Usage: smp-evaluate-hairloss [DATA_DIR] [--limit N] [--cache FILE] [--cv] [--repeat N]
//                              [--blend W[,VIEW...]] [--recalibrate] [--hair-tone darker|lighter]
//                              [--train MODEL.yml | --model MODEL.yml]

#include "../support/HairlossLabels.h"
#include "../support/Statistics.h"
#include "smp/analysis/LossCalibration.h"
#include "smp/analysis/ScalpAnalysis.h"
#include "smp/imaging/Memory.h"

#include <opencv2/ml.hpp>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <vector>

namespace {

struct Sample
{
    QString file;
    int label = 0;
    QString view;
    QString subject;
    bool check = false;
    double lossFraction = 0;
    int estimate = 0;
    bool scalp = false;
    std::vector<double> features;
    int modelEstimate = 0;
    double sharpness = -1; // analysis::Result::photoSharpness; -1 when read from the cache
};

// The random forest's settings; the defaults are the ones --cv chose (docs/analysis.md).
struct ForestSettings
{
    int maxDepth = 12;
    int minSampleCount = 5;
    int activeVarCount = 7;
    int trees = 100; // --cv chose 300; 100 read the same over 20 halvings, at a third the size
};

cv::Mat featureRow(const Sample &s)
{
    cv::Mat row(1, static_cast<int>(s.features.size()), CV_32F);
    for (std::size_t i = 0; i < s.features.size(); ++i)
        row.at<float>(0, static_cast<int>(i)) = static_cast<float>(s.features[i]);
    return row;
}

// Trains a regression forest on the samples `use` accepts (those with features).
template <typename Use>
cv::Ptr<cv::ml::RTrees> trainForest(const std::vector<Sample> &samples, const ForestSettings &f,
                                    Use use)
{
    cv::Mat x, y;
    for (const Sample &s : samples) {
        if (s.features.empty() || !use(s))
            continue;
        x.push_back(featureRow(s));
        y.push_back(static_cast<float>(s.label));
    }
    // The forest draws its samples from OpenCV's global RNG, which the analysis (GrabCut) also
    // draws from: a fixed state makes a model depend on its inputs only, cached or not.
    cv::theRNG().state = 0x5eed5eedULL;
    auto forest = cv::ml::RTrees::create();
    forest->setMaxDepth(f.maxDepth);
    forest->setMinSampleCount(f.minSampleCount);
    forest->setRegressionAccuracy(0.01f);
    forest->setActiveVarCount(f.activeVarCount);
    forest->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, f.trees, 0));
    forest->train(cv::ml::TrainData::create(x, cv::ml::ROW_SAMPLE, y));
    return forest;
}

int levelOf(const cv::Ptr<cv::ml::RTrees> &forest, const Sample &s)
{
    return std::clamp(static_cast<int>(std::lround(forest->predict(featureRow(s)))), 1, 7);
}

// The advanced-plus-bald share as the stage model reads it (stage features 3 and 4, over the
// graded pixels).
double lossShare(const Sample &s)
{
    return s.features[3] + s.features[4];
}

// The blend of the forest with a per-view loss calibration (--blend): the weight of the
// calibration, and the views that get one. The defaults are the shipped model's: over 20
// halvings, 0.4-0.6 read the same; left and right views read worse with one (docs/analysis.md).
struct BlendSettings
{
    double weight = 0.5;
    QStringList views = {QStringLiteral("front"), QStringLiteral("top"), QStringLiteral("back")};
    // --recalibrate: map the blend to the level by a monotone fit to the labels, on the training
    // people's out-of-fold blends (5 folds by subject); an experiment, not in the product.
    bool recalibrate = false;
};

// The stage as the product computes it: the forest, blended with the loss calibration of the
// photo's view where there is one.
struct StageFit
{
    cv::Ptr<cv::ml::RTrees> forest;
    std::map<QString, smp::analysis::LossCalibration> calibrations;
    double weight = 0;
    smp::analysis::LossCalibration recalibration; // empty unless --recalibrate
};

int foldOf(const QString &subject);

// The forest's level blended with the view's loss calibration, before rounding.
double blendedLevel(const StageFit &fit, const Sample &s)
{
    double level = fit.forest->predict(featureRow(s));
    if (const auto c = fit.calibrations.find(s.view); c != fit.calibrations.end())
        level = (1 - fit.weight) * level + fit.weight * c->second(lossShare(s));
    return level;
}

template <typename Use>
StageFit fitStage(const std::vector<Sample> &samples, const ForestSettings &f,
                  const BlendSettings &blend, Use use)
{
    StageFit fit;
    fit.forest = trainForest(samples, f, use);
    fit.weight = blend.weight;
    if (blend.weight > 0) {
        for (const QString &view : blend.views) {
            std::vector<std::pair<double, double>> points;
            for (const Sample &s : samples)
                if (!s.features.empty() && use(s) && s.view == view)
                    points.emplace_back(lossShare(s), s.label);
            if (!points.empty())
                fit.calibrations[view] = smp::analysis::LossCalibration::fit(points);
        }
    }
    if (blend.recalibrate) {
        BlendSettings inner = blend;
        inner.recalibrate = false;
        std::vector<std::pair<double, double>> points;
        for (int fold = 0; fold < 5; ++fold) {
            // A std::function, so that this call instantiates fitStage() once.
            const std::function<bool(const Sample &)> outOfFold = [&](const Sample &s) {
                return use(s) && foldOf(s.subject) != fold;
            };
            const StageFit part = fitStage(samples, f, inner, outOfFold);
            for (const Sample &s : samples)
                if (!s.features.empty() && use(s) && foldOf(s.subject) == fold)
                    points.emplace_back(blendedLevel(part, s), s.label);
        }
        if (!points.empty())
            fit.recalibration = smp::analysis::LossCalibration::fit(points);
    }
    return fit;
}

int levelOf(const StageFit &fit, const Sample &s)
{
    if (s.features.empty())
        return 1;
    double level = blendedLevel(fit, s);
    if (!fit.recalibration.empty())
        level = fit.recalibration(level);
    // As the product does: no stage above what the map's loss allows.
    level = std::min(level, static_cast<double>(smp::analysis::highestStageShown(lossShare(s))));
    return std::clamp(static_cast<int>(std::lround(level)), 1, 7);
}

int foldOf(const QString &subject)
{
    return static_cast<std::uint8_t>(
               QCryptographicHash::hash(subject.toUtf8(), QCryptographicHash::Md5).at(1)) %
           5;
}

// Mean absolute error of 5-fold cross-validation inside the fit half (folds by subject), over
// front and top photos and over all views; photos without a scalp count as level 1.
std::pair<double, double> crossValidate(const std::vector<Sample> &samples,
                                        const ForestSettings &settings)
{
    double frontTopError = 0, frontTopCount = 0, allError = 0, allCount = 0;
    for (int fold = 0; fold < 5; ++fold) {
        const auto forest = trainForest(samples, settings, [&](const Sample &s) {
            return !s.check && foldOf(s.subject) != fold;
        });
        for (const Sample &s : samples) {
            if (s.check || foldOf(s.subject) != fold)
                continue;
            const double error = std::abs((s.features.empty() ? 1 : levelOf(forest, s)) - s.label);
            allError += error;
            allCount += 1;
            if (s.view == QLatin1String("front") || s.view == QLatin1String("top")) {
                frontTopError += error;
                frontTopCount += 1;
            }
        }
    }
    return {frontTopError / std::max(frontTopCount, 1.0), allError / std::max(allCount, 1.0)};
}

// Repeated random halving of all subjects (fixed seeds): train on one half, check on the other,
// `repeats` times; prints the mean and spread of MAE and within-one per view. One fixed split of
// 90 subjects moves by about 0.1-0.2 MAE with the luck of the draw; this shows how much.
void repeatedSplits(const std::vector<Sample> &samples, const ForestSettings &settings,
                    const BlendSettings &blend, int repeats)
{
    std::vector<QString> subjects;
    for (const Sample &s : samples)
        if (std::find(subjects.begin(), subjects.end(), s.subject) == subjects.end())
            subjects.push_back(s.subject);
    std::sort(subjects.begin(), subjects.end());
    std::map<QString, std::vector<double>> mae, within;
    // Per person, the levels of their photos combined over views (clinic::combinedStage()'s
    // rule and the alternatives measured for it): the weights per view, then the rounded mean.
    const std::vector<std::pair<QString, std::map<QString, double>>> combinations = {
        {QStringLiteral("front"), {{QStringLiteral("front"), 1}}},
        {QStringLiteral("top"), {{QStringLiteral("top"), 1}}},
        {QStringLiteral("front + top"), {{QStringLiteral("front"), 1}, {QStringLiteral("top"), 1}}},
        {QStringLiteral("front + top + half back"),
         {{QStringLiteral("front"), 1}, {QStringLiteral("top"), 1}, {QStringLiteral("back"), 0.5}}},
        {QStringLiteral("front + top + back"),
         {{QStringLiteral("front"), 1}, {QStringLiteral("top"), 1}, {QStringLiteral("back"), 1}}},
        {QStringLiteral("all five views"),
         {{QStringLiteral("front"), 1},
          {QStringLiteral("top"), 1},
          {QStringLiteral("back"), 1},
          {QStringLiteral("left"), 1},
          {QStringLiteral("right"), 1}}},
        {QStringLiteral("front + top, sides half"),
         {{QStringLiteral("front"), 1},
          {QStringLiteral("top"), 1},
          {QStringLiteral("back"), 0.5},
          {QStringLiteral("left"), 0.5},
          {QStringLiteral("right"), 0.5}}},
    };
    std::map<QString, std::vector<double>> personMae, personWithin;
    const QString kApplicationRule =
        QStringLiteral("analysis::combinedStage() (front, top, crown)");
    for (int r = 0; r < repeats; ++r) {
        cv::RNG rng(static_cast<std::uint64_t>(1000 + r));
        std::vector<QString> order = subjects;
        for (std::size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<std::size_t>(rng.uniform(0, int(i)))]);
        const std::vector<QString> train(
            order.begin(), order.begin() + static_cast<std::ptrdiff_t>(order.size() / 2));
        const auto inTrain = [&](const Sample &s) {
            return std::find(train.begin(), train.end(), s.subject) != train.end();
        };
        const StageFit fit = fitStage(samples, settings, blend, inTrain);
        std::map<QString, std::pair<double, double>> error; // sum, within
        std::map<QString, double> count;
        for (const Sample &s : samples) {
            if (inTrain(s))
                continue;
            const int e = std::abs(levelOf(fit, s) - s.label);
            error[s.view].first += e;
            error[s.view].second += e <= 1;
            count[s.view] += 1;
        }
        for (const auto &[view, sums] : error) {
            mae[view].push_back(sums.first / count[view]);
            within[view].push_back(sums.second / count[view]);
        }
        for (const auto &[name, weights] : combinations) {
            std::map<QString, std::pair<double, double>> sums; // subject: weighted levels, weights
            std::map<QString, int> labels;
            for (const Sample &s : samples) {
                const auto w = weights.find(s.view);
                if (inTrain(s) || w == weights.end())
                    continue;
                sums[s.subject].first += w->second * levelOf(fit, s);
                sums[s.subject].second += w->second;
                labels[s.subject] = s.label;
            }
            double errorSum = 0, withinSum = 0;
            for (const auto &[subject, sum] : sums) {
                const int e = std::abs(static_cast<int>(std::lround(sum.first / sum.second)) -
                                       labels[subject]);
                errorSum += e;
                withinSum += e <= 1;
            }
            const double people = std::max<double>(1, static_cast<double>(sums.size()));
            personMae[name].push_back(errorSum / people);
            personWithin[name].push_back(withinSum / people);
        }
        // The application's rule, as it combines a client's photos.
        std::map<QString, std::vector<smp::analysis::ViewLevel>> photosOf;
        std::map<QString, int> labelOf;
        for (const Sample &s : samples)
            if (!inTrain(s)) {
                photosOf[s.subject].push_back(
                    {smp::test::viewOfHairlossLabel(s.view), levelOf(fit, s)});
                labelOf[s.subject] = s.label;
            }
        double errorSum = 0, withinSum = 0, people = 0;
        for (const auto &[subject, photos] : photosOf)
            if (const auto combined = smp::analysis::combinedStage(photos)) {
                const int e = std::abs(combined->level - labelOf[subject]);
                errorSum += e;
                withinSum += e <= 1;
                people += 1;
            }
        personMae[kApplicationRule].push_back(errorSum / std::max(people, 1.0));
        personWithin[kApplicationRule].push_back(withinSum / std::max(people, 1.0));
    }
    const auto meanSd = [](const std::vector<double> &v) {
        double m = 0, q = 0;
        for (double x : v)
            m += x;
        m /= static_cast<double>(v.size());
        for (double x : v)
            q += (x - m) * (x - m);
        return std::pair{
            m, std::sqrt(q / static_cast<double>(std::max<std::size_t>(1, v.size() - 1)))};
    };
    std::printf("%d random halvings of the subjects (no scalp = level I):\n\n"
                "| view | MAE mean | MAE sd | within one mean | within one sd |\n"
                "|---|---|---|---|---|\n",
                repeats);
    for (const auto &[view, values] : mae) {
        const auto [m, sd] = meanSd(values);
        const auto [w, wsd] = meanSd(within[view]);
        std::printf("| %s | %.2f | %.2f | %.0f%% | %.0f%% |\n", qPrintable(view), m, sd, 100 * w,
                    100 * wsd);
    }
    std::printf("\nPer person (the checked half's people), their photos' levels combined over "
                "views (weights, rounded mean):\n\n"
                "| views | MAE mean | MAE sd | within one mean | within one sd |\n"
                "|---|---|---|---|---|\n");
    std::vector<QString> rows{kApplicationRule};
    for (const auto &combination : combinations)
        rows.push_back(combination.first);
    for (const QString &name : rows) {
        const auto [m, sd] = meanSd(personMae[name]);
        const auto [w, wsd] = meanSd(personWithin[name]);
        std::printf("| %s | %.2f | %.2f | %.0f%% | %.0f%% |\n", qPrintable(name), m, sd, 100 * w,
                    100 * wsd);
    }
    std::printf("\n");
}

// The map itself, no stage model involved, over every photo of both halves (since analysis
// 1.39): per view, the mean advanced-plus-bald share of the scalp per label, its rank
// correlation with the label, and how many photos labelled 2 map over 30% of the scalp as loss
// (a level-2 head is all but covered: what reads as loss there is neck, ears, face or misread
// hair). Photos with no scalp found are left out.
void printMapByLabel(const std::vector<Sample> &samples)
{
    constexpr double kMostlyLoss = 0.3;
    struct ViewMap
    {
        std::map<int, std::pair<double, double>> byLabel; // count, sum of loss shares
        std::vector<double> labels, lossShares;
        int levelTwo = 0, levelTwoMostlyLoss = 0;
    };
    std::map<QString, ViewMap> views;
    for (const Sample &s : samples) {
        if (!s.scalp)
            continue;
        ViewMap &v = views[s.view];
        v.byLabel[s.label].first += 1;
        v.byLabel[s.label].second += s.lossFraction;
        v.labels.push_back(s.label);
        v.lossShares.push_back(s.lossFraction);
        if (s.label == 2) {
            v.levelTwo += 1;
            v.levelTwoMostlyLoss += s.lossFraction > kMostlyLoss;
        }
    }
    std::printf("\nThe maps, both halves: mean loss share per label, its rank correlation with the "
                "label, photos labelled 2 over %.0f%% loss:\n\n| view | 2 | 3 | 4 | 5 | 6 | 7 | "
                "Spearman rho | labelled 2 over %.0f%% |\n|---|---|---|---|---|---|---|---|---|\n",
                100 * kMostlyLoss, 100 * kMostlyLoss);
    for (const auto &[view, v] : views) {
        std::printf("| %s |", qPrintable(view));
        for (int label = 2; label <= 7; ++label) {
            const auto at = v.byLabel.find(label);
            if (at == v.byLabel.end())
                std::printf(" - |");
            else
                std::printf(" %.2f |", at->second.second / at->second.first);
        }
        std::printf(" %.3f | %d of %d |\n", smp::test::spearman(v.labels, v.lossShares),
                    v.levelTwoMostlyLoss, v.levelTwo);
    }
}

// The cache: one line per photo: file, scalp, estimate, loss fraction, features.
bool readCache(const QString &path, std::vector<Sample> &samples)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    QTextStream in(&file);
    std::map<QString, QStringList> rows;
    while (!in.atEnd()) {
        const QStringList f = in.readLine().split(QLatin1Char(','));
        if (f.size() >= 4)
            rows[f[0]] = f;
    }
    const auto featureCount = static_cast<qsizetype>(smp::analysis::stageFeatureNames().size());
    for (const Sample &s : samples) {
        const auto row = rows.find(s.file);
        if (row == rows.end() ||
            (row->second.size() != 4 && row->second.size() != 4 + featureCount))
            return false;
    }
    for (Sample &s : samples) {
        const QStringList &f = rows[s.file];
        s.scalp = f[1].toInt() != 0;
        s.estimate = f[2].toInt();
        s.lossFraction = f[3].toDouble();
        s.features.clear();
        for (qsizetype i = 4; i < f.size(); ++i)
            s.features.push_back(f[i].toDouble());
    }
    return true;
}

void writeCache(const QString &path, const std::vector<Sample> &samples)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return;
    QTextStream out(&file);
    for (const Sample &s : samples) {
        out << s.file << ',' << int(s.scalp) << ',' << s.estimate << ','
            << QString::number(s.lossFraction, 'g', 9);
        for (double v : s.features)
            out << ',' << QString::number(v, 'g', 9);
        out << '\n';
    }
}

} // namespace

int main(int argc, char *argv[])
{
    smp::imaging::keepImageBuffersForReuse(); // as the application does: half the time otherwise
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    int limit = 1 << 30;
    if (const auto i = args.indexOf(QStringLiteral("--limit")); i >= 0 && i + 1 < args.size()) {
        limit = args[i + 1].toInt();
        args.remove(i, 2);
    }
    QString cache;
    if (const auto i = args.indexOf(QStringLiteral("--cache")); i >= 0 && i + 1 < args.size()) {
        cache = args[i + 1];
        args.remove(i, 2);
    }
    const bool crossValidation = args.removeAll(QStringLiteral("--cv")) > 0;
    int repeats = 0;
    if (const auto i = args.indexOf(QStringLiteral("--repeat")); i >= 0 && i + 1 < args.size()) {
        repeats = args[i + 1].toInt();
        args.remove(i, 2);
    }
    // --without NAME,NAME...: those features set to 0 (never split on), to measure what they add.
    QStringList without;
    if (const auto i = args.indexOf(QStringLiteral("--without")); i >= 0 && i + 1 < args.size()) {
        without = args[i + 1].split(QLatin1Char(','));
        args.remove(i, 2);
    }
    // --blend WEIGHT[,VIEW...]: blend the forest with a loss calibration per view, WEIGHT the
    // calibration's share (0: the forest alone); the default views unless views are given.
    BlendSettings blend;
    blend.recalibrate = args.removeAll(QStringLiteral("--recalibrate")) > 0;
    if (const auto i = args.indexOf(QStringLiteral("--blend")); i >= 0 && i + 1 < args.size()) {
        QStringList f = args[i + 1].split(QLatin1Char(','));
        blend.weight = f.takeFirst().toDouble();
        if (!f.isEmpty())
            blend.views = f;
        args.remove(i, 2);
    }
    ForestSettings settings;
    // --forest DEPTH,MIN_SAMPLES,ACTIVE_VARS,TREES: the forest's settings instead of the defaults.
    if (const auto i = args.indexOf(QStringLiteral("--forest")); i >= 0 && i + 1 < args.size()) {
        const QStringList f = args[i + 1].split(QLatin1Char(','));
        if (f.size() == 4)
            settings = {f[0].toInt(), f[1].toInt(), f[2].toInt(), f[3].toInt()};
        args.remove(i, 2);
    }
    // --hair-tone darker|lighter: every photo read that way round (Parameters::hairTone).
    smp::analysis::HairTone hairTone = smp::analysis::HairTone::Automatic;
    if (const auto i = args.indexOf(QStringLiteral("--hair-tone")); i >= 0 && i + 1 < args.size()) {
        const auto tone = smp::analysis::hairToneFromName(args[i + 1].toStdString());
        if (!tone) {
            std::fprintf(stderr, "smp-evaluate-hairloss: --hair-tone: auto, darker or lighter\n");
            return 2;
        }
        hairTone = *tone;
        args.remove(i, 2);
    }
    QString modelOut;
    if (const auto i = args.indexOf(QStringLiteral("--train")); i >= 0 && i + 1 < args.size()) {
        modelOut = args[i + 1];
        args.remove(i, 2);
    }
    // --model FILE.yml: the stage model to evaluate as it is (e.g. the shipped one), untrained.
    const bool givenModel = args.contains(QStringLiteral("--model"));
    if (const auto i = args.indexOf(QStringLiteral("--model")); i >= 0 && i + 1 < args.size()) {
        QFile model(args[i + 1]);
        if (!model.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "smp-evaluate-hairloss: cannot read %s\n",
                         qPrintable(model.fileName()));
            return 1;
        }
        try {
            smp::analysis::setStageModel(model.readAll().toStdString(), args[i + 1].toStdString());
        } catch (const std::invalid_argument &error) {
            std::fprintf(stderr, "smp-evaluate-hairloss: %s\n", error.what());
            return 1;
        }
        args.remove(i, 2);
    }
    const QString root = args.value(0, QStringLiteral(SMP_SOURCE_DIR "/../shared/data/hairloss"));
    QFile labels(root + QStringLiteral("/labels.csv"));
    if (!labels.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "smp-evaluate-hairloss: cannot read %s\n",
                     qPrintable(labels.fileName()));
        return 1;
    }
    QTextStream in(&labels);
    in.readLine();
    std::vector<Sample> samples;
    while (!in.atEnd() && static_cast<int>(samples.size()) < limit) {
        const QStringList f = in.readLine().split(QLatin1Char(','));
        if (f.size() < 4)
            continue;
        Sample s;
        s.file = root + QLatin1Char('/') + f[0];
        s.label = f[1].toInt();
        s.view = f[2];
        s.subject = f[3];
        s.check = QCryptographicHash::hash(s.subject.toUtf8(), QCryptographicHash::Md5).at(0) & 1;
        samples.push_back(s);
    }
    // The cache holds each photo's stage as analysed: with --model, analyse again.
    const bool cached = !cache.isEmpty() && !givenModel && readCache(cache, samples);
    int done = 0;
    for (Sample &s : samples) {
        if (cached)
            break;
        const QImage image = QImage(s.file).convertToFormat(QImage::Format_RGB888);
        if (image.isNull())
            continue;
        smp::analysis::Parameters parameters;
        parameters.view = smp::test::viewOfHairlossLabel(s.view);
        parameters.hairTone = hairTone;
        const auto r = smp::analysis::analyze(
            {image.width(), image.height(), image.bytesPerLine(), image.constBits()}, parameters);
        s.scalp = r.scalpFound;
        if (!s.scalp)
            std::fprintf(stderr, "no scalp found: %s (%s)\n", qPrintable(s.file),
                         r.noScalpReason.c_str());
        s.estimate = r.norwood.level;
        double loss = 0, total = 0;
        for (auto g : r.grades) {
            if (g == smp::analysis::Grade::NotScalp)
                continue;
            total += 1;
            loss += g >= smp::analysis::Grade::Advanced ? 1 : 0;
        }
        s.lossFraction = total > 0 ? loss / total : 0;
        s.features = r.stageFeatures;
        s.sharpness = r.scalpFound ? r.photoSharpness : -1;
        if (++done % 100 == 0)
            std::fprintf(stderr, "%d/%zu\n", done, samples.size());
    }
    if (!cache.isEmpty() && !cached && !givenModel)
        writeCache(cache, samples);
    const auto &names = smp::analysis::stageFeatureNames();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!without.contains(QString::fromStdString(names[i])))
            continue;
        for (Sample &s : samples)
            if (!s.features.empty())
                s.features[i] = 0;
    }

    if (crossValidation) {
        std::printf("5-fold cross-validation inside the fit half (MAE front+top, all views):\n\n"
                    "| depth | min samples | active vars | trees | front+top | all |\n"
                    "|---|---|---|---|---|---|\n");
        double best = 1e9;
        for (int depth : {5, 8, 12})
            for (int minSamples : {2, 5, 10})
                for (int active : {4, 7, 12})
                    for (int trees : {100, 300}) {
                        const ForestSettings candidate{depth, minSamples, active, trees};
                        const auto [frontTop, all] = crossValidate(samples, candidate);
                        std::printf("| %d | %d | %d | %d | %.3f | %.3f |\n", depth, minSamples,
                                    active, trees, frontTop, all);
                        if (frontTop < best) {
                            best = frontTop;
                            settings = candidate;
                        }
                    }
        std::printf("\nchosen: depth %d, min samples %d, active vars %d, trees %d\n\n",
                    settings.maxDepth, settings.minSampleCount, settings.activeVarCount,
                    settings.trees);
    }

    if (repeats > 0)
        repeatedSplits(samples, settings, blend, repeats);

    if (!modelOut.isEmpty()) {
        const StageFit fit =
            fitStage(samples, settings, blend, [](const Sample &s) { return !s.check; });
        cv::FileStorage forestOut(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
        forestOut << fit.forest->getDefaultName() << "{";
        fit.forest->write(forestOut);
        forestOut << "}";
        std::map<smp::analysis::View, smp::analysis::LossCalibration> calibrations;
        for (const auto &[view, calibration] : fit.calibrations)
            calibrations[smp::test::viewOfHairlossLabel(view)] = calibration;
        QFile out(modelOut);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            out.write(QByteArray::fromStdString(smp::analysis::stageModelWithCalibration(
                forestOut.releaseAndGetString(), calibrations, fit.weight))) < 0) {
            std::fprintf(stderr, "smp-evaluate-hairloss: cannot write %s\n", qPrintable(modelOut));
            return 1;
        }
        out.close();
        std::printf("trained on the fit half, written to %s\n\n", qPrintable(modelOut));
        // No scalp found counts as level I, as everywhere else here.
        for (Sample &s : samples)
            s.modelEstimate = levelOf(fit, s);
        std::printf("Stage model on the check half (no scalp = level I):\n\n| view | photos | MAE "
                    "| within one level | Spearman rho |\n|---|---|---|---|---|\n");
        std::map<QString, std::vector<const Sample *>> checkByView;
        for (const Sample &s : samples)
            if (s.check)
                checkByView[s.view].push_back(&s);
        for (const auto &[view, list] : checkByView) {
            double error = 0, within = 0;
            std::vector<double> truth, estimate;
            for (const Sample *s : list) {
                error += std::abs(s->modelEstimate - s->label);
                within += std::abs(s->modelEstimate - s->label) <= 1;
                truth.push_back(s->label);
                estimate.push_back(s->modelEstimate);
            }
            const double n = static_cast<double>(list.size());
            std::printf("| %s | %zu | %.2f | %.0f%% | %.2f |\n", qPrintable(view), list.size(),
                        error / n, 100 * within / n, smp::test::spearman(truth, estimate));
        }
        std::printf("\nHeuristic (loss-share cut points) on the check half:\n\n");
    } else if (!givenModel) {
        std::printf("No stage model given (--model or --train): the stages below come from the "
                    "loss-share cut points.\n\n");
    }

    std::printf(
        "| view | photos (check half) | scalp found | MAE | within one level | Spearman rho of the "
        "loss share |\n");
    std::printf("|---|---|---|---|---|---|\n");
    std::map<QString, std::vector<const Sample *>> byView;
    for (const Sample &s : samples)
        if (s.check)
            byView[s.view].push_back(&s);
    for (const auto &[view, list] : byView) {
        double error = 0, within = 0, found = 0;
        std::vector<double> truth, estimate;
        for (const Sample *s : list) {
            const int level = s->estimate > 0 ? s->estimate : 1;
            error += std::abs(level - s->label);
            within += std::abs(level - s->label) <= 1;
            found += s->scalp;
            truth.push_back(s->label);
            estimate.push_back(s->lossFraction);
        }
        const double n = static_cast<double>(list.size());
        std::printf("| %s | %zu | %.0f%% | %.2f | %.0f%% | %.2f |\n", qPrintable(view), list.size(),
                    100 * found / n, error / n, 100 * within / n,
                    smp::test::spearman(truth, estimate));
    }
    // Soft photos (the analysis says so: clinic::softPhotoNote) against sharp ones, on the
    // check half: the stage as analysed. Only when the photos were analysed here (not cached).
    if (std::any_of(samples.begin(), samples.end(),
                    [](const Sample &s) { return s.sharpness >= 0; })) {
        std::printf("\nSoft (sharpness under %.1f) and sharp photos on the check half, the stage "
                    "as analysed:\n\n| view | soft photos | MAE | within one | sharp photos | MAE "
                    "| within one |\n|---|---|---|---|---|---|---|\n",
                    smp::analysis::kSoftPhotoSharpness);
        for (const auto &[view, list] : byView) {
            double count[2] = {0, 0}, error[2] = {0, 0}, within[2] = {0, 0};
            for (const Sample *s : list) {
                if (s->sharpness < 0)
                    continue;
                const int sharp = s->sharpness >= smp::analysis::kSoftPhotoSharpness ? 1 : 0;
                const int level = s->estimate > 0 ? s->estimate : 1;
                count[sharp] += 1;
                error[sharp] += std::abs(level - s->label);
                within[sharp] += std::abs(level - s->label) <= 1;
            }
            std::printf("| %s | %.0f | %.2f | %.0f%% | %.0f | %.2f | %.0f%% |\n", qPrintable(view),
                        count[0], error[0] / std::max(1.0, count[0]),
                        100 * within[0] / std::max(1.0, count[0]), count[1],
                        error[1] / std::max(1.0, count[1]),
                        100 * within[1] / std::max(1.0, count[1]));
        }
        // Per person: the stages as analysed, combined as the application combines a client's.
        std::map<QString, std::vector<smp::analysis::ViewLevel>> photosOf;
        std::map<QString, int> labelOf;
        for (const Sample &s : samples)
            if (s.check && s.sharpness >= 0) {
                photosOf[s.subject].push_back(
                    {smp::test::viewOfHairlossLabel(s.view), s.estimate > 0 ? s.estimate : 1});
                labelOf[s.subject] = s.label;
            }
        double people = 0, error = 0, within = 0;
        for (const auto &[subject, photos] : photosOf)
            if (const auto combined = smp::analysis::combinedStage(photos)) {
                people += 1;
                error += std::abs(combined->level - labelOf[subject]);
                within += std::abs(combined->level - labelOf[subject]) <= 1;
            }
        std::printf("\nPer person on the check half, the stages as analysed combined by "
                    "analysis::combinedStage(): %.0f people, MAE %.2f, within one %.0f%%\n",
                    people, error / std::max(1.0, people), 100 * within / std::max(1.0, people));
    }
    // Per label, front and top views of the check half: how many, the mean stage as analysed and
    // its signed error. A model that pulls every photo towards the middle levels shows here as
    // a positive error at level 2 and a negative one at level 7.
    std::map<int, std::pair<double, double>> checkByLabel; // count, sum of stages
    for (const Sample &s : samples)
        if (s.check && (s.view == QLatin1String("front") || s.view == QLatin1String("top"))) {
            checkByLabel[s.label].first += 1;
            checkByLabel[s.label].second += s.estimate > 0 ? s.estimate : 1;
        }
    std::printf("\nCheck half, front and top, the stage as analysed per label:\n\n| label | photos "
                "| mean stage | mean error |\n|---|---|---|---|\n");
    for (const auto &[label, sums] : checkByLabel)
        std::printf("| %d | %.0f | %.2f | %+.2f |\n", label, sums.first, sums.second / sums.first,
                    sums.second / sums.first - label);
    // Suggested cut points from the fit half: the loss fraction midway between the medians of
    // neighbouring levels.
    std::map<int, std::vector<double>> fitByLevel;
    for (const Sample &s : samples)
        if (!s.check && s.scalp &&
            (s.view == QLatin1String("front") || s.view == QLatin1String("top")))
            fitByLevel[s.label].push_back(s.lossFraction);
    std::printf("\nfit half, front+top: median loss fraction per label:");
    for (auto &[level, values] : fitByLevel) {
        std::sort(values.begin(), values.end());
        std::printf(" %d: %.3f (n=%zu)", level, values[values.size() / 2], values.size());
    }
    std::printf("\n");
    printMapByLabel(samples);
    return 0;
}
