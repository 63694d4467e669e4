package drove

/*
#include <stdlib.h>
#include <drove/ctx.h>
#include <drove/sched.h>
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Model is an offline model of executors for capacity planning with libdrove's scheduler
// (include/drove/sched.h): describe executors, ask where instances would land. As in Drove,
// a tagged executor only takes instances whose policy asks for one of its tags.
type Model struct {
	mu    sync.Mutex
	ctx   *C.drove_ctx
	sched *C.drove_sched
}

// Node is one NUMA node of a modelled executor: its free core ids and free memory.
type Node struct {
	Cores    []int
	MemoryMB int64
}

// Policy is a Drove placementPolicy: Type ANY, ONE_PER_HOST, MAX_N_PER_HOST (Max), MATCH_TAG
// (Tag), NO_TAG, RULE_BASED (Rule) or COMPOSITE (Policies, Combiner AND|OR). nil is ANY.
type Policy struct {
	Type     string   `json:"type"`
	Max      int      `json:"max,omitempty"`
	Tag      string   `json:"tag,omitempty"`
	Rule     string   `json:"rule,omitempty"`
	Combiner string   `json:"combiner,omitempty"`
	Policies []Policy `json:"policies,omitempty"`
}

// Placement is one planned instance.
type Placement struct {
	ExecutorID string
	Node       int
	Cores      []int
}

// Plan is where Requested instances would land; Reason says why placement stopped ("" when
// every instance was placed).
type Plan struct {
	Requested  int
	Placements []Placement
	Reason     string
}

// PerExecutor counts the planned instances per executor.
func (p Plan) PerExecutor() map[string]int {
	m := map[string]int{}
	for _, pl := range p.Placements {
		m[pl.ExecutorID]++
	}
	return m
}

var strategies = map[string]C.int{"RANDOM_FIRST_FIT": C.DROVE_SCHED_RANDOM_FIRST_FIT,
	"BEST_FIT": C.DROVE_SCHED_BEST_FIT, "SPREAD": C.DROVE_SCHED_SPREAD}

// NewModel is an empty model using strategy ("" is RANDOM_FIRST_FIT; BEST_FIT, SPREAD); a
// non-zero seed makes random choices repeatable.
func NewModel(strategy string, seed uint64) (*Model, error) {
	if strategy == "" {
		strategy = "RANDOM_FIRST_FIT"
	}
	st, ok := strategies[strings.ToUpper(strategy)]
	if !ok {
		return nil, &Error{Code: CodeInvalid, Message: "strategy: one of RANDOM_FIRST_FIT, BEST_FIT, SPREAD"}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	m := &Model{}
	if rc := C.drove_ctx_new(&m.ctx); rc < 0 {
		return nil, lastError(rc, nil)
	}
	if seed != 0 {
		C.drove_ctx_set_seed(m.ctx, C.uint64_t(seed))
	}
	if rc := C.drove_sched_new(&m.sched, m.ctx); rc < 0 {
		err := lastError(rc, nil)
		m.Close()
		return nil, err
	}
	if rc := C.drove_sched_set_strategy(m.sched, st); rc < 0 {
		err := lastError(rc, nil)
		m.Close()
		return nil, err
	}
	return m, nil
}

// Close frees the model.
func (m *Model) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sched != nil {
		C.drove_sched_free(m.sched)
		m.sched = nil
	}
	if m.ctx != nil {
		C.drove_ctx_free(m.ctx)
		m.ctx = nil
	}
}

func cints(v []int) (*C.int, C.size_t) {
	if len(v) == 0 {
		return nil, 0
	}
	p := (*[1 << 28]C.int)(C.malloc(C.size_t(len(v)) * C.size_t(unsafe.Sizeof(C.int(0)))))
	for i, x := range v {
		p[i] = C.int(x)
	}
	return &p[0], C.size_t(len(v))
}

// AddExecutor adds (or replaces) an executor with its NUMA nodes and tags.
func (m *Model) AddExecutor(id, hostname string, nodes []Node, tags ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sched == nil {
		return ErrClosed
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cid, ch := cstr(id), cstr(hostname)
	defer free(cid)
	defer free(ch)
	var snap *C.drove_sched_snapshot
	if rc := C.drove_sched_snapshot_new(&snap, cid, ch, 3000); rc < 0 {
		return lastError(rc, nil)
	}
	defer C.drove_sched_snapshot_free(snap)
	for i, n := range nodes {
		p, cnt := cints(n.Cores)
		rc := C.drove_sched_snapshot_set_free_cores(snap, C.int(i), p, cnt)
		C.free(unsafe.Pointer(p))
		if rc < 0 {
			return lastError(rc, nil)
		}
		if rc := C.drove_sched_snapshot_set_memory(snap, C.int(i), C.int64_t(n.MemoryMB), 0); rc < 0 {
			return lastError(rc, nil)
		}
	}
	for _, t := range tags {
		ct := cstr(t)
		rc := C.drove_sched_snapshot_add_tag(snap, ct)
		free(ct)
		if rc < 0 {
			return lastError(rc, nil)
		}
	}
	if rc := C.drove_sched_executor_update(m.sched, snap); rc < 0 {
		return lastError(rc, nil)
	}
	return nil
}

// policy builds the native policy tree; the caller frees it. Runs on a locked thread.
func policy(p *Policy) (*C.drove_sched_policy, error) {
	var out *C.drove_sched_policy
	var rc C.int
	t := "ANY"
	if p != nil {
		t = strings.ToUpper(p.Type)
	}
	switch t {
	case "ANY":
		rc = C.drove_sched_policy_any(&out)
	case "ONE_PER_HOST":
		rc = C.drove_sched_policy_one_per_host(&out)
	case "MAX_N_PER_HOST":
		rc = C.drove_sched_policy_max_per_host(&out, C.int(p.Max))
	case "MATCH_TAG":
		s := cstr(p.Tag)
		rc = C.drove_sched_policy_match_tag(&out, s)
		free(s)
	case "NO_TAG":
		rc = C.drove_sched_policy_no_tag(&out)
	case "RULE_BASED":
		s := cstr(p.Rule)
		rc = C.drove_sched_policy_rule_hope(&out, s)
		free(s)
	case "COMPOSITE":
		comb := C.int(C.DROVE_SCHED_AND)
		if strings.ToUpper(p.Combiner) == "OR" {
			comb = C.DROVE_SCHED_OR
		}
		if rc = C.drove_sched_policy_composite(&out, comb); rc < 0 {
			break
		}
		for i := range p.Policies {
			child, err := policy(&p.Policies[i])
			if err != nil {
				C.drove_sched_policy_free(out)
				return nil, err
			}
			if rc := C.drove_sched_policy_add(out, child); rc < 0 {
				err := lastError(rc, nil)
				C.drove_sched_policy_free(child)
				C.drove_sched_policy_free(out)
				return nil, err
			}
		}
	default:
		return nil, &Error{Code: CodeInvalid, Message: fmt.Sprintf("placementPolicy.type: unknown policy %q", p.Type)}
	}
	if rc < 0 {
		return nil, lastError(rc, nil)
	}
	return out, nil
}

// Plan asks where count instances of cpus cores and memoryMB MB would land under policy
// (nil: ANY); the model does not change.
func (m *Model) Plan(cpus int, memoryMB int64, count int, p *Policy) (Plan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sched == nil {
		return Plan{}, ErrClosed
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pol, err := policy(p)
	if err != nil {
		return Plan{}, err
	}
	defer C.drove_sched_policy_free(pol)
	var plan *C.drove_sched_plan
	if rc := C.drove_sched_plan_new(&plan, m.sched, nil, C.DROVE_KIND_APP, pol, C.int(cpus),
		C.int64_t(memoryMB), C.size_t(count)); rc < 0 {
		return Plan{}, lastError(rc, nil)
	}
	defer C.drove_sched_plan_free(plan)
	out := Plan{Requested: int(C.drove_sched_plan_requested(plan))}
	for i := C.size_t(0); i < C.drove_sched_plan_placed(plan); i++ {
		pl := Placement{ExecutorID: C.GoString(C.drove_sched_plan_executor(plan, i)),
			Node: int(C.drove_sched_plan_node(plan, i))}
		for j := C.size_t(0); j < C.drove_sched_plan_core_count(plan, i); j++ {
			pl.Cores = append(pl.Cores, int(C.drove_sched_plan_core(plan, i, j)))
		}
		out.Placements = append(out.Placements, pl)
	}
	if r := C.drove_sched_plan_reason(plan); r != nil {
		out.Reason = C.GoString(r)
	}
	return out, nil
}
