"""Conversations written once, for every channel.

A dialog produces channel-neutral forms and messages (`model`) and validates what comes back
(`validation`); adapters (Slack Block Kit, Teams Adaptive Cards, the terminal) only translate.
"""
