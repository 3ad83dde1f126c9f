"""The Microsoft Teams adapter: Bot Framework activities in, cards and messages out."""
