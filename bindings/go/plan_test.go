package drove

import (
	"errors"
	"strings"
	"testing"
)

func TestPlanOffline(t *testing.T) {
	m, err := NewModel("", 7)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.AddExecutor("e1", "host1", []Node{{[]int{0, 1, 2, 3}, 4096}, {[]int{4, 5, 6, 7}, 4096}}); err != nil {
		t.Fatal(err)
	}
	if err := m.AddExecutor("e2", "host2", []Node{{[]int{8, 9, 10, 11}, 4096}}, "gpu"); err != nil {
		t.Fatal(err)
	}
	p, err := m.Plan(3, 512, 5, nil)
	if err != nil || p.Requested != 5 || len(p.Placements) != 2 || !strings.Contains(p.Reason, "3 free cores") {
		t.Fatalf("plan %+v %v", p, err)
	}
	for _, pl := range p.Placements {
		if pl.ExecutorID != "e1" || len(pl.Cores) != 3 {
			t.Fatalf("placement %+v (the tagged executor takes only MATCH_TAG)", pl)
		}
	}
	p, err = m.Plan(1, 128, 10, &Policy{Type: "MATCH_TAG", Tag: "gpu"})
	if err != nil || p.PerExecutor()["e2"] != 4 || len(p.Placements) != 4 {
		t.Fatalf("match tag %+v %v", p, err)
	}
	p, err = m.Plan(1, 128, 10, &Policy{Type: "COMPOSITE", Combiner: "OR", Policies: []Policy{
		{Type: "MATCH_TAG", Tag: "gpu"}, {Type: "NO_TAG"}}})
	if err != nil || len(p.PerExecutor()) != 2 {
		t.Fatalf("composite %+v %v", p, err)
	}
	if _, err := m.Plan(1, 128, 1, &Policy{Type: "MAX_N_PER_HOST", Max: 0}); !errors.Is(err, ErrInvalid) ||
		!strings.Contains(err.Error(), "max") {
		t.Fatalf("bad max: %v", err)
	}
	if _, err := m.Plan(1, 128, 1, &Policy{Type: "SOMEWHERE"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown policy: %v", err)
	}
	if _, err := NewModel("NOWHERE", 0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad strategy: %v", err)
	}
}
