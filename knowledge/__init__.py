"""The knowledge base and the matcher: pure, synchronous, loaded once at start-up."""

from knowledge.base import KnowledgeBase
from knowledge.errors import ContentError, ContentProblem
from knowledge.loader import check_content, check_guides, load_guides, load_knowledge_base
from knowledge.matcher import Action, Decision, Matcher
from knowledge.schema import CORE_LANGUAGES, EXTRA_LANGUAGES, JURISDICTIONS, Policy

__all__ = [
    "CORE_LANGUAGES",
    "EXTRA_LANGUAGES",
    "JURISDICTIONS",
    "Action",
    "ContentError",
    "ContentProblem",
    "Decision",
    "KnowledgeBase",
    "Matcher",
    "Policy",
    "check_content",
    "check_guides",
    "load_guides",
    "load_knowledge_base",
]
