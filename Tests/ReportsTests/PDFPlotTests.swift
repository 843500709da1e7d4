import Foundation
@testable import Reports
import XCTest

/// The PDF writer's structure, checked by parsing what it wrote: the cross-reference table must
/// point at every object, the stream lengths must be exact, and the drawing must be the canvas's.
final class PDFPlotTests: XCTestCase {
    private func study() throws -> Study {
        var runs: [ReportRun] = []
        var id: Int64 = 1
        for (model, params) in [("small_1", Int64(135_000_000)), ("big-2", Int64(494_000_000))] {
            for (method, outcomes) in [("zero_shot", "1100110011"), ("full", "1000100010"), ("lora", "1110111011")] {
                runs.append(RunBuilder.run(id, model: model, params: params, method: method, outcomes: outcomes))
                id += 1
            }
        }
        return try StudyAnalysis.analyze(runs)
    }

    /// Every xref entry's offset is where `N 0 obj` starts; startxref points at `xref`; each
    /// stream's /Length is its byte count.
    func testCrossReferenceOffsetsPointAtTheirObjects() throws {
        for pdf in [AccuracyPlot.renderPDF(try study()), DeltaPlot.renderPDF(try study())] {
            let bytes = Array(pdf.utf8)
            XCTAssertTrue(bytes.allSatisfy { $0 < 0x80 }, "7-bit ASCII")
            XCTAssertTrue(pdf.hasPrefix("%PDF-1.4\n"))
            XCTAssertTrue(pdf.hasSuffix("%%EOF\n"))
            let start = try XCTUnwrap(pdf.range(of: "startxref\n", options: .backwards))
            let xrefOffset = try XCTUnwrap(Int(pdf[start.upperBound...].split(separator: "\n")[0]))
            XCTAssertEqual(String(decoding: bytes[xrefOffset..<xrefOffset + 5], as: UTF8.self), "xref\n")

            let table = String(decoding: bytes[xrefOffset...], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(table[1].split(separator: " ").first, "0")
            let count = try XCTUnwrap(Int(table[1].split(separator: " ")[1]))
            XCTAssertEqual(table[2], "0000000000 65535 f ")
            for n in 1..<count {
                let entry = table[2 + n]
                XCTAssertEqual(entry.utf8.count + 1, 20, "entries are 20 bytes with their end of line")
                XCTAssertTrue(entry.hasSuffix(" 00000 n "), String(entry))
                let offset = try XCTUnwrap(Int(entry.prefix(10)))
                let head = "\(n) 0 obj\n"
                XCTAssertEqual(String(decoding: bytes[offset..<offset + head.utf8.count], as: UTF8.self), head, "object \(n)")
            }
            XCTAssertTrue(pdf.contains("trailer\n<< /Size \(count) /Root 1 0 R /Info \(count - 1) 0 R >>"), pdf.suffix(200).description)

            // Each stream: /Length N, then exactly N bytes between "stream\n" and "\nendstream".
            var search = pdf.startIndex
            var streams = 0
            while let length = pdf.range(of: "<< /Length ", range: search..<pdf.endIndex) {
                let digits = pdf[length.upperBound...].prefix { $0.isNumber }
                let open = try XCTUnwrap(pdf.range(of: "stream\n", range: length.upperBound..<pdf.endIndex))
                let close = try XCTUnwrap(pdf.range(of: "\nendstream", range: open.upperBound..<pdf.endIndex))
                XCTAssertEqual(pdf[open.upperBound..<close.lowerBound].utf8.count, Int(digits))
                search = close.upperBound
                streams += 1
            }
            XCTAssertEqual(streams, 1)
            XCTAssertTrue(pdf.contains("/Type /Page /Parent 2 0 R /MediaBox [0 0 780 470]"))
            XCTAssertTrue(pdf.contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding"))
        }
        XCTAssertEqual(AccuracyPlot.renderPDF(try study()), AccuracyPlot.renderPDF(try study()), "same bytes every time")
    }

    /// Lines flip to PDF's upward y, text is placed by its Helvetica width, Δ comes from Symbol,
    /// an em dash is WinAnsi octal 227, and `(`, `)`, `\` are escaped inside the string.
    func testShapesAndTextBecomeTheirOperators() {
        var canvas = PlotCanvas(width: 200, height: 100)
        canvas.line(0, 0, 10, 10, stroke: "#D55E00", width: 1.5, dash: [6, 4])
        canvas.text("AB", x: 50, y: 20, anchor: .middle, size: 10)
        canvas.text("Δ—(x)\\", x: 20, y: 30, anchor: .start, size: 12, bold: true)
        canvas.text("up", x: 22, y: 60, anchor: .end, size: 10, rotate: -90)
        canvas.rect(x: 10, y: 10, width: 30, height: 20, fill: "#fff", fillOpacity: 0.85)
        let (ops, opacities) = PDFPlot.contentStream(canvas)
        let lines = ops.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[1], "q 0.835 0.369 0 RG 1.5 w [6 4] 0 d 0 100 m 10 90 l S Q")
        // "AB" at 10 pt is (667 + 667) / 1000 × 10 = 13.34 wide: centred, it starts 6.67 left of x.
        XCTAssertEqual(lines[2], "BT 0 0 0 rg 1 0 0 1 43.33 80 Tm /F1 10 Tf (AB) Tj ET")
        XCTAssertEqual(lines[3], "BT 0 0 0 rg 1 0 0 1 20 70 Tm /F3 12 Tf (D) Tj /F2 12 Tf (\\227\\(x\\)\\\\) Tj ET")
        // Rotated −90° in SVG is +90° in PDF (reading upwards); "up" (556 + 556) × 10 / 1000 = 11.12
        // wide, end-anchored: it starts 11.12 below (x, y) along the rotated baseline.
        XCTAssertEqual(lines[4], "BT 0 0 0 rg 0 1 -1 0 22 28.88 Tm /F1 10 Tf (up) Tj ET")
        XCTAssertEqual(lines[5], "q /GS0 gs 1 1 1 rg 10 70 30 20 re f Q")
        XCTAssertEqual(opacities, [0.85])
    }

    func testFontRunsFallBackToAQuestionMark() {
        let runs = PDFFonts.runs("a中", bold: false)
        XCTAssertEqual(runs, [PDFFonts.Run(face: .regular, bytes: [0x61, 0x3F], width: 1.112)])
    }
}
