/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp hunt: generate small scenarios, explore each under a design (or
 * two), and shrink and write the ones that break a property or tell the
 * designs apart (cli/hunt.c; docs/hunt.md).
 */
#ifndef KFP_CLI_HUNT_H
#define KFP_CLI_HUNT_H

/* kfp hunt [options]: exit 0 nothing found, 1 findings, 2 usage, 4 internal. */
int kfp_hunt_command(const char *program_name, int argc, char **argv);

#endif /* KFP_CLI_HUNT_H */
