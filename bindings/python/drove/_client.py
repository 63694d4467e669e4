"""drove.Client: a Drove cluster through libdrove's REST client (include/drove/client.h).

Every call goes through the C client (leader tracking, retries, timeouts, the API's error
rules). Summaries, instances, tasks, executors and events come back as the typed client's
records (drove.App, drove.Instance, ...: typed attributes, and Drove's JSON when read as a
mapping; _records.py); specs, operations' answers and endpoints are the JSON text parsed into
dicts and lists. The native calls release the GIL while they block; waits and follows poll
with time.sleep() between calls.
"""
import codecs
import json
import threading
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import native
from ._base import Closing
from ._errors import DroveError, NotFoundError, TimeoutError, from_last
from ._records import App, ClusterSummary, Event, Executor, Instance, LocalService, Task, many, one

Spec = Union[Dict[str, Any], str]
LOG_KINDS = ("applications", "tasks", "localservices")
TASK_DONE = ("STOPPED", "LOST")


def _text(spec: Spec) -> str:
    return spec if isinstance(spec, str) else json.dumps(spec)


def _dur(seconds: Optional[float]) -> Optional[str]:
    """A Drove duration for an operation timeout given in seconds (None: the default 5m)."""
    if seconds is None:
        return None
    return "%d seconds" % max(1, int(round(seconds)))


def _states(states: Union[None, str, Iterable[str]]) -> Optional[str]:
    if states is None or isinstance(states, str):
        return states
    return ",".join(states)


class _Deadline:
    def __init__(self, timeout: Optional[float]) -> None:
        self.end = None if timeout is None else time.monotonic() + timeout

    def left(self) -> Optional[float]:
        return None if self.end is None else self.end - time.monotonic()

    def sleep(self, interval: float, what: str) -> None:
        left = self.left()
        if left is not None and left <= 0:
            raise TimeoutError("timed out waiting for " + what, native.DROVE_ETIMEOUT)
        time.sleep(interval if left is None else max(0.0, min(interval, left)))


class Client(Closing):
    """A client of one Drove cluster.

    endpoints: one URL or a list ("http[s]://host:port"), pinged in order to find the
    leader. user/password: HTTP Basic authentication; token: sent verbatim as the
    Authorization header (e.g. "Bearer ..." or "O-Bearer ..."). insecure: do not verify TLS
    certificates. Timeouts are in seconds. Use it as a context manager, or call close().

    A Client is used by one thread at a time (calls on it are serialised by a lock); use one
    Client per thread for parallel calls.
    """

    def __init__(self, endpoints: Union[str, Sequence[str]], user: Optional[str] = None,
                 password: Optional[str] = None, token: Optional[str] = None,
                 insecure: bool = False, connect_timeout: float = 5.0,
                 request_timeout: float = 30.0, retries: int = 3) -> None:
        self._lock = threading.RLock()
        self._ctx = None
        self._c = None
        try:
            self._ctx = native.drove_ctx_new()
            self._c = native.drove_client_new(self._ctx)
            for ep in [endpoints] if isinstance(endpoints, str) else endpoints:
                native.drove_client_add_endpoint(self._c, ep)
            if user is not None:
                native.drove_client_set_basic_auth(self._c, user, password or "")
            if token is not None:
                native.drove_client_set_auth_header(self._c, token)
            native.drove_client_set_insecure(self._c, 1 if insecure else 0)
            native.drove_client_set_timeouts(self._c, int(connect_timeout * 1000),
                                             int(request_timeout * 1000))
            native.drove_client_set_retries(self._c, retries, 200, 2000)
        except (ValueError, RuntimeError) as e:
            err = from_last(e)
            self.close()
            raise err from None
        self.apps = Apps(self)
        self.tasks = Tasks(self)
        self.local_services = LocalServices(self)
        self.executors = Executors(self)
        self.cluster = Cluster(self)
        self.events = Events(self)
        self.logs = Logs(self)

    # ---- lifetime ----
    def close(self) -> None:
        with self._lock:
            if self._c is not None:
                native.drove_client_free(self._c)
                self._c = None
            if self._ctx is not None:
                native.drove_ctx_free(self._ctx)
                self._ctx = None

    # ---- plumbing ----
    def _native(self, fn: Callable[..., Any], *args: Any, envelope: bool = True) -> Any:
        with self._lock:
            if self._c is None:
                raise DroveError("the client is closed")
            try:
                return fn(self._c, *args)
            except (ValueError, RuntimeError) as e:
                raise from_last(e, self._c if envelope else None) from None

    def _json(self, fn: Callable[..., Any], *args: Any) -> Any:
        return json.loads(self._native(fn, *args))

    def _list(self, cls: Any, prefix: str, fn: Callable[..., Any], *args: Any) -> Any:
        """A typed list call (`T_list **out`): the records as objects of `cls`."""
        return many(cls, self._native(fn, *args), prefix)

    def _one(self, cls: Any, free: Callable[[Any], None], fn: Callable[..., Any],
             *args: Any) -> Any:
        """A typed call of one record (`T **out`): the record as an object of `cls`."""
        return one(cls, self._native(fn, *args), free)

    @property
    def leader(self) -> Optional[str]:
        """The leader's endpoint URL once found, else None."""
        with self._lock:
            return native.drove_client_leader(self._c) if self._c is not None else None

    def find_leader(self) -> str:
        """Ping every endpoint now; the leader's URL."""
        self._native(native.drove_client_find_leader, envelope=False)
        return self.leader or ""

    def ping(self) -> None:
        """GET /ping through the leader; raises when no leader answers."""
        self._native(native.drove_client_ping)

    def call(self, method: str, path: str, query: Optional[str] = None,
             body: Any = None) -> Any:
        """Any /apis/v1 call with the envelope rules: `path` after /apis/v1 (escaped),
        `body` a JSON-able object; the envelope's data, parsed."""
        text = None if body is None else _text(body)
        return json.loads(self._native(native.drove_client_call, method, "/apis/v1" + path,
                                       query, text))


