"""Every score threshold of the matcher, in one place (see docs/matching.md for how they were set).

Scores are in [0, 1]. `confidence` = coverage (how much of the message the topic explains) times
strength (how much evidence there is at all); `margin` = how far the best topic is ahead of the second.
"""

from __future__ import annotations

# Answer: the bot shows the topic's answer at once.
ANSWER_MIN = 0.75
ANSWER_MIN_MARGIN = 0.25
# A clear winner may be answered with a little less confidence.
ANSWER_STRONG_MARGIN = 0.50
ANSWER_MIN_WITH_STRONG_MARGIN = 0.45
# Clarify: the bot offers the candidates as buttons. Below it: hand off to a person.
CLARIFY_MIN = 0.18
# A candidate is shown next to the best one only when its score is at least this share of the best.
CANDIDATE_MIN_SHARE = 0.35
MAX_CANDIDATES = 3

# Saturation of the raw evidence (sum of IDF weights) into a strength in [0, 1).
STRENGTH_SCALE = 4.0
# How much an unknown word of the message counts against coverage (a long word, a short one).
UNKNOWN_LONG = 1.6
UNKNOWN_SHORT = 0.6
# Discount for evidence found in a fallback language (e.g. Russian words in a Tajik message) and for
# exact words of another language in a mixed message.
FALLBACK_DISCOUNT = 0.8
FOREIGN_DISCOUNT = 0.7
SIBLING_DISCOUNT = 0.5
BIGRAM_WEIGHT = 0.25
# Words in the clause that asks the question ("...? ") weigh more than the story around it.
QUESTION_BOOST = 1.3
# Evidence from the best-matching single phrase (keyword or example question) of a topic.
PHRASE_WEIGHT = 0.25
PHRASE_MAX_POSTINGS = 400

# Crisis: a lexicon hit is always a crisis (score 1). A crisis topic reached by ordinary matching is a
# crisis only when it passes the answer thresholds above; otherwise it is offered among the candidates.
CRISIS_SCORE = 1.0
# Ordinary matching discounts the crisis topics: their keywords are everyday words ("want", "live").
CRISIS_TOPIC_WEIGHT = 0.6
# Character n-gram TF-IDF cosine with each topic's text (knowledge/ngrams.py), added to a topic's raw score
# in proportion to the message's evidence (1.0: a topic identical to the message gains as much again).
NGRAM_WEIGHT = 1.0
