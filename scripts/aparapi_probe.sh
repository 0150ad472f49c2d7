#!/usr/bin/env bash
# Measures Aparapi (Java kernel bodies translated to OpenCL at run time) on the first OpenCL
# device beside the opencl backend's OpenCL C kernels: w2v4j.bench.AparapiProbe. Needs an OpenCL
# ICD (e.g. apt-get install pocl-opencl-icd). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -B -ntp -q -Pjmh -DskipTests install
jar=$(ls bench/target/*.jar | grep -v original | head -1)
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$jar" w2v4j.bench.AparapiProbe 2>&1 \
  | grep -v -E '^WARNING: (A restricted|java.lang.System::load|Use --enable|Restricted methods|Found unexpected Attribute)'
