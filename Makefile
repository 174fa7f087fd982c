# Auronex: `make dev` runs the product locally, `make test` runs every test.
PORT ?= 8787
export PORT

.PHONY: setup build dev test deploy fmt bench-load

setup:
	scripts/setup.sh

build: setup
	scripts/build.sh

# `make dev OFFLINE=1` serves market data from the local exchange simulator.
dev:
	OFFLINE=$(OFFLINE) scripts/dev.sh

test:
	scripts/test.sh

# Load at increasing concurrency against a local deployment (installs wrk itself).
bench-load: setup
	bench/load/run.sh

deploy: build
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" wrangler d1 migrations apply DB --remote
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" wrangler deploy

fmt:
	cargo fmt --all
