// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow-variable scenario of the kernel's livepatch selftests
 * (lib/livepatch/test_klp_shadow_vars.c), on kmend's shadow variables: three
 * objects get two shadow variables each (ids 0x1234 and 0x1235), through
 * alloc and get_or_alloc with a constructor; get finds them, get_or_alloc
 * returns the existing ones, free (with a destructor) and free_all remove
 * them. Pointers print as PTRn, numbered in order of first appearance, so
 * that the output compares exactly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <kmend/shadow.h>

#define NR_OBJS 3
#define SV_ID1 0x1234
#define SV_ID2 0x1235
#define MAX_PTRS 64

static const void *seen[MAX_PTRS];
static int nr_seen;

/* The pointer's number: 0 for NULL, else 1, 2, ... as first seen. */
static int ptr_id(const void *p)
{
	int i;

	if (!p)
		return 0;
	for (i = 0; i < nr_seen; i++)
		if (seen[i] == p)
			return i + 1;
	if (nr_seen == MAX_PTRS)
		return -1;
	seen[nr_seen++] = p;
	return nr_seen;
}

static void *shadow_get(void *obj, unsigned long id)
{
	void *sv = kmend_shadow_get(obj, id);

	pr_info("kmend_shadow_get(obj=PTR%d, id=0x%lx) = PTR%d\n",
		ptr_id(obj), id, ptr_id(sv));
	return sv;
}

static void *shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp,
			  kmend_shadow_ctor_t ctor, void *ctor_data, bool or_get)
{
	void **var = ctor_data;
	void *sv = or_get ?
		kmend_shadow_get_or_alloc(obj, id, size, gfp, ctor, ctor_data) :
		kmend_shadow_alloc(obj, id, size, gfp, ctor, ctor_data);

	pr_info("kmend_shadow_%s(obj=PTR%d, id=0x%lx, size=%zx, gfp=%pGg), ctor=PTR%d, ctor_data=PTR%d = PTR%d\n",
		or_get ? "get_or_alloc" : "alloc", ptr_id(obj), id, size, &gfp,
		ptr_id(ctor), ptr_id(*var), ptr_id(sv));
	return sv;
}

/* Keep the pointer ctor_data points to. */
static int shadow_ctor(void *obj, void *shadow_data, void *ctor_data)
{
	void **sv = shadow_data, **var = ctor_data;

	if (!var)
		return -EINVAL;
	*sv = *var;
	pr_info("%s: PTR%d -> PTR%d\n", __func__, ptr_id(sv), ptr_id(*var));
	return 0;
}

static void shadow_dtor(void *obj, void *shadow_data)
{
	pr_info("%s(obj=PTR%d, shadow_data=PTR%d)\n", __func__, ptr_id(obj),
		ptr_id(shadow_data));
}

/* An object the update cannot add fields to. */
struct test_object {
	int existing_field;
};

static int __init kmend_test_shadow_init(void)
{
	struct test_object objs[NR_OBJS];
	char fields1[NR_OBJS], *pfields1[NR_OBJS], **sv1[NR_OBJS], *pdup[NR_OBJS];
	int fields2[NR_OBJS], *pfields2[NR_OBJS], **sv2[NR_OBJS];
	void **sv;
	int i;

	ptr_id(NULL);
	if (!shadow_get(&objs[0], SV_ID1))
		pr_info("  got expected NULL result\n");

	/* 1: a char and an int field for each object */
	for (i = 0; i < NR_OBJS; i++) {
		pfields1[i] = &fields1[i];
		ptr_id(pfields1[i]);
		sv1[i] = shadow_alloc(&objs[i], SV_ID1, sizeof(pfields1[i]),
				      GFP_KERNEL, shadow_ctor, &pfields1[i],
				      !(i % 2));
		pfields2[i] = &fields2[i];
		ptr_id(pfields2[i]);
		sv2[i] = shadow_alloc(&objs[i], SV_ID2, sizeof(pfields2[i]),
				      GFP_KERNEL, shadow_ctor, &pfields2[i], false);
		if (!sv1[i] || !sv2[i])
			goto fail;
	}

	/* 2: each is found, and holds what the constructor put there */
	for (i = 0; i < NR_OBJS; i++) {
		sv = shadow_get(&objs[i], SV_ID1);
		if ((char **)sv == sv1[i] && *sv1[i] == pfields1[i])
			pr_info("  got expected PTR%d -> PTR%d result\n",
				ptr_id(sv1[i]), ptr_id(*sv1[i]));
		sv = shadow_get(&objs[i], SV_ID2);
		if ((int **)sv == sv2[i] && *sv2[i] == pfields2[i])
			pr_info("  got expected PTR%d -> PTR%d result\n",
				ptr_id(sv2[i]), ptr_id(*sv2[i]));
	}

	/* 3: get_or_alloc returns the existing ones, untouched */
	for (i = 0; i < NR_OBJS; i++) {
		pdup[i] = &fields1[i];
		ptr_id(pdup[i]);
		sv = shadow_alloc(&objs[i], SV_ID1, sizeof(pdup[i]), GFP_KERNEL,
				  shadow_ctor, &pdup[i], true);
		if ((char **)sv == sv1[i] && *sv1[i] == pfields1[i])
			pr_info("  got expected PTR%d -> PTR%d result\n",
				ptr_id(sv1[i]), ptr_id(*sv1[i]));
	}

	/* 4: free the char fields, with the destructor */
	for (i = 0; i < NR_OBJS; i++) {
		kmend_shadow_free(&objs[i], SV_ID1, shadow_dtor);
		pr_info("kmend_shadow_free(obj=PTR%d, id=0x%x, dtor=PTR%d)\n",
			ptr_id(&objs[i]), SV_ID1, ptr_id(shadow_dtor));
		if (!shadow_get(&objs[i], SV_ID1))
			pr_info("  got expected NULL result\n");
	}

	/* 5: the int fields are still there */
	for (i = 0; i < NR_OBJS; i++) {
		sv = shadow_get(&objs[i], SV_ID2);
		if ((int **)sv == sv2[i] && *sv2[i] == pfields2[i])
			pr_info("  got expected PTR%d -> PTR%d result\n",
				ptr_id(sv2[i]), ptr_id(*sv2[i]));
	}

	/* 6: free every int field at once */
	kmend_shadow_free_all(SV_ID2, NULL);
	pr_info("kmend_shadow_free_all(id=0x%x, dtor=PTR0)\n", SV_ID2);
	for (i = 0; i < NR_OBJS; i++)
		if (!shadow_get(&objs[i], SV_ID2))
			pr_info("  got expected NULL result\n");
	return 0;

fail:
	kmend_shadow_free_all(SV_ID1, NULL);
	kmend_shadow_free_all(SV_ID2, NULL);
	return -ENOMEM;
}

static void __exit kmend_test_shadow_exit(void)
{
}

module_init(kmend_test_shadow_init);
module_exit(kmend_test_shadow_exit);
MODULE_LICENSE("GPL");
