// SPDX-License-Identifier: GPL-2.0
/*
 * Generating the update module's C file and Kbuild file. The payloads are
 * linked in as prebuilt objects (Kbuild copies "x.o_shipped" to "x.o").
 */
#include "updatemod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp_tables.h"
#include "util.h"

int update_id_valid(const char *id)
{
	size_t len = strlen(id);

	return len >= 1 && len <= UPDATE_ID_MAX &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == len;
}

void update_put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int update_same_target(const char *a, const char *b)
{
	return !strcmp(a, b);
}

int update_first_of_target(const struct update_module *m, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (update_same_target(m->units[k].target, m->units[i].target))
			return 0;
	return 1;
}

void update_each_code_decl(const struct update_unit *u,
			   void (*fn)(void *arg, enum kmend_decl_kind kind,
				      const char *global),
			   void *arg)
{
	size_t k = 0;

	for (size_t i = 0; u->decls && i < u->decls->nr; i++) {
		enum kmend_decl_kind kind = u->decls->items[i].kind;

		if (!decl_names_payload(kind))
			continue;
		if (k < u->payload->nr_named && u->payload->named[k])
			fn(arg, kind, u->payload->named[k]);
		k++;
	}
}

void update_put_decl_extern(void *arg, enum kmend_decl_kind kind,
			    const char *global)
{
	FILE *f = arg;

	if (kind == KMEND_DECL_ON_ACCESS)
		fprintf(f, "extern bool %s;\n", global);
	else if (kind == KMEND_DECL_PRE_PATCH)
		fprintf(f, "extern int %s(struct kmend_pack *pack);\n", global);
	else if (kind <= KMEND_DECL_POST_UNPATCH)
		fprintf(f, "extern void %s(struct kmend_pack *pack);\n", global);
	else if (kind == KMEND_DECL_CHECK_APPLY || kind == KMEND_DECL_CHECK_REVERSE)
		fprintf(f, "extern int %s(void);\n", global);
	else
		fprintf(f, "extern void %s(void);\n", global);
}

/* The member of kmend_callbacks or kmend_hooks a declaration fills. */
static const char *decl_member(enum kmend_decl_kind kind)
{
	static const char *const members[KMEND_DECL_MAX] = {
		[KMEND_DECL_PRE_PATCH] = "pre_patch",
		[KMEND_DECL_POST_PATCH] = "post_patch",
		[KMEND_DECL_PRE_UNPATCH] = "pre_unpatch",
		[KMEND_DECL_POST_UNPATCH] = "post_unpatch",
		[KMEND_DECL_CHECK_APPLY] = "check_apply",
		[KMEND_DECL_APPLY] = "apply",
		[KMEND_DECL_FAIL_APPLY] = "fail_apply",
		[KMEND_DECL_CHECK_REVERSE] = "check_reverse",
		[KMEND_DECL_REVERSE] = "reverse",
		[KMEND_DECL_FAIL_REVERSE] = "fail_reverse",
	};

	return members[kind];
}

static void put_callback(void *arg, enum kmend_decl_kind kind, const char *global)
{
	FILE *f = arg;

	if (kind <= KMEND_DECL_POST_UNPATCH)
		fprintf(f, " .%s = %s,", decl_member(kind), global);
}

static void put_on_access(void *arg, enum kmend_decl_kind kind,
			  const char *global)
{
	FILE *f = arg;

	if (kind == KMEND_DECL_ON_ACCESS)
		fprintf(f, "\t.on_access = &%s,\n", global);
}

static void put_hook(void *arg, enum kmend_decl_kind kind, const char *global)
{
	FILE *f = arg;

	if (decl_names_code(kind) && kind >= KMEND_DECL_CHECK_APPLY)
		fprintf(f, "\t\t.%s = %s,\n", decl_member(kind), global);
}

/* The first declaration of state @id among the units, up to unit @i item @k. */
static const struct decl *first_state(const struct update_module *m,
				      unsigned long id, size_t i, size_t k)
{
	for (size_t a = 0; a <= i; a++) {
		const struct decls *ds = m->units[a].decls;

		for (size_t b = 0; ds && b < ds->nr && (a < i || b <= k); b++)
			if (ds->items[b].kind == KMEND_DECL_STATE &&
			    ds->items[b].state_id == id)
				return &ds->items[b];
	}
	return NULL;
}

