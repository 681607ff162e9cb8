# batch — build, test, demo and install.
#   make check     install what the tests need, build, run the whole suite (scripts/test-suite.sh:
#                  a hung run is ended after 30 min with its stacks printed), then boot the
#                  installed system under systemd-nspawn (Tests/System/boot-test.sh)
#   make demo      a private Redis, the three daemons and batchtop on etc/demo
#   make install   binaries, man pages, units, sysusers.d and tmpfiles.d under $(PREFIX); configuration in /etc
#   make uninstall removes them again, keeping the configuration and /var/lib/batch
PREFIX ?= /usr/local
SWIFT ?= swift
CONFIG ?= release
# Release builds link the Swift libraries statically (see scripts/release-build.sh):
# an idle batch-worker stays near 13 MB resident instead of 17 MB.
RELEASE_BUILD = SWIFT="$(SWIFT)" CONFIG="$(CONFIG)" scripts/release-build.sh
PRODUCTS = batch-gateway batch-worker batch-scheduler batchctl batchtop

.PHONY: all build check boot-test demo install uninstall clean

all: build

build:
	scripts/deps.sh build
	for p in $(PRODUCTS); do $(RELEASE_BUILD) --product $$p || exit 1; done

check:
	scripts/deps.sh test
	$(SWIFT) build --build-tests
	SWIFT="$(SWIFT)" scripts/test-suite.sh
	Tests/System/boot-test.sh

# The installed system booted under systemd (as root; part of `make check`).
boot-test:
	Tests/System/boot-test.sh

demo:
	scripts/deps.sh demo
	for p in $(PRODUCTS); do $(RELEASE_BUILD) --product $$p || exit 1; done
	scripts/demo.sh

