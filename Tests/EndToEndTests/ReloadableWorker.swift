import Foundation
import TestSupport

/// A built worker (on the shared Redis) whose job types come from files in its `jobs.d`, named in
/// `jobs` with their text: a test rewrites them and sends SIGHUP.
func reloadableWorker(id: String, namespace: String, jobs: [String: String]) throws -> DaemonProcess {
    try DaemonProcess("batch-worker", config: "include = jobs.d/*.conf\n", redisURL: try RedisServer.shared.url, namespace: namespace, id: id,
                      setUp: { dir in
                          try FileManager.default.createDirectory(atPath: dir + "/jobs.d", withIntermediateDirectories: true)
                          for (file, text) in jobs { try text.write(toFile: dir + "/jobs.d/" + file, atomically: true, encoding: .utf8) }
                      })
}
