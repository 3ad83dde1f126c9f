"""The durable state: SQLModel tables and small query functions that take a session first.

Every record belongs to one organisation (tenant) and every query is scoped by it
(DESIGN.md "Shape"). Sessions are passed in, never global; functions flush, callers commit.
"""
