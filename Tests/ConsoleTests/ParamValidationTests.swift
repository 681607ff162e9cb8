import Testing
@testable import Console

struct ParamValidationTests {
    @Test(arguments: [
        ("", ParamInfo(name: "d", required: true), "d is required"),
        ("", ParamInfo(name: "d"), nil),
        ("5", ParamInfo(name: "n", typeHint: "int 0..3600"), nil),
        ("-1", ParamInfo(name: "n", typeHint: "int 0..3600"), "n must be between 0 and 3600"),
        ("x", ParamInfo(name: "n", typeHint: "int 0..3600"), "n must be a whole number"),
        ("-3", ParamInfo(name: "n", typeHint: "int -5..5"), nil),
        ("KRW", ParamInfo(name: "m", typeHint: "enum KRW|USD"), nil),
        ("EUR", ParamInfo(name: "m", typeHint: "enum KRW|USD"), "m must be one of KRW, USD"),
        ("2025-11-25", ParamInfo(name: "date", typeHint: "pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), nil),
        ("25-11-2025", ParamInfo(name: "date", typeHint: "pattern ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
         "date does not match ^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        ("abcdef", ParamInfo(name: "s", maxLength: 5), "s is longer than 5 characters"),
        ("x2025-11-25", ParamInfo(name: "d", typeHint: "pattern [0-9]{4}-[0-9]{2}-[0-9]{2}"),
         "d does not match [0-9]{4}-[0-9]{2}-[0-9]{2}"),  // the whole value must match
        ("anything", ParamInfo(name: "s", typeHint: "string"), nil),
    ] as [(String, ParamInfo, String?)])
    func valuesAreCheckedAgainstTheDeclaration(value: String, param: ParamInfo, problem: String?) {
        #expect(ParamValidation.problem(value, for: param) == problem)
    }
}
