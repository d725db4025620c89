# test_env.cmake: the environment every test (examples' too) runs in, as SYNTH_TEST_ENV.
# Sanitizer runtime options travel with the tests, so a plain `ctest` checks the same things.
set(SYNTH_TEST_ENV "")
if(SYNTH_SANITIZE)
  set(SYNTH_TEST_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  # The Vulkan loader unloads drivers before LeakSanitizer reports, which leaves a driver's own
  # leaks (lsan.supp) without a module name to suppress them by: keep lavapipe loaded.
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
    OUTPUT_VARIABLE SYNTH_ASAN_LIB OUTPUT_STRIP_TRAILING_WHITESPACE)
  find_library(SYNTH_LAVAPIPE_LIB vulkan_lvp)
  if(SYNTH_LAVAPIPE_LIB AND EXISTS "${SYNTH_ASAN_LIB}")
    list(APPEND SYNTH_TEST_ENV "LD_PRELOAD=${SYNTH_ASAN_LIB}:${SYNTH_LAVAPIPE_LIB}")
  endif()
elseif(SYNTH_TSAN)
  set(SYNTH_TEST_ENV
    "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp:halt_on_error=1:second_deadlock_stack=1")
endif()