class Apps:
    """Applications (DROVE_API.md §2.3, §4.1). Ids are appIds ("NAME-VERSION")."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self) -> Dict[str, App]:
        """The AppSummary records keyed by appId."""
        return {a.id: a for a in self._c._list(App, "drove_application",
                                                native.drove_client_app_list)}

    def get(self, app_id: str) -> App:
        """The AppSummary (state, required_instances, healthy_instances, ...)."""
        return self._c._one(App, native.drove_application_free, native.drove_client_app_get,
                            app_id)

    def spec(self, app_id: str) -> Dict[str, Any]:
        return self._c._json(native.drove_client_app_spec_get_json, app_id)

    def instances(self, app_id: str, states: Union[None, str, Iterable[str]] = None
                  ) -> List[Instance]:
        """InstanceInfo records; `states` e.g. ["HEALTHY"] (None: the active ones)."""
        return self._c._list(Instance, "drove_instance", native.drove_client_app_instance_list,
                             app_id, _states(states))

    def old_instances(self, app_id: str) -> List[Instance]:
        return self._c._list(Instance, "drove_instance",
                             native.drove_client_app_instance_list_old, app_id)

    def instance(self, app_id: str, instance_id: str) -> Instance:
        return self._c._one(Instance, native.drove_instance_free,
                            native.drove_client_app_instance_get, app_id, instance_id)

    def operation(self, op: Dict[str, Any]) -> Any:
        """POST /applications/operations with `op` as is; the envelope's data."""
        return self._c._json(native.drove_client_app_operation_json, _text(op))

    def create(self, spec: Spec, instances: int = 0, timeout: Optional[float] = None,
               parallelism: int = 1) -> str:
        """CREATE from an ApplicationSpec (dict or JSON text); the appId."""
        return self._c._native(native.drove_client_app_create, _text(spec), instances,
                               _dur(timeout), parallelism)

    def scale(self, app_id: str, instances: int, timeout: Optional[float] = None,
              parallelism: int = 1) -> None:
        self._c._native(native.drove_client_app_scale, app_id, instances, _dur(timeout),
                        parallelism)

    def start_instances(self, app_id: str, count: int, timeout: Optional[float] = None,
                        parallelism: int = 1) -> None:
        self._c._native(native.drove_client_app_instance_start, app_id, count, _dur(timeout),
                        parallelism)

    def suspend(self, app_id: str, timeout: Optional[float] = None, parallelism: int = 1) -> None:
        self._c._native(native.drove_client_app_suspend, app_id, _dur(timeout), parallelism)

    def recover(self, app_id: str) -> None:
        self._c._native(native.drove_client_app_recover, app_id)

    def restart(self, app_id: str, stop_first: bool = False, timeout: Optional[float] = None,
                parallelism: int = 1) -> None:
        """Replace every healthy instance (a rolling restart)."""
        self._c._native(native.drove_client_app_restart, app_id, int(stop_first),
                        _dur(timeout), parallelism)

    def destroy(self, app_id: str) -> None:
        self._c._native(native.drove_client_app_destroy, app_id)

    def cancel(self, app_id: str) -> None:
        """Cancel the application's current operation."""
        self._c._native(native.drove_client_app_cancel, app_id)

    def replace_instances(self, app_id: str, instance_ids: Sequence[str],
                          stop_first: bool = False, timeout: Optional[float] = None,
                          parallelism: int = 1) -> None:
        self._c._native(native.drove_client_app_instance_replace, app_id, list(instance_ids),
                        int(stop_first), _dur(timeout), parallelism)

    def kill_instances(self, app_id: str, instance_ids: Sequence[str],
                       skip_respawn: bool = False, timeout: Optional[float] = None,
                       parallelism: int = 1) -> None:
        self._c._native(native.drove_client_app_instance_kill, app_id, list(instance_ids),
                        int(skip_respawn), _dur(timeout), parallelism)

    def wait(self, app_id: str, state: Optional[str] = None, healthy: Optional[int] = None,
             timeout: Optional[float] = 300.0, interval: float = 1.0) -> Optional[App]:
        """Poll until the app is in `state` (e.g. "RUNNING", "MONITORING") and/or has at least
        `healthy` HEALTHY instances; the AppSummary then. state="DESTROYED" waits until the
        app is gone (returns None). Raises drove.TimeoutError after `timeout` seconds."""
        return _wait(self.get, app_id, state, healthy, timeout, interval, "app " + app_id)


