// SPDX-License-Identifier: GPL-2.0
/*
 * Whether a header change alters what a unit compiles to, from its
 * preprocessed text alone: the unit's tokens, split into top-level items
 * (declarations and function definitions), hashed without the static
 * functions nothing in the unit names. Changing fib_lookup() in
 * include/net/ip_fib.h changes the text of 1599 units but the code of only
 * those that call it; this tells them apart without compiling any.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "code_digest.h"

enum token_kind { TOKEN_IDENT, TOKEN_OTHER, TOKEN_DIRECTIVE };

struct token {
	const char *s;
	size_t len;
	enum token_kind kind;
};

struct tokens {
	struct token *v;
	size_t n, cap;
};

static bool ident_char(unsigned char c)
{
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of the punctuator at @p, the longest that matches. */
static size_t punct_len(const char *p, const char *end)
{
	static const char *const longer[] = {
		"<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==",
		"!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##",
	};

	for (size_t i = 0; i < sizeof(longer) / sizeof(*longer); i++) {
		size_t n = strlen(longer[i]);

		if ((size_t)(end - p) >= n && !memcmp(p, longer[i], n))
			return n;
	}
	return 1;
}

/* A string or character literal from its opening quote; to its end. */
static size_t quoted_len(const char *p, const char *end)
{
	const char *q = p + 1;

	while (q < end && *q != *p && *q != '\n')
		q += (*q == '\\' && q + 1 < end) ? 2 : 1;
	return (size_t)(q < end && *q == *p ? q + 1 - p : q - p);
}

static size_t number_len(const char *p, const char *end)
{
	const char *q = p + 1;

	while (q < end) {
		if ((*q == '+' || *q == '-') && strchr("eEpP", q[-1]))
			q++;
		else if (ident_char(*q) || *q == '.')
			q++;
		else
			break;
	}
	return (size_t)(q - p);
}

static int tokenize(const char *s, size_t len, struct tokens *t)
{
	const char *p = s, *end = s + len;
	bool line_start = true;

	while (p < end) {
		struct token tok = { .s = p, .kind = TOKEN_OTHER };
		size_t n;

		if (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' ||
		    *p == '\v') {
			line_start |= *p == '\n';
			p++;
			continue;
		}
		if (line_start && *p == '#') {
			const char *q = p;

			/* a directive (#pragma) is one token, to its line's end */
			while (q < end && *q != '\n')
				q += (*q == '\\' && q + 1 < end) ? 2 : 1;
			n = (size_t)(q - p);
			tok.kind = TOKEN_DIRECTIVE;
		} else if (ident_char((unsigned char)*p) && !is_digit(*p)) {
			for (n = 1; p + n < end && ident_char((unsigned char)p[n]); n++)
				;
			tok.kind = TOKEN_IDENT;
		} else if (is_digit(*p) || (*p == '.' && p + 1 < end && is_digit(p[1]))) {
			n = number_len(p, end);
		} else if (*p == '"' || *p == '\'') {
			n = quoted_len(p, end);
		} else {
			n = punct_len(p, end);
		}
		line_start = false;
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 4096;
			struct token *v = realloc(t->v, cap * sizeof(*v));

			if (!v)
				return -1;
			t->v = v;
			t->cap = cap;
		}
		tok.len = n;
		t->v[t->n++] = tok;
		p += n;
	}
	return 0;
}

