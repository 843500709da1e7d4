/// The text of `.help [topic]`. Kept beside the language so the two change together.
enum HelpText {
    static let topics = ["queries", "fields", "pivots", "runs", "reports", "import", "dot", "examples"]

    static func text(for topic: String?, fields: [(source: String, names: [String])]) -> String? {
        switch topic?.lowercased() {
        case nil, "", "help": return overview
        case "queries", "query", "where": return queries
        case "fields", "field": return fieldsText(fields)
        case "pivots", "pivot", "accuracy", "count": return pivots
        case "runs", "eval", "train", "resume", "cancel": return runsHelp
        case "reports", "report", "compare": return reports
        case "import", "lm-eval", "peft", "adapters": return importHelp
        case "dot", "commands", "dot-commands": return dot
        case "examples", "example": return examples
        default: return nil
        }
    }

    static let overview = """
    ftlab — query and run fine-tuning experiments on small language models.

    Statements (end with Enter; several on a line with ';'):
      runs | predictions | steps | models | datasets  [select …] [where …] [order by …] [limit N]
      show run N                    every field of one run
      predictions of run N [where …]
      accuracy by FIELD[, FIELD]    pivot: mean accuracy of finished runs (over seeds), with n
      count by FIELD[, FIELD]       pivot: number of runs
      eval MODEL on TASK [options]  evaluate a model; every prediction is stored (Ctrl-C keeps them)
      train MODEL on TASK with full|lora|dora [options] [then eval on TASK [options]]
                                    fine-tune, store every step, evaluate the tuned model
      resume run N                  finish an interrupted evaluation or training run
      cancel run N[, M …] | cancel runs where … [because 'why']
                                    take queued runs off the work queue (kept, with the reason)
      report negative-transfer|thresholds [where …] [to DIR] [format md|latex|all]
                                    analyse runs; write report.md, CSVs and SVG plots, and
                                    report.tex, table-*.tex and PDF figures, to DIR
      report run N                  one run: accuracy with interval, rules, parent/children
      compare run A with run B      example by example: counts, Δ, bootstrap interval, McNemar p
      import lm-eval PATH [as MODEL]
                                    lm-evaluation-harness output (--log_samples) as finished runs

    Help topics: .help queries | fields | pivots | runs | reports | import | dot | examples
    Dot-commands: .help dot      Quit: .quit or Ctrl-D      Abandon a line: Ctrl-C

    """

    static let queries = """
    Queries
      SOURCE [select f1, f2, …] [where EXPR] [order by f [asc|desc], …] [limit N]
      SOURCE is runs, predictions, steps, models or datasets.

    EXPR
      field = value     != < <= > >=     field ~ glob (e.g. model ~ 'smollm*')
      field in (v1, v2, …)     field not in (…)     field = null / != null
      and, or, not, ( … )      and binds tighter than or
    Values: numbers (3, 0.1, 2e-4), bare words (lora, gsm8k, qwen2.5-coder-0.5b-instruct) or
    quoted strings ('a b', "it's"). Values are always passed to SQLite as parameters.

    Raw SQL (read-only): .sql SELECT … FROM q_runs …   (views q_runs, q_predictions, q_steps,
    q_models, q_datasets have the same columns as the sources; tables: .tables, .schema)

    """

    static let pivots = """
    Pivots
      accuracy by model, method [where …]
        rows = every field but the last, columns = values of the last field; each cell is the
        mean accuracy over the runs (seeds) in it, with n = number of runs. Only finished runs
        count (an interrupted run's accuracy is over the questions answered so far) unless the
        filter names `status` itself, e.g. `where status in (done, interrupted)`. In csv/json
        modes the pivot is printed in long form (one row per cell: fields…, accuracy, n).
      count by method, status [where …]
        the number of runs in each cell.

    """

