# Runs the end-to-end benchmark against Sidekiq (Debian's ruby-sidekiq), 2 processes of
# `-c 10`, on the same loopback Redis as the others:
#
#   throughput: N jobs pushed with perform_async from 4 client threads (connected before the
#               clock starts), from the first push to the moment all N ends are counted
#   latency:    sequential push -> end round trips (the client BLPOPs the job's done list)
#   rss:        peak RSS of the Sidekiq processes
#
#   ruby sidekiq_bench.rb --redis-port P [--jobs 20000] [--count 500] [--producers 4]
#
# Prints one line per figure, `name key=value ...`, as others.py does, for run.sh to collect.
require "optparse"
require "redis"
require "sidekiq"

opts = { jobs: 20_000, count: 500, producers: 4 }
OptionParser.new do |o|
  o.on("--redis-port P", Integer) { |v| opts[:port] = v }
  o.on("--jobs N", Integer) { |v| opts[:jobs] = v }
  o.on("--count N", Integer) { |v| opts[:count] = v }
  o.on("--producers N", Integer) { |v| opts[:producers] = v }
end.parse!
abort "sidekiq_bench: --redis-port is required" unless opts[:port]

url = "redis://127.0.0.1:#{opts[:port]}/1"
here = File.dirname(File.expand_path(__FILE__))
require File.join(here, "sidekiq_tasks")
Sidekiq.configure_client { |c| c.redis = { url: url, size: opts[:producers] + 2 } }
redis = Redis.new(url: url)
redis.flushdb
log_dir = ENV.fetch("BENCH_LOG_DIR", "/tmp")
log = File.open(File.join(log_dir, "sidekiq-workers.log"), "a")

pids = 2.times.map do
  Process.spawn({ "REDIS_URL" => url }, "sidekiq", "-c", "10", "-r", File.join(here, "sidekiq_tasks.rb"),
                out: log, err: log, pgroup: true)
end
stop = lambda do
  pids.each { |p| Process.kill("TERM", p) rescue nil }
  pids.each { |p| Process.wait(p) rescue nil }
end
at_exit { stop.call }

def peak_rss_kb(pid)
  File.foreach("/proc/#{pid}/status") { |l| return l.split[1].to_i if l.start_with?("VmHWM:") }
  0
rescue Errno::ENOENT
  0
end

# Ready when both processes have taken a job (each registers in `processes`) and one ran.
deadline = Time.now + 60
until redis.scard("processes").to_i >= 2 || Time.now > deadline
  sleep 0.1
end
abort "sidekiq_bench: the two Sidekiq processes did not start; see #{log.path}" if redis.scard("processes").to_i < 2
NoopJob.perform_async
sleep 0.01 until redis.get("bench:done").to_i >= 1 || Time.now > deadline
# Warm up: 20 round trips through the whole system, untimed.
20.times { |i| NoopJob.perform_async("bench:warm:#{i}"); redis.blpop("bench:warm:#{i}", timeout: 10) }

# Throughput.
redis.set("bench:done", 0)
n, producers = opts[:jobs], opts[:producers]
per = n / producers
ready = Queue.new
go = Queue.new
threads = producers.times.map do |t|
  Thread.new do
    Sidekiq.redis { |r| r.ping }  # connected before the clock starts
    ready << true
    go.pop
    count = t == producers - 1 ? n - per * (producers - 1) : per
    count.times { NoopJob.perform_async }
  end
end
producers.times { ready.pop }
start = Process.clock_gettime(Process::CLOCK_MONOTONIC)
producers.times { go << true }
threads.each(&:join)
deadline = Time.now + 600
sleep 0.002 until redis.get("bench:done").to_i >= n || Time.now > deadline
elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - start
done = redis.get("bench:done").to_i
abort "sidekiq_bench: only #{done} of #{n} ended within 600 s" if done < n
puts format("throughput jobs=%d seconds=%.3f per_second=%.0f", n, elapsed, n / elapsed)

# Latency.
samples = opts[:count].times.map do |i|
  key = "bench:rt:#{i}"
  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  NoopJob.perform_async(key)
  abort "sidekiq_bench: round trip #{i} did not end in 10 s" unless redis.blpop(key, timeout: 10)
  Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0
end.sort
pct = ->(p) { samples[[[(p * samples.size).ceil - 1, 0].max, samples.size - 1].min] * 1000 }
puts format("latency count=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", samples.size, pct.(0.5), pct.(0.99), samples.last * 1000)

rss = pids.map { |p| peak_rss_kb(p) }
puts format("rss peak_total_mb=%.1f processes=%d peak_max_mb=%.1f", rss.sum / 1024.0, rss.size, rss.max / 1024.0)
