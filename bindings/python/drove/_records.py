"""The typed client's records (include/drove/client.h, docs/typed-client.md) as Python objects.

Each object is built from the C record through the SWIG module's getters, then the C record is
freed: the object owns plain Python values and lives as long as the caller keeps it.

Attributes are the getters' values under Python names: states by their names ("RUNNING"),
None where Drove leaves a value out; times in epoch ms; tags and metadata as dicts. Reading a
record as a mapping gives the record's JSON with Drove's field names, as the package returned
before records (`app["healthyInstances"]`, `app.get("state")`, `json.dumps(app)`); to_dict()
is a deep copy of it.
"""
import json
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, TypeVar

from . import native

R = TypeVar("R", bound="Record")
Getter = Tuple[str, Callable[[Any], Any]]


def _name(name_fn: Callable[[int], Optional[str]], value: int) -> Optional[str]:
    return None if value < 0 else name_fn(value)


def _state(value_fn: Callable[[Any], int],
           name_fn: Callable[[int], Optional[str]]) -> Callable[[Any], Optional[str]]:
    return lambda rec: _name(name_fn, value_fn(rec))


def _strmap(m: Any) -> Dict[str, str]:
    if m is None:
        return {}
    return {native.drove_strmap_key(m, i): native.drove_strmap_value(m, i)
            for i in range(native.drove_strmap_count(m))}


def _map(fn: Callable[[Any], Any]) -> Callable[[Any], Dict[str, str]]:
    return lambda rec: _strmap(fn(rec))


class Port(NamedTuple):
    """One port of an instance's localInfo."""
    name: str
    host_port: int
    container_port: int
    type: Optional[str]


class Record(dict):
    """A record read through the typed client: typed attributes, and Drove's JSON as a
    mapping (see the module's docstring)."""
    __slots__: Tuple[str, ...] = ()
    _getters: Tuple[Getter, ...] = ()
    _json: Callable[[Any], str] = staticmethod(lambda rec: "null")  # type: ignore

    @classmethod
    def _from_native(cls: "type[R]", rec: Any) -> R:
        obj = cls(json.loads(cls._json(rec)))
        for attr, get in cls._getters:
            setattr(obj, attr, get(rec))
        return obj

    def to_dict(self) -> Dict[str, Any]:
        """Drove's JSON of the record, as a new dict (a deep copy)."""
        return json.loads(json.dumps(self))

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__,
                           ", ".join("%s=%r" % (a, getattr(self, a)) for a, _ in self._getters))


class App(Record):
    """An AppSummary (GET /applications/{appId})."""
    __slots__ = ("id", "name", "state", "required_instances", "healthy_instances",
                 "total_cpus", "total_memory", "tags", "created", "updated")
    _json = staticmethod(native.drove_application_json)
    _getters = (("id", native.drove_application_id), ("name", native.drove_application_name),
                ("state", _state(native.drove_application_state, native.drove_app_state_name)),
                ("required_instances", native.drove_application_required_instances),
                ("healthy_instances", native.drove_application_healthy_instances),
                ("total_cpus", native.drove_application_total_cpus),
                ("total_memory", native.drove_application_total_memory),
                ("tags", _map(native.drove_application_tags)),
                ("created", native.drove_application_created),
                ("updated", native.drove_application_updated))


def _ports(inst: Any) -> List[Port]:
    return [Port(native.drove_instance_port_name(inst, i),
                 native.drove_instance_port_host(inst, i),
                 native.drove_instance_port_container(inst, i),
                 native.drove_instance_port_type(inst, i))
            for i in range(native.drove_instance_port_count(inst))]


class Instance(Record):
    """An InstanceInfo of an application or a local service (app_id is then the serviceId,
    app_name the serviceName)."""
    __slots__ = ("app_id", "app_name", "instance_id", "executor_id", "host", "state", "ports",
                 "error_message", "created", "updated")
    _json = staticmethod(native.drove_instance_json)
    _getters = (("app_id", native.drove_instance_app_id),
                ("app_name", native.drove_instance_app_name),
                ("instance_id", native.drove_instance_id),
                ("executor_id", native.drove_instance_executor_id),
                ("host", native.drove_instance_host),
                ("state", _state(native.drove_instance_state, native.drove_instance_state_name)),
                ("ports", _ports),
                ("error_message", native.drove_instance_error_message),
                ("created", native.drove_instance_created),
                ("updated", native.drove_instance_updated))


class Task(Record):
    """A TaskInfo; result_status is None until the run completes."""
    __slots__ = ("source_app", "task_id", "instance_id", "executor_id", "host", "state",
                 "result_status", "exit_code", "error_message", "created", "updated")
    _json = staticmethod(native.drove_task_json)
    _getters = (("source_app", native.drove_task_source_app), ("task_id", native.drove_task_id),
                ("instance_id", native.drove_task_instance_id),
                ("executor_id", native.drove_task_executor_id),
                ("host", native.drove_task_host),
                ("state", _state(native.drove_task_state, native.drove_task_state_name)),
                ("result_status", _state(native.drove_task_result_status,
                                         native.drove_task_result_status_name)),
                ("exit_code", native.drove_task_exit_code),
                ("error_message", native.drove_task_error_message),
                ("created", native.drove_task_created),
                ("updated", native.drove_task_updated))


