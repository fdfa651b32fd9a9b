// Catch2 entry point for tests that need a QCoreApplication (image plugins, QStandardPaths).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QStandardPaths>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("smp-planner-tests"));
    QLoggingCategory::setFilterRules(QStringLiteral("qt.gui.imageio*=false"));
    QStandardPaths::setTestModeEnabled(true);
    return Catch::Session().run(argc, argv);
}
