# Install layout and packaging helpers (docs/packaging.md).
#
# Every installed file belongs to a component named after its Debian package: libdrove1
# (${DROVE_LIB_PKG}, after the SONAME), libdrove-dev, drove-cli, python3-drove and one per
# daemon. cmake/DroveCPack.cmake turns the
# components registered here into .deb packages (`cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr).
#
#   drove_daemon_package(NAME drove-epoch USER drove SUMMARY "..." [TARGET t] [CONFIG f]
#                        [UNIT f] [MAN f] [DESCRIPTION "..."] [DEPENDS "pkg" "pkg (>= v)"...])
#       one call per daemon: the program, its default config (/etc/drove, a conffile), its
#       systemd unit, its man page, maintainer scripts (user, state and log directories) and
#       its package. CONFIG, UNIT and MAN default to packaging/<NAME>/{<short>.yml,
#       <NAME>.service.in, <NAME>.8}, where <short> is NAME without "drove-".
#   drove_program_package(TARGET t PACKAGE p [MAN f...] [COMPLETION f] SUMMARY "...")
#       a program without a service (the CLI).
#   drove_python_package(TARGET t FILES f... [PACKAGE python3-drove] [SUBDIR pkgdir])
#       a Python extension module and its .py files (in dist-packages/SUBDIR when given).
#
# Relocatable installs: with a prefix other than /usr (DROVE_INSTALL_RPATH ON) programs and
# modules carry an $ORIGIN-relative RPATH to the installed library, so `cmake --install B
# --prefix ANY` runs without LD_LIBRARY_PATH. With prefix /usr (the packages) there is no
# RPATH: the library is in the system path.
include_guard(GLOBAL)

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(drove_rpath_default OFF)
else()
  set(drove_rpath_default ON)
endif()
option(DROVE_INSTALL_RPATH "Installed programs find libdrove through an \$ORIGIN-relative RPATH"
       ${drove_rpath_default})

# System paths for the packages (prefix /usr); prefix-relative paths otherwise, so that a
# custom-prefix install never writes outside its prefix.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(DROVE_ETC_DIR /etc/drove)
  set(DROVE_UNIT_DIR /lib/systemd/system)
  set(DROVE_STATE_DIR /var/lib/drove)
  set(DROVE_LOG_DIR /var/log/drove)
else()
  set(DROVE_ETC_DIR ${CMAKE_INSTALL_SYSCONFDIR}/drove)
  set(DROVE_UNIT_DIR lib/systemd/system)
  set(DROVE_STATE_DIR ${CMAKE_INSTALL_LOCALSTATEDIR}/lib/drove)
  set(DROVE_LOG_DIR ${CMAKE_INSTALL_LOCALSTATEDIR}/log/drove)
endif()
# Absolute forms written into units and configs.
if(IS_ABSOLUTE ${DROVE_ETC_DIR})
  set(DROVE_ETC_FULL ${DROVE_ETC_DIR})
  set(DROVE_STATE_FULL ${DROVE_STATE_DIR})
  set(DROVE_LOG_FULL ${DROVE_LOG_DIR})
else()
  set(DROVE_ETC_FULL ${CMAKE_INSTALL_PREFIX}/${DROVE_ETC_DIR})
  set(DROVE_STATE_FULL ${CMAKE_INSTALL_PREFIX}/${DROVE_STATE_DIR})
  set(DROVE_LOG_FULL ${CMAKE_INSTALL_PREFIX}/${DROVE_LOG_DIR})
endif()
set(DROVE_PYTHON_DIR lib/python3/dist-packages CACHE STRING
    "where python3-drove's module goes, relative to the prefix")
set(DROVE_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(DROVE_DEB_REVISION 1 CACHE STRING "Debian revision of the packages")
set(DROVE_PKG_BINARY_DIR ${PROJECT_BINARY_DIR}/packaging)

# $ORIGIN-relative RPATH from DEST (relative to the prefix) to the library directory.
function(drove_install_rpath target dest)
  if(NOT DROVE_INSTALL_RPATH)
    return()
  endif()
  file(RELATIVE_PATH rel /prefix/${dest} /prefix/${CMAKE_INSTALL_LIBDIR})
  if(rel STREQUAL "")
    set(rel ".")
  endif()
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "\$ORIGIN/${rel}")
endfunction()

