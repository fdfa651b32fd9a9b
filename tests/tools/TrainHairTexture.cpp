// smp-train-hair-texture: trains the texture check's forest (analysis/HairTexture.h) on the top
// views of ../shared/data/hairloss (labelled real photos, CC BY 4.0: uze, hair-loss dataset,
// Roboflow Universe) and reports it. Not run by ctest.
//
// Weak labels: the cells near the middle of the head (within kMiddle of its radius of its centre,
// wholly on the head as the analysis outlines it) are "hair" on heads labelled Norwood 2 and
// "bare" on heads labelled 6 or 7. The people are split in two halves by a hash of their id, as
// smp-evaluate-hairloss splits them: the forest learns from the fit half only; the check half
// gives the cells' AUC and, with the forest installed, the share of each head's advanced and bald
// area that reads hair (TextureCheck::lossReadingHair) by label.
//
// The phantoms of the quality targets (tests/analysis/PhantomEvaluation.h, 800 and 1600 px) teach
// it too, their cells labelled by their truth (normal coverage hair, advanced or bald bare): the
// set teaches full heads' sheen, the phantoms that sparse crisp strands on skin of every tone are
// thin (the set has no such cells labelled). It is checked on the same cases drawn with other
// seeds (other strands and noise), with the hair shaded with the head, and on the bundled sample
// photo's phantom. --no-phantoms leaves them out of the training.
//
// Usage: smp-train-hair-texture [DATA_DIR] --out MODEL.yml [--forest DEPTH,MIN_SAMPLES,TREES]
//                               [--no-phantoms]
//        smp-train-hair-texture [DATA_DIR] --model MODEL.yml   (report a trained forest)

#include "../analysis/PhantomEvaluation.h"
#include "../support/HairlossLabels.h"
#include "../support/Statistics.h"
#include "smp/analysis/HairTexture.h"
#include "smp/analysis/ScalpAnalysis.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
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
#include <optional>
#include <vector>

