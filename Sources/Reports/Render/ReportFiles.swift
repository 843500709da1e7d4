/// The files of one report, by name, in the order they are listed to the user.
/// Writing them is the caller's business (Console), so Reports stays free of file I/O.
public enum ReportFiles {
    public static let names = ["report.md", "runs.csv", "summary.csv", "accuracy.svg", "delta.svg"]

    public static func render(_ study: Study, kind: ReportKind, context: ReportContext) -> [(name: String, contents: String)] {
        [
            ("report.md", MarkdownReport.render(study, kind: kind, context: context)),
            ("runs.csv", CSVReport.runs(study)),
            ("summary.csv", CSVReport.summary(study)),
            ("accuracy.svg", AccuracyPlot.render(study)),
            ("delta.svg", DeltaPlot.render(study)),
        ]
    }
}
