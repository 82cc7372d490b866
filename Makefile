# Vellum's task runner. The two commands a newcomer needs:
#   make run    start Vellum on http://127.0.0.1:3000 (SQLite, demo content)
#   make test   every check and test: format, lints, unit, store, HTTP, browser
# Both install what is missing first (see .ci/setup).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Build output lives outside the clone, so fresh clones (and CI) reuse it.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/vellum/target
export PATH := $(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= always

SITE_ROOT := $(CURDIR)/target/site
VELLUM := $(CARGO_TARGET_DIR)/debug/vellum
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432

.PHONY: help run test setup build editor passkeys editor-test release lint fmt unit fuzz api-fuzz api-client deploy-guide e2e postgres-check bench bench-editor

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-15s %s\n", $$1, $$2 }'

run: setup build ## start Vellum on http://127.0.0.1:3000 with SQLite and demo content
	LEPTOS_SITE_ROOT=$(SITE_ROOT) $(VELLUM) serve --demo

test: ## run every check and test (what CI runs)
	.ci/setup --browser
	.ci/prune-target
	$(MAKE) lint
	$(MAKE) build
	$(MAKE) unit
	$(MAKE) api-fuzz
	$(MAKE) api-client
	$(MAKE) deploy-guide
	$(MAKE) editor-test
	$(MAKE) e2e
	@echo "All checks and tests passed."

setup: ## install the toolchain pieces that are missing
	.ci/setup

build: ## build the server and the wasm front end (debug) into target/site (.ci/build-site)
	.ci/build-site
	$(MAKE) editor
	$(MAKE) passkeys

editor-test: ## the visual editor's own tests: round trips, commands, random documents (Node); editing and paste (Chromium)
	cd frontend/editor && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm test && npm run build && npm run test:browser

editor: ## build the visual editor's engine (frontend/editor, pinned npm packages) into the site's pkg folder
	cd frontend/editor && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build
	mkdir -p $(SITE_ROOT)/pkg
	cp frontend/editor/dist/vellum-editor.js frontend/editor/dist/vellum-editor.css $(SITE_ROOT)/pkg/
	@# An older release's compressed copies would be served instead.
	rm -f $(SITE_ROOT)/pkg/vellum-editor.{js,css}.{br,gz}

passkeys: ## build the passkeys' browser half (frontend/passkeys, pinned @simplewebauthn/browser) into the site's pkg folder
	cd frontend/passkeys && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build
	mkdir -p $(SITE_ROOT)/pkg
	cp frontend/passkeys/dist/vellum-passkeys.js $(SITE_ROOT)/pkg/
	rm -f $(SITE_ROOT)/pkg/vellum-passkeys.js.{br,gz}

release: setup ## build an optimised binary and site folder for deployment
	.ci/build-site --release
	$(MAKE) editor
	$(MAKE) passkeys
	node .ci/precompress.mjs $(SITE_ROOT)/pkg
	@echo "Binary: $(CARGO_TARGET_DIR)/release/vellum   Site folder: $(SITE_ROOT)"

fmt: ## format the code
	cargo fmt --all

lint: ## rustfmt and clippy (server build and wasm build)
	cargo fmt --all --check
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

postgres-check:
	@if (exec 3<>/dev/tcp/$(PG_HOST)/$(PG_PORT)) 2>/dev/null; then \
	  echo "PostgreSQL answers at $(PG_HOST):$(PG_PORT): store and HTTP tests run on both databases."; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "PostgreSQL is required when CI=true, but nothing answers at $(PG_HOST):$(PG_PORT)." >&2; exit 1; \
	else \
	  echo; echo "*************************************************************************"; \
	  echo "*** SKIPPED: PostgreSQL tests (nothing answers at $(PG_HOST):$(PG_PORT))"; \
	  echo "*************************************************************************"; echo; \
	fi

unit: postgres-check ## unit, store and HTTP integration tests (media on a folder and on S3, via moto; email through aiosmtpd)
	tests/smtp-sink-venv.sh >/dev/null
	tests/with-s3.sh cargo test -p app -p server
	@# A failed test can leave its database behind; sweep them up.
	@if command -v psql >/dev/null && (exec 3<>/dev/tcp/$(PG_HOST)/$(PG_PORT)) 2>/dev/null; then \
	  psql -h $(PG_HOST) -p $(PG_PORT) -U postgres -d postgres -Atc \
	    "SELECT datname FROM pg_database WHERE datname LIKE 'vellum_test_%'" 2>/dev/null | \
	  while read -r db; do psql -h $(PG_HOST) -p $(PG_PORT) -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; done; \
	fi

# The property tests (modules named `props` and `render_props`) run with
# 64 cases each in `make unit`; here with many more, in a release build.
FUZZ_CASES ?= 20000
fuzz: ## the property tests (renderer, importers, slugs) long: 20000 cases each, or FUZZ_CASES=N (release build)
	PROPTEST_CASES=$(FUZZ_CASES) cargo test --release -p app -p server --lib props

api-fuzz: ## schemathesis against the content API's OpenAPI document (needs `make build`)
	VELLUM_BIN=$(VELLUM) tests/schemathesis.sh

api-client: ## lint the OpenAPI document (Spectral), generate a TypeScript client and run it (needs `make build`)
	VELLUM_BIN=$(VELLUM) tests/api-client.sh

deploy-guide: ## follow docs/deployment.md's nginx and certbot steps in a throwaway nginx tree (nginx -t before and after certbot)
	tests/deployment-guide.sh

e2e: ## browser tests in headless Chromium (needs `make build`)
	cd tests/e2e && VELLUM_BIN=$(VELLUM) VELLUM_SITE_ROOT=$(SITE_ROOT) npm test

bench: ## benchmark a release build against nginx (needs wrk and nginx); prints Markdown
	cargo build --release -p server
	tests/bench/run.py --binary $(CARGO_TARGET_DIR)/release/vellum
	$(MAKE) bench-editor

bench-editor: release ## the editor page's time to the first keystroke (release build, Chromium) and the editing engine's size; prints Markdown
	cd tests/e2e && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }
	VELLUM_BIN=$(CARGO_TARGET_DIR)/release/vellum VELLUM_SITE_ROOT=$(SITE_ROOT) node tests/bench/editor.mjs
