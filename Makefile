# batch — build, test, demo and install.
#   make check     install what the tests need, build, run the whole suite
#   make demo      a private Redis, the three daemons and batchtop on etc/demo
#   make install   binaries, man pages, configuration and units under $(PREFIX)
PREFIX ?= /usr/local
SWIFT ?= swift
CONFIG ?= release
# Release builds link the Swift libraries statically (see scripts/release-build.sh):
# an idle batch-worker stays near 13 MB resident instead of 17 MB.
RELEASE_BUILD = SWIFT="$(SWIFT)" CONFIG="$(CONFIG)" scripts/release-build.sh
PRODUCTS = batch-gateway batch-worker batch-scheduler batchctl batchtop

.PHONY: all build check demo install clean

all: build

build:
	scripts/deps.sh build
	for p in $(PRODUCTS); do $(RELEASE_BUILD) --product $$p || exit 1; done

check:
	scripts/deps.sh test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo:
	scripts/deps.sh demo
	for p in $(PRODUCTS); do $(RELEASE_BUILD) --product $$p || exit 1; done
	scripts/demo.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	bin=$$($(RELEASE_BUILD) --show-bin-path) && for p in $(PRODUCTS); do \
	  install -m 0755 $$bin/$$p $(DESTDIR)$(PREFIX)/bin/$$p || exit 1; done
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)/etc/batch/jobs.d $(DESTDIR)/etc/batch/schedules.d $(DESTDIR)/usr/lib/batch/libexec
	[ -e $(DESTDIR)/etc/batch/batch.conf ] || install -m 0644 etc/batch/batch.conf $(DESTDIR)/etc/batch/batch.conf
	install -m 0755 etc/batch/libexec/report $(DESTDIR)/usr/lib/batch/libexec/report
	install -d $(DESTDIR)$(PREFIX)/share/doc/batch/examples
	install -m 0644 etc/batch/jobs.d/examples.conf $(DESTDIR)$(PREFIX)/share/doc/batch/examples/jobs.conf
	install -m 0644 etc/batch/schedules.d/examples.conf $(DESTDIR)$(PREFIX)/share/doc/batch/examples/schedules.conf
	install -D -m 0644 etc/prometheus/batch-alerts.yml $(DESTDIR)$(PREFIX)/share/doc/batch/prometheus/batch-alerts.yml
	install -D -m 0644 etc/grafana/batch-dashboard.json $(DESTDIR)$(PREFIX)/share/doc/batch/grafana/batch-dashboard.json
	install -d $(DESTDIR)/lib/systemd/system
	install -m 0644 etc/systemd/*.service $(DESTDIR)/lib/systemd/system/
	# The units run as the system user "batch"; make it when installing for real.
	if [ -z "$(DESTDIR)" ] && ! id -u batch >/dev/null 2>&1; then \
	  useradd --system --home-dir /var/lib/batch --no-create-home --shell /usr/sbin/nologin batch; fi

clean:
	rm -rf .build
