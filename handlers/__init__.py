"""aiogram routers for the user and staff journeys, kept thin."""
