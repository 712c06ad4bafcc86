// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's first kernel module: it greets on load and says goodbye on unload.
 */
#define pr_fmt(fmt) "my-first-module: " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int __init init(void)
{
	/* TODO 1: on load, print "Hello world!" to the kernel log (pr_info) */
	pr_info("Hello world!\n");
	/* TODO 1 end */
	return 0;
}

static void __exit cleanup(void)
{
	/* TODO 2: on unload, print "Goodbye cruel, cruel world!" to the kernel log */
	pr_info("Goodbye cruel, cruel world!\n");
	/* TODO 2 end */
}

module_init(init);
module_exit(cleanup);

MODULE_DESCRIPTION("kernel-lab: my first module, hello and goodbye");
MODULE_AUTHOR("kernel-lab");
MODULE_LICENSE("GPL");
