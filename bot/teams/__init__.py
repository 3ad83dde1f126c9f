"""The Teams backend: Adaptive Cards for the neutral forms and messages (activity handling on
the Microsoft 365 Agents SDK comes beside it)."""
