# kmend top-level Makefile.
#
#   make          build/bin/kmend and build/kernel/kmend.ko for the default target
#   make check    every test, unit and VM; ends with "N passed, N failed"
#   make demo     the main job, end to end, in the VM
#   make soak     every consistency model, 1000 apply/undo cycles under load
#   make fuzz     kmend create's differ and payload builder under libFuzzer,
#                 then mutated update modules against the engine in the VM
#   make corpus   how many real stable changes become updates (scripts/corpus;
#                 CORPUS_ARGS, e.g. "--sample 150"); docs/coverage.md
#   make deb      kmend's own Debian packages (the command; the engine for the
#                 target kernel) in build/deb
#   make install  install what make built: kmend, its man page, bash
#                 completion, systemd unit, the files kmend create needs, and
#                 kmend.ko for the target (PREFIX=/usr/local, DESTDIR for
#                 staging; SIGN_KEY=KEY SIGN_CERT=CERT sign kmend.ko for a
#                 kernel that enforces module signatures); make uninstall
#   make clean    remove build/ (the downloaded target kernel stays cached)
#
# The target kernel comes from scripts/target-kernel (cached under
# ~/.cache/kmend); KMEND_KERNEL=<debian package version> selects another one.

VERSION := $(shell cat VERSION)
BUILD   := build
TOP     := $(CURDIR)

# src/cli: the commands; src/create: the steps of kmend create; src/elf:
# relocatable objects and the kernel's tables; src/package: Debian packages
# and apt repositories; src/lib: helpers
# (docs/architecture.md)
SRC_DIRS   := src/cli src/create src/elf src/lib src/package

CC      ?= cc
CFLAGS  ?= -O2 -g
KMEND_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-DKMEND_VERSION='"$(VERSION)"' $(addprefix -I,$(SRC_DIRS)) -Iinclude -Ikernel/match
LDLIBS  := -lelf -ldw -lcapstone -lcrypto -pthread

