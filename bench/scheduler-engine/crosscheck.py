#!/usr/bin/env python3
"""Cross-checks CronExpression.next against a brute-force oracle: every UTC
minute of a range, Python's zoneinfo for the wall time, fire when the wall time
matches and is its first occurrence, or when a DST gap skipped a matching wall
time. Covers DST gaps and overlaps, midnight transitions (Sao Paulo, Havana),
a skipped day (Apia 2011), negative DST (Dublin), 30-minute shifts (Lord Howe)
and years past the TZif tables (POSIX footer rules). Takes a few minutes.

Usage: bench/scheduler-engine/crosscheck.sh
"""
import datetime as dt, subprocess, sys
from zoneinfo import ZoneInfo
BIN = sys.argv[1]
UTC=dt.timezone.utc
cases = [
 ("0 30 2 * * *", lambda w: w.hour==2 and w.minute==30),
 ("0 */15 * * * *", lambda w: w.minute%15==0),
 ("0 0 * * * *", lambda w: w.minute==0),
 ("0 15 0,1,2,3 * * *", lambda w: w.minute==15 and w.hour in (0,1,2,3)),
 ("0 0 0 * * *", lambda w: w.minute==0 and w.hour==0),
 ("0 45 1 * * SUN", lambda w: w.minute==45 and w.hour==1 and w.weekday()==6),
 ("0 50 23 * * *", lambda w: w.minute==50 and w.hour==23),
]
ranges = [
 ("America/New_York","2026-01-01","2027-01-01"), ("America/New_York","2045-01-01","2046-01-01"),
 ("Europe/Berlin","2026-01-01","2027-01-01"), ("Australia/Lord_Howe","2045-01-01","2046-01-01"),
 ("Australia/Lord_Howe","2026-01-01","2027-01-01"), ("Asia/Seoul","1987-01-01","1989-01-01"),
 ("America/Sao_Paulo","2017-06-01","2019-06-01"), ("Pacific/Apia","2011-06-01","2012-06-01"),
 ("Europe/Dublin","2045-01-01","2046-01-01"), ("America/Havana","2026-01-01","2027-01-01"),
 ("America/Santiago","2045-01-01","2046-01-01"),
]
bad=0
for zid,a,b in ranges:
    zi=ZoneInfo(zid)
    start=dt.datetime.fromisoformat(a).replace(tzinfo=UTC); end=dt.datetime.fromisoformat(b).replace(tzinfo=UTC)
    # One pass over the minutes: each minute's wall time, whether it is that
    # wall time's first occurrence, and the wall times a gap just skipped.
    minutes=[]
    u=start+dt.timedelta(minutes=1)
    prevwall=start.astimezone(zi).replace(tzinfo=None)
    while u<=end:
        wall=u.astimezone(zi).replace(tzinfo=None)
        first=wall.replace(tzinfo=zi,fold=0).astimezone(UTC)==u
        skipped=[]
        g=prevwall+dt.timedelta(minutes=1)
        while g<wall:
            skipped.append(g); g+=dt.timedelta(minutes=1)
        minutes.append((u.strftime('%Y-%m-%dT%H:%M:%SZ'),wall,first,skipped))
        prevwall=wall
        u+=dt.timedelta(minutes=1)
    for expr,pred in cases:
        exp=[text for text,wall,first,skipped in minutes
             if (first and pred(wall)) or any(pred(g) for g in skipped)]
        got=subprocess.run([BIN,expr,zid,start.strftime('%Y-%m-%dT%H:%M:%SZ'),end.strftime('%Y-%m-%dT%H:%M:%SZ')],
                           capture_output=True,text=True).stdout.split()
        if got!=exp:
            bad+=1
            se,sg=set(exp),set(got)
            print("MISMATCH",zid,a,expr,"missing",sorted(se-sg)[:5],"extra",sorted(sg-se)[:5])
        else:
            print("ok",zid,a,expr,len(got))
print("mismatches:", bad)
sys.exit(1 if bad else 0)
