"""aiogram routers for the user and staff journeys, kept thin."""

from aiogram import Router

from handlers import fallback, onboarding, questions, topics


def build_root_router() -> Router:
    """All routers in a fixed order: commands and buttons first, free text next, fallbacks last."""
    root = Router(name="root")
    root.include_routers(
        onboarding.router,  # /start, /language, /country, /privacy, /help and their buttons
        topics.router,      # /topics menu
        questions.router,   # free text → matcher; topic, feedback and "talk to a person" buttons
        fallback.router,    # unknown commands, non-text messages, stale or forged buttons
        fallback.errors,    # exceptions: one log line and an apology
    )
    return root
