# kernel-lab — the front door. `make help` lists the targets and variables.
# Variables first (all overridable: `make vm KERNEL=debian`); one short rule per target;
# the logic lives in the scripts beside each stage.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
KLAB_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

BUILD_DIR ?=## where every build output goes (default: build/ in the checkout)
KERNEL ?= lab## lab = built from source; debian = Debian's packaged kernel
FLAVOR ?=## a lab-kernel flavour (linux-patches/flavors/NAME/): debug = + KASAN, UBSAN, KFENCE, lockdep
KSRC ?=## a Linux source tree to build (default: Debian's linux-source-6.12)
JOBS ?= $(shell nproc)## parallel jobs for builds
SUITE ?= $(shell . /etc/os-release && echo $${VERSION_CODENAME:-bookworm})## the guest's release (default: the host's)
MIRROR ?=## the guest's apt mirror (default: the host's, read from its apt sources)
IMAGE_SIZE ?= 2G## size of the (sparse) disk image
ACCEL ?=## kvm or tcg (default: kvm where it really works)
NET ?= restricted## restricted = user networking that cannot leave this machine; user = unrestricted
VM_ARGS ?=## extra run-vm.sh options for make vm (e.g. --mem 2048, --log FILE)
T ?=## run only this guest test (make test-in-guest T=name)
CASE ?=## make oops: the gallery case (CASE=list lists them; default: the 2B NULL store)
GDB ?= 0## 1: make vm starts the gdbstub, and make gdb (another terminal) attaches to that VM
TEST_KERNELS ?= $(KERNEL)$(if $(FLAVOR),:$(FLAVOR)) $(filter-out $(KERNEL)$(if $(FLAVOR),:$(FLAVOR)),lab debian lab:debug)## the kernels (KERNEL[:FLAVOR]) make test runs the guest suite on; a flavour only once built
DEBIAN_DBG ?= 0## 1: also fetch Debian's debug vmlinux (855 MB) for KERNEL=debian
BENCH ?= boot test-loop oops match-cost## the benchmarks make bench runs (also: kernel-build, fresh-clone: ~1 h each; dns-fuzz: 30 min)
EX ?=## make skels/check: only this exercise (first-module oops tcp-log dns-name: tools/student/exercises)
DEST ?=## make skels: where the exercises go (default: student/ in the checkout)
SRC ?=## make check: the student's folder to grade (default: DEST)
FORCE ?= 0## make skels: 1 = also regenerate the files you changed
CHECK_JSON ?=## make check: also write the results as JSON to this file
REF ?= 0## make check: 1 = grade the reference solutions instead of SRC (the checker's self-test)

ifeq ($(filter $(KERNEL),lab debian),)
$(error KERNEL=$(KERNEL) is not valid; use one of: lab debian)
endif
# Paths (BUILD_DIR's default, kernel build dir, image, ...) are derived in one place, tools/lib/paths.sh.
$(foreach kv,$(shell BUILD_DIR='$(BUILD_DIR)' KERNEL='$(KERNEL)' FLAVOR='$(FLAVOR)' KSRC='$(KSRC)' SUITE='$(SUITE)' $(KLAB_ROOT)/tools/lib/paths.sh),$(eval override $(kv)))
ifeq ($(KOUT),)
$(error FLAVOR=$(FLAVOR) is not valid for KERNEL=$(KERNEL) (see above))
endif
comma := ,

export BUILD_DIR KERNEL FLAVOR KSRC JOBS SUITE MIRROR IMAGE_SIZE ACCEL NET T CASE GDB DEBIAN_DBG TEST_KERNELS BENCH VM_ARGS \
	KLAB_PATHS_KEY $(subst $(comma), ,$(KLAB_DERIVED))
