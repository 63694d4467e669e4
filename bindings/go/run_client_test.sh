#!/usr/bin/env bash
# go vet and go test of the Go client module (bindings/go) and the example that uses it
# (examples/go/watch, through a replace directive), with cgo against a built libdrove.
# Usage: run_client_test.sh GO_MODULE_DIR OUT_DIR INCLUDE_DIR GEN_INCLUDE_DIR LIB_DIR
set -euo pipefail
mod=$1 out=$2 inc=$3 geninc=$4 libdir=$5
mkdir -p "$out"
export CGO_CFLAGS="-I$inc -I$geninc"
export CGO_LDFLAGS="-L$libdir -Wl,-rpath,$libdir"
export GOCACHE=$out/gocache GOPATH=$out/gopath GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on
cd "$mod"
go vet ./...
go test -count=1 -v -timeout 500s ./...
example=$mod/../../examples/go/watch
if [ -d "$example" ]; then
	cd "$example"
	go vet ./...
	go build -o "$out/watch" .
	echo "examples/go/watch: vet clean, built"
	if [ -n "${DROVE_TEST_ENDPOINT:-}" ]; then
		# the executor joined before the tests ran: its EXECUTOR_ADDED is in the leader's events
		"$out/watch" -endpoint "$DROVE_TEST_ENDPOINT" -user "$DROVE_TEST_USER" \
			-password "$DROVE_TEST_PASSWORD" -since 0 -every 500ms -for 3s >"$out/watch.out"
		grep -q "EXECUTOR_ADDED .*EXECUTOR_ID=$DROVE_TEST_EXECUTOR" "$out/watch.out" ||
			{ cat "$out/watch.out"; echo "examples/go/watch: no EXECUTOR_ADDED line"; exit 1; }
		echo "examples/go/watch: followed $(wc -l <"$out/watch.out") events"
	fi
fi
