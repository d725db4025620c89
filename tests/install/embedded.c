/* embedded.c: the headers the installed synthEmbed.cmake wrote hold exactly the kernel files,
 * as the types a workload descriptor takes (OpenCL C text, SPIR-V words). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synth/synth.h>

#include "kernel_cl.h"
#include "kernel_comp.h"

/* The whole file at path (its size in *size), or NULL. */
static unsigned char *read_file(const char *path, size_t *size)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf = f ? malloc(1 << 16) : NULL;
  *size = buf ? fread(buf, 1, 1 << 16, f) : 0;
  if (f)
    fclose(f);
  return buf;
}

int main(void)
{
  const struct synth_opencl_kernel cl = {probe_cl, "probe", NULL};
  const struct synth_vulkan_kernel vk = {probe_spirv, sizeof probe_spirv, "main"};
  size_t cl_size, spv_size;
  unsigned char *cl_file = read_file(CL_FILE, &cl_size);
  unsigned char *spv_file = read_file(SPV_FILE, &spv_size);
  int ok = cl_file && spv_file;
  /* The text with its NUL; the words as the file's bytes (SPIR-V is little-endian, as here). */
  ok = ok && sizeof probe_cl == cl_size + 1 && memcmp(cl.source, cl_file, cl_size) == 0 &&
       probe_cl[cl_size] == '\0' && strstr(cl.source, "__kernel void probe") != NULL;
  ok = ok && vk.spirv_size == spv_size && memcmp(vk.spirv, spv_file, spv_size) == 0 &&
       probe_spirv[0] == 0x07230203u;
  free(cl_file);
  free(spv_file);
  printf("embedded: %zu bytes of OpenCL C, %zu bytes of SPIR-V: %s\n", cl_size, spv_size,
         ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
