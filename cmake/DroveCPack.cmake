# CPack DEB settings for the packages registered with cmake/DrovePackaging.cmake
# (docs/packaging.md). Included once, at the end of the top CMakeLists, after every
# drove_*_package() call. `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr
# writes one .deb per registered package.
include_guard(GLOBAL)

get_property(drove_pkgs GLOBAL PROPERTY DROVE_PACKAGES)
set(DROVE_DEB_VERSION ${PROJECT_VERSION}-${DROVE_DEB_REVISION})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME libdrove)
set(CPACK_PACKAGE_VENDOR "libdrove")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Each package's first description line is its own synopsis: CPack prepends the project's
# summary unless it is CPack's default one.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_CONTACT "libdrove maintainers <maintainers@libdrove.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/deb)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${drove_pkgs})
set(CPACK_DEBIAN_PACKAGE_RELEASE ${DROVE_DEB_REVISION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SOURCE libdrove)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/PhonePe/drove-orchestrator")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Shared-library dependencies come from dpkg-shlibdeps, run by cmake/DroveCPackProject.cmake
# with the library package's own shlibs line (${DROVE_LIB_PKG}, libdrove1, is not installed
# while the packages are built).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)

# Per package: name, section, description, maintainer scripts, extra Depends, ELF files.
set(drove_elf_lines "")
foreach(pkg ${drove_pkgs})
  string(TOUPPER ${pkg} P)
  foreach(k SUMMARY DESCRIPTION SECTION MAINT DEPENDS ELF)
    get_property(v_${k} GLOBAL PROPERTY DROVE_PKG_${pkg}_${k})
  endforeach()
  set(CPACK_DEBIAN_${P}_PACKAGE_NAME ${pkg})
  set(CPACK_DEBIAN_${P}_PACKAGE_SECTION ${v_SECTION})
  set(CPACK_DEBIAN_${P}_DESCRIPTION "${v_SUMMARY}\n${v_DESCRIPTION}")
  set(extra "")
  if(v_MAINT)
    foreach(s conffiles postinst prerm postrm triggers)
      if(EXISTS ${v_MAINT}/${s})
        list(APPEND extra ${v_MAINT}/${s})
      endif()
    endforeach()
  endif()
  set(CPACK_DEBIAN_${P}_PACKAGE_CONTROL_EXTRA "${extra}")
  set(CPACK_DEBIAN_${P}_PACKAGE_DEPENDS "${v_DEPENDS}")
  string(APPEND drove_elf_lines "set(DROVE_ELF_${P} \"${v_ELF}\")\n")
endforeach()

# The library package's shlibs, symbols and ldconfig trigger (generated at package time from the built
# library's dynamic symbol table by cmake/DroveCPackProject.cmake).
string(TOUPPER ${DROVE_LIB_PKG} DROVE_LIB_PKG_UPPER)
set(CPACK_DEBIAN_${DROVE_LIB_PKG_UPPER}_PACKAGE_CONTROL_EXTRA
    "${DROVE_PKG_BINARY_DIR}/${DROVE_LIB_PKG}/shlibs;${DROVE_PKG_BINARY_DIR}/${DROVE_LIB_PKG}/symbols;${DROVE_PKG_BINARY_DIR}/${DROVE_LIB_PKG}/triggers")
set(DROVE_SHLIBS_LINE "libdrove ${DROVE_SOVERSION} ${DROVE_LIB_PKG} (>= ${PROJECT_VERSION})")
file(WRITE ${DROVE_PKG_BINARY_DIR}/${DROVE_LIB_PKG}/triggers "activate-noawait ldconfig\n")

# The per-package ELF list is only known at generate time.
file(GENERATE OUTPUT ${DROVE_PKG_BINARY_DIR}/cpack-elf.cmake CONTENT "${drove_elf_lines}
set(DROVE_LIBRARY \"$<TARGET_FILE:drove>\")
")
configure_file(${PROJECT_SOURCE_DIR}/cmake/DroveCPackProject.cmake.in
               ${DROVE_PKG_BINARY_DIR}/DroveCPackProject.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${DROVE_PKG_BINARY_DIR}/DroveCPackProject.cmake)
include(CPack)
foreach(pkg ${drove_pkgs})
  cpack_add_component(${pkg})
endforeach()
