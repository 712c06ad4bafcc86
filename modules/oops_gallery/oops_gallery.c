// SPDX-License-Identifier: GPL-2.0
/*
 * The crashes of the lab's oops gallery that LKDTM cannot provoke: the module does one of
 * them in its init function, chosen by the "crash" parameter, e.g.
 *	insmod oops_gallery.ko crash=divide_error
 * `make oops CASE=list` on the host says what each one teaches. A crash that does not kill
 * the loading process (a report only) lets the module load: rmmod it afterwards.
 */
#define pr_fmt(fmt) "oops_gallery: " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *crash = "";
module_param(crash, charp, 0444);
MODULE_PARM_DESC(crash, "divide_error, shift_out_of_bounds, sleep_in_atomic or lock_inversion");

/* Read through READ_ONCE() so that the compiler cannot see the values coming. */
static int zero;
static int too_far = 40;

static DEFINE_SPINLOCK(gallery_lock);
static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);

/* x86's divide error (#DE): the kernel dies with "Oops: divide error". */
static noinline int do_divide_error(void)
{
	return 100 / READ_ONCE(zero);
}

/* Undefined behaviour: 1 << 40 in an int. Reported by UBSAN (CONFIG_UBSAN_SHIFT). */
static noinline int do_shift_out_of_bounds(void)
{
	return 1 << READ_ONCE(too_far);
}

/*
 * GFP_KERNEL may sleep, which is forbidden under a spinlock (GFP_ATOMIC is right).
 * Reported by CONFIG_DEBUG_ATOMIC_SLEEP even when this allocation happens not to sleep.
 */
static noinline int do_sleep_in_atomic(void)
{
	void *p;

	spin_lock(&gallery_lock);
	p = kmalloc(64, GFP_KERNEL);
	spin_unlock(&gallery_lock);
	kfree(p);
	return 0;
}

/*
 * A then B here, B then A there: two tasks doing this can deadlock. Lockdep
 * (CONFIG_PROVE_LOCKING) reports the circular dependency the first time both orders
 * are seen, even in one task and without a deadlock.
 */
static noinline int do_lock_inversion(void)
{
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);

	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} crashes[] = {
	{ "divide_error", do_divide_error },
	{ "shift_out_of_bounds", do_shift_out_of_bounds },
	{ "sleep_in_atomic", do_sleep_in_atomic },
	{ "lock_inversion", do_lock_inversion },
};

static int __init gallery_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(crashes); i++) {
		if (strcmp(crash, crashes[i].name))
			continue;
		pr_info("provoking %s\n", crash);
		pr_info("%s returned %d\n", crash, crashes[i].fn());
		return 0;
	}
	pr_err("unknown crash '%s'\n", crash);
	return -EINVAL;
}

static void __exit gallery_exit(void)
{
}

module_init(gallery_init);
module_exit(gallery_exit);

MODULE_DESCRIPTION("kernel-lab: the oops gallery's crashes that LKDTM has no trigger for");
MODULE_AUTHOR("kernel-lab");
MODULE_LICENSE("GPL");
