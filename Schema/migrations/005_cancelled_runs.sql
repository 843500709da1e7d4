-- ftlab results database, version 5: cancelled runs.
-- `cancel run N` / `cancel runs where …` takes queued or interrupted runs off the work queue
-- without deleting them: the row keeps its spec, its sweep and the reason (in `error`), so a
-- study that is shrunk part-way (fewer seeds, fewer questions) says in its database and its
-- report what was planned and dropped, and a sweep typed again does not queue the point anew.
-- `resume run N` still runs a cancelled run. SQLite cannot change a CHECK constraint in place,
-- so `runs` is rebuilt as in 002 (GRDB runs each migration with foreign keys off and checks them
-- all before committing); the views that read it are dropped and made again.

DROP VIEW q_runs;
DROP VIEW q_predictions;
DROP VIEW q_steps;
DROP VIEW q_sweeps;

CREATE TABLE runs_v5 (
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
                           CHECK (status IN ('queued', 'running', 'done', 'failed', 'interrupted', 'cancelled')),
    error          TEXT,                            -- the failure, or why the run was cancelled
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
    metrics_json   TEXT    CHECK (metrics_json IS NULL OR json_valid(metrics_json)),
    sweep_id       INTEGER REFERENCES sweeps(id) ON DELETE SET NULL   -- the sweep that queued it
);

INSERT INTO runs_v5 SELECT id, uuid, spec_hash, parent_run_id, model_id, dataset_id, method, kind, prompt_format,
    shots, lr, rank, alpha, epochs, steps, batch_size, seed, spec_json, status, error, engine_version, host, pid,
    threads, started_at, finished_at, wall_seconds, tokens_generated, peak_rss_bytes, n, correct, accuracy,
    metrics_json, sweep_id FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v5 RENAME TO runs;
CREATE INDEX runs_model_method ON runs(model_id, method);
CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_parent ON runs(parent_run_id);
CREATE INDEX runs_spec_hash ON runs(spec_hash);
CREATE INDEX runs_sweep ON runs(sweep_id);

CREATE VIEW q_runs AS
SELECT r.id AS id, r.uuid AS uuid, r.parent_run_id AS parent, m.key AS model, m.family AS family,
       m.params AS params, d.task AS task, d.split AS split, r.method AS method, r.kind AS kind,
       r.prompt_format AS format, r.shots AS shots, r.lr AS lr, r.rank AS rank, r.alpha AS alpha,
       r.epochs AS epochs, r.steps AS steps, r.batch_size AS batch, r.seed AS seed,
       r.status AS status, r.n AS n, r.correct AS correct, r.accuracy AS accuracy,
       r.wall_seconds AS seconds, r.tokens_generated AS tokens, r.peak_rss_bytes AS rss,
       r.engine_version AS engine, r.host AS host, r.started_at AS started,
       r.finished_at AS finished, r.error AS error, r.sweep_id AS sweep
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

CREATE VIEW q_sweeps AS
SELECT s.id AS id, s.name AS name, s.statement AS statement, s.created_at AS created,
       COUNT(r.id) AS runs,
       SUM(r.status = 'queued') AS queued, SUM(r.status = 'running') AS running,
       SUM(r.status = 'done') AS done, SUM(r.status = 'failed') AS failed,
       SUM(r.status = 'interrupted') AS interrupted, SUM(r.status = 'cancelled') AS cancelled,
       SUM(r.kind = 'train') AS trainings, SUM(r.kind = 'eval') AS evaluations
FROM sweeps s LEFT JOIN runs r ON r.sweep_id = s.id
GROUP BY s.id;
