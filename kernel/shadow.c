// SPDX-License-Identifier: GPL-2.0
/*
 * shadow.c - shadow variables (kmend/shadow.h): one hash table, keyed by
 * the object's address, for every update. Readers walk it under RCU;
 * writers take a spinlock with interrupts off, so that every call works in
 * atomic context. A removed variable is freed after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <kmend/shadow.h>

#include "alloc.h"
#include "shadow.h"

struct kmend_shadow {
	struct hlist_node node;
	struct rcu_head rcu;
	void *obj;
	unsigned long id;
	char data[] __aligned(sizeof(void *));
};

static DEFINE_HASHTABLE(shadow_table, 12);
static DEFINE_SPINLOCK(shadow_lock);	/* writers of shadow_table */

static struct kmend_shadow *find(void *obj, unsigned long id)
{
	struct kmend_shadow *sv;

	hash_for_each_possible_rcu(shadow_table, sv, node, (unsigned long)obj)
		if (sv->obj == obj && sv->id == id)
			return sv;
	return NULL;
}

void *kmend_shadow_get(void *obj, unsigned long id)
{
	struct kmend_shadow *sv;
	void *data = NULL;

	rcu_read_lock();
	sv = find(obj, id);
	if (sv)
		data = sv->data;
	rcu_read_unlock();
	return data;
}
EXPORT_SYMBOL_GPL(kmend_shadow_get);

static void free_rcu(struct rcu_head *head)
{
	kmend_free(container_of(head, struct kmend_shadow, rcu));
}

/* Allocates outside the lock (it may sleep), then adds unless one exists. */
static void *get_or_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp,
			  kmend_shadow_ctor_t ctor, void *ctor_data,
			  bool existing_ok)
{
	struct kmend_shadow *sv, *new;
	unsigned long flags;
	void *data;

	data = kmend_shadow_get(obj, id);
	if (data) {
		if (existing_ok)
			return data;
		goto exists;
	}
	if (size > SIZE_MAX - sizeof(*new))
		return NULL;
	new = kmend_alloc_gfp(sizeof(*new) + size, gfp);
	if (!new)
		return NULL;

	spin_lock_irqsave(&shadow_lock, flags);
	sv = find(obj, id);
	if (sv) {
		/* another CPU added it meanwhile */
		spin_unlock_irqrestore(&shadow_lock, flags);
		kmend_free(new);
		if (existing_ok)
			return sv->data;
		goto exists;
	}
	new->obj = obj;
	new->id = id;
	if (ctor && ctor(obj, new->data, ctor_data)) {
		spin_unlock_irqrestore(&shadow_lock, flags);
		kmend_free(new);
		pr_info("shadow <%p, %#lx>: the constructor failed\n", obj, id);
		return NULL;
	}
	hash_add_rcu(shadow_table, &new->node, (unsigned long)obj);
	spin_unlock_irqrestore(&shadow_lock, flags);
	return new->data;

exists:
	pr_err("shadow <%p, %#lx> exists already; not allocated again\n",
	       obj, id);
	return NULL;
}

void *kmend_shadow_alloc(void *obj, unsigned long id, size_t size, gfp_t gfp,
			 kmend_shadow_ctor_t ctor, void *ctor_data)
{
	return get_or_alloc(obj, id, size, gfp, ctor, ctor_data, false);
}
EXPORT_SYMBOL_GPL(kmend_shadow_alloc);

void *kmend_shadow_get_or_alloc(void *obj, unsigned long id, size_t size,
				gfp_t gfp, kmend_shadow_ctor_t ctor,
				void *ctor_data)
{
	return get_or_alloc(obj, id, size, gfp, ctor, ctor_data, true);
}
EXPORT_SYMBOL_GPL(kmend_shadow_get_or_alloc);

/* Unhash @sv (lock held) and free it after a grace period. */
static void remove(struct kmend_shadow *sv, kmend_shadow_dtor_t dtor)
{
	hash_del_rcu(&sv->node);
	if (dtor)
		dtor(sv->obj, sv->data);
	call_rcu(&sv->rcu, free_rcu);
}

void kmend_shadow_free(void *obj, unsigned long id, kmend_shadow_dtor_t dtor)
{
	struct kmend_shadow *sv;
	unsigned long flags;

	spin_lock_irqsave(&shadow_lock, flags);
	sv = find(obj, id);
	if (sv)
		remove(sv, dtor);
	spin_unlock_irqrestore(&shadow_lock, flags);
}
EXPORT_SYMBOL_GPL(kmend_shadow_free);

void kmend_shadow_free_all(unsigned long id, kmend_shadow_dtor_t dtor)
{
	struct kmend_shadow *sv;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&shadow_lock, flags);
	hash_for_each_safe(shadow_table, bkt, tmp, sv, node)
		if (sv->id == id)
			remove(sv, dtor);
	spin_unlock_irqrestore(&shadow_lock, flags);
}
EXPORT_SYMBOL_GPL(kmend_shadow_free_all);

void kmend_shadow_exit(void)
{
	struct kmend_shadow *sv;
	struct hlist_node *tmp;
	unsigned int left = 0;
	int bkt;

	/* no update is loaded: nobody can look them up any more */
	hash_for_each_safe(shadow_table, bkt, tmp, sv, node) {
		hash_del(&sv->node);
		kmend_free(sv);
		left++;
	}
	if (left)
		pr_info("%u shadow variables were left; freed them\n", left);
	/* callbacks queued by remove() run this module's code */
	rcu_barrier();
}
