-- ftlab results database, version 3: adapters as models.
-- A PEFT adapter directory registered with `models add DIR [on BASE]` is a row of `models` (its
-- path the adapter directory, format 'safetensors', sha256 of its two files) that names the
-- model it adapts; evaluating its key runs the base with the adapter merged. NULL for every
-- ordinary model. q_models shows the base's key as the field `base`.

ALTER TABLE models ADD COLUMN base_model_id INTEGER REFERENCES models(id);

DROP VIEW q_models;
CREATE VIEW q_models AS
SELECT m.id AS id, m.key AS model, m.family AS family, m.params AS params, m.format AS format,
       m.path AS path, m.sha256 AS hash, m.added_at AS added, b.key AS base
FROM models m LEFT JOIN models b ON b.id = m.base_model_id;
