import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reports
import XCTest

/// The plots are XML that a parser accepts, with the parts a reader needs: axis labels, ticks,
/// a legend naming every method, error bars, and (for Δ) a zero line.
final class SVGPlotTests: XCTestCase {
    /// Two models × three methods, so there is a line to draw and a bar below zero.
    private func study() throws -> Study {
        try StudyAnalysis.analyze([
            RunBuilder.run(1, model: "small", params: 135_000_000, method: "zero_shot", outcomes: "1111100000"),
            RunBuilder.run(2, model: "small", params: 135_000_000, method: "full", outcomes: "1000000000"),
            RunBuilder.run(3, model: "small", params: 135_000_000, method: "lora", outcomes: "1111110000"),
            RunBuilder.run(4, model: "large", params: 1_700_000_000, method: "zero_shot", outcomes: "1111100000"),
            RunBuilder.run(5, model: "large", params: 1_700_000_000, method: "full", outcomes: "1111111000"),
            RunBuilder.run(6, model: "large", params: 1_700_000_000, method: "lora", outcomes: "1111111100"),
        ], bootstrap: PairedBootstrap(resamples: 100))
    }

    /// Parses the document; collects every element's name, attributes and text.
    private final class Collector: NSObject, XMLParserDelegate {
        struct Element { let name: String; let attributes: [String: String]; var text = "" }
        var elements: [Element] = []
        private var open: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(Element(name: name, attributes: attributes))
            open.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = open.last { elements[i].text += string }
        }
        func withClass(_ c: String) -> [Element] { elements.filter { $0.attributes["class"] == c } }
    }

    private func parse(_ svg: String) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        XCTAssertEqual(collector.elements.first?.name, "svg")
        return collector
    }

    func testAccuracyPlotHasAxesLegendAndErrorBars() throws {
        let xml = try parse(AccuracyPlot.render(try study()))
        let labels = xml.withClass("axis-label").map(\.text)
        XCTAssertTrue(labels.contains("Parameters (log scale)"), "\(labels)")
        XCTAssertTrue(labels.contains { $0.hasPrefix("Accuracy") }, "\(labels)")
        // log axis from 135M to 1.7B: 1-2-5 ticks 200M, 500M, 1B.
        let ticks = xml.withClass("tick").map(\.text)
        XCTAssertTrue(["200M", "500M", "1B"].allSatisfy(ticks.contains), "\(ticks)")
        XCTAssertEqual(xml.withClass("legend").count, 1)
        XCTAssertEqual(xml.withClass("legend-entry").map(\.text), ["zero_shot", "full", "lora"])
        // One error bar per (model, method), each a group of three lines (bar and two caps).
        XCTAssertEqual(xml.withClass("error-bar").count, 6)
        XCTAssertEqual(xml.elements.filter { $0.name == "polyline" }.count, 3, "one line per method")
    }

    func testDeltaPlotHasBarsWhiskersAndZeroLine() throws {
        let xml = try parse(DeltaPlot.render(try study()))
        XCTAssertEqual(xml.withClass("zero-line").count, 1)
        XCTAssertEqual(xml.withClass("bar").count, 4, "2 models × (full, lora)")
        XCTAssertEqual(xml.withClass("error-bar").count, 4)
        XCTAssertEqual(xml.withClass("legend-entry").map(\.text), ["full", "lora"])
        XCTAssertTrue(xml.withClass("axis-label").contains { $0.text.hasPrefix("Δ accuracy") })
        // The small model's full bar (Δ = −0.4) hangs below the zero line.
        let zeroY = try XCTUnwrap(Double(xml.withClass("zero-line")[0].attributes["y1"] ?? ""))
        let barIndex = try XCTUnwrap(xml.elements.firstIndex {
            $0.attributes["class"] == "bar" && $0.attributes["data-model"] == "small" && $0.attributes["data-method"] == "full"
        })
        let rect = xml.elements[barIndex + 1]
        XCTAssertEqual(rect.name, "rect")
        XCTAssertEqual(try XCTUnwrap(Double(rect.attributes["y"] ?? "")), zeroY, accuracy: 0.01, "a negative bar starts at zero")
    }

    func testTextIsEscaped() throws {
        var runs = [RunBuilder.run(1, model: "a<b&c", method: "zero_shot", outcomes: "10"),
                    RunBuilder.run(2, model: "a<b&c", method: "full", outcomes: "01")]
        runs[0].task = "t\"x"; runs[1].task = "t\"x"
        let study = try StudyAnalysis.analyze(runs, bootstrap: PairedBootstrap(resamples: 10))
        _ = try parse(AccuracyPlot.render(study))
        _ = try parse(DeltaPlot.render(study))
    }
}
