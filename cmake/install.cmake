# What `make install` and `make deb` install besides libtessera-verify: the
# tessera binary, its man pages and default config file (printed by the
# binary from its table of settings), a hardened systemd unit and the
# sysusers.d entry of its user.  Included by CMakeLists.txt after GNUInstallDirs.

# Empty: under the prefix, which systemd searches for /usr and /usr/local alike.
set(TSR_SYSTEMD_UNITDIR "" CACHE PATH "Where tessera.service is installed (PREFIX/lib/systemd/system)")
set(TSR_SYSUSERSDIR "" CACHE PATH "Where the tessera user's sysusers.d entry goes (PREFIX/lib/sysusers.d)")
set(TSR_UNITDIR ${TSR_SYSTEMD_UNITDIR})
if(NOT TSR_UNITDIR)
  set(TSR_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(TSR_USERSDIR ${TSR_SYSUSERSDIR})
if(NOT TSR_USERSDIR)
  set(TSR_USERSDIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
endif()
# /etc/tessera/tessera.conf for the prefix /usr, PREFIX/etc/tessera/tessera.conf otherwise.
set(TSR_CONFIG_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/tessera/tessera.conf")

foreach(doc tessera.1 tessera.conf.5 tessera.conf)
  add_custom_command(
    OUTPUT ${CMAKE_BINARY_DIR}/${doc}
    COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:tessera> -DWHAT=${doc}
            -DSYSCONFDIR=${CMAKE_INSTALL_FULL_SYSCONFDIR} -DOUT=${CMAKE_BINARY_DIR}/${doc}
            -P ${CMAKE_SOURCE_DIR}/cmake/generate_doc.cmake
    DEPENDS tessera ${CMAKE_SOURCE_DIR}/cmake/generate_doc.cmake
    COMMENT "Generating ${doc}")
  list(APPEND TSR_DOCS ${CMAKE_BINARY_DIR}/${doc})
endforeach()
add_custom_target(tessera-docs ALL DEPENDS ${TSR_DOCS})

configure_file(${CMAKE_SOURCE_DIR}/packaging/tessera.service.in
  ${CMAKE_BINARY_DIR}/tessera.service @ONLY)

install(TARGETS tessera RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_BINARY_DIR}/tessera.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_BINARY_DIR}/tessera.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${CMAKE_BINARY_DIR}/tessera.service DESTINATION ${TSR_UNITDIR})
install(FILES ${CMAKE_SOURCE_DIR}/packaging/tessera.sysusers DESTINATION ${TSR_USERSDIR}
  RENAME tessera.conf)
# The config file is the administrator's once installed: a second `make
# install` leaves an existing one alone (the package's is a dpkg conffile).
install(CODE "
  set(conf \"\$ENV{DESTDIR}${TSR_CONFIG_FILE}\")
  if(EXISTS \"\${conf}\")
    message(STATUS \"Kept: \${conf}\")
  else()
    file(INSTALL \"${CMAKE_BINARY_DIR}/tessera.conf\"
      DESTINATION \"${CMAKE_INSTALL_FULL_SYSCONFDIR}/tessera\"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()")

# `make deb`: one Debian package of all the above (CPack's DEB generator).
foreach(script postinst conffiles)
  configure_file(${CMAKE_SOURCE_DIR}/packaging/deb/${script}.in
    ${CMAKE_BINARY_DIR}/deb/${script} @ONLY)
endforeach()
file(COPY ${CMAKE_SOURCE_DIR}/packaging/deb/prerm ${CMAKE_SOURCE_DIR}/packaging/deb/postrm
  ${CMAKE_SOURCE_DIR}/packaging/deb/triggers DESTINATION ${CMAKE_BINARY_DIR}/deb)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tessera)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OAuth 2.0 and OpenID Connect authorization server")
set(CPACK_PACKAGE_DESCRIPTION
  "Tessera is a self-hosted OAuth 2.0 and OpenID Connect authorization server whose\n\
Authentication API and Management API v2 follow Auth0's, with libtessera-verify,\n\
the C library an API links to check the access tokens it issues.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# Everything through DESTDIR, so that /etc and the unit land in the package.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Tessera maintainers <tessera@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries by dpkg-shlibdeps; passwd for useradd in postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd")
# A shlibs file for libtessera-verify.so.0; its ldconfig trigger is packaging/deb/triggers.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_BINARY_DIR}/deb/postinst ${CMAKE_BINARY_DIR}/deb/prerm
  ${CMAKE_BINARY_DIR}/deb/postrm ${CMAKE_BINARY_DIR}/deb/conffiles ${CMAKE_BINARY_DIR}/deb/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
