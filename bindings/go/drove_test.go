package drove

import (
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	if s := Drove_version_string(); !strings.HasPrefix(s, "0.") {
		t.Fatalf("version %q", s)
	}
}

func TestDurationAndIds(t *testing.T) {
	d := Drove_duration_parse("5m")
	if d.GetCount() != 5 || d.GetUnit() != int(DROVE_MINUTES) {
		t.Fatalf("parsed %d %d", d.GetCount(), d.GetUnit())
	}
	if s := Drove_duration_format(d); s != "5 minutes" {
		t.Fatalf("format %q", s)
	}
	if id := Drove_executor_id("ppessdev", 3000); id != "a45442a1-d4d0-3479-ab9e-3ed0aa5f7d2d" {
		t.Fatalf("executor id %q", id)
	}
	if id := Drove_app_id("TEST_APP", "1"); id != "TEST_APP-1" {
		t.Fatalf("app id %q", id)
	}
}

func TestErrorPanicsWithMessage(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "parsecs") {
			t.Fatalf("expected a panic naming the bad unit, got %v", r)
		}
	}()
	Drove_duration_parse("5 parsecs")
}
