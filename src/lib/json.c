// SPDX-License-Identifier: GPL-2.0
/* Writing JSON for scripts (json.h). */
#include "json.h"

/* Length of the valid UTF-8 sequence at @p (not overlong, no surrogate), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 :
		   p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;

	if (p[0] >= 0xf5)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && p[0] == 0xe0 && p[1] < 0xa0) ||	/* overlong */
	    (n == 3 && p[0] == 0xed && p[1] >= 0xa0) ||	/* surrogate */
	    (n == 4 && p[0] == 0xf0 && p[1] < 0x90) ||	/* overlong */
	    (n == 4 && p[0] == 0xf4 && p[1] >= 0x90))	/* past U+10FFFF */
		return 0;
	return n;
}

void json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
			} else if (*p < 0x80) {
				fputc(*p, f);
			} else {
				/* UTF-8 as it is; any other byte, U+FFFD */
				size_t n = utf8_len(p);

				if (n) {
					fwrite(p, 1, n, f);
					p += n - 1;
				} else {
					fputs("\\ufffd", f);
				}
			}
		}
	}
	fputc('"', f);
}

void json_key(FILE *f, const char *key, int first)
{
	if (!first)
		fputc(',', f);
	json_string(f, key);
	fputc(':', f);
}

void json_key_string(FILE *f, const char *key, const char *value, int first)
{
	json_key(f, key, first);
	json_string(f, value);
}
