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

func TestSchedPlan(t *testing.T) {
	ctx := Drove_ctx_new()
	defer Drove_ctx_free(ctx)
	Drove_ctx_set_seed(ctx, 7)
	sched := Drove_sched_new(ctx)
	defer Drove_sched_free(sched)
	snap := Drove_sched_snapshot_new("e1", "host1", 3000)
	Drove_sched_snapshot_set_free_cores(snap, 0, []int32{0, 1, 2, 3})
	Drove_sched_snapshot_set_free_cores(snap, 1, []int32{4, 5, 6, 7})
	Drove_sched_snapshot_set_memory(snap, 0, 4096, 0)
	Drove_sched_snapshot_set_memory(snap, 1, 4096, 0)
	Drove_sched_executor_update(sched, snap)
	Drove_sched_snapshot_free(snap)
	policy := Drove_sched_policy_any()
	defer Drove_sched_policy_free(policy)
	nosess := SwigcptrStruct_SS_drove_sched_session(0) // NULL: an empty session
	plan := Drove_sched_plan_new(sched, nosess, int(DROVE_KIND_APP), policy, 3, 512, 3)
	defer Drove_sched_plan_free(plan)
	if n := Drove_sched_plan_placed(plan); n != 2 {
		t.Fatalf("placed %d, want 2 (one 3-core instance per 4-core node)", n)
	}
	if r := Drove_sched_plan_reason(plan); !strings.Contains(r, "3 free cores") {
		t.Fatalf("reason %q", r)
	}
}

func TestSpecRoundTrip(t *testing.T) {
	ctx := Drove_ctx_new()
	defer Drove_ctx_free(ctx)
	noopts := SwigcptrStruct_SS_drove_spec_opts(0) // NULL: default options
	spec := Drove_spec_from_json(ctx, int(DROVE_KIND_UNKNOWN), `{"sourceAppName":"A","taskId":"T1","executable":{"type":"DOCKER","url":"x","dockerPullTimeout":"1m"},"resources":[{"type":"CPU","count":1},{"type":"MEMORY","sizeInMB":32}]}`, noopts)
	defer Drove_spec_free(spec)
	if id := Drove_spec_id(spec); id != "A-T1" {
		t.Fatalf("id %q", id)
	}
	if js := Drove_spec_to_json(spec, 0); !strings.Contains(js, `"dockerPullTimeout":"1 minute"`) {
		t.Fatalf("json %s", js)
	}
	problems := Drove_spec_problems(ctx, `{"name":"bad name","version":"1"}`, noopts)
	defer Drove_strlist_free(problems)
	if Drove_strlist_count(problems) == 0 {
		t.Fatalf("no problems reported for an invalid spec")
	}
}
