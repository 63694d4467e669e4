module libdrove.local/examples/watch

go 1.19

require libdrove.local/drove v0.0.0

replace libdrove.local/drove => ../../../bindings/go
