// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry: any byte string through the scenario parser must give
 * 0 or -EINVAL with a "fuzz:line:col: message" error, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kfp_scenario scenario;
	char error[KFP_ERROR_LEN];
	int ret;

	ret = kfp_scenario_parse("fuzz", (const char *)data, size, &scenario, error, sizeof(error));
	if (ret && (ret != -EINVAL || strncmp(error, "fuzz:", 5)))
		abort();
	if (!ret && (!scenario.nr_threads || !scenario.name[0]))
		abort();
	return 0;
}
