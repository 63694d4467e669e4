/* main() for every check suite: DROVE_SUITE_FN names the suite constructor. */
#include <stdlib.h>
#include <check.h>

Suite *DROVE_SUITE_FN(void);

int main(void)
{
	SRunner *sr = srunner_create(DROVE_SUITE_FN());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
