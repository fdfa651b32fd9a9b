// smp-evaluate-hairloss: runs the scalp analysis over ../shared/data/hairloss (labelled real
// photos, CC BY 4.0: uze, hair-loss dataset, Roboflow Universe) and reports, per view, how the
// estimated Norwood level compares with the label: mean absolute error, share within one level,
// Spearman rank correlation. Subjects are split in two halves by a hash of their id: "fit" (for
// choosing the stage cut points, printed as a suggestion) and "check" (reported). Not run by ctest.
//
// With --train MODEL.yml it also trains the stage model (OpenCV random forest regression on
// analysis::Result::stageFeatures) on the fit half, reports it on the check half, and writes it.
//
// With --model MODEL.yml the per-view table is that model's estimate (e.g. the shipped model on
// a changed coverage estimate), without training.
//
// Usage: smp-evaluate-hairloss [DATA_DIR] [--limit N] [--train MODEL.yml | --model MODEL.yml]

#include "smp/analysis/ScalpAnalysis.h"

#include <opencv2/ml.hpp>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QImage>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
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
};

double spearman(const std::vector<double> &a, const std::vector<double> &b)
{
    auto ranks = [](const std::vector<double> &v) {
        std::vector<std::size_t> order(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
            order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](std::size_t x, std::size_t y) { return v[x] < v[y]; });
        std::vector<double> r(v.size());
        for (std::size_t i = 0; i < order.size();) {
            std::size_t j = i;
            while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]])
                ++j;
            const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0;
            for (std::size_t k = i; k <= j; ++k)
                r[order[k]] = rank;
            i = j + 1;
        }
        return r;
    };
    const auto ra = ranks(a), rb = ranks(b);
    const double n = static_cast<double>(a.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += ra[i];
        mb += rb[i];
    }
    ma /= n;
    mb /= n;
    double cov = 0, va = 0, vb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        cov += (ra[i] - ma) * (rb[i] - mb);
        va += (ra[i] - ma) * (ra[i] - ma);
        vb += (rb[i] - mb) * (rb[i] - mb);
    }
    return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0;
}

smp::analysis::View viewOf(const QString &view)
{
    if (view == QLatin1String("front"))
        return smp::analysis::View::Front;
    if (view == QLatin1String("top"))
        return smp::analysis::View::Top;
    if (view == QLatin1String("back"))
        return smp::analysis::View::Back;
    if (view == QLatin1String("left"))
        return smp::analysis::View::Left;
    if (view == QLatin1String("right"))
        return smp::analysis::View::Right;
    return smp::analysis::View::Other;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    int limit = 1 << 30;
    if (const auto i = args.indexOf(QStringLiteral("--limit")); i >= 0 && i + 1 < args.size()) {
        limit = args[i + 1].toInt();
        args.remove(i, 2);
    }
    QString modelOut;
    if (const auto i = args.indexOf(QStringLiteral("--train")); i >= 0 && i + 1 < args.size()) {
        modelOut = args[i + 1];
        args.remove(i, 2);
    }
    // --model FILE.yml: the stage model to evaluate as it is (e.g. the shipped one), untrained.
    if (const auto i = args.indexOf(QStringLiteral("--model")); i >= 0 && i + 1 < args.size()) {
        QFile model(args[i + 1]);
        if (!model.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "smp-evaluate-hairloss: cannot read %s\n",
                         qPrintable(model.fileName()));
            return 1;
        }
        smp::analysis::setStageModel(model.readAll().toStdString(), args[i + 1].toStdString());
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
    int done = 0;
    for (Sample &s : samples) {
        const QImage image = QImage(s.file).convertToFormat(QImage::Format_RGB888);
        if (image.isNull())
            continue;
        smp::analysis::Parameters parameters;
        parameters.view = viewOf(s.view);
        const auto r = smp::analysis::analyze(
            {image.width(), image.height(), image.bytesPerLine(), image.constBits()}, parameters);
        s.scalp = r.scalpFound;
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
        if (++done % 100 == 0)
            std::fprintf(stderr, "%d/%zu\n", done, samples.size());
    }

    if (!modelOut.isEmpty()) {
        cv::Mat x, y;
        for (const Sample &s : samples) {
            if (s.check || s.features.empty())
                continue;
            cv::Mat row(1, static_cast<int>(s.features.size()), CV_32F);
            for (std::size_t i = 0; i < s.features.size(); ++i)
                row.at<float>(0, static_cast<int>(i)) = static_cast<float>(s.features[i]);
            x.push_back(row);
            y.push_back(static_cast<float>(s.label));
        }
        auto forest = cv::ml::RTrees::create();
        forest->setMaxDepth(7);
        forest->setMinSampleCount(4);
        forest->setRegressionAccuracy(0.01f);
        forest->setActiveVarCount(5);
        forest->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, 80, 0));
        forest->train(cv::ml::TrainData::create(x, cv::ml::ROW_SAMPLE, y));
        forest->save(modelOut.toStdString());
        std::printf("trained on %d photos of the fit half, written to %s\n\n", x.rows,
                    qPrintable(modelOut));
        for (Sample &s : samples) {
            if (s.features.empty())
                continue;
            cv::Mat row(1, static_cast<int>(s.features.size()), CV_32F);
            for (std::size_t i = 0; i < s.features.size(); ++i)
                row.at<float>(0, static_cast<int>(i)) = static_cast<float>(s.features[i]);
            s.modelEstimate = std::clamp(static_cast<int>(std::lround(forest->predict(row))), 1, 7);
        }
        std::printf("Stage model on the check half:\n\n| view | photos | MAE | within one level | "
                    "Spearman rho "
                    "|\n|---|---|---|---|---|\n");
        std::map<QString, std::vector<const Sample *>> checkByView;
        for (const Sample &s : samples)
            if (s.check && s.modelEstimate > 0)
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
                        error / n, 100 * within / n, spearman(truth, estimate));
        }
        std::printf("\nHeuristic (loss-share cut points) on the check half:\n\n");
    }

    std::printf(
        "| view | photos (check half) | scalp found | MAE | within one level | Spearman rho |\n");
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
                    100 * found / n, error / n, 100 * within / n, spearman(truth, estimate));
    }
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
    return 0;
}
