/* Placement policies (§3.1, §9.3): a small tree, evaluated per candidate executor. */
#include <stdlib.h>
#include <string.h>

#include "sched/sched_internal.h"

static int policy_new(drove_sched_policy **out, enum policy_type type)
{
	drove_sched_policy *p = NULL;
	DROVE_CHECK_ARG(out);
	if (!(p = calloc(1, sizeof(*p))))
		return drove__enomem();
	p->type = type;
	*out = p;
	return 0;
}

int drove_sched_policy_any(drove_sched_policy **out)
{
	return policy_new(out, POL_ANY);
}

int drove_sched_policy_one_per_host(drove_sched_policy **out)
{
	return policy_new(out, POL_ONE_PER_HOST);
}

int drove_sched_policy_max_per_host(drove_sched_policy **out, int max)
{
	int rc;
	DROVE_CHECK_ARG(out);
	if (max < 1 || max > 64)
		return drove__error(DROVE_EINVAL, "placementPolicy.max: %d is outside 1..64", max);
	if ((rc = policy_new(out, POL_MAX_PER_HOST)) < 0)
		return rc;
	(*out)->max = max;
	return 0;
}

int drove_sched_policy_match_tag(drove_sched_policy **out, const char *tag)
{
	drove_sched_policy *p = NULL;
	int rc;
	DROVE_CHECK_ARG(out && tag);
	if (!*tag)
		return drove__error(DROVE_EINVAL, "placementPolicy.tag: must not be empty");
	if ((rc = policy_new(&p, POL_MATCH_TAG)) < 0)
		return rc;
	if (!(p->tag = drove__strdup(tag))) {
		free(p);
		return DROVE_ENOMEM;
	}
	*out = p;
	return 0;
}

int drove_sched_policy_no_tag(drove_sched_policy **out)
{
	return policy_new(out, POL_NO_TAG);
}

int drove_sched_policy_local(drove_sched_policy **out, int host_level)
{
	int rc;
	if ((rc = policy_new(out, POL_LOCAL)) < 0)
		return rc;
	(*out)->max = host_level ? 1 : 0;
	return 0;
}

