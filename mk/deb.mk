# Debian binary package of the module (packaging/deb/):
#   make deb       build/deb/kamailio-reauth-module_<version>_<arch>.deb
#   make deb-test  install it into the system, check that kamailio loads
#                  reauth.so from the standard module path, remove it again
#                  (if it was not installed before). Not part of make test,
#                  whose test/integration/deb_package.sh checks the package
#                  unpacked under var/ (packaging/deb/test.sh --unpacked)
# Included by the top level Makefile (include mk/deb.mk), whose `build`
# target builds the module against the installed kamailio's source.

DEB_DIR ?= $(CURDIR)/build/deb

.PHONY: deb deb-test

deb: build
	@./packaging/deb/build.sh $(CURDIR)/$(MODULE) $(DEB_DIR)

deb-test: deb
	@./packaging/deb/test.sh $(DEB_DIR)