namespace {

constexpr double kMiddle = 0.55; // of the head's radius: the cells labelled

// The phantoms' cells are labelled by their true coverage against the head's 90th percentile of
// it: hair from kNormalRatio (a normal grade), bare under kLossRatio (advanced or bald).
constexpr double kNormalRatio = 0.8;
constexpr double kLossRatio = 0.4;
// The phantoms checked on are drawn with their seeds moved by this: other strands, other noise.
constexpr std::uint32_t kCheckSeedOffset = 1000;

// The labelled cells of a phantom: rows of the cell numbers, and 1 (hair) or 0 (bare) each.
void addPhantomCells(const smp::test::PhantomCase &c, cv::Mat &cells, std::vector<float> &labels)
{
    const auto degraded = smp::test::degradedPhantom(c);
    const auto texture = smp::analysis::hairTextureCells(
        {degraded.photo.width(), degraded.photo.height(), degraded.photo.bytesPerLine(),
         degraded.photo.constBits()});
    const int count = static_cast<int>(smp::analysis::hairTextureFeatureNames().size());
    // The true hair and head over each cell.
    const auto cellMeans = [&](const QImage &mask) {
        const QImage gray = mask.convertToFormat(QImage::Format_Grayscale8);
        const cv::Mat m(gray.height(), gray.width(), CV_8U, const_cast<uchar *>(gray.constBits()),
                        static_cast<std::size_t>(gray.bytesPerLine()));
        cv::Mat means;
        const cv::Rect covered(
            0, 0, std::min(m.cols, static_cast<int>(texture.cellsWide * texture.photoPxPerCell)),
            std::min(m.rows, static_cast<int>(texture.cellsHigh * texture.photoPxPerCell)));
        cv::resize(m(covered), means, cv::Size(texture.cellsWide, texture.cellsHigh), 0, 0,
                   cv::INTER_AREA);
        means.convertTo(means, CV_32F, 1.0 / 255);
        return means;
    };
    const cv::Mat hair = cellMeans(degraded.phantom.hairMask),
                  head = cellMeans(degraded.phantom.headMask);
    std::vector<float> onHead;
    for (int i = 0; i < head.rows * head.cols; ++i)
        if (head.at<float>(i) > 0.999f)
            onHead.push_back(hair.at<float>(i));
    if (onHead.empty())
        return;
    std::sort(onHead.begin(), onHead.end());
    const double reference = static_cast<double>(onHead[onHead.size() * 9 / 10]);
    for (int i = 0; i < head.rows * head.cols; ++i) {
        if (head.at<float>(i) <= 0.999f)
            continue;
        const double ratio = static_cast<double>(hair.at<float>(i)) / reference;
        if (ratio >= kLossRatio && ratio < kNormalRatio)
            continue;
        cells.push_back(cv::Mat(1, count, CV_32F,
                                const_cast<float *>(texture.features.data()) +
                                    static_cast<std::size_t>(i * count)));
        labels.push_back(ratio >= kNormalRatio ? 1.0f : 0.0f);
    }
}

struct Photo
{
    QString file;
    int label = 0;
    bool check = false;
};

smp::analysis::RgbImage rgbOf(const QImage &image)
{
    return {image.width(), image.height(), image.bytesPerLine(), image.constBits()};
}

// A top view read as RGB888 into `image` and analysed as one; nullopt when the file cannot be
// read or no scalp was found.
std::optional<smp::analysis::Result> analysedTopView(const QString &file, QImage &image)
{
    image = QImage(file).convertToFormat(QImage::Format_RGB888);
    if (image.isNull())
        return std::nullopt;
    smp::analysis::Parameters parameters;
    parameters.view = smp::analysis::View::Top;
    auto result = smp::analysis::analyze(rgbOf(image), parameters);
    if (!result.scalpFound)
        return std::nullopt;
    return result;
}

// The area under the ROC curve of `scores` for `positive` against the rest (Mann-Whitney).
double auc(const std::vector<float> &scores, const std::vector<int> &positive)
{
    std::vector<std::size_t> order(scores.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
    double rankSum = 0, positives = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && scores[order[j]] == scores[order[i]])
            ++j;
        const double rank = 0.5 * static_cast<double>(i + j + 1); // ties share their mean rank
        for (std::size_t k = i; k < j; ++k)
            if (positive[order[k]]) {
                rankSum += rank;
                positives += 1;
            }
        i = j;
    }
    const double negatives = static_cast<double>(scores.size()) - positives;
    return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments().mid(1);
    QString out, model;
    if (const auto i = args.indexOf(QStringLiteral("--out")); i >= 0 && i + 1 < args.size()) {
        out = args[i + 1];
        args.remove(i, 2);
    }
    if (const auto i = args.indexOf(QStringLiteral("--model")); i >= 0 && i + 1 < args.size()) {
        model = args[i + 1];
        args.remove(i, 2);
    }
    const bool phantoms = args.removeAll(QStringLiteral("--no-phantoms")) == 0;
    int depth = 16, minSamples = 80,
        trees = 40; // 40 trees of 80 read as 60 of 40, at half the size
    if (const auto i = args.indexOf(QStringLiteral("--forest")); i >= 0 && i + 1 < args.size()) {
        const QStringList f = args[i + 1].split(QLatin1Char(','));
        if (f.size() == 3) {
            depth = f[0].toInt();
            minSamples = f[1].toInt();
            trees = f[2].toInt();
        }
        args.remove(i, 2);
    }
    if (out.isEmpty() == model.isEmpty()) {
        std::fprintf(stderr, "usage: smp-train-hair-texture [DATA_DIR] --out MODEL.yml [--forest "
                             "DEPTH,MIN_SAMPLES,TREES] | --model MODEL.yml\n");
        return 2;
    }
    const QString root = args.value(0, QStringLiteral(SMP_SOURCE_DIR "/../shared/data/hairloss"));
    QFile labels(root + QStringLiteral("/labels.csv"));
    if (!labels.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "smp-train-hair-texture: cannot read %s\n",
                     qPrintable(labels.fileName()));
        return 1;
    }
    QTextStream in(&labels);
    in.readLine();
    std::vector<Photo> photos;
    while (!in.atEnd()) {
        const QStringList f = in.readLine().split(QLatin1Char(','));
        if (f.size() < 4 || f[2] != QLatin1String("top"))
            continue;
        photos.push_back(
            {root + QLatin1Char('/') + f[0], f[1].toInt(),
             (QCryptographicHash::hash(f[3].toUtf8(), QCryptographicHash::Md5).at(0) & 1) != 0});
    }

    // The labelled cells of both halves (the check half's only to measure).
    const int count = static_cast<int>(smp::analysis::hairTextureFeatureNames().size());
    cv::Mat fitCells(0, count, CV_32F), checkCells(0, count, CV_32F);
    std::vector<float> fitLabels;
    std::vector<int> checkLabels;
    for (const Photo &photo : photos) {
        if (photo.label != 2 && photo.label < 6)
            continue;
        QImage image;
        const auto analysed = analysedTopView(photo.file, image);
        if (!analysed)
            continue;
        const smp::analysis::Result &r = *analysed;
        const auto cells = smp::analysis::hairTextureCells(rgbOf(image));
        // The head as the analysis outlines it (anything not background), its centre and radius.
        cv::Mat head(r.mapHeight, r.mapWidth, CV_8U);
        for (int y = 0; y < r.mapHeight; ++y)
            for (int x = 0; x < r.mapWidth; ++x)
                head.at<std::uint8_t>(y, x) =
                    r.labels[static_cast<std::size_t>(y * r.mapWidth + x)] ==
                            smp::analysis::Label::Background
                        ? 0
                        : 1;
        const cv::Moments moments = cv::moments(head, true);
        if (moments.m00 <= 0)
            continue;
        const double cx = moments.m10 / moments.m00, cy = moments.m01 / moments.m00,
                     radius = std::sqrt(moments.m00 / M_PI);
        const double mapPxPerCell = cells.photoPxPerCell / r.photoPxPerMapPx;
        for (int gy = 0; gy < cells.cellsHigh; ++gy)
            for (int gx = 0; gx < cells.cellsWide; ++gx) {
                const double px = (gx + 0.5) * mapPxPerCell, py = (gy + 0.5) * mapPxPerCell;
                if (std::hypot(px - cx, py - cy) >= kMiddle * radius)
                    continue;
                const cv::Rect cell =
                    cv::Rect(cv::Point(static_cast<int>(gx * mapPxPerCell),
                                       static_cast<int>(gy * mapPxPerCell)),
                             cv::Point(static_cast<int>((gx + 1) * mapPxPerCell),
                                       static_cast<int>((gy + 1) * mapPxPerCell))) &
                    cv::Rect(0, 0, head.cols, head.rows);
                if (cell.area() == 0 || cv::countNonZero(head(cell)) < cell.area())
                    continue; // wholly on the head only
                const cv::Mat row(
                    1, count, CV_32F,
                    const_cast<float *>(cells.features.data()) +
                        static_cast<std::size_t>((gy * cells.cellsWide + gx) * count));
                if (photo.check) {
                    checkCells.push_back(row);
                    checkLabels.push_back(photo.label == 2 ? 1 : 0);
                } else {
                    fitCells.push_back(row);
                    fitLabels.push_back(photo.label == 2 ? 1.0f : 0.0f);
                }
            }
    }
    std::printf("labelled cells: fit half %d (hair %d), check half %d (hair %d)\n", fitCells.rows,
                static_cast<int>(std::count(fitLabels.begin(), fitLabels.end(), 1.0f)),
                checkCells.rows,
                static_cast<int>(std::count(checkLabels.begin(), checkLabels.end(), 1)));

    if (phantoms) {
        const int before = fitCells.rows;
        for (int width : {800, 1600})
            for (const auto &c : smp::test::phantomCases(width))
                addPhantomCells(c, fitCells, fitLabels);
        std::printf("phantom cells (800 and 1600 px): %d\n", fitCells.rows - before);
    }

    std::string yaml;
    if (!out.isEmpty()) {
        auto forest = cv::ml::RTrees::create();
        forest->setMaxDepth(depth);
        forest->setMinSampleCount(minSamples);
        forest->setActiveVarCount(4); // about the square root of 17
        forest->setRegressionAccuracy(0);
        forest->setTermCriteria(
            cv::TermCriteria(cv::TermCriteria::MAX_ITER, trees, 0)); // `trees` trees
        forest->train(
            cv::ml::TrainData::create(fitCells, cv::ml::ROW_SAMPLE, cv::Mat(fitLabels, true)));
        cv::FileStorage storage(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
        storage << forest->getDefaultName() << "{";
        forest->write(storage);
        storage << "}";
        yaml = storage.releaseAndGetString();
        QFile file(out);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(QByteArray::fromStdString(yaml)) < 0) {
            std::fprintf(stderr, "smp-train-hair-texture: cannot write %s\n", qPrintable(out));
            return 1;
        }
        std::printf("forest: depth %d, min samples %d, %d trees; written to %s (%zu bytes)\n",
                    depth, minSamples, trees, qPrintable(out), yaml.size());
    } else {
        QFile file(model);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "smp-train-hair-texture: cannot read %s\n", qPrintable(model));
            return 1;
        }
        yaml = file.readAll().toStdString();
    }
    smp::analysis::setHairTextureModel(yaml, (out.isEmpty() ? model : out).toStdString());
    auto forest = cv::Algorithm::loadFromString<cv::ml::RTrees>(yaml);
    cv::Mat predictions;
    forest->predict(checkCells, predictions);
    std::vector<float> scores(predictions.begin<float>(), predictions.end<float>());
    double right = 0;
    for (std::size_t i = 0; i < scores.size(); ++i)
        right += (scores[i] >= 0.5f) == (checkLabels[i] == 1);
    std::printf("check half's cells: AUC %.3f, %.1f%% right at 0.5\n\n", auc(scores, checkLabels),
                100 * right / static_cast<double>(scores.size()));

    // Every top view of the check half through the analysis with the forest installed; the share
    // of the loss area reading hair also at lower cut points (the probabilities scaled so that the
    // cut point falls at kTextureHairProbability), and with the hair-tone gate lifted.
    const std::vector<double> cuts = {0.5, 0.7, smp::analysis::kTextureHairProbability};
    struct Head
    {
        double loss = 0;
        bool applies = false;
        std::vector<double> reading; // per cut point, the gate lifted
    };
    std::map<int, std::vector<Head>> heads;
    for (const Photo &photo : photos) {
        if (!photo.check)
            continue;
        QImage image;
        auto analysed = analysedTopView(photo.file, image);
        if (!analysed)
            continue;
        smp::analysis::Result &r = *analysed;
        Head head;
        double scalpPx = 0;
        for (auto g : r.grades) {
            scalpPx += g != smp::analysis::Grade::NotScalp;
            head.loss += g >= smp::analysis::Grade::Advanced;
        }
        head.loss = scalpPx > 0 ? head.loss / scalpPx : 0;
        head.applies = r.texture.applies;
        r.hairTone = smp::analysis::HairTone::DarkerThanSkin;
        const auto ungated =
            smp::analysis::checkHairTexture(rgbOf(image), smp::analysis::View::Top, r);
        for (double cut : cuts) {
            auto scaled = ungated;
            for (float &p : scaled.hairProbability)
                p = static_cast<float>(static_cast<double>(p) *
                                       smp::analysis::kTextureHairProbability / cut);
            head.reading.push_back(smp::analysis::lossReadingHairShare(
                scaled, r.grades, r.mapWidth, r.mapHeight, r.photoPxPerMapPx));
        }
        heads[photo.label].push_back(head);
    }
    std::printf(
        "Check half's top views (loss area: advanced + bald share of the scalp; share of "
        "it reading hair, median, at cut points %.1f / %.1f / %.1f; the hair-tone gate "
        "lifted):\n\n| label | photos | check applies | median loss area | reading hair "
        "(all heads) | reading hair (where it applies, %.1f) |\n|---|---|---|---|---|---|\n",
        cuts[0], cuts[1], cuts[2], cuts[2]);
    for (const auto &[label, list] : heads) {
        std::vector<double> loss, applied;
        std::vector<std::vector<double>> reading(cuts.size());
        for (const Head &h : list) {
            loss.push_back(h.loss);
            for (std::size_t c = 0; c < cuts.size(); ++c)
                reading[c].push_back(h.reading[c]);
            if (h.applies)
                applied.push_back(h.reading.back());
        }
        std::printf("| %d | %zu | %zu | %.2f | %.2f / %.2f / %.2f | %.2f |\n", label, list.size(),
                    applied.size(), median(loss), median(reading[0]), median(reading[1]),
                    median(reading[2]), median(applied));
    }
    // Were the marked loss taken off the map (not done: the check is shown, not applied), how
    // the loss share would rank the heads by label (Spearman), as analysed and so vetoed.
    std::vector<double> levels, asAnalysed;
    std::vector<std::vector<double>> vetoed(cuts.size());
    for (const auto &[label, list] : heads)
        for (const Head &h : list) {
            levels.push_back(label);
            asAnalysed.push_back(h.loss);
            for (std::size_t c = 0; c < cuts.size(); ++c)
                vetoed[c].push_back(h.applies ? h.loss * (1 - h.reading[c]) : h.loss);
        }
    std::printf("\nRank correlation of the loss share with the label: as analysed %.3f; with the "
                "marked loss taken off where the check applies, at cut points %.1f / %.1f / %.1f: "
                "%.3f / %.3f / %.3f\n",
                smp::test::spearman(levels, asAnalysed), cuts[0], cuts[1], cuts[2],
                smp::test::spearman(levels, vetoed[0]), smp::test::spearman(levels, vetoed[1]),
                smp::test::spearman(levels, vetoed[2]));
    // The phantoms drawn with other seeds, plain and with the hair shaded, and the bundled sample
    // photo's (the default parameters): the share of the analysis's loss area the check hatches
    // where the truth has loss too (false alarms) and where it has not (catches).
    std::printf("\nPhantoms drawn with other seeds (plain, and the hair shaded with the head) and "
                "the sample photo; where the check applies:\n\n| phantom | loss IoU | true loss "
                "hatched | wrong loss hatched |\n|---|---|---|---|\n");
    std::vector<smp::test::PhantomCase> heldOut;
    for (bool shaded : {false, true})
        for (int width : {800, 1600})
            for (auto c : smp::test::phantomCases(width, shaded)) {
                c.phantom.seed += kCheckSeedOffset;
                heldOut.push_back(c);
            }
    smp::test::PhantomCase sample;
    sample.name = "the sample photo";
    heldOut.push_back(sample);
    std::vector<double> falseAlarms, catches;
    int notApplied = 0;
    for (const auto &c : heldOut) {
        const auto score = smp::test::scorePhantom(c);
        if (score.rightLossReadingHair < 0) {
            ++notApplied; // the check does not apply (no scalp found, ...)
            continue;
        }
        falseAlarms.push_back(score.rightLossReadingHair);
        catches.push_back(score.wrongLossReadingHair);
        std::printf("| %s, %d px | %.3f | %.2f | %.2f |\n", c.name.c_str(), c.phantom.widthPx,
                    score.lossIoU, score.rightLossReadingHair, score.wrongLossReadingHair);
    }
    const auto mean = [](const std::vector<double> &v) {
        double sum = 0;
        for (double x : v)
            sum += x;
        return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
    };
    std::printf(
        "\n%zu phantoms checked (%d more not: the check did not apply); true loss hatched: mean "
        "%.3f, most %.2f; wrong loss hatched: mean %.3f\n",
        falseAlarms.size(), notApplied, mean(falseAlarms),
        falseAlarms.empty() ? 0.0 : *std::max_element(falseAlarms.begin(), falseAlarms.end()),
        mean(catches));
    return 0;
}
