from knowledge.gaps import group_gaps


def test_similar_questions_group_and_the_biggest_gap_comes_first():
    gaps = group_gaps([
        "where can I park?",
        "how much does ERAS cost",
        "parking at TMEC?",
        "where do i park my car",
        "what's the ERAS fee",
        "best pizza near campus",
    ])
    assert gaps[0].count == 3 and "park" in gaps[0].example
    assert sum(gap.count for gap in gaps) == 6
    assert [gap.count for gap in gaps] == sorted((gap.count for gap in gaps), reverse=True)


def test_no_questions_no_gaps():
    assert group_gaps([]) == []