static bool tok_is(const struct token *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static bool tok_in(const struct token *t, const char *const *set)
{
	for (; *set; set++)
		if (tok_is(t, *set))
			return true;
	return false;
}

/*
 * The name @k gives: an identifier's, or that of a string literal holding
 * exactly one ("name" in alias("name") keeps a function as a call does).
 */
static bool token_name(const struct token *k, const char **s, size_t *len)
{
	if (k->kind == TOKEN_IDENT) {
		*s = k->s;
		*len = k->len;
		return true;
	}
	if (k->len < 3 || k->s[0] != '"' || k->s[k->len - 1] != '"' || is_digit(k->s[1]))
		return false;
	for (size_t i = 1; i + 1 < k->len; i++)
		if (!ident_char((unsigned char)k->s[i]))
			return false;
	*s = k->s + 1;
	*len = k->len - 2;
	return true;
}

/* Identifiers of counts: open addressing on (text, length). */
struct name_count {
	const char *s;
	size_t len;
	size_t count;
};

struct names {
	struct name_count *v;
	size_t cap, used;
};

static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct name_count *names_slot(struct names *m, const char *s, size_t len)
{
	size_t i = name_hash(s, len) & (m->cap - 1);

	while (m->v[i].s && (m->v[i].len != len || memcmp(m->v[i].s, s, len)))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static int names_add(struct names *m, const char *s, size_t len)
{
	struct name_count *slot;

	if (4 * (m->used + 1) > 3 * m->cap) {
		struct names grown = { .cap = m->cap ? 2 * m->cap : 4096 };

		grown.v = calloc(grown.cap, sizeof(*grown.v));
		if (!grown.v)
			return -1;
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].s)
				*names_slot(&grown, m->v[i].s, m->v[i].len) = m->v[i];
		grown.used = m->used;
		free(m->v);
		*m = grown;
	}
	slot = names_slot(m, s, len);
	if (!slot->s) {
		slot->s = s;
		slot->len = len;
		m->used++;
	}
	slot->count++;
	return 0;
}

/* A top-level item: tokens [first, end); a static function perhaps. */
struct item {
	size_t first, end;
	size_t body;			/* a function's '{' */
	const struct token *name;	/* a static function's, or NULL */
	size_t own;			/* times its name occurs in it */
	bool dropped;
};

static bool is_directive_or_brace(const struct token *k)
{
	return k->kind == TOKEN_DIRECTIVE || tok_is(k, "{") || tok_is(k, "}") ||
	       tok_is(k, ";");
}

/*
 * The name of the function an item defines, whose body opens at token
 * @body, when it has exactly the shape the compiler emits nothing for
 * when nothing names it: "static ... NAME(PARAMS) { BODY }", its
 * attributes (GNU's, not [[...]]) none of those that keep a function, no
 * type declared before its body, no directive in it; else NULL: kept.
 */
static const struct token *static_function_name(const struct token *t, size_t first,
						size_t body, size_t end)
{
	static const char *const not_names[] = {
		"__attribute__", "__attribute", "__typeof__", "__typeof", "typeof",
		"__asm__", "__asm", "asm", "_Alignas", "__alignof__", "_Alignof",
		"sizeof", "_Static_assert", "_Atomic", "_Generic", NULL,
	};
	/* attributes that keep a function emitted (or may), and "extern" */
	static const char *const kept[] = {
		"used", "__used__", "constructor", "__constructor__", "destructor",
		"__destructor__", "externally_visible", "__externally_visible__",
		"section", "__section__", "alias", "__alias__", "ifunc", "__ifunc__",
		"no_reorder", "__no_reorder__", "retain", "__retain__", "weak", "__weak__",
		"weakref", "__weakref__", "optimize", "__optimize__", "extern", NULL,
	};
	const struct token *name;
	bool is_static = false;
	size_t open;
	int depth = 0, attribute = -1;	/* the depth an __attribute__ is at */

	for (size_t i = first; i < body; i++) {
		const struct token *k = &t[i];

		/* a tag, an enumerator, K&R declarations: file-scope things */
		if (is_directive_or_brace(k) ||
		    (tok_is(k, "[") && i + 1 < body && tok_is(&t[i + 1], "[")))
			return NULL;
		/* in an attribute, or "extern" (not a parameter called "used") */
		if (k->kind == TOKEN_IDENT && (attribute >= 0 || depth == 0) && tok_in(k, kept))
			return NULL;
		if (attribute < 0 && (tok_is(k, "__attribute__") || tok_is(k, "__attribute")))
			attribute = depth;
		if (tok_is(k, "(") || tok_is(k, "["))
			depth++;
		else if (tok_is(k, ")") || tok_is(k, "]"))
			attribute = --depth == attribute ? -1 : attribute;
		is_static |= depth == 0 && k->kind == TOKEN_IDENT && tok_is(k, "static");
	}
	depth = 0;
	for (size_t i = body; i < end; i++)
		if (t[i].kind == TOKEN_DIRECTIVE)
			return NULL;
	/* the name is just before the parameters, the last (...) before '{' */
	if (!is_static || body == first || !tok_is(&t[body - 1], ")"))
		return NULL;
	for (open = body - 1; open > first; open--) {
		depth += tok_is(&t[open], ")") - tok_is(&t[open], "(");
		if (!depth)
			break;
	}
	if (depth || open == first)
		return NULL;
	name = &t[open - 1];
	if (name->kind != TOKEN_IDENT || tok_in(name, not_names) ||
	    !strncmp(name->s, "__builtin", 9))
		return NULL;
	/* and at depth 0: "(*f(void))(int)" has ')' before its last '(' */
	depth = 0;
	for (size_t i = first; i < open - 1; i++)
		depth += (tok_is(&t[i], "(") || tok_is(&t[i], "[")) -
			 (tok_is(&t[i], ")") || tok_is(&t[i], "]"));
	return depth ? NULL : name;
}

