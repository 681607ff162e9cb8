// Tests of Redis.
