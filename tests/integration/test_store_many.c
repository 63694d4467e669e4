/* The store's pipelined reads (store/many.c, records.c: what a new controller leader loads the
 * cluster's state with), on both backends against a real ZooKeeper. */
#include <time.h>

#include "test_store_fx.h"

/* Pipelined reads (a new leader's load): 600 nodes, more than one window of 256, with a
 * missing node, a bad path and an empty value among them; children of many parents. */
START_TEST(test_read_many)
{
	enum { N = 600 };
	static char paths[N + 2][32], kpaths[4][16];
	const char *pp[N + 2], *kp[4];
	struct drove__store_many *m = NULL;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_create(F.s, "/m", NULL, 0, DROVE_STORE_PERSISTENT, NULL), 0);
	for (int i = 0; i < N; i++) {
		char v[16];
		snprintf(paths[i], sizeof(paths[i]), "/m/n%04d", i);
		snprintf(v, sizeof(v), "value-%d", i);
		ck_assert_int_eq(drove_store_create(F.s, paths[i], v, i == 7 ? 0 : strlen(v),
		                                    DROVE_STORE_PERSISTENT, NULL),
		                 0);
		pp[i] = paths[i];
	}
	pp[N] = "/m/missing";
	pp[N + 1] = "no-slash";
	ck_assert_int_eq(drove__store_get_many(F.s, pp, N + 2, &m), 0);
	ck_assert_uint_eq(m->n, N + 2);
	for (int i = 0; i < N; i++) {
		char v[16];
		snprintf(v, sizeof(v), "value-%d", i);
		ck_assert_int_eq(m->item[i].rc, 0);
		ck_assert_str_eq(m->item[i].data, i == 7 ? "" : v);
		ck_assert_uint_eq(m->item[i].len, i == 7 ? 0 : strlen(v));
		ck_assert_ptr_null(m->item[i].kids);
	}
	ck_assert_int_eq(m->item[N].rc, DROVE_ENOTFOUND);
	ck_assert_ptr_null(m->item[N].data);
	ck_assert_int_eq(m->item[N + 1].rc, DROVE_EINVAL);
	ck_assert_ptr_null(m->item[N + 1].data);
	drove__store_many_free(m);
	ck_assert_int_eq(drove__store_get_many(F.s, pp, 0, &m), 0);
	ck_assert_uint_eq(m->n, 0);
	drove__store_many_free(m);
	ck_assert_int_eq(drove__store_get_many(F.s, pp, 1, NULL), DROVE_EINVAL);

	ck_assert_int_eq(drove_store_create(F.s, "/m/n0001/a", "", 0, DROVE_STORE_PERSISTENT, NULL),
	                 0);
	ck_assert_int_eq(drove_store_create(F.s, "/m/n0001/b", "", 0, DROVE_STORE_PERSISTENT, NULL),
	                 0);
	snprintf(kpaths[0], sizeof(kpaths[0]), "/m/n0001");
	snprintf(kpaths[1], sizeof(kpaths[1]), "/m/n0002");
	snprintf(kpaths[2], sizeof(kpaths[2]), "/m/none");
	snprintf(kpaths[3], sizeof(kpaths[3]), "/m");
	for (int i = 0; i < 4; i++)
		kp[i] = kpaths[i];
	ck_assert_int_eq(drove__store_children_many(F.s, kp, 4, &m), 0);
	ck_assert_int_eq(m->item[0].rc, 0);
	ck_assert_uint_eq(drove_strlist_count(m->item[0].kids), 2);
	ck_assert_str_eq(drove_strlist_get(m->item[0].kids, 1), "b");
	ck_assert_ptr_null(m->item[0].data);
	ck_assert_int_eq(m->item[1].rc, 0);
	ck_assert_uint_eq(drove_strlist_count(m->item[1].kids), 0);
	ck_assert_int_eq(m->item[2].rc, DROVE_ENOTFOUND);
	ck_assert_ptr_null(m->item[2].kids);
	ck_assert_int_eq(m->item[3].rc, 0);
	ck_assert_uint_eq(drove_strlist_count(m->item[3].kids), N);
	drove__store_many_free(m);
	drove__store_many_free(NULL);
	fx_teardown();
}
END_TEST

/* Records in pipelines: every record of a kind (get_all), records by (parent, id) with a bad
 * id among them, the id lists of several parents (one with none: an empty list). */
