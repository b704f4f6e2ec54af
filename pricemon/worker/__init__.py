"""The worker process: runs queued jobs (price checks, check-all, digests) through BullMQ.

main.py       lifecycle: connect, run, heartbeat, shutdown on SIGTERM/SIGINT
jobs.py       one BullMQ processor per queue: dispatch by job name, database outages
checks.py     the check-product and check-all handlers
outcome.py    a check's result or error as what to record (pure)
store.py      the check run, price record and product update, in one transaction
browser.py    one shared Chromium per process, started on first need
heartbeat.py  the liveness key in Redis and `pricemon work --check`
"""
