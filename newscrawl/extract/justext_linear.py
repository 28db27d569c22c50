"""jusText's context-sensitive paragraph classification in linear time, for trafilatura's justext fallback.

``justext.core.revise_paragraph_classification`` looks up, for every short or near-good paragraph, the nearest
good or bad paragraph before and after it by walking there: a run of n short paragraphs (a page of 10,000 list
items) costs n² steps, 20 s for one 8 MB page (docs/OPERATIONS.md, "Bounded work per page"). The same answers come
from one sweep each way. ``revise_paragraph_classification`` here gives every paragraph the class jusText 3.0.2's
gives it (tests/test_bounded_work.py compares them on generated paragraph sequences); ``install`` puts it where
trafilatura calls it.
"""

from __future__ import annotations

GOOD_OR_BAD = ("good", "bad")


def _nearest(classes: list[str], wanted, backwards: bool) -> list[str]:
    """For each index, the nearest class before it (``backwards``) or after it that is in ``wanted``, else 'bad'."""
    out = ["bad"] * len(classes)
    found = "bad"
    order = range(len(classes)) if backwards else range(len(classes) - 1, -1, -1)
    for i in order:
        out[i] = found
        if classes[i] in wanted:
            found = classes[i]
    return out


def _heading_good_nearby(paragraphs, i: int, max_heading_distance: int) -> bool:
    """jusText's heading rule, as it is: a good paragraph within max_heading_distance characters after ``i``."""
    j, distance = i + 1, 0
    while j < len(paragraphs) and distance <= max_heading_distance:
        if paragraphs[j].class_type == "good":
            return True
        distance += len(paragraphs[j].text)
        j += 1
    return False


def revise_paragraph_classification(paragraphs, max_heading_distance: int = 200) -> None:
    """``justext.core.revise_paragraph_classification``, each neighbour found by a sweep instead of a walk."""
    for i, paragraph in enumerate(paragraphs):  # good headings (the ones after i still hold their old class)
        paragraph.class_type = paragraph.cf_class
        if paragraph.heading and paragraph.class_type == "short" \
                and _heading_good_nearby(paragraphs, i, max_heading_distance):
            paragraph.class_type = "neargood"

    # classify short: every lookup reads the classes as they are before this step
    classes = [p.class_type for p in paragraphs]
    prev_gb, next_gb = _nearest(classes, GOOD_OR_BAD, True), _nearest(classes, GOOD_OR_BAD, False)
    prev_any = _nearest(classes, ("good", "bad", "neargood"), True)
    next_any = _nearest(classes, ("good", "bad", "neargood"), False)
    new_classes = {}
    for i, c in enumerate(classes):
        if c != "short":
            continue
        before, after = prev_gb[i], next_gb[i]
        if before == "good" and after == "good":
            new_classes[i] = "good"
        elif before == "bad" and after == "bad":
            new_classes[i] = "bad"
        elif (before == "bad" and prev_any[i] == "neargood") or (after == "bad" and next_any[i] == "neargood"):
            new_classes[i] = "good"
        else:
            new_classes[i] = "bad"
    for i, c in new_classes.items():
        paragraphs[i].class_type = c

    # revise neargood: a paragraph revised here is the previous neighbour of the next ones (in order, as jusText)
    next_gb = _nearest([p.class_type for p in paragraphs], GOOD_OR_BAD, False)  # the later ones: not revised yet
    before = "bad"
    for i, paragraph in enumerate(paragraphs):
        if paragraph.class_type == "neargood":
            paragraph.class_type = "bad" if (before, next_gb[i]) == ("bad", "bad") else "good"
        if paragraph.class_type in GOOD_OR_BAD:
            before = paragraph.class_type

    # more good headings
    for i, paragraph in enumerate(paragraphs):
        if paragraph.heading and paragraph.class_type == "bad" and paragraph.cf_class != "bad" \
                and _heading_good_nearby(paragraphs, i, max_heading_distance):
            paragraph.class_type = "good"


def install() -> None:
    """trafilatura's justext fallback calls this module's function (trafilatura.external imported it by name)."""
    import trafilatura.external

    trafilatura.external.revise_paragraph_classification = revise_paragraph_classification
