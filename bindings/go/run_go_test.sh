#!/usr/bin/env bash
# Generates the Go package with SWIG and runs its tests with cgo against the built libdrove.
# Usage: run_go_test.sh SWIG SRC_DIR OUT_DIR INCLUDE_DIR GEN_INCLUDE_DIR LIB_DIR
set -euo pipefail
swig=$1 src=$2 out=$3 inc=$4 geninc=$5 libdir=$6
pkg=$out/drove
rm -rf "$pkg"
mkdir -p "$pkg"
"$swig" -go -cgo -intgosize 64 -module drove -I"$inc" -I"$geninc" \
	-o "$pkg/drove_wrap.c" -outdir "$pkg" "$src/drove.i"
cp "$src/go/swig/drove_test.go" "$src/go/swig/go.mod" "$pkg/"
export CGO_CFLAGS="-I$inc -I$geninc"
export CGO_LDFLAGS="-L$libdir -ldrove -Wl,-rpath,$libdir"
export GOCACHE=$out/gocache GOPATH=$out/gopath GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on
cd "$pkg"
go test -count=1 -v ./...