def _wait(get: Callable[[str], Any], obj_id: str, state: Optional[str],
          healthy: Optional[int], timeout: Optional[float], interval: float,
          what: str) -> Any:
    dl = _Deadline(timeout)
    last: Any = None
    while True:
        try:
            last = get(obj_id)
        except NotFoundError:
            if state == "DESTROYED":
                return None
            raise
        if ((state is None or last.state == state) and
                (healthy is None or last.healthy_instances >= healthy)):
            return last
        try:
            dl.sleep(interval, what)
        except TimeoutError:
            raise TimeoutError("timed out waiting for %s (state=%s healthy=%s); last seen: "
                               "state=%s healthy=%s" % (what, state, healthy, last.state,
                                                        last.healthy_instances),
                               native.DROVE_ETIMEOUT) from None


class Tasks:
    """Tasks (§2.5, §4.3): addressed by (sourceAppName, taskId)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def create(self, spec: Spec, timeout: Optional[float] = None) -> str:
        """CREATE from a TaskSpec; the run id "{sourceAppName}-{taskId}"."""
        return self._c._native(native.drove_client_task_create, _text(spec), _dur(timeout))

    def list(self) -> List[Task]:
        return self._c._list(Task, "drove_task", native.drove_client_task_list)

    def get(self, source_app: str, task_id: str) -> Task:
        """The TaskInfo (state, result_status and exit_code once finished, ...)."""
        return self._c._one(Task, native.drove_task_free, native.drove_client_task_get,
                            source_app, task_id)

    def kill(self, source_app: str, task_id: str, timeout: Optional[float] = None) -> None:
        self._c._native(native.drove_client_task_kill, source_app, task_id, _dur(timeout))

    def delete(self, source_app: str, task_id: str) -> None:
        """Delete the stored record of a finished task."""
        self._c._native(native.drove_client_task_delete, source_app, task_id)

    def wait_result(self, source_app: str, task_id: str, timeout: Optional[float] = 300.0,
                    interval: float = 1.0) -> Dict[str, Any]:
        """Poll until the task is STOPPED or LOST; its taskResult ({"status": "SUCCESSFUL",
        "exitCode": 0}, ...). A LOST task without a result gives {"status": "LOST"}."""
        dl = _Deadline(timeout)
        while True:
            info = self.get(source_app, task_id)
            if info.state in TASK_DONE:
                return info.get("taskResult") or {"status": "LOST"}
            dl.sleep(interval, "task %s/%s (state %s)" % (source_app, task_id, info.state))

    def wait(self, source_app: str, task_id: str, state: str,
             timeout: Optional[float] = 300.0, interval: float = 1.0) -> Task:
        """Poll until the task is in `state` (e.g. "RUNNING"; STOPPED and LOST also end the
        wait); the TaskInfo then. Raises drove.TimeoutError after `timeout` seconds."""
        dl = _Deadline(timeout)
        while True:
            info = self.get(source_app, task_id)
            if info.state in (state,) + TASK_DONE:
                return info
            dl.sleep(interval, "task %s/%s to be %s (state %s)" % (
                source_app, task_id, state, info.state))

    def wait_list(self, done: Callable[[List[Task]], bool],
                  timeout: Optional[float] = 300.0, interval: float = 1.0) -> List[Task]:
        """Poll the active task list until done(list) is true; the list then (e.g. wait until
        no task of an app is left running). Raises drove.TimeoutError after `timeout`."""
        dl = _Deadline(timeout)
        while True:
            tasks = self.list()
            if done(tasks):
                return tasks
            dl.sleep(interval, "the task list (%d tasks)" % len(tasks))

    def logs(self, source_app: str, task_id: str, file: str = "output.log") -> str:
        """The whole log file of the task (see Client.logs for lists and follows)."""
        return self._c.logs.read_all("tasks", source_app, task_id, file)


class LocalServices:
    """Local services (§2.6, §4.2)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self) -> Dict[str, LocalService]:
        """The LocalServiceSummary records keyed by serviceId."""
        return {s.id: s for s in self._c._list(LocalService, "drove_local_service",
                                                native.drove_client_local_service_list)}

    def get(self, service_id: str) -> LocalService:
        return self._c._one(LocalService, native.drove_local_service_free,
                            native.drove_client_local_service_get, service_id)

    def spec(self, service_id: str) -> Dict[str, Any]:
        return self._c._json(native.drove_client_local_service_spec_get_json, service_id)

    def instances(self, service_id: str, states: Union[None, str, Iterable[str]] = None
                  ) -> List[Instance]:
        return self._c._list(Instance, "drove_instance",
                             native.drove_client_local_service_instance_list, service_id,
                             _states(states))

    def old_instances(self, service_id: str) -> List[Instance]:
        return self._c._list(Instance, "drove_instance",
                             native.drove_client_local_service_instance_list_old, service_id)

    def instance(self, service_id: str, instance_id: str) -> Instance:
        return self._c._one(Instance, native.drove_instance_free,
                            native.drove_client_local_service_instance_get, service_id,
                            instance_id)

    def operation(self, op: Dict[str, Any]) -> Any:
        return self._c._json(native.drove_client_local_service_operation_json, _text(op))

    def create(self, spec: Spec, instances_per_host: int = 1) -> str:
        """CREATE from a LocalServiceSpec; the serviceId (activate() starts it)."""
        return self._c._native(native.drove_client_local_service_create, _text(spec),
                               instances_per_host)

    def _simple(self, op: str, service_id: str) -> None:
        self._c._native(native.drove_client_local_service_op,
                        getattr(native, "DROVE_CLIENT_LOCAL_SERVICE_" + op), service_id)

    def activate(self, service_id: str) -> None:
        self._simple("ACTIVATE", service_id)

    def deactivate(self, service_id: str) -> None:
        self._simple("DEACTIVATE", service_id)

    def deploy_test_instance(self, service_id: str) -> None:
        self._simple("DEPLOY_TEST_INSTANCE", service_id)

    def adjust_instances(self, service_id: str) -> None:
        self._simple("ADJUST_INSTANCES", service_id)

    def destroy(self, service_id: str) -> None:
        self._simple("DESTROY", service_id)

    def update_instances(self, service_id: str, instances_per_host: int) -> None:
        self._c._native(native.drove_client_local_service_update_instances, service_id,
                        instances_per_host)

    def restart(self, service_id: str, stop_first: bool = False,
                timeout: Optional[float] = None, parallelism: int = 1) -> None:
        self._c._native(native.drove_client_local_service_restart, service_id, int(stop_first),
                        _dur(timeout), parallelism)

    def cancel(self, service_id: str) -> None:
        self._c._native(native.drove_client_local_service_cancel, service_id)

    def replace_instances(self, service_id: str, instance_ids: Sequence[str],
                          timeout: Optional[float] = None, parallelism: int = 1) -> None:
        self._c._native(native.drove_client_local_service_instance_op, service_id,
                        list(instance_ids), native.DROVE_CLIENT_INSTANCE_REPLACE, _dur(timeout),
                        parallelism)

    def kill_instances(self, service_id: str, instance_ids: Sequence[str],
                       timeout: Optional[float] = None, parallelism: int = 1) -> None:
        self._c._native(native.drove_client_local_service_instance_op, service_id,
                        list(instance_ids), native.DROVE_CLIENT_INSTANCE_KILL, _dur(timeout),
                        parallelism)

    def wait(self, service_id: str, state: Optional[str] = None, healthy: Optional[int] = None,
             timeout: Optional[float] = 300.0, interval: float = 1.0
             ) -> Optional[LocalService]:
        """As Apps.wait, for a local service (state e.g. "ACTIVE")."""
        return _wait(self.get, service_id, state, healthy, timeout, interval,
                     "local service " + service_id)