# Registers PACKAGE for cmake/DroveCPack.cmake: SUMMARY is the one-line description,
# DESCRIPTION the long one, SECTION the Debian section; MAINT the maintainer-script directory
# (postinst, prerm, postrm, conffiles, ...), DEPENDS extra Depends (the shared-library ones
# are computed by dpkg-shlibdeps), ELF the targets whose dependencies are computed.
function(drove_register_package pkg)
  cmake_parse_arguments(P "" "SUMMARY;DESCRIPTION;SECTION;MAINT" "DEPENDS;ELF" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY DROVE_PACKAGES ${pkg})
  set_property(GLOBAL PROPERTY DROVE_PKG_${pkg}_SUMMARY "${P_SUMMARY}")
  set_property(GLOBAL PROPERTY DROVE_PKG_${pkg}_DESCRIPTION "${P_DESCRIPTION}")
  set_property(GLOBAL PROPERTY DROVE_PKG_${pkg}_SECTION "${P_SECTION}")
  set_property(GLOBAL PROPERTY DROVE_PKG_${pkg}_MAINT "${P_MAINT}")
  set_property(GLOBAL PROPERTY DROVE_PKG_${pkg}_DEPENDS "${P_DEPENDS}")
  foreach(t ${P_ELF})
    set_property(GLOBAL APPEND PROPERTY DROVE_PKG_${pkg}_ELF "$<TARGET_FILE:${t}>")
  endforeach()
  # Debian wants a copyright file and a changelog in every package's doc directory.
  set(doc ${DROVE_PKG_BINARY_DIR}/doc/${pkg})
  set(PKG ${pkg})
  configure_file(${DROVE_PACKAGING_DIR}/debian/changelog.in ${doc}/changelog.Debian @ONLY)
  add_custom_command(OUTPUT ${doc}/changelog.Debian.gz
    COMMAND gzip -9nf -k ${doc}/changelog.Debian
    DEPENDS ${doc}/changelog.Debian VERBATIM)
  add_custom_target(doc_${pkg} ALL DEPENDS ${doc}/changelog.Debian.gz)
  install(FILES ${DROVE_PACKAGING_DIR}/debian/copyright ${doc}/changelog.Debian.gz
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${pkg} COMPONENT ${pkg})
endfunction()

# A man page, installed gzipped (Debian policy) into its section's directory.
function(drove_install_man pkg page)
  get_filename_component(name ${page} NAME)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${name})
  set(out ${DROVE_PKG_BINARY_DIR}/man/${name}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${DROVE_PKG_BINARY_DIR}/man
    COMMAND sh -c "gzip -9n -c '${page}' > '${out}'"
    DEPENDS ${page} VERBATIM)
  add_custom_target(man_${name} ALL DEPENDS ${out})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${pkg})
endfunction()

