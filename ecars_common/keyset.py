"""Keyset paging for the region-scale lists (docs/lists.md, issue 21): a page is read after the last row shown
(« Page suivante ») or before the first (« Page précédente ») on the sort's index, so that page 150 costs what
page 1 costs, where OFFSET walked the 2,980 rows it skipped. The first pages keep their numbers (OFFSET of at most
`(NUMBERED_PAGES - 1) × PAGE_SIZE` rows) and the last page is read from the list's end.

A cursor is opaque to the caller: the base64url of a short JSON array — the direction, the number of the page it
leads to (for « Page 57 sur 200 »), the sort key and the id of the row it starts from, and a stamp of the sort and
criteria it was given for. It is checked on the way in (`decode`): what is not a cursor this list gave for this
sort and these criteria is refused (the service answers 422), never sent to the database. The order is always
(key, id) both ascending or both descending, so that the id breaks ties and a row-value comparison on the
index `(…, key, id)` starts the page."""

import base64
import binascii
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

PAGE_SIZE = 20
NUMBERED_PAGES = 5  # pages reached by their number; deeper ones by cursor (or from the end)
AFTER, BEFORE, LAST = "a", "b", "z"
MAX_LENGTH = 1000  # characters of a cursor
MAX_KEY = 400  # characters of a text key (the lists' keys are names and FINESS)
INVALID = "lien de page invalide : rouvrez la liste depuis sa première page"
OTHER_LIST = "lien de page donné pour un autre tri ou d'autres critères : rouvrez la liste depuis sa première page"


class CursorError(ValueError):
    """A cursor this list did not give (forged, cut, or for another sort or other criteria)."""


@dataclass(frozen=True)
class Cursor:
    direction: str  # AFTER the row (key, id), BEFORE it, or the LAST page
    page: int  # the number of the page it leads to
    key: str | int | None = None
    id: str | None = None


def stamp(*parts) -> str:
    """What a cursor is bound to: the sort and the criteria of the list it was given for."""
    return format(zlib.crc32(json.dumps(parts, sort_keys=True, default=str).encode()), "08x")


def encode(cursor: Cursor, bound_to: str) -> str:
    raw = json.dumps([cursor.direction, cursor.page, cursor.key, cursor.id, bound_to], separators=(",", ":"),
                     ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode(text: str, bound_to: str, key_type: type, id_ok: Callable[[str], bool]) -> Cursor:
    """The cursor `text` stands for, if this list gave it for these criteria (`bound_to`); else CursorError."""
    if not text or len(text) > MAX_LENGTH or not text.isascii():
        raise CursorError(INVALID)
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError(INVALID) from None
    if not isinstance(value, list) or len(value) != 5:
        raise CursorError(INVALID)
    direction, page, key, row_id, given_for = value
    if direction not in (AFTER, BEFORE, LAST) or type(page) is not int or not 1 <= page <= 1_000_000:
        raise CursorError(INVALID)
    if direction == LAST:
        if key is not None or row_id is not None:
            raise CursorError(INVALID)
    elif (type(key) is not key_type or (key_type is str and len(key) > MAX_KEY)
          or not isinstance(row_id, str) or not id_ok(row_id)):
        raise CursorError(INVALID)
    if given_for != bound_to:
        raise CursorError(OTHER_LIST)
    return Cursor(direction, page, key, row_id)


@dataclass(frozen=True)
class Window:
    """How one page is read: its number (OFFSET), after or before a cursor's row, or the last page from the end."""
    page: int
    cursor: Cursor | None
    reverse: bool  # read in the opposite order (before a row, the last page), turned round afterwards
    limit: int  # rows read: a page and one more (is there a page beyond?), or the last page's rows
    offset: int = 0


@dataclass(frozen=True)
class Keyset:
    """A list's order: `key` (the sort's expression, as its index holds it) then `tie` (the row's unique id)."""
    key: sa.ColumnElement
    tie: sa.ColumnElement
    descending: bool = False

    def order(self, window: Window) -> list:
        down = self.descending != window.reverse
        return [self.key.desc(), self.tie.desc()] if down else [self.key.asc(), self.tie.asc()]

    def window(self, page: int, cursor: Cursor | None, total: int) -> Window:
        pages = page_count(total)
        if cursor is None:
            return Window(page, None, False, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        if cursor.direction == LAST:
            return Window(pages, cursor, True, total - (pages - 1) * PAGE_SIZE if total else PAGE_SIZE)
        return Window(min(cursor.page, pages), cursor, cursor.direction == BEFORE, PAGE_SIZE + 1)

    def where(self, window: Window) -> list:
        """The condition that starts the page at the cursor's row (none for a numbered or the last page)."""
        cursor = window.cursor
        if cursor is None or cursor.direction == LAST:
            return []
        down = self.descending != window.reverse
        if self.key is self.tie:
            return [self.key < cursor.key if down else self.key > cursor.key]
        mine = sa.tuple_(self.key, self.tie)
        theirs = sa.tuple_(sa.literal(cursor.key, self.key.type), sa.literal(cursor.id, self.tie.type))
        return [mine < theirs if down else mine > theirs]

    def apply(self, statement: sa.Select, window: Window) -> sa.Select:
        """`statement` (its rows filtered already) limited to the window's rows, in the order they are read."""
        return statement.where(*self.where(window)).order_by(*self.order(window)).limit(window.limit).offset(
            window.offset or None)


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def paging(rows: Sequence, window: Window, total: int, bound_to: str,
           key_of: Callable, id_of: Callable) -> tuple[list, dict]:
    """The rows of the page, in the list's order, and the paging block of the answer: the page's number, the number
    of pages, and the cursors of the next, previous and last pages (None where there is none)."""
    rows = list(rows)
    beyond = len(rows) > PAGE_SIZE  # read one more than a page: there is a page beyond, in the reading direction
    rows = rows[:PAGE_SIZE]
    if window.reverse:
        rows.reverse()
    pages, page = page_count(total), window.page
    direction = window.cursor.direction if window.cursor else None
    has_next = bool(rows) and (beyond if direction in (None, AFTER) else direction == BEFORE)
    has_previous = bool(rows) and {None: page > 1, AFTER: True, BEFORE: beyond, LAST: pages > 1}[direction]
    if direction == BEFORE and not beyond:
        page = 1  # nothing before it: the first page, whatever the cursor said
    elif direction == AFTER and not beyond:
        page = pages  # nothing after it: the last page

    def cursor(side: str, row, number: int) -> str:
        return encode(Cursor(side, number, key_of(row), id_of(row)), bound_to)

    return rows, {
        "page": page, "pages": pages,
        "next": cursor(AFTER, rows[-1], page + 1) if has_next else None,
        "previous": cursor(BEFORE, rows[0], max(page - 1, 1)) if has_previous else None,
        "last": encode(Cursor(LAST, pages), bound_to) if pages > 1 and page < pages else None,
    }
