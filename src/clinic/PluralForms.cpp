#include "smp/clinic/PluralForms.h"

#include <QCoreApplication>
#include <QTranslator>

namespace smp::clinic {

bool installPluralForms(QCoreApplication &app)
{
    auto *translator = new QTranslator(&app);
    if (!translator->load(QStringLiteral(":/smp/i18n/smp_en.qm"))) {
        delete translator;
        return false;
    }
    return QCoreApplication::installTranslator(translator);
}

} // namespace smp::clinic
