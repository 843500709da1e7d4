import Store
import XCTest
@testable import Console

/// The report's notes on cancelled runs: one per reason, in the order the cancellations were
/// made, trainings named with their method, rate and seed, their evaluations only counted.
final class CancellationNotesTests: XCTestCase {
    private func run(_ id: Int64, kind: RunKind, method: RunMethod, parent: Int64? = nil, seed: Int64 = 0,
                     reason: String?, at time: String) -> RunRecord {
        var r = RunRecord(specHash: "s\(id)", modelID: 1, datasetID: kind == .train ? 2 : 1, method: method,
                          engineVersion: "t", host: "h")
        r.id = id
        r.kind = kind
        r.parentRunID = parent
        r.seed = seed
        r.lr = kind == .train ? 2e-4 : nil
        r.status = .cancelled
        r.error = reason
        r.finishedAt = time
        return r
    }

    func testOneNotePerReasonInTheOrderOfCancellation() {
        let models: [Int64: ModelRecord] = [1: ModelRecord(key: "m-135m", family: "llama", params: 1, path: "/m", format: "gguf", sha256: "a")]
        let datasets: [Int64: DatasetRecord] = [1: DatasetRecord(task: "gsm8k", split: "test", size: 1, sha256: "b"),
                                                2: DatasetRecord(task: "gsm8k", split: "train", size: 1, sha256: "c")]
        let runs = [
            run(3, kind: .eval, method: .fewShot, reason: "second", at: "2026-12-02T10:00:02.000Z"),
            run(5, kind: .train, method: .lora, seed: 1, reason: "first", at: "2026-12-02T10:00:01.000Z"),
            run(6, kind: .eval, method: .lora, parent: 5, seed: 1, reason: "first", at: "2026-12-02T10:00:01.000Z"),
            run(7, kind: .train, method: .dora, reason: nil, at: "2026-12-02T10:00:03.000Z"),
        ]
        XCTAssertEqual(ReportLoader.cancellationNotes(runs, models: models, datasets: datasets), [
            "Cancelled before they finished, 1 run (and 1 evaluation of them) — first: 5 (m-135m lora lr 0.0002 seed 1).",
            "Cancelled before they finished, 1 run — second: 3 (m-135m few_shot on gsm8k).",
            "Cancelled before they finished, 1 run — no reason given: 7 (m-135m dora lr 0.0002 seed 0).",
        ])
        XCTAssertEqual(ReportLoader.cancellationNotes([], models: models, datasets: datasets), [])
    }
}
