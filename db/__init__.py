"""Persistence: SQLAlchemy 2 async models, repositories and Alembic migrations."""

from db.engine import create_engine, create_sessionmaker
from db.models import User
from db.repositories import Repos

__all__ = ["Repos", "User", "create_engine", "create_sessionmaker"]
