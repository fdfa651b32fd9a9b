# Installs the build into a scratch prefix and checks what a desktop expects to find there:
# both programs, the desktop entry, the icon and valid AppStream metadata.
# cmake -DBUILD_DIR=... -DPREFIX=... -P InstallTest.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE installed OUTPUT_QUIET)
if(NOT installed EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${installed})")
endif()
foreach(expected
    bin/smp
    bin/smp-planner
    share/applications/org.smpplanner.SMPPlanner.desktop
    share/metainfo/org.smpplanner.SMPPlanner.metainfo.xml
    share/icons/hicolor/scalable/apps/org.smpplanner.SMPPlanner.svg)
  if(NOT EXISTS "${PREFIX}/${expected}")
    message(FATAL_ERROR "not installed: ${expected}")
  endif()
endforeach()
file(READ "${PREFIX}/share/applications/org.smpplanner.SMPPlanner.desktop" desktop)
if(NOT desktop MATCHES "Exec=smp-planner" OR NOT desktop MATCHES "Icon=org.smpplanner.SMPPlanner")
  message(FATAL_ERROR "the desktop entry does not start smp-planner with its icon")
endif()
execute_process(COMMAND "${PREFIX}/bin/smp" --version OUTPUT_VARIABLE version RESULT_VARIABLE ran)
if(NOT ran EQUAL 0 OR NOT version MATCHES "^smp [0-9]")
  message(FATAL_ERROR "the installed smp does not run: ${version}")
endif()
find_program(APPSTREAMCLI appstreamcli)
if(APPSTREAMCLI)
  execute_process(COMMAND "${APPSTREAMCLI}" validate --no-net
                          "${PREFIX}/share/metainfo/org.smpplanner.SMPPlanner.metainfo.xml"
                  RESULT_VARIABLE valid OUTPUT_VARIABLE report ERROR_VARIABLE report)
  if(NOT valid EQUAL 0)
    message(FATAL_ERROR "AppStream metadata invalid:\n${report}")
  endif()
endif()