/*
 * Does every "extern" declaration in @it's body declare a name that occurs
 * nowhere else? Such a declaration (BUILD_BUG_ON's __compiletime_assert_N)
 * goes with the function; one of a name used elsewhere may change how
 * that is emitted (weak, visibility), so the function is kept.
 */
static bool externs_private(const struct tokens *t, const struct item *it, struct names *names)
{
	for (size_t i = it->body; i < it->end; i++) {
		const struct token *decl = NULL;
		size_t own = 0;

		if (!tok_is(&t->v[i], "extern"))
			continue;
		for (size_t j = i + 1; j < it->end; j++) {
			const struct token *k = &t->v[j];

			if (tok_is(k, "(") || tok_is(k, ";") || tok_is(k, "=") || tok_is(k, "[") ||
			    tok_is(k, ",") || tok_is(k, "__attribute__") ||
			    tok_is(k, "__attribute") || tok_is(k, "__asm__") || tok_is(k, "asm"))
				break;
			if (k->kind == TOKEN_IDENT)
				decl = k;
		}
		if (!decl)
			return false;
		for (size_t j = it->first; j < it->end; j++)
			own += t->v[j].len == decl->len && !memcmp(t->v[j].s, decl->s, decl->len);
		if (names_slot(names, decl->s, decl->len)->count != own)
			return false;
	}
	return true;
}

/* Split into top-level items; function definitions end at their '}'. */
static int split_items(const struct tokens *t, struct item **items, size_t *nr)
{
	size_t cap = 0, first = 0, body = 0;
	int depth = 0;
	bool function_body = false;

	*items = NULL;
	*nr = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct token *k = &t->v[i];
		bool ends = false;

		if (k->kind == TOKEN_DIRECTIVE) {
			ends = depth == 0 && i == first;
		} else if (tok_is(k, "(") || tok_is(k, "[") || tok_is(k, "{")) {
			if (depth == 0 && tok_is(k, "{")) {
				function_body = i > first && tok_is(&t->v[i - 1], ")");
				body = i;
			}
			depth++;
		} else if (tok_is(k, ")") || tok_is(k, "]") || tok_is(k, "}")) {
			if (depth > 0)
				depth--;
			ends = depth == 0 && tok_is(k, "}") && function_body;
		} else if (tok_is(k, ";")) {
			ends = depth == 0;
		}
		if (!ends && i + 1 < t->n)
			continue;
		if (*nr == cap) {
			struct item *v;

			cap = cap ? 2 * cap : 1024;
			v = realloc(*items, cap * sizeof(*v));
			if (!v)
				return -1;
			*items = v;
		}
		(*items)[(*nr)++] = (struct item){
			.first = first, .end = i + 1, .body = body,
			.name = ends && function_body && tok_is(k, "}") ?
				static_function_name(t->v, first, body, i + 1) : NULL,
		};
		first = i + 1;
		function_body = false;
	}
	return 0;
}

/* Take out the static functions nothing else names, until none is left. */
static size_t drop_unnamed(const struct tokens *t, struct item *items, size_t nr,
			   struct names *names)
{
	size_t dropped = 0;
	bool again = true;

