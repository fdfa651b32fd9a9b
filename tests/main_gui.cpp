// Catch2 entry point for widget tests: a QApplication on the offscreen platform unless the
// environment chooses another (xvfb-run sets DISPLAY and QT_QPA_PLATFORM may be xcb).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "smp/clinic/PluralForms.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QStandardPaths>

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SMP Planner Tests"));
    QApplication::setApplicationName(QStringLiteral("smp-planner-gui-tests"));
    QLoggingCategory::setFilterRules(QStringLiteral("qt.gui.imageio*=false"));
    QStandardPaths::setTestModeEnabled(true);
    smp::clinic::installPluralForms(app);
    return Catch::Session().run(argc, argv);
}
