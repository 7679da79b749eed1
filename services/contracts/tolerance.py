"""« Écart toléré » (issue 18): a number or percentage question may state, in its campaign's template, how far
(in % of last campaign's value, same indicator, same EJ) a new value may move before a comment is asked — a
warning, never a refusal of the value, as the expected range does. Free of I/O."""

from ecars_common import values as value_rules


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def beyond(question, value, previous) -> str | None:
    """Why a comment is asked (the French phrase, as the expected range words it), or None: `question` states a
    tolerance, both values are numbers, and |value − previous| > tolerance % of |previous| (from 0, any change)."""
    if question.tolerance is None or not (is_number(value) and is_number(previous)):
        return None
    new, old = value_rules.to_decimal(value), value_rules.to_decimal(previous)  # decimals: 10 % of 48 is 4,8
    if abs(new - old) <= value_rules.to_decimal(question.tolerance) / 100 * abs(old):
        return None
    return (f"« {question.label} » s'écarte de plus de {value_rules.french(question.tolerance)} % de la valeur de la "
            f"campagne précédente ({value_rules.french(previous)})")
