// SPDX-License-Identifier: GPL-2.0
/*
 * kfp list --markdown: the designs, the injections and the ops as Markdown
 * tables, from the same tables the parser and the runner read.  The documents
 * that list them (docs/scenario-format.md) hold this output between
 * markers, and docs/gen-doc-blocks.py puts it there (make docs); the CLI
 * tests fail when a document and the binary disagree.
 */
#include <stdio.h>

#include <kfp/kvm.h>
#include <kfp/scenario.h>

#include "cli.h"

/* A table cell: '|' would end the cell, so it is escaped. */
static void markdown_cell(const char *text)
{
	for (; *text; text++) {
		if (*text == '|')
			fputc('\\', stdout);
		fputc(*text, stdout);
	}
}

static void list_designs(void)
{
	unsigned int i;

	printf("### Designs\n\n");
	printf("| design | renders | what it does |\n");
	printf("|---|---|---|\n");
	for (i = 0; i < kfp_nr_designs; i++) {
		printf("| `%s` | ", kfp_designs[i]->name);
		markdown_cell(kfp_designs[i]->renders);
		printf(" | ");
		markdown_cell(kfp_designs[i]->summary);
		printf(" |\n");
	}
	printf("\n`all` names every design.\n");
}

static void list_injections(void)
{
	unsigned int i;

	printf("\n### Injections\n\n");
	printf("`param inject NAME` in a scenario, or `kfp check --inject NAME`, puts\n");
	printf("old code back:\n\n");
	printf("| injection | the old code |\n");
	printf("|---|---|\n");
	for (i = 0; i < kvm_nr_injections; i++) {
		printf("| `%s` | ", kvm_injections[i].name);
		markdown_cell(kvm_injections[i].description);
		printf(" |\n");
	}
}

int kfp_list_markdown(void)
{
	list_designs();
	list_injections();
	printf("\n### Ops\n\n");
	printf("Each op's side, operands and options, from the op table (`scenario/ops.c`):\n\n");
	kfp_scenario_print_ops(stdout, true);
	return 0;
}
