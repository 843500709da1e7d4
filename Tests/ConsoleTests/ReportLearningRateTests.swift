import Reports
import XCTest
@testable import Console

/// A fine-tuning method run at two learning rates is two conditions in a report, never seeds of one.
final class ReportLearningRateTests: XCTestCase {
    func run(_ id: Int64, _ method: String, training: Int64?) -> ReportRun {
        ReportRun(id: id, model: "m", family: "llama", params: 1, modelHash: "h", task: "gsm8k", split: "test",
                  datasetHash: "d", method: method, seed: 0, trainingRunID: training, engineVersion: "e",
                  startedAt: "t", outcomes: [])
    }

    func testTwoRatesOfOneMethodAreLabelledOneRateIsNot() {
        let runs = [run(1, "zero_shot", training: nil), run(2, "full", training: 10), run(3, "full", training: 11),
                    run(4, "lora", training: 12), run(5, "full", training: 13)]
        let labelled = ReportLoader.splittingLearningRates(runs, learningRates: ["10": 2e-5, "11": 1e-4, "12": 2e-4, "13": 2e-5])
        XCTAssertEqual(labelled.map(\.method), ["zero_shot", "full lr=2e-05", "full lr=0.0001", "lora", "full lr=2e-05"])
        let one = ReportLoader.splittingLearningRates([run(2, "full", training: 10)], learningRates: ["10": 2e-5])
        XCTAssertEqual(one.map(\.method), ["full"])
    }
}
