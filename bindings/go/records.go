package drove

// The typed client's records (include/drove/client.h, docs/typed-client.md) into this
// package's structs: each call fills its struct through the record getters and frees the C
// record, so nothing of the C side outlives the call. A value the C decoder does not know (a
// state a newer Drove adds) fails the call naming the field; Call() still returns any JSON.

/*
#include <stdlib.h>
#include <drove/client.h>
#include <drove/model.h>
*/
import "C"

// gostr is "" for NULL.
func gostr(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// strmap copies a borrowed drove_strmap; nil for NULL or an empty one.
func strmap(m *C.drove_strmap) map[string]string {
	if m == nil || C.drove_strmap_count(m) == 0 {
		return nil
	}
	n := C.drove_strmap_count(m)
	v := make(map[string]string, int(n))
	for i := C.size_t(0); i < n; i++ {
		v[gostr(C.drove_strmap_key(m, i))] = gostr(C.drove_strmap_value(m, i))
	}
	return v
}

func appSummary(a *C.drove_application) AppSummary {
	return AppSummary{
		ID:                gostr(C.drove_application_id(a)),
		Name:              gostr(C.drove_application_name(a)),
		RequiredInstances: int64(C.drove_application_required_instances(a)),
		HealthyInstances:  int64(C.drove_application_healthy_instances(a)),
		TotalCPUs:         int64(C.drove_application_total_cpus(a)),
		TotalMemory:       int64(C.drove_application_total_memory(a)),
		Tags:              strmap(C.drove_application_tags(a)),
		State:             gostr(C.drove_app_state_name(C.drove_application_state(a))),
		Created:           int64(C.drove_application_created(a)),
		Updated:           int64(C.drove_application_updated(a)),
	}
}

// instanceInfo fills AppID/AppName, or ServiceID for a local service's instance (service).
func instanceInfo(in *C.drove_instance, service bool) InstanceInfo {
	v := InstanceInfo{
		InstanceID:   gostr(C.drove_instance_id(in)),
		ExecutorID:   gostr(C.drove_instance_executor_id(in)),
		State:        gostr(C.drove_instance_state_name(C.drove_instance_state(in))),
		ErrorMessage: gostr(C.drove_instance_error_message(in)),
		Created:      int64(C.drove_instance_created(in)),
		Updated:      int64(C.drove_instance_updated(in)),
	}
	if service {
		v.ServiceID = gostr(C.drove_instance_app_id(in))
	} else {
		v.AppID = gostr(C.drove_instance_app_id(in))
		v.AppName = gostr(C.drove_instance_app_name(in))
	}
	host, n := C.drove_instance_host(in), C.drove_instance_port_count(in)
	if host == nil && n == 0 {
		return v
	}
	v.LocalInfo = &struct {
		Hostname string              `json:"hostname"`
		Ports    map[string]PortInfo `json:"ports"`
	}{Hostname: gostr(host), Ports: make(map[string]PortInfo, int(n))}
	for i := C.size_t(0); i < n; i++ {
		v.LocalInfo.Ports[gostr(C.drove_instance_port_name(in, i))] = PortInfo{
			ContainerPort: int(C.drove_instance_port_container(in, i)),
			HostPort:      int(C.drove_instance_port_host(in, i)),
			PortType:      gostr(C.drove_instance_port_type(in, i)),
		}
	}
	return v
}

func taskInfo(t *C.drove_task) TaskInfo {
	v := TaskInfo{
		SourceAppName: gostr(C.drove_task_source_app(t)),
		TaskID:        gostr(C.drove_task_id(t)),
		InstanceID:    gostr(C.drove_task_instance_id(t)),
		ExecutorID:    gostr(C.drove_task_executor_id(t)),
		Hostname:      gostr(C.drove_task_host(t)),
		State:         gostr(C.drove_task_state_name(C.drove_task_state(t))),
		ErrorMessage:  gostr(C.drove_task_error_message(t)),
		Created:       int64(C.drove_task_created(t)),
		Updated:       int64(C.drove_task_updated(t)),
	}
	if st := C.drove_task_result_status(t); st >= 0 {
		v.TaskResult = &TaskResult{Status: gostr(C.drove_task_result_status_name(st)),
			ExitCode: int(C.drove_task_exit_code(t))}
	}
	return v
}

func localServiceSummary(s *C.drove_local_service) LocalServiceSummary {
	return LocalServiceSummary{
		ID:               gostr(C.drove_local_service_id(s)),
		Name:             gostr(C.drove_local_service_name(s)),
		InstancesPerHost: int64(C.drove_local_service_instances_per_host(s)),
		HealthyInstances: int64(C.drove_local_service_healthy_instances(s)),
		TotalCPUs:        int64(C.drove_local_service_total_cpus(s)),
		TotalMemory:      int64(C.drove_local_service_total_memory(s)),
		Tags:             strmap(C.drove_local_service_tags(s)),
		ActivationState: gostr(C.drove_ls_activation_state_name(
			C.drove_local_service_activation(s))),
		State:   gostr(C.drove_ls_state_name(C.drove_local_service_state(s))),
		Created: int64(C.drove_local_service_created(s)),
		Updated: int64(C.drove_local_service_updated(s)),
	}
}

func executorSummary(x *C.drove_executor_info) ExecutorSummary {
	v := ExecutorSummary{
		ExecutorID:    gostr(C.drove_executor_info_id(x)),
		Hostname:      gostr(C.drove_executor_info_host(x)),
		Port:          int(C.drove_executor_info_port(x)),
		TransportType: gostr(C.drove_executor_info_transport(x)),
		FreeCores:     int64(C.drove_executor_info_free_cores(x)),
		UsedCores:     int64(C.drove_executor_info_used_cores(x)),
		FreeMemory:    int64(C.drove_executor_info_free_memory(x)),
		UsedMemory:    int64(C.drove_executor_info_used_memory(x)),
		State:         gostr(C.drove_executor_state_name(C.drove_executor_info_state(x))),
		Tags:          []string{},
	}
	for i := C.size_t(0); i < C.drove_executor_info_tag_count(x); i++ {
		v.Tags = append(v.Tags, gostr(C.drove_executor_info_tag(x, i)))
	}
	return v
}

func clusterSummary(s *C.drove_cluster_summary) ClusterSummary {
	return ClusterSummary{
		Leader:                 gostr(C.drove_cluster_summary_leader(s)),
		State:                  gostr(C.drove_cluster_state_name(C.drove_cluster_summary_state(s))),
		NumExecutors:           int64(C.drove_cluster_summary_executors(s)),
		NumApplications:        int64(C.drove_cluster_summary_applications(s)),
		NumActiveApplications:  int64(C.drove_cluster_summary_active_applications(s)),
		NumActiveTasks:         int64(C.drove_cluster_summary_active_tasks(s)),
		NumLocalServices:       int64(C.drove_cluster_summary_local_services(s)),
		NumActiveLocalServices: int64(C.drove_cluster_summary_active_local_services(s)),
		FreeCores:              int64(C.drove_cluster_summary_free_cores(s)),
		UsedCores:              int64(C.drove_cluster_summary_used_cores(s)),
		TotalCores:             int64(C.drove_cluster_summary_total_cores(s)),
		FreeMemory:             int64(C.drove_cluster_summary_free_memory(s)),
		UsedMemory:             int64(C.drove_cluster_summary_used_memory(s)),
		TotalMemory:            int64(C.drove_cluster_summary_total_memory(s)),
	}
}

// event: metadata values are the record's text ("1719977629042" for a number).
func event(e *C.drove_cluster_event) Event {
	v := Event{
		Type:     gostr(C.drove_event_type_name(C.drove_cluster_event_type(e))),
		ID:       gostr(C.drove_cluster_event_id(e)),
		Time:     int64(C.drove_cluster_event_time(e)),
		Metadata: map[string]interface{}{},
	}
	for k, s := range strmap(C.drove_cluster_event_metadata(e)) {
		v.Metadata[k] = s
	}
	return v
}

// instances runs a call answering a drove_instance_list; service as for instanceInfo.
func (cl *Client) instances(service bool,
	fn func(c *C.drove_client, out **C.drove_instance_list) C.int) ([]InstanceInfo, error) {
	var l *C.drove_instance_list
	if err := cl.do(true, func(c *C.drove_client) C.int { return fn(c, &l) }); err != nil {
		return nil, err
	}
	defer C.drove_instance_list_free(l)
	n := C.drove_instance_list_count(l)
	v := make([]InstanceInfo, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		v = append(v, instanceInfo(C.drove_instance_list_get(l, i), service))
	}
	return v, nil
}

// instance runs a call answering one drove_instance.
func (cl *Client) instance(service bool,
	fn func(c *C.drove_client, out **C.drove_instance) C.int) (InstanceInfo, error) {
	var in *C.drove_instance
	if err := cl.do(true, func(c *C.drove_client) C.int { return fn(c, &in) }); err != nil {
		return InstanceInfo{}, err
	}
	defer C.drove_instance_free(in)
	return instanceInfo(in, service), nil
}
