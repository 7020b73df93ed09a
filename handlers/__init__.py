"""aiogram routers for the user and staff journeys, kept thin."""

from aiogram import Router

from handlers import case, directory, fallback, guide, materials, news, onboarding, privacy, questions, staff, topics


def build_root_router() -> Router:
    """All routers in a fixed order: commands and buttons first, free text next, fallbacks last."""
    journeys = (
        onboarding.router,  # /start, /language, /country, /privacy, /help and their buttons
        privacy.router,     # /mydata, /forget
        topics.router,      # /topics menu
        directory.router,   # /help_near_me: organisations by country, kind of help and language
        guide.router,       # /guide: staff guidance, in the staff group or a private chat with staff
        materials.router,   # /materials: publications by audience and language
        news.router,        # /news, /stop_news: opt-in news
        staff.router,       # the staff group: case buttons, replies and notes, /queue /mine /stats /t
        case.router,        # "talk to a person", /case, and relaying while a case is open
        questions.router,   # free text → matcher; topic, feedback and related-topics buttons
        fallback.router,    # unknown commands, non-text messages, stale or forged buttons
        fallback.errors,    # exceptions: one log line and an apology
    )
    root = Router(name="root")
    for router in journeys:
        router._parent_router = None  # the routers are module-level: let a second Dispatcher (tests) adopt them
    root.include_routers(*journeys)
    return root
