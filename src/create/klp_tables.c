// SPDX-License-Identifier: GPL-2.0
/*
 * The update as a patch of the kernel's livepatch (kmend create --format
 * klp): the C file that makes it a klp_patch, one klp_object per target,
 * and what livepatch cannot express refused before anything is built.
 */
#include "klp_tables.h"

#include <string.h>

#include "util.h"

/* The kmend model that is livepatch's: each task switches once none of the
 * patched functions is on its stack. */
const char *const klp_model = "leave=patched-set,switch=thread";

int klp_check(const struct update_module *m, char *err, size_t errlen)
{
	if (m->model && strcmp(m->model, klp_model))
		return set_error(err, errlen, "--format klp: the update asks for model %s, and the kernel's livepatch has one, %s (drop --model or KMEND_MODEL, or build for kmend's engine)",
				 m->model, klp_model);
	if (m->flags & UPDATE_FLAG_REQUIRE_TARGETS)
		return set_error(err, errlen, "--format klp: --require-targets is kmend's; livepatch always patches a module when it loads");
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct update_unit *u = &m->units[i];

		for (size_t k = 0; u->decls && k < u->decls->nr; k++) {
			const struct decl *d = &u->decls->items[k];

			if (decl_names_code(d->kind) && d->kind > KMEND_DECL_POST_UNPATCH)
				return set_error(err, errlen, "--format klp: %s %s runs while the machine is stopped, and the kernel's livepatch never stops it; convert data from callbacks or on access (KMEND_TRANSFORM_ON_ACCESS), or build for kmend's engine",
						 decl_kind_name(d->kind), d->function);
		}
		for (size_t k = 0; k < u->payload->nr_relocs; k++) {
			const char *sym = u->payload->relocs[k].symbol;

			if (strchr(sym, ','))
				return set_error(err, errlen, "--format klp: %s: a livepatch symbol's name cannot hold a comma",
						 sym);
		}
		for (size_t k = 0; k < u->payload->nr_funcs; k++) {
			const char *name = u->payload->funcs[k].old_name;

			if (strchr(name, ','))
				return set_error(err, errlen, "--format klp: %s: livepatch names a function with its position after a comma",
						 name);
			if (u->payload->funcs[k].entry_jump)
				return set_error(err, errlen, "--format klp: %s has no ftrace call site, and the kernel's livepatch redirects calls only through one; build for kmend's engine, which jumps from its entry",
						 name);
		}
	}
	return 0;
}

/* The declared callbacks of one object: the global each is, or NULL. */
struct object_callbacks {
	const char *fn[KMEND_DECL_POST_UNPATCH + 1];
	const char *on_access;	/* the update's flag, set in post_patch */
};

static void collect_callback(void *arg, enum kmend_decl_kind kind, const char *global)
{
	struct object_callbacks *cb = arg;

	if (kind <= KMEND_DECL_POST_UNPATCH)
		cb->fn[kind] = global;
}

static void collect_on_access(void *arg, enum kmend_decl_kind kind, const char *global)
{
	struct object_callbacks *cb = arg;

	if (kind == KMEND_DECL_ON_ACCESS)
		cb->on_access = global;
}

static void object_callbacks(const struct update_module *m, size_t first,
			     struct object_callbacks *cb)
{
	memset(cb, 0, sizeof(*cb));
	for (size_t i = 0; i < m->nr_units; i++) {
		if (update_same_target(m->units[i].target, m->units[first].target))
			update_each_code_decl(&m->units[i], collect_callback, cb);
		/* the flag is the update's: every object turns it on and off */
		update_each_code_decl(&m->units[i], collect_on_access, cb);
	}
}

/*
 * livepatch's callbacks for object @n, calling the update's own with the
 * kmend_pack they expect (target and module): the same order and symmetry.
 */