# What make clean removes: the lab's own outputs, not the kernel, the rootfs or the caches.
CLEAN_DIRS := $(wildcard $(BUILD_DIR)/*-ext $(BUILD_DIR)/debian-kernel/*-ext) $(BIN_DIR) $(BUILD_DIR)/obj $(BUILD_DIR)/host $(BUILD_DIR)/fuzz \
	$(BUILD_DIR)/inject $(BUILD_DIR)/images $(LOG_DIR) $(BUILD_DIR)/tests

.DEFAULT_GOAL := help
.PHONY: help deps doctor kernel menuconfig rootfs image modules tools inject vm gdb oops \
	test test-host test-in-guest bench clean skels check

help: ## show this help
	@echo "kernel-lab: a reproducible kernel-development lab. Usage: make TARGET [VAR=value ...]"
	@echo; echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 18
	@echo; echo "Variables (current value):"
	@grep -E '^[A-Z_]+ \?=.*## ' $(MAKEFILE_LIST) | while IFS= read -r l; do \
		v=$${l%% *}; d=$${l#*## }; printf '  %-12s %s [%s]\n' "$$v" "$$d" "$${!v:-}"; done

deps: ## install every package any target needs (as root; otherwise prints the apt-get line)
	@$(KLAB_ROOT)/tools/host/deps.sh all

doctor: ## check KVM, packages and disk; say what will be slow or missing
	@$(KLAB_ROOT)/tools/host/doctor.sh

kernel: ## build the kernel (bzImage, vmlinux with DWARF, modules) out of tree
	@$(KLAB_ROOT)/tools/host/deps.sh kernel
	@$(KLAB_ROOT)/tools/kernel/build-$(KERNEL).sh

menuconfig: ## edit the kernel's .config in menuconfig; the changes are kept as linux-patches/local.config
	@$(KLAB_ROOT)/tools/host/deps.sh kernel
	@$(KLAB_ROOT)/tools/kernel/config.sh menuconfig

rootfs: ## debootstrap the guest's root filesystem (cached)
	@$(KLAB_ROOT)/tools/host/deps.sh image
	@$(KLAB_ROOT)/rootfs/mkrootfs.sh

image: rootfs kernel ## the guest's ext4 disk image, built without any mount
	@$(KLAB_ROOT)/vm/image/mkimage.sh

modules: kernel ## build the lab's modules and the iptables plugin against the kernel
	@$(KLAB_ROOT)/tools/host/deps.sh modules
	@$(KLAB_ROOT)/modules/build.sh

tools: ## build the host tools (oops-decode, dns-name-match) into BUILD_DIR/bin
	@$(KLAB_ROOT)/tools/host/deps.sh tools
	@$(MAKE) -s -C $(KLAB_ROOT)/tools/oops-decode
	@$(MAKE) -s -C $(KLAB_ROOT)/modules/xt_dns_name/dns-name-match

inject: modules image ## put the modules, plugin and guest tests into the image
	@$(KLAB_ROOT)/vm/image/inject.sh

vm: inject ## set everything up and boot the lab (login root/root; Ctrl-A X quits; GDB=1: gdbstub on)
	@$(KLAB_ROOT)/tools/host/deps.sh vm
	@$(KLAB_ROOT)/run-vm.sh $(if $(filter 1,$(GDB)),--gdb) $(VM_ARGS)

# Attaching to a running `make vm GDB=1` must not touch its image: no inject then.
gdb: $(if $(wildcard $(GDB_PORT_FILE)),,inject) ## attach gdb (vmlinux, lx-symbols) to make vm GDB=1, or boot a VM for it
	@$(KLAB_ROOT)/vm/debug/gdb.sh

oops: $(if $(filter list,$(CASE)),,inject tools) ## provoke a kernel crash (CASE=name; CASE=list) and trace it to its source line
	@$(KLAB_ROOT)/vm/debug/oops.sh $(CASE)

skels: ## the exercises as the lab hands them out, into DEST (EX=; never overwrites your changes unless FORCE=1)
	@$(KLAB_ROOT)/tools/student/skels.sh $(if $(EX),--ex '$(EX)') $(if $(DEST),--dest '$(DEST)') $(if $(filter 1,$(FORCE)),--force)

check: image tools ## grade your exercises in throw-away VMs: PASS/FAIL per check, score: X/Y (EX=, SRC=, CHECK_JSON=, REF=1)
	@$(KLAB_ROOT)/tools/host/deps.sh vm modules
	@$(KLAB_ROOT)/tools/student/check.sh $(if $(EX),--ex '$(EX)') $(if $(SRC),--src '$(SRC)',$(if $(DEST),--src '$(DEST)')) \
		$(if $(filter 1,$(REF)),--ref) $(if $(CHECK_JSON),--json '$(CHECK_JSON)')

test-host: tools ## the host tests (parsers, tools, kernel build checks)
	@$(KLAB_ROOT)/tests/run.sh host

test-in-guest: inject ## the lab's exercises, run inside the VM (T=name for one)
	@$(KLAB_ROOT)/vm/test-runner/host-side.sh

test: inject tools ## everything: host tests and in-guest tests
	@$(KLAB_ROOT)/tools/host/deps.sh vm test
	@$(KLAB_ROOT)/tests/run.sh all

bench: inject tools ## the benchmarks in bench/ (ratios against baselines)
	@for b in $(BENCH); do $(KLAB_ROOT)/bench/$$b; done

clean: ## remove the lab's build outputs but keep the kernel, rootfs and caches
	rm -rf $(CLEAN_DIRS)
