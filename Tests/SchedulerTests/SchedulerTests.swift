// Tests of Scheduler.
