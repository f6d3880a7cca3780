// SPDX-License-Identifier: GPL-2.0
/*
 * The extractor (tree/extract.c) on small C inputs written for these
 * tests (no kernel text): comments, strings and character literals that
 * hold braces or the name, prototypes, macros with continuations, structs,
 * definitions in #if/#ifdef/#elif/#else branches, unbalanced braces
 * inside a body's #if branches, and the #line that leads each copy.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/harness.h"
#include "../../tree/tree.h"

/* Extract @name of @kind from @text; the copy (or NULL) and, through @err, the error. */
static char *extract(const char *text, enum kt_kind kind, const char *name,
		     const char *const *config, struct kt_buf *err)
{
	struct kt_source src;
	struct kt_buf out = { 0 };
	int r;

	kt_source_init(&src, "dir/file.c", text);
	r = kt_extract(&src, kind, name, config, &out, err);
	kt_source_free(&src);
	if (r) {
		kt_buf_free(&out);
		return NULL;
	}
	return out.s;
}

#define ASSERT_STR(got, want)                                                       \
	do {                                                                        \
		const char *__g = (got), *__w = (want);                             \
		if (!__g || strcmp(__g, __w)) {                                     \
			kfp_test_diag("%s:%d: got  <%s>", __FILE__, __LINE__,       \
				      __g ? __g : "(null)");                        \
			kfp_test_diag("%s:%d: want <%s>", __FILE__, __LINE__, __w); \
			kfp_test_fail();                                            \
		}                                                                   \
	} while (0)

static const char braces_in_comments[] = "/* a comment with } and { and the name f */\n"
					 "static int f(int x);\n"
					 "\n"
					 "/* doc: f() returns '}' */\n"
					 "static int f(int x)\n"
					 "{\n"
					 "\tconst char *s = \"}}} \\\" {\";\n"
					 "\tchar c = '}';\n"
					 "\t// a } in a line comment\n"
					 "\treturn x + s[0] + c; /* } */\n"
					 "}\n"
					 "int g(void) { return 1; }\n";

TEST(extract_function_skips_braces_in_comments_strings_and_chars)
{
	struct kt_buf err = { 0 };
	char *got = extract(braces_in_comments, KT_FUNCTION, "f", NULL, &err);

	ASSERT_STR(got, "#line 5 \"dir/file.c\"\n"
			"static int f(int x)\n"
			"{\n"
			"\tconst char *s = \"}}} \\\" {\";\n"
			"\tchar c = '}';\n"
			"\t// a } in a line comment\n"
			"\treturn x + s[0] + c; /* } */\n"
			"}\n");
	free(got);
	kt_buf_free(&err);
}

TEST(extract_function_on_one_line_after_another)
{
	struct kt_buf err = { 0 };
	char *got = extract(braces_in_comments, KT_FUNCTION, "g", NULL, &err);

	ASSERT_STR(got, "#line 12 \"dir/file.c\"\nint g(void) { return 1; }\n");
	free(got);
	kt_buf_free(&err);
}

TEST(extract_function_with_annotations_and_multiline_head)
{
	static const char text[] = "#include <x.h>\n"
				   "static __attribute__((unused)) long\n"
				   "lock_it(struct s *p)\n"
				   "\t__acquires(p->lock)\n"
				   "{\n"
				   "\treturn 0;\n"
				   "}\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_FUNCTION, "lock_it", NULL, &err);

	ASSERT_STR(got, "#line 2 \"dir/file.c\"\n"
			"static __attribute__((unused)) long\n"
			"lock_it(struct s *p)\n"
			"\t__acquires(p->lock)\n"
			"{\n"
			"\treturn 0;\n"
			"}\n");
	free(got);
	kt_buf_free(&err);
}

TEST(extract_a_call_or_prototype_is_no_definition)
{
	static const char text[] = "int h(int);\n"
				   "static int v = h(3);\n"
				   "int k(void) { return h(1); }\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_FUNCTION, "h", NULL, &err);

	ASSERT_TRUE(got == NULL);
	ASSERT_STR(err.s, "dir/file.c: no definition of function h");
	kt_buf_free(&err);
}

