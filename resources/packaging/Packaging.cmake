# Installs Anchorfix like a desktop application and builds the Debian package:
#   cmake --build build --target anchorfix anchorfix_data && (cd build && cpack -G DEB)
# (scripts/package.sh does exactly that). Included from the root CMakeLists.txt.
#
# `cmake --install` and cpack do not build everything first (tests and benchmarks are not
# installed): build the two targets above before installing.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# The AppStream id: the reverse-DNS of the home page (lower case, as AppStream asks).
set(ANCHORFIX_APP_ID "org.example.anchorfix")
set(ANCHORFIX_MAINTAINER "Anchorfix maintainers <maintainers@anchorfix.example.org>")
# The date of this version, for the metainfo <release> and the Debian changelog.
set(ANCHORFIX_RELEASE_DATE "2026-12-01")

set(_pkg_src ${CMAKE_CURRENT_SOURCE_DIR}/resources/packaging)
set(_pkg_out ${CMAKE_CURRENT_BINARY_DIR}/packaging)
set(_icon_svg ${CMAKE_CURRENT_SOURCE_DIR}/resources/icons/anchorfix.svg)
set(_docdir ${CMAKE_INSTALL_DATADIR}/doc/anchorfix)

execute_process(COMMAND date -u -R -d ${ANCHORFIX_RELEASE_DATE}
                OUTPUT_VARIABLE ANCHORFIX_RELEASE_DATE_RFC2822 OUTPUT_STRIP_TRAILING_WHITESPACE
                COMMAND_ERROR_IS_FATAL ANY)
string(SUBSTRING ${ANCHORFIX_RELEASE_DATE} 0 4 ANCHORFIX_RELEASE_YEAR)
# The man page carries the release date, not the build date, so that builds reproduce.
execute_process(COMMAND date -u +%Y-%m-%d -d ${ANCHORFIX_RELEASE_DATE}
                OUTPUT_VARIABLE ANCHORFIX_RELEASE_DATE_MAN OUTPUT_STRIP_TRAILING_WHITESPACE)

configure_file(${_pkg_src}/anchorfix.1.in ${_pkg_out}/anchorfix.1 @ONLY)
configure_file(${_pkg_src}/metainfo.xml.in ${_pkg_out}/${ANCHORFIX_APP_ID}.metainfo.xml @ONLY)
configure_file(${_pkg_src}/copyright.in ${_pkg_out}/copyright @ONLY)
configure_file(${_pkg_src}/changelog.Debian.in ${_pkg_out}/changelog.Debian @ONLY)

# PNG icons are rendered from the one SVG (rsvg-convert, Debian package librsvg2-bin).
find_program(RSVG_CONVERT rsvg-convert REQUIRED)
find_program(GZIP gzip REQUIRED)
set(ANCHORFIX_ICON_SIZES 16 32 48 64 128 256)
set(_data_outputs)
foreach(size IN LISTS ANCHORFIX_ICON_SIZES)
  set(_png ${_pkg_out}/icons/${size}x${size}/anchorfix.png)
  add_custom_command(OUTPUT ${_png}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_pkg_out}/icons/${size}x${size}
    COMMAND ${RSVG_CONVERT} --width=${size} --height=${size} --format=png
            --output=${_png} ${_icon_svg}
    DEPENDS ${_icon_svg} VERBATIM)
  list(APPEND _data_outputs ${_png})
  install(FILES ${_png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
endforeach()

# Debian wants man pages and changelogs compressed with gzip -9n (no name, no time stamp).
foreach(file anchorfix.1 changelog.Debian)
  add_custom_command(OUTPUT ${_pkg_out}/${file}.gz
    COMMAND ${GZIP} -9nkf ${_pkg_out}/${file}
    DEPENDS ${_pkg_out}/${file} VERBATIM)
  list(APPEND _data_outputs ${_pkg_out}/${file}.gz)
endforeach()
add_custom_target(anchorfix_data ALL DEPENDS ${_data_outputs})

install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/resources/anchorfix.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${_icon_svg} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${_pkg_out}/${ANCHORFIX_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${_pkg_out}/anchorfix.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${_pkg_src}/anchorfix.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME anchorfix)
install(FILES ${_pkg_out}/copyright ${_pkg_out}/changelog.Debian.gz DESTINATION ${_docdir})
install(FILES ${_pkg_src}/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME anchorfix)
# A stripping install (cpack, cmake --install --strip) also drops the .comment and .note
# sections, as dh_strip does: they only name the compiler.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${CMAKE_STRIP}\" --remove-section=.comment --remove-section=.note
      \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/anchorfix\"
      COMMAND_ERROR_IS_FATAL ANY)
  endif()")

# Full RELRO and immediate binding, as Debian's hardening flags ask (lintian checks them).
target_link_options(anchorfix PRIVATE -Wl,-z,relro -Wl,-z,now)

# --- The Debian package ------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME anchorfix)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Anchorfix")
set(CPACK_PACKAGE_CONTACT ${ANCHORFIX_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "repair the source-anchor link between Active Directory and Entra ID")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${ANCHORFIX_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${ANCHORFIX_HOMEPAGE})
# dpkg-shlibdeps adds the libraries the binary links; the plugins Qt loads at run time
# (the X11/Wayland platform plugins, the SVG icon loader) are not linked, so named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6svg6")
# QtKeychain keeps secrets in the desktop's Secret Service; without one the app still
# works and keeps them for the session only.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-keyring | kwalletmanager")
file(READ ${_pkg_src}/description.txt CPACK_DEBIAN_PACKAGE_DESCRIPTION)
string(STRIP "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}" CPACK_DEBIAN_PACKAGE_DESCRIPTION)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
include(CPack)
