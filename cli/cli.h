/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kfp command's files share: the shard JSON that kfp check
 * --shard writes and kfp merge (cli/merge.c) reads back, and the output
 * both print (cli/output.c).
 */
#ifndef KFP_CLI_H
#define KFP_CLI_H

#include <kfp/scenario.h>

/* cli/output.c: a cell's verdict ("safe", "P1 P3", "P2 accepted") and JSON pieces. */
void kfp_cli_verdict_text(const u64 *violations, const u64 *accepted, char *out, size_t size);
void kfp_cli_json_string(const char *s);
void kfp_cli_json_properties(const u64 *counts);

/* The expectation kinds as the shard JSON names them. */
const char *kfp_merge_kind_name(unsigned int kind);

/*
 * The options that shape a search (not those that only stop it early):
 * shards of one search carry the same key.
 */
void kfp_merge_search_key(const struct kfp_explore_options *options, unsigned int inject, char *out,
			  size_t size);

/* kfp merge [--json] FILE...: the verdicts of the whole search from its shards. */
int kfp_merge_command(const char *program_name, int argc, char **argv);

/* kfp diff [--json] A B PATH...: what changes from one design (+injections) to another. */
int kfp_diff_command(const char *program_name, int argc, char **argv);

#endif /* KFP_CLI_H */
