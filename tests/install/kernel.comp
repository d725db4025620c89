// kernel.comp: a tiny GLSL compute shader, only for the install test to embed (never run). It
// includes the installed prelude, so the embed helper must find it.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "synth_prelude.glsl"
layout(local_size_x = 64) in;
void main()
{
  SYNTH_LEAVE_IF_ABORTED();
  synth_report_hit(synth_sha256_k[gl_GlobalInvocationID.x % 64u]);
}
