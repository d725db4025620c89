# packaging.cmake: Debian packages from the install rules, `cpack -G DEB` in a build folder
# (docs/packaging.md). One package per install component: synthminer (the command and its
# service), libsynth0 (the shared libraries), libsynth-dev (what building against them needs).
set(CPACK_PACKAGE_NAME synthminer)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(SYNTH_PACKAGE_MAINTAINER "synthminer maintainers <maintainers@synthminer.invalid>"
  CACHE STRING "The Maintainer field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "${SYNTH_PACKAGE_MAINTAINER}")
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL synthminer libsynth0 libsynth-dev)
# Packages install into /usr, whatever prefix the build was configured for. The install runs
# with DESTDIR and the prefix /usr itself, so that the config's rule puts it in /etc.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
# Debian ships programs and libraries stripped (the install tree of `cmake --install` is not).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Dependencies on other packages' libraries come from dpkg-shlibdeps. It finds the project's
# own libraries in the build's folders (each package is staged apart, so the command's run
# path finds nothing) and leaves them out, as no installed package holds them; the packages'
# dependencies on libsynth0 are declared instead (CPACK_COMPONENT_*_DEPENDS).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
get_target_property(synth_lib_dir synth BINARY_DIR)
get_target_property(synth_pool_lib_dir synth_pool BINARY_DIR)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${synth_lib_dir} ${synth_pool_lib_dir})
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# Control files: maintainer scripts, conffiles, triggers, one folder per package.
set(synth_deb_dir ${CMAKE_CURRENT_LIST_DIR}/deb)

set(CPACK_DEBIAN_SYNTHMINER_PACKAGE_NAME synthminer)
set(CPACK_DEBIAN_SYNTHMINER_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_SYNTHMINER_DEPENDS libsynth0)
set(CPACK_COMPONENT_SYNTHMINER_DESCRIPTION
  "heterogeneous SHA-256d miner for CPUs, OpenCL and Vulkan devices
synthminer drives every CPU core, OpenCL device and Vulkan compute device as one pool
of hashing capacity, for a Stratum V1 pool, solo from a Bitcoin node, or the built-in
benchmark job. It serves a local JSON and Prometheus API and ships a hardened systemd
service, installed disabled: edit /etc/synthminer/config.json, then enable it.")
set(CPACK_DEBIAN_SYNTHMINER_PACKAGE_CONTROL_EXTRA ${synth_deb_dir}/synthminer/conffiles
  ${synth_deb_dir}/synthminer/postinst ${synth_deb_dir}/synthminer/prerm
  ${synth_deb_dir}/synthminer/postrm)

set(CPACK_DEBIAN_LIBSYNTH0_PACKAGE_NAME libsynth0)
set(CPACK_DEBIAN_LIBSYNTH0_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIBSYNTH0_DESCRIPTION
  "heterogeneous work-stealing hashing runtime (shared libraries)
libsynth runs a hashing workload (SHA-256d built in, others described by the program)
on every CPU core, OpenCL and Vulkan device through one work-stealing scheduler;
libsynth-pool is its Stratum V1 and solo-mining client.")
# A shlibs file for each package with shared libraries (libsynth0 alone, for both sonames):
# what dpkg-shlibdeps reads when other packages link them. ldconfig runs from a trigger.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_LIBSYNTH0_PACKAGE_CONTROL_EXTRA ${synth_deb_dir}/libsynth0/triggers
  ${synth_deb_dir}/libsynth0/postinst ${synth_deb_dir}/libsynth0/postrm)

set(CPACK_DEBIAN_LIBSYNTH-DEV_PACKAGE_NAME libsynth-dev)
set(CPACK_DEBIAN_LIBSYNTH-DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_LIBSYNTH-DEV_DEPENDS libsynth0)
set(CPACK_COMPONENT_LIBSYNTH-DEV_DESCRIPTION
  "heterogeneous work-stealing hashing runtime (development files)
Headers (synth/), the static libraries, pkg-config modules synth and synth-pool, the
CMake package (find_package(synth)) with its kernel-embedding helper, the kernel
preludes for workloads' own OpenCL and GLSL kernels, and libsynth(3).")

include(CPack)
