"""drove: drive a Drove cluster (libdrove) from Python.

    import drove
    with drove.Client("http://127.0.0.1:4000", user="admin", password="pw") as c:
        app_id = c.apps.create(spec, instances=2)
        c.apps.wait(app_id, healthy=2)

Client calls return records (drove.App, drove.Instance, drove.Task, ...: typed attributes such
as app.healthy_instances, and Drove's JSON when read as a mapping, app["healthyInstances"]) or,
for specs and operations, the API's JSON as dicts and lists; failures raise drove.DroveError
subclasses carrying the API's message, HTTP status and validation errors. ClusterModel and
plan() ask libdrove's scheduler, offline, where instances would land. drove.native is the raw
SWIG module over the C headers. See bindings/README.md and docs/bindings.md.
"""
from . import native
from ._client import Apps, Client, Cluster, Events, Executors, LocalServices, Logs, Tasks
from ._errors import (AuthError, DroveError, NotFoundError, TimeoutError, UnavailableError,
                      ValidationError)
from ._plan import ClusterModel, Placement, Plan, plan
from ._records import (App, ClusterSummary, Event, Executor, Instance, LocalService, Port,
                       Record, Task)

__version__ = native.DROVE_VERSION_STRING

__all__ = ["Client", "Apps", "Tasks", "LocalServices", "Executors", "Cluster", "Events", "Logs",
           "DroveError", "ValidationError", "NotFoundError", "AuthError", "UnavailableError",
           "TimeoutError", "ClusterModel", "Plan", "Placement", "plan", "Record", "App",
           "Instance", "Port", "Task", "LocalService", "Executor", "ClusterSummary", "Event",
           "native", "__version__"]