class Executors:
    """Executors (§2.7)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self) -> List[Executor]:
        """ExecutorSummary records (executor_id, host, state, cores, memory, tags...)."""
        return self._c._list(Executor, "drove_executor_info", native.drove_client_executor_list)

    def get(self, executor_id: str) -> Executor:
        """The executor summed up as in the list; as a mapping, the whole ExecutorNodeData
        (state with the core and memory maps, instances, tasks...)."""
        return self._c._one(Executor, native.drove_executor_info_free,
                            native.drove_client_executor_get, executor_id)

    def blacklist(self, executor_ids: Union[str, Sequence[str]]) -> Dict[str, Any]:
        """The BlacklistOperationResponse (successful, failed, message...)."""
        ids = [executor_ids] if isinstance(executor_ids, str) else list(executor_ids)
        return self._c._json(native.drove_client_executor_blacklist_json, ids, 1)

    def unblacklist(self, executor_ids: Union[str, Sequence[str]]) -> Dict[str, Any]:
        ids = [executor_ids] if isinstance(executor_ids, str) else list(executor_ids)
        return self._c._json(native.drove_client_executor_blacklist_json, ids, 0)


class Cluster:
    """The cluster (§2.7, §2.4)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def ping(self) -> None:
        self._c.ping()

    def summary(self) -> ClusterSummary:
        """The ClusterSummary (leader, state, executor counts, cores, memory...)."""
        return self._c._one(ClusterSummary, native.drove_cluster_summary_free,
                            native.drove_client_cluster_get)

    def maintenance(self, on: bool) -> Any:
        """Set (True) or remove (False) maintenance mode; the ClusterStateData."""
        return self._c._json(native.drove_client_cluster_maintenance_set_json, 1 if on else 0)

    def endpoints(self, app_name: Optional[str] = None) -> List[Dict[str, Any]]:
        """ExposedAppInfo records: apps with their vhosts and healthy hosts/ports."""
        return self._c._json(native.drove_client_endpoint_list_json, app_name)


