import XCTest

/// Scripts stop at their first error and say so (`.bail on`, the default); `.bail off` runs the
/// remaining lines and still reports failure. `.tables` lists the query language's sources.
final class BailTests: XCTestCase {
    func testScriptsStopAtTheFirstErrorUnlessBailIsOff() throws {
        let f = try SessionFixture()
        XCTAssertFalse(f.session.runScript("runs where nope = 1\ncount by status\n", origin: "s.ftl"))
        XCTAssertTrue(f.errors.text.contains("stopped at line 1: 1 more line not run"), f.errors.text)
        XCTAssertFalse(f.output.text.contains("status"), "the second line did not run")
        let g = try SessionFixture()
        XCTAssertFalse(g.session.runScript(".bail off\nruns where nope = 1\ncount by status\n", origin: "s.ftl"))
        XCTAssertTrue(g.output.text.contains("done"), "the line after the error ran: \(g.output.text)")
        XCTAssertEqual(g.run(".tables").out, "runs\npredictions\nsteps\nmodels\ndatasets\nsweeps\n")
    }
}
