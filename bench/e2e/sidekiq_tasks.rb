# The job the end-to-end benchmark runs on Sidekiq: records its end with one Redis INCR (as
# every system's no-op job here records its result), and for round trips also pushes the end
# onto a per-job list the client waits on.
require "redis"
Redis.silence_deprecations = true if Redis.respond_to?(:silence_deprecations=)
require "sidekiq"

class NoopJob
  include Sidekiq::Worker
  sidekiq_options retry: false

  def perform(done_key = nil)
    Sidekiq.redis do |r|
      r.incr("bench:done")
      r.lpush(done_key, "1") if done_key
    end
  end
end
