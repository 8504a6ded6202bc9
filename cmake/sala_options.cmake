# SALA_WITH_<PART>: one option per part with a dependency of its own. The
# default is ON when the dependency is found (quietly probed here); turning a
# part ON without its dependency fails at configure time with CMake's message.
find_package(SQLite3 QUIET)
find_package(PostgreSQL QUIET)
find_package(CURL QUIET)
option(SALA_WITH_SQLITE "Build sala::sqlite, the embedded store (SQLite3)" ${SQLite3_FOUND})
option(SALA_WITH_POSTGRES "Build sala::postgres, the shared store (libpq)" ${PostgreSQL_FOUND})
option(SALA_WITH_ZOOM "Build sala::zoom, the Zoom REST adapter (libcurl)" ${CURL_FOUND})
option(SALA_WITH_SMTP "Build sala::smtp, the SMTP mailer (libcurl)" ${CURL_FOUND})

# The command line stores its state in SQLite.
if(SALA_TOPLEVEL AND SALA_WITH_SQLITE)
  set(_sala_cli_default ON)
else()
  set(_sala_cli_default OFF)
endif()
option(SALA_WITH_CLI "Build the sala command (needs SALA_WITH_SQLITE)" ${_sala_cli_default})
if(SALA_WITH_CLI AND NOT SALA_WITH_SQLITE)
  message(FATAL_ERROR "SALA_WITH_CLI needs SALA_WITH_SQLITE")
endif()

# The C API (include/sala/c/sala.h) opens a durable platform on SQLite.
option(SALA_WITH_C_API "Build sala::c, the C API (needs SALA_WITH_SQLITE)" ${SALA_WITH_SQLITE})
if(SALA_WITH_C_API AND NOT SALA_WITH_SQLITE)
  message(FATAL_ERROR "SALA_WITH_C_API needs SALA_WITH_SQLITE")
endif()

# The Python module: top-level builds only, when pybind11 is there. The older
# name SALA_PYTHON is honoured.
set(_sala_py_default OFF)
if(DEFINED SALA_PYTHON)
  set(_sala_py_default ${SALA_PYTHON})
elseif(SALA_TOPLEVEL)
  # Only whether pybind11 is installed; bindings/python finds Python itself.
  find_path(_sala_pybind11_include pybind11/pybind11.h)
  if(_sala_pybind11_include)
    set(_sala_py_default ON)
  endif()
endif()
option(SALA_WITH_PYTHON "Build the Python module (pybind11)" ${_sala_py_default})

# sala_component(<target> <name> <find_dependency args>...): exports an
# adapter target as COMPONENT <name> of find_package(sala), with its own
# export file and the packages a consumer must find for it.
function(sala_component target name)
  set_property(GLOBAL APPEND PROPERTY SALA_COMPONENTS ${name})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  add_library(sala::${name} ALIAS ${target})
  sala_library_abi(${target})
  # sala-<name>.pc: the component's library on top of sala.pc (or of outbox's).
  set(_pc_needs_SQLite3 sqlite3)
  set(_pc_needs_PostgreSQL libpq)
  set(_pc_needs_CURL libcurl)
  set(private "")
  foreach(d IN LISTS ARGN)
    list(APPEND private ${_pc_needs_${d}})
  endforeach()
  set(base sala)
  if(name STREQUAL "smtp")
    set(base sala-outbox)
  endif()
  if(NOT name STREQUAL "c")  # the C API writes its own (src/c/CMakeLists.txt)
    sala_pkgconfig(sala-${name} DESCRIPTION "sala's ${name} adapter" LIBS -l${target}
      REQUIRES ${base} REQUIRES_PRIVATE ${private})
  endif()
  if(SALA_INSTALL)
    install(TARGETS ${target} EXPORT sala-${name}-targets
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
      LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
      RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(EXPORT sala-${name}-targets NAMESPACE sala:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sala)
    string(REPLACE ";" " " deps "${ARGN}")
    file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/sala-${name}-deps.cmake
      CONTENT "# Packages sala::${name} needs (generated).\nset(_sala_${name}_deps \"${deps}\")\n")
    install(FILES ${PROJECT_BINARY_DIR}/sala-${name}-deps.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sala)
  endif()
endfunction()
