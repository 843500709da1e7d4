/// The examples behind a negative Δ: what zero-shot got right and the method got wrong, and back.
enum MarkdownFlips {
    /// Flips listed per seed for each negative-transfer group; this many per direction.
    static let perDirection = 5

    static func render(_ study: Study) -> String {
        let negative = study.transfers.filter(\.isNegative)
        guard !negative.isEmpty else { return "" }
        var out = "## Flips in the negative-transfer groups\n\n"
        out += "Lost: right at zero-shot, wrong after. Gained: the reverse. At most \(perDirection) of each per seed; runs.csv has the counts.\n\n"
        for t in negative {
            for c in t.comparisons {
                let run = t.summary.runs.first { $0.id == c.afterRunID }
                let seed = run.map { "seed \($0.seed)" } ?? "run \(c.afterRunID)"
                out += "### \(t.summary.model), \(t.summary.method), \(seed) — run \(c.afterRunID) vs zero-shot run \(c.beforeRunID): "
                out += "\(c.beforeOnly) lost, \(c.afterOnly) gained\n\n"
                out += table("Lost", c.lost, method: t.summary.method)
                out += table("Gained", c.gained, method: t.summary.method)
            }
        }
        return out
    }

    static func table(_ title: String, _ flips: [Flip], method: String) -> String {
        guard !flips.isEmpty else { return "" }
        var out = "\(title):\n\n| example | question | gold | zero-shot output | \(method) output |\n|---:|---|---|---|---|\n"
        for f in flips.prefix(perDirection) {
            out += "| \(f.exampleIndex) | \(Format.cell(f.prompt ?? "", limit: 60)) | \(Format.cell(f.gold, limit: 20)) | "
            out += "\(Format.cell(f.beforeOutput, limit: 60)) | \(Format.cell(f.afterOutput, limit: 60)) |\n"
        }
        if flips.count > perDirection { out += "\n… and \(flips.count - perDirection) more.\n" }
        return out + "\n"
    }
}
