"""The link: every view's settings as one typed schema, read once (`parse`) and written once (`to_query`).

A link is what a teacher shares and a student mistypes, so nothing in it is trusted: `parse` turns the raw query
(each key with every value it was given) into a value for every key of every view, plus the notices that say
what was changed and why. The rest of the code never sees the raw strings. `to_query` writes the values back as
the shortest link that reopens them (defaults are left out), so that `parse(to_query(v)) == v`.

Notices are data (`Notice`: a sentence key and its values), put into words in the page's language only when
drawn; quoted values are cut to `QUOTE_CHARS` characters and are always shown as plain text.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from convviz.core.geometry import conv_geometry
from convviz.core.pooling import MODES, pool_geometry
from convviz.core.stacking import Layer
from convviz.i18n.strings import speaking
from convviz.model import im2col_steps, images, kernels, mixing, pool_steps, separable, stack_steps, transposed_steps
from convviz.model.setting import TEXTBOOK_SHAPES, VALUE_KINDS, Setting

VIEWS = ("Multi-channel correlation", "1×1 convolution", "Depthwise-separable", "Pooling",
         "Transposed convolution", "Stacked layers", "im2col")  # in every language
# Short names a link may give a view by (any letter case), e.g. `?view=pooling`; the link is written with VIEWS'.
VIEW_ALIASES = {"main": VIEWS[0], "correlation": VIEWS[0], "mixing": VIEWS[1], "1x1": VIEWS[1], "1×1": VIEWS[1],
                "separable": VIEWS[2], "depthwise": VIEWS[2], "pooling": VIEWS[3], "transposed": VIEWS[4],
                "stack": VIEWS[5], "stacked": VIEWS[5], "im2col": VIEWS[6],
                **{view.lower(): view for view in VIEWS}}
LANGUAGES = ("en", "zh")
SPEEDS_MS = {"slow": 1200, "normal": 700, "fast": 300, "fastest": 100}
MAX_STEPS = (32 + 2 * 3) ** 2  # the most output positions any setting has: 32×32 input, padding 3, 1×1 kernel
ZOOM_OPTIONS = ("1", "1.25", "1.5", "2")  # the teacher's text sizes (convviz.figures.animation.ZOOMS), as written
EDIT_LIMIT = 100.0  # |weight| at most this in an edited picture kernel
QUOTE_CHARS = 20  # a value quoted in a notice is cut to this many characters
STREAMLIT_KEYS = frozenset({"embed", "embed_options"})  # Streamlit reads these itself: kept as they are
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)  # ASCII digits only: not ٣ or ８
_TRUE, _FALSE = frozenset({"true", "1", "on", "yes"}), frozenset({"false", "0", "off", "no"})


@dataclass(frozen=True)
class Int:
    """A whole number in low..high (the upper end may shrink with other keys, see `parse`)."""

    key: str
    default: int
    low: int
    high: int


@dataclass(frozen=True)
class Choice:
    """One of fixed options; the link carries the option itself, the same in every language."""

    key: str
    default: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Flag:
    key: str
    default: bool


@dataclass(frozen=True)
class Text:
    """A structured text (a matrix, a region, a list of names), checked by its own reader in `parse`."""

    key: str
    default: str = ""


Field = Int | Choice | Flag | Text

_DEFAULT = Setting()
KERNEL_EDITS = tuple(f"kernel_{o}" for o in range(kernels.MAX_KERNELS))  # an edited 3×3 slice per output channel
PICTURE_CHOICES = (*images.PICTURES, "upload")
# Class mode (convviz/ui/class_room.py): `room` is a room's code (or "new"), `key` the teacher's secret. Only their
# form is checked here; whether the room exists and the key is its secret is the room store's to say.
PAGE_FIELDS: tuple[Field, ...] = (Choice("view", VIEWS[0], VIEWS), Choice("lang", "en", LANGUAGES), Text("room"),
                                  Text("key"))
ROOM_CHARS = 16  # a room code as typed: 5 characters, with spaces or dashes forgiven
KEY_CHARS = 64  # the teacher's secret: 22 URL-safe characters (128 bits), with room to spare
_ROOM = re.compile(rf"[A-Za-z0-9 -]{{1,{ROOM_CHARS}}}", re.ASCII)
_KEY = re.compile(rf"[A-Za-z0-9_-]{{1,{KEY_CHARS}}}", re.ASCII)
MAIN_FIELDS: tuple[Field, ...] = (
    Choice("values", _DEFAULT.values, VALUE_KINDS),
    Int("c_in", _DEFAULT.c_in, 1, 8),
    Int("c_out", _DEFAULT.c_out, 1, 8),
    Int("h", _DEFAULT.h, 1, 32),
    Int("w", _DEFAULT.w, 1, 32),
    Int("kh", _DEFAULT.kh, 1, 7),
    Int("kw", _DEFAULT.kw, 1, 7),
    Int("stride", _DEFAULT.stride, 1, 4),
    Int("padding", _DEFAULT.padding, 0, 3),
    Int("dilation", _DEFAULT.dilation, 1, 3),
    Flag("bias", _DEFAULT.bias),
    Int("seed", _DEFAULT.seed, 0, 2**31 - 1),
    Int("groups", _DEFAULT.groups, 1, 8),
    Flag("flip", _DEFAULT.flip),
    Int("out", 0, 0, 7),
    Choice("speed", "normal", tuple(SPEEDS_MS)),
    Int("step", 0, 0, MAX_STEPS - 1),
    Flag("present", False),
    Choice("zoom", "1", ZOOM_OPTIONS),
    Choice("image", images.PICTURES[0], PICTURE_CHOICES),
    Flag("grey", False),
    Flag("absolute", False),
    Text("kernels", ",".join(kernels.DEFAULT)),
    Text("region"),
    *(Text(key) for key in KERNEL_EDITS),
)
MIXING_FIELDS: tuple[Field, ...] = (
    Int("mix_c_in", 3, 1, mixing.MAX_CHANNELS),
    Int("mix_c_out", 3, 1, mixing.MAX_CHANNELS),
    Int("mix_h", 4, 1, mixing.MAX_SIDE),
    Int("mix_w", 4, 1, mixing.MAX_SIDE),
    Int("mix_seed", 0, 0, 9999),
    Choice("mix_preset", "random", mixing.PRESETS),
    Text("mix_W"),
    Int("mix_row", 0, 0, mixing.MAX_SIDE - 1),
    Int("mix_col", 0, 0, mixing.MAX_SIDE - 1),
    Choice("mix_k", "3", ("1", "3", "5", "7")),
    Flag("mix_bias", False),
)
SEPARABLE_FIELDS: tuple[Field, ...] = (
    Int("sep_c_in", 3, 1, mixing.MAX_CHANNELS),
    Int("sep_c_out", 4, 1, mixing.MAX_CHANNELS),
    Int("sep_h", 6, 1, mixing.MAX_SIDE),
    Int("sep_w", 6, 1, mixing.MAX_SIDE),
    Choice("sep_k", "3", tuple(str(k) for k in separable.K_OPTIONS)),
    Int("sep_seed", 0, 0, 9999),
    Choice("sep_preset", "random", mixing.PRESETS),
    Text("sep_W"),
)
POOL_MAX_SIDE = 12
POOL_FIELDS: tuple[Field, ...] = (
    Choice("pool_values", "integers", pool_steps.POOL_VALUES),
    Int("pool_c", 2, 1, 4),
    Int("pool_h", 4, 1, POOL_MAX_SIDE),
    Int("pool_w", 4, 1, POOL_MAX_SIDE),
    Int("pool_k", 2, 1, 4),
    Int("pool_stride", 0, 0, 4),  # 0: the window's own size, as the libraries default
    Int("pool_padding", 0, 0, 2),  # at most half the window (checked with pool_k)
    Choice("pool_mode", "max", MODES),
    Int("pool_seed", 0, 0, 9999),
    Int("pool_step", 0, 0, (POOL_MAX_SIDE + 4) ** 2 - 1),
    Choice("pool_image", images.PICTURES[0], images.PICTURES),  # pool_values=image: shipped and drawn, no upload
    Flag("pool_grey", False),
    Text("pool_region"),  # row,col: the top-left output cell of the picture's region the player animates
)
TR_MAX_SIDE = 6
TR_FIELDS: tuple[Field, ...] = (
    Choice("tr_values", "book", transposed_steps.TR_VALUES),
    Int("tr_c_in", 1, 1, 3),
    Int("tr_c_out", 1, 1, 3),
    Int("tr_h", 2, 1, TR_MAX_SIDE),
    Int("tr_w", 2, 1, TR_MAX_SIDE),
    Int("tr_k", 2, 1, 4),
    Int("tr_stride", 1, 1, 3),
    Int("tr_padding", 0, 0, 3),  # at most k - 1, and never the whole output (checked with tr_k, tr_h, tr_w)
    Int("tr_seed", 0, 0, 9999),
    Int("tr_step", 0, 0, TR_MAX_SIDE * TR_MAX_SIDE - 1),
)
ST_MAX_SIDE = 12
ST_MAX_LAYERS = 3
ST_FIELDS: tuple[Field, ...] = (
    Choice("st_values", "integers", stack_steps.ST_VALUES),
    Choice("st_layers", "2", ("2", "3")),
    Flag("st_relu", False),
    Int("st_c0", 1, 1, 3),
    Int("st_h", 7, 3, ST_MAX_SIDE),
    Int("st_w", 7, 3, ST_MAX_SIDE),
    Int("st_seed", 0, 0, 9999),
    *(field for n in range(1, ST_MAX_LAYERS + 1) for field in (
        Int(f"st_c{n}", 2 if n == 1 else 1, 1, 3),  # the layer's output channels
        Int(f"st_k{n}", 3, 1, 5),
        Int(f"st_s{n}", 1, 1, 2),
        Int(f"st_p{n}", 0, 0, 2),
        Int(f"st_d{n}", 1, 1, 2),
    )),
    Int("st_step", 0, 0, ST_MAX_SIDE * ST_MAX_SIDE - 1),
)
COL_MAX_SIDE = 6
COL_FIELDS: tuple[Field, ...] = (
    Choice("col_values", "book", im2col_steps.COL_VALUES),
    Int("col_c_in", 2, 1, 3),
    Int("col_c_out", 2, 1, 3),
    Int("col_h", 3, 2, COL_MAX_SIDE),
    Int("col_w", 3, 2, COL_MAX_SIDE),
    Int("col_k", 2, 1, im2col_steps.MAX_K),  # never wider than the input (checked with col_h, col_w)
    Int("col_stride", 1, 1, 3),
    Int("col_padding", 0, 0, im2col_steps.MAX_PADDING),  # at most k - 1 (checked with col_k)
    Int("col_dilation", 1, 1, im2col_steps.MAX_DILATION),  # the window fits the padded input (checked)
    Int("col_seed", 0, 0, 9999),
    Int("col_step", 0, 0, im2col_steps.max_steps(COL_MAX_SIDE) - 1),
)
FIELDS: dict[str, Field] = {
    f.key: f for f in (*PAGE_FIELDS, *MAIN_FIELDS, *MIXING_FIELDS, *SEPARABLE_FIELDS, *POOL_FIELDS, *TR_FIELDS,
                       *ST_FIELDS, *COL_FIELDS)}
SHAPE_KEYS = ("c_in", "c_out", "h", "w", "kh", "kw")
# The key that keeps each player's step: a view's (the views without a player have none).
STEP_KEYS = {VIEWS[0]: "step", VIEWS[3]: "pool_step", VIEWS[4]: "tr_step", VIEWS[5]: "st_step", VIEWS[6]: "col_step"}
# Keys whose upper end follows other keys.
DEPENDENT_KEYS = frozenset({"out", "step", "mix_row", "mix_col", "pool_padding", "pool_step", "tr_padding",
                            "tr_step", "st_step", "col_k", "col_padding", "col_dilation", "col_step"})

Values = dict[str, Any]  # one value per key of FIELDS: int, str or bool


@dataclass(frozen=True)
class Notice:
    """One problem found in the link: the key of its sentence in the string tables, and the values it names."""

    sentence: str
    values: tuple[tuple[str, str | int], ...] = ()

    def args(self) -> dict[str, str | int]:
        return dict(self.values)


def _notice(sentence: str, **values: str | int) -> Notice:
    return Notice(sentence, tuple(sorted(values.items())))


def quote(raw: str) -> str:
    """A value from the link as a notice quotes it: at most QUOTE_CHARS characters, control characters dropped."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in raw[:QUOTE_CHARS])
    return shown + "…" if len(raw) > QUOTE_CHARS else shown


