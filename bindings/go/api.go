package drove

/*
#include <stdlib.h>
#include <drove/client.h>
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// AppSummary is GET /applications/{appId} (DROVE_API.md §2.3).
type AppSummary struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	RequiredInstances int64             `json:"requiredInstances"`
	HealthyInstances  int64             `json:"healthyInstances"`
	TotalCPUs         int64             `json:"totalCPUs"`
	TotalMemory       int64             `json:"totalMemory"`
	Tags              map[string]string `json:"tags,omitempty"`
	State             string            `json:"state"`
	Created           int64             `json:"created"`
	Updated           int64             `json:"updated"`
}

// PortInfo is one port of an instance's localInfo.
type PortInfo struct {
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
	PortType      string `json:"portType"`
}

// InstanceInfo is an application (or local service) instance (§6.2).
type InstanceInfo struct {
	AppID      string `json:"appId,omitempty"`
	AppName    string `json:"appName,omitempty"`
	ServiceID  string `json:"serviceId,omitempty"`
	InstanceID string `json:"instanceId"`
	ExecutorID string `json:"executorId"`
	LocalInfo  *struct {
		Hostname string              `json:"hostname"`
		Ports    map[string]PortInfo `json:"ports"`
	} `json:"localInfo,omitempty"`
	State        string `json:"state"`
	ErrorMessage string `json:"errorMessage"`
	Created      int64  `json:"created"`
	Updated      int64  `json:"updated"`
}

// TaskResult is a finished task's result.
type TaskResult struct {
	Status   string `json:"status"`
	ExitCode int    `json:"exitCode"`
}

// TaskInfo is GET /tasks/{sourceAppName}/instances/{taskId} (§6.4).
type TaskInfo struct {
	SourceAppName string      `json:"sourceAppName"`
	TaskID        string      `json:"taskId"`
	InstanceID    string      `json:"instanceId"`
	ExecutorID    string      `json:"executorId"`
	Hostname      string      `json:"hostname,omitempty"`
	State         string      `json:"state"`
	TaskResult    *TaskResult `json:"taskResult,omitempty"`
	ErrorMessage  string      `json:"errorMessage"`
	Created       int64       `json:"created"`
	Updated       int64       `json:"updated"`
}

// ExecutorSummary is one entry of GET /cluster/executors (§2.7).
type ExecutorSummary struct {
	ExecutorID    string   `json:"executorId"`
	Hostname      string   `json:"hostname"`
	Port          int      `json:"port"`
	TransportType string   `json:"transportType"`
	FreeCores     int64    `json:"freeCores"`
	UsedCores     int64    `json:"usedCores"`
	FreeMemory    int64    `json:"freeMemory"`
	UsedMemory    int64    `json:"usedMemory"`
	Tags          []string `json:"tags"`
	State         string   `json:"state"`
}

// ClusterSummary is GET /cluster (§2.7).
type ClusterSummary struct {
	Leader                 string `json:"leader"`
	State                  string `json:"state"`
	NumExecutors           int64  `json:"numExecutors"`
	NumApplications        int64  `json:"numApplications"`
	NumActiveApplications  int64  `json:"numActiveApplications"`
	NumActiveTasks         int64  `json:"numActiveTasks"`
	NumLocalServices       int64  `json:"numLocalServices"`
	NumActiveLocalServices int64  `json:"numActiveLocalServices"`
	FreeCores              int64  `json:"freeCores"`
	UsedCores              int64  `json:"usedCores"`
	TotalCores             int64  `json:"totalCores"`
	FreeMemory             int64  `json:"freeMemory"`
	UsedMemory             int64  `json:"usedMemory"`
	TotalMemory            int64  `json:"totalMemory"`
}

// ClusterState is the answer of the maintenance calls.
type ClusterState struct {
	State   string `json:"state"`
	Updated int64  `json:"updated"`
}

// BlacklistResponse is the answer of Blacklist and Unblacklist.
type BlacklistResponse struct {
	Successful             []string `json:"successful"`
	Failed                 []string `json:"failed"`
	ApproxCompletionTimeMs int64    `json:"approxCompletionTimeMs"`
	Message                string   `json:"message"`
}

// ExposedApp is one entry of GET /endpoints (§2.4).
type ExposedApp struct {
	AppName string            `json:"appName"`
	AppID   string            `json:"appId"`
	Vhost   string            `json:"vhost"`
	Tags    map[string]string `json:"tags,omitempty"`
	Hosts   []struct {
		Host     string `json:"host"`
		Port     int    `json:"port"`
		PortType string `json:"portType"`
	} `json:"hosts"`
}

// Event is one cluster event (§7.1); metadata values are strings (a number's text, as the
// typed record gives it).
type Event struct {
	Type     string                 `json:"type"`
	ID       string                 `json:"id"`
	Time     int64                  `json:"time"`
	Metadata map[string]interface{} `json:"metadata"`
}

// Meta is a metadata value as a string ("" when absent).
func (e Event) Meta(key string) string {
	v, ok := e.Metadata[key]
	if !ok || v == nil {
		return ""
	}
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprint(v)
}

// Op is the opSpec of an operation: timeout (0: 5 minutes) and parallelism (< 1: 1).
type Op struct {
	Timeout     time.Duration
	Parallelism int
}

func (o *Op) args() (*C.char, C.int) {
	if o == nil {
		return nil, 1
	}
	var t *C.char
	if o.Timeout > 0 {
		secs := int64(o.Timeout / time.Second)
		if secs < 1 {
			secs = 1
		}
		t = cstr(fmt.Sprintf("%d seconds", secs))
	}
	return t, C.int(o.Parallelism)
}

func specText(spec interface{}) (string, error) {
	switch s := spec.(type) {
	case string:
		return s, nil
	case []byte:
		return string(s), nil
	case json.RawMessage:
		return string(s), nil
	}
	b, err := json.Marshal(spec)
	return string(b), err
}

// cstrs is a C array of C strings; free it with freeStrs.
func cstrs(ss []string) (**C.char, C.size_t) {
	if len(ss) == 0 {
		return nil, 0
	}
	arr := (*[1 << 28]*C.char)(C.malloc(C.size_t(len(ss)) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	for i, s := range ss {
		arr[i] = cstr(s)
	}
	return &arr[0], C.size_t(len(ss))
}

func freeStrs(p **C.char, n C.size_t) {
	if p == nil {
		return
	}
	arr := (*[1 << 28]*C.char)(unsafe.Pointer(p))
	for i := 0; i < int(n); i++ {
		free(arr[i])
	}
	C.free(unsafe.Pointer(p))
}

// ---- applications ----

// Apps lists the applications, keyed by appId.
func (cl *Client) Apps() (map[string]AppSummary, error) {
	var l *C.drove_application_list
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_app_list(c, &l) }); err != nil {
		return nil, err
	}
	defer C.drove_application_list_free(l)
	n := C.drove_application_list_count(l)
	v := make(map[string]AppSummary, int(n))
	for i := C.size_t(0); i < n; i++ {
		a := appSummary(C.drove_application_list_get(l, i))
		v[a.ID] = a
	}
	return v, nil
}

// App is one application's summary.
func (cl *Client) App(appID string) (AppSummary, error) {
	var a *C.drove_application
	id := cstr(appID)
	defer free(id)
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_app_get(c, id, &a) }); err != nil {
		return AppSummary{}, err
	}
	defer C.drove_application_free(a)
	return appSummary(a), nil
}

// AppSpec is the application's spec as sent.
func (cl *Client) AppSpec(appID string) (json.RawMessage, error) {
	var v json.RawMessage
	id := cstr(appID)
	defer free(id)
	return v, cl.text(&v, func(c *C.drove_client, o **C.char) C.int { return C.drove_client_app_spec_get_json(c, id, o) })
}

// AppInstances lists instances in the given states (none: the active ones).
func (cl *Client) AppInstances(appID string, states ...string) ([]InstanceInfo, error) {
	id, st := cstr(appID), cstrOpt(strings.Join(states, ","))
	defer free(id)
	defer free(st)
	return cl.instances(false, func(c *C.drove_client, o **C.drove_instance_list) C.int {
		return C.drove_client_app_instance_list(c, id, st, o)
	})
}

// CreateApp creates an application from its spec (a struct, map, string or json.RawMessage)
// with `instances` instances; the appId.
func (cl *Client) CreateApp(spec interface{}, instances int64, op *Op) (string, error) {
	js, err := specText(spec)
	if err != nil {
		return "", err
	}
	s := cstr(js)
	defer free(s)
	t, par := op.args()
	defer free(t)
	var out *C.char
	if err := cl.do(true, func(c *C.drove_client) C.int {
		return C.drove_client_app_create(c, s, C.int64_t(instances), t, par, &out)
	}); err != nil {
		return "", err
	}
	id := C.GoString(out)
	C.drove_free(unsafe.Pointer(out))
	return id, nil
}

func (cl *Client) appOp(appID string, op *Op, fn func(c *C.drove_client, id, t *C.char, par C.int) C.int) error {
	id := cstr(appID)
	defer free(id)
	t, par := op.args()
	defer free(t)
	return cl.do(true, func(c *C.drove_client) C.int { return fn(c, id, t, par) })
}

// ScaleApp sets the number of instances.
func (cl *Client) ScaleApp(appID string, instances int64, op *Op) error {
	return cl.appOp(appID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_app_scale(c, id, C.int64_t(instances), t, par)
	})
}

// SuspendApp stops every instance (the app stays, in MONITORING).
func (cl *Client) SuspendApp(appID string, op *Op) error {
	return cl.appOp(appID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_app_suspend(c, id, t, par)
	})
}

// RestartApp replaces every healthy instance (a rolling restart).
func (cl *Client) RestartApp(appID string, stopFirst bool, op *Op) error {
	sf := cbool(stopFirst)
	return cl.appOp(appID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_app_restart(c, id, sf, t, par)
	})
}

// DestroyApp destroys a suspended (MONITORING) application.
func (cl *Client) DestroyApp(appID string) error {
	return cl.appOp(appID, nil, func(c *C.drove_client, id, _ *C.char, _ C.int) C.int {
		return C.drove_client_app_destroy(c, id)
	})
}

// CancelApp cancels the application's current operation.
func (cl *Client) CancelApp(appID string) error {
	return cl.appOp(appID, nil, func(c *C.drove_client, id, _ *C.char, _ C.int) C.int {
		return C.drove_client_app_cancel(c, id)
	})
}

// KillInstances stops the listed instances (skipRespawn lowers the expected count).
func (cl *Client) KillInstances(appID string, instanceIDs []string, skipRespawn bool, op *Op) error {
	ids, n := cstrs(instanceIDs)
	defer freeStrs(ids, n)
	sr := cbool(skipRespawn)
	return cl.appOp(appID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_app_instance_kill(c, id, ids, n, sr, t, par)
	})
}

// AppOldInstances lists the application's instances in non-active states.
func (cl *Client) AppOldInstances(appID string) ([]InstanceInfo, error) {
	id := cstr(appID)
	defer free(id)
	return cl.instances(false, func(c *C.drove_client, o **C.drove_instance_list) C.int {
		return C.drove_client_app_instance_list_old(c, id, o)
	})
}

// AppInstance is one instance of an application.
func (cl *Client) AppInstance(appID, instanceID string) (InstanceInfo, error) {
	id, iid := cstr(appID), cstr(instanceID)
	defer free(id)
	defer free(iid)
	return cl.instance(false, func(c *C.drove_client, o **C.drove_instance) C.int {
		return C.drove_client_app_instance_get(c, id, iid, o)
	})
}

// AppOperation posts any application operation (§4.1) as is (a struct, map, string or
// json.RawMessage); the envelope's data is decoded into out (may be nil).
func (cl *Client) AppOperation(op interface{}, out interface{}) error {
	js, err := specText(op)
	if err != nil {
		return err
	}
	s := cstr(js)
	defer free(s)
	return cl.text(out, func(c *C.drove_client, o **C.char) C.int { return C.drove_client_app_operation_json(c, s, o) })
}

// StartInstances starts `count` more instances.
func (cl *Client) StartInstances(appID string, count int64, op *Op) error {
	return cl.appOp(appID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_app_instance_start(c, id, C.int64_t(count), t, par)
	})
}

// RecoverApp brings a suspended application back to its expected instance count.
func (cl *Client) RecoverApp(appID string) error {
	return cl.appOp(appID, nil, func(c *C.drove_client, id, _ *C.char, _ C.int) C.int {
		return C.drove_client_app_recover(c, id)
	})
}

// ReplaceInstances replaces the listed instances with new ones (stopFirst: stop each old
// one before its replacement starts).
func (cl *Client) ReplaceInstances(appID string, instanceIDs []string, stopFirst bool, op *Op) error {
	ids, n := cstrs(instanceIDs)
	defer freeStrs(ids, n)
	sf := cbool(stopFirst)
	return cl.appOp(appID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_app_instance_replace(c, id, ids, n, sf, t, par)
	})
}

// ---- tasks ----

// CreateTask starts a task from its spec; the run id "{sourceAppName}-{taskId}".
func (cl *Client) CreateTask(spec interface{}, timeout time.Duration) (string, error) {
	js, err := specText(spec)
	if err != nil {
		return "", err
	}
	s := cstr(js)
	defer free(s)
	t, _ := (&Op{Timeout: timeout}).args()
	defer free(t)
	var out *C.char
	if err := cl.do(true, func(c *C.drove_client) C.int {
		return C.drove_client_task_create(c, s, t, &out)
	}); err != nil {
		return "", err
	}
	id := C.GoString(out)
	C.drove_free(unsafe.Pointer(out))
	return id, nil
}

// Task is one task's record.
func (cl *Client) Task(sourceApp, taskID string) (TaskInfo, error) {
	var r *C.drove_task
	a, t := cstr(sourceApp), cstr(taskID)
	defer free(a)
	defer free(t)
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_task_get(c, a, t, &r) }); err != nil {
		return TaskInfo{}, err
	}
	defer C.drove_task_free(r)
	return taskInfo(r), nil
}

// Tasks lists the active tasks.
func (cl *Client) Tasks() ([]TaskInfo, error) {
	var l *C.drove_task_list
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_task_list(c, &l) }); err != nil {
		return nil, err
	}
	defer C.drove_task_list_free(l)
	n := C.drove_task_list_count(l)
	v := make([]TaskInfo, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		v = append(v, taskInfo(C.drove_task_list_get(l, i)))
	}
	return v, nil
}

// KillTask kills a running task.
func (cl *Client) KillTask(sourceApp, taskID string) error {
	a, t := cstr(sourceApp), cstr(taskID)
	defer free(a)
	defer free(t)
	return cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_task_kill(c, a, t, nil) })
}

// DeleteTask deletes a finished task's stored record.
func (cl *Client) DeleteTask(sourceApp, taskID string) error {
	a, t := cstr(sourceApp), cstr(taskID)
	defer free(a)
	defer free(t)
	return cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_task_delete(c, a, t) })
}

// ---- cluster and executors ----

// Cluster is the cluster summary.
func (cl *Client) Cluster() (ClusterSummary, error) {
	var s *C.drove_cluster_summary
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_cluster_get(c, &s) }); err != nil {
		return ClusterSummary{}, err
	}
	defer C.drove_cluster_summary_free(s)
	return clusterSummary(s), nil
}

// SetMaintenance sets (on) or removes maintenance mode.
func (cl *Client) SetMaintenance(on bool) (ClusterState, error) {
	var v ClusterState
	o1 := cbool(on)
	return v, cl.text(&v, func(c *C.drove_client, o **C.char) C.int {
		return C.drove_client_cluster_maintenance_set_json(c, o1, o)
	})
}

// Executors lists the executors (and recently removed ones).
func (cl *Client) Executors() ([]ExecutorSummary, error) {
	var l *C.drove_executor_info_list
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_executor_list(c, &l) }); err != nil {
		return nil, err
	}
	defer C.drove_executor_info_list_free(l)
	n := C.drove_executor_info_list_count(l)
	v := make([]ExecutorSummary, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		v = append(v, executorSummary(C.drove_executor_info_list_get(l, i)))
	}
	return v, nil
}

// Executor is an executor's full node data (§6.5) as JSON.
func (cl *Client) Executor(executorID string) (json.RawMessage, error) {
	var v json.RawMessage
	id := cstr(executorID)
	defer free(id)
	return v, cl.text(&v, func(c *C.drove_client, o **C.char) C.int { return C.drove_client_executor_get_json(c, id, o) })
}

func (cl *Client) blacklist(on C.int, ids []string) (BlacklistResponse, error) {
	var v BlacklistResponse
	p, n := cstrs(ids)
	defer freeStrs(p, n)
	return v, cl.text(&v, func(c *C.drove_client, o **C.char) C.int {
		return C.drove_client_executor_blacklist_json(c, p, n, on, o)
	})
}

// Blacklist blacklists executors.
func (cl *Client) Blacklist(executorIDs ...string) (BlacklistResponse, error) {
	return cl.blacklist(1, executorIDs)
}

// Unblacklist returns blacklisted executors to service.
func (cl *Client) Unblacklist(executorIDs ...string) (BlacklistResponse, error) {
	return cl.blacklist(0, executorIDs)
}

// Endpoints lists the exposed apps (appName "": all).
func (cl *Client) Endpoints(appName string) ([]ExposedApp, error) {
	var v []ExposedApp
	a := cstrOpt(appName)
	defer free(a)
	return v, cl.text(&v, func(c *C.drove_client, o **C.char) C.int { return C.drove_client_endpoint_list_json(c, a, o) })
}

// Events lists events newer than since (ms), newest first, at most size.
func (cl *Client) Events(since int64, size int) ([]Event, error) {
	var l *C.drove_cluster_event_list
	if err := cl.do(true, func(c *C.drove_client) C.int {
		return C.drove_client_event_list(c, C.int64_t(since), C.int(size), &l)
	}); err != nil {
		return nil, err
	}
	defer C.drove_cluster_event_list_free(l)
	n := C.drove_cluster_event_list_count(l)
	v := make([]Event, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		v = append(v, event(C.drove_cluster_event_list_get(l, i)))
	}
	return v, nil
}

// EventsSummary is GET /cluster/events/summary: counts per event type since `since` (ms).
type EventsSummary struct {
	EventsCount  map[string]int64 `json:"eventsCount"`
	LastSyncTime int64            `json:"lastSyncTime"`
}

// EventCounts counts the events newer than since (ms) by type.
func (cl *Client) EventCounts(since int64) (EventsSummary, error) {
	var v EventsSummary
	return v, cl.text(&v, func(c *C.drove_client, o **C.char) C.int {
		return C.drove_client_event_summary_get_json(c, C.int64_t(since), o)
	})
}

// ---- log files ----

// Log kinds for the log calls: ids are (appId, instanceId), (sourceAppName, taskId) or
// (serviceId, instanceId).
const (
	LogApps          = "applications"
	LogTasks         = "tasks"
	LogLocalServices = "localservices"
)

// LogFiles lists an instance's log files.
func (cl *Client) LogFiles(kind, id1, id2 string) ([]string, error) {
	k, a, b := cstr(kind), cstr(id1), cstr(id2)
	defer free(k)
	defer free(a)
	defer free(b)
	var out *C.char
	if err := cl.do(false, func(c *C.drove_client) C.int {
		return C.drove_client_log_list_json(c, k, a, b, &out)
	}); err != nil {
		return nil, err
	}
	var v struct {
		Files []string `json:"files"`
	}
	err := json.Unmarshal([]byte(C.GoString(out)), &v)
	C.drove_free(unsafe.Pointer(out))
	return v.Files, err
}

// ReadLog reads up to length bytes (-1: the executor's chunk) of a log file from offset;
// the bytes and the offset after them. Offset -1 gives no bytes and the file's size.
func (cl *Client) ReadLog(kind, id1, id2, file string, offset, length int64) ([]byte, int64, error) {
	k, a, b, f := cstr(kind), cstr(id1), cstr(id2), cstr(file)
	defer free(k)
	defer free(a)
	defer free(b)
	defer free(f)
	off := C.int64_t(offset)
	var out *C.char
	var n C.size_t
	if err := cl.do(false, func(c *C.drove_client) C.int {
		return C.drove_client_log_read(c, k, a, b, f, &off, C.int64_t(length), &out, &n)
	}); err != nil {
		return nil, offset, err
	}
	data := C.GoBytes(unsafe.Pointer(out), C.int(n))
	C.drove_free(unsafe.Pointer(out))
	return data, int64(off), nil
}
