/* kernel.cl: a tiny OpenCL C kernel, only for the install test to embed (never run). */
__kernel void probe(__global uint *out)
{
  out[get_global_id(0)] = 0x5eed5eedu;
}
