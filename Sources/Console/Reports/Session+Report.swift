import Foundation
import QueryLanguage
import Reports
import Store

// `report negative-transfer|thresholds …`, `report run N`, `compare run A with run B`:
// Store → ReportLoader → Reports; files go to a folder, cards and comparisons to the terminal.
extension Session {
    func runReport(_ command: ReportCommand) throws {
        switch command {
        case .study(let study): try writeStudy(study)
        case .run(let id): emit(try runCard(Int64(id)).render())
        case .compare(let a, let b): try compareRuns(Int64(a), Int64(b))
        }
    }

    /// Analyses the selected runs and writes the report's files; prints where they went and the verdicts.
    /// `now` is injectable so tests can pin the folder name and the date in the report.
    @discardableResult
    public func writeStudy(_ command: ReportStudy, now: Date = Date()) throws -> String {
        let loader = ReportLoader(store: store, depthSource: .data(directory: dataDirectory))
        var selected: Set<Int64>?
        if let filter = command.filter {
            let ids = try select(QueryCompiler.compile(Query(source: .runs, select: ["id"], filter: filter)))
            selected = Set(ids.rows.compactMap { if case .integer(let i)? = $0.first { return i } else { return nil } })
            if selected!.isEmpty { throw ConsoleError("no runs match `where \(command.filterText ?? "…")`") }
        }
        let (runs, notes, pending) = try loader.load(selected: selected)
        guard !runs.isEmpty else {
            throw ConsoleError(selected == nil ? "no finished evaluation runs to report on" : "none of the runs matching `where \(command.filterText ?? "…")` is a finished evaluation")
        }
        let study = try StudyAnalysis.analyze(runs, notes: notes, pending: pending)
        let kind: ReportKind = command.kind == .thresholds ? .thresholds : .negativeTransfer
        let directory = command.directory ?? Self.defaultReportDirectory(kind: kind, now: now)
        let context = ReportContext(generatedAt: Self.isoTimestamp(now), selection: command.filterText.map { "where " + $0 },
                                    source: databasePath, statement: currentStatement.isEmpty ? nil : currentStatement)
        let files = ReportFiles.render(study, kind: kind, context: context, formats: Self.formats(command.format))
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in files {
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(file.name))
            }
        } catch {
            throw ConsoleError("cannot write the report to '\(directory)': \((error as NSError).localizedDescription)")
        }
        emit(Self.studySummary(study, kind: kind, directory: directory, files: files.map(\.name)))
        return directory
    }

    static func formats(_ format: ReportStudy.Format) -> Set<ReportFormat> {
        switch format {
        case .md: return [.markdown]
        case .latex: return [.latex]
        case .all: return Set(ReportFormat.allCases)
        }
    }

    /// A few lines for the terminal; the files hold the rest.
    static func studySummary(_ study: Study, kind: ReportKind, directory: String, files: [String]) -> String {
        var out = "wrote \(files.joined(separator: ", ")) to \(directory)\n"
        switch kind {
        case .negativeTransfer:
            for t in study.transfers where t.isNegative {
                out += "  \(t.summary.model) \(t.summary.method) on \(t.summary.dataset): Δ \(Format.signed(t.delta)) "
                out += "\(Format.interval(t.interval, signed: true)), \(t.verdict.rawValue)\n"
            }
            if !study.transfers.contains(where: \.isNegative) { out += "  no negative transfer\n" }
        case .thresholds:
            for t in study.thresholds {
                out += "  \(t.method) on \(t.dataset): \(MarkdownReport.crossingText(t))\n"
            }
        }
        return out
    }

    static func defaultReportDirectory(kind: ReportKind, now: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "Reports/out/\(f.string(from: now))-\(kind.rawValue)"
    }

    static func isoTimestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    func compareRuns(_ a: Int64, _ b: Int64) throws {
        let loader = ReportLoader(store: store)
        let runA = try loader.run(a), runB = try loader.run(b)
        for r in [runA, runB] where r.n == 0 {
            throw ConsoleError("run \(r.id) has no scored predictions; compare evaluation runs")
        }
        let bootstrap = PairedBootstrap()
        let comparison = try PairedComparison.compare(before: runA, after: runB, bootstrap: bootstrap)
        emit(ComparisonText.render(comparison, a: runA, b: runB, bootstrap: bootstrap))
    }

    func runCard(_ id: Int64) throws -> RunCard {
        guard let run = try store.run(id: id) else { throw ConsoleError("no run with id \(id)") }
        let model = try store.models().first { $0.id == run.modelID }
        let dataset = try store.datasets().first { $0.id == run.datasetID }
        let predictions = try store.predictions(runID: id)
        let training = try run.parentRunID.flatMap { try store.run(id: $0) }
        let children = try store.runs().filter { $0.parentRunID == id }
        func link(_ r: RunRecord) -> RunCard.Link {
            RunCard.Link(id: r.id ?? 0, method: r.method.rawValue, kind: r.kind.rawValue, status: r.status.rawValue, accuracy: r.accuracy)
        }
        return RunCard(
            id: id, model: model?.key ?? "?", params: model?.params ?? 0, task: dataset?.task ?? "?", split: dataset?.split ?? "?",
            method: (training ?? run).method.rawValue, kind: run.kind.rawValue, status: run.status.rawValue,
            seed: (training ?? run).seed, config: ReportLoader.config(training ?? run, eval: run),
            engineVersion: run.engineVersion, startedAt: run.startedAt, finishedAt: run.finishedAt,
            correct: predictions.isEmpty ? nil : predictions.filter(\.correct).count,
            n: predictions.isEmpty ? nil : predictions.count, rules: Self.ruleAccuracies(run.metricsJSON),
            parent: training.map(link), children: children.map(link))
    }

    /// `metrics_json.accuracy`, a map rule → accuracy, as the eval sink writes it.
    static func ruleAccuracies(_ json: String?) -> [(name: String, accuracy: Double)] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let rules = object["accuracy"] as? [String: Any] else { return [] }
        return rules.keys.sorted().compactMap { k in (rules[k] as? NSNumber).map { (k, $0.doubleValue) } }
    }
}
