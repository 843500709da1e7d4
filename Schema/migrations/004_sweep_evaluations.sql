-- A sweep's evaluations of tuned models (child runs: the evaluation after training, and extra
-- evaluations queued by a second `then eval`) count among its runs: a sweep that only adds a
-- forgetting probe to existing trainings shows those runs, and the status columns show all work
-- left. `trainings` and `evaluations` say how the runs split.
DROP VIEW q_sweeps;
CREATE VIEW q_sweeps AS
SELECT s.id AS id, s.name AS name, s.statement AS statement, s.created_at AS created,
       COUNT(r.id) AS runs,
       SUM(r.status = 'queued') AS queued, SUM(r.status = 'running') AS running,
       SUM(r.status = 'done') AS done, SUM(r.status = 'failed') AS failed,
       SUM(r.status = 'interrupted') AS interrupted,
       SUM(r.kind = 'train') AS trainings, SUM(r.kind = 'eval') AS evaluations
FROM sweeps s LEFT JOIN runs r ON r.sweep_id = s.id
GROUP BY s.id;
