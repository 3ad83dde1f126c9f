"""Tests of the Slack test kit in tests/slackfake."""
