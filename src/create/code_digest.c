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
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "code_digest.h"
#include "util.h"

enum token_kind { TOKEN_IDENT, TOKEN_OTHER, TOKEN_DIRECTIVE };

struct token {
	const char *s;
	unsigned int len;
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
static size_t punct_len(const char *p)
{
	static const char *const longer[] = {
		"<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==",
		"!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##",
	};

	for (size_t i = 0; i < sizeof(longer) / sizeof(*longer); i++)
		if (!strncmp(p, longer[i], strlen(longer[i])))
			return strlen(longer[i]);
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
			n = punct_len(p);
			if (n > (size_t)(end - p))
				n = 1;
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
		tok.len = (unsigned int)n;
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

/* Identifiers of counts: open addressing on (text, length). */
struct name_count {
	const char *s;
	unsigned int len;
	size_t count;
};

struct names {
	struct name_count *v;
	size_t cap, used;
};

static uint64_t name_hash(const char *s, unsigned int len)
{
	uint64_t h = 1469598103934665603ULL;

	for (unsigned int i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct name_count *names_slot(struct names *m, const char *s, unsigned int len)
{
	size_t i = name_hash(s, len) & (m->cap - 1);

	while (m->v[i].s && (m->v[i].len != len || memcmp(m->v[i].s, s, len)))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static int names_add(struct names *m, const char *s, unsigned int len)
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
	const struct token *name;	/* a static function's, or NULL */
	size_t own;			/* times its name occurs in it */
	bool dropped;
};

/*
 * The name of the function an item defines, whose body opens at token
 * @body, when it is static and nothing makes the compiler keep it
 * unused; else NULL.
 */
static const struct token *static_function_name(const struct token *t, size_t first,
						size_t body)
{
	static const char *const not_names[] = {
		"__attribute__", "__attribute", "__typeof__", "__typeof", "typeof",
		"__asm__", "__asm", "asm", "_Alignas", "__alignof__", "_Alignof",
		"sizeof", "_Static_assert", NULL,
	};
	/* attributes that keep a function emitted, and "extern" */
	static const char *const kept[] = {
		"used", "__used__", "constructor", "__constructor__", "destructor",
		"__destructor__", "externally_visible", "__externally_visible__",
		"section", "__section__", "alias", "__alias__", "ifunc", "__ifunc__",
		"no_reorder", "__no_reorder__", "retain", "__retain__", "extern", NULL,
	};
	const struct token *name = NULL;
	bool is_static = false;
	int depth = 0, attribute = -1;	/* the depth an __attribute__ is at */

	for (size_t i = first; i < body; i++) {
		const struct token *k = &t[i];

		if (k->kind == TOKEN_IDENT && (attribute >= 0 || depth == 0) && tok_in(k, kept))
			return NULL;
		if (attribute < 0 && k->kind == TOKEN_IDENT &&
		    (tok_is(k, "__attribute__") || tok_is(k, "__attribute")))
			attribute = depth;
		if (tok_is(k, "(") || tok_is(k, "["))
			depth++;
		else if (tok_is(k, ")") || tok_is(k, "]"))
			attribute = --depth == attribute ? -1 : attribute;
		else if (depth == 0 && k->kind == TOKEN_IDENT && tok_is(k, "static"))
			is_static = true;
		else if (depth == 0 && !name && k->kind == TOKEN_IDENT && i + 1 < body &&
			 tok_is(&t[i + 1], "(") && !tok_in(k, not_names))
			name = k;
	}
	return is_static ? name : NULL;
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
			.first = first, .end = i + 1,
			.name = ends && function_body && tok_is(k, "}") ?
				static_function_name(t->v, first, body) : NULL,
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
		for (size_t j = items[i].first; items[i].name && j < items[i].end; j++)
			if (t->v[j].len == items[i].name->len &&
			    !memcmp(t->v[j].s, items[i].name->s, t->v[j].len))
				items[i].own++;
	}
	while (again) {
		again = false;
		for (size_t i = 0; i < nr; i++) {
			struct item *it = &items[i];

			if (!it->name || it->dropped ||
			    names_slot(names, it->name->s, it->name->len)->count != it->own)
				continue;
			it->dropped = true;
			dropped++;
			again = true;
			for (size_t j = it->first; j < it->end; j++)
				if (t->v[j].kind == TOKEN_IDENT)
					names_slot(names, t->v[j].s, t->v[j].len)->count--;
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

int code_digest(const char *source, size_t len, struct code_digest *d)
{
	struct tokens t = { 0 };
	struct names names = { 0 };
	struct item *items = NULL;
	size_t nr = 0;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	if (tokenize(source, len, &t) || split_items(&t, &items, &nr))
		goto out;
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].kind == TOKEN_IDENT && names_add(&names, t.v[i].s, t.v[i].len))
			goto out;
	if (names.cap)
		d->dropped = drop_unnamed(&t, items, nr, &names);
	ret = hash_tokens(&t, items, nr, d);
out:
	free(names.v);
	free(items);
	free(t.v);
	if (ret)
		errno = ENOMEM;
	return ret;
}

int code_digest_file(const char *path, struct code_digest *d)
{
	char *text = file_read_all(path);
	int ret;

	if (!text)
		return -1;
	ret = code_digest(text, strlen(text), d);
	free(text);
	return ret;
}