    static let reports = """
    Reports
      report negative-transfer [where EXPR] [to DIR] [format md|latex|all]
        Δ of every method against the same model's zero-shot run on the same examples (paired per
        seed), bootstrap 95 % interval, exact McNemar p, verdicts, flipped examples, thresholds,
        the generation budget (answers cut off at the token cap; Δ split by whether the
        zero-shot answer finished) and, on GSM8K, reasoning depth (accuracy and Δ by the steps
        of the reference solution, read from the data file the runs scored; DoRA against LoRA
        by depth).
      report thresholds [where EXPR] [to DIR] [format md|latex|all]
        Δ against log10(parameters) per method and where it crosses zero (interpolated).
        Both write to DIR (default Reports/out/<time>-<report>/): format md: report.md,
        runs.csv, summary.csv, depth.csv, accuracy.svg, delta.svg; format latex: runs.csv,
        summary.csv, depth.csv, report.tex (compiles with pdflatex), table-accuracy.tex, table-delta.tex,
        table-thresholds.tex (booktabs, to \\input in a paper), accuracy.pdf, delta.pdf;
        format all (the default): both. EXPR is a runs filter, as in `runs where …`;
        a selected model without its own zero-shot run gets, as baseline, the zero-shot
        runs that scored the same examples.
      report run N
        the run, its accuracy with a Wilson 95 % interval, accuracy per scoring rule, and its
        training parent or evaluation children.
      compare run A with run B
        the examples both runs scored: both right / A only / B only / both wrong, Δ = B − A with
        a paired bootstrap 95 % interval, exact McNemar p, then the examples that flipped.

    """

    static let runsHelp = """
    Runs
      eval MODEL on TASK [split S] [shots K] [fixed] [chat] [limit N] [seed S] [max-tokens T]
                         [batch W] [fp32]
        MODEL      catalog key (ftlab models), a name from `models add`, or a .gguf path
        TASK       gsm8k svamp asdiv mawps multiarith addsub singleeq orcamath aqua piqa
                   commonsenseqa synthetic (.datasets lists splits, sizes, hashes)
        split S    default: the task's evaluation split (gsm8k: test, piqa: validation)
        shots K    K worked examples from the train split before each question (default 0)
        fixed      the same K shots for every question (shared prefix, computed once)
        chat       through the model's chat template, shots as earlier turns
        limit N    the first N examples          seed S  few-shot draw (default 0)
        max-tokens T  generated tokens per answer (default 256)
        batch W    rows decoded at once (default 32); a finished row takes the next question at
                   once (continuous batching); outputs do not depend on W
        fp32       run on fp32 weights (the reference path) instead of the GGUF's quantized blocks
      Generation tasks store strict (#### N), flexible (last number) and numeric scores;
      multiple-choice tasks store acc and acc_norm (log-likelihood of each choice).

      train MODEL on TASK with full|lora|dora [options] [then eval on TASK [eval options]]
        r N (16)  alpha A (32)  dropout D (0.05)  targets q,k,v,o,gate,up,down (all)  rslora
        lr X (full 2e-5, adapters 2e-4)  wd X (0)  warmup N (10 steps)
        schedule cosine|linear|constant (cosine)  epochs N (1) | steps N  batch N (8)  accum N (1)
        seq N (512 tokens; longer examples are truncated and counted)  limit N  seed S (0)
        clip X (max gradient norm, 1.0)  freeze-embeddings (full only)
        fp32 (lora/dora: train on the fp32 base; default: the base stays in its quantized blocks)
        checkpoint-every N (100 steps; and at least every 10 minutes of training)
        recompute on|off (recompute each layer's activations in the backward pass; default: on
                   only when stored activations would not fit the memory available)
      The run's peak memory is estimated first and printed; a run that cannot fit the memory
      available (MemAvailable, or `ftlab --memory 8G`) is refused before anything loads.
      Every step's loss, lr, gradient norm and tokens go to `steps`; checkpoints (PEFT layout
      for adapters) under $FTLAB_HOME/checkpoints/. Ctrl-C saves a checkpoint.

      resume run N   continue an interrupted run: an evaluation from its first missing example,
                     a training run from its last checkpoint (then its evaluation)

      sweep MODEL, … on TASK with METHOD, … [lr X, …] [seeds A..B] [options] [then eval …]
            [name NAME] [emit slurm DIR]
        a grid of runs, queued (methods: full, lora, dora, zero-shot, K-shot); runs already in the
        database are reused. `ftlab work [-j N]` runs the queue; `emit slurm DIR` writes a job
        array with one shard database per task, merged back by `ftlab merge DIR/shards/*.sqlite`.
      sweep status N   the sweep's runs; `sweeps` lists sweeps by status

      cancel run N[, M …] [because 'why']
      cancel runs where CONDITION [because 'why']
        queued or interrupted runs leave the work queue: workers never claim them, the row stays
        (status cancelled, the reason in `error`), their queued evaluations are cancelled with
        them, reports list them with the reason, and typing the sweep again does not queue them
        anew. Done, failed and running runs are left alone. `resume run N` runs a cancelled run.

    """