def defaults() -> Values:
    """Every key's default value: the page as it opens from a bare link."""
    return {key: field.default for key, field in FIELDS.items()}


# ---- reading one value ----


def read_number(raw: str) -> float | None:
    """The finite number `raw` spells in ASCII digits, or None."""
    if len(raw) > 64 or not _NUMBER.fullmatch(raw):
        return None
    number = float(raw)
    return number if abs(number) < 1e300 else None


def _not_a_number(field: Int, raw: str) -> Notice:
    """Why `raw` is no number: not written in digits at all, or too large to be one."""
    sentence = "link_not_finite" if len(raw) <= 64 and _NUMBER.fullmatch(raw) else "link_not_number"
    return _notice(sentence, key=field.key, raw=quote(raw))


def _read_int(field: Int, raw: str, high: int) -> tuple[int, Notice | None]:
    number = read_number(raw)
    if number is None:
        return field.default, _not_a_number(field, raw)
    value = min(max(round(number), field.low), high)
    if value != number:
        return value, _notice("link_clamped", key=field.key, raw=quote(raw), low=field.low, high=high, value=value)
    return value, None


def _read(field: Field, raw: str) -> tuple[Any, Notice | None]:
    """The value of one key from its raw text, checked against the key's own type and bounds (a key whose range
    depends on others is kept as the number it spells, and bounded in `_clamp`)."""
    if isinstance(field, Int):
        if field.key in DEPENDENT_KEYS:
            number = read_number(raw)
            return (field.default, _not_a_number(field, raw)) if number is None else (number, None)
        return _read_int(field, raw, field.high)
    if isinstance(field, Flag):
        word = raw.strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE, None
        return field.default, _notice("link_not_bool", key=field.key, raw=quote(raw))
    if isinstance(field, Choice):
        if raw in field.options:
            return raw, None
        if field.key == "view" and raw.strip().lower() in VIEW_ALIASES:
            return VIEW_ALIASES[raw.strip().lower()], None
        return field.default, _notice("link_not_option", key=field.key, raw=quote(raw),
                                      choices=", ".join(field.options))
    return raw, None  # Text: read with the keys it depends on, in _cross_checks


