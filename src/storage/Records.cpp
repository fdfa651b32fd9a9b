#include "smp/storage/Records.h"

#include <array>

namespace smp::storage {

namespace {

const ContraindicationItem kCatalogue[] = {
    {"keloid", "Keloid or hypertrophic scarring tendency",
     "Excludes in most clinics; a test patch at most"},
    {"skin_condition", "Active psoriasis, eczema, seborrhoeic dermatitis or acne in the area",
     "Wait until the area is clear; dermatologist clearance"},
    {"sunburn", "Sunburn in the treatment area", "Postpone until healed"},
    {"pregnancy", "Pregnancy or breastfeeding", "Postpone"},
    {"anticoagulants", "Anticoagulants or a bleeding disorder", "Doctor's clearance"},
    {"immunosuppression", "Immune suppression (medication or condition)", "Doctor's clearance"},
    {"diabetes", "Poorly controlled diabetes", "Doctor's clearance"},
    {"chemotherapy", "Chemotherapy in the last 6-12 months", "Oncologist's clearance"},
    {"ink_allergy", "Known allergy to tattoo ink or pigment", "Excludes; patch test at most"},
    {"laser_removal", "Laser removal in the area in the last 90 days", "Postpone"},
    {"regrowing_alopecia", "Alopecia that may regrow (e.g. active alopecia areata)",
     "Doctor's assessment; treatment may need revision"},
    {"body_dysmorphia", "Signs of body dysmorphic disorder", "Refer; do not treat"},
};

constexpr std::array kViews = {PhotoView::Front, PhotoView::Top,  PhotoView::Crown,
                               PhotoView::Back,  PhotoView::Left, PhotoView::Right,
                               PhotoView::Other};

} // namespace

QString Client::displayName() const
{
    return givenName.isEmpty() ? familyName : givenName + QLatin1Char(' ') + familyName;
}

QString ClientSummary::displayName() const
{
    return givenName.isEmpty() ? familyName : givenName + QLatin1Char(' ') + familyName;
}

std::span<const ContraindicationItem> contraindicationCatalogue()
{
    return kCatalogue;
}

const ContraindicationItem *findContraindication(const QString &key)
{
    for (const ContraindicationItem &item : kCatalogue) {
        if (key == QLatin1String(item.key))
            return &item;
    }
    return nullptr;
}

QString toString(Sex sex)
{
    switch (sex) {
    case Sex::Female:
        return QStringLiteral("female");
    case Sex::Male:
        return QStringLiteral("male");
    case Sex::Other:
        return QStringLiteral("other");
    case Sex::Unspecified:
        break;
    }
    return QStringLiteral("unspecified");
}

std::optional<Sex> sexFromString(const QString &text)
{
    for (Sex sex : {Sex::Unspecified, Sex::Female, Sex::Male, Sex::Other}) {
        if (text.compare(toString(sex), Qt::CaseInsensitive) == 0)
            return sex;
    }
    return std::nullopt;
}

QString toString(ScreeningAnswer answer)
{
    switch (answer) {
    case ScreeningAnswer::NeedsClearance:
        return QStringLiteral("needs_clearance");
    case ScreeningAnswer::Excludes:
        return QStringLiteral("excludes");
    case ScreeningAnswer::None:
        break;
    }
    return QStringLiteral("none");
}

std::optional<ScreeningAnswer> screeningAnswerFromString(const QString &text)
{
    for (ScreeningAnswer answer :
         {ScreeningAnswer::None, ScreeningAnswer::NeedsClearance, ScreeningAnswer::Excludes}) {
        if (text.compare(toString(answer), Qt::CaseInsensitive) == 0)
            return answer;
    }
    return std::nullopt;
}

QString toString(PhotoView view)
{
    switch (view) {
    case PhotoView::Front:
        return QStringLiteral("front");
    case PhotoView::Top:
        return QStringLiteral("top");
    case PhotoView::Crown:
        return QStringLiteral("crown");
    case PhotoView::Back:
        return QStringLiteral("back");
    case PhotoView::Left:
        return QStringLiteral("left");
    case PhotoView::Right:
        return QStringLiteral("right");
    case PhotoView::Other:
        break;
    }
    return QStringLiteral("other");
}

std::optional<PhotoView> photoViewFromString(const QString &text)
{
    for (PhotoView view : kViews) {
        if (text.compare(toString(view), Qt::CaseInsensitive) == 0)
            return view;
    }
    return std::nullopt;
}

std::span<const PhotoView> allPhotoViews()
{
    return kViews;
}

QString toString(CalibrationMethod method)
{
    return method == CalibrationMethod::Manual ? QStringLiteral("manual")
                                               : QStringLiteral("marker");
}

std::optional<CalibrationMethod> calibrationMethodFromString(const QString &text)
{
    if (text == QLatin1String("marker"))
        return CalibrationMethod::Marker;
    if (text == QLatin1String("manual"))
        return CalibrationMethod::Manual;
    return std::nullopt;
}

QString fitzpatrickRoman(int type)
{
    static const char *const kRoman[] = {"I", "II", "III", "IV", "V", "VI"};
    if (type < 1 || type > 6)
        return {};
    return QString::fromLatin1(kRoman[type - 1]);
}

} // namespace smp::storage
