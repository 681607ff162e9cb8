import BatchCore
import Foundation
import Testing
@testable import Worker

struct ProcessEnvironmentTests {
    @Test(arguments: [("date", "BATCH_PARAM_DATE"), ("max-rows", "BATCH_PARAM_MAX_ROWS"),
                      ("a.b c", "BATCH_PARAM_A_B_C"), ("x9", "BATCH_PARAM_X9"), ("é", "BATCH_PARAM___")])
    func parameterVariableNames(name: String, expected: String) {
        #expect(JobEnvironment.parameterVariable(name) == expected)
    }

    @Test func buildsACleanEnvironmentWithBatchVariablesWinning() {
        let env = JobEnvironment.variables(
            executionID: "e-1", attempt: 2,
            params: ["date": .string("2026-01-02"), "n": .number(3), "list": .array([.number(1)]), "none": .null],
            extra: ["LANG": "C.UTF-8", "BATCH_ATTEMPT": "spoofed"],
            passthrough: ["PATH", "MISSING"],
            inherited: ["PATH": "/bin", "HOME": "/root", "SECRET": "x"])
        #expect(env == [
            "PATH": "/bin", "LANG": "C.UTF-8",
            "BATCH_PARAM_DATE": "2026-01-02", "BATCH_PARAM_N": "3", "BATCH_PARAM_LIST": "[1]",
            "BATCH_EXECUTION_ID": "e-1", "BATCH_ATTEMPT": "2",
        ])
    }

    @Test func stdinIsTheParametersAsSortedJSON() {
        let bytes = JobEnvironment.stdinJSON(["b": .bool(true), "a": .string("x/y")])
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":"x/y","b":true}"#)
    }
}
