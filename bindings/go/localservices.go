package drove

/*
#include <stdlib.h>
#include <drove/client.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"strings"
	"unsafe"
)

// LocalServiceSummary is GET /localservices/{serviceId} (DROVE_API.md §2.6).
type LocalServiceSummary struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	InstancesPerHost int64             `json:"instancesPerHost"`
	HealthyInstances int64             `json:"healthyInstances"`
	TotalCPUs        int64             `json:"totalCPUs"`
	TotalMemory      int64             `json:"totalMemory"`
	Tags             map[string]string `json:"tags,omitempty"`
	ActivationState  string            `json:"activationState"`
	State            string            `json:"state"`
	Created          int64             `json:"created"`
	Updated          int64             `json:"updated"`
}

// LocalServices lists the local services, keyed by serviceId.
func (cl *Client) LocalServices() (map[string]LocalServiceSummary, error) {
	var l *C.drove_local_service_list
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_local_service_list(c, &l) }); err != nil {
		return nil, err
	}
	defer C.drove_local_service_list_free(l)
	n := C.drove_local_service_list_count(l)
	v := make(map[string]LocalServiceSummary, int(n))
	for i := C.size_t(0); i < n; i++ {
		s := localServiceSummary(C.drove_local_service_list_get(l, i))
		v[s.ID] = s
	}
	return v, nil
}

// lsText runs a call on one service id that answers JSON, decoded into v.
func (cl *Client) lsText(serviceID string, v interface{},
	fn func(c *C.drove_client, id *C.char, o **C.char) C.int) error {
	id := cstr(serviceID)
	defer free(id)
	return cl.text(v, func(c *C.drove_client, o **C.char) C.int { return fn(c, id, o) })
}

// LocalService is one local service's summary.
func (cl *Client) LocalService(serviceID string) (LocalServiceSummary, error) {
	var s *C.drove_local_service
	id := cstr(serviceID)
	defer free(id)
	if err := cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_local_service_get(c, id, &s) }); err != nil {
		return LocalServiceSummary{}, err
	}
	defer C.drove_local_service_free(s)
	return localServiceSummary(s), nil
}

// LocalServiceSpec is the local service's spec as sent.
func (cl *Client) LocalServiceSpec(serviceID string) (json.RawMessage, error) {
	var v json.RawMessage
	return v, cl.lsText(serviceID, &v, func(c *C.drove_client, id *C.char, o **C.char) C.int {
		return C.drove_client_local_service_spec_get_json(c, id, o)
	})
}

// LocalServiceInstances lists instances in the given states (none: the active ones).
func (cl *Client) LocalServiceInstances(serviceID string, states ...string) ([]InstanceInfo, error) {
	id, st := cstr(serviceID), cstrOpt(strings.Join(states, ","))
	defer free(id)
	defer free(st)
	return cl.instances(true, func(c *C.drove_client, o **C.drove_instance_list) C.int {
		return C.drove_client_local_service_instance_list(c, id, st, o)
	})
}

// LocalServiceOldInstances lists the service's instances in non-active states.
func (cl *Client) LocalServiceOldInstances(serviceID string) ([]InstanceInfo, error) {
	id := cstr(serviceID)
	defer free(id)
	return cl.instances(true, func(c *C.drove_client, o **C.drove_instance_list) C.int {
		return C.drove_client_local_service_instance_list_old(c, id, o)
	})
}

// LocalServiceInstance is one instance of a local service.
func (cl *Client) LocalServiceInstance(serviceID, instanceID string) (InstanceInfo, error) {
	id, iid := cstr(serviceID), cstr(instanceID)
	defer free(id)
	defer free(iid)
	return cl.instance(true, func(c *C.drove_client, o **C.drove_instance) C.int {
		return C.drove_client_local_service_instance_get(c, id, iid, o)
	})
}

// LocalServiceOperation posts any local service operation (§4.2) as is; the envelope's data
// is decoded into out (may be nil).
func (cl *Client) LocalServiceOperation(op interface{}, out interface{}) error {
	js, err := specText(op)
	if err != nil {
		return err
	}
	s := cstr(js)
	defer free(s)
	return cl.text(out, func(c *C.drove_client, o **C.char) C.int { return C.drove_client_local_service_operation_json(c, s, o) })
}

// CreateLocalService creates a local service (INACTIVE); the serviceId.
// ActivateLocalService starts it.
func (cl *Client) CreateLocalService(spec interface{}, instancesPerHost int) (string, error) {
	js, err := specText(spec)
	if err != nil {
		return "", err
	}
	s := cstr(js)
	defer free(s)
	var out *C.char
	if err := cl.do(true, func(c *C.drove_client) C.int {
		return C.drove_client_local_service_create(c, s, C.int(instancesPerHost), &out)
	}); err != nil {
		return "", err
	}
	id := C.GoString(out)
	C.drove_free(unsafe.Pointer(out))
	return id, nil
}

// LocalServiceOp runs "ACTIVATE", "DEACTIVATE", "DEPLOY_TEST_INSTANCE", "DESTROY" or
// "ADJUST_INSTANCES" on a local service.
func (cl *Client) LocalServiceOp(opType, serviceID string) error {
	ops := map[string]C.int{
		"ACTIVATE":             C.DROVE_CLIENT_LOCAL_SERVICE_ACTIVATE,
		"DEACTIVATE":           C.DROVE_CLIENT_LOCAL_SERVICE_DEACTIVATE,
		"DEPLOY_TEST_INSTANCE": C.DROVE_CLIENT_LOCAL_SERVICE_DEPLOY_TEST_INSTANCE,
		"DESTROY":              C.DROVE_CLIENT_LOCAL_SERVICE_DESTROY,
		"ADJUST_INSTANCES":     C.DROVE_CLIENT_LOCAL_SERVICE_ADJUST_INSTANCES,
	}
	t, ok := ops[opType]
	if !ok {
		return &Error{Code: CodeInvalid,
			Message: "local service operation: '" + opType + "' needs more than an id"}
	}
	id := cstr(serviceID)
	defer free(id)
	return cl.do(true, func(c *C.drove_client) C.int { return C.drove_client_local_service_op(c, t, id) })
}

// ActivateLocalService places instancesPerHost instances on every eligible executor.
func (cl *Client) ActivateLocalService(serviceID string) error {
	return cl.LocalServiceOp("ACTIVATE", serviceID)
}

// DeactivateLocalService stops every instance (the service becomes INACTIVE).
func (cl *Client) DeactivateLocalService(serviceID string) error {
	return cl.LocalServiceOp("DEACTIVATE", serviceID)
}

// DeployTestInstance runs one instance cluster-wide (CONFIG_TESTING) of an INACTIVE service.
func (cl *Client) DeployTestInstance(serviceID string) error {
	return cl.LocalServiceOp("DEPLOY_TEST_INSTANCE", serviceID)
}

// AdjustLocalServiceInstances places or stops instances to match instancesPerHost now.
func (cl *Client) AdjustLocalServiceInstances(serviceID string) error {
	return cl.LocalServiceOp("ADJUST_INSTANCES", serviceID)
}

// DestroyLocalService destroys an INACTIVE local service.
func (cl *Client) DestroyLocalService(serviceID string) error {
	return cl.LocalServiceOp("DESTROY", serviceID)
}

// UpdateLocalServiceInstances sets instancesPerHost.
func (cl *Client) UpdateLocalServiceInstances(serviceID string, instancesPerHost int) error {
	id := cstr(serviceID)
	defer free(id)
	return cl.do(true, func(c *C.drove_client) C.int {
		return C.drove_client_local_service_update_instances(c, id, C.int(instancesPerHost))
	})
}

// RestartLocalService replaces every instance.
func (cl *Client) RestartLocalService(serviceID string, stopFirst bool, op *Op) error {
	sf := cbool(stopFirst)
	return cl.appOp(serviceID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_local_service_restart(c, id, sf, t, par)
	})
}

// CancelLocalService cancels the service's current operation.
func (cl *Client) CancelLocalService(serviceID string) error {
	return cl.appOp(serviceID, nil, func(c *C.drove_client, id, _ *C.char, _ C.int) C.int {
		return C.drove_client_local_service_cancel(c, id)
	})
}

func (cl *Client) lsInstancesOp(serviceID string, instanceIDs []string, what C.int, op *Op) error {
	ids, n := cstrs(instanceIDs)
	defer freeStrs(ids, n)
	return cl.appOp(serviceID, op, func(c *C.drove_client, id, t *C.char, par C.int) C.int {
		return C.drove_client_local_service_instance_op(c, id, ids, n, what, t, par)
	})
}

// ReplaceLocalServiceInstances replaces the listed instances.
func (cl *Client) ReplaceLocalServiceInstances(serviceID string, instanceIDs []string, op *Op) error {
	return cl.lsInstancesOp(serviceID, instanceIDs, C.DROVE_CLIENT_INSTANCE_REPLACE, op)
}

// KillLocalServiceInstances stops the listed instances.
func (cl *Client) KillLocalServiceInstances(serviceID string, instanceIDs []string, op *Op) error {
	return cl.lsInstancesOp(serviceID, instanceIDs, C.DROVE_CLIENT_INSTANCE_KILL, op)
}

// WaitLocalService polls the local service until `want` holds (State is the service's state,
// e.g. "ACTIVE", "INACTIVE"; "DESTROYED" waits until it is gone) or ctx ends (then the error
// wraps ctx.Err()); the last summary.
func (cl *Client) WaitLocalService(ctx context.Context, serviceID string, want WaitFor) (LocalServiceSummary, error) {
	return waitState(ctx, "local service "+serviceID, want,
		func() (LocalServiceSummary, error) { return cl.LocalService(serviceID) },
		func(s LocalServiceSummary) (string, int64) { return s.State, s.HealthyInstances })
}
