"""What a recomputation tells readers (store/flips.py ``Recomputed``): a change, or a
timeline only known again because its samples came after its closing unknown flip."""

from __future__ import annotations

import pytest

from slawatch.sla.timeline import Flip, State
from slawatch.store.flips import Recomputed

UP, DOWN, UNKNOWN = State.UP, State.DOWN, State.UNKNOWN
# The sample of t=100 closed the timeline at 220 (interval 60); the next one, of t=160,
# moves that flip to 280.
BEFORE = [Flip(100, UP), Flip(220, UNKNOWN)]
AFTER = [Flip(100, UP), Flip(280, UNKNOWN)]


@pytest.mark.parametrize(
    ("written_at", "revived"),
    # Long before the closing instant; just before it (a reader may reach it before the
    # write commits: COMMIT_MARGIN); at it; after it.
    [(217, False), (218, True), (220, True), (250, True)],
)
def test_a_late_write_revives_a_timeline_once_its_closing_flip_was_reached(
    written_at: int, revived: bool
) -> None:
    recomputed = Recomputed(AFTER, BEFORE)
    assert not recomputed.changed
    assert recomputed.revived(written_at) is revived


def test_a_change_is_a_change_and_not_a_revival() -> None:
    recomputed = Recomputed([Flip(100, UP), Flip(160, DOWN), Flip(280, UNKNOWN)], BEFORE)
    assert recomputed.changed
    assert not recomputed.revived(250)


def test_the_same_flips_again_say_nothing() -> None:
    recomputed = Recomputed(BEFORE, BEFORE)
    assert not recomputed.changed
    assert not recomputed.revived(250)