def _unknown(key: str, known: Sequence[str], hint: bool) -> Notice:
    """A key that is no setting, with the nearest real key when one is close (`k_h` → `kh`)."""
    if hint:
        by_lower = {name.lower(): name for name in known}
        close = difflib.get_close_matches(key[:QUOTE_CHARS].lower(), by_lower, n=1, cutoff=0.6)
        if close:
            return _notice("link_unknown_key_hint", key=quote(key), nearest=by_lower[close[0]])
    return _notice("link_unknown_key", key=quote(key))


# ---- the whole link ----


def parse(query: Mapping[str, Sequence[str]], language: str = "en") -> tuple[Values, tuple[Notice, ...]]:
    """Every key's value from a raw query (each key with all the values it was given), and what was changed.

    `language` is the page's language when the link names none (the browser's). Unknown keys are dropped, a
    repeated key keeps its last value, and values that do not fit their key or the keys they depend on fall back
    or are clamped; each distinct problem gives one notice.
    """
    values = defaults()
    values["lang"] = language if language in LANGUAGES else "en"
    notices: list[Notice] = []
    given: dict[str, str] = {}
    unknown = [key for key in query if key not in FIELDS and key not in STREAMLIT_KEYS]
    known = sorted(FIELDS)
    notices += [_unknown(key, known, hint=i < 10) for i, key in enumerate(unknown)]  # hints for those shown
    for key, raws in query.items():
        field = FIELDS.get(key)
        if field is None or not raws:
            continue
        if len(raws) > 1:
            notices.append(_notice("link_repeated", key=key, count=len(raws), raw=quote(raws[-1])))
        value, notice = _read(field, raws[-1])
        given[key] = raws[-1]
        values[key] = value
        if notice:
            notices.append(notice)
    with speaking(values["lang"]):  # a matrix's problem is a sentence of its reader's, in the page's language
        notices += _cross_checks(values, given)
    return values, tuple(dict.fromkeys(notices))  # each distinct problem once, in the order found


