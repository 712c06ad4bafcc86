# kernel-lab — the front door. `make help` lists the targets and variables.
# Variables first (all overridable: `make vm KERNEL=debian`); one short rule per target;
# the logic lives in the scripts beside each stage.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

BUILD_DIR ?= $(ROOT)/build## where every build output goes (default: build/ in the checkout)
KERNEL ?= lab## lab = built from source; debian = Debian's packaged kernel
KSRC ?=## a Linux source tree to build (default: Debian's linux-source-6.12)
JOBS ?= $(shell nproc)## parallel jobs for builds
SUITE ?= $(shell . /etc/os-release && echo $${VERSION_CODENAME:-bookworm})## the guest's release (default: the host's)
MIRROR ?=## the guest's apt mirror (default: the host's, read from its apt sources)
IMAGE_SIZE ?= 2G## size of the (sparse) disk image
ACCEL ?=## kvm or tcg (default: kvm where it really works)
NET ?= restricted## restricted = user networking that cannot leave this machine; user = unrestricted
VM_ARGS ?=## extra run-vm.sh options for make vm (e.g. --mem 2048, --log FILE)
T ?=## run only this guest test (make test-in-guest T=name)
TEST_KERNELS ?= $(KERNEL) $(filter-out $(KERNEL),lab debian)## the kernels make test runs the guest suite on
DEBIAN_DBG ?= 0## 1: also fetch Debian's debug vmlinux (855 MB) for KERNEL=debian
BENCH ?= boot test-loop oops match-cost## the benchmarks make bench runs (also: kernel-build, fresh-clone: ~1 h each; dns-fuzz: 30 min)

override BUILD_DIR := $(abspath $(BUILD_DIR))
ifeq ($(filter $(KERNEL),lab debian),)
$(error KERNEL=$(KERNEL) is not valid; use one of: lab debian)
endif
# Paths (kernel build dir, image, ...) are derived in one place, tools/paths.sh.
$(foreach kv,$(shell BUILD_DIR='$(BUILD_DIR)' KERNEL='$(KERNEL)' KSRC='$(KSRC)' SUITE='$(SUITE)' $(ROOT)/tools/paths.sh),$(eval $(kv)))

export BUILD_DIR KERNEL KSRC JOBS SUITE MIRROR IMAGE_SIZE ACCEL NET T DEBIAN_DBG TEST_KERNELS BENCH VM_ARGS \
	KOUT KIMAGE INITRD MODULES_STAGING VMLINUX ROOTFS IMAGE INJECT_DIR

.DEFAULT_GOAL := help
.PHONY: help deps doctor kernel rootfs image modules tools inject vm gdb oops \
	test test-host test-in-guest bench clean

help: ## show this help
	@echo "kernel-lab: a reproducible kernel-development lab. Usage: make TARGET [VAR=value ...]"
	@echo; echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 18
	@echo; echo "Variables (current value):"
	@grep -E '^[A-Z_]+ \?=.*## ' $(MAKEFILE_LIST) | while IFS= read -r l; do \
		v=$${l%% *}; d=$${l#*## }; printf '  %-12s %s [%s]\n' "$$v" "$$d" "$${!v:-}"; done

deps: ## install missing Debian packages (as root; otherwise prints the apt-get line)
	@$(ROOT)/tools/deps.sh all

doctor: ## check KVM, packages and disk; say what will be slow or missing
	@$(ROOT)/tools/doctor.sh

kernel: ## build the kernel (bzImage, vmlinux with DWARF, modules) out of tree
	@$(ROOT)/tools/deps.sh kernel
	@$(ROOT)/tools/$(if $(filter debian,$(KERNEL)),debian-kernel.sh,build-kernel.sh)

rootfs: ## debootstrap the guest's root filesystem (cached)
	@$(ROOT)/tools/deps.sh image
	@$(ROOT)/rootfs/mkrootfs.sh

image: rootfs kernel ## the guest's ext4 disk image, built without any mount
	@$(ROOT)/vm/mkimage.sh

modules: kernel ## build the lab's modules and the iptables plugin against the kernel
	@$(ROOT)/tools/deps.sh modules
	@$(ROOT)/modules/build.sh

tools: ## build the host tools (oops-decode, dns-name-match) into BUILD_DIR/bin
	@$(ROOT)/tools/deps.sh tools
	@$(MAKE) -s -C $(ROOT)/tools/oops-decode
	@$(MAKE) -s -C $(ROOT)/tools/dns-name-match

inject: modules image ## put the modules, plugin and guest tests into the image
	@$(ROOT)/vm/inject.sh

vm: deps inject ## set everything up and boot the lab (login root/root; Ctrl-A X quits)
	@$(ROOT)/run-vm.sh $(VM_ARGS)

gdb: inject ## boot with the gdbstub and attach gdb with vmlinux and lx-* scripts
	@$(ROOT)/vm/gdb.sh

oops: inject tools ## load the buggy module until it oopses, then trace the oops to its line
	@$(ROOT)/vm/oops.sh

test-host: tools ## the host tests (parsers, tools, kernel build checks)
	@$(ROOT)/tests/run.sh host

test-in-guest: inject ## the lab's exercises, run inside the VM (T=name for one)
	@$(ROOT)/vm/run-tests.sh

test: deps inject tools ## everything: host tests and in-guest tests
	@$(ROOT)/tests/run.sh all

bench: inject tools ## the benchmarks in bench/ (ratios against baselines)
	@for b in $(BENCH); do $(ROOT)/bench/$$b; done

clean: ## remove the lab's build outputs but keep the kernel, rootfs and caches
	rm -rf $(BUILD_DIR)/modules $(BUILD_DIR)/bin $(BUILD_DIR)/obj $(BUILD_DIR)/inject $(BUILD_DIR)/images $(BUILD_DIR)/logs
