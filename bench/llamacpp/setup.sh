#!/usr/bin/env bash
# Installs the llama.cpp build shipped in the npm package node-llama-cpp 3.21.1 into a cache folder
# outside the source tree and compiles llama_driver.c against it. Idempotent: what is there and
# intact is kept. See bench/README.md, "llama.cpp, the anchor".
#
#   bench/llamacpp/setup.sh            # then: $CACHE/bin/llama_driver speed|greedy|tokenize|quantize|variants ...
#
# KNOWCODER_BENCH_CACHE (default ~/.cache/knowcoder-bench) picks the cache; everything goes under
# its llamacpp/ folder:
#   tgz/             the two npm tarballs (npm pack: no install scripts run, no dependencies)
#   pkg/             node-llama-cpp itself: llama/gitRelease.bundle is the llama.cpp source it builds from
#   pkg-linux-x64/   @node-llama-cpp/linux-x64: the prebuilt libraries, package/bins/linux-x64/
#   src/             a clone of that bundle with the headers checked out (include/llama.h,
#                    ggml/include/*.h); `git -C src checkout HEAD -- .` brings the rest of the source
#   bin/llama_driver the driver, rpath set to the library folder
set -euo pipefail

VERSION=3.21.1
# sha1 of the registry's tarballs (dist.shasum), so a changed package is noticed
SHA_MAIN=f7579ace3d45c8e93856cebbd8671fa43c2eef1b
SHA_LINUX_X64=5bb457bc7e58828cc26d06eb8f83c42f8cb66932

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KNOWCODER_BENCH_CACHE:-$HOME/.cache/knowcoder-bench}/llamacpp"

fail() { echo "setup.sh: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is missing: $2"; }

[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] \
    || fail "only linux-x64 is set up here (this is $(uname -s)-$(uname -m)); node-llama-cpp ships other platforms in other @node-llama-cpp packages"
need npm "install Node.js and npm (Debian: apt-get install npm)"
need gcc "install a C compiler (Debian: apt-get install gcc)"
need git "install git (the llama.cpp headers come out of a git bundle in the package)"
need tar "install tar"
need sha1sum "install coreutils"

mkdir -p "$CACHE/tgz" "$CACHE/bin"

# 1. the tarballs, fetched by npm from the registry, checked against the pinned sha1
fetch() { # package tarball-name sha1
    local pkg=$1 file=$2 sha=$3
    if [ -f "$CACHE/tgz/$file" ] && [ "$(sha1sum < "$CACHE/tgz/$file" | cut -d' ' -f1)" = "$sha" ]; then
        return
    fi
    echo "setup.sh: npm pack $pkg@$VERSION" >&2
    rm -f "$CACHE/tgz/$file"
    (cd "$CACHE/tgz" && npm pack --silent "$pkg@$VERSION" >/dev/null) || fail "npm pack $pkg@$VERSION failed (is the npm registry reachable?)"
    [ -f "$CACHE/tgz/$file" ] || fail "npm pack $pkg@$VERSION did not write $CACHE/tgz/$file"
    local got
    got="$(sha1sum < "$CACHE/tgz/$file" | cut -d' ' -f1)"
    [ "$got" = "$sha" ] || fail "$file has sha1 $got, expected $sha"
}
fetch node-llama-cpp "node-llama-cpp-$VERSION.tgz" "$SHA_MAIN"
fetch @node-llama-cpp/linux-x64 "node-llama-cpp-linux-x64-$VERSION.tgz" "$SHA_LINUX_X64"

# 2. unpacked, once per tarball (the marker holds the sha1 it was unpacked from)
unpack() { # tarball folder sha1
    local file=$1 dir=$2 sha=$3
    if [ -f "$CACHE/$dir/.unpacked" ] && [ "$(cat "$CACHE/$dir/.unpacked")" = "$sha" ]; then
        return
    fi
    rm -rf "${CACHE:?}/$dir"
    mkdir -p "$CACHE/$dir"
    tar -xzf "$CACHE/tgz/$file" -C "$CACHE/$dir"
    echo "$sha" > "$CACHE/$dir/.unpacked"
}
unpack "node-llama-cpp-$VERSION.tgz" pkg "$SHA_MAIN"
unpack "node-llama-cpp-linux-x64-$VERSION.tgz" pkg-linux-x64 "$SHA_LINUX_X64"