void update_each_state(const struct update_module *m,
		       void (*fn)(void *arg, const struct decl *state), void *arg)
{
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct decls *ds = m->units[i].decls;

		for (size_t k = 0; ds && k < ds->nr; k++)
			if (ds->items[k].kind == KMEND_DECL_STATE &&
			    first_state(m, ds->items[k].state_id, i, k) == &ds->items[k])
				fn(arg, &ds->items[k]);
	}
}

/* A state declared in several units (a shared header): one version. */
static int check_states(const struct update_module *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct decls *ds = m->units[i].decls;

		for (size_t k = 0; ds && k < ds->nr; k++) {
			const struct decl *d = &ds->items[k], *first;

			if (d->kind != KMEND_DECL_STATE)
				continue;
			first = first_state(m, d->state_id, i, k);
			if (first->state_version != d->state_version)
				return set_error(err, errlen, "KMEND_STATE(%lu, ...) is declared with two versions, %u and %u",
						 d->state_id, first->state_version,
						 d->state_version);
		}
	}
	return 0;
}

int update_module_check_decls(struct update_module *m, char *err, size_t errlen)
{
	const char *seen[KMEND_DECL_MAX];

	m->model = NULL;
	if (check_states(m, err, errlen))
		return -1;
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct update_unit *u = &m->units[i];

		for (size_t k = 0; u->decls && k < u->decls->nr; k++) {
			const struct decl *d = &u->decls->items[k];

			if (d->kind != KMEND_DECL_MODEL)
				continue;
			if (m->model && strcmp(m->model, d->name))
				return set_error(err, errlen, "the patches ask for two models, %s and %s",
						 m->model, d->name);
			if (decl_model_parse(d->name, &m->leave, &m->sw))
				return set_error(err, errlen, "KMEND_MODEL(\"%s\"): not leave=patched-set|function|kernel,switch=kernel|function|thread",
						 d->name);
			m->model = d->name;
		}
	}
	/* callbacks: once per target; hooks and the on_access flag: once */
	for (size_t i = 0; i < m->nr_units; i++) {
		memset(seen, 0, sizeof(seen));
		for (size_t j = 0; j < m->nr_units; j++) {
			const struct update_unit *u = &m->units[j];

			for (size_t k = 0; u->decls && k < u->decls->nr; k++) {
				const struct decl *d = &u->decls->items[k];
				bool callback = d->kind <= KMEND_DECL_POST_UNPATCH;

				if (!decl_names_payload(d->kind) ||
				    (callback && !update_same_target(u->target, m->units[i].target)))
					continue;
				if (decl_names_code(d->kind) && !callback &&
				    !update_same_target(u->target, "vmlinux"))
					return set_error(err, errlen, "%s %s is in a unit of module %s: hooks run with the machine stopped, where a module's code may be absent; declare them in a unit of vmlinux",
							 decl_kind_name(d->kind), d->function, u->target);
				if (seen[d->kind])
					return set_error(err, errlen, "two %ss%s%s: %s and %s",
							 decl_kind_name(d->kind),
							 callback ? " for " : "",
							 callback ? u->target : "",
							 seen[d->kind], d->function);
				seen[d->kind] = d->function;
			}
		}
	}
	return 0;
}

