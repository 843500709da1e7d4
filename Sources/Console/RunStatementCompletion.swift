import Experiments
import Foundation
import QueryLanguage
import Store

/// Tab completion inside `eval`, `train`, `sweep` and `resume`: model keys (the catalog's and
/// those registered with `models add`) where a model goes, task names after `on`, methods after
/// `with`, the statement's options elsewhere, interrupted runs after `resume run`, queued and
/// interrupted runs after `cancel run`.
extension Session {
    static let runStarters = ["eval", "train", "sweep", "resume", "cancel"]

    func runStatementCompletions(words: [String], before: String) -> [String]? {
        guard let first = words.first, Self.runStarters.contains(first) else { return nil }
        let last = words.last ?? ""
        let afterComma = before.trimmingCharacters(in: .whitespaces).hasSuffix(",")
        if first == "resume" {
            if words.count == 1 { return ["run"] }
            guard last == "run" else { return [] }
            return (try? store.select(sql: "SELECT id FROM runs WHERE status IN ('interrupted', 'failed') ORDER BY id DESC LIMIT 200")
                .rows.compactMap { row in row.first.map { "\($0)" } }) ?? []
        }
        if first == "cancel" {
            if words.count == 1 { return ["run", "runs"] }
            if words[1] == "run" && (words.count == 2 || afterComma) {
                return (try? store.select(sql: "SELECT id FROM runs WHERE status IN ('queued', 'interrupted') ORDER BY id LIMIT 200")
                    .rows.compactMap { row in row.first.map { "\($0)" } }) ?? []
            }
            if words[1] == "runs" && words.count == 2 { return ["where"] }
            return ["because"] + (words[1] == "runs" ? FieldCatalog.fields(for: .runs).map(\.name) : [])
        }
        if words.count == 1 || (first == "sweep" && afterComma && !words.contains("on")) { return modelKeys() }
        let methods = first == "sweep" ? ["full", "lora", "dora", "zero-shot", "5-shot"] : ["full", "lora", "dora"]
        if afterComma && (methods.contains(last) || last.hasSuffix("-shot")) { return methods }   // sweep … with lora, …
        switch last {
        case "on": return TaskCatalog.names
        case "with": return methods
        case "split": return ["train", "test", "validation"]
        case "schedule": return Vocabulary.schedules
        case "recompute": return ["on", "off"]
        case "then": return ["eval"]
        case "emit": return ["slurm"]
        default: break
        }
        if last == "eval" && words.count > 1 { return ["on"] }
        if !words.contains("on") { return ["on"] }          // after the model(s)
        let afterThen = words.contains("then")
        if TaskCatalog.names.contains(last) && !afterThen && first != "eval" && !words.contains("with") { return ["with"] }
        switch first {
        case "eval": return Vocabulary.evalOptions
        case "train": return afterThen ? Vocabulary.evalOptions : Vocabulary.trainOptions + ["then"]
        default: return afterThen ? Vocabulary.evalOptions + ["name", "emit"] : Vocabulary.trainOptions + Vocabulary.sweepOptions
        }
    }

    /// Catalog keys, then keys registered in this database.
    private func modelKeys() -> [String] {
        ModelCatalog.models.map(\.key) + ((try? store.models().map(\.key)) ?? [])
    }
}
