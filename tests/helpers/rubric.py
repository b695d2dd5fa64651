"""An expert's score sheet as the review form posts it."""


def sheet(rubric, value):
    """Every criterion (every sub-item) of `rubric` scored `value`."""
    from jinxuan.review.rubric import input_name

    data = {}
    for c in rubric.criteria:
        if c.sub_items:
            data.update({input_name(c.key, s.key): str(value) for s in c.sub_items})
        else:
            data[input_name(c.key)] = str(value)
    return data
