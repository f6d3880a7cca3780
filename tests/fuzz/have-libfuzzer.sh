#!/bin/sh
# Does compiler $1 (default clang) link a libFuzzer target
# (-fsanitize=fuzzer with ASan and UBSan, as make fuzz-targets builds)?
# Exit 0 if so.  make check builds and runs the fuzz targets only then.
cc=${1:-clang}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/t.c" <<'END'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return size && data[0] == 0;
}
END
"$cc" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1
