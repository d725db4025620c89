# test_env.cmake: the environment every test (examples' too) runs in, as SYNTH_TEST_ENV.
# Sanitizer runtime options travel with the tests, so a plain `ctest` checks the same things.
set(SYNTH_TEST_ENV "")
if(SYNTH_SANITIZE)
  set(SYNTH_TEST_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  # Nothing is preloaded: the test programs carry their sanitizer runtime themselves, and a
  # preloaded one would also load into the processes that drivers start (PoCL runs its kernel
  # linker as a child), which are not ours and fail under it.
elseif(SYNTH_TSAN)
  set(SYNTH_TEST_ENV
    "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp:halt_on_error=1:second_deadlock_stack=1")
endif()
