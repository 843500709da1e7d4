/// The text of `.help [topic]`. Kept beside the language so the two change together.
enum HelpText {
    static let topics = ["queries", "fields", "pivots", "reports", "dot", "examples"]

    static func text(for topic: String?, fields: [(source: String, names: [String])]) -> String? {
        switch topic?.lowercased() {
        case nil, "", "help": return overview
        case "queries", "query", "where": return queries
        case "fields", "field": return fieldsText(fields)
        case "pivots", "pivot", "accuracy", "count": return pivots
        case "reports", "report", "compare": return reports
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
      accuracy by FIELD[, FIELD]    pivot: mean accuracy over seeds, with n
      count by FIELD[, FIELD]       pivot: number of runs
      eval MODEL on TASK [split S] [shots K] [fixed] [chat] [limit N] [seed S] [max-tokens T]
                                    evaluate a model; every prediction is stored (Ctrl-C keeps them)
      resume run N                  finish an interrupted evaluation run
      report negative-transfer|thresholds [where …] [to DIR]
                                    analyse runs; write report.md, CSVs and SVG plots to DIR
      report run N                  one run: accuracy with interval, rules, parent/children
      compare run A with run B      example by example: counts, Δ, bootstrap interval, McNemar p

    Help topics: .help queries | fields | pivots | reports | dot | examples
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
        mean accuracy over the runs (seeds) in it, with n = number of runs. In csv/json modes
        the pivot is printed in long form (one row per cell: fields…, accuracy, n).
      count by method, status [where …]
        the number of runs in each cell.

    """

    static let reports = """
    Reports
      report negative-transfer [where EXPR] [to DIR]
        Δ of every method against the same model's zero-shot run on the same examples (paired per
        seed), bootstrap 95 % interval, exact McNemar p, verdicts, flipped examples, thresholds.
      report thresholds [where EXPR] [to DIR]
        Δ against log10(parameters) per method and where it crosses zero (interpolated).
        Both write report.md, runs.csv, summary.csv, accuracy.svg and delta.svg to DIR
        (default Reports/out/<time>-<report>/). EXPR is a runs filter, as in `runs where …`;
        the zero-shot runs of the selected models are always included as baselines.
      report run N
        the run, its accuracy with a Wilson 95 % interval, accuracy per scoring rule, and its
        training parent or evaluation children.
      compare run A with run B
        the examples both runs scored: both right / A only / B only / both wrong, Δ = B − A with
        a paired bootstrap 95 % interval, exact McNemar p, then the examples that flipped.

    """

    static let dot = """
    Dot-commands
      .help [topic]            this help; topics: queries fields pivots dot examples
      .tables                  tables and query views in the database
      .schema [table]          CREATE statements
      .mode MODE               table | markdown | csv | json | line
      .headers on|off          column headers in table, markdown and csv modes
      .output [FILE]           send results to FILE (no FILE: back to the terminal)
      .once FILE               send only the next result to FILE
      .timer on|off            print the time each statement took
      .maxrows N               print at most N rows (0 = all)
      .read FILE               run the statements in FILE
      .open DB                 switch to another results database
      .sql SELECT …            run read-only SQL
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
      report negative-transfer where task = gsm8k to Reports/out/gsm8k
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