int drove_sched_policy_rule_hope(drove_sched_policy **out, const char *rule)
{
	drove_sched_policy *p = NULL;
	int rc;
	DROVE_CHECK_ARG(out && rule);
	if ((rc = policy_new(&p, POL_RULE)) < 0)
		return rc;
	if ((rc = drove__sched_rule_parse(rule, &p->rule)) < 0 ||
	    (!(p->tag = drove__strdup(rule)) && (rc = DROVE_ENOMEM))) {
		drove_sched_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int drove_sched_policy_rule(drove_sched_policy **out, const char *rule, const char *rule_type)
{
	DROVE_CHECK_ARG(out && rule && rule_type);
	if (drove__streq_nocase(rule_type, "MVEL"))
		return drove__error(DROVE_EINVAL, "placementPolicy.ruleType: MVEL rules are not "
		                                  "supported; use HOPE");
	if (!drove__streq_nocase(rule_type, "HOPE"))
		return drove__error(DROVE_EINVAL, "placementPolicy.ruleType: '%.64s' is not HOPE",
		                    rule_type);
	return drove_sched_policy_rule_hope(out, rule);
}

int drove_sched_policy_composite(drove_sched_policy **out, int combiner)
{
	int rc;
	DROVE_CHECK_ARG(out);
	if (combiner != DROVE_SCHED_AND && combiner != DROVE_SCHED_OR)
		return drove__error(DROVE_EINVAL, "placementPolicy.combiner: %d is not AND or OR",
		                    combiner);
	if ((rc = policy_new(out, POL_COMPOSITE)) < 0)
		return rc;
	(*out)->max = combiner;
	return 0;
}

static int depth_of(const drove_sched_policy *p)
{
	int d = 1;
	for (size_t i = 0; i < p->nkids; i++) {
		int k = 1 + depth_of(p->kids[i]);
		if (k > d)
			d = k;
	}
	return d;
}

int drove_sched_policy_add(drove_sched_policy *composite, drove_sched_policy *child)
{
	int up = 0, rc;
	DROVE_CHECK_ARG(composite && child && composite != child);
	if (composite->type != POL_COMPOSITE)
		return drove__error(DROVE_EINVAL,
		                    "placementPolicy: only a COMPOSITE takes members");
	if (child->parent)
		return drove__error(DROVE_EINVAL, "placementPolicy: member already belongs to a "
		                                  "composite");
	for (const drove_sched_policy *a = composite; a; a = a->parent, up++)
		if (a == child)
			return drove__error(DROVE_EINVAL, "placementPolicy: adding a composite to "
			                                  "itself makes a cycle");
	if (up + depth_of(child) > DROVE_SCHED_POLICY_DEPTH)
		return drove__error(DROVE_EINVAL, "placementPolicy: nesting deeper than %d",
		                    DROVE_SCHED_POLICY_DEPTH);
	if ((rc = drove__grow(&composite->kids, &composite->capkids, composite->nkids + 1,
	                      sizeof(*composite->kids))) < 0)
		return rc;
	composite->kids[composite->nkids++] = child;
	child->parent = composite;
	return 0;
}

void drove_sched_policy_free(drove_sched_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nkids; i++)
		drove_sched_policy_free(p->kids[i]);
	free(p->kids);
	free(p->tag);
	drove__sched_rule_free(p->rule);
	free(p);
}

/* ---- analysis ---- */

static bool composites_filled(const drove_sched_policy *p)
{
	if (p->type == POL_COMPOSITE && p->nkids == 0)
		return false;
	for (size_t i = 0; i < p->nkids; i++)
		if (!composites_filled(p->kids[i]))
			return false;
	return true;
}

int drove__sched_policy_validate(const drove_sched_policy *p)
{
	if (!composites_filled(p))
		return drove__error(DROVE_EINVAL, "placementPolicy.policies: a COMPOSITE needs at "
		                                  "least one member");
	return 0;
}

bool drove__sched_policy_targets(const drove_sched_policy *p)
{
	if (p->type == POL_MATCH_TAG || p->type == POL_RULE)
		return true;
	for (size_t i = 0; i < p->nkids; i++)
		if (drove__sched_policy_targets(p->kids[i]))
			return true;
	return false;
}

void drove__sched_policy_requirements(const drove_sched_policy *p, struct sched_query *q)
{
	switch (p->type) {
	case POL_MATCH_TAG:
		if (!q->req_tag)
			q->req_tag = p->tag;
		break;
	case POL_NO_TAG:
		q->notag_only = true;
		break;
	case POL_COMPOSITE:
		if (p->max == DROVE_SCHED_AND || p->nkids == 1)
			for (size_t i = 0; i < p->nkids; i++)
				drove__sched_policy_requirements(p->kids[i], q);
		break;
	default:
		break;
	}
}

/* ---- the rule document for a candidate ---- */

struct docctx {
	const drove_sched *s;
	const struct sched_exec *e;
	const drove_sched_session *sess;
};

static const char *doc_alloc_meta(const void *ud, const char *key)
{
	const struct docctx *d = ud;
	return d->e->meta ? drove_strmap_get(d->e->meta, key) : NULL;
}

static const struct sched_exec *doc_used_exec(const struct docctx *d, const char *exec)
{
	uint32_t slot;
	if (!d->sess || drove__sched_find(d->s, exec, &slot) < 0 ||
	    drove__sched_session_count_slot(d->sess, slot) == 0)
		return NULL;
	return &d->s->execs[slot];
}

static bool doc_exec_known(const void *ud, const char *exec)
{
	return doc_used_exec(ud, exec) != NULL;
}

static const char *doc_exec_meta(const void *ud, const char *exec, const char *key)
{
	const struct sched_exec *e = doc_used_exec(ud, exec);
	return e && e->meta ? drove_strmap_get(e->meta, key) : NULL;
}

static const char *doc_env(const void *ud, const char *key)
{
	const struct docctx *d = ud;
	return d->sess && d->sess->env ? drove_strmap_get(d->sess->env, key) : NULL;
}

static bool eval(const drove_sched_policy *p, const struct sched_query *q, uint32_t slot)
{
	const struct sched_exec *e = &q->s->execs[slot];
	switch (p->type) {
	case POL_ANY:
	case POL_LOCAL:
		return true;
	case POL_ONE_PER_HOST:
		return !q->sess || drove__sched_session_count_slot(q->sess, slot) == 0;
	case POL_MAX_PER_HOST:
		return !q->sess ||
		       drove__sched_session_count_slot(q->sess, slot) < (uint32_t)p->max;
	case POL_MATCH_TAG:
		return (q->in_taglist && p->tag == q->req_tag) ||
		       drove__sched_exec_has_tag(e, p->tag);
	case POL_NO_TAG:
		return !e->tagged;
	case POL_RULE: {
		struct docctx dc = {q->s, e, q->sess};
		drove__sched_ruledoc doc = {e->id,         doc_alloc_meta, doc_exec_known,
		                            doc_exec_meta, doc_env,        &dc};
		return drove__sched_rule_eval(p->rule, &doc);
	}
	case POL_COMPOSITE:
		if (p->max == DROVE_SCHED_OR) {
			for (size_t i = 0; i < p->nkids; i++)
				if (eval(p->kids[i], q, slot))
					return true;
			return false;
		}
		for (size_t i = 0; i < p->nkids; i++)
			if (!eval(p->kids[i], q, slot))
				return false;
		return true;
	}
	return false;
}

bool drove__sched_policy_eval(const drove_sched_policy *p, const struct sched_query *q,
                              uint32_t slot)
{
	if (q->wrap_notag && q->s->execs[slot].tagged)
		return false;
	return !p || eval(p, q, slot);
}

bool drove__sched_policy_static(const drove_sched_policy *p, const struct sched_exec *e)
{
	switch (p->type) {
	case POL_MATCH_TAG:
		return drove__sched_exec_has_tag(e, p->tag);
	case POL_NO_TAG:
		return !e->tagged;
	case POL_COMPOSITE:
		if (p->max == DROVE_SCHED_OR) {
			for (size_t i = 0; i < p->nkids; i++)
				if (drove__sched_policy_static(p->kids[i], e))
					return true;
			return false;
		}
		for (size_t i = 0; i < p->nkids; i++)
			if (!drove__sched_policy_static(p->kids[i], e))
				return false;
		return true;
	default:
		return true;
	}
}

/* ---- SchedulingInfo documents for dry runs (§3.9) ---- */

struct drove_sched_info {
	char *executor_id;
	drove_strmap *alloc;
	drove_strmap *env;
	/* allExecutorMetadata: executor ids with one map each */
	char **exec_ids;
	drove_strmap **exec_meta;
	size_t nexec, capexec;
};

int drove_sched_info_new(drove_sched_info **out)
{
	drove_sched_info *i;
	DROVE_CHECK_ARG(out);
	if (!(i = calloc(1, sizeof(*i))))
		return drove__enomem();
	if (drove_strmap_new(&i->alloc) < 0 || drove_strmap_new(&i->env) < 0) {
		drove_sched_info_free(i);
		return DROVE_ENOMEM;
	}
	*out = i;
	return 0;
}

void drove_sched_info_free(drove_sched_info *info)
{
	if (!info)
		return;
	free(info->executor_id);
	drove_strmap_free(info->alloc);
	drove_strmap_free(info->env);
	for (size_t i = 0; i < info->nexec; i++) {
		free(info->exec_ids[i]);
		drove_strmap_free(info->exec_meta[i]);
	}
	free(info->exec_ids);
	free(info->exec_meta);
	free(info);
}

int drove_sched_info_set_executor_id(drove_sched_info *info, const char *id)
{
	char *c;
	DROVE_CHECK_ARG(info && id);
	if (!(c = drove__strdup(id)))
		return DROVE_ENOMEM;
	free(info->executor_id);
	info->executor_id = c;
	return 0;
}

int drove_sched_info_set_allocated_metadata(drove_sched_info *info, const char *key,
                                            const char *value)
{
	DROVE_CHECK_ARG(info && key && value);
	return drove_strmap_set(info->alloc, key, value);
}

int drove_sched_info_set_env(drove_sched_info *info, const char *key, const char *value)
{
	DROVE_CHECK_ARG(info && key && value);
	return drove_strmap_set(info->env, key, value);
}

static drove_strmap *info_exec(const drove_sched_info *info, const char *exec)
{
	for (size_t i = 0; i < info->nexec; i++)
		if (strcmp(info->exec_ids[i], exec) == 0)
			return info->exec_meta[i];
	return NULL;
}

int drove_sched_info_set_executor_metadata(drove_sched_info *info, const char *executor_id,
                                           const char *key, const char *value)
{
	drove_strmap *m;
	size_t n;
	int rc;
	DROVE_CHECK_ARG(info && executor_id && key && value);
	if (!(m = info_exec(info, executor_id))) {
		n = info->nexec;
		if ((rc = drove__grow(&info->exec_ids, &info->capexec, n + 1,
		                      sizeof(*info->exec_ids))) < 0)
			return rc;
		size_t cap2 = n;
		if ((rc = drove__grow(&info->exec_meta, &cap2, n + 1, sizeof(*info->exec_meta))) <
		    0)
			return rc;
		if (drove_strmap_new(&m) < 0)
			return DROVE_ENOMEM;
		if (!(info->exec_ids[n] = drove__strdup(executor_id))) {
			drove_strmap_free(m);
			return DROVE_ENOMEM;
		}
		info->exec_meta[n] = m;
		info->nexec++;
	}
	return drove_strmap_set(m, key, value);
}

static const char *info_alloc(const void *ud, const char *key)
{
	return drove_strmap_get(((const drove_sched_info *)ud)->alloc, key);
}

static bool info_known(const void *ud, const char *exec)
{
	return info_exec(ud, exec) != NULL;
}

static const char *info_meta(const void *ud, const char *exec, const char *key)
{
	drove_strmap *m = info_exec(ud, exec);
	return m ? drove_strmap_get(m, key) : NULL;
}

static const char *info_env(const void *ud, const char *key)
{
	return drove_strmap_get(((const drove_sched_info *)ud)->env, key);
}

int drove_sched_rule_eval(const drove_sched_policy *policy, const drove_sched_info *info,
                          int *result)
{
	DROVE_CHECK_ARG(policy && info && result);
	if (policy->type != POL_RULE)
		return drove__error(DROVE_EINVAL, "placementPolicy.type: not RULE_BASED");
	drove__sched_ruledoc doc = {info->executor_id, info_alloc, info_known,
	                            info_meta,         info_env,   info};
	*result = drove__sched_rule_eval(policy->rule, &doc) ? 1 : 0;
	return 0;
}

int drove_sched_rule_eval_strict(const drove_sched_policy *policy, const drove_sched_info *info,
                                 int *result)
{
	bool ok = false;
	int rc;
	DROVE_CHECK_ARG(policy && info && result);
	*result = 0;
	if (policy->type != POL_RULE)
		return drove__error(DROVE_EINVAL, "placementPolicy.type: not RULE_BASED");
	drove__sched_ruledoc doc = {info->executor_id, info_alloc, info_known,
	                            info_meta,         info_env,   info};
	if ((rc = drove__sched_rule_eval_ex(policy->rule, &doc, &ok)) < 0)
		return rc;
	*result = ok ? 1 : 0;
	return 0;
}
