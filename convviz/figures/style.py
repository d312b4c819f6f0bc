"""Visual constants shared by every figure: colours, fonts, sizes. Data in the figures, looks in here."""

# Diverging scale centred at 0: blue negative, white zero, red positive (ColorBrewer RdBu, reversed).
DIVERGING = [
    [0.0, "#2166ac"],
    [0.25, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.75, "#f4a582"],
    [1.0, "#b2182b"],
]
# The main diagram's cells carry black numbers, so its scale stops short of the dark ends: every colour on it
# (stops and everything between) keeps black text at WCAG AA contrast, 4.5:1 or more (tests/test_figures.py).
# One text colour for every cell means no per-cell colour data in the frames.
CELL_SCALE = [
    [0.0, "#4393c3"],
    [0.25, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.75, "#f4a582"],
    [1.0, "#d6604d"],
]
CELL_TEXT = "#000000"
PADDING_FILL = "#d9d9d9"  # the ring of zeros added by padding
PADDING_TEXT = "#7f7f7f"
PAD_CELL_FILL = "#ececec"  # the main diagram's padding ring: pale grey, its zeros dark grey (7:1)
PAD_CELL_TEXT = "#4d4d4d"
WINDOW = "#111111"  # outline of the current window and the cell it writes
INSPECT = "#e69f00"  # outline of the receptive field of the output cell under the pointer
GRID_LINE = "#bdbdbd"
UNSEEN_WASH = "rgba(255, 255, 255, 0.78)"  # with groups: fades the input channels the followed output does not see
UNSEEN_TEXT = "#9a9a9a"  # their titles
PENDING_FILL = "#eeeeee"  # output cells not computed yet
LABEL_FONT = {"size": 13, "color": "#222222"}
LABEL_COLOUR = "#222222"
CELL_FONT_SIZE = 12
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
# One colour per input channel: its Σ cell, its titles and its term in the written-out sum. Each is text on white
# at 4.5:1 or more; the bias term is LABEL_COLOUR.
CHANNEL_COLOURS = ("#0072b2", "#b35806", "#1b7837", "#762a83", "#c51b7d", "#01665e", "#8c510a", "#4d4d4d")
GUESS_BAR = "#56b4e9"  # class mode: the bars of the class's guesses
GUESS_TRUTH = "#b2182b"  # and the line at the true value (text on white at 4.5:1 or more)