def picture_shapes(values: Values) -> dict[str, int] | None:
    """The shapes a picture fixes (None for an upload, whose size only the upload knows)."""
    if values["image"] not in images.PICTURES:
        return None
    h, w = picture_size(values["image"])
    return {"c_in": 1 if values["grey"] else 3, "c_out": len(values["kernels"].split(",")), "h": h, "w": w,
            "kh": 3, "kw": 3}


@functools.cache
def picture_size(name: str) -> tuple[int, int]:
    """(h, w) of a shipped or drawn picture."""
    h, w = images.load_picture(name).shape[:2]
    return h, w


def fixed_shapes(values: Values) -> dict[str, int]:
    """The shapes the kind of values fixes: the chapter's example, a picture's, or none."""
    if values["values"] == "textbook":
        return dict(TEXTBOOK_SHAPES)
    if values["values"] == "image":
        return picture_shapes(values) or {"c_in": 1 if values["grey"] else 3,
                                          "c_out": len(values["kernels"].split(",")), "kh": 3, "kw": 3}
    return {}


def group_options(c_in: int, c_out: int) -> tuple[int, ...]:
    """The numbers of groups a layer can have: the divisors of c_i that divide c_o too."""
    return tuple(g for g in range(1, c_in + 1) if c_in % g == 0 and c_out % g == 0)


