# The two commands: `make demo` (the packaged study: runs, report) and `make test` (every test).
# `make run` opens the REPL. All build in release.
# Tests run in release (numeric code is 10–50× slower in debug); building ftlab with the same
# flags as the tests lets the two share one build.
TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: demo run test build models setup slurm-test
setup:
	@Scripts/setup

run: setup
	swift build -c release --product ftlab
	./.build/release/ftlab $(ARGS)

demo: setup
	swift build -c release --product ftlab
	./.build/release/ftlab demo $(ARGS)

# Real-model tests need the four GGUF files (about 2 GB, fetched once into $$FTLAB_HOME).
models: setup
	swift build $(TEST_FLAGS) --product ftlab
	FTLAB_BIN=.build/release/ftlab Scripts/fetch-models

test: models
	swift test $(TEST_FLAGS)

# The Slurm path on a real one-node cluster (Scripts/slurm-local: installs slurm-wlm and munge,
# starts daemons; needs root). Not part of `make test`.
slurm-test: models
	FTLAB_SLURM_TEST=1 swift test $(TEST_FLAGS) --filter SlurmSweepTests
