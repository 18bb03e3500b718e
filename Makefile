# reauth: network-initiated re-authentication for Kamailio
#
#   make run    install what is missing, build, start Kamailio with the module
#   make test   install what is missing, build, run every test
#   make demo   re-authentication end to end, with ladder diagrams
#   make doc    the module README from doc/*.xml
#   make cluster  two nodes (dmq, HTTP JSON-RPC, Prometheus) on PostgreSQL
#   make bench  benchmarks (not tests)
#   make deb    Debian package kamailio-reauth-module (make deb-test)
#
# KAMAILIO_SRC=DIR builds against a Kamailio source tree you already have
# (it must be the version of the installed kamailio binary).

KAMAILIO_SRC ?= $(CURDIR)/build/kamailio
LISTEN ?= udp:127.0.0.1:5060
VAR := $(CURDIR)/var
KAM_MODULES ?= /usr/lib/$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)/kamailio/modules
export KAM_MODULES
MODULE := modules/reauth/reauth.so
# Debian links kamailio's modules with these (debian/rules: hardening=+all)
DEB_LDFLAGS := $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS 2>/dev/null)

.PHONY: all deps build run test unit integration doc bench demo format fuzz clean distclean \
	cluster cluster-stop

include mk/deb.mk

all: build

deps:
	@KAMAILIO_SRC=$(filter-out $(CURDIR)/build/kamailio,$(KAMAILIO_SRC)) ./scripts/deps.sh
	@./scripts/kamailio-cfg.sh $(KAMAILIO_SRC)

build: $(MODULE)

$(MODULE): $(wildcard modules/reauth/*.c modules/reauth/*.h modules/reauth/pure/*.c modules/reauth/pure/*.h) modules/reauth/Makefile
	@test -f $(KAMAILIO_SRC)/src/config.mak || $(MAKE) --no-print-directory deps
	$(MAKE) -C modules/reauth COREPATH=$(KAMAILIO_SRC)/src quiet=silent \
		LD_EXTRA_OPTS="$(DEB_LDFLAGS)"

run: deps build
	@mkdir -p $(VAR)/run
	@./scripts/db-init.sh $(VAR)/kamailio.sqlite $(VAR)/reauth.sqlite
	@echo "kamailio on $(LISTEN); in another shell: kamcmd -s unix:$(VAR)/run/kamailio_ctl reauth.user sip:alice@ims.test"
	exec kamailio -DD -E -x tlsf -f etc/kamailio.cfg -L $(CURDIR)/modules/reauth:$(KAM_MODULES) \
		-Y $(VAR)/run -A 'LISTEN=$(LISTEN)' -A 'DBURL="sqlite://$(VAR)/kamailio.sqlite"' \
		-A 'REAUTH_DBURL="sqlite://$(VAR)/reauth.sqlite"' \
		-A 'CTL_SOCKET="unix:$(VAR)/run/kamailio_ctl"'

# Two S-CSCF nodes (dmq, dmq_usrloc, HTTP JSON-RPC, /metrics) on a private
# PostgreSQL, all on loopback; Ctrl-C or `make cluster-stop` stops it all
cluster: deps build
	@./scripts/cluster.sh run

cluster-stop:
	@./scripts/cluster.sh stop

test: deps build
	@./test/run.sh

unit:
	$(MAKE) -C test/unit check

integration: build
	@./test/run.sh integration

# Benchmarks, not tests (results in var/bench/): reauth's reg event
# notifier side by side with Kamailio's presence/pua stack (N=5000), and
# mass re-authentication next to the raw OPTIONS rate of the same Kamailio
# (N=10000 and 100000), steady-rate latency and memory growth; then a pool
# of two nodes on PostgreSQL next to one node on sqlite, the same notifier
# (N=5000) and mass re-authentication (N=10000) workloads, and the KDMQ
# messages per NOTIFY (var/bench/cluster-results.txt); about 25 minutes
# on 2 CPUs. make bench BENCH_QUICK=1: a quick development run.
BENCH_N ?= $(if $(filter 1,$(BENCH_QUICK)),,5000)
bench: deps build
	@./scripts/deps.sh bench
	@./test/bench/run.sh $(BENCH_N)
	@if [ -x test/bench/reauth_bench.sh ]; then ./test/bench/reauth_bench.sh; fi
	@./test/bench/cluster_bench.sh $(BENCH_N)

# Re-authentication end to end, success and failure, with SIP ladder
# diagrams from the captured messages (var/demo/*.txt, *.svg, *.png)
demo: deps build
	@./demo/run.sh

# The module README is generated from doc/*.xml with Kamailio's own docbook
# rules (in the unpacked source) and committed, as Kamailio does.
DOC_STAGE := $(KAMAILIO_SRC)/src/modules/reauth/doc
doc: deps
	@./scripts/deps.sh doc
	@mkdir -p $(DOC_STAGE)
	@cp doc/reauth.xml doc/reauth_admin.xml doc/reauth_devel.xml $(DOC_STAGE)/
	@printf 'docs = reauth.xml\n\ndocbook_dir = ../../../../doc/docbook\ninclude $$(docbook_dir)/Makefile.module\n' >$(DOC_STAGE)/Makefile
	@rm -f $(DOC_STAGE)/../README
	$(MAKE) --no-print-directory -s -C $(DOC_STAGE) README >/dev/null
	@cp $(DOC_STAGE)/../README modules/reauth/README
	@echo "doc: modules/reauth/README ($$(wc -l <modules/reauth/README) lines)"

# libFuzzer on pure/'s parsers and builder (not a test): make fuzz [FUZZ_SECONDS=60]
FUZZ_SECONDS ?= 60
fuzz: deps
	@mkdir -p build/fuzz
	clang -g -O1 -fsanitize=fuzzer,address,undefined $$(pkg-config --cflags libxml-2.0) \
		-o build/fuzz/fuzz_core test/fuzz/fuzz_core.c modules/reauth/pure/*.c \
		$$(pkg-config --libs libxml-2.0)
	@mkdir -p build/fuzz/corpus
	@build/fuzz/fuzz_core -max_total_time=$(FUZZ_SECONDS) -max_len=4096 build/fuzz/corpus \
		>build/fuzz/fuzz.log 2>&1; rc=$$?; tail -2 build/fuzz/fuzz.log; exit $$rc

# Kamailio's own clang-format style (from the unpacked source)
format: deps
	clang-format -i --style=file:$(KAMAILIO_SRC)/.clang-format \
		modules/reauth/*.[ch] modules/reauth/pure/*.[ch]

clean:
	-$(MAKE) -C modules/reauth COREPATH=$(KAMAILIO_SRC)/src clean >/dev/null 2>&1
	rm -f modules/reauth/*.o modules/reauth/*.d modules/reauth/pure/*.o modules/reauth/pure/*.d modules/reauth/*.so
	-$(MAKE) -C test/unit clean
	rm -f test/apimod/*.o test/apimod/*.d test/apimod/*.so test/apimod/*.lst
	rm -rf $(VAR)/test

# (a cluster still running is stopped first; pg.sh destroy also removes
# PostgreSQL data kept outside the checkout, see scripts/pg.sh)
distclean: clean
	@if [ -d $(VAR)/pg ]; then ./scripts/cluster.sh stop >/dev/null; ./scripts/pg.sh destroy >/dev/null; fi
	rm -rf build $(VAR)
