// swift-tools-version:6.0
// batch: scheduled and on-demand jobs across a fleet of Linux machines.
//
// Layers (imports point down only):
//   C shims   CHiredis, CNcursesw, CSystem   (each imported by one module, CSystem by the low layers)
//   L0        Platform                       what Foundation gave the low layers: threads, thread-locals, number text,
//                                            the syscall wrapper, Duration units, backoff, a fast random generator
//             Schedule                       cron, time zones, instants and civil time, misfire and overlap rules,
//                                            schedule plans; knows nothing of config
//             Resilience                     circuit breaker, sliding window, balancer, lease policy; knows nothing of config
//             BatchCore                      states, transitions, wire types, config (parsed into Schedule's and
//                                            Resilience's types), command line, JSON
//             HTTP                           epoll server, HTTP/1.1 parser, client; knows nothing of jobs
//   L0.5      FleetAPI                       the daemons' HTTP APIs: routes, typed requests, failover, problems
//   L1        Redis                          hiredis connection, replies, pipelines, scripts
//             Daemon                         services, signals, sd_notify, logging, metrics
//             Terminal                       the only code that talks to ncurses
//   L2        Store                          every Redis key and Lua script of the system
//   L2.5      Fleet                          what every daemon shares: bootstrap, registration, health
//   L3        Worker, Gateway, Scheduler, Control (batchctl), Console (batchtop)
import PackageDescription

let package = Package(
    name: "batch",
    products: [
        .executable(name: "batch-gateway", targets: ["batch-gateway"]),
        .executable(name: "batch-worker", targets: ["batch-worker"]),
        .executable(name: "batch-scheduler", targets: ["batch-scheduler"]),
        .executable(name: "batchctl", targets: ["batchctl"]),
        .executable(name: "batchtop", targets: ["batchtop"]),
    ],
    targets: [
        // C shims
        // No pkgConfig: SwiftPM drops (and warns about) the -D flags pkg-config gives for
        // both; the headers are in /usr/include and each module map names its libraries.
        // scripts/deps.sh installs libhiredis-dev and libncursesw5-dev.
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),

        // L0
        .target(name: "Platform", dependencies: ["CSystem"]),
        .target(name: "Schedule"),
        .target(name: "Resilience", dependencies: ["Platform"]),
        .target(name: "BatchCore", dependencies: ["Platform", "Schedule", "Resilience"]),
        .target(name: "HTTP", dependencies: ["CSystem", "Platform"]),
        // L0.5
        .target(name: "FleetAPI", dependencies: ["BatchCore", "HTTP"]),
        // L1
        .target(name: "Redis", dependencies: ["CHiredis", "CSystem", "Platform"]),
        .target(name: "Daemon", dependencies: ["BatchCore", "CSystem", "Platform"]),
        .target(name: "Terminal", dependencies: ["CNcursesw"]),
        // L2
        .target(name: "Store", dependencies: ["BatchCore", "Redis"]),
        .target(name: "Fleet", dependencies: ["BatchCore", "Redis", "Store", "HTTP", "FleetAPI", "Daemon", "Platform"]),
        // L3
        .target(name: "Worker", dependencies: ["BatchCore", "Resilience", "Store", "HTTP", "FleetAPI", "Daemon", "Fleet", "CSystem", "Platform"]),
        .target(name: "Gateway", dependencies: ["BatchCore", "Resilience", "Store", "HTTP", "FleetAPI", "Daemon", "Fleet", "Platform"]),
        .target(name: "Scheduler", dependencies: ["BatchCore", "Schedule", "Store", "HTTP", "FleetAPI", "Daemon", "Fleet", "Platform"]),
        .target(name: "Control", dependencies: ["BatchCore", "Schedule", "Resilience", "Redis", "Store", "HTTP", "FleetAPI", "Platform"]),
        .target(name: "Console", dependencies: ["BatchCore", "Schedule", "Resilience", "Redis", "Store", "HTTP", "FleetAPI", "Terminal", "Platform"]),

        // Executables: a few lines each
        .executableTarget(name: "batch-gateway", dependencies: ["Gateway"], path: "Sources/exe/batch-gateway"),
        .executableTarget(name: "batch-worker", dependencies: ["Worker"], path: "Sources/exe/batch-worker"),
        .executableTarget(name: "batch-scheduler", dependencies: ["Scheduler"], path: "Sources/exe/batch-scheduler"),
        .executableTarget(name: "batchctl", dependencies: ["Control"], path: "Sources/exe/batchctl"),
        .executableTarget(name: "batchtop", dependencies: ["Console"], path: "Sources/exe/batchtop"),
        // Benchmarks (release builds, run by the scripts in bench/)
        .executableTarget(name: "http-bench", dependencies: ["HTTP"], path: "Sources/bench/http-bench"),
        .executableTarget(name: "redis-bench", dependencies: ["Redis"], path: "Sources/bench/redis-bench"),
        .executableTarget(name: "store-bench", dependencies: ["Store", "Redis", "BatchCore", "Platform"], path: "Sources/bench/store-bench"),
        .executableTarget(name: "e2e-bench", dependencies: ["HTTP", "FleetAPI", "Redis", "Store", "BatchCore", "CSystem", "Platform"], path: "Sources/bench/e2e-bench"),
        .executableTarget(name: "worker-bench", dependencies: ["Store", "Redis", "HTTP", "FleetAPI", "BatchCore"], path: "Sources/bench/worker-bench"),

        // Tests
        .target(name: "TestSupport", dependencies: ["Redis", "CSystem", "Platform"]),
        // A worker stand-in in the test process (registers, answers dispatches as told), for gateway and end-to-end tests.
        .target(name: "FleetTestSupport", dependencies: ["TestSupport", "BatchCore", "FleetAPI", "HTTP", "Redis", "Store"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "ScheduleTests", dependencies: ["Schedule"]),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "Platform"]),
        .testTarget(name: "BatchCoreTests", dependencies: ["BatchCore", "Schedule", "Resilience", "Platform"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "FleetAPITests", dependencies: ["FleetAPI", "HTTP", "BatchCore", "TestSupport"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "TestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "TestSupport"]),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Resilience", "FleetAPI", "TestSupport"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Schedule", "FleetAPI", "TestSupport", "FleetTestSupport"]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "Schedule", "FleetAPI", "TestSupport"]),
        .testTarget(name: "ControlTests", dependencies: ["Control", "Schedule", "FleetAPI", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Resilience", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "FleetTestSupport", "BatchCore", "HTTP", "Redis", "Store"]),
    ],
    swiftLanguageModes: [.v6]
)
