# Depesche — the two commands: `make run` and `make test`. See README.md.
BUILD      ?= build
BUILD_ASAN ?= build-asan
DATA       ?= data
LISTEN     ?= 127.0.0.1:8080
BIN         = $(BUILD)/depesche

.PHONY: all deps run test unit bench clean

all: $(BIN)

deps:
	@scripts/deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release

$(BIN): deps $(BUILD)/build.ninja FORCE
	ninja -C $(BUILD)

FORCE:

$(BUILD_ASAN)/build.ninja:
	meson setup $(BUILD_ASAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

run: $(BIN)
	@if [ ! -f "$(DATA)/site.json" ]; then \
	  $(BIN) --data "$(DATA)" init --title "Depesche Demo" --base-url "http://$(LISTEN)" && \
	  scripts/demo.sh "$(BIN)" "$(DATA)"; \
	fi
	$(BIN) --data "$(DATA)" serve --listen "$(LISTEN)"

# Everything CI runs: unit tests (plain and ASan+UBSan), the Mustache spec,
# integration tests against the real binary in both builds, browser checks.
test:
	@scripts/deps.sh test
	@[ -d tests/browser/node_modules ] || (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund)
	@$(MAKE) --no-print-directory $(BIN) $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)
	/usr/bin/python3 tests/run_all.py --build $(BUILD) --asan-build $(BUILD_ASAN)

bench: $(BIN)
	bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
