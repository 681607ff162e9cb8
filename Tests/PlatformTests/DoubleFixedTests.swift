import Testing
import Platform

struct DoubleFixedTests {
    @Test(arguments: [
        (1.23456, 3, "1.235"),
        (0, 3, "0.000"),
        (12, 1, "12.0"),
        (0.0005, 3, "0.001"),
        (0.05, 1, "0.1"),
        (1234567.891, 2, "1234567.89"),
        (0.999_6, 3, "1.000"),
        (42.4, 0, "42"),
        (-0.5, 0, "-1"),
        (-1.25, 1, "-1.3"),
        (-0.0001, 3, "-0.000"),
        (7.000_000_001, 9, "7.000000001"),
        (Double.nan, 3, "nan"),
        (Double.infinity, 2, "inf"),
        (-Double.infinity, 2, "-inf"),
    ] as [(Double, Int, String)])
    func printsExactlyTheGivenDecimals(value: Double, decimals: Int, expected: String) {
        #expect(value.fixed(decimals) == expected)
    }

    @Test func beyondInt64ItFallsBackToPlainText() {
        #expect(1e300.fixed(3) == "1e+300")
    }
}
