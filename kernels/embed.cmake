# embed.cmake: writes a file's bytes into a C header, as a NUL-terminated char array (text such
# as OpenCL C) or, with WORDS, as little-endian 32-bit words (SPIR-V).
#   cmake -DIN=<file> -DOUT=<header> -DNAME=<symbol> [-DWORDS=1] [-DFROM=<source name>] -P embed.cmake
file(READ "${IN}" hex HEX)
if(NOT FROM)
  get_filename_component(FROM "${IN}" NAME)
endif()
if(WORDS)
  string(LENGTH "${hex}" digits)
  math(EXPR rest "${digits} % 8")
  if(NOT rest EQUAL 0)
    message(FATAL_ERROR "${IN}: not a whole number of 32-bit words")
  endif()
  string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f]+u,){8})" "\\1\n  " words "${words}")
  file(WRITE "${OUT}.tmp" "/* Generated from kernels/${FROM} by kernels/embed.cmake: do not edit. */\n"
    "#include <stdint.h>\n"
    "static const uint32_t ${NAME}[] = {\n  ${words}};\n")
else()
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n  "
         bytes "${bytes}")
  file(WRITE "${OUT}.tmp" "/* Generated from kernels/${FROM} by kernels/embed.cmake: do not edit. */\n"
    "static const char ${NAME}[] = {\n  ${bytes}0x00};\n")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