static void put_callbacks(FILE *f, size_t n, const struct object_callbacks *cb)
{
	fprintf(f, "\nstatic struct kmend_pack kmend_klp_pack_%zu;\n", n);
	fprintf(f, "\nstatic int kmend_klp_pre_patch_%zu(struct klp_object *obj)\n{\n"
		"\tkmend_klp_pack_%zu.mod = obj->mod;\n", n, n);
	if (cb->fn[KMEND_DECL_PRE_PATCH])
		fprintf(f, "\treturn %s(&kmend_klp_pack_%zu);\n", cb->fn[KMEND_DECL_PRE_PATCH], n);
	else
		fputs("\treturn 0;\n", f);
	fprintf(f, "}\n\nstatic void kmend_klp_post_patch_%zu(struct klp_object *obj)\n{\n", n);
	if (cb->on_access)
		fprintf(f, "\tWRITE_ONCE(%s, true);\n", cb->on_access);
	if (cb->fn[KMEND_DECL_POST_PATCH])
		fprintf(f, "\t%s(&kmend_klp_pack_%zu);\n", cb->fn[KMEND_DECL_POST_PATCH], n);
	fprintf(f, "}\n\nstatic void kmend_klp_pre_unpatch_%zu(struct klp_object *obj)\n{\n", n);
	if (cb->fn[KMEND_DECL_PRE_UNPATCH])
		fprintf(f, "\t%s(&kmend_klp_pack_%zu);\n", cb->fn[KMEND_DECL_PRE_UNPATCH], n);
	if (cb->on_access)
		fprintf(f, "\tWRITE_ONCE(%s, false);\n", cb->on_access);
	fprintf(f, "}\n\nstatic void kmend_klp_post_unpatch_%zu(struct klp_object *obj)\n{\n", n);
	if (cb->fn[KMEND_DECL_POST_UNPATCH])
		fprintf(f, "\t%s(&kmend_klp_pack_%zu);\n", cb->fn[KMEND_DECL_POST_UNPATCH], n);
	fprintf(f, "\tkmend_klp_pack_%zu.mod = NULL;\n}\n", n);
}

/*
 * <kmend/shadow.h> on the kernel's klp_shadow API, which has its semantics:
 * the update's code links to these, so it needs no kmend engine.
 */
static void put_shadow(FILE *f)
{
	fputs("\nvoid *kmend_shadow_get(void *obj, unsigned long id)\n"
	      "{\n\treturn klp_shadow_get(obj, id);\n}\n"
	      "\nvoid *kmend_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp,\n"
	      "\t\t\t kmend_shadow_ctor_t ctor, void *ctor_data)\n"
	      "{\n\treturn klp_shadow_alloc(obj, id, size, gfp, ctor, ctor_data);\n}\n"
	      "\nvoid *kmend_shadow_get_or_alloc(void *obj, unsigned long id, size_t size,\n"
	      "\t\t\t\tgfp_t gfp, kmend_shadow_ctor_t ctor, void *ctor_data)\n"
	      "{\n\treturn klp_shadow_get_or_alloc(obj, id, size, gfp, ctor, ctor_data);\n}\n"
	      "\nvoid kmend_shadow_free(void *obj, unsigned long id, kmend_shadow_dtor_t dtor)\n"
	      "{\n\tklp_shadow_free(obj, id, dtor);\n}\n"
	      "\nvoid kmend_shadow_free_all(unsigned long id, kmend_shadow_dtor_t dtor)\n"
	      "{\n\tklp_shadow_free_all(id, dtor);\n}\n", f);
}

/*
 * kmend_get_state() and kmend_get_prev_state() as livepatch's own: a
 * kmend_system_state is laid out as a klp_state.
 */