int update_module_check_model(const struct update_module *m, char *err,
			      size_t errlen)
{
	if (m->sw == 0)		/* KMEND_SWITCH_KERNEL: the machine stops */
		return 0;
	if ((m->flags & UPDATE_FLAG_REPLACE) && m->format != UPDATE_FORMAT_KLP)
		return set_error(err, errlen, "--replace: the updates it replaces are switched off in the same stop of the machine as it is switched on, and model %s does not stop it; use a switch=kernel model",
				 m->model);
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct update_unit *u = &m->units[i];

		for (size_t k = 0; u->payload && k < u->payload->nr_funcs; k++)
			if (u->payload->funcs[k].entry_jump)
				return set_error(err, errlen, "%s has no ftrace call site: a jump at its entry takes its calls, written while the machine is stopped, and model %s does not stop it; use a switch=kernel model",
						 u->payload->funcs[k].old_name, m->model);

		for (size_t k = 0; u->decls && k < u->decls->nr; k++) {
			const struct decl *d = &u->decls->items[k];

			if (decl_names_code(d->kind) && d->kind > KMEND_DECL_POST_UNPATCH)
				return set_error(err, errlen, "%s %s: hooks (TRANSFORM_WORLD) run while the machine is stopped, and model %s does not stop it; use a switch=kernel model, or callbacks",
						 decl_kind_name(d->kind), d->function,
						 m->model);
		}
	}
	return 0;
}

static void put_externs(FILE *f, const struct update_module *m)
{
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		update_each_code_decl(&m->units[i], update_put_decl_extern, f);
		for (size_t k = 0; k < p->nr_funcs; k++)
			fprintf(f, "extern char %s[];\n", p->funcs[k].new_symbol);
		for (size_t k = 0; k < p->nr_relocs; k++) {
			int seen = 0;

			for (size_t j = 0; j < k && !seen; j++)
				seen = !strcmp(p->relocs[j].place_symbol,
					       p->relocs[k].place_symbol);
			if (!seen)
				fprintf(f, "extern char %s[];\n", p->relocs[k].place_symbol);
		}
	}
}

/* The entries of kmend_reloc or kmend_load_reloc tables (@at_load). */
static void put_relocs(FILE *f, const struct payload *p, int at_load)
{
	for (size_t k = 0; k < p->nr_relocs; k++) {
		const struct payload_reloc *r = &p->relocs[k];

		if (!r->at_load != !at_load)
			continue;
		fprintf(f, "\t{ .place = %s + %#llx, .symbol = ",
			r->place_symbol, (unsigned long long)r->offset);
		update_put_string(f, r->symbol);
		fprintf(f, ", .type = %u, .addend = %lld", r->type, (long long)r->addend);
		/* kmend_load_reloc has no unit: resolved in vmlinux by name */
		if (!at_load)
			fprintf(f, ", .unit = %u", r->unit);
		fputs(" },\n", f);
	}
}

static void put_bytes(FILE *f, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s0x%02x,", i % 12 ? " " : "\n\t", b[i]);
	fputs("\n", f);
}

/*
 * The pre code @pre, named kmend_pre_@tag, in init memory: the engine takes
 * a copy when the update registers, and frees it once applied.
 */
