/// `compare run A with run B` as terminal text: the 2×2 table, Δ with its interval and the exact
/// McNemar p, then the examples that flipped.
public enum ComparisonText {
    /// Flips listed per direction before "… and k more".
    public static let flipLimit = 10

    public static func render(_ c: PairedComparison, a: ReportRun, b: ReportRun, bootstrap: PairedBootstrap) -> String {
        var out = "compare run \(a.id) (\(describe(a))) with run \(b.id) (\(describe(b)))\n"
        out += "\(a.dataset), \(c.pairs) paired examples"
        if c.pairs < max(a.n, b.n) { out += " (run \(a.id) scored \(a.n), run \(b.id) scored \(b.n); only shared examples count)" }
        out += "\n\n"
        // Numbers right-aligned under the column titles.
        func cell(_ x: Int) -> String { String(repeating: " ", count: max(0, 9 - String(x).count)) + String(x) }
        out += "               B right  B wrong\n"
        out += "    A right  " + cell(c.bothRight) + cell(c.beforeOnly) + "\n"
        out += "    A wrong  " + cell(c.afterOnly) + cell(c.bothWrong) + "\n\n"
        out += "both right   \(c.bothRight)\n"
        out += "A only       \(c.beforeOnly)\n"
        out += "B only       \(c.afterOnly)\n"
        out += "both wrong   \(c.bothWrong)\n\n"
        out += "accuracy A   \(Format.fixed(c.beforeAccuracy))   accuracy B   \(Format.fixed(c.afterAccuracy))   (on the paired examples)\n"
        out += "Δ (B − A)    \(Format.signed(c.delta))   95 % bootstrap \(Format.interval(c.interval, signed: true))"
        out += "   (\(bootstrap.resamples) resamples, seed \(bootstrap.seed))\n"
        out += "McNemar      exact p = \(Format.pValue(c.pValue))  (b = \(c.beforeOnly), c = \(c.afterOnly))\n"
        out += flips("right in A, wrong in B", c.lost)
        out += flips("wrong in A, right in B", c.gained)
        return out
    }

    static func describe(_ r: ReportRun) -> String {
        "\(r.model) \(r.method) seed \(r.seed)"
    }

    static func flips(_ title: String, _ list: [Flip]) -> String {
        var out = "\nFlips \(title): \(list.count)\n"
        for f in list.prefix(flipLimit) {
            out += "  #\(f.exampleIndex)  \(Format.oneLine(f.prompt ?? "(no prompt stored)", limit: 70))  (gold \(Format.oneLine(f.gold, limit: 20)))\n"
            out += "      A: \(Format.oneLine(f.beforeOutput, limit: 90))\n"
            out += "      B: \(Format.oneLine(f.afterOutput, limit: 90))\n"
        }
        if list.count > flipLimit { out += "  … and \(list.count - flipLimit) more\n" }
        return out
    }
}