function(drove_program_package)
  cmake_parse_arguments(P "" "TARGET;PACKAGE;COMPLETION;SUMMARY;DESCRIPTION" "MAN" ${ARGN})
  drove_install_rpath(${P_TARGET} ${CMAKE_INSTALL_BINDIR})
  install(TARGETS ${P_TARGET} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${P_PACKAGE})
  foreach(m ${P_MAN})
    drove_install_man(${P_PACKAGE} ${m})
  endforeach()
  if(P_COMPLETION)
    get_target_property(cmd ${P_TARGET} OUTPUT_NAME)
    if(NOT cmd)
      set(cmd ${P_TARGET})
    endif()
    install(FILES ${P_COMPLETION} RENAME ${cmd} COMPONENT ${P_PACKAGE}
            DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  endif()
  drove_register_package(${P_PACKAGE} SUMMARY "${P_SUMMARY}" DESCRIPTION "${P_DESCRIPTION}"
    SECTION admin ELF ${P_TARGET})
endfunction()

# One call per daemon (see the top of this file). USER is `drove` for a daemon that needs no
# root, `root` otherwise. The unit, config and maintainer-script templates see @DROVE_NAME@,
# @DROVE_SHORT@ (NAME without "drove-"), @DROVE_USER@, @DROVE_BINDIR@, @DROVE_ETC@,
# @DROVE_CONFIG@ (its config file), @DROVE_STATE@ and @DROVE_LOG@ (its own state and log
# directories, /var/lib/drove/<short>, /var/log/drove/<short>), @DROVE_STATE_ROOT@ and
# @DROVE_LOG_ROOT@ (their parents).
function(drove_daemon_package)
  cmake_parse_arguments(P "" "NAME;TARGET;USER;CONFIG;UNIT;MAN;SUMMARY;DESCRIPTION" "DEPENDS"
                        ${ARGN})
  if(NOT P_TARGET)
    set(P_TARGET ${P_NAME})
  endif()
  if(NOT P_USER)
    set(P_USER drove)
  endif()
  string(REGEX REPLACE "^drove-" "" short ${P_NAME})
  set(dir ${DROVE_PACKAGING_DIR}/${P_NAME})
  if(NOT P_CONFIG)
    set(P_CONFIG ${dir}/${short}.yml)
  endif()
  if(NOT P_UNIT)
    set(P_UNIT ${dir}/${P_NAME}.service.in)
  endif()
  if(NOT P_MAN)
    set(P_MAN ${dir}/${P_NAME}.8)
  endif()
  foreach(f ${P_CONFIG} ${P_UNIT} ${P_MAN})
    if(NOT EXISTS ${f})
      message(FATAL_ERROR "drove_daemon_package(${P_NAME}): ${f} is missing")
    endif()
  endforeach()

  drove_install_rpath(${P_TARGET} ${CMAKE_INSTALL_BINDIR})
  install(TARGETS ${P_TARGET} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT ${P_NAME})

  get_filename_component(cfgname ${P_CONFIG} NAME)
  set(DROVE_NAME ${P_NAME})
  set(DROVE_USER ${P_USER})
  set(DROVE_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
  set(DROVE_ETC ${DROVE_ETC_FULL})
  set(DROVE_SHORT ${short})
  set(DROVE_STATE_ROOT ${DROVE_STATE_FULL})
  set(DROVE_STATE ${DROVE_STATE_FULL}/${short})
  set(DROVE_LOG_ROOT ${DROVE_LOG_FULL})
  set(DROVE_LOG ${DROVE_LOG_FULL}/${short})
  set(DROVE_CONFIG ${DROVE_ETC_FULL}/${cfgname})
  set(out ${DROVE_PKG_BINARY_DIR}/${P_NAME})
  # The config may name the state and log directories (@DROVE_STATE@, @DROVE_LOG@).
  configure_file(${P_CONFIG} ${out}/${cfgname} @ONLY)
  configure_file(${P_UNIT} ${out}/${P_NAME}.service @ONLY)
  install(FILES ${out}/${cfgname} DESTINATION ${DROVE_ETC_DIR} COMPONENT ${P_NAME})
  install(FILES ${out}/${P_NAME}.service DESTINATION ${DROVE_UNIT_DIR} COMPONENT ${P_NAME})
  drove_install_man(${P_NAME} ${P_MAN})

  # Maintainer scripts: the user, state and log directories, the unit's state.
  foreach(s postinst prerm postrm)
    configure_file(${DROVE_PACKAGING_DIR}/maint/daemon.${s}.in ${out}/maint/${s} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  file(WRITE ${out}/maint/conffiles "${DROVE_CONFIG}\n")
  set(extra_depends "")
  foreach(d ${P_DEPENDS})
    string(APPEND extra_depends ", ${d}")
  endforeach()
  drove_register_package(${P_NAME} SUMMARY "${P_SUMMARY}" DESCRIPTION "${P_DESCRIPTION}"
    SECTION admin MAINT ${out}/maint DEPENDS "adduser${extra_depends}" ELF ${P_TARGET})
endfunction()

function(drove_python_package)
  cmake_parse_arguments(P "" "TARGET;PACKAGE;SUBDIR" "FILES" ${ARGN})
  if(NOT P_PACKAGE)
    set(P_PACKAGE python3-drove)
  endif()
  set(dest ${DROVE_PYTHON_DIR})
  if(P_SUBDIR) # a package directory (SUBDIR drove: dist-packages/drove/)
    set(dest ${DROVE_PYTHON_DIR}/${P_SUBDIR})
  endif()
  drove_install_rpath(${P_TARGET} ${dest})
  install(TARGETS ${P_TARGET} LIBRARY DESTINATION ${dest} COMPONENT ${P_PACKAGE})
  install(FILES ${P_FILES} DESTINATION ${dest} COMPONENT ${P_PACKAGE})
  if(NOT Python3_EXECUTABLE)
    set(Python3_EXECUTABLE /usr/bin/python3)
  endif()
  execute_process(COMMAND ${Python3_EXECUTABLE} -c
    "import sys; print('%d.%d' % sys.version_info[:2]); print('%d.%d' % (sys.version_info[0], sys.version_info[1] + 1))"
    OUTPUT_VARIABLE pyv OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REPLACE "\n" ";" pyv "${pyv}")
  list(GET pyv 0 pycur)
  list(GET pyv 1 pynext)
  drove_register_package(${P_PACKAGE} SECTION python ELF ${P_TARGET}
    SUMMARY "Python 3 bindings of libdrove"
    DESCRIPTION "The drove package: a client of Drove clusters (apps, tasks, local services,
events, logs, waits) and offline placement plans, over libdrove (SWIG)."
    DEPENDS "python3 (>= ${pycur}), python3 (<< ${pynext})")
endfunction()
