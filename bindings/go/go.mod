module libdrove.local/drove

go 1.19
