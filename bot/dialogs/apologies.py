"""What a person is told when something fails on our side, on every channel: only what is
known to be true (README "Faults")."""

from bot.dialogs.model import Message, command

# The step failed: it was rolled back (bar a worker killed between its commit and its answer,
# which no one can tell from here), so this says it was not completed, not that nothing was.
APOLOGY = Message(
    heading="Sorry, that did not work",
    text="Something went wrong on our side and your request could not be completed. Please "
    "try again in a minute.",
    tone="error",
)
# The step was committed, but its answer could not be delivered.
NOT_SHOWN = Message(
    heading="Sorry, the answer could not be shown",
    text="Your request was handled, but its answer did not reach you. Run the command again "
    "to see it.",
    tone="error",
)

# No worker could run the request: it may or may not have been done.
UNAVAILABLE = Message(
    heading="Sorry, that could not be finished",
    text="Part of the assistant was restarting while it worked on your request, so it may or "
    f"may not have been done. Please check (for instance with {command('status')}) and try "
    "again in a minute.",
    tone="error",
)
