# The two commands: `make run` (the REPL, release build) and `make test` (the whole test suite).
# Tests run in release (numeric code is 10–50× slower in debug); building ftlab with the same
# flags as the tests lets the two share one build.
TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: run test build models setup
setup:
	@Scripts/setup

run: setup
	swift build -c release --product ftlab
	./.build/release/ftlab $(ARGS)

# Real-model tests need the three GGUF files (about 850 MB, fetched once into $$FTLAB_HOME).
models: setup
	swift build $(TEST_FLAGS) --product ftlab
	FTLAB_BIN=.build/release/ftlab Scripts/fetch-models

test: models
	swift test $(TEST_FLAGS)
