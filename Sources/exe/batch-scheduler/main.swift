// batch-scheduler: fires the configured schedules (see man batch-scheduler(8)).
import Scheduler

await SchedulerDaemon.main()
