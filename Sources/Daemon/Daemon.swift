// The Daemon module: what every batch daemon runs on, with no knowledge of
// Redis or HTTP (the Fleet module composes those).
//
//   Service, ServiceGroup, StopSignal, SignalWatcher   start, run, drain, signals
//   SystemdNotifier, SystemdWatchdog                   sd_notify(3) written by hand
//   Logger, LogLevel, LogSink, LogFormat               one key=value line per event on stderr
//   MetricsRegistry, Counter, Gauge, Histogram         Prometheus text format and Redis snapshots
//   ProcessStats                                       pid, host, start time, memory, fds from /proc
//   DaemonError                                        the one error type of this layer
