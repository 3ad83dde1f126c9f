"""What a person is told when something fails on our side, on every channel: only what is
known to be true (README "Faults").

Each is a `StandingMessage`: defined here once, read in the language of whoever is told
(the language active where the channel writes it)."""

from bot.dialogs.model import StandingMessage, command
from iso20k_core.language import N_

# The step failed: it was rolled back (bar a worker killed between its commit and its answer,
# which no one can tell from here), so this says it was not completed, not that nothing was.
APOLOGY = StandingMessage(
    heading=N_("Sorry, that did not work"),
    text=N_(
        "Something went wrong on our side and your request could not be completed. Please "
        "try again in a minute."
    ),
    tone="error",
)
# The step was committed, but its answer could not be delivered.
NOT_SHOWN = StandingMessage(
    heading=N_("Sorry, the answer could not be shown"),
    text=N_(
        "Your request was handled, but its answer did not reach you. Run the command again "
        "to see it."
    ),
    tone="error",
)

# No worker could run the request: it may or may not have been done.
UNAVAILABLE = StandingMessage(
    heading=N_("Sorry, that could not be finished"),
    text=N_(
        "Part of the assistant was restarting while it worked on your request, so it may or "
        "may not have been done. Please check (for instance with {status}) and try again in "
        "a minute."
    ),
    params=(("status", command("status")),),
    tone="error",
)
