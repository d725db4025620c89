# synthEmbed.cmake: embeds device code into C headers at build time, for the library's own
# kernels, the examples' and (installed next to synthConfig.cmake) any program using synth.
#
#   include(synthEmbed)    # after find_package(synth); in this project, from cmake/
#   synth_embed_text(<source> <symbol> <header>)    # NUL-terminated `static const char symbol[]`
#   synth_embed_spirv(<glsl> <symbol> <header>)     # SPIR-V as `static const uint32_t symbol[]`
#
# Relative sources are taken from the current source folder, relative headers from the current
# binary folder. The header is a custom command's output: list it among the sources of a
# target in the same folder (or make a custom target depend on it) so it is generated first.
# The same file, run as `cmake -DSYNTH_EMBED_IN=... -P synthEmbed.cmake`, writes one header.

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED SYNTH_EMBED_IN)
  # Script mode: IN, OUT, NAME, WORDS (SPIR-V words rather than text), FROM (the name to cite).
  file(READ "${SYNTH_EMBED_IN}" hex HEX)
  set(banner "/* Generated from ${SYNTH_EMBED_FROM} by synthEmbed.cmake: do not edit. */\n")
  if(SYNTH_EMBED_WORDS)
    string(LENGTH "${hex}" digits)
    math(EXPR rest "${digits} % 8")
    if(digits EQUAL 0 OR NOT rest EQUAL 0)
      message(FATAL_ERROR "${SYNTH_EMBED_IN}: not a whole, non-empty number of 32-bit words")
    endif()
    # Little-endian words, whatever the host: SPIR-V files are little-endian here.
    string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
    string(REPEAT "0x........u," 8 line) # eight words a line (CMake regexes have no {n})
    string(REGEX REPLACE "(${line})" "\\1\n  " words "${words}")
    file(WRITE "${SYNTH_EMBED_OUT}.tmp" "${banner}#include <stdint.h>\n"
      "static const uint32_t ${SYNTH_EMBED_NAME}[] = {\n  ${words}};\n")
  else()
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    string(REPEAT "0x..," 12 line)
    string(REGEX REPLACE "(${line})" "\\1\n  " bytes "${bytes}")
    file(WRITE "${SYNTH_EMBED_OUT}.tmp" "${banner}"
      "static const char ${SYNTH_EMBED_NAME}[] = {\n  ${bytes}0x00};\n")
  endif()
  # Renamed into place, so an interrupted build never leaves half a header behind.
  file(RENAME "${SYNTH_EMBED_OUT}.tmp" "${SYNTH_EMBED_OUT}")
  return()
endif()

include_guard(GLOBAL)
find_program(SYNTH_GLSLANG glslangValidator DOC "glslangValidator, for synth_embed_spirv")
# Where synth_prelude.glsl and sha256_k.h are, for a shader's #include: synthConfig.cmake sets
# it to the installed include/synth/kernels, this project to its kernels/ folder; otherwise a
# guess from this file's place (lib/cmake/synth).
if(NOT SYNTH_KERNEL_INCLUDE_DIR)
  get_filename_component(SYNTH_KERNEL_INCLUDE_DIR
    "${CMAKE_CURRENT_LIST_DIR}/../../../include/synth/kernels" ABSOLUTE)
endif()

# Absolute source and header paths, the header's folder created.
macro(_synth_embed_paths source header)
  get_filename_component(_src "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(_out "${header}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  get_filename_component(_name "${_src}" NAME)
  get_filename_component(_dir "${_out}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
endmacro()

function(synth_embed_text source symbol header)
  _synth_embed_paths("${source}" "${header}")
  add_custom_command(OUTPUT "${_out}"
    COMMAND ${CMAKE_COMMAND} -DSYNTH_EMBED_IN=${_src} -DSYNTH_EMBED_OUT=${_out}
            -DSYNTH_EMBED_NAME=${symbol} -DSYNTH_EMBED_FROM=${_name}
            -P ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
    DEPENDS "${_src}" ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
    COMMENT "Embedding ${_name}" VERBATIM)
endfunction()

# GLSL compute shaders are compiled for Vulkan 1.0, the version the runtime asks for.
function(synth_embed_spirv source symbol header)
  if(NOT SYNTH_GLSLANG)
    message(FATAL_ERROR "synth_embed_spirv(${source}): glslangValidator not found "
      "(Debian: glslang-tools); set SYNTH_GLSLANG to it")
  endif()
  _synth_embed_paths("${source}" "${header}")
  set(spv "${_dir}/${_name}.spv")
  add_custom_command(OUTPUT "${_out}"
    BYPRODUCTS "${spv}"
    COMMAND ${SYNTH_GLSLANG} -V --target-env vulkan1.0 -I${SYNTH_KERNEL_INCLUDE_DIR} -o ${spv}
            ${_src}
    COMMAND ${CMAKE_COMMAND} -DSYNTH_EMBED_IN=${spv} -DSYNTH_EMBED_OUT=${_out}
            -DSYNTH_EMBED_NAME=${symbol} -DSYNTH_EMBED_WORDS=1 -DSYNTH_EMBED_FROM=${_name}
            -P ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
    DEPENDS "${_src}" ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
            ${SYNTH_KERNEL_INCLUDE_DIR}/synth_prelude.glsl ${SYNTH_KERNEL_INCLUDE_DIR}/sha256_k.h
    COMMENT "Compiling ${_name} to SPIR-V" VERBATIM)
endfunction()
