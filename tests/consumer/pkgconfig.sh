#!/bin/sh
# A consumer that uses pkg-config only (no CMake): installs the build tree into
# a scratch prefix, compiles a C program against sala-c.pc and a C++ one
# against sala.pc, runs both, then moves the prefix and builds again
# (the .pc files are relocatable: ${pcfiledir}).
# Usage: pkgconfig.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -eu
build=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null

consumers() {
    prefix=$1
    pc=$(find "$prefix" -name sala.pc -path '*/pkgconfig/*')
    export PKG_CONFIG_PATH="$(dirname "$pc")"
    test "$(pkg-config --modversion sala-c)" = "$(pkg-config --modversion sala)"
    libdir=$(pkg-config --variable=libdir sala-c)
    # shellcheck disable=SC2046  # pkg-config's flags are meant to split
    cc -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$work/c_consumer" "$src/c_main.c" \
        $(pkg-config --cflags --libs sala-c) -Wl,-rpath,"$libdir"
    # shellcheck disable=SC2046
    c++ -std=c++20 -o "$work/cpp_consumer" "$src/main.cpp" \
        $(pkg-config --cflags --libs sala) -Wl,-rpath,"$libdir"
    # The programs load the installed shared libraries, not the build tree's.
    for exe in c_consumer cpp_consumer; do
        ldd "$work/$exe" >"$work/$exe.ldd"
        grep -q "libsala.so.[0-9.]* => $prefix/" "$work/$exe.ldd" ||
            { echo "$exe does not load libsala from $prefix:"; cat "$work/$exe.ldd"; exit 1; }
    done
    grep -q "libsala_c.so.[0-9.]* => $prefix/" "$work/c_consumer.ldd"
    rm -f "$work/consumer.db"
    "$work/c_consumer" "$work"
    "$work/cpp_consumer"
}

consumers "$work/prefix"
mv "$work/prefix" "$work/moved"
consumers "$work/moved"
echo "pkg-config consumers built and ran against $work/moved"