START_TEST(test_record_many)
{
	static const char *apps[] = {"app-a", "app-b", "app-c"};
	const char *parents[] = {"app-a", "app-a", "app-b", "app-a"};
	const char *iids[] = {"i1", "i2", "i1", "bad/id"};
	struct drove__store_many *m = NULL;
	drove_strlist *ids = NULL;

	fx_setup(backend_of(_i));
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_APPLICATION, NULL, apps[i],
		                                  apps[i], strlen(apps[i])),
		                 0);
	ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_INSTANCE, "app-a", "i1", "a1", 2), 0);
	ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_INSTANCE, "app-a", "i2", "a2", 2), 0);
	ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_INSTANCE, "app-b", "i1", "b1", 2), 0);

	ck_assert_int_eq(drove__record_get_all(F.s, DROVE_RECORD_APPLICATION, NULL, &ids, &m), 0);
	ck_assert_uint_eq(m->n, 3);
	ck_assert_uint_eq(drove_strlist_count(ids), 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(m->item[i].rc, 0);
		ck_assert_str_eq(m->item[i].data, drove_strlist_get(ids, i));
	}
	drove__store_many_free(m);
	drove_strlist_free(ids);
	ck_assert_int_eq(drove__record_get_all(F.s, DROVE_RECORD_INSTANCE, "app-a", &ids, &m), 0);
	ck_assert_uint_eq(m->n, 2);
	ck_assert_str_eq(m->item[0].data, "a1");
	ck_assert_str_eq(m->item[1].data, "a2");
	drove__store_many_free(m);
	drove_strlist_free(ids);

	ck_assert_int_eq(drove__record_get_many(F.s, DROVE_RECORD_INSTANCE, parents, iids, 4, &m),
	                 0);
	ck_assert_str_eq(m->item[0].data, "a1");
	ck_assert_str_eq(m->item[1].data, "a2");
	ck_assert_str_eq(m->item[2].data, "b1");
	ck_assert_int_eq(m->item[3].rc, DROVE_EINVAL);
	ck_assert_ptr_null(m->item[3].data);
	drove__store_many_free(m);
	ck_assert_int_eq(drove__record_get_many(F.s, DROVE_RECORD_CLUSTER_STATE, NULL, iids, 1, &m),
	                 DROVE_EINVAL);
	ck_assert_ptr_null(m);

	/* every record of a two-id kind, with its ids */
	{
		struct drove__record_rows *rows = NULL;
		ck_assert_int_eq(drove__record_get_rows(F.s, DROVE_RECORD_INSTANCE, &rows), 0);
		ck_assert_uint_eq(rows->n, 3);
		for (size_t j = 0; j < rows->n; j++) {
			const struct drove__record_row *w = &rows->row[j];
			char want[8];
			ck_assert_int_eq(w->rc, 0);
			snprintf(want, sizeof(want), "%c%c", w->parent[4], w->id[1]);
			ck_assert_str_eq(w->data, want); /* "a1" is app-a's i1 */
			ck_assert_uint_eq(w->len, 2);
		}
		drove__record_rows_free(rows);
		ck_assert_int_eq(drove__record_get_rows(F.s, DROVE_RECORD_APPLICATION, &rows),
		                 DROVE_EINVAL);
		ck_assert_ptr_null(rows);
		ck_assert_int_eq(drove__record_get_rows(F.s, DROVE_RECORD_TASK, &rows), 0);
		ck_assert_uint_eq(rows->n, 0); /* none yet */
		drove__record_rows_free(rows);
		drove__record_rows_free(NULL);
	}
	ck_assert_int_eq(drove__record_list_many(F.s, DROVE_RECORD_INSTANCE, apps, 3, &m), 0);
	ck_assert_uint_eq(drove_strlist_count(m->item[0].kids), 2);
	ck_assert_uint_eq(drove_strlist_count(m->item[1].kids), 1);
	ck_assert_int_eq(m->item[2].rc, 0); /* no instance yet: an empty list */
	ck_assert_uint_eq(drove_strlist_count(m->item[2].kids), 0);
	drove__store_many_free(m);
	fx_teardown();
}
END_TEST

Suite *store_many_suite(void)
{
	Suite *s = suite_create("store-many");
	TCase *tc = tcase_create("contract");

	fx_init_suite();
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_read_many, 0, 2);
	tcase_add_loop_test(tc, test_record_many, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