# Where things go, as a Debian package would put them with PREFIX=/usr. systemd
# reads units, sysusers.d and tmpfiles.d under /usr/local/lib too, so the
# default PREFIX needs nothing outside /usr/local but /etc/batch and /etc/default.
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/batch
LIBEXECDIR ?= $(PREFIX)/lib/batch/libexec
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
UNITS = batch-gateway.service batch-scheduler.service batch-worker@.service
# systemd-sysusers and systemd-tmpfiles work on DESTDIR as on a system root.
SYSTEMD_ROOT = $(if $(DESTDIR),--root=$(DESTDIR))

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	bin=$$($(RELEASE_BUILD) --show-bin-path) && for p in $(PRODUCTS); do \
	  install -m 0755 $$bin/$$p $(DESTDIR)$(BINDIR)/$$p || exit 1; done
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0755 etc/batch/libexec/report $(DESTDIR)$(LIBEXECDIR)/report
	sed 's|/usr/lib/batch/libexec|$(LIBEXECDIR)|g' etc/batch/jobs.d/examples.conf > $(DESTDIR)$(DOCDIR)/examples/jobs.conf
	install -m 0644 etc/batch/schedules.d/examples.conf $(DESTDIR)$(DOCDIR)/examples/schedules.conf
	chmod 0644 $(DESTDIR)$(DOCDIR)/examples/jobs.conf
	# bash completion, as batchctl makes it (`batchctl completion bash`).
	bin=$$($(RELEASE_BUILD) --show-bin-path) && $$bin/batchctl completion bash > $(DESTDIR)$(BASHCOMPDIR)/batchctl
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/batchctl
	# zsh and fish completion, from the same command declaration.
	bin=$$($(RELEASE_BUILD) --show-bin-path) && $$bin/batchctl completion zsh > $(DESTDIR)$(ZSHCOMPDIR)/_batchctl && \
	  $$bin/batchctl completion fish > $(DESTDIR)$(FISHCOMPDIR)/batchctl.fish
	chmod 0644 $(DESTDIR)$(ZSHCOMPDIR)/_batchctl $(DESTDIR)$(FISHCOMPDIR)/batchctl.fish
	# Alert rules and a dashboard, to copy into Prometheus and Grafana.
	install -D -m 0644 etc/prometheus/batch-alerts.yml $(DESTDIR)$(DOCDIR)/prometheus/batch-alerts.yml
	install -D -m 0644 etc/grafana/batch-dashboard.json $(DESTDIR)$(DOCDIR)/grafana/batch-dashboard.json
	# Units: their paths follow BINDIR.
	for u in $(UNITS); do \
	  sed 's|@BINDIR@|$(BINDIR)|g' etc/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	# The batch user and group, and /var/lib/batch and /var/log/batch.
	install -m 0644 etc/sysusers.d/batch.conf $(DESTDIR)$(SYSUSERSDIR)/batch.conf
	install -m 0644 etc/tmpfiles.d/batch.conf $(DESTDIR)$(TMPFILESDIR)/batch.conf
	# A DESTDIR without /etc/passwd is a staging folder (a package's): there the
	# system applies both files when it boots.
	if [ -n "$(DESTDIR)" ] && [ ! -e $(DESTDIR)/etc/passwd ]; then \
	  echo "install: $(DESTDIR) has no /etc/passwd: the batch user and its folders are made at boot" >&2; \
	elif command -v systemd-sysusers >/dev/null 2>&1; then systemd-sysusers $(SYSTEMD_ROOT) batch.conf && \
	  systemd-tmpfiles --create $(SYSTEMD_ROOT) batch.conf; \
	else echo "install: no systemd-sysusers here; the batch user is made at the next boot" >&2; fi
	# Configuration: never overwritten. batch.conf and /etc/default/batch may hold
	# secrets: readable by root and the batch group only.
	install -d -m 0755 $(DESTDIR)/etc/batch $(DESTDIR)/etc/batch/jobs.d $(DESTDIR)/etc/batch/schedules.d $(DESTDIR)/etc/default
	[ -e $(DESTDIR)/etc/batch/batch.conf ] || install -m 0640 etc/batch/batch.conf $(DESTDIR)/etc/batch/batch.conf
	[ -e $(DESTDIR)/etc/default/batch ] || install -m 0640 etc/default/batch $(DESTDIR)/etc/default/batch
	gid=$$(awk -F: '$$1 == "batch" { print $$3 }' $(DESTDIR)/etc/group 2>/dev/null); \
	if [ -n "$$gid" ]; then chown 0:$$gid $(DESTDIR)/etc/batch/batch.conf $(DESTDIR)/etc/default/batch; \
	  chmod 0640 $(DESTDIR)/etc/batch/batch.conf $(DESTDIR)/etc/default/batch; \
	else echo "install: no batch group yet; chgrp batch /etc/batch/batch.conf /etc/default/batch once it exists" >&2; fi
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

# Removes what install put in place, and the units' enablement links. Keeps
# /etc/batch, /etc/default/batch, /var/lib/batch, /var/log/batch and the batch
# user (as Debian's remove does; purge is the administrator's).
uninstall:
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  systemctl stop batch-gateway.service batch-scheduler.service 'batch-worker@*.service' || true; fi
	if [ -d $(DESTDIR)/etc/systemd/system ]; then find $(DESTDIR)/etc/systemd/system -type l \
	  \( -name batch-gateway.service -o -name batch-scheduler.service -o -name 'batch-worker@*.service' \) -delete; fi
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	for p in $(PRODUCTS); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in man/*.[158]; do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -f $(DESTDIR)$(LIBEXECDIR)/report $(DESTDIR)$(DOCDIR)/examples/jobs.conf $(DESTDIR)$(DOCDIR)/examples/schedules.conf
	rm -f $(DESTDIR)$(BASHCOMPDIR)/batchctl $(DESTDIR)$(ZSHCOMPDIR)/_batchctl $(DESTDIR)$(FISHCOMPDIR)/batchctl.fish
	rm -f $(DESTDIR)$(SYSUSERSDIR)/batch.conf $(DESTDIR)$(TMPFILESDIR)/batch.conf
	rm -f $(DESTDIR)$(DOCDIR)/prometheus/batch-alerts.yml $(DESTDIR)$(DOCDIR)/grafana/batch-dashboard.json
	rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PREFIX)/lib/batch $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)/prometheus \
	  $(DESTDIR)$(DOCDIR)/grafana $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

clean:
	rm -rf .build
