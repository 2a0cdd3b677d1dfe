/* check_run: the one way the unit suites run: every test case of the suite,
 * Check's normal output, exit status for automake's driver. */
#ifndef SVD_CHECK_RUN_H
#define SVD_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int check_run(Suite *s)
{
        SRunner *sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