static void put_pre(FILE *f, const char *tag, const struct pre_func *pre)
{
	char cold_tag[64];

	if (pre->cold) {
		snprintf(cold_tag, sizeof(cold_tag), "%s_cold", tag);
		put_pre(f, cold_tag, pre->cold);
	}
	fprintf(f, "\nstatic const unsigned char kmend_pre_code_%s[] __initconst = {", tag);
	put_bytes(f, pre->code, pre->size);
	fputs("};\n", f);
	if (pre->nr_relocs) {
		fprintf(f, "static const struct kmend_pre_reloc kmend_pre_relocs_%s[] __initconst = {\n",
			tag);
		for (size_t i = 0; i < pre->nr_relocs; i++) {
			const struct pre_reloc *r = &pre->relocs[i];

			fprintf(f, "\t{ %u, %u, %lld, ", r->offset, r->type, (long long)r->addend);
			if (r->symbol)
				update_put_string(f, r->symbol);
			else
				fputs("NULL", f);
			fputs(" },\n", f);
		}
		fputs("};\n", f);
	}
	for (size_t i = 0; i < pre->nr_sites; i++) {
		const struct pre_site *s = &pre->sites[i];

		if (!s->repl_len)
			continue;
		fprintf(f, "static const unsigned char kmend_pre_repl_%s_%zu[] __initconst = {",
			tag, i);
		put_bytes(f, s->repl, s->repl_len);
		fprintf(f, "};\nstatic const unsigned char kmend_pre_wild_%s_%zu[] __initconst = {",
			tag, i);
		put_bytes(f, s->repl_wild, s->repl_len);
		fputs("};\n", f);
	}
	if (pre->nr_sites) {
		fprintf(f, "static const struct kmend_pre_site kmend_pre_sites_%s[] __initconst = {\n",
			tag);
		for (size_t i = 0; i < pre->nr_sites; i++) {
			const struct pre_site *s = &pre->sites[i];

			fprintf(f, "\t{ %u, %u, %u, %u, ", s->offset, s->len, s->kind, s->target);
			if (s->repl_len)
				fprintf(f, "kmend_pre_repl_%s_%zu, kmend_pre_wild_%s_%zu, %u },\n",
					tag, i, tag, i, s->repl_len);
			else
				fputs("NULL, NULL, 0 },\n", f);
		}
		fputs("};\n", f);
	}
	fprintf(f, "static const struct kmend_pre_func kmend_pre_%s __initconst = {\n"
		"\t.unit = %u, .code = kmend_pre_code_%s, .size = %u,\n",
		tag, pre->unit, tag, pre->size);
	if (pre->nr_relocs)
		fprintf(f, "\t.relocs = kmend_pre_relocs_%s, .nr_relocs = %zu,\n",
			tag, pre->nr_relocs);
	if (pre->nr_sites)
		fprintf(f, "\t.sites = kmend_pre_sites_%s, .nr_sites = %zu,\n",
			tag, pre->nr_sites);
	if (pre->cold)
		fprintf(f, "\t.cold = &kmend_pre_%s_cold,\n", tag);
	fputs("};\n", f);
}

/* Per pack, the pre code of its functions, in the order of its funcs. */
static void put_pre_tables(FILE *f, const struct update_module *m, size_t first)
{
	const char *target = m->units[first].target;

	char tag[48];

	for (size_t i = first; i < m->nr_units; i++) {
		if (!update_same_target(m->units[i].target, target))
			continue;
		for (size_t k = 0; k < m->units[i].payload->nr_funcs; k++) {
			snprintf(tag, sizeof(tag), "%zu_%zu", i, k);
			put_pre(f, tag, &m->units[i].payload->funcs[k].pre);
		}
	}
	fprintf(f, "\nstatic const struct kmend_pre_func *const kmend_pres_%zu[] __initconst = {\n",
		first);
	for (size_t i = first; i < m->nr_units; i++) {
		if (!update_same_target(m->units[i].target, target))
			continue;
		for (size_t k = 0; k < m->units[i].payload->nr_funcs; k++)
			fprintf(f, "\t&kmend_pre_%zu_%zu,\n", i, k);
	}
	fputs("};\n", f);
}

void update_put_funcs(FILE *f, const struct update_module *m, size_t first,
		      const char *type, const char *name)
{
	const char *target = m->units[first].target;

	fprintf(f, "\nstatic struct %s %s_%zu[] = {\n", type, name, first);
	for (size_t i = first; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		if (!update_same_target(m->units[i].target, target))
			continue;
		for (size_t k = 0; k < p->nr_funcs; k++) {
			fputs("\t{ .old_name = ", f);
			update_put_string(f, p->funcs[k].old_name);
			fprintf(f, ", .new_func = %s%s },\n", p->funcs[k].new_symbol,
				p->funcs[k].entry_jump && !strcmp(type, "kmend_func") ?
				", .entry_jump = true" : "");
		}
	}
	fputs("\t{ }\n};\n", f);
}

static void put_pack_tables(FILE *f, const struct update_module *m, size_t first)
{
	const char *target = m->units[first].target;

	update_put_funcs(f, m, first, "kmend_func", "kmend_funcs");

	fprintf(f, "\nstatic struct kmend_reloc kmend_relocs_%zu[] = {\n", first);
	for (size_t i = first; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		if (!update_same_target(m->units[i].target, target))
			continue;
		put_relocs(f, p, 0);
	}
	fputs("\t{ }\n};\n", f);
}