    static let importHelp = """
    Runs and adapters made elsewhere
      import lm-eval PATH [as MODEL]     (also: ftlab import lm-eval PATH [--as MODEL])
        PATH is an lm-evaluation-harness --output_path folder (0.4.x: results_*.json, and
        samples_<task>_*.jsonl from --log_samples; sub-folders per model are searched) or one
        results file. Each (model, task) becomes a finished eval run: engine `lm-eval <version>`,
        num_fewshot as shots (zero_shot / few_shot), one prediction per sample with the harness's
        output, extracted answers and correctness — not re-scored. Rules: gsm8k strict-match →
        strict, flexible-extract → flexible (other filters keep their names); multiple choice
        (piqa, arc, hellaswag-style) acc, acc_norm. Documents are matched to ftlab's dataset
        indices by question text, so `compare run A with run B` pairs an imported run with a
        native one; documents ftlab's copy lacks are counted, named and left out. A harness
        task named TASK or TASK_… is ftlab's TASK; any other task is refused by name (the folder's
        other tasks are imported). MODEL: the ftlab model the harness ran (default: the names
        in its model_args — gguf_file, pretrained — that are registered or catalog keys).
        Importing the same files again changes nothing (the run's uuid is their content hash);
        a malformed file is an error naming file and line, and nothing is written.
      ftlab models add ADAPTER-DIR [on BASE] [--key K]
        a PEFT adapter directory (adapter_config.json + adapter_model.safetensors, LoRA or DoRA,
        made by PEFT or by ftlab's training) on the model its base_model_name_or_path names (a
        registered key, a catalog key or a path) or on BASE. `eval K on TASK …` runs the base
        with the adapter merged (fp32); `models` lists it with its `base`.

    """

    static let dot = """
    Dot-commands
      .help [topic]            this help; topics: queries fields pivots runs reports import dot examples
      .tables                  tables and query views in the database
      .schema [table]          CREATE statements
      .mode MODE               table | markdown | latex | csv | json | line
                               (latex: a booktabs tabular headed by `% generated by ftlab: …`;
                               numbers print by field: accuracy 3 decimals, seconds 1, loss 4;
                               csv and json keep the raw values)
      .headers on|off          column headers in table, markdown and csv modes
      .output [FILE]           send results to FILE (no FILE: back to the terminal)
      .once FILE               send only the next result to FILE (.mode latex + .once table.tex)
      .timer on|off            print the time each statement took
      .bail on|off             scripts stop at their first error (on, the default) or run past it
      .maxrows N               print at most N rows (0 = all)
      .read FILE               run the statements in FILE
      .open DB                 switch to another results database
      .sql SELECT …            run read-only SQL (core SQL functions only; Ctrl-C stops it)
      .sqllimit [seconds|rows|bytes N]  show or set the limits of .sql (60 s, 10^6 rows, 16 MB values)
      .data [DIR]              show or set the dataset directory
      .datasets                every task and split: size, content hash (and register them)
      .quit                    leave (also .exit, Ctrl-D)

    """

    static let examples = """
    Examples
      runs where method in (lora, dora) and accuracy > 0.1 order by accuracy desc limit 3
      accuracy by model, method where task = gsm8k
      predictions of run 12 where correct = 0 limit 5
      steps where run = 3 order by step desc limit 10
      .mode csv
      .once results.csv
      runs select id, model, method, seed, accuracy
      eval smollm2-135m-instruct on gsm8k shots 5 fixed limit 200
      train smollm2-135m-instruct on gsm8k with lora steps 300 then eval on gsm8k limit 200
      report negative-transfer where task = gsm8k to Reports/out/gsm8k
      .mode latex
      .once table.tex
      accuracy by model, method where task = gsm8k
      compare run 1 with run 5

    """

    static func fieldsText(_ fields: [(source: String, names: [String])]) -> String {
        var out = "Fields\n"
        for (source, names) in fields {
            out += "  \(source):\n"
            var line = "    "
            for n in names {
                if line.count + n.count + 2 > 92 { out += line + "\n"; line = "    " }
                line += n + "  "
            }
            out += line + "\n"
        }
        return out
    }
}
