# Install layout and the .deb (CPack). `cmake --install build` lays out:
#   /usr/bin/herald
#   /lib/systemd/system/herald.service
#   /usr/share/herald/web/            the web UI's assets
#   /etc/herald/herald.toml           paths rewritten for an installed system
#   /etc/herald/draft_prompt.txt      the drafting prompt admins may edit
#   /etc/herald/sources.d/*.toml

install(TARGETS herald RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/herald.service DESTINATION /lib/systemd/system)
# web/CMakeLists.txt installs the UI's templates and assets under /usr/share/herald/web.

# One herald.toml is maintained (config/herald.toml); the installed copy only swaps the
# checkout's relative paths for the service's directories.
file(READ ${PROJECT_SOURCE_DIR}/config/herald.toml herald_toml)
string(REPLACE "\"../state/herald.db\"" "\"/var/lib/herald/herald.db\"" herald_toml "${herald_toml}")
string(REGEX REPLACE "\nfixtures = [^\n]*" "" herald_toml "${herald_toml}")
file(WRITE ${PROJECT_BINARY_DIR}/installed/herald.toml "${herald_toml}")
install(FILES ${PROJECT_BINARY_DIR}/installed/herald.toml DESTINATION /etc/herald)
# The drafting prompt is read from beside herald.toml ([draft] prompt_file's default).
install(FILES ${PROJECT_SOURCE_DIR}/config/draft_prompt.txt DESTINATION /etc/herald)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/sources.d/ DESTINATION /etc/herald/sources.d
        FILES_MATCHING PATTERN "*.toml")

# Every file under /etc is a conffile: an admin's edits survive upgrades.
file(GLOB shipped_sources RELATIVE ${PROJECT_SOURCE_DIR}/config/sources.d
     ${PROJECT_SOURCE_DIR}/config/sources.d/*.toml)
set(conffiles "/etc/herald/herald.toml\n/etc/herald/draft_prompt.txt\n")
foreach(source IN LISTS shipped_sources)
  string(APPEND conffiles "/etc/herald/sources.d/${source}\n")
endforeach()
file(WRITE ${PROJECT_BINARY_DIR}/installed/conffiles "${conffiles}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME herald)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "herald maintainers <newsletter-ops@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "watches regulators' and companies' websites and queues AI-law news for editors")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # library dependencies from the binary (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd, tzdata, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/installed/conffiles
                                       ${PROJECT_SOURCE_DIR}/systemd/debian/postinst
                                       ${PROJECT_SOURCE_DIR}/systemd/debian/prerm
                                       ${PROJECT_SOURCE_DIR}/systemd/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