static void put_state_modinfo(void *arg, const struct decl *state)
{
	fprintf(arg, "MODULE_INFO(kmend_state, \"%lu:%u\");\n", state->state_id,
		state->state_version);
}

static void put_state(void *arg, const struct decl *state)
{
	fprintf(arg, "\t{ .id = %luUL, .version = %u },\n", state->state_id,
		state->state_version);
}

void update_put_states(FILE *f, const struct update_module *m,
		       const char *type, const char *name)
{
	fprintf(f, "\nstatic struct %s %s[] = {\n", type, name);
	update_each_state(m, put_state, f);
	fputs("\t{ }\n};\n", f);
}

void update_put_modinfo(FILE *f, const struct update_module *m)
{
	fputs("MODULE_LICENSE(\"GPL\");\nMODULE_DESCRIPTION(", f);
	update_put_string(f, m->description ? m->description : m->id);
	fputs(");\nMODULE_INFO(kmend_id, ", f);
	update_put_string(f, m->id);
	fputs(");\nMODULE_INFO(kmend_release, ", f);
	update_put_string(f, m->release);
	if (m->kernel_version) {
		fputs(");\nMODULE_INFO(kmend_kernel_version, ", f);
		update_put_string(f, m->kernel_version);
	}
	if (m->flags & UPDATE_FLAG_REPLACE)
		fputs(");\nMODULE_INFO(kmend_replace, \"1\"", f);
	fputs(");\nMODULE_INFO(kmend_patch_sha256, ", f);
	update_put_string(f, m->patch_sha256);
	/* read by kmend show and apply before the module is loaded */
	fputs(");\nMODULE_INFO(kmend_format, ", f);
	update_put_string(f, m->format == UPDATE_FORMAT_KLP ? "klp" : "kmend");
	fputs(");\nMODULE_INFO(kmend_model, ", f);
	update_put_string(f, m->model ? m->model : "leave=patched-set,switch=kernel");
	fputs(");\n", f);
	update_each_state(m, put_state_modinfo, f);
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		for (size_t k = 0; k < p->nr_funcs; k++) {
			fputs("MODULE_INFO(kmend_function, ", f);
			update_put_string(f, m->units[i].target);
			fputs(" \" \" ", f);
			update_put_string(f, p->funcs[k].old_name);
			fputs(");\n", f);
		}
	}
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		for (size_t k = 0; k < p->nr_namespaces; k++)
			fprintf(f, "MODULE_IMPORT_NS(%s);\n", p->namespaces[k]);
	}
}