LIB="$CACHE/pkg-linux-x64/package/bins/linux-x64"
BUNDLE="$CACHE/pkg/package/llama/gitRelease.bundle"
for f in libllama.v0.4.0.so libggml.v0.4.0.so libggml-base.so; do
    [ -f "$LIB/$f" ] || fail "$LIB/$f is missing: the package's layout is not the one this script knows"
done
ls "$LIB"/libggml-cpu-*.so >/dev/null 2>&1 || fail "no CPU backend builds (libggml-cpu-*.so) in $LIB"
[ -f "$BUNDLE" ] || fail "$BUNDLE is missing: the package no longer bundles the llama.cpp source"

# 3. the llama.cpp source the libraries were built from, for its headers
SRC="$CACHE/src"
if [ ! -f "$SRC/.checked-out" ] || [ "$(cat "$SRC/.checked-out")" != "$SHA_MAIN" ]; then
    rm -rf "$SRC"
    git clone --quiet --no-checkout "$BUNDLE" "$SRC" || fail "cannot clone $BUNDLE"
    git -C "$SRC" checkout --quiet HEAD -- include ggml/include ggml/src/CMakeLists.txt LICENSE \
        || fail "cannot check out the headers from $BUNDLE"
    echo "$SHA_MAIN" > "$SRC/.checked-out"
fi
for h in include/llama.h ggml/include/ggml.h ggml/include/ggml-backend.h ggml/include/ggml-cpu.h ggml/include/gguf.h; do
    [ -f "$SRC/$h" ] || fail "$SRC/$h is missing from the bundled llama.cpp source"
done

# 4. the driver. There is one libllama; the CPU kernels are 14 backend builds that the driver
# loads one of at run time (KC_LLAMA_CPU=NAME, default the best this CPU can run), so one binary
# serves them all.
DRIVER="$CACHE/bin/llama_driver"
if [ ! -x "$DRIVER" ] || [ "$HERE/llama_driver.c" -nt "$DRIVER" ] || [ "$0" -nt "$DRIVER" ]; then
    echo "setup.sh: compiling $HERE/llama_driver.c" >&2
    gcc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra \
        -I"$SRC/include" -I"$SRC/ggml/include" \
        -DKC_LLAMA_DEFAULT_LIB_DIR="\"$LIB\"" \
        "$HERE/llama_driver.c" -o "$DRIVER.tmp" \
        -L"$LIB" -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so -ldl -lm \
        -Wl,-rpath,"$LIB" || fail "compiling llama_driver.c failed"
    mv "$DRIVER.tmp" "$DRIVER"
fi

# 5. what is where
echo "node-llama-cpp   $VERSION (llama.cpp release $(sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$CACHE/pkg/package/llama/llama.cpp.info.json"), source commit $(git -C "$SRC" rev-parse --short HEAD))"
echo "libraries        $LIB"
echo "headers          $SRC/include/llama.h, $SRC/ggml/include/"
echo "driver           $DRIVER"
echo "CPU backend builds (score on this CPU: 0 = cannot run here; the highest is loaded by default):"
# instruction sets of each build, as llama.cpp's ggml/src/CMakeLists.txt declares them
"$DRIVER" variants | while read -r name score path; do
    isa="$(sed -n "s/^ *ggml_add_cpu_backend_variant( *$name\( \+\([^)]*\)\)\? *).*/\2/p" "$SRC/ggml/src/CMakeLists.txt" | head -1 | tr -s ' ')"
    printf '  %-15s score %5s  %s\n' "$name" "$score" "${isa:-(baseline x86-64)}"
done