	for (size_t i = 0; i < nr; i++) {
		for (size_t j = items[i].first; items[i].name && j < items[i].end; j++) {
			const char *n;
			size_t len;

			if (token_name(&t->v[j], &n, &len) && len == items[i].name->len &&
			    !memcmp(n, items[i].name->s, len))
				items[i].own++;
		}
	}
	while (again) {
		again = false;
		for (size_t i = 0; i < nr; i++) {
			struct item *it = &items[i];

			if (!it->name || it->dropped ||
			    names_slot(names, it->name->s, it->name->len)->count != it->own ||
			    !externs_private(t, it, names))
				continue;
			it->dropped = true;
			dropped++;
			again = true;
			for (size_t j = it->first; j < it->end; j++) {
				const char *n;
				size_t len;

				if (token_name(&t->v[j], &n, &len))
					names_slot(names, n, len)->count--;
			}
		}
	}
	return dropped;
}

static int hash_tokens(const struct tokens *t, const struct item *items, size_t nr,
		       struct code_digest *d)
{
	EVP_MD_CTX *text = EVP_MD_CTX_new(), *code = EVP_MD_CTX_new();
	int ret = -1;

	if (!text || !code || !EVP_DigestInit_ex(text, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(code, EVP_sha256(), NULL))
		goto out;
	for (size_t i = 0; i < nr; i++) {
		for (size_t j = items[i].first; j < items[i].end; j++) {
			/* a newline apart: no token holds one but a directive's */
			if (!EVP_DigestUpdate(text, t->v[j].s, t->v[j].len) ||
			    !EVP_DigestUpdate(text, "\n", 1))
				goto out;
			if (!items[i].dropped &&
			    (!EVP_DigestUpdate(code, t->v[j].s, t->v[j].len) ||
			     !EVP_DigestUpdate(code, "\n", 1)))
				goto out;
		}
	}
	if (EVP_DigestFinal_ex(text, d->text, NULL) && EVP_DigestFinal_ex(code, d->code, NULL))
		ret = 0;
out:
	EVP_MD_CTX_free(text);
	EVP_MD_CTX_free(code);
	return ret;
}

/*
 * Is there what this file does not follow: a raw string (R"x(...)x", which
 * gnu11 takes and the tokenizer does not), or a pragma that keeps or
 * optimizes functions (#pragma weak, #pragma GCC optimize)? Then no digest
 * is made, and the unit is compiled.
 */
static bool beyond_reach(const struct tokens *t)
{
	static const char *const raw[] = { "R", "LR", "uR", "UR", "u8R", NULL };

	for (size_t i = 0; i < t->n; i++) {
		const struct token *k = &t->v[i];

		if (k->kind == TOKEN_IDENT && tok_in(k, raw) && i + 1 < t->n &&
		    t->v[i + 1].s == k->s + k->len && t->v[i + 1].s[0] == '"')
			return true;
		if (k->kind == TOKEN_DIRECTIVE &&
		    (memmem(k->s, k->len, "weak", 4) || memmem(k->s, k->len, "optimize", 8) ||
		     memmem(k->s, k->len, "push_options", 12)))
			return true;
	}
	return false;
}

int code_digest(const char *source, size_t len, struct code_digest *d)
{
	struct tokens t = { 0 };
	struct names names = { 0 };
	struct item *items = NULL;
	size_t nr = 0;
	int ret = -1, err = ENOMEM;

	memset(d, 0, sizeof(*d));
	if (tokenize(source, len, &t) || split_items(&t, &items, &nr))
		goto out;
	if (beyond_reach(&t)) {
		err = EINVAL;
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		const char *n;
		size_t len;

		if (token_name(&t.v[i], &n, &len) && names_add(&names, n, len))
			goto out;
	}
	if (names.cap)
		d->dropped = drop_unnamed(&t, items, nr, &names);
	ret = hash_tokens(&t, items, nr, d);
out:
	free(names.v);
	free(items);
	free(t.v);
	if (ret)
		errno = err;
	return ret;
}

int code_digest_file(const char *path, struct code_digest *d)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int ret = -1;

	/* all of it: a NUL in a string literal does not end the text */
	if (!f || fstat(fileno(f), &st))
		goto out;
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		errno = ENOMEM;
		goto out;
	}
	len = fread(text, 1, (size_t)st.st_size, f);
	if (len != (size_t)st.st_size) {
		errno = EIO;
		goto out;
	}
	text[len] = '\0';
	ret = code_digest(text, len, d);
out:
	if (f)
		fclose(f);
	free(text);
	return ret;
}
