// kernel.comp: a tiny GLSL compute shader, only for the install test to embed (never run).
#version 450
layout(local_size_x = 64) in;
layout(std430, set = 0, binding = 0) buffer Out { uint v[]; } result;
void main()
{
  result.v[gl_GlobalInvocationID.x] = 0x5eed5eedu;
}