static int write_c(const struct update_module *m, FILE *f)
{
	fputs("// SPDX-License-Identifier: GPL-2.0\n"
	      "/* Generated by kmend create; the update's tables for the engine. */\n"
	      "#include <linux/module.h>\n"
	      "#include <kmend/patch.h>\n\n", f);
	put_externs(f, m);
	for (size_t i = 0; i < m->nr_units; i++)
		if (update_first_of_target(m, i)) {
			put_pack_tables(f, m, i);
			put_pre_tables(f, m, i);
		}

	/* found by the engine's module notifier, by name */
	fputs("\nstruct kmend_load_reloc __kmend_load_relocs[] __used = {\n", f);
	for (size_t i = 0; i < m->nr_units; i++)
		put_relocs(f, m->units[i].payload, 1);
	fputs("\t{ }\n};\n", f);

	fputs("\nstatic struct kmend_pack kmend_packs[] = {\n", f);
	for (size_t i = 0; i < m->nr_units; i++) {
		if (!update_first_of_target(m, i))
			continue;
		fputs("\t{ .target = ", f);
		if (update_same_target(m->units[i].target, "vmlinux"))
			fputs("NULL", f);
		else
			update_put_string(f, m->units[i].target);
		fprintf(f, ", .funcs = kmend_funcs_%zu, .relocs = kmend_relocs_%zu,\n\t  .callbacks = {",
			i, i);
		for (size_t j = 0; j < m->nr_units; j++)
			if (update_same_target(m->units[j].target, m->units[i].target))
				update_each_code_decl(&m->units[j], put_callback, f);
		fputs(" } },\n", f);
	}
	fputs("\t{ }\n};\n", f);
	update_put_states(f, m, "kmend_system_state", "kmend_states");
	fputs("\nstatic struct kmend_update kmend_update = {\n"
	      "\t.mod = THIS_MODULE,\n\t.states = kmend_states,\n\t.id = ", f);
	update_put_string(f, m->id);
	fputs(",\n\t.description = ", f);
	update_put_string(f, m->description ? m->description : "");
	fprintf(f, ",\n\t.packs = kmend_packs,\n\t.model = { .leave = %u, .sw = %u },\n\t.flags = %#x,\n\t.hooks = {\n",
		m->leave, m->sw, m->flags);
	for (size_t i = 0; i < m->nr_units; i++)
		update_each_code_decl(&m->units[i], put_hook, f);
	fputs("\t},\n", f);
	for (size_t i = 0; i < m->nr_units; i++)
		update_each_code_decl(&m->units[i], put_on_access, f);
	fputs("};\n", f);
	/* KMEND_UPDATE, with the pre code handed over in init */
	fputs("\nstatic int __init kmend_tables_init(void)\n{\n", f);
	for (size_t i = 0, pack = 0; i < m->nr_units; i++)
		if (update_first_of_target(m, i))
			fprintf(f, "\tkmend_packs[%zu].pre = kmend_pres_%zu;\n", pack++, i);
	fputs("\treturn kmend_register(&kmend_update);\n}\n\n"
	      "static void __exit kmend_tables_exit(void)\n{\n"
	      "\tkmend_unregister(&kmend_update);\n}\n\n"
	      "module_init(kmend_tables_init);\nmodule_exit(kmend_tables_exit);\n\n", f);
	update_put_modinfo(f, m);
	return 0;
}

static int write_kbuild(const struct update_module *m, FILE *f)
{
	fprintf(f, "# Generated by kmend create.\nobj-m := kmend-%s.o\nkmend-%s-y := kmend_tables.o",
		m->id, m->id);
	for (size_t i = 0; i < m->nr_units; i++)
		fprintf(f, " payload-%zu.o", i);
	fprintf(f, "\nccflags-y := -I%s\n", m->include_dir);
	return 0;
}

static int write_file(const char *path, const struct update_module *m,
		      int (*fill)(const struct update_module *, FILE *),
		      char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	fill(m, f);
	if (ferror(f) | fclose(f))
		return set_error(err, errlen, "%s: write error", path);
	return 0;
}

static int write_cmd_file(const char *path, size_t i, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	fprintf(f, "cmd_payload-%zu.o := kmend create (payload of unit %zu)\n", i, i);
	if (ferror(f) | fclose(f))
		return set_error(err, errlen, "%s: write error", path);
	return 0;
}

int update_module_write(const struct update_module *m, const char *dir,
			char *err, size_t errlen)
{
	char *path;
	int ret;

	for (size_t i = 0; i < m->nr_units; i++) {
		path = str_format("%s/payload-%zu.o_shipped", dir, i);
		if (!path)
			return set_error(err, errlen, "out of memory");
		ret = file_copy(m->units[i].payload_path, path, err, errlen);
		free(path);
		if (ret)
			return ret;
		/*
		 * modpost reads every object's .cmd file (for srcversion);
		 * Kbuild writes none for a copied object.
		 */
		path = str_format("%s/.payload-%zu.o.cmd", dir, i);
		if (!path)
			return set_error(err, errlen, "out of memory");
		ret = write_cmd_file(path, i, err, errlen);
		free(path);
		if (ret)
			return ret;
	}
	path = str_format("%s/kmend_tables.c", dir);
	if (!path)
		return set_error(err, errlen, "out of memory");
	ret = write_file(path, m, m->format == UPDATE_FORMAT_KLP ? klp_tables_write : write_c,
			 err, errlen);
	free(path);
	if (ret)
		return ret;
	path = str_format("%s/Kbuild", dir);
	if (!path)
		return set_error(err, errlen, "out of memory");
	ret = write_file(path, m, write_kbuild, err, errlen);
	free(path);
	return ret;
}
