#!/usr/bin/env bash
# Sourced by ./w2v and .ci/run: selects JDK 25 and says which compute backends can run here.
# TornadoVM ships as an SDK, not as a Maven artifact; where one is installed (TORNADOVM_HOME, or
# the older TORNADO_SDK) we report it, but w2v4j has no TornadoVM backend yet, so the Java
# backend (always) and the OpenCL backend (where an OpenCL platform exists) are what run.
#
# What is verified where:
#   java              every platform; the default and the oracle; CI.
#   opencl on PoCL    CI (.ci/run installs pocl-opencl-icd): every kernel, a whole forward pass,
#                     w2v extract and one training update against java.
#   opencl on NVIDIA  the same OpenCL C through NVIDIA's ICD: not yet verified (no GPU machine was
#                     available when the backend was written).
#   tornadovm         not verified; there is no TornadoVM backend.

w2v_find_jdk25() {
  local c
  for c in "${W2V_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 \
           /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    if "$c/bin/java" -version 2>&1 | grep -qE 'version "2[5-9]'; then echo "$c"; return 0; fi
  done
  return 1
}

if ! W2V_JDK=$(w2v_find_jdk25); then
  echo "w2v: JDK 25 not found (looked in \$W2V_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm/temurin-25-jdk-amd64); install Temurin 25 or set W2V_JAVA_HOME" >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$W2V_JDK"
export PATH="$JAVA_HOME/bin:$PATH"

W2V_TORNADO_SDK="${TORNADOVM_HOME:-${TORNADO_SDK:-}}"
w2v_backend_report() {
  echo "java:      $JAVA_HOME"
  if [ -n "$W2V_TORNADO_SDK" ] && [ -d "$W2V_TORNADO_SDK" ]; then
    echo "tornadovm: SDK found at $W2V_TORNADO_SDK (not used: w2v4j has no TornadoVM backend yet; kernels are written in its form)"
  else
    echo "tornadovm: no SDK (TORNADOVM_HOME / TORNADO_SDK unset)"
  fi
  if command -v clinfo >/dev/null 2>&1 && [ "$(clinfo -l 2>/dev/null | grep -c Platform)" -gt 0 ]; then
    # every platform and device, numbered in clinfo's order (--backend opencl --device N counts
    # devices across platforms in this order)
    clinfo -l 2>/dev/null | sed 's/^/opencl:    /'
    echo "opencl:    verified: PoCL (CPU) in CI; NVIDIA GPUs not yet verified; --backend opencl [--device N]"
  elif command -v clinfo >/dev/null 2>&1; then
    echo "opencl:    no platform found (install pocl-opencl-icd ocl-icd-libopencl1 for OpenCL on the CPU)"
  else
    echo "opencl:    clinfo not installed, platforms unknown (apt-get install clinfo pocl-opencl-icd ocl-icd-libopencl1)"
  fi
  echo "backend:   java (default; choose another with --backend NAME)"
}

# Run directly (not sourced): print the report.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  w2v_backend_report
fi
