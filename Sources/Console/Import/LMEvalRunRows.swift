import Experiments
import Foundation
import Store

/// The rows of an imported lm-evaluation-harness run: a finished `eval` run whose engine is the
/// harness and whose identity (uuid, spec hash) is the imported files' content hash.
enum LMEvalRunRows {
    static func rows(_ t: LMEvalTaskImport, modelID: Int64, datasetID: Int64) -> (RunRecord, [PredictionRecord]) {
        let r = t.results
        let started = r.date.map { iso(Date(timeIntervalSince1970: $0)) }
        let spec: [String: Any] = [
            "source": "lm-eval", "harness_task": t.task.name, "task": t.ftlabTask, "split": t.split,
            "harness_model": r.model ?? NSNull(), "model_args": r.modelArgs ?? NSNull(),
            "num_fewshot": t.task.numFewshot, "task_version": t.task.version ?? NSNull(),
            "output_type": t.task.outputType ?? NSNull(),
            "results_file": r.path, "samples_file": t.samplesPath, "content_sha256": t.contentHash,
        ]
        let metrics: [String: Any] = [
            "primary_rule": t.primaryRule,
            "accuracy": t.accuracy,
            "correct": Dictionary(uniqueKeysWithValues: t.rules.map { ($0, t.correct[$0] ?? 0) }),
            "harness_accuracy": t.harnessAccuracy,
            "harness_metrics": t.task.metrics,
            "unmatched_documents": t.unmatched.map { ["doc_id": $0.docID, "text": $0.text] as [String: Any] },
            "invocation_seconds": r.totalSeconds ?? NSNull(),
            "imported_at": iso(Date()),
        ]
        let n = t.n
        let correct = t.correct[t.primaryRule] ?? 0
        let run = RunRecord(
            uuid: uuid(fromHex: t.contentHash), specHash: t.contentHash, modelID: modelID, datasetID: datasetID,
            method: t.task.numFewshot > 0 ? .fewShot : .zeroShot, kind: .eval, promptFormat: "lm-eval",
            shots: t.task.numFewshot, specJSON: json(spec), status: .done,
            engineVersion: "lm-eval " + (r.harnessVersion ?? "0.4 (version not recorded)"), host: "imported",
            startedAt: started, finishedAt: started ?? iso(Date()),
            n: n, correct: correct, accuracy: n == 0 ? 0 : Double(correct) / Double(n), metricsJSON: json(metrics))
        let predictions = t.predictions.map { p in
            PredictionRecord(runID: 0, exampleIndex: p.exampleIndex, prompt: p.prompt.isEmpty ? nil : p.prompt,
                             output: p.output, extracted: p.extracted, gold: p.gold, correct: p.correct,
                             scoresJSON: p.scoresJSON)
        }
        return (run, predictions)
    }

    /// A UUID-shaped uuid from a hash, so the same files always give the same run uuid.
    static func uuid(fromHex hex: String) -> String {
        let h = Array(hex.prefix(32))
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(h[$0]) }
        return parts.joined(separator: "-")
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    static func json(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
