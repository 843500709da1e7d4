# The two commands: `make run` (the REPL, release build) and `make test` (the whole test suite).
SWIFT_TEST_FLAGS ?= -c release -Xswiftc -enable-testing

.PHONY: run test build models
run: build
	./.build/release/ftlab $(ARGS)

build:
	@Scripts/setup
	swift build -c release --product ftlab

# Real-model tests need the three GGUF files (about 850 MB, cached in $$FTLAB_HOME).
models:
	@Scripts/setup
	Scripts/fetch-models

test: models
	swift build -c release --product ftlab
	swift test $(SWIFT_TEST_FLAGS)
