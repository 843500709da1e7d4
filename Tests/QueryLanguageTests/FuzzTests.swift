// Any input gives a result or a positioned QueryError — never a crash. Deep nesting is refused
// with a clear error at the offending token; 100,000 generated statements (grammar-shaped token
// soup) run in CI, FTLAB_FUZZ=N runs N more.
import Foundation
import XCTest
@testable import QueryLanguage

final class FuzzTests: XCTestCase {
    func testDeepNestingIsAnErrorNotACrash() throws {
        for depth in [15_000, 100_000] {
            let text = "runs where " + String(repeating: "(", count: depth) + "id = 1" + String(repeating: ")", count: depth)
            let error = try XCTUnwrap(parseError(text))
            XCTAssertTrue(error.message.contains("nesting too deep"), error.message)
            XCTAssertEqual(error.column, 12 + StatementParser.maxNestingDepth, "points at the first ( too many")
        }
        let nots = "runs where " + String(repeating: "not ", count: 50_000) + "id = 1"
        XCTAssertTrue(parseError(nots)?.message.contains("nesting too deep") ?? false)
        let chain = "runs where " + Array(repeating: "id = 1", count: 20_000).joined(separator: " and ")
        XCTAssertTrue(parseError(chain)?.message.contains("too many conditions") ?? false)
        // The deepest allowed nesting parses and compiles.
        let deepest = StatementParser.maxNestingDepth
        let ok = "runs where " + String(repeating: "(", count: deepest) + "id = 1" + String(repeating: ")", count: deepest)
        XCTAssertNoThrow(try compileOne(ok))
    }

    func testGeneratedStatementsNeverCrash() {
        let extra = Int(ProcessInfo.processInfo.environment["FTLAB_FUZZ"] ?? "") ?? 0
        let report = Self.fuzz(count: 100_000 + extra, seed: 20_261_202)
        print("[fuzz] \(report.statements) statements: \(report.parsed) parsed, \(report.errors) errors, "
              + "\(report.compiled) compiled, crashes 0, deepest nesting \(report.deepest)")
        XCTAssertEqual(report.statements, report.parsed + report.errors)
        XCTAssertGreaterThan(report.parsed, 1000, "the generator reaches valid statements too")
        XCTAssertGreaterThan(report.errors, 1000)
    }

    struct Report { var statements = 0, parsed = 0, errors = 0, compiled = 0, deepest = 0 }

    static let words = [
        "runs", "predictions", "steps", "models", "datasets", "sweeps", "where", "select", "from", "order", "by",
        "limit", "and", "or", "not", "in", "asc", "desc", "accuracy", "count", "show", "run", "of", "eval", "train",
        "on", "with", "then", "resume", "report", "compare", "sweep", "status", "lora", "full", "dora", "zero-shot",
        "5-shot", "seeds", "0..2", "lr", "2e-4", "model", "method", "task", "id", "seed", "status", "n", "gsm8k",
        "smollm2-135m-instruct", "shots", "fixed", "limit", "1", "0", "-3", "3.5", "1e400", "*", "?", "emit", "slurm",
        "name", "like", "is", "null", "between", "vs", "per", "metric", "accuracy", "delta",
    ]
    static let symbols = ["(", ")", ",", "=", "!=", "<", "<=", ">", ">=", "~", ";", "'x'", "\"a b\"", "'", "\""]

    /// Valid statements the generator mutates (so half the inputs are near-valid, not soup).
    static let templates = [
        "runs where model = smollm2-135m-instruct and seed > 1 order by accuracy desc limit 5",
        "runs select id, model, accuracy where (method = lora or method = dora) and not status = failed",
        "accuracy by model, method where task = gsm8k",
        "count by status",
        "predictions of run 3 where correct = 0 limit 10",
        "steps where run = 2 and loss < 1.5 order by step",
        "sweeps", "sweep status 2", "show run 1", "models where family = llama", "datasets order by size desc",
        "select model, accuracy from runs where accuracy >= 0.1",
        "runs where model in (a, b, c) and lr ~ 2e-4",
    ]

    static func fuzz(count: Int, seed: UInt64) -> Report {
        var rng = Generator(state: seed)
        var report = Report()
        for i in 0..<count {
            if i % 2 == 0 {
                // A template with a few tokens replaced, dropped or inserted.
                var tokens = templates[rng.next(below: templates.count)].split(separator: " ").map(String.init)
                for _ in 0..<rng.next(below: 3) {
                    let at = rng.next(below: tokens.count)
                    switch rng.next(below: 3) {
                    case 0: tokens[at] = (words + symbols)[rng.next(below: words.count + symbols.count)]
                    case 1: if tokens.count > 1 { tokens.remove(at: at) }
                    default: tokens.insert((words + symbols)[rng.next(below: words.count + symbols.count)], at: at)
                    }
                }
                report.statements += 1
                run(tokens.joined(separator: " "), &report)
                continue
            }
            var parts: [String] = []
            let length = 1 + rng.next(below: 24)
            var depth = 0
            for _ in 0..<length {
                switch rng.next(below: 10) {
                case 0..<6: parts.append(words[rng.next(below: words.count)])
                case 6..<8: parts.append(symbols[rng.next(below: symbols.count)])
                case 8:
                    let n = rng.next(below: 400)
                    parts.append(String(repeating: "(", count: n))
                    depth = max(depth, n)
                default: parts.append(String(rng.next(below: 1000)))
                }
            }
            let text = parts.joined(separator: rng.next(below: 4) == 0 ? "" : " ")
            report.statements += 1
            report.deepest = max(report.deepest, depth)
            run(text, &report)
        }
        return report
    }

    private static func run(_ text: String, _ report: inout Report) {
        do {
            let commands = try QueryParser.parse(text)
            report.parsed += 1
            for c in commands where (try? QueryCompiler.compile(c)) != nil { report.compiled += 1 }
        } catch is QueryError {
            report.errors += 1
        } catch {
            XCTFail("not a QueryError for \(text): \(error)")
            report.errors += 1
        }
    }
}

/// SplitMix64, local to this target (which does not link the engine).
private struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below n: Int) -> Int { Int(next() % UInt64(n)) }
}
