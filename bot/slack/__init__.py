"""The Slack backend: Bolt listeners that translate Slack input to dialogs and back."""