KMEND_SRCS := $(filter-out src/cli/main.c,$(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
# the run-pre matcher is the engine's own code, shared with the command
SHARED_SRCS := kernel/match/match_core.c
KMEND_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(KMEND_SRCS)) \
	      $(patsubst %.c,$(BUILD)/obj/%.o,$(SHARED_SRCS))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps check demo soak fuzz corpus bench clean install uninstall install-tools deb modules samples test-modules FORCE
all: $(BUILD)/bin/kmend modules

deps:
	@scripts/deps -q

# --- user space --------------------------------------------------------------

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(KMEND_CFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(BUILD)/obj/kernel/%.o: kernel/%.c kernel/%.h $(wildcard include/kmend/*.h)
	@mkdir -p $(@D)
	$(CC) $(KMEND_CFLAGS) $(CFLAGS) -MMD -c -o $@ $<

$(BUILD)/lib/libkmend.a: $(KMEND_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/bin/kmend: $(BUILD)/obj/cli/main.o $(BUILD)/lib/libkmend.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Fixtures: small units compiled as the kernel compiles (-ffunction-sections
# -fdata-sections, no unwind tables), for the differ's tests.
FIXTURE_DIR  := $(BUILD)/tests/unit/fixtures
# Each is also built without -fdata-sections (-shared-rodata.o), where string
# literals share one section and move when others are added.
FIXTURE_SRCS := $(wildcard tests/unit/fixtures/*.c)
FIXTURE_OBJS := $(patsubst tests/unit/fixtures/%.c,$(FIXTURE_DIR)/%.o,$(FIXTURE_SRCS)) \
		$(patsubst tests/unit/fixtures/%.c,$(FIXTURE_DIR)/%-shared-rodata.o,$(FIXTURE_SRCS)) \
		$(patsubst tests/unit/fixtures/%.S,$(FIXTURE_DIR)/%.o,$(wildcard tests/unit/fixtures/*.S))
FIXTURE_CFLAGS := -c -O2 -Iinclude -ffunction-sections -fno-asynchronous-unwind-tables \
		-fno-pic -mcmodel=kernel -fno-common -pg -mrecord-mcount -mfentry
$(FIXTURE_DIR)/%.o: tests/unit/fixtures/%.c
	@mkdir -p $(@D)
	$(CC) $(FIXTURE_CFLAGS) -fdata-sections -o $@ $<
	@cp $< $(FIXTURE_DIR)/
# assembly, as Kbuild assembles a .S file (before objtool)
$(FIXTURE_DIR)/%.o: tests/unit/fixtures/%.S
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<
# the layout fixtures carry DWARF, as the kernel's objects do
$(FIXTURE_DIR)/layout_%.o: tests/unit/fixtures/layout_%.c
	@mkdir -p $(@D)
	$(CC) $(FIXTURE_CFLAGS) -g -fdata-sections -o $@ $<
$(FIXTURE_DIR)/%-shared-rodata.o: tests/unit/fixtures/%.c
	@mkdir -p $(@D)
	$(CC) $(FIXTURE_CFLAGS) -o $@ $<
FIXTURE_DATA := $(patsubst tests/unit/fixtures/%,$(FIXTURE_DIR)/%,$(wildcard tests/unit/fixtures/*.symvers))
$(FIXTURE_DIR)/%.symvers: tests/unit/fixtures/%.symvers
	@mkdir -p $(@D)
	cp $< $@
.SECONDARY: $(FIXTURE_OBJS)

# named in an explicit rule, so that make never takes them for intermediates
$(UNIT_TESTS): $(FIXTURE_DATA)
$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/lib/libkmend.a $(FIXTURE_OBJS) \
		$(wildcard tests/fuzz/*.c tests/fuzz/regressions/*)
	@mkdir -p $(@D)
	$(CC) $(KMEND_CFLAGS) $(CFLAGS) -DFIXTURES='"$(TOP)/$(FIXTURE_DIR)"' \
		-DREGRESSIONS='"$(TOP)/tests/fuzz/regressions"' \
		-o $@ $< $(BUILD)/lib/libkmend.a $(LDLIBS) -lcmocka

# --- kernel modules, built against the target's headers ------------------------

# The target's paths (KVER, HEADERS, ...), refreshed on every run but rewritten
# only when they change, so that modules rebuild only for a new target.
$(BUILD)/target.env: FORCE
	@mkdir -p $(@D)
	@KMEND_TARGET_NO_SOURCE=1 scripts/target-kernel >$@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

# $(call kbuild,SOURCE_DIR,OUTPUT_DIR[,EXTRA_SYMBOLS]): Kbuild builds in the
# folder it is given, so the output folder holds links to the sources, its
# subfolders made as folders (objects must not land in the source tree).
define kbuild
	@mkdir -p $(2)
	@find $(2) -xtype l -delete
	@cd $(TOP)/$(1) && find . -type f | while read -r f; do \
		mkdir -p "$(TOP)/$(2)/$${f%/*}" && ln -sf "$(TOP)/$(1)/$$f" "$(TOP)/$(2)/$$f"; done
	@# modpost does not rerun when only the symbols it is given changed
	@# (the engine's exports): without its output it does, and relinks
	$(if $(strip $(3)),@rm -f $(2)/Module.symvers)
	+. $(BUILD)/target.env && $(MAKE) -C "$$HEADERS" M=$(TOP)/$(2) \
		KMEND_INCLUDE=$(TOP)/include KMEND_VERSION=$(VERSION) \
		$(if $(strip $(3)),KBUILD_EXTRA_SYMBOLS="$(strip $(3))") modules
endef

ENGINE_SYMVERS := $(TOP)/$(BUILD)/kernel/Module.symvers

modules: $(BUILD)/kernel/kmend.ko samples
$(BUILD)/kernel/kmend.ko: $(BUILD)/target.env $(shell find kernel -type f) $(wildcard include/kmend/*)
	$(call kbuild,kernel,$(BUILD)/kernel)

samples: $(BUILD)/samples/kmend-sample-cmdline.ko
$(BUILD)/samples/kmend-sample-cmdline.ko: $(BUILD)/kernel/kmend.ko $(wildcard samples/* include/kmend/*)
	$(call kbuild,samples,$(BUILD)/samples,$(ENGINE_SYMVERS))

TEST_MODULES := faults target updates callbacks api soak
test-modules: $(foreach m,$(TEST_MODULES),$(BUILD)/tests/modules/$(m)/.built)
# Some test updates call functions of the test target module.
$(BUILD)/tests/modules/updates/.built: $(BUILD)/tests/modules/target/.built
EXTRA_SYMVERS_updates := $(TOP)/$(BUILD)/tests/modules/target/Module.symvers
$(BUILD)/tests/modules/soak/.built: $(BUILD)/tests/modules/target/.built $(BUILD)/tests/modules/updates/.built
EXTRA_SYMVERS_soak := $(EXTRA_SYMVERS_updates)
$(BUILD)/tests/modules/%/.built: $(BUILD)/kernel/kmend.ko tests/vm/modules/%/* $(wildcard include/kmend/*)
	$(call kbuild,tests/vm/modules/$*,$(BUILD)/tests/modules/$*,$(ENGINE_SYMVERS) $(EXTRA_SYMVERS_$*))
	@touch $@

# --- tests and demo ------------------------------------------------------------

check: deps
	@$(MAKE) --no-print-directory all test-modules $(UNIT_TESTS)
	@tests/run

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

# Not part of check: every model, 1000 apply/undo cycles each under load
# (KMEND_SOAK_CYCLES, KMEND_SOAK_MODELS); docs/reliability.md.
soak: deps
	@$(MAKE) --no-print-directory all test-modules
	@tests/soak/soak.sh

# Not part of check: kmend create's differ and payload builder under
# libFuzzer with ASan and UBSan for FUZZ_SECONDS (300), then FUZZ_VARIANTS
# (2100) mutated update modules loaded in the VM; docs/reliability.md.
fuzz: deps
	@scripts/deps -q --fuzz
	@$(MAKE) --no-print-directory all test-modules
	@tests/fuzz/run-host
	@tests/fuzz/run-engine

# Not part of check: every .c and header change between the target's source
# and another Debian version, created and applied (scripts/corpus --help).
corpus: deps
	@$(MAKE) --no-print-directory all
	@scripts/corpus $(CORPUS_ARGS)

# Not part of check: kmend against the kernel's livepatch on one fix, in one
# VM run, a table of ratios (bench/run; docs/performance.md).
bench: deps
	@scripts/deps -q --bench
	@$(MAKE) --no-print-directory all
	@bench/run

$(BUILD)/bench/module/.built: $(BUILD)/target.env bench/module/*
	$(call kbuild,bench/module,$(BUILD)/bench/module)
	@touch $@

# --- install -------------------------------------------------------------------

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# where kmend create looks, relative to the binary: ../include/kmend-sdk and
# ../lib/kmend (the engine's exports)
SDKDIR  ?= $(PREFIX)/include/kmend-sdk
LIBDIR  ?= $(PREFIX)/lib/kmend
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system

# Installs what make built, without building (so that 'sudo make install'
# fetches nothing as root). The engine goes where kmend apply looks for it,
# /lib/modules/RELEASE/extra, for the release it was built for.
INSTALLED_FILES := $(BUILD)/bin/kmend $(BUILD)/kernel/kmend.ko \
	$(BUILD)/kernel/Module.symvers $(BUILD)/target.env
install: install-tools
	@. $(BUILD)/target.env && \
	install -D -m 0644 $(BUILD)/kernel/kmend.ko "$(DESTDIR)/lib/modules/$$KVER/extra/kmend.ko" && \
	if [ -n "$(SIGN_KEY)$(SIGN_CERT)" ]; then \
		scripts/sign-module "$$HEADERS" "$(SIGN_KEY)" "$(SIGN_CERT)" \
			"$(DESTDIR)/lib/modules/$$KVER/extra/kmend.ko" || exit 1; fi && \
	if [ -z "$(DESTDIR)" ] && [ "$$KVER" != "$$(uname -r)" ]; then \
		echo "make install: note: kmend.ko is built for $$KVER, not for this machine's $$(uname -r)" >&2; fi

# everything but kmend.ko (make deb puts that in a package of its own)
install-tools:
	@for f in $(INSTALLED_FILES); do [ -f "$$f" ] || \
		{ echo "make install: $$f is missing; run make first" >&2; exit 1; }; done
	install -D -m 0755 $(BUILD)/bin/kmend "$(DESTDIR)$(BINDIR)/kmend"
	install -D -m 0644 docs/kmend.8 "$(DESTDIR)$(MANDIR)/man8/kmend.8"
	install -D -m 0644 completion/kmend.bash "$(DESTDIR)$(COMPLETIONDIR)/kmend"
	sed 's#@BINDIR@#$(BINDIR)#' systemd/kmend.service.in >$(BUILD)/kmend.service
	sed 's#@BINDIR@#$(BINDIR)#' systemd/kmend-healthy.service.in >$(BUILD)/kmend-healthy.service
	sed 's#@BINDIR@#$(BINDIR)#' systemd/kmend-shutdown.service.in >$(BUILD)/kmend-shutdown.service
	install -D -m 0644 -t "$(DESTDIR)$(UNITDIR)" $(BUILD)/kmend.service \
		$(BUILD)/kmend-healthy.service systemd/kmend-healthy.timer \
		$(BUILD)/kmend-shutdown.service
	install -D -m 0644 -t "$(DESTDIR)$(SDKDIR)/kmend" include/kmend/*.h
	install -D -m 0644 $(BUILD)/kernel/Module.symvers "$(DESTDIR)$(LIBDIR)/Module.symvers"
	install -D -m 0755 scripts/debian-kernel "$(DESTDIR)$(LIBDIR)/debian-kernel"
	install -D -m 0755 -t "$(DESTDIR)$(LIBDIR)/package" scripts/package/postinst \
		scripts/package/prerm scripts/package/postrm

uninstall:
	@if [ -f $(BUILD)/target.env ]; then . $(BUILD)/target.env && \
		rm -f "$(DESTDIR)/lib/modules/$$KVER/extra/kmend.ko"; \
	else echo "make uninstall: no $(BUILD)/target.env: kmend.ko under /lib/modules is left" >&2; fi
	rm -f "$(DESTDIR)$(BINDIR)/kmend" "$(DESTDIR)$(MANDIR)/man8/kmend.8" \
		"$(DESTDIR)$(COMPLETIONDIR)/kmend" "$(DESTDIR)$(UNITDIR)/kmend.service" \
		"$(DESTDIR)$(UNITDIR)/kmend-healthy.service" "$(DESTDIR)$(UNITDIR)/kmend-healthy.timer" \
		"$(DESTDIR)$(UNITDIR)/kmend-shutdown.service" \
		"$(DESTDIR)$(LIBDIR)/Module.symvers" "$(DESTDIR)$(LIBDIR)/debian-kernel" \
		$(patsubst scripts/%,"$(DESTDIR)$(LIBDIR)/%",$(wildcard scripts/package/*))
	-rmdir "$(DESTDIR)$(LIBDIR)/package" 2>/dev/null
	rm -f $(patsubst include/kmend/%,"$(DESTDIR)$(SDKDIR)/kmend/%",$(wildcard include/kmend/*.h))
	-rmdir "$(DESTDIR)$(SDKDIR)/kmend" "$(DESTDIR)$(SDKDIR)" "$(DESTDIR)$(LIBDIR)" 2>/dev/null

# kmend's own Debian packages, into build/deb: kmend (the command, its
# helpers, man page, completion and systemd units) and kmend-engine-RELEASE
# (kmend.ko for the target kernel; KMEND_KERNEL=VERSION for another;
# SIGN_KEY=KEY SIGN_CERT=CERT signs it). lintian checks them.
deb: all
	scripts/make-deb $(BUILD)/deb

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
