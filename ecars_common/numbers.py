"""A whole number as a person or a client writes it in a query string, a form, a path or a JSON text."""

BIGINT_MAX = 2 ** 63 - 1  # the largest id of a PostgreSQL bigint identity column (a page link's `before`)


def whole_number(raw, low: int, high: int) -> int | None:
    """The integer written in `raw` with ASCII digits only (a JSON integer passes as it is), within [low, high];
    None for anything else. The one rule: str.isdigit takes « ³ » or « ٣ », which int() then refuses (a 500), and
    int() raises past 4,300 digits, so the length is bounded by `high`'s before converting."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if low <= raw <= high else None
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(high)):
        return None
    value = int(digits)
    return value if low <= value <= high else None
