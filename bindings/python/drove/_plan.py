"""Offline capacity planning with libdrove's scheduler (include/drove/sched.h): describe
executors and ask where N instances would land, without a cluster."""
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Union

from . import native
from ._base import Closing
from ._errors import DroveError, ValidationError, from_last

_KINDS = {"app": native.DROVE_KIND_APP, "task": native.DROVE_KIND_TASK,
          "localservice": native.DROVE_KIND_LOCAL_SERVICE}
_STRATEGIES = {"RANDOM_FIRST_FIT": native.DROVE_SCHED_RANDOM_FIRST_FIT,
               "BEST_FIT": native.DROVE_SCHED_BEST_FIT, "SPREAD": native.DROVE_SCHED_SPREAD}


class Placement(NamedTuple):
    """One planned instance: the executor, its NUMA node and the exact core ids."""
    executor_id: str
    node: int
    cores: List[int]


class Plan(NamedTuple):
    requested: int
    placements: List[Placement]
    reason: Optional[str]  # why placement stopped; None when everything was placed

    @property
    def placed(self) -> int:
        return len(self.placements)

    def per_executor(self) -> Dict[str, int]:
        """How many instances land on each executor."""
        out: Dict[str, int] = {}
        for p in self.placements:
            out[p.executor_id] = out.get(p.executor_id, 0) + 1
        return out


def _n(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except (ValueError, RuntimeError) as e:
        raise from_last(e) from None


def _policy(spec: Union[None, str, Dict[str, Any]]) -> Any:
    """A native policy tree from a Drove placementPolicy ({"type": "ANY"}, ONE_PER_HOST,
    MAX_N_PER_HOST {max}, MATCH_TAG {tag}, NO_TAG, RULE_BASED {rule}, COMPOSITE {policies,
    combiner AND|OR}); the caller frees it."""
    if spec is None:
        spec = {"type": "ANY"}
    if isinstance(spec, str):
        spec = {"type": spec}
    t = str(spec.get("type", "")).upper()
    if t == "ANY":
        return _n(native.drove_sched_policy_any)
    if t == "ONE_PER_HOST":
        return _n(native.drove_sched_policy_one_per_host)
    if t == "MAX_N_PER_HOST":
        return _n(native.drove_sched_policy_max_per_host, int(spec.get("max", 0)))
    if t == "MATCH_TAG":
        return _n(native.drove_sched_policy_match_tag, str(spec.get("tag", "")))
    if t == "NO_TAG":
        return _n(native.drove_sched_policy_no_tag)
    if t == "RULE_BASED":
        return _n(native.drove_sched_policy_rule_hope, str(spec.get("rule", "")))
    if t == "COMPOSITE":
        comb = native.DROVE_SCHED_OR if str(spec.get("combiner", "AND")).upper() == "OR" \
            else native.DROVE_SCHED_AND
        root = _n(native.drove_sched_policy_composite, comb)
        try:
            for child in spec.get("policies") or []:
                c = _policy(child)
                try:
                    _n(native.drove_sched_policy_add, root, c)
                except DroveError:
                    native.drove_sched_policy_free(c)
                    raise
        except BaseException:
            native.drove_sched_policy_free(root)
            raise
        return root
    raise ValidationError("placementPolicy.type: unknown policy %r" % spec.get("type"),
                     native.DROVE_EINVAL)


class ClusterModel(Closing):
    """A model of executors for offline planning.

    add_executor(id, hostname, nodes=[(cores, memory_mb), ...]) describes each NUMA node by
    its free core ids (a list) or a count (ids numbered across the executor), and its free
    memory in MB. plan() asks the scheduler where `count` instances would land; the model
    itself does not change. seed makes RANDOM_FIRST_FIT repeatable. As in Drove, an executor
    with tags only takes instances whose policy asks for one of its tags (MATCH_TAG).
    """

    def __init__(self, strategy: str = "RANDOM_FIRST_FIT", seed: Optional[int] = None) -> None:
        self._ctx = native.drove_ctx_new()
        self._sched = None
        if seed is not None:
            native.drove_ctx_set_seed(self._ctx, seed)
        self._sched = _n(native.drove_sched_new, self._ctx)
        if strategy.upper() not in _STRATEGIES:
            self.close()
            raise ValidationError("strategy: one of " + ", ".join(_STRATEGIES), native.DROVE_EINVAL)
        _n(native.drove_sched_set_strategy, self._sched, _STRATEGIES[strategy.upper()])

    def close(self) -> None:
        if self._sched is not None:
            native.drove_sched_free(self._sched)
            self._sched = None
        if self._ctx is not None:
            native.drove_ctx_free(self._ctx)
            self._ctx = None

    def add_executor(self, executor_id: str, hostname: str,
                     nodes: Sequence[Any], port: int = 3000,
                     tags: Iterable[str] = (), metadata: Optional[Dict[str, str]] = None
                     ) -> None:
        snap = _n(native.drove_sched_snapshot_new, executor_id, hostname, port)
        try:
            next_core = 0
            for i, (cores, mb) in enumerate(nodes):
                if isinstance(cores, int):
                    cores = list(range(next_core, next_core + cores))
                cores = [int(c) for c in cores]
                next_core = max([next_core] + [c + 1 for c in cores])
                _n(native.drove_sched_snapshot_set_free_cores, snap, i, cores)
                _n(native.drove_sched_snapshot_set_memory, snap, i, int(mb), 0)
            for t in tags:
                _n(native.drove_sched_snapshot_add_tag, snap, t)
            for k, v in (metadata or {}).items():
                _n(native.drove_sched_snapshot_set_metadata, snap, k, v)
            _n(native.drove_sched_executor_update, self._sched, snap)
        finally:
            native.drove_sched_snapshot_free(snap)

    @property
    def executor_count(self) -> int:
        return int(native.drove_sched_executor_count(self._sched))

    def plan(self, cpus: int, memory_mb: int, count: int,
             policy: Union[None, str, Dict[str, Any]] = None, kind: str = "app") -> Plan:
        """Where `count` instances of `cpus` cores and `memory_mb` MB would land under a
        Drove placementPolicy (dict, or a type name; None: ANY)."""
        if kind not in _KINDS:
            raise ValidationError("kind: one of app, task, localservice", native.DROVE_EINVAL)
        pol = _policy(policy)
        try:
            p = _n(native.drove_sched_plan_new, self._sched, None, _KINDS[kind], pol, cpus,
                   memory_mb, count)
            try:
                placements = []
                for i in range(native.drove_sched_plan_placed(p)):
                    cores = [native.drove_sched_plan_core(p, i, j)
                             for j in range(native.drove_sched_plan_core_count(p, i))]
                    placements.append(Placement(native.drove_sched_plan_executor(p, i),
                                                native.drove_sched_plan_node(p, i), cores))
                return Plan(int(native.drove_sched_plan_requested(p)), placements,
                            native.drove_sched_plan_reason(p))
            finally:
                native.drove_sched_plan_free(p)
        finally:
            native.drove_sched_policy_free(pol)


def plan(model: ClusterModel, cpus: int, memory_mb: int, count: int,
         policy: Union[None, str, Dict[str, Any]] = None, kind: str = "app") -> Plan:
    """model.plan(...)."""
    return model.plan(cpus, memory_mb, count, policy, kind)
