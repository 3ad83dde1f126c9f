"""The Microsoft Teams adapter: the Bot Framework's tokens checked (auth), the neutral forms
and messages as Adaptive Cards (cards); activity handling on the Microsoft 365 Agents SDK
comes beside them."""
