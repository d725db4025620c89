# test_env.cmake: the environment every test (examples' too) runs in, as SYNTH_TEST_ENV.
# Sanitizer runtime options travel with the tests, so a plain `ctest` checks the same things.
set(SYNTH_TEST_ENV "")
if(SYNTH_SANITIZE)
  # Mesa's lavapipe (the Vulkan driver the tests run on; seen with Debian's 22.3.6-1+deb12u2)
  # leaks 128 bytes in a one-time initializer each time it is loaded, and the Vulkan loader
  # unloads it with every instance: once unloaded, LSan no longer knows whose the leak was
  # ("<unknown module>") and lsan.supp cannot name it. Preloaded, it stays mapped, loads once,
  # and its leak is known as its own. Its path comes from its ICD file; the preload comes before
  # the sanitizer runtime in the link order, which ASan then must not refuse.
  set(asan_order "")
  set(preload "")
  file(GLOB lvp_icds /usr/share/vulkan/icd.d/lvp_icd*.json)
  if(lvp_icds)
    list(GET lvp_icds 0 lvp_icd)
    file(READ ${lvp_icd} lvp_json)
    string(REGEX MATCH "\"library_path\"[ \t\r\n]*:[ \t\r\n]*\"([^\"]+)\"" lvp_match "${lvp_json}")
    if(CMAKE_MATCH_1 AND EXISTS "${CMAKE_MATCH_1}")
      set(preload "LD_PRELOAD=${CMAKE_MATCH_1}")
      set(asan_order ":verify_asan_link_order=0")
    endif()
  endif()
  set(SYNTH_TEST_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1${asan_order}"
    "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    ${preload})
  # Nothing else is preloaded: the test programs carry their sanitizer runtime themselves, and a
  # preloaded one would also load into the processes that drivers start (PoCL runs its kernel
  # linker as a child), which are not ours and fail under it.
elseif(SYNTH_TSAN)
  set(SYNTH_TEST_ENV
    "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp:halt_on_error=1:second_deadlock_stack=1")
endif()