def _cross_checks(values: Values, given: Mapping[str, str]) -> list[Notice]:
    """The checks that need more than one key: shapes fixed by the values, groups, the followed channel, the
    step, the picture's kernels, edits and region, and the matrices of the 1×1 and separable views."""
    notices: list[Notice] = []
    names, name_notices = kernels.parse_names(values["kernels"])
    values["kernels"] = ",".join(names)
    notices += [_notice(sentence, **args) for sentence, args in name_notices]  # each unknown name once
    fixed = fixed_shapes(values) if values["values"] in ("textbook", "image") else {}
    for key in SHAPE_KEYS:
        if key in fixed and key in given:  # the link's value for a shape the values fix is not kept (nor written)
            if values[key] != fixed[key]:
                sentence = "link_fixed_textbook" if values["values"] == "textbook" else "link_fixed_picture"
                notices.append(_notice(sentence, key=key, raw=quote(given[key]), value=fixed[key]))
            values[key] = FIELDS[key].default
    shapes: dict[str, int] = {key: fixed[key] if key in fixed else int(values[key]) for key in SHAPE_KEYS}
    options = (1,) if fixed else group_options(shapes["c_in"], shapes["c_out"])
    if values["groups"] not in options:
        notices.append(_notice("link_groups", raw=quote(given.get("groups", "")), c_in=shapes["c_in"],
                               c_out=shapes["c_out"], options=", ".join(map(str, options))))
        values["groups"] = 1
    notices += _clamp(values, given, "out", shapes["c_out"] - 1)
    notices += _clamp(values, given, "step", _main_steps(values, shapes) - 1)
    notices += _picture_checks(values, given, len(names), shapes)
    notices += _room_checks(values)
    notices += _clamp(values, given, "pool_padding", values["pool_k"] // 2)
    notices += _pool_region_check(values, given)
    notices += _clamp(values, given, "pool_step", pool_steps_count(values) - 1)
    notices += _clamp(values, given, "tr_padding", transposed_steps.padding_high(
        values["tr_h"], values["tr_w"], values["tr_k"], values["tr_stride"]))
    notices += _clamp(values, given, "tr_step", values["tr_h"] * values["tr_w"] - 1)
    notices += _clamp(values, given, "st_step", stack_steps_count(values) - 1)
    notices += _col_checks(values, given)
    notices += _clamp(values, given, "mix_row", values["mix_h"] - 1)
    notices += _clamp(values, given, "mix_col", values["mix_w"] - 1)
    for key, c_out, c_in in (("mix_W", values["mix_c_out"], values["mix_c_in"]),
                             ("sep_W", values["sep_c_out"], values["sep_c_in"])):
        if values[key]:
            try:
                values[key] = mixing.matrix_to_param(mixing.parse_matrix(values[key], c_out, c_in))
            except ValueError as err:
                notices.append(_notice("link_bad_matrix", key=key, c_out=c_out, c_in=c_in, problem=str(err)))
                values[key] = ""
    return notices


def _col_checks(values: Values, given: Mapping[str, str]) -> list[Notice]:
    """The im2col view's kernel within the input, its padding within k - 1, a dilated window that fits, and its
    step within the output positions."""
    h, w = values["col_h"], values["col_w"]
    notices = _clamp(values, given, "col_k", im2col_steps.k_high(h, w))
    notices += _clamp(values, given, "col_padding", im2col_steps.padding_high(values["col_k"]))
    notices += _clamp(values, given, "col_dilation", im2col_steps.dilation_high(h, w, values["col_k"],
                                                                                values["col_padding"]))
    geo = conv_geometry((1, h, w), (1, 1, values["col_k"], values["col_k"]), stride=values["col_stride"],
                        padding=values["col_padding"], dilation=values["col_dilation"])  # fits: clamped above
    return notices + _clamp(values, given, "col_step", geo.out_h * geo.out_w - 1)


def _room_checks(values: Values) -> list[Notice]:
    """A room code and a key of the form they can have (`_ROOM`, `_KEY`), else dropped with a notice; a key
    without a room opens nothing and is dropped quietly."""
    notices = []
    if values["room"] and not _ROOM.fullmatch(values["room"]):
        notices.append(_notice("link_bad_room", raw=quote(values["room"])))
        values["room"] = ""
    if values["key"] and not _KEY.fullmatch(values["key"]):
        notices.append(_notice("link_bad_key"))  # a secret is never quoted back
        values["key"] = ""
    if not values["room"]:
        values["key"] = ""
    return notices


def _clamp(values: Values, given: Mapping[str, str], key: str, high: int) -> list[Notice]:
    """Bound a key whose upper end depends on other keys, with a notice when the link asked for another number."""
    field = FIELDS[key]
    assert isinstance(field, Int)
    number, top = values[key], max(high, field.low)
    values[key] = min(max(round(number), field.low), top)
    if values[key] == number:
        return []
    return [_notice("link_clamped", key=key, raw=quote(given[key]), low=field.low, high=top, value=values[key])]


def _main_steps(values: Values, shapes: Mapping[str, int]) -> int:
    """How many steps the main view's player has for these values (its region's cells, for a picture)."""
    if values["values"] == "image":
        return images.REGION * images.REGION
    try:
        geo = conv_geometry((shapes["c_in"], shapes["h"], shapes["w"]),
                            (shapes["c_out"], shapes["c_in"] // values["groups"], shapes["kh"], shapes["kw"]),
                            stride=values["stride"], padding=values["padding"], dilation=values["dilation"],
                            groups=values["groups"])
    except ValueError:
        return 1  # an impossible setting draws no player: the page says why
    return geo.out_h * geo.out_w


def pool_steps_count(values: Values) -> int:
    """How many steps the pooling view's player has for these values (1 when the window does not fit; a picture's
    region's cells for a picture)."""
    stride = values["pool_stride"] or values["pool_k"]
    try:
        geo = pool_geometry(pool_shape(values), values["pool_k"], stride=stride, padding=values["pool_padding"])
    except ValueError:
        return 1
    if values["pool_values"] == "image":
        return min(images.REGION, geo.out_h) * min(images.REGION, geo.out_w)
    return geo.out_h * geo.out_w


def pool_shape(values: Values) -> tuple[int, int, int]:
    """The pooling view's input shape (c, h, w): the picture's, or the link's pool_c, pool_h, pool_w."""
    if values["pool_values"] == "image":
        return (1 if values["pool_grey"] else 3, *picture_size(values["pool_image"]))
    return values["pool_c"], values["pool_h"], values["pool_w"]


def _pool_region_check(values: Values, given: Mapping[str, str]) -> list[Notice]:
    """The pooling picture's region: two whole numbers, kept inside the pooled map (a picture always fits the
    window: it is larger than any pool_k)."""
    if not values["pool_region"]:
        return []
    region = read_region(values["pool_region"])
    if region is None:
        values["pool_region"] = ""
        return [_notice("link_pool_bad_region", raw=quote(given["pool_region"]))]
    if values["pool_values"] != "image":
        values["pool_region"] = f"{region[0]},{region[1]}"
        return []
    geo = pool_geometry(pool_shape(values), values["pool_k"], stride=values["pool_stride"] or values["pool_k"],
                        padding=values["pool_padding"])
    clamped = images.clamp_region(*region, geo.out_h, geo.out_w)
    values["pool_region"] = f"{clamped.row},{clamped.col}"
    if (clamped.row, clamped.col) == region:
        return []
    return [_notice("link_pool_region_moved", raw=quote(given["pool_region"]), row=clamped.row, col=clamped.col)]


def stack_layers(values: Values) -> tuple[Layer, ...]:
    """The stacked layers view's layers for these values."""
    return tuple(Layer(values[f"st_c{n}"], values[f"st_k{n}"], values[f"st_s{n}"], values[f"st_p{n}"],
                       values[f"st_d{n}"]) for n in range(1, int(values["st_layers"]) + 1))


def stack_steps_count(values: Values) -> int:
    """How many steps the stacked layers view's player has (1 when a layer does not fit)."""
    return max(1, stack_steps.steps_count(values["st_c0"], values["st_h"], values["st_w"], stack_layers(values)))


def _picture_checks(values: Values, given: Mapping[str, str], n_kernels: int,
                    shapes: Mapping[str, int]) -> list[Notice]:
    """Edited kernels only for kernels that exist, each a 3×3 of bounded numbers; a region of two whole numbers,
    inside the map of a picture whose size is known."""
    notices = []
    for o, key in enumerate(KERNEL_EDITS):
        if not values[key]:
            continue
        if o >= n_kernels:
            notices.append(_notice("link_edit_no_kernel", key=key, count=n_kernels))
            values[key] = ""
            continue
        edit, problem = read_edit(values[key])
        values[key] = edit
        if problem:
            notices.append(_notice(problem, key=key, limit=f"{EDIT_LIMIT:g}"))
    if values["region"]:
        region = read_region(values["region"])
        if region is None:
            notices.append(_notice("link_bad_region", raw=quote(values["region"])))
            values["region"] = ""
        elif values["values"] == "image" and "h" in shapes and values["image"] in images.PICTURES:
            geo = conv_geometry((shapes["c_in"], shapes["h"], shapes["w"]), (1, shapes["c_in"], 3, 3),
                                stride=values["stride"], padding=values["padding"], dilation=values["dilation"])
            clamped = images.clamp_region(*region, geo.out_h, geo.out_w)
            values["region"] = f"{clamped.row},{clamped.col}"
            if (clamped.row, clamped.col) != region:
                notices.append(_notice("link_region_moved", raw=quote(given["region"]), row=clamped.row,
                                       col=clamped.col))
        else:
            values["region"] = f"{region[0]},{region[1]}"
    return notices


def read_region(raw: str) -> tuple[int, int] | None:
    """`row,col` as two whole numbers (ASCII digits), or None."""
    parts = raw.split(",")
    if len(parts) != 2 or not all(re.fullmatch(r"\s*[+-]?\d{1,6}\s*", part, re.ASCII) for part in parts):
        return None
    return int(parts[0]), int(parts[1])


def read_edit(raw: str) -> tuple[str, str]:
    """An edited 3×3 kernel slice in its exact link form, or "" and the problem (a sentence key) with it."""
    try:
        edit = mixing.parse_matrix(raw, 3, 3)
    except ValueError:
        return "", "link_edit_not_3x3"
    if abs(edit).max() > EDIT_LIMIT:
        return "", "link_edit_too_big"
    return mixing.matrix_to_param(edit), ""


def edit_values(raw: str) -> tuple[float, ...] | None:
    """The nine weights of an edited kernel slice (already checked by `parse`), or None for no edit."""
    return tuple(float(v) for v in mixing.parse_matrix(raw, 3, 3).ravel()) if raw else None


# ---- writing the link ----


def to_query(values: Values, language: str = "en") -> dict[str, str]:
    """The link for `values`: every key whose value is not its default and not fixed by others, in schema order.

    `language` is the page's language when the link names none; `lang` is written only when it differs.
    """
    query = {}
    fixed = fixed_shapes(values)  # shapes the textbook or a picture fixes: the link need not carry them
    for key, field in FIELDS.items():
        value = values[key]
        default = language if key == "lang" else field.default
        if value == default or key in fixed:
            continue
        query[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return query
