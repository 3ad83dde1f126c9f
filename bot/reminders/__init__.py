"""Reminders: generated from the plan into the outbox table, sent once by whoever claims them.

APScheduler only wakes a ticker; the schedule itself lives in the `reminder` table, so any
number of web and worker processes can tick without sending anything twice (PLATFORM.md).
"""
