package drove

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOfflineErrors(t *testing.T) {
	if _, err := NewClient([]string{"ftp://127.0.0.1:1"}, nil); !errors.Is(err, ErrInvalid) ||
		!strings.Contains(err.Error(), "ftp://") {
		t.Fatalf("bad endpoint: %v", err)
	}
	c, err := NewClient([]string{"http://127.0.0.1:1"}, &Options{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apps(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("no controller: %v", err)
	}
	c.Close()
	if err := c.Ping(); err != ErrClosed {
		t.Fatalf("closed: %v", err)
	}
}

// cluster is the client of the cluster bindings/tests/run_cluster_tests.py started.
func cluster(t *testing.T) *Client {
	ep := os.Getenv("DROVE_TEST_ENDPOINT")
	if ep == "" {
		if os.Getenv("DROVE_REQUIRE_COMPONENTS") == "1" {
			t.Fatal("DROVE_TEST_ENDPOINT is not set (run through run_cluster_tests.py)")
		}
		t.Skip("no cluster (DROVE_TEST_ENDPOINT)")
	}
	c, err := NewClient([]string{ep}, &Options{User: os.Getenv("DROVE_TEST_USER"),
		Password: os.Getenv("DROVE_TEST_PASSWORD")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func loadSpec(t *testing.T, name string) map[string]interface{} {
	b, err := os.ReadFile(filepath.Join(os.Getenv("DROVE_TEST_SPECS"), name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]interface{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"readiness", "healthcheck"} {
		if c, ok := m[k].(map[string]interface{}); ok {
			c["interval"] = "1 second"
			c["initialDelay"] = "0 seconds"
			if k == "readiness" {
				c["attempts"] = 30
			}
		}
	}
	return m
}

func TestClusterBasics(t *testing.T) {
	c := cluster(t)
	if err := c.Ping(); err != nil {
		t.Fatal(err)
	}
	ex, err := c.Executors()
	if err != nil || len(ex) != 1 || ex[0].State != "ACTIVE" || ex[0].ExecutorID != os.Getenv("DROVE_TEST_EXECUTOR") {
		t.Fatalf("executors %+v %v", ex, err)
	}
	if _, err := c.App("NO_SUCH_APP-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing app: %v", err)
	}
	bad, _ := NewClient([]string{os.Getenv("DROVE_TEST_ENDPOINT")}, &Options{User: "admin", Password: "wrong", Retries: -1})
	defer bad.Close()
	if _, err := bad.Apps(); !errors.Is(err, ErrAuth) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestValidationErrors(t *testing.T) {
	c := cluster(t)
	spec := loadSpec(t, "application.json")
	spec["name"] = "bad name"
	spec["resources"].([]interface{})[0].(map[string]interface{})["count"] = 0
	_, err := c.CreateApp(spec, 1, nil)
	var de *Error
	if !errors.As(err, &de) || !errors.Is(err, ErrInvalid) || de.Status != 400 {
		t.Fatalf("want a 400 *Error, got %#v", err)
	}
	joined := strings.Join(de.ValidationErrors, " | ")
	if len(de.ValidationErrors) < 2 || !strings.Contains(joined, "name") || !strings.Contains(joined, "count") {
		t.Fatalf("validation errors %q (message %q)", de.ValidationErrors, de.Message)
	}
}

func TestDeployScaleEventsLogs(t *testing.T) {
	c := cluster(t)
	since := time.Now().UnixMilli() - 1
	spec := loadSpec(t, "application.json")
	spec["name"] = "GOBIND_APP"
	spec["args"] = []string{"sh", "-c", "echo hello from gobind; exec httpd -f -p 8000 -h /www"}
	op := &Op{Timeout: 2 * time.Minute}
	appID, err := c.CreateApp(spec, 0, op)
	if err != nil || appID != "GOBIND_APP-1" {
		t.Fatalf("create %q %v", appID, err)
	}
	defer func() {
		_ = c.ScaleApp(appID, 0, op)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = c.WaitApp(ctx, appID, WaitFor{State: "MONITORING"})
		if err := c.DestroyApp(appID); err != nil {
			t.Errorf("destroy: %v", err)
		}
		if _, err := c.WaitApp(ctx, appID, WaitFor{State: "DESTROYED"}); err != nil {
			t.Errorf("destroyed: %v", err)
		}
	}()
	// a wait that cannot be met ends with the context
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err = c.WaitApp(short, appID, WaitFor{Healthy: 1, Interval: 50 * time.Millisecond})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("short wait: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for _, n := range []int64{1, 2} {
		if err := c.ScaleApp(appID, n, op); err != nil {
			t.Fatalf("scale %d: %v", n, err)
		}
		s, err := c.WaitApp(ctx, appID, WaitFor{Healthy: n})
		if err != nil || s.RequiredInstances != n {
			t.Fatalf("wait %d healthy: %+v %v", n, s, err)
		}
	}
	inst, err := c.AppInstances(appID, "HEALTHY")
	if err != nil || len(inst) != 2 || inst[0].LocalInfo == nil {
		t.Fatalf("instances %+v %v", inst, err)
	}
	eps, err := c.Endpoints("GOBIND_APP")
	if err != nil || len(eps) != 1 || len(eps[0].Hosts) != 2 {
		t.Fatalf("endpoints %+v %v", eps, err)
	}

	// events: follow until both instances were seen HEALTHY
	healthy := map[string]bool{}
	fctx, fcancel := context.WithTimeout(ctx, 20*time.Second)
	stop := errors.New("seen")
	err = c.FollowEvents(fctx, since, 200*time.Millisecond, func(ev Event) error {
		if ev.Type == "INSTANCE_STATE_CHANGE" && ev.Meta("APP_ID") == appID && ev.Meta("CURRENT_STATE") == "HEALTHY" {
			healthy[ev.Meta("INSTANCE_ID")] = true
		}
		if len(healthy) == 2 {
			return stop
		}
		return nil
	})
	fcancel()
	if err != stop {
		t.Fatalf("follow events: %v (healthy seen %v)", err, healthy)
	}

	// logs
	iid := inst[0].InstanceID
	files, err := c.LogFiles(LogApps, appID, iid)
	if err != nil || len(files) == 0 {
		t.Fatalf("log files %v %v", files, err)
	}
	var got string
	lctx, lcancel := context.WithTimeout(ctx, 20*time.Second)
	err = c.FollowLog(lctx, LogApps, appID, iid, "output.log", true, 200*time.Millisecond, func(l string) error {
		if strings.Contains(l, "hello from gobind") {
			got = l
			return stop
		}
		return nil
	})
	lcancel()
	if err != stop {
		t.Fatalf("follow log: %v", err)
	}
	if _, _, err := c.ReadLog(LogApps, appID, "AI-nope", "output.log", 0, -1); err == nil {
		t.Fatalf("reading an unknown instance's log succeeded (%q)", got)
	}
}

func TestTaskResult(t *testing.T) {
	c := cluster(t)
	spec := loadSpec(t, "task.json")
	spec["sourceAppName"] = "GOBIND_APP"
	spec["taskId"] = "T-gobind"
	spec["env"] = map[string]string{"ITERATIONS": "2"}
	id, err := c.CreateTask(spec, time.Minute)
	if err != nil || id != "GOBIND_APP-T-gobind" {
		t.Fatalf("create task %q %v", id, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := c.WaitTaskResult(ctx, "GOBIND_APP", "T-gobind", 500*time.Millisecond)
	if err != nil || res.Status != "SUCCESSFUL" || res.ExitCode != 0 {
		t.Fatalf("result %+v %v", res, err)
	}
	data, _, err := c.ReadLog(LogTasks, "GOBIND_APP", "T-gobind", "output.log", 0, -1)
	if err != nil || !strings.Contains(string(data), "iteration 2") {
		t.Fatalf("task log %q %v", data, err)
	}
	_, err = c.CreateTask(spec, 0)
	var de *Error
	if !errors.As(err, &de) || de.Status != 400 || len(de.ValidationErrors) == 0 ||
		!strings.Contains(de.ValidationErrors[0], "already exists") {
		t.Fatalf("second create: %#v", err)
	}
	if err := c.DeleteTask("GOBIND_APP", "T-gobind"); err != nil {
		t.Fatal(err)
	}
}
