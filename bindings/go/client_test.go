package drove

import (
	"bytes"
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
	// local-service operations map to the C enum; an unknown one never reaches the network
	if err := c.LocalServiceOp("RESTART", "LS-1"); !errors.Is(err, ErrInvalid) ||
		!strings.Contains(err.Error(), "RESTART") {
		t.Fatalf("unknown local service operation: %v", err)
	}
	if err := c.LocalServiceOp("ACTIVATE", "LS-1"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("activate without a controller: %v", err)
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
	if l, err := c.FindLeader(); err != nil || l != os.Getenv("DROVE_TEST_ENDPOINT") {
		t.Fatalf("leader %q %v", l, err)
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
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// scaling is refused while another operation (a replace) still runs
		for c.ScaleApp(appID, 0, op) != nil && sleep(ctx, 500*time.Millisecond) == nil {
		}
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
	// filled from the typed records: ids, state, the port of the spec
	if p, ok := inst[0].LocalInfo.Ports["main"]; !ok || p.ContainerPort != 8000 || p.HostPort == 0 ||
		inst[0].AppID != appID || inst[0].State != "HEALTHY" || inst[0].LocalInfo.Hostname == "" {
		t.Fatalf("instance %+v", inst[0])
	}
	if one, err := c.AppInstance(appID, inst[0].InstanceID); err != nil || one.InstanceID != inst[0].InstanceID {
		t.Fatalf("instance %s: %+v %v", inst[0].InstanceID, one, err)
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
	all, err := c.ReadAllLog(LogApps, appID, iid, "output.log")
	if err != nil || !strings.Contains(string(all), "hello from gobind") {
		t.Fatalf("read all %q %v", all, err)
	}
	// download: into any io.Writer (through a pipe) and into an *os.File (its fd)
	var buf bytes.Buffer
	n, err := c.DownloadLog(LogApps, appID, iid, "output.log", &buf)
	if err != nil || n != int64(buf.Len()) || !strings.Contains(buf.String(), "hello from gobind") {
		t.Fatalf("download to a buffer: %d bytes %q %v", n, buf.String(), err)
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	n, err = c.DownloadLog(LogApps, appID, iid, "output.log", f)
	f.Close()
	onDisk, _ := os.ReadFile(f.Name())
	if err != nil || n != int64(len(onDisk)) || !strings.Contains(string(onDisk), "hello from gobind") {
		t.Fatalf("download to a file: %d bytes %q %v", n, onDisk, err)
	}
	if _, err := c.DownloadLog(LogApps, appID, iid, "no-such.log", &buf); err == nil {
		t.Fatal("downloading a missing file succeeded")
	}
	counts, err := c.EventCounts(since)
	if err != nil || counts.EventsCount["INSTANCE_STATE_CHANGE"] < 2 {
		t.Fatalf("event counts %+v %v", counts, err)
	}
	one, err := c.AppInstance(appID, iid)
	if err != nil || one.State != "HEALTHY" || one.InstanceID != iid {
		t.Fatalf("instance %+v %v", one, err)
	}
	if _, err := c.AppInstance(appID, "AI-nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown instance: %v", err)
	}

	// replace one instance: a new one takes its place, the old one ends up in the old list
	if err := c.ReplaceInstances(appID, []string{iid}, false, op); err != nil {
		t.Fatalf("replace: %v", err)
	}
	for {
		cur, err := c.AppInstances(appID, "HEALTHY")
		if err != nil {
			t.Fatal(err)
		}
		replaced := len(cur) == 2
		for _, in := range cur {
			if in.InstanceID == iid {
				replaced = false
			}
		}
		if replaced {
			break
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			t.Fatalf("replace did not finish: %v (instances %+v)", err, cur)
		}
	}
	for { // the old instance is listed as old once it has stopped
		old, err := c.AppOldInstances(appID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, in := range old {
			found = found || in.InstanceID == iid
		}
		if found {
			break
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			t.Fatalf("replaced instance %s not among the old ones %+v", iid, old)
		}
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
	ti, err := c.WaitTask(ctx, "GOBIND_APP", "T-gobind", "RUNNING", 200*time.Millisecond)
	if err != nil || (ti.State != "RUNNING" && ti.State != "STOPPED") {
		t.Fatalf("wait running %+v %v", ti, err)
	}
	// the task list: wait until the task has left the active list
	_, err = c.WaitTasks(ctx, 500*time.Millisecond, func(ts []TaskInfo) bool {
		for _, x := range ts {
			if x.TaskID == "T-gobind" && x.State != "STOPPED" && x.State != "LOST" {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatalf("wait on the task list: %v", err)
	}
	res, err := c.WaitTaskResult(ctx, "GOBIND_APP", "T-gobind", 500*time.Millisecond)
	if err != nil || res.Status != "SUCCESSFUL" || res.ExitCode != 0 {
		t.Fatalf("result %+v %v", res, err)
	}
	data, err := c.TaskLog("GOBIND_APP", "T-gobind", "")
	if err != nil || !strings.Contains(data, "iteration 2") {
		t.Fatalf("task log %q %v", data, err)
	}
	short, scancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = c.WaitTasks(short, 50*time.Millisecond, func([]TaskInfo) bool { return false })
	scancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a task-list wait that cannot be met: %v", err)
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

func TestLocalService(t *testing.T) {
	c := cluster(t)
	spec := loadSpec(t, "localservice.json")
	spec["name"] = "GOBIND_LS"
	sid, err := c.CreateLocalService(spec, 1)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	all, err := c.LocalServices()
	if _, ok := all[sid]; err != nil || !ok {
		t.Fatalf("list %v %v", all, err)
	}
	raw, err := c.LocalServiceSpec(sid)
	if err != nil || !strings.Contains(string(raw), "GOBIND_LS") {
		t.Fatalf("spec %s %v", raw, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.ActivateLocalService(sid); err != nil {
		t.Fatalf("activate: %v", err)
	}
	s, err := c.WaitLocalService(ctx, sid, WaitFor{State: "ACTIVE", Healthy: 1, Interval: 300 * time.Millisecond})
	if err != nil || s.ActivationState != "ACTIVE" || s.Name != "GOBIND_LS" {
		t.Fatalf("wait healthy %+v %v", s, err)
	}
	inst, err := c.LocalServiceInstances(sid, "HEALTHY")
	if err != nil || len(inst) != 1 || inst[0].ServiceID != sid {
		t.Fatalf("instances %+v %v", inst, err)
	}
	iid := inst[0].InstanceID
	if one, err := c.LocalServiceInstance(sid, iid); err != nil || one.State != "HEALTHY" {
		t.Fatalf("instance %+v %v", one, err)
	}
	if files, err := c.LogFiles(LogLocalServices, sid, iid); err != nil || len(files) == 0 {
		t.Fatalf("log files %v %v", files, err)
	}
	// replace the instance: a new one becomes healthy, the old one is listed as old
	if err := c.ReplaceLocalServiceInstances(sid, []string{iid}, &Op{Timeout: 2 * time.Minute}); err != nil {
		t.Fatalf("replace: %v", err)
	}
	for {
		cur, err := c.LocalServiceInstances(sid, "HEALTHY")
		if err != nil {
			t.Fatal(err)
		}
		if len(cur) == 1 && cur[0].InstanceID != iid {
			break
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			t.Fatalf("replace did not finish: %v (instances %+v)", err, cur)
		}
	}
	for { // listed as old once it has stopped
		old, err := c.LocalServiceOldInstances(sid)
		if err != nil {
			t.Fatal(err)
		}
		if len(old) == 1 && old[0].InstanceID == iid {
			break
		}
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			t.Fatalf("old instances %+v", old)
		}
	}
	// the replace operation ends after its last instance stopped, not with it: another
	// operation is refused until the service is ACTIVE again
	if _, err := c.WaitLocalService(ctx, sid, WaitFor{State: "ACTIVE", Healthy: 1, Interval: 300 * time.Millisecond}); err != nil {
		t.Fatalf("replace did not end: %v", err)
	}
	if err := c.DeactivateLocalService(sid); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	if _, err := c.WaitLocalService(ctx, sid, WaitFor{State: "INACTIVE", Interval: 300 * time.Millisecond}); err != nil {
		t.Fatalf("wait inactive: %v", err)
	}
	for { // DESTROY is refused until every instance has stopped
		err := c.DestroyLocalService(sid)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("destroy: %v", err)
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			t.Fatalf("destroy refused until the end: %v", err)
		}
	}
	if _, err := c.WaitLocalService(ctx, sid, WaitFor{State: "DESTROYED"}); err != nil {
		t.Fatalf("wait destroyed: %v", err)
	}
	if _, err := c.LocalService(sid); !errors.Is(err, ErrNotFound) {
		t.Fatalf("destroyed service: %v", err)
	}
}

func TestMaintenanceAndBlacklist(t *testing.T) {
	c := cluster(t)
	st, err := c.SetMaintenance(true)
	if err != nil || st.State != "MAINTENANCE" {
		t.Fatalf("maintenance on %+v %v", st, err)
	}
	if st, err = c.SetMaintenance(false); err != nil || st.State != "NORMAL" {
		t.Fatalf("maintenance off %+v %v", st, err)
	}
	ex := os.Getenv("DROVE_TEST_EXECUTOR")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	waitState := func(want ...string) {
		for {
			es, err := c.Executors()
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				if len(es) == 1 && es[0].State == w {
					return
				}
			}
			if err := sleep(ctx, 300*time.Millisecond); err != nil {
				t.Fatalf("executor not %v: %+v", want, es)
			}
		}
	}
	r, err := c.Blacklist(ex)
	if err != nil || len(r.Successful) != 1 || r.Successful[0] != ex {
		t.Fatalf("blacklist %+v %v", r, err)
	}
	waitState("BLACKLISTED", "BLACKLIST_REQUESTED")
	if r, err = c.Unblacklist(ex); err != nil || len(r.Successful) != 1 {
		t.Fatalf("unblacklist %+v %v", r, err)
	}
	waitState("ACTIVE")
}

// Every call on an object that does not exist comes back as an *Error from the controller
// (a 400 naming the object, or Drove's FAILED envelope: ErrNotFound), never a panic or a
// nil error; instance lists of a missing object are empty, as in Drove.
func TestCallsOnMissingObjects(t *testing.T) {
	c := cluster(t)
	const app, ls = "NO_SUCH_APP-1", "NO_SUCH_LS-1"
	op := &Op{Timeout: 10 * time.Second}
	calls := map[string]func() error{
		"StartInstances": func() error { return c.StartInstances(app, 1, op) },
		"RecoverApp":     func() error { return c.RecoverApp(app) },
		"RestartApp":     func() error { return c.RestartApp(app, true, op) },
		"ReplaceInstances": func() error {
			return c.ReplaceInstances(app, []string{"AI-1"}, false, op)
		},
		"KillInstances": func() error { return c.KillInstances(app, []string{"AI-1"}, true, op) },
		"CancelApp":     func() error { return c.CancelApp(app) },
		"AppOperation": func() error {
			return c.AppOperation(map[string]interface{}{"type": "SUSPEND", "appId": app,
				"opSpec": map[string]interface{}{"timeout": "10 seconds", "parallelism": 1}}, nil)
		},
		"LocalService":                func() error { _, err := c.LocalService(ls); return err },
		"DeployTestInstance":          func() error { return c.DeployTestInstance(ls) },
		"AdjustLocalServiceInstances": func() error { return c.AdjustLocalServiceInstances(ls) },
		"UpdateLocalServiceInstances": func() error { return c.UpdateLocalServiceInstances(ls, 2) },
		"RestartLocalService":         func() error { return c.RestartLocalService(ls, false, op) },
		"CancelLocalService":          func() error { return c.CancelLocalService(ls) },
		"KillLocalServiceInstances": func() error {
			return c.KillLocalServiceInstances(ls, []string{"SI-1"}, op)
		},
		"LocalServiceOperation": func() error {
			return c.LocalServiceOperation(map[string]interface{}{"type": "ACTIVATE", "serviceId": ls}, nil)
		},
	}
	for name, call := range calls {
		err := call()
		var de *Error
		if !errors.As(err, &de) || (de.Status != 400 && !errors.Is(err, ErrNotFound)) || de.Message == "" {
			t.Errorf("%s on a missing object: %#v", name, err)
		}
	}
	if l, err := c.AppOldInstances(app); err != nil || len(l) != 0 {
		t.Errorf("old instances of a missing app: %+v %v", l, err)
	}
	if l, err := c.LocalServiceInstances(ls); err != nil || len(l) != 0 {
		t.Errorf("instances of a missing local service: %+v %v", l, err)
	}
}