TEST(extract_the_name_only_as_a_whole_identifier)
{
	static const char text[] = "int ff(void) { return 2; }\n"
				   "int f_(void) { return 3; }\n"
				   "int f(void) { return 4; }\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_FUNCTION, "f", NULL, &err);

	ASSERT_STR(got, "#line 3 \"dir/file.c\"\nint f(void) { return 4; }\n");
	free(got);
	kt_buf_free(&err);
}

static const char macros[] = "#define M_LONGER 1\n"
			     "#define M(a, b) \\\n"
			     "\t((a) + \\\n"
			     "\t (b))\n"
			     "#define N 7 /* seven */\n"
			     "int use(void) { return M(1, N); }\n";

TEST(extract_macro_with_continuations)
{
	struct kt_buf err = { 0 };
	char *got = extract(macros, KT_MACRO, "M", NULL, &err);

	ASSERT_STR(got, "#line 2 \"dir/file.c\"\n"
			"#define M(a, b) \\\n"
			"\t((a) + \\\n"
			"\t (b))\n");
	free(got);
	got = extract(macros, KT_MACRO, "N", NULL, &err);
	ASSERT_STR(got, "#line 5 \"dir/file.c\"\n#define N 7 /* seven */\n");
	free(got);
	kt_buf_free(&err);
}

TEST(extract_struct_to_its_semicolon)
{
	static const char text[] = "struct s;\n"
				   "struct t { int a; };\n"
				   "struct s {\n"
				   "\tstruct t inner; /* { */\n"
				   "\tunion { int x; long y; } u;\n"
				   "} __attribute__((packed));\n"
				   "struct s make(void) { struct s v = { 0 }; return v; }\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_STRUCT, "s", NULL, &err);

	ASSERT_STR(got, "#line 3 \"dir/file.c\"\n"
			"struct s {\n"
			"\tstruct t inner; /* { */\n"
			"\tunion { int x; long y; } u;\n"
			"} __attribute__((packed));\n");
	free(got);
	kt_buf_free(&err);
}

static const char branches[] = "#ifndef GUARD_H\n"
			       "#define GUARD_H\n"
			       "#ifdef CONFIG_A\n"
			       "static inline int pick(void)\n"
			       "{\n"
			       "\treturn 1;\n"
			       "}\n"
			       "#elif defined(CONFIG_B) && !IS_ENABLED(CONFIG_C)\n"
			       "static inline int pick(void) { return 2; }\n"
			       "#else\n"
			       "static inline int pick(void) { return 3; }\n"
			       "#endif\n"
			       "#endif\n";

TEST(extract_static_inline_from_the_branch_the_config_selects)
{
	static const char *const a[] = { "CONFIG_A", "CONFIG_B", NULL };
	static const char *const b[] = { "CONFIG_B", NULL };
	static const char *const bc[] = { "CONFIG_B", "CONFIG_C", NULL };
	struct kt_buf err = { 0 };
	char *got;

	got = extract(branches, KT_FUNCTION, "pick", a, &err);
	ASSERT_STR(got, "#line 4 \"dir/file.c\"\n"
			"static inline int pick(void)\n{\n\treturn 1;\n}\n");
	free(got);
	got = extract(branches, KT_FUNCTION, "pick", b, &err);
	ASSERT_STR(got, "#line 9 \"dir/file.c\"\nstatic inline int pick(void) { return 2; }\n");
	free(got);
	got = extract(branches, KT_FUNCTION, "pick", bc, &err);
	ASSERT_STR(got, "#line 11 \"dir/file.c\"\nstatic inline int pick(void) { return 3; }\n");
	free(got);
	got = extract(branches, KT_FUNCTION, "pick", NULL, &err);
	ASSERT_STR(got, "#line 11 \"dir/file.c\"\nstatic inline int pick(void) { return 3; }\n");
	free(got);
	kt_buf_free(&err);
}

TEST(extract_refuses_a_condition_it_cannot_evaluate)
{
	static const char text[] = "#if FOO(3) > 2\n"
				   "int q(void) { return 0; }\n"
				   "#endif\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_FUNCTION, "q", NULL, &err);

	ASSERT_TRUE(got == NULL);
	ASSERT_STR(err.s, "dir/file.c:1: cannot evaluate #if FOO(3) > 2");
	kt_buf_free(&err);
}

