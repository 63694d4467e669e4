module libdrove.local/droveswig

go 1.19
