# Fails when the tessera binary (BIN) names libcurl among the libraries it
# needs, or exports a curl_* symbol: it loads libcurl on first use
# (src/curldl), and its wrappers must bind its own calls only.  Run by ctest
# as tessera_loads_libcurl_late.
execute_process(COMMAND objdump -p ${BIN} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objdump -p failed on ${BIN}")
endif()
string(REGEX MATCHALL "NEEDED +[^\n]+" needed "${out}")
if(NOT needed)
  message(FATAL_ERROR "no NEEDED entry in ${BIN}: not a dynamic executable?")
endif()
foreach(n ${needed})
  if(n MATCHES "libcurl")
    message(FATAL_ERROR "${BIN} links libcurl (${n}); it must load it with dlopen (src/curldl)")
  endif()
endforeach()
execute_process(COMMAND nm -D --defined-only ${BIN} OUTPUT_VARIABLE syms RESULT_VARIABLE rc)
if(rc EQUAL 0 AND syms MATCHES "[ \n]curl_[a-z_]+")
  message(FATAL_ERROR "${BIN} exports ${CMAKE_MATCH_0}: the curl_* wrappers must stay hidden")
endif()
message(STATUS "${BIN} needs ${needed}; no libcurl")
