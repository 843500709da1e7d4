/// Where the numbers come from: every run's configuration and seed, the model and data hashes,
/// the engine versions and dates, so a reader can rebuild the study or spot a mismatch.
enum MarkdownProvenance {
    static func render(_ study: Study, context: ReportContext) -> String {
        var out = "## Provenance\n\n"
        out += "- Report generated: \(context.generatedAt)\n"
        if let source = context.source { out += "- Results database: `\(source)`\n" }
        out += "- Selection: " + (context.selection.map { "`\($0)`" } ?? "all finished runs with predictions") + "\n"
        let engines = Set(study.runs.map(\.engineVersion)).sorted()
        out += "- Engine version(s): " + engines.joined(separator: ", ") + "\n"
        let started = study.runs.map(\.startedAt).sorted()
        let finished = study.runs.compactMap(\.finishedAt).sorted()
        out += "- Runs started \(started.first ?? "?") – \(started.last ?? "?"); last finished \(finished.last ?? "?")\n"
        out += "- Bootstrap: \(study.bootstrap.resamples) resamples, level \(Format.fixed(study.bootstrap.level, 2)), seed \(study.bootstrap.seed)\n\n"

        out += "### Models\n\n| model | family | params | sha256 |\n|---|---|---:|---|\n"
        var models: [String: ReportRun] = [:]
        for r in study.runs where models[r.model] == nil { models[r.model] = r }
        for r in models.values.sorted(by: { ($0.params, $0.model) < ($1.params, $1.model) }) {
            out += "| \(r.model) | \(r.family) | \(r.params) | `\(r.modelHash)` |\n"
        }

        out += "\n### Data\n\n| task | split | sha256 |\n|---|---|---|\n"
        var datasets: [DatasetKey: String] = [:]
        for r in study.runs { datasets[r.dataset] = r.datasetHash }
        for key in datasets.keys.sorted() { out += "| \(key.task) | \(key.split) | `\(datasets[key]!)` |\n" }

        out += "\n### Runs\n\n| run | training run | model | method | seed | n | correct | accuracy | config | engine | started |\n"
        out += "|---:|---:|---|---|---:|---:|---:|---:|---|---|---|\n"
        for r in study.runs {
            out += "| \(r.id) | \(r.trainingRunID.map { String($0) } ?? "") | \(r.model) | \(r.method) | \(r.seed) | \(r.n) | "
            out += "\(r.correct) | \(Format.fixed(r.accuracy)) | \(Format.cell(r.config)) | \(r.engineVersion) | \(r.startedAt) |\n"
        }
        out += "\nFiles: report.md, runs.csv (one row per run), summary.csv (one row per model × task × method), "
        out += "depth.csv (one row per model × method × reasoning-depth bin), accuracy.svg, delta.svg.\n"
        return out
    }
}
