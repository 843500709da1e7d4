import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension DatasetLoader {
    /// ASDiv-A: the problems of `ASDiv.xml` whose IDs are listed in the given fold files
    /// (`nfolds/asdiv-a/fold0.txt`…`fold4.txt`, 1,218 IDs in all), in the XML's order.
    /// Prompt text is `Body + " " + Question`; gold is the number before the unit in
    /// `Answer` (`"9 (apples)"` → `"9"`). An ID missing from the XML, an ID listed twice or a
    /// non-numeric answer is an error. The hash covers the XML then the fold files in order.
    public static func asdivA(xmlPath: String, foldPaths: [String], split: String = "test",
                              task: String = "asdiv") throws -> Dataset {
        let xml = try SourceFile(xmlPath)
        let folds = try foldPaths.map(SourceFile.init)
        var wanted: [String: (file: String, line: Int)] = [:]
        for fold in folds {
            for line in try fold.lines() {
                let id = try fold.text(of: line).trimmingWhitespace()
                if let first = wanted[id] {
                    throw DatasetError.malformed(file: fold.path, at: .line(line.number),
                        message: "problem ID \"\(id)\" already listed at \(first.file):\(first.line)")
                }
                wanted[id] = (fold.path, line.number)
            }
        }
        let problems = try ASDivXML.parse(xml)
        var examples: [Example] = []
        var found = Set<String>()
        for p in problems where wanted[p.id] != nil {
            func fail(_ m: String) -> DatasetError {
                .malformed(file: xmlPath, at: .record(p.record), message: "problem \(p.id): \(m)")
            }
            guard let body = p.fields["Body"], let question = p.fields["Question"] else {
                throw fail("missing <Body> or <Question>")
            }
            guard let answer = p.fields["Answer"] else { throw fail("missing <Answer>") }
            let number = answer.range(of: "(").map { String(answer[..<$0.lowerBound]) } ?? answer
            guard let gold = NumberText.canonical(number) else { throw fail("answer \"\(answer)\" is not a number") }
            guard found.insert(p.id).inserted else { throw fail("ID appears more than once in the file") }
            examples.append(Example(index: examples.count, question: body + " " + question,
                                    answer: gold, context: body))
        }
        if let missing = wanted.filter({ !found.contains($0.key) }).min(by: { ($0.value.file, $0.value.line) < ($1.value.file, $1.value.line) }) {
            throw DatasetError.malformed(file: missing.value.file, at: .line(missing.value.line),
                                         message: "problem ID \"\(missing.key)\" is not in \(xmlPath)")
        }
        return Dataset(task: task, split: split, examples: examples,
                       sha256: combinedHash([xml] + folds), path: xmlPath)
    }
}

/// Reads `<Problem ID=…>` elements and the text of their child elements.
final class ASDivXML: NSObject, XMLParserDelegate {
    struct Problem {
        var id: String
        var record: Int
        var fields: [String: String] = [:]
    }

    private var problems: [Problem] = []
    private var current: Problem?
    private var text = ""
    private var failure: DatasetError?
    private let path: String

    private init(path: String) { self.path = path }

    static func parse(_ file: SourceFile) throws -> [Problem] {
        let reader = ASDivXML(path: file.path)
        let parser = XMLParser(data: file.data)
        parser.delegate = reader
        let ok = parser.parse()
        if let failure = reader.failure { throw failure }
        // On Linux `parse()` can return true after libxml2 reported an error (it recovers from
        // a mismatched tag), so the first reported error decides, not the return value.
        if let (code, line) = reader.xmlError ?? (ok ? nil : ((parser.parserError as NSError?)?.code ?? -1, parser.lineNumber)) {
            throw DatasetError.malformed(file: file.path, at: .line(line), message: "invalid XML (\(describe(code)))")
        }
        return reader.problems
    }

    private var xmlError: (code: Int, line: Int)?

    func parser(_ parser: XMLParser, parseErrorOccurred error: Error) {
        if xmlError == nil { xmlError = ((error as NSError).code, parser.lineNumber) }
    }

    /// Linux's XMLParser errors carry no message, only libxml2's code.
    private static func describe(_ code: Int) -> String {
        let known = [4: "empty document", 5: "document ends too early", 9: "invalid character",
                     26: "undeclared entity", 73: "expected '>'", 76: "end tag does not match start tag"]
        return known[code].map { "\($0), code \(code)" } ?? "parser error code \(code)"
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        text = ""
        guard name == "Problem" else { return }
        let record = problems.count + 1
        guard let id = attributes["ID"], !id.isEmpty else {
            failure = .malformed(file: path, at: .record(record), message: "<Problem> without an ID attribute")
            parser.abortParsing()
            return
        }
        current = Problem(id: id, record: record)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "Problem", let p = current {
            problems.append(p)
            current = nil
        } else if current != nil {
            current?.fields[name] = text.trimmingWhitespace()
        }
        text = ""
    }
}
