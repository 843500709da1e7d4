/// The files of one report, by name, in the order they are listed to the user.
/// Writing them is the caller's business (Console), so Reports stays free of file I/O.
/// Every file is text; the PDFs too (7-bit ASCII, see `PDFDocument`).
public enum ReportFiles {
    /// The names `render` gives for `formats`, in its order.
    public static func names(_ formats: Set<ReportFormat> = Set(ReportFormat.allCases)) -> [String] {
        var names: [String] = []
        if formats.contains(.markdown) { names.append("report.md") }
        names += ["runs.csv", "summary.csv", "depth.csv"]
        if formats.contains(.markdown) { names += ["accuracy.svg", "delta.svg"] }
        if formats.contains(.latex) { names += ["report.tex"] + LaTeXReport.fragments + ["accuracy.pdf", "delta.pdf"] }
        return names
    }

    public static func render(_ study: Study, kind: ReportKind, context: ReportContext,
                              formats: Set<ReportFormat> = Set(ReportFormat.allCases)) -> [(name: String, contents: String)] {
        names(formats).map { name in (name, contents(name, study, kind: kind, context: context)) }
    }

    private static func contents(_ name: String, _ study: Study, kind: ReportKind, context: ReportContext) -> String {
        switch name {
        case "report.md": return MarkdownReport.render(study, kind: kind, context: context)
        case "runs.csv": return CSVReport.runs(study)
        case "summary.csv": return CSVReport.summary(study)
        case "depth.csv": return CSVReport.depth(study)
        case "accuracy.svg": return AccuracyPlot.render(study)
        case "delta.svg": return DeltaPlot.render(study)
        case "report.tex": return LaTeXReport.render(study, kind: kind, context: context)
        case "table-accuracy.tex": return LaTeXTables.accuracy(study, statement: context.statement)
        case "table-delta.tex": return LaTeXTables.delta(study, statement: context.statement)
        case "table-thresholds.tex": return LaTeXTables.thresholds(study, statement: context.statement)
        case "table-depth.tex": return LaTeXTables.depth(study, statement: context.statement)
        case "accuracy.pdf": return AccuracyPlot.renderPDF(study)
        case "delta.pdf": return DeltaPlot.renderPDF(study)
        default: preconditionFailure("no report file named \(name)")
        }
    }
}