class LocalService(Record):
    """A LocalServiceSummary."""
    __slots__ = ("id", "name", "state", "activation_state", "instances_per_host",
                 "healthy_instances", "total_cpus", "total_memory", "tags", "created",
                 "updated")
    _json = staticmethod(native.drove_local_service_json)
    _getters = (("id", native.drove_local_service_id),
                ("name", native.drove_local_service_name),
                ("state", _state(native.drove_local_service_state, native.drove_ls_state_name)),
                ("activation_state", _state(native.drove_local_service_activation,
                                            native.drove_ls_activation_state_name)),
                ("instances_per_host", native.drove_local_service_instances_per_host),
                ("healthy_instances", native.drove_local_service_healthy_instances),
                ("total_cpus", native.drove_local_service_total_cpus),
                ("total_memory", native.drove_local_service_total_memory),
                ("tags", _map(native.drove_local_service_tags)),
                ("created", native.drove_local_service_created),
                ("updated", native.drove_local_service_updated))


class Executor(Record):
    """An ExecutorSummary; from Executors.get() the figures are summed over the NUMA nodes
    and the mapping is the whole ExecutorNodeData (whose "state" is an object)."""
    __slots__ = ("executor_id", "host", "port", "transport", "state", "free_cores",
                 "used_cores", "free_memory", "used_memory", "tags")
    _json = staticmethod(native.drove_executor_info_json)
    _getters = (("executor_id", native.drove_executor_info_id),
                ("host", native.drove_executor_info_host),
                ("port", native.drove_executor_info_port),
                ("transport", native.drove_executor_info_transport),
                ("state", _state(native.drove_executor_info_state,
                                 native.drove_executor_state_name)),
                ("free_cores", native.drove_executor_info_free_cores),
                ("used_cores", native.drove_executor_info_used_cores),
                ("free_memory", native.drove_executor_info_free_memory),
                ("used_memory", native.drove_executor_info_used_memory),
                ("tags", lambda ex: [native.drove_executor_info_tag(ex, i)
                                     for i in range(native.drove_executor_info_tag_count(ex))]))


class ClusterSummary(Record):
    """A ClusterSummary; resource figures cover ACTIVE executors, memory in MB."""
    __slots__ = ("leader", "state", "executors", "applications", "active_applications",
                 "active_tasks", "local_services", "active_local_services", "free_cores",
                 "used_cores", "total_cores", "free_memory", "used_memory", "total_memory")
    _json = staticmethod(native.drove_cluster_summary_json)
    _getters = (("leader", native.drove_cluster_summary_leader),
                ("state", _state(native.drove_cluster_summary_state,
                                 native.drove_cluster_state_name)),
                ("executors", native.drove_cluster_summary_executors),
                ("applications", native.drove_cluster_summary_applications),
                ("active_applications", native.drove_cluster_summary_active_applications),
                ("active_tasks", native.drove_cluster_summary_active_tasks),
                ("local_services", native.drove_cluster_summary_local_services),
                ("active_local_services", native.drove_cluster_summary_active_local_services),
                ("free_cores", native.drove_cluster_summary_free_cores),
                ("used_cores", native.drove_cluster_summary_used_cores),
                ("total_cores", native.drove_cluster_summary_total_cores),
                ("free_memory", native.drove_cluster_summary_free_memory),
                ("used_memory", native.drove_cluster_summary_used_memory),
                ("total_memory", native.drove_cluster_summary_total_memory))


class Event(Record):
    """A cluster event; metadata values as text (the mapping keeps the JSON's numbers)."""
    __slots__ = ("type", "id", "time", "metadata")
    _json = staticmethod(native.drove_cluster_event_json)
    _getters = (("type", _state(native.drove_cluster_event_type, native.drove_event_type_name)),
                ("id", native.drove_cluster_event_id),
                ("time", native.drove_cluster_event_time),
                ("metadata", _map(native.drove_cluster_event_metadata)))


def one(cls: "type[R]", rec: Any, free: Callable[[Any], None]) -> R:
    """The object of one record, which is freed."""
    try:
        return cls._from_native(rec)
    finally:
        free(rec)


def many(cls: "type[R]", lst: Any, prefix: str) -> List[R]:
    """The objects of a list's records (native.<prefix>_list_count/_get/_free), in the
    controller's order; the list is freed."""
    count = getattr(native, prefix + "_list_count")
    get = getattr(native, prefix + "_list_get")
    try:
        return [cls._from_native(get(lst, i)) for i in range(count(lst))]
    finally:
        getattr(native, prefix + "_list_free")(lst)