class Events:
    """The cluster's event stream (§2.8, §7): held in the leader's memory only."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self, since: int = 0, size: int = 1024) -> List[Event]:
        """Events with time > `since` (ms), newest first, at most `size`."""
        return self._c._list(Event, "drove_cluster_event", native.drove_client_event_list,
                             since, size)

    def summary(self, since: int = 0) -> Dict[str, Any]:
        """{"eventsCount": {type: n}, "lastSyncTime": ms}."""
        return self._c._json(native.drove_client_event_summary_get_json, since)

    def follow(self, since: Optional[int] = None, types: Optional[Iterable[str]] = None,
               interval: float = 2.0, timeout: Optional[float] = None
               ) -> Iterator[Event]:
        """Yield events as they happen, oldest first, by polling every `interval` seconds.
        since: ms (None: only events from now on; 0: everything the leader holds);
        types: only these event types. Ends after `timeout` seconds (None: never; break out
        of the loop, or close() the iterator, to stop)."""
        wanted = set(types) if types is not None else None
        dl = _Deadline(timeout)
        if since is None:
            since = int(time.time() * 1000)
        seen: Dict[str, int] = {}
        while True:
            # ask from one ms back: events of the same ms as the newest seen may arrive later
            batch = self.list(max(0, since - 1), 1024)
            for ev in sorted(batch, key=lambda e: e.time):
                t, eid = ev.time, ev.id
                if t < since or eid in seen:
                    continue
                seen[eid] = t
                if wanted is None or ev.type in wanted:
                    yield ev
            if seen:
                since = max(since, max(seen.values()))
                seen = {k: v for k, v in seen.items() if v >= since - 1}
            left = dl.left()
            if left is not None and left <= 0:
                return
            time.sleep(interval if left is None else max(0.0, min(interval, left)))


class Logs:
    """Instance log files through the controller (§2.9). kind: "applications" (id1 appId,
    id2 instanceId), "tasks" (sourceAppName, taskId) or "localservices" (serviceId,
    instanceId)."""

    def __init__(self, client: Client) -> None:
        self._c = client

    def list(self, kind: str, id1: str, id2: str) -> List[str]:
        d = json.loads(self._c._native(native.drove_client_log_list_json, kind, id1, id2,
                                       envelope=False))
        return list(d.get("files") or [])

    def read(self, kind: str, id1: str, id2: str, file: str = "output.log", offset: int = 0,
             length: int = -1) -> Tuple[bytes, int]:
        """Up to `length` bytes (-1: the executor's default chunk) from `offset`, and the
        offset after them; offset -1 gives (b"", the file's size)."""
        res = self._c._native(native.drove_client_log_read, kind, id1, id2, file, offset,
                              length, envelope=False)
        off, data = res[0], res[1]
        return data, off

    def read_all(self, kind: str, id1: str, id2: str, file: str = "output.log") -> str:
        """The whole file, decoded as UTF-8 (invalid bytes replaced)."""
        out, off = [], 0
        while True:
            data, off = self.read(kind, id1, id2, file, off)
            if not data:
                return b"".join(out).decode("utf-8", "replace")
            out.append(data)

    def download(self, kind: str, id1: str, id2: str, file: str, dest: Any) -> int:
        """Stream the file to `dest` (a path, or a file object with fileno()); the bytes."""
        if isinstance(dest, str):
            with open(dest, "wb") as f:
                return self.download(kind, id1, id2, file, f)
        dest.flush()
        return self._c._native(native.drove_client_log_download, kind, id1, id2, file,
                               dest.fileno(), envelope=False)

    def follow(self, kind: str, id1: str, id2: str, file: str = "output.log",
               from_start: bool = False, interval: float = 1.0,
               timeout: Optional[float] = None) -> Iterator[str]:
        """Yield the file's new lines as they are written (like tail -f), polling every
        `interval` seconds; from_start: begin with the existing content. Ends after
        `timeout` seconds (None: never; a partial last line is yielded then)."""
        dl = _Deadline(timeout)
        off = 0
        if not from_start:
            _, off = self.read(kind, id1, id2, file, -1)
        dec = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            data, off = self.read(kind, id1, id2, file, off)
            if data:
                pending += dec.decode(data)
                *lines, pending = pending.split("\n")
                for line in lines:
                    yield line
                continue
            left = dl.left()
            if left is not None and left <= 0:
                if pending:
                    yield pending
                return
            time.sleep(interval if left is None else max(0.0, min(interval, left)))
