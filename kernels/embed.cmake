# embed.cmake: writes a file's bytes into a C header as a NUL-terminated char array.
#   cmake -DIN=<file> -DOUT=<header> -DNAME=<symbol> -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n  "
       bytes "${bytes}")
get_filename_component(src "${IN}" NAME)
file(WRITE "${OUT}.tmp" "/* Generated from kernels/${src} by kernels/embed.cmake: do not edit. */\n"
  "static const char ${NAME}[] = {\n  ${bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
