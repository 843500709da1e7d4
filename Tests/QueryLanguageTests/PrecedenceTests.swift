// `not` binds tighter than `and`, which binds tighter than `or`; parentheses override; the SQL keeps
// the meaning with as few parentheses as it needs.
import XCTest
@testable import QueryLanguage

final class PrecedenceTests: XCTestCase {
    private let a = Expr.compare(field: "seed", op: .eq, value: .integer(1))
    private let b = Expr.compare(field: "seed", op: .eq, value: .integer(2))
    private let c = Expr.compare(field: "seed", op: .eq, value: .integer(3))

    func testAndBindsTighterThanOr() throws {
        XCTAssertEqual(try parseQuery("runs where seed = 1 or seed = 2 and seed = 3").filter, .or(a, .and(b, c)))
        XCTAssertEqual(try parseQuery("runs where seed = 1 and seed = 2 or seed = 3").filter, .or(.and(a, b), c))
        XCTAssertEqual(try compileOne("runs select id where seed = 1 or seed = 2 and seed = 3").sql,
                       #"SELECT "id" FROM q_runs WHERE "seed" = ? OR "seed" = ? AND "seed" = ?"#)
    }

    func testParenthesesOverridePrecedence() throws {
        XCTAssertEqual(try parseQuery("runs where (seed = 1 or seed = 2) and seed = 3").filter, .and(.or(a, b), c))
        let sql = try compileOne("runs select id where (seed = 1 or seed = 2) and seed = 3").sql
        XCTAssertEqual(sql, #"SELECT "id" FROM q_runs WHERE ("seed" = ? OR "seed" = ?) AND "seed" = ?"#)
    }

    func testNotBindsTighterThanAnd() throws {
        XCTAssertEqual(try parseQuery("runs where not seed = 1 and seed = 2").filter, .and(.not(a), b))
        XCTAssertEqual(try parseQuery("runs where not (seed = 1 or seed = 2)").filter, .not(.or(a, b)))
        XCTAssertEqual(try parseQuery("runs where not not seed = 1").filter, .not(.not(a)))
        XCTAssertEqual(try compileOne("runs select id where not (seed = 1 or seed = 2) and seed = 3").sql,
                       #"SELECT "id" FROM q_runs WHERE NOT ("seed" = ? OR "seed" = ?) AND "seed" = ?"#)
    }

    func testArgumentsFollowPlaceholderOrder() throws {
        let c = try compileOne("runs select id where seed = 1 or (seed = 2 and not seed = 3) limit 9")
        XCTAssertEqual(c.sql, #"SELECT "id" FROM q_runs WHERE "seed" = ? OR "seed" = ? AND NOT ("seed" = ?) LIMIT ?"#)
        XCTAssertEqual(c.arguments, [.integer(1), .integer(2), .integer(3), .integer(9)])
    }
}