TEST(extract_only_in_an_unselected_branch_says_so)
{
	static const char text[] = "#ifdef CONFIG_X\n"
				   "int only_x(void) { return 0; }\n"
				   "#endif\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_FUNCTION, "only_x", NULL, &err);

	ASSERT_TRUE(got == NULL);
	ASSERT_STR(err.s, "dir/file.c: no definition of function only_x in a branch the "
			  "configuration selects");
	kt_buf_free(&err);
}

TEST(extract_two_definitions_that_both_hold_is_an_error)
{
	static const char text[] = "int twice(void) { return 0; }\n"
				   "#if 1\n"
				   "int twice(void) { return 1; }\n"
				   "#endif\n";
	struct kt_buf err = { 0 };
	char *got = extract(text, KT_FUNCTION, "twice", NULL, &err);

	ASSERT_TRUE(got == NULL);
	ASSERT_STR(err.s, "dir/file.c:3: function twice defined again (first at line 1)");
	kt_buf_free(&err);
}

/* Each branch opens its own block: counting both would never close the function. */
static const char unbalanced[] = "int body(int x)\n"
				 "{\n"
				 "#ifdef CONFIG_NEW\n"
				 "\tif (x > 1) {\n"
				 "#else\n"
				 "\tif (x > 2) {\n"
				 "#endif\n"
				 "\t\tx++;\n"
				 "\t}\n"
				 "#if 0\n"
				 "\t}}}\n"
				 "#endif\n"
				 "\treturn x;\n"
				 "}\n"
				 "int after(void) { return 5; }\n";

TEST(extract_body_with_unbalanced_if_branches)
{
	static const char head[] =
		"#line 1 \"dir/file.c\"\nint body(int x)\n{\n#ifdef CONFIG_NEW\n";
	struct kt_buf err = { 0 };
	char *got = extract(unbalanced, KT_FUNCTION, "body", NULL, &err);

	ASSERT_TRUE(got != NULL);
	ASSERT_TRUE(!strncmp(got, head, strlen(head)));
	ASSERT_TRUE(strstr(got, "\treturn x;\n}\n") != NULL);
	ASSERT_TRUE(strstr(got, "after") == NULL);
	free(got);
	got = extract(unbalanced, KT_FUNCTION, "after", NULL, &err);
	ASSERT_STR(got, "#line 15 \"dir/file.c\"\nint after(void) { return 5; }\n");
	free(got);
	kt_buf_free(&err);
}

TEST(extract_mentions_and_defines_see_code_only)
{
	static const char text[] = "/* old_name() is gone */\n"
				   "static const char *s = \"old_name\";\n"
				   "#define HAS_MACRO 1\n"
				   "int user(void) { return called_only(); }\n";
	struct kt_source src;

	kt_source_init(&src, "x.c", text);
	ASSERT_FALSE(kt_mentions(&src, "old_name"));
	ASSERT_TRUE(kt_mentions(&src, "called_only"));
	ASSERT_FALSE(kt_mentions(&src, "called"));
	ASSERT_FALSE(kt_defines(&src, "called_only"));
	ASSERT_TRUE(kt_defines(&src, "HAS_MACRO"));
	ASSERT_TRUE(kt_defines(&src, "user"));
	kt_source_free(&src);
}

TEST(extract_eval_condition)
{
	static const char *const cfg[] = { "CONFIG_A", NULL };
	static const struct {
		const char *expr;
		int value;
	} cases[] = {
		{ "defined(CONFIG_A)", 1 },
		{ "defined CONFIG_A && !defined(CONFIG_B)", 1 },
		{ "IS_ENABLED(CONFIG_B) || 0", 0 },
		{ "IS_MODULE(CONFIG_A)", 0 },
		{ "(1 + 2)", -1 },
		{ "0x10 > 3 && CONFIG_A == 1", 1 },
		{ "CONFIG_A \\\n || CONFIG_B", 1 },
		{ "BITS(64)", -1 },
		{ "", -1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = kt_eval_condition(cases[i].expr, strlen(cases[i].expr), cfg);

		if (v != cases[i].value)
			kfp_test_diag("#if %s: %d, want %d", cases[i].expr, v, cases[i].value);
		ASSERT_EQ(v, cases[i].value);
	}
}
