# ze: build, run and test. `make help` lists the targets; README.md and
# docs/testing.md explain them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Go from PATH, else where the official tarball installs it.
GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
BIN     := bin
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# Debian packages the tests need: gcc and libc6-dev for `go test -race`, git
# for the version, libyang2-tools for yanglint, python3 for the Python SDK,
# openssh-client and tmux for the shell's tests, iproute2 for the network
# namespaces of the interop tests, and the BGP daemons ze is tested against.
DEB_PACKAGES := gcc libc6-dev git python3 libyang2-tools openssh-client tmux iproute2 \
	bird2 frr gobgpd openbgpd exabgp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# How long each fuzz target runs: 3s within `make test`, 30s for `make fuzz`.
# FUZZ selects targets by a regexp on their name (FUZZ=NLRI make fuzz).
FUZZTIME ?=
FUZZ     ?=

GOLANGCI_LINT_VERSION := v2.15.0
TOOLS         := $(CURDIR)/$(BIN)/tools
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: help build run deps test vet yang generate unit functional fuzz bench lint clean

help:
	@echo "make build       build bin/ze and bin/ze-test"
	@echo "make run         build, then run what ze has today"
	@echo "make deps        install what the tests need (Debian, as root)"
	@echo "make test        vet, unit tests with -race, functional tests, short fuzzing"
	@echo "make yang        check every YANG module (and yang/testdata) with yanglint"
	@echo "make generate    go generate ./... (the ygot structs of yang/)"
	@echo "make functional  build, then run the .ci tests under test/"
	@echo "make fuzz        run every fuzz target for FUZZTIME (default 30s)"
	@echo "make bench       run the benchmarks"
	@echo "make lint        run golangci-lint $(GOLANGCI_LINT_VERSION) (installed into $(BIN)/tools)"
	@echo "make clean       remove $(BIN)/"

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ze ./cmd/ze
	$(GO) build -o $(BIN)/ze-test ./cmd/ze-test

# The daemon does not exist yet: run shows what the binary can do today.
# The appliance on its state directory ./var: the first start makes the
# factory default and prints the admin password once; Ctrl-C stops it.
run: build
	$(BIN)/ze start --state ./var

# Installs only what is missing; with everything present it runs no apt-get.
deps:
	@[ -x "$$(command -v $(GO))" ] || { echo "deps: Go is missing: install Go $$(sed -n 's/^go //p' go.mod) or newer from https://go.dev/dl/" >&2; exit 1; }
	@if ! command -v dpkg-query >/dev/null; then \
		echo "deps: not a Debian system; install by hand: $(DEB_PACKAGES)" >&2; \
	else \
		missing=""; \
		for p in $(DEB_PACKAGES); do \
			dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed$$' || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			echo "deps: installing$$missing"; \
			$(SUDO) apt-get update; \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		fi; \
	fi
	@if [ -s go.sum ]; then $(GO) mod download; fi

test: deps
	$(GO) vet ./...
	@$(MAKE) --no-print-directory yang
	$(GO) test -race -count=1 -timeout 20m ./...
	# Allocation and time-budget tests again without -race, which skews both.
	$(GO) test -count=1 -timeout 10m -run 'Allocs|Budget' ./...
	@$(MAKE) --no-print-directory lint
	FUZZTIME=$(or $(FUZZTIME),3s) FUZZ='$(FUZZ)' GO=$(GO) scripts/fuzz.sh
	@$(MAKE) --no-print-directory build
	$(BIN)/ze-test run test/

vet:
	$(GO) vet ./...

# yanglint must accept every module, core (yang/modules) or a plugin's
# (plugins/**/*.yang), without an error or a warning; the configurations in
# yang/testdata/*.json must validate against them and those in
# yang/testdata/invalid/ must not.
YANG_FILES = $(shell find yang/modules plugins -name '*.yang' 2>/dev/null | sort)
yang:
	@command -v yanglint >/dev/null || { echo "yang: yanglint is missing: run make deps (Debian package libyang2-tools)" >&2; exit 1; }
	@paths="$$(for f in $(YANG_FILES); do echo "-p $$(dirname $$f)"; done | sort -u)"; \
	for f in $(YANG_FILES); do \
		out="$$(yanglint $$paths $$f 2>&1)" || { echo "$$out" >&2; echo "yang: yanglint rejects $$f" >&2; exit 1; }; \
		[ -z "$$out" ] || { echo "$$out" >&2; echo "yang: yanglint warns about $$f" >&2; exit 1; }; \
	done; \
	valid=0; for f in yang/testdata/*.json; do \
		out="$$(yanglint $$paths -t config $(YANG_FILES) $$f 2>&1)" || { echo "$$out" >&2; echo "yang: $$f does not validate" >&2; exit 1; }; \
		[ -z "$$out" ] || { echo "$$out" >&2; echo "yang: yanglint warns about $$f" >&2; exit 1; }; \
		valid=$$((valid+1)); \
	done; \
	invalid=0; for f in yang/testdata/invalid/*.json; do \
		if yanglint $$paths -t config $(YANG_FILES) $$f >/dev/null 2>&1; then echo "yang: $$f validates, but it should not" >&2; exit 1; fi; \
		invalid=$$((invalid+1)); \
	done; \
	echo "yang: $(words $(YANG_FILES)) modules accepted by yanglint; $$valid configurations valid, $$invalid invalid as expected"

# Regenerates the committed *_gen.go files (yang/structs_gen.go from the core
# modules); TestGeneratedUpToDate fails until they are regenerated.
generate:
	$(GO) generate ./...

unit:
	$(GO) test -race -count=1 -timeout 20m ./...

functional: build
	$(BIN)/ze-test run test/

fuzz:
	FUZZTIME=$(or $(FUZZTIME),30s) FUZZ='$(FUZZ)' GO=$(GO) scripts/fuzz.sh

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS)
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS)/golangci-lint $@

clean:
	rm -rf $(BIN)