static void put_states_api(FILE *f)
{
	fputs("\nstatic_assert(sizeof(struct kmend_system_state) == sizeof(struct klp_state) &&\n"
	      "\t      offsetof(struct kmend_system_state, version) == offsetof(struct klp_state, version) &&\n"
	      "\t      offsetof(struct kmend_system_state, data) == offsetof(struct klp_state, data));\n"
	      "\nstruct kmend_system_state *kmend_get_state(struct kmend_pack *pack, unsigned long id)\n"
	      "{\n\treturn (struct kmend_system_state *)klp_get_state(&kmend_klp_patch, id);\n}\n"
	      "\nstruct kmend_system_state *kmend_get_prev_state(struct kmend_pack *pack, unsigned long id)\n"
	      "{\n\treturn (struct kmend_system_state *)klp_get_prev_state(id);\n}\n", f);
}

int klp_tables_write(const struct update_module *m, FILE *f)
{
	struct object_callbacks cb;

	fputs("// SPDX-License-Identifier: GPL-2.0\n"
	      "/* Generated by kmend create --format klp: the update as a livepatch. */\n"
	      "#include <linux/livepatch.h>\n"
	      "#include <linux/module.h>\n"
	      "#include <kmend/patch.h>\n"
	      "#include <kmend/shadow.h>\n\n", f);
	for (size_t i = 0; i < m->nr_units; i++) {
		const struct payload *p = m->units[i].payload;

		update_each_code_decl(&m->units[i], update_put_decl_extern, f);
		for (size_t k = 0; k < p->nr_funcs; k++)
			fprintf(f, "extern char %s[];\n", p->funcs[k].new_symbol);
	}
	put_shadow(f);
	for (size_t i = 0; i < m->nr_units; i++) {
		if (!update_first_of_target(m, i))
			continue;
		update_put_funcs(f, m, i, "klp_func", "kmend_klp_funcs");
		object_callbacks(m, i, &cb);
		put_callbacks(f, i, &cb);
	}
	fputs("\nstatic struct klp_object kmend_klp_objs[] = {\n", f);
	for (size_t i = 0; i < m->nr_units; i++) {
		if (!update_first_of_target(m, i))
			continue;
		fputs("\t{ .name = ", f);
		if (update_same_target(m->units[i].target, "vmlinux"))
			fputs("NULL", f);
		else
			update_put_string(f, m->units[i].target);
		fprintf(f, ", .funcs = kmend_klp_funcs_%zu,\n"
			"\t  .callbacks = { .pre_patch = kmend_klp_pre_patch_%zu,\n"
			"\t\t\t .post_patch = kmend_klp_post_patch_%zu,\n"
			"\t\t\t .pre_unpatch = kmend_klp_pre_unpatch_%zu,\n"
			"\t\t\t .post_unpatch = kmend_klp_post_unpatch_%zu } },\n",
			i, i, i, i, i);
	}
	fputs("\t{ }\n};\n", f);
	update_put_states(f, m, "klp_state", "kmend_klp_states");
	fputs("\nstatic struct klp_patch kmend_klp_patch = {\n"
	      "\t.mod = THIS_MODULE,\n\t.objs = kmend_klp_objs,\n"
	      "\t.states = kmend_klp_states,\n", f);
	/* --replace: livepatch's own atomic replace */
	if (m->flags & UPDATE_FLAG_REPLACE)
		fputs("\t.replace = true,\n", f);
	fputs("};\n", f);
	put_states_api(f);
	fputs("\nstatic int __init kmend_klp_init(void)\n{\n", f);
	for (size_t i = 0; i < m->nr_units; i++)
		if (update_first_of_target(m, i) &&
		    !update_same_target(m->units[i].target, "vmlinux")) {
			fprintf(f, "\tkmend_klp_pack_%zu.target = ", i);
			update_put_string(f, m->units[i].target);
			fputs(";\n", f);
		}
	fputs("\treturn klp_enable_patch(&kmend_klp_patch);\n}\n\n"
	      "static void __exit kmend_klp_exit(void)\n{\n}\n\n"
	      "module_init(kmend_klp_init);\nmodule_exit(kmend_klp_exit);\n\n"
	      "MODULE_INFO(livepatch, \"Y\");\n", f);
	update_put_modinfo(f, m);
	return 0;
}
