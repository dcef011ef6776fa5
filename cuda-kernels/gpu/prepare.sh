#!/bin/sh
# Packs what a session with a lent GPU machine needs into .gpu/ (ignored through .git/info/exclude):
# those machines have no JDK, no Maven repository and no ../shared. Run here, from the repository
# root; then call the device tool with carry [".gpu"] and command "sh cuda-kernels/gpu/run.sh".
# .gpu holds: a jlink'd Java runtime (xz, about 15 MB), knowcoder.jar, the bench and cuda-kernels test
# classes, JUnit's console launcher, and copies of the fixtures the GPU tests read and of CoNLL03 for
# the extraction run (never committed).
set -eu
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
JUNIT=1.14.1 # the platform version of the build's JUnit Jupiter 5.14.1
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
rm -rf .gpu /tmp/knowcoder-jre
mkdir -p .gpu/root .gpu/shared/fixtures
mvn -B -q -DskipTests package
mvn -B -q -pl cuda-kernels -am test-compile
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.management,java.logging,jdk.incubator.vector --strip-debug \
    --no-header-files --no-man-pages --compress=zip-9 --output /tmp/knowcoder-jre
tar -C /tmp -cJf .gpu/jre.tar.xz knowcoder-jre
cp cli/target/knowcoder.jar .gpu/
cp -r bench/target/classes .gpu/bench-classes
cp -r cuda-kernels/target/test-classes .gpu/cuda-test-classes
CONSOLE="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$JUNIT/junit-platform-console-standalone-$JUNIT.jar"
[ -f "$CONSOLE" ] || mvn -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT
cp "$CONSOLE" .gpu/junit-console.jar
cp -r ../shared/fixtures/stories260K ../shared/fixtures/models ../shared/fixtures/tokenizer .gpu/shared/fixtures/
mkdir -p .gpu/shared/datasets && cp -r ../shared/datasets/conll2003 .gpu/shared/datasets/
du -sh .gpu
