-- ftlab results database, version 1.
-- Every run, its configuration, every per-example prediction, every training step and every
-- checkpoint is a row. Views named q_* are what the query language reads: one view per source,
-- whose column names are the field names users type.

CREATE TABLE models (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL UNIQUE,          -- e.g. smollm2-135m-instruct
    family        TEXT    NOT NULL CHECK (family IN ('llama', 'qwen2', 'gemma3')),
    params        INTEGER NOT NULL CHECK (params > 0),
    path          TEXT    NOT NULL,
    format        TEXT    NOT NULL CHECK (format IN ('gguf', 'safetensors')),
    sha256        TEXT    NOT NULL,
    added_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE datasets (
    id            INTEGER PRIMARY KEY,
    task          TEXT    NOT NULL,                 -- e.g. gsm8k, svamp, synthetic
    split         TEXT    NOT NULL,                 -- train, test, validation
    size          INTEGER NOT NULL CHECK (size >= 0),
    sha256        TEXT    NOT NULL,
    path          TEXT,                             -- NULL for built-in tasks
    added_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (task, split, sha256)
);

CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT    NOT NULL UNIQUE,         -- stable across merged databases
    spec_hash      TEXT    NOT NULL,                -- hash of the canonical spec: reuse finished runs
    parent_run_id  INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    model_id       INTEGER NOT NULL REFERENCES models(id),
    dataset_id     INTEGER NOT NULL REFERENCES datasets(id),
    method         TEXT    NOT NULL CHECK (method IN ('zero_shot', 'few_shot', 'full', 'lora', 'dora')),
    kind           TEXT    NOT NULL DEFAULT 'eval' CHECK (kind IN ('eval', 'train')),
    prompt_format  TEXT,
    shots          INTEGER NOT NULL DEFAULT 0 CHECK (shots >= 0),
    lr             REAL    CHECK (lr IS NULL OR lr > 0),
    rank           INTEGER CHECK (rank IS NULL OR rank > 0),
    alpha          REAL,
    epochs         REAL    CHECK (epochs IS NULL OR epochs > 0),
    steps          INTEGER CHECK (steps IS NULL OR steps >= 0),
    batch_size     INTEGER CHECK (batch_size IS NULL OR batch_size > 0),
    seed           INTEGER NOT NULL DEFAULT 0,
    spec_json      TEXT    NOT NULL CHECK (json_valid(spec_json)),
    status         TEXT    NOT NULL DEFAULT 'running'
                           CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
    error          TEXT,
    engine_version TEXT    NOT NULL,
    host           TEXT    NOT NULL,
    pid            INTEGER,
    threads        INTEGER,
    started_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at    TEXT,
    wall_seconds   REAL,
    tokens_generated INTEGER,
    peak_rss_bytes INTEGER,
    n              INTEGER CHECK (n IS NULL OR n >= 0),
    correct        INTEGER CHECK (correct IS NULL OR (correct >= 0 AND correct <= n)),
    accuracy       REAL    CHECK (accuracy IS NULL OR (accuracy >= 0 AND accuracy <= 1)),
    metrics_json   TEXT    CHECK (metrics_json IS NULL OR json_valid(metrics_json))
);
CREATE INDEX runs_model_method ON runs(model_id, method);
CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_parent ON runs(parent_run_id);
CREATE INDEX runs_spec_hash ON runs(spec_hash);

CREATE TABLE predictions (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    example_index  INTEGER NOT NULL CHECK (example_index >= 0),
    prompt         TEXT,
    output         TEXT    NOT NULL,
    extracted      TEXT,
    gold           TEXT    NOT NULL,
    correct        INTEGER NOT NULL CHECK (correct IN (0, 1)),
    scores_json    TEXT    CHECK (scores_json IS NULL OR json_valid(scores_json)),
    prompt_tokens  INTEGER CHECK (prompt_tokens IS NULL OR prompt_tokens >= 0),
    output_tokens  INTEGER CHECK (output_tokens IS NULL OR output_tokens >= 0),
    seconds        REAL,
    UNIQUE (run_id, example_index)                 -- resume never duplicates an example
);

CREATE TABLE train_steps (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step           INTEGER NOT NULL CHECK (step >= 0),
    loss           REAL    NOT NULL,
    lr             REAL    NOT NULL,
    grad_norm      REAL,
    tokens         INTEGER,
    seconds        REAL,
    UNIQUE (run_id, step)
);

CREATE TABLE checkpoints (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step           INTEGER NOT NULL CHECK (step >= 0),
    path           TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('adapter', 'full', 'optimizer')),
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX checkpoints_run ON checkpoints(run_id);

-- Query-language views. Their column names are the documented field names.
CREATE VIEW q_runs AS
SELECT r.id AS id, r.uuid AS uuid, r.parent_run_id AS parent, m.key AS model, m.family AS family,
       m.params AS params, d.task AS task, d.split AS split, r.method AS method, r.kind AS kind,
       r.prompt_format AS format, r.shots AS shots, r.lr AS lr, r.rank AS rank, r.alpha AS alpha,
       r.epochs AS epochs, r.steps AS steps, r.batch_size AS batch, r.seed AS seed,
       r.status AS status, r.n AS n, r.correct AS correct, r.accuracy AS accuracy,
       r.wall_seconds AS seconds, r.tokens_generated AS tokens, r.peak_rss_bytes AS rss,
       r.engine_version AS engine, r.host AS host, r.started_at AS started,
       r.finished_at AS finished, r.error AS error
FROM runs r JOIN models m ON m.id = r.model_id JOIN datasets d ON d.id = r.dataset_id;

CREATE VIEW q_predictions AS
SELECT p.id AS id, p.run_id AS run, p.example_index AS example, m.key AS model, r.method AS method,
       d.task AS task, r.seed AS seed, p.output AS output, p.extracted AS extracted, p.gold AS gold,
       p.correct AS correct, p.prompt_tokens AS prompt_tokens, p.output_tokens AS output_tokens,
       p.seconds AS seconds, p.prompt AS prompt
FROM predictions p JOIN runs r ON r.id = p.run_id JOIN models m ON m.id = r.model_id
JOIN datasets d ON d.id = r.dataset_id;

CREATE VIEW q_steps AS
SELECT s.id AS id, s.run_id AS run, m.key AS model, r.method AS method, s.step AS step,
       s.loss AS loss, s.lr AS lr, s.grad_norm AS grad_norm, s.tokens AS tokens, s.seconds AS seconds
FROM train_steps s JOIN runs r ON r.id = s.run_id JOIN models m ON m.id = r.model_id;

CREATE VIEW q_models AS
SELECT id, key AS model, family, params, format, path, sha256 AS hash, added_at AS added FROM models;

CREATE VIEW q_datasets AS
SELECT id, task, split, size, sha256 AS hash, path, added_at AS added FROM datasets;
