"""Visual constants shared by every figure: colours, fonts, sizes. Data in the figures, looks in here."""

# Diverging scale centred at 0: blue negative, white zero, red positive (ColorBrewer RdBu, reversed).
DIVERGING = [
    [0.0, "#2166ac"],
    [0.25, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.75, "#f4a582"],
    [1.0, "#b2182b"],
]
PADDING_FILL = "#d9d9d9"  # the ring of zeros added by padding
PADDING_TEXT = "#7f7f7f"
WINDOW = "#111111"  # outline of the current window and the cell it writes
GRID_LINE = "#bdbdbd"
PENDING_FILL = "#eeeeee"  # output cells not computed yet
LABEL_FONT = {"size": 13, "color": "#222222"}
CELL_FONT_SIZE = 12
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
