# Runs `tessera generate WHAT --sysconfdir SYSCONFDIR` into OUT (cmake -P).
# The sanitizer build's binary runs here too: its leak check is off, since
# some sandboxes refuse it and the document is what is wanted.
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          ${BIN} generate ${WHAT} --sysconfdir ${SYSCONFDIR}
  OUTPUT_FILE ${OUT}.tmp
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "tessera generate ${WHAT} failed: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
