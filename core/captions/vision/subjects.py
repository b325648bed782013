"""From 1,000 ImageNet class probabilities to the subject a person would name.

ImageNet splits everyday things finely (118 dog breeds, five kinds of house cat, espresso vs cup
vs coffee mug). A caption wants "a cat", and the classifier's doubt between "tabby cat" and
"tiger cat" is not doubt about "cat", so probabilities are summed over each friendly group
before the subject is chosen. The exact ImageNet label stays available as ``detail``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Friendly subject for runs of ImageNet-1k class indices (standard class order).
_GROUPS: tuple[tuple[str, tuple[range | tuple[int, ...], ...]], ...] = (
    ("a fish", (range(0, 7), range(389, 398))),
    ("a bird", (range(7, 25), range(80, 101), range(127, 147))),
    ("a frog", (range(30, 33),)),
    ("a turtle", (range(33, 38),)),
    ("a lizard", (range(38, 49),)),
    ("a snake", (range(52, 69),)),
    ("a spider", (range(72, 78),)),
    ("a dog", (range(151, 269),)),
    ("a wolf", (range(269, 273),)),
    ("a fox", (range(277, 281),)),
    ("a cat", (range(281, 286),)),
    ("a bear", (range(294, 298),)),
    ("an insect", (range(300, 321),)),
    ("a butterfly", (range(321, 327),)),
    ("a rabbit", (range(330, 333),)),
    ("a monkey or ape", (range(365, 385),)),
    ("a car", ((407, 436, 468, 511, 609, 627, 656, 661, 717, 751, 817),)),
    ("a boat", ((472, 484, 510, 554, 576, 625, 628, 724, 780, 814, 833, 871, 914),)),
    ("a cup of coffee", ((504, 505, 967, 968),)),
)

# Classes below this probability are noise, not votes: on a blank picture the 59 bird classes at
# 0.3% each would otherwise add up to "perhaps a bird (15% sure)".
GROUP_MEMBER_FLOOR = 0.005

# Labels that take no "a"/"an" ("a espresso" reads wrong).
_MASS_NOUNS = frozenset(
    {
        "espresso",
        "guacamole",
        "consomme",
        "trifle",
        "ice cream",
        "mashed potatoes",
        "carbonara",
        "chocolate syrup",
        "dough",
        "meatloaf",
        "eggnog",
        "red wine",
        "hay",
        "toilet paper",
        "sunscreen",
        "mountains",
        "paper towel",
        "chain mail",
        "broccoli",
        "cauliflower",
        "corn",
        "binoculars",
        "clogs",
        "jeans",
        "pajamas",
        "parallel bars",
        "sunglasses",
        "swim trunks / shorts",
    }
)


def with_article(label: str) -> str:
    """ "a tabby cat", "an Egyptian Mau", "espresso"."""
    if label.lower() in _MASS_NOUNS or label.lower().startswith(("a ", "an ", "the ")):
        return label
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def _group_of_class() -> dict[int, str]:
    mapping: dict[int, str] = {}
    for name, runs in _GROUPS:
        for run in runs:
            mapping.update({i: name for i in run})
    return mapping


_GROUP_OF = _group_of_class()
_GROUP_NAMES = frozenset(name for name, _ in _GROUPS)


@dataclass(frozen=True)
class Subject:
    phrase: str  # "a cat", or the class with its article when it has no group: "a tripod"
    probability: float  # summed over the group
    detail: str  # the most likely exact ImageNet label inside it: "tiger cat"
    detail_probability: float
    grouped: bool  # True when ``phrase`` stands for several ImageNet classes

    @property
    def noun(self) -> str:
        """The phrase without its article, for hashtags: "cat", "tripod"."""
        for article in ("a ", "an "):
            if self.phrase.startswith(article):
                return self.phrase[len(article) :]
        return self.phrase


def rank_subjects(probs: np.ndarray, labels: tuple[str, ...], top: int = 3) -> list[Subject]:
    """Subjects by summed probability, best first."""
    totals: dict[str, float] = {}
    best: dict[str, int] = {}
    for rank, i in enumerate(np.argsort(probs)[::-1]):  # best first, so ``best`` keeps each group's top class
        i = int(i)
        if rank > 0 and probs[i] < GROUP_MEMBER_FLOOR:
            break
        group = _GROUP_OF.get(i)
        phrase = group or with_article(labels[i])
        totals[phrase] = totals.get(phrase, 0.0) + float(probs[i])
        best.setdefault(phrase, i)
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)[:top]
    return [
        Subject(
            phrase=phrase,
            probability=total,
            detail=labels[best[phrase]],
            detail_probability=float(probs[best[phrase]]),
            grouped=phrase in _GROUP_NAMES,
        )
        for phrase, total in ranked
    ]
