-- The study's protocol as ftlab statements (issue 16). Queue it with (after
-- `gunzip -k Reports/study/study.sqlite.gz`, the shipped snapshot, which opens read-only)
--   ftlab --db Reports/study/study.sqlite < Reports/study/study.ftl
-- and run it with `ftlab work --db Reports/study/study.sqlite` (resumable: a killed worker's run
-- is resumed by the next; runs already in the database are never queued twice, and cancelled ones
-- are never queued again).

-- Baselines: zero-shot and 5-shot (fixed shots) on the whole GSM8K test, all four models.
sweep smollm2-135m-instruct, gemma3-270m, qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct on gsm8k with zero-shot, 5-shot name baselines

-- Forgetting probe baselines: PIQA validation, first 500, untouched models.
sweep smollm2-135m-instruct, gemma3-270m, qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct on piqa with zero-shot split validation limit 500 name piqa-baselines

-- Fine-tuning on GSM8K train: 100 steps × batch 8, seq 512, answer-only loss, cosine with 10
-- warm-up steps, clip 1.0; each tuned model evaluated zero-shot on the whole GSM8K test, then on
-- PIQA validation first 500 (the forgetting probe; the second `then eval` is an extra evaluation
-- of the same tuned model, queued as a child of the training run).
-- Full fine-tuning at lr 2e-5 and 1e-4 (seeds 0 and 1 for the two smallest models).
sweep smollm2-135m-instruct, gemma3-270m on gsm8k with full lr 2e-5, 1e-4 seeds 0..1 steps 100 then eval on gsm8k then eval on piqa split validation limit 500 name full-small
sweep qwen2.5-coder-0.5b-instruct on gsm8k with full lr 2e-5, 1e-4 seed 0 steps 100 then eval on gsm8k then eval on piqa split validation limit 500 name full-0.5b
-- LoRA and DoRA at lr 2e-4, r 16, α 32, dropout 0.05, all seven projections (the defaults).
sweep smollm2-135m-instruct, gemma3-270m on gsm8k with lora, dora seeds 0..1 steps 100 then eval on gsm8k then eval on piqa split validation limit 500 name adapters-small
sweep qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct on gsm8k with lora, dora seed 0 steps 100 then eval on gsm8k then eval on piqa split validation limit 500 name adapters-large
-- Full fine-tuning of the 1.5B is refused by the memory plan on this machine (≈ 33 GB needed,
-- 24 GB available); the refusal is the result. It is queued below (sweep full-1.5b-500) so that
-- `ftlab work` records it: status failed, the refusal as the run's error, *failed* in the report.

-- The protocol shrunk (issue 16's rule, in its order), 2026-12-02: about 20 hours of compute
-- were left on this 2-core machine, against about 2.5 hours of compute per working session.
cancel runs where seed = 1 and kind = train because 'protocol shrunk, step 1: seed 1 dropped'
cancel runs where model = 'qwen2.5-coder-1.5b-instruct' and method = dora because 'protocol shrunk, step 2: DoRA on the 1.5B dropped'
cancel runs where model ~ 'qwen*' and kind = train because 'protocol shrunk, step 3: the Qwen models are evaluated on the GSM8K test first 500 (queued again as the -500 sweeps)'
cancel runs where model ~ 'qwen*' and task = gsm8k and kind = eval and parent = null and not (model = 'qwen2.5-coder-0.5b-instruct' and method = zero_shot) because 'protocol shrunk, step 3: the Qwen models are evaluated on the GSM8K test first 500 (queued again as the -500 sweeps)'
-- The Qwen models' baselines and fine-tuning, GSM8K test first 500 (the 0.5B's zero-shot run on
-- all 1,319 questions holds those 500: reports pair every run on the examples both scored).
sweep qwen2.5-coder-1.5b-instruct on gsm8k with zero-shot limit 500 name zero-shot-1.5b-500
sweep qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct on gsm8k with 5-shot limit 500 name five-shot-qwen-500
sweep qwen2.5-coder-0.5b-instruct, qwen2.5-coder-1.5b-instruct on gsm8k with lora seed 0 steps 100 then eval on gsm8k limit 500 then eval on piqa split validation limit 500 name lora-qwen-500
sweep qwen2.5-coder-0.5b-instruct on gsm8k with full lr 2e-5, 1e-4 seed 0 steps 100 then eval on gsm8k limit 500 then eval on piqa split validation limit 500 name full-0.5b-500
sweep qwen2.5-coder-0.5b-instruct on gsm8k with dora seed 0 steps 100 then eval on gsm8k limit 500 then eval on piqa split validation limit 500 name dora-0.5b-500
-- The 1.5B's full fine-tuning, queued to record the memory plan's refusal as its result.
sweep qwen2.5-coder-1.5b-instruct on gsm8k with full lr 2e-5, 1e-4 seed 0 steps 100 then eval on gsm8k limit 500 then eval on piqa split validation limit 500 name full-1.5b-500
-- Their PIQA evaluations can never run (the trainings are refused): off the queue, with the reason.
cancel runs where model = 'qwen2.5-coder-1.5b-instruct' and method = full and kind = eval and task = piqa because 'the PIQA evaluations of the 1.5B full fine-tunes, which the memory plan refused (runs 75, 77)'

-- The report: negative transfer and thresholds on GSM8K, and the PIQA forgetting table (Δ of
-- each tuned model against the untouched model's PIQA), written into this folder. Rerun it after
-- `ftlab work` has finished more runs; it reads only finished runs.
report negative-transfer where task in (gsm8k, piqa) to Reports/study
