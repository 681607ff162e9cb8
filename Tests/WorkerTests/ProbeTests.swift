import HTTP
import Testing
@Test func probe() throws {
    let c = HTTPClient(requestTimeout: .seconds(2))
    let r = try c.get("http://127.0.0.1:23992/health")
    print("STATUS", r.status, r.text)
}
