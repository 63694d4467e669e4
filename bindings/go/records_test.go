package drove

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
)

// fakeController answers GET paths with the canned data of bindings/tests/records.json (the
// answers of the C test check_client_records) in a SUCCESS envelope, and anything else with
// a FAILED "No such ..." envelope.
func fakeController(t *testing.T) *Client {
	b, err := os.ReadFile("../tests/records.json")
	if err != nil {
		t.Fatal(err)
	}
	var answers map[string]json.RawMessage
	if err := json.Unmarshal(b, &answers); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if d, ok := answers[r.URL.Path]; ok {
			w.Write([]byte(`{"status":"SUCCESS","message":"success","data":` + string(d) + `}`))
			return
		}
		w.Write([]byte(`{"status":"FAILED","message":"No such object ` + r.URL.Path + `"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient([]string{srv.URL}, &Options{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func eq(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func TestRecordsApps(t *testing.T) {
	c := fakeController(t)
	apps, err := c.Apps()
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "apps", apps, map[string]AppSummary{
		"TEST_APP-1": {ID: "TEST_APP-1", Name: "TEST_APP", RequiredInstances: 2, HealthyInstances: 1,
			TotalCPUs: 2, TotalMemory: 256, Tags: map[string]string{"k": "v"}, State: "RUNNING",
			Created: 1719826995764, Updated: 1719892126096},
		"OTHER-2": {ID: "OTHER-2", Name: "OTHER", Created: 1, Updated: 2},
	})
	a, err := c.App("TEST_APP-1")
	eq(t, "app", a, apps["TEST_APP-1"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.App("NOPE-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing app: %v", err)
	}
	// a state the decoder does not know fails naming the field; Call still has the JSON
	if _, err := c.App("BAD-1"); err == nil || !strings.Contains(err.Error(), "state") {
		t.Errorf("unknown state: %v", err)
	}
	var raw map[string]interface{}
	if err := c.Call("GET", "/applications/BAD-1", "", nil, &raw); err != nil || raw["state"] != "SOMETHING_NEW" {
		t.Errorf("raw call: %v %v", raw, err)
	}
}

func TestRecordsInstances(t *testing.T) {
	c := fakeController(t)
	inst, err := c.AppInstances("TEST_APP-1", "HEALTHY", "PENDING")
	if err != nil || len(inst) != 2 {
		t.Fatalf("instances %+v %v", inst, err)
	}
	i0 := inst[0]
	eq(t, "ids", []string{i0.AppID, i0.AppName, i0.ServiceID, i0.InstanceID, i0.ExecutorID, i0.State},
		[]string{"TEST_APP-1", "TEST_APP", "", "AI-58eb", "a45442a1", "HEALTHY"})
	if i0.LocalInfo == nil || i0.LocalInfo.Hostname != "ppessdev" {
		t.Fatalf("localInfo %+v", i0.LocalInfo)
	}
	eq(t, "ports", i0.LocalInfo.Ports, map[string]PortInfo{"main": {ContainerPort: 8000, HostPort: 33857, PortType: "HTTP"}})
	eq(t, "times", []int64{i0.Created, i0.Updated}, []int64{1719892354194, 1719893180105})
	if inst[1].LocalInfo != nil || inst[1].State != "PENDING" {
		t.Errorf("pending instance %+v", inst[1])
	}
	one, err := c.AppInstance("TEST_APP-1", "AI-2")
	eq(t, "one instance", one, inst[1])
	if old, err := c.AppOldInstances("TEST_APP-1"); err != nil || old == nil || len(old) != 0 {
		t.Errorf("old instances %#v %v", old, err)
	}
	ls, err := c.LocalServiceInstances("LS-1")
	if err != nil || len(ls) != 1 {
		t.Fatalf("ls instances %+v %v", ls, err)
	}
	eq(t, "ls instance", []string{ls[0].AppID, ls[0].ServiceID, ls[0].State, ls[0].ErrorMessage},
		[]string{"", "LS-1", "START_FAILED", "pull failed"})
	eq(t, "ls ports", ls[0].LocalInfo.Ports, map[string]PortInfo{"admin": {ContainerPort: 9000, HostPort: 40001, PortType: "TCP"}})
	one, err = c.LocalServiceInstance("LS-1", "SI-9")
	eq(t, "one ls instance", one, ls[0])
}

func TestRecordsTasks(t *testing.T) {
	c := fakeController(t)
	tasks, err := c.Tasks()
	if err != nil || len(tasks) != 2 {
		t.Fatalf("tasks %+v %v", tasks, err)
	}
	eq(t, "task", tasks[0], TaskInfo{SourceAppName: "TEST_APP", TaskID: "T0012", InstanceID: "TI-6cf3",
		ExecutorID: "a45442a1", Hostname: "ppessdev", State: "STOPPED",
		TaskResult: &TaskResult{Status: "SUCCESSFUL", ExitCode: 3}, Created: 1719823470267, Updated: 1719823483836})
	if tasks[1].TaskResult != nil || tasks[1].State != "PROVISIONING" || tasks[1].Hostname != "" {
		t.Errorf("running task %+v", tasks[1])
	}
	one, err := c.Task("TEST_APP", "T0012")
	eq(t, "one task", one, tasks[0])
}

func TestRecordsLocalServices(t *testing.T) {
	c := fakeController(t)
	want := LocalServiceSummary{ID: "LS-1", Name: "LS", InstancesPerHost: 2, HealthyInstances: 3,
		TotalCPUs: 4, TotalMemory: 512, Tags: map[string]string{"t": "u"},
		ActivationState: "CONFIG_TESTING", State: "DEPLOYING_TEST_INSTANCE", Created: 21, Updated: 22}
	all, err := c.LocalServices()
	eq(t, "local services", all, map[string]LocalServiceSummary{"LS-1": want})
	one, err2 := c.LocalService("LS-1")
	eq(t, "local service", one, want)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
}

func TestRecordsClusterExecutorsEvents(t *testing.T) {
	c := fakeController(t)
	cs, err := c.Cluster()
	eq(t, "cluster", cs, ClusterSummary{Leader: "ppessdev:4000", State: "MAINTENANCE", NumExecutors: 1,
		NumApplications: 3, NumActiveApplications: 2, NumActiveTasks: 4, NumLocalServices: 5,
		NumActiveLocalServices: 6, FreeCores: 9, UsedCores: 1, TotalCores: 10, FreeMemory: 18898,
		UsedMemory: 128, TotalMemory: 19026})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.Executors()
	if err != nil || len(ex) != 2 {
		t.Fatalf("executors %+v %v", ex, err)
	}
	eq(t, "executor", ex[0], ExecutorSummary{ExecutorID: "a45442a1", Hostname: "ppessdev", Port: 3000,
		TransportType: "HTTP", FreeCores: 9, UsedCores: 1, FreeMemory: 18898, UsedMemory: 128,
		Tags: []string{"ppessdev", "gpu"}, State: "ACTIVE"})
	eq(t, "removed executor", []interface{}{ex[1].State, len(ex[1].Tags)}, []interface{}{"REMOVED", 0})
	evs, err := c.Events(0, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("events %+v %v", evs, err)
	}
	eq(t, "event", []interface{}{evs[0].Type, evs[0].ID, evs[0].Time},
		[]interface{}{"INSTANCE_STATE_CHANGE", "55d5876f", int64(1719977631534)})
	eq(t, "metadata", []string{evs[0].Meta("CREATED"), evs[0].Meta("CURRENT_STATE"), evs[0].Meta("NONE")},
		[]string{"1719977629042", "HEALTHY", ""})
	eq(t, "metadata 2", evs[1].Metadata, map[string]interface{}{"HOSTNAME": "ppessdev"})
}
