"""Every sentence the app shows a user, in one place, so that a second language (the seed's Chinese) can follow.

`text("key", **values)` formats the entry in the language of the page (`speaking`), English unless set; the
Chinese table in `strings_zh.py` has the same keys (tests/test_strings_zh.py checks them against each other).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

EN: dict[str, str] = {
    # ---- page ----
    "page_title": "convviz: convolution with many channels",
    "tab_main": "Multi-channel correlation",
    "tab_mixing": "1×1 convolution",
    "url_notice_title": "Some values in the link were changed:",
    "link_not_number": "“{key}={raw}” is not a number written in digits 0–9, so it was ignored.",
    "link_not_finite": "“{key}={raw}” is too large a number, so it was ignored.",
    "link_clamped": "“{key}={raw}” is outside {low}–{high} or not whole, so {value} is used.",
    "link_not_bool": "“{key}={raw}” is not true or false, so it was ignored.",
    "link_not_option": "“{key}={raw}” is not one of {choices}, so it was ignored.",
    "link_unknown_key": "“{key}” is not a setting, so it was removed from the link.",
    "link_unknown_key_hint": "“{key}” is not a setting; did you mean “{nearest}”? It was removed from the link.",
    "link_repeated": "“{key}” appears {count} times in the link; the last value, “{raw}”, is used.",
    "link_fixed_textbook": "“{key}={raw}” is not used: the textbook’s example fixes {key} at {value}.",
    "link_fixed_picture": "“{key}={raw}” is not used: the picture and its kernels fix {key} at {value}.",
    "link_groups": (
        "“groups={raw}” does not divide both c_i = {c_in} and c_o = {c_out} (choose from {options}), so 1 is used."
    ),
    "link_bad_matrix": "“{key}” in the link is not a {c_out}×{c_in} matrix ({problem}), so the preset is used.",
    "link_edit_no_kernel": "“{key}” edits a kernel the picture does not have (it has {count}), so it was removed.",
    "link_edit_not_3x3": "“{key}” in the link is not a 3×3 kernel of numbers, so the library kernel is used.",
    "link_edit_too_big": "“{key}” in the link has a weight larger than {limit} in size, so the library kernel is used.",
    "link_bad_region": "“region={raw}” is not two whole numbers row,col, so the middle of the picture is used.",
    "link_region_moved": "“region={raw}” reaches past the map, so the region starts at {row},{col}.",
    "link_more": "… and {count} more.",
    "img_kernel_unknown_more": "{count} more names are not kernels in the library, so they were left out.",
    "choice_random": "random",
    "choice_integers": "integers",
    "choice_textbook": "textbook",
    "choice_image": "a picture",
    "choice_speed_slow": "slow",
    "choice_speed_normal": "normal",
    "choice_speed_fast": "fast",
    "choice_speed_fastest": "fastest",
    "choice_preset_identity": "identity",
    "choice_preset_swap": "swap",
    "choice_preset_grey": "grey",
    "choice_preset_average": "average",
    "choice_preset_random": "random",
    "choice_kernel_identity": "identity",
    "choice_kernel_box_blur": "box blur",
    "choice_kernel_gaussian_blur": "Gaussian blur",
    "choice_kernel_sharpen": "sharpen",
    "choice_kernel_outline": "outline",
    "choice_kernel_sobel_x": "Sobel x",
    "choice_kernel_sobel_y": "Sobel y",
    "choice_kernel_laplacian": "Laplacian",
    "choice_kernel_emboss": "emboss",
    "choice_kernel_random": "random",
    "choice_image_cat": "cat",
    "choice_image_astronaut": "astronaut",
    "choice_image_coffee": "coffee",
    "choice_image_shapes": "shapes",
    "choice_image_stripes": "stripes",
    "choice_image_upload": "upload your own",
    # ---- main screen: controls ----
    "sidebar_title": "Setting",
    "sidebar_share": "The address bar holds every choice: copy the link to share this exact view.",
    "c_in": "In channels c_i",
    "c_out": "Out channels c_o",
    "h": "Height h",
    "w": "Width w",
    "kh": "Kernel k_h",
    "kw": "Kernel k_w",
    "stride": "Stride s",
    "padding": "Padding p (zeros on every side)",
    "dilation": "Dilation d",
    "bias": "Add a bias per output channel",
    "values": "Values",
    "values_random": "normal random numbers, as in the notebook",
    "values_integers": "small integers, for mental arithmetic",
    "values_textbook": "the chapter's example: X, and K, K+1, K+2",
    "textbook_fixed": "Textbook values fix the shapes: 2 input channels of 3×3, a 2×2 kernel, 3 output channels.",
    "seed": "Random seed",
    "out": "Output channel to follow",
    "speed": "Playback speed",
    "speed_slow": "slow (1.2 s a step)",
    "speed_normal": "normal (0.7 s a step)",
    "speed_fast": "fast (0.3 s a step)",
    "speed_fastest": "fastest (0.1 s a step)",
    # ---- main screen: page ----
    "intro": (
        "Each input channel is correlated with its own kernel slice; the partial sums Σ are added (plus the bias) "
        "into one output value."
    ),
    "flip": "True convolution (flip the kernel)",
    "flip_help": "Mathematical convolution turns each kernel slice half a circle (both axes) before it slides.",
    "true_convolution": (
        "This is true convolution: each kernel slice is flipped in both axes, then slides as before. Libraries skip "
        "the flip because the kernel is learned: a flipped learned kernel is just another kernel."
    ),
    "intro_flipped": (
        "Each input channel is convolved with its own kernel slice, turned half a circle first; the partial sums Σ "
        "are added (plus the bias) into one output value."
    ),
    "not_convolution": (
        "This is cross-correlation, which deep-learning libraries call convolution: "
        "a mathematical convolution would flip the kernel first."
    ),
    "impossible": "This setting cannot be computed: {reason}",
    "impossible_fit": (
        "The kernel does not fit: its {axis} {k} with dilation {d} spans {span} cells, but the padded input is only "
        "{padded} cells ({size} + 2·{p}). Each axis needs d·(k − 1) + 1 ≤ size + 2·padding."
    ),
    "axis_height": "height",
    "axis_width": "width",
    "impossible_hint": "Make the kernel or the dilation smaller, or the input or the padding larger.",
    # Markdown: the underscores of c\\_o are escaped so that they do not start italics.
    "counts": (
        "**Output shape** (c\\_o × h\\_o × w\\_o): {shape}  \n"
        "**Parameters** (c\\_o·{per_group}·k\\_h·k\\_w{bias_term}): {weights} = {params}  \n"
        "**Multiply–adds** (c\\_o·h\\_o·w\\_o·{per_group}·k\\_h·k\\_w): {products} = {mult_adds}"
    ),
    "counts_bias_term": " + c\\_o",
    "groups": "Groups g",
    "groups_help": (
        "Output channel o sees only the c_i/g input channels of its group: g must divide c_i and c_o. "
        "g = c_i is depthwise: every input channel on its own."
    ),
    "groups_depthwise": "g = c_i: a depthwise convolution, each output channel sees one input channel.",
    "formula_title": "Output size",
    "animation_title": "Output channel {o}, step by step",
    "numbers_hidden": (
        "The cells are too small for numbers at this size: hover over a cell, or tap it, to read it. Presentation "
        "mode keeps the numbers (the diagram then scrolls)."
    ),
    "check_ok": "Checked against `tf.nn.conv2d`: largest difference {diff:.1e} (tolerance {tol:.0e}).",
    "check_bad": "Disagrees with `tf.nn.conv2d`: largest difference {diff:.1e} (tolerance {tol:.0e}).",
    "how_title": "How it is computed",
    "kit_title": "Take it to a notebook: the code and the arrays",
    "kit_code": (
        "This script reproduces every number above (NumPy and TensorFlow only): the tensors, the textbook's "
        "loops, and `tf.nn.conv2d`. Paste it into a notebook or run it with `python`."
    ),
    "kit_download": "Download X, K, bias and Y (.npy and .csv, in one zip)",
    "kit_offline": "Download the animation as one HTML file (plays with no network)",
    "kit_offline_help": "plotly.js and the player are inside it: open it from a USB stick in any browser.",
    "kit_offline_title": "convviz — output channel {o} of {c_in} input channels, {h}×{w}, {kh}×{kw} kernel",
    "kit_download_mix": "Download W, X and Y (.npy and .csv, in one zip)",
    "how_text": (
        "The app computes every step at once with NumPy (each window gathered by index, then multiplied by K), "
        "and the output with one TensorFlow `Conv2D` call. The textbook's loop form below gives the same numbers, "
        "one position at a time:"
    ),
    # ---- main screen: animated figure ----
    "fig_input": "input X[{c}]",
    "fig_kernel": "K[{o},{c}]",
    "fig_kernel_flipped": "K[{o},{c}] flipped",
    "fig_products": "window × K",
    "fig_products_short": "× K",
    "fig_block": "X[{c}] ⋆ K[{o},{k}] → Σ",
    "fig_block_flipped": "X[{c}] ∗ K[{o},{k}] → Σ",
    "fig_total": "Y[{o}, i, j] = Σ's",
    "fig_total_bias": "Y[{o}, i, j] = Σ's + bias",
    "fig_output": "output Y[{o}]  {h}×{w}",
    "fig_finals": "all {c_o} outputs",
    "fig_final": "Y[{o}]",
    "fig_padding_hover": "padding: 0",
    "fig_products_hover": "window value × kernel weight = %{z}",
    "fig_partial_hover": "partial sum of this channel = %{z}",
    "fig_total_hover": "Σ partial sums (+ bias) = Y[{o}, i, j] = %{{z}}",
    "fig_bias_term": "{value} (bias)",
    # ---- main screen: the player ----
    "player_play": "▶ Play",
    "player_pause": "❚❚ Pause",
    "player_prev": "◀",
    "player_next": "▶",
    "player_prev_help": "Step back (← key)",
    "player_next_help": "Step forward (→ key)",
    "player_slider": "Step",
    "player_step": "Step {s} of {n} · output cell ({i}, {j})",
    "player_diagram": "The correlation, step by step. Left and right arrow keys step, space plays or pauses.",
    "present": "Presentation mode",
    "zoom": "Text size",
    "zoom_help": (
        "1 fits the diagram to the screen; 1.5 or 2 make its numbers that much larger for the back of the room, "
        "and the diagram then scrolls."
    ),
    "player_no_plotly": (
        "The diagram needs plotly.js from the plotly package, and it is not at `{path}`: reinstall plotly "
        "(`pip install -r requirements.txt -c constraints.txt`)."
    ),
    # ---- 1×1 explorer (owned by convviz/ui/mixing_view.py) ----
    "mix_title": "1×1 convolution: a fully connected layer at every pixel",
    "mix_intro": (
        "A 1×1 kernel never looks at neighbours. At every pixel (i, j) it takes the vector of the input's "
        "channels, x = X[:, i, j], and multiplies it by one matrix W (c_o × c_i): y = W·x is the output's "
        "channels at that pixel. So a 1×1 convolution mixes channels, and it is a fully connected layer "
        "applied to every pixel with the same weights."
    ),
    "mix_controls": "Sizes and data",
    "mix_c_in": "input channels c_i",
    "mix_c_out": "output channels c_o",
    "mix_h": "height h",
    "mix_w": "width w",
    "mix_seed": "seed",
    "mix_seed_help": "Chooses the input picture and the random preset's weights.",
    "mix_input_note": (
        "The input X holds whole numbers 0–9: one smooth wave per channel (with 3 channels, an RGB picture)."
    ),
    "mix_matrix_heading": "The mixing matrix W",
    "mix_preset": "preset",
    "mix_preset_help": "A preset fills W; you can then edit any number.",
    "mix_preset_identity": "copy: output o = input o",
    "mix_preset_swap": "a permutation: the channel order reversed (RGB → BGR)",
    "mix_preset_grey": "RGB → grey with the luma weights 0.299, 0.587, 0.114",
    "mix_preset_average": "every output is the mean of the inputs",
    "mix_preset_random": "weights −1…1 in steps of 0.1 (from the seed)",
    "mix_grey_needs_rgb": (
        "The grey preset needs 3 input channels (R, G, B). With c_i = {c_in} it uses {fallback}."
    ),
    "mix_grey_fallback_more": "the luma weights on channels 0, 1, 2 and weight 0 on the others",
    "mix_grey_fallback_fewer": "the average instead, because there is no R, G, B",
    "mix_grey_fix": "Use 3 input channels",
    "mix_edit": "Edit W: one row per output channel, {c_in} numbers per row",
    "mix_edit_help": (
        "Numbers separated by commas or spaces; rows on separate lines (or separated by ;). "
        "Press Ctrl+Enter or click outside the box to apply."
    ),
    "mix_edit_bad": "{problem} W keeps its last good value (drawn above).",
    "mix_edit_custom": "W is your edit (it is in the link, so sharing the link shares it).",
    "mix_edit_preset": "W is the {preset} preset.",
    "mix_reset": "Back to the preset",
    "mix_err_too_long": "The text is longer than {limit} characters.",
    "mix_err_row_count": "W needs {expected} rows (one per output channel), but the text has {got}.",
    "mix_err_col_count": "Row {row} needs {expected} numbers (one per input channel), but has {got}.",
    "mix_err_not_number": "Row {row}, column {col}: “{cell}” is not a number.",
    "mix_err_not_finite": "Row {row}, column {col}: “{cell}” is not a finite number (NaN and infinities are refused).",
    "mix_err_too_big": "Row {row}, column {col}: “{cell}” is larger than {limit} in size.",
    "mix_pixel_heading": "One pixel: y = W · x",
    "mix_pixel_help": (
        "Click a pixel in the input or the output (or choose its row and column). ▶ Play runs over every "
        "pixel; the slider jumps to one. The same W is used at every pixel: only x changes."
    ),
    "mix_row": "pixel row i",
    "mix_col": "pixel column j",
    "mix_pixel_numbers": "Pixel ({row}, {col}): x = X[:, {row}, {col}] = ({x}), y = W·x = ({y})",
    "mix_matmul_heading": "The whole layer as one matrix product",
    "mix_matmul_help": (
        "Reshape X (c_i, h, w) into X_flat (c_i, h·w): each channel's rows laid end to end, so column "
        "p = i·w + j is pixel (i, j). Then one product W · X_flat = Y_flat (c_o, h·w), reshaped back to "
        "Y (c_o, h, w). This is `corr2d_multi_in_out_1x1`; pixel ({row}, {col}) is column {p}."
    ),
    "mix_matmul_shapes": "({c_out} × {c_in}) · ({c_in} × {n}) = ({c_out} × {n}),  h·w = {h}·{w} = {n}",
    "mix_check_ok": (
        "Same answer as the general path `corr2d_multi_in_out(X, K)` with K = W reshaped to ({c_out}, {c_in}, 1, 1): "
        "max |Y_1×1 − Y_general| = {diff} ≤ tolerance {tol}."
    ),
    "mix_check_bad": (
        "The general path `corr2d_multi_in_out(X, K)` disagrees: max |Y_1×1 − Y_general| = {diff} > tolerance {tol}."
    ),
    "mix_check_note": (
        "The notebook compared the two with `==`. Both sum the same products in float32 but possibly in a "
        "different order, so they may differ in the last bits: compare with a tolerance "
        "(here 1e-5 × max(1, max |Y|))."
    ),
    "mix_cost_heading": "What it costs: 1×1 against k×k",
    "mix_k": "k of the k×k layer",
    "mix_k_help": "Odd sizes only, so that a padding of (k − 1)/2 keeps the picture h×w.",
    "mix_bias": "count the biases",
    "mix_bias_help": "A bias adds one parameter per output channel, and no multiply–adds.",
    "mix_cost_layer": "layer",
    "mix_cost_kernel": "kernel shape K",
    "mix_cost_params": "parameters",
    "mix_cost_params_formula": "formula",
    "mix_cost_mult_adds": "multiply–adds",
    "mix_cost_1x1": "1×1, {c_in} → {c_out} channels",
    "mix_cost_kxk": "{k}×{k}, {c_in} → {c_out} channels",
    "mix_cost_ratio": (
        "On {h}×{w} pixels the {k}×{k} layer has {ratio}× the parameters and multiply–adds of the 1×1 layer: "
        "each output value reads k² = {k2} pixels of every channel instead of one."
    ),
    "mix_cost_ratio_bias": "With the biases the ratio is {ratio}×.",
    "mix_bottleneck_heading": "Worked example: a bottleneck",
    "mix_bottleneck_intro": (
        "A {k}×{k} layer from {c} to {c} channels on {h}×{w} pixels, against first a 1×1 layer that reduces "
        "the {c} channels to {mid}, then the {k}×{k} layer from {mid} back to {c} channels (the idea behind "
        "GoogLeNet's Inception blocks and ResNet's bottleneck blocks)."
    ),
    "mix_bottleneck_direct": "direct {k}×{k}, {c} → {c}",
    "mix_bottleneck_reduce": "1×1, {c} → {mid}",
    "mix_bottleneck_expand": "{k}×{k}, {mid} → {c}",
    "mix_bottleneck_total": "bottleneck in all",
    "mix_bottleneck_saving": (
        "The bottleneck needs {params_ratio}× fewer parameters ({direct_params} against {bottleneck_params}) and "
        "{mult_ratio}× fewer multiply–adds ({direct_mult} against {bottleneck_mult})."
    ),
    "mix_bottleneck_k1": (
        "With k = 1 both layers are 1×1: the {c}×{c} matrix W is replaced by the product of a {mid}×{c} and a "
        "{c}×{mid} matrix. That is cheaper, but such a W has rank at most {mid}: it can mix channels in fewer ways."
    ),
    "mix_fig_w_title": "W: {c_out} output ×<br>{c_in} input channels",
    "mix_fig_w_hover": "W[%{y}, %{x}] = %{z}",
    "mix_fig_in_tick": "in {c}",
    "mix_fig_out_tick": "out {o}",
    "mix_fig_rgb": "X as RGB",
    "mix_fig_rgb_out": "Y as RGB (clipped to 0–9)",
    "mix_fig_in_map": "X[{c}]",
    "mix_fig_out_map": "Y[{o}]",
    "mix_fig_w": "W",
    "mix_fig_x": "x",
    "mix_fig_products": "W[o, c] · x[c]",
    "mix_fig_y": "y",
    "mix_fig_pick_hover": "%{customdata[2]}<br>click: pick this pixel",
    "mix_fig_play": "▶ Play",
    "mix_fig_pause": "❚❚ Pause",
    "mix_fig_slider_prefix": "pixel (i, j) = ",
    "mix_fig_xflat": "X_flat: ({c_in} × {n})",
    "mix_fig_w_short": "W: ({c_out} × {c_in})",
    "mix_fig_yflat": "Y_flat = W · X_flat: ({c_out} × {n})",
    "mix_fig_reshape_in": "↓ reshape X ({c_in}, {h}, {w}) → X_flat ({c_in}, {h}·{w}): each channel's rows end to end",
    "mix_fig_reshape_out": "↓ reshape Y_flat ({c_out}, {h}·{w}) → Y ({c_out}, {h}, {w})",
    "mix_fig_general": (
        "the general path, for comparison: Y_general = corr2d_multi_in_out(X, K) with K = W as ({c_out}, {c_in}, 1, 1)"
    ),
    "mix_fig_general_map": "Y_general[{o}]",
    # ---- end of 1×1 explorer ----
    # ---- pictures and the kernel library ----
    "img_err_unknown": "There is no picture called “{name}”: choose one of {names}.",
    "img_err_empty": "The file is empty.",
    "img_err_too_large": "The file is {size} MB; pictures up to {limit} MB are accepted.",
    "img_err_not_image": "This file is not a picture that can be read here: upload a {formats} file.",
    "img_err_too_many_pixels": (
        "The picture is {w}×{h} pixels, more than the {limit} accepted: scale it down before uploading."
    ),
    "img_err_bomb": (
        "The file says its picture has more than {limit} pixels, more than can be accepted: scale it down before "
        "uploading."
    ),
    "img_err_truncated": "The picture could not be read to its end: the file seems cut short. Upload it again.",
    "img_err_broken": "The picture's data is damaged, so it could not be read: save it again and upload the new file.",
    "img_err_mode": (
        "The picture's kind of colour cannot be shown here: save it as an ordinary 8-bit PNG or JPEG and upload that."
    ),
    "img_note_first_frame": "The file holds {frames} frames; the first one is used.",
    "img_note_scaled": "Scaled down from {w0}×{h0} to {w}×{h} pixels, so that every step stays quick to draw.",
    "img_note_16bit": "16 bits per pixel reduced to 8.",
    "img_note_cmyk": "CMYK colours converted to RGB.",
    "img_note_palette": "Palette colours expanded to RGB.",
    "img_note_alpha": "Transparent parts are shown on white.",
    "img_kernel_unknown": "“{name}” is not a kernel in the library ({names}), so it was left out.",
    "img_kernel_too_many": "{count} kernels were asked for; the first {limit} are used.",
    "img_fig_picture": "the picture",
    "img_fig_channel": "X[{c}] ({name})",
    "img_fig_output": "Y[{o}]: {name} (±{limit})",
    "img_fig_output_abs": "|Y[{o}]|: {name} (0 to {limit})",
    "values_image": "a picture: its colour channels, through kernels every course uses",
    "img_picture": "Picture",
    "img_pic_cat": "cat (photo)",
    "img_pic_astronaut": "astronaut (photo)",
    "img_pic_coffee": "coffee cup (photo)",
    "img_pic_shapes": "shapes (clean edges)",
    "img_pic_stripes": "stripes (clean edges)",
    "img_pic_upload": "your own picture (upload)",
    "img_grey": "Grey: one input channel",
    "img_grey_help": (
        "Off: R, G and B are three input channels. On: one grey channel (0.299 R + 0.587 G + 0.114 B)."
    ),
    "img_kernels": "Kernels, one per output channel",
    "img_kernels_help": "Each kernel you pick is one output channel, in the order picked (at most 8).",
    "img_kernels_none": "No kernel picked: {name} is used.",
    "img_upload": "Upload a picture",
    "img_upload_help": (
        "PNG, JPEG, WebP or GIF, up to {limit} MB. It stays in this browser tab: it is not in the link."
    ),
    "img_upload_waiting": "No picture uploaded yet: the cat is shown.",
    "img_upload_refused": "The upload could not be used: the cat is shown.",
    "img_how_kernel": (
        "Each library kernel is one 3×3 slice. With c_i = {c_in} input channels the layer uses the same slice on "
        "every channel, divided by c_i, so an output channel is that kernel applied to the average of the "
        "channels. `random` is the exception: a slice of its own per channel."
    ),
    "img_absolute": "Show |y| (how strongly, not which sign)",
    "img_region_title": (
        "The region the player animates: {rows}×{cols} output cells from row {row}, column {col}"
    ),
    "img_edit_title": "Kernel of output channel {o} ({name}), as a 3×3 slice: edit a number to try your own",
    "img_edit_reset": "Back to the library kernel",
    "img_fig_click": "pixel (%{customdata[0]}, %{customdata[1]}): click to animate here",
    # ---- end of pictures ----
    # ---- separable view (owned by convviz/ui/separable_view.py) ----
    "tab_separable": "Depthwise-separable",
    "sep_title": "Depthwise-separable convolution: a k×k layer in two cheap steps",
    "sep_intro": (
        "The same input goes two ways. **(a)** One full k×k layer: every output channel has its own k×k kernel "
        "for every input channel. **(b)** A *depthwise* k×k layer (groups = c_i: each input channel is correlated "
        "with its own kernel D[c] and never mixed with the others), then a 1×1 layer W that mixes the channels. "
        "(b) is what MobileNet and its successors are built from."
    ),
    "sep_controls": "Sizes and data",
    "sep_c_in": "input channels c_i",
    "sep_c_out": "output channels c_o",
    "sep_h": "height h",
    "sep_w": "width w",
    "sep_k": "kernel size k",
    "sep_k_help": "Odd sizes only: a padding of (k − 1)/2 keeps every map h×w, so both routes give h×w maps.",
    "sep_seed": "seed",
    "sep_seed_help": "Chooses the input picture, the kernels K and D (whole numbers −1, 0, 1) and the random W.",
    "sep_matrix_heading": "The 1×1 layer's W, as on the 1×1 tab",
    "sep_preset": "preset for W",
    "sep_edit": "Edit W: {c_out} rows (outputs) of {c_in} numbers (inputs)",
    "sep_cost_heading": "What each route costs",
    "sep_cost_full": "(a) full {k}×{k}, {c_in} → {c_out}",
    "sep_cost_depthwise": "(b) depthwise {k}×{k}, groups = {c_in}",
    "sep_cost_pointwise": "(b) 1×1, {c_in} → {c_out}",
    "sep_cost_total": "(b) in all",
    "sep_cost_groups": "groups",
    "sep_ratio": (
        "**(b) ÷ (a) = 1/c\\_o + 1/k²** = 1/{c_out} + 1/{k2} = {formula} ≈ {formula_float}  \n"
        "From the counts: parameters {params_b:,} ÷ {params_a:,} = {params_ratio} ≈ {params_float}, "
        "multiply–adds {mult_b:,} ÷ {mult_a:,} = {mult_ratio} ≈ {mult_float}."
    ),
    "sep_ratio_why": (
        "Why: (a) has c\\_o·c\\_i·k² weights; (b) has c\\_i·k² (depthwise) + c\\_o·c\\_i (1×1). Divide: "
        "1/c\\_o + 1/k². Every output pixel costs the same ratio, so the multiply–adds follow."
    ),
    "sep_saving": "(b) needs {times}× fewer parameters and multiply–adds than (a).",
    "sep_no_saving": "(b) costs {times}× as much as (a): with k = 1 the depthwise layer only rescales each channel.",
    "sep_maps_heading": "Both outputs",
    "sep_maps_help": (
        "Top to bottom: the input X; (a)'s output; (b)'s depthwise maps Z[c] = X[c] ⋆ D[c] (c_i of them, nothing "
        "mixed yet); and (b)'s output W·Z. Hover a cell to read it."
    ),
    "sep_lowrank_heading": "(b) is a restricted form of (a)",
    "sep_lowrank": (
        "Route (b) is itself a full k×k layer, with the kernel K[o, c] = W[o, c] · D[c]: in every column c the "
        "c\\_o kernels are one k×k pattern D[c], only scaled. Laid out as a (c\\_o × k²) matrix, each K[:, c] has "
        "rank at most 1. A general (a) has no such limit (here its K[:, c] have ranks {ranks}), so (b) can only "
        "reach a small part of what (a) can compute: the two outputs above differ in general, and they are equal "
        "only when (a)'s kernel happens to have this form."
    ),
    "sep_check_ok": (
        "Checked: (b) equals the full layer with K[o, c] = W[o, c]·D[c], max difference {diff} ≤ tolerance {tol}."
    ),
    "sep_check_bad": (
        "(b) and the full layer with K[o, c] = W[o, c]·D[c] disagree: max difference {diff} > tolerance {tol}."
    ),
    "sep_fig_input": "input X: {c_in} channel(s)",
    "sep_fig_full": "(a) full k×k layer: Y, {c_out} channel(s)",
    "sep_fig_depthwise": "(b) step 1, depthwise: Z[c] = X[c] ⋆ D[c], {c_in} channel(s)",
    "sep_fig_pointwise": "(b) step 2, 1×1: Y = W · Z at every pixel, {c_out} channel(s)",
    "sep_fig_k_full": "(a) K: {c_out} × {c_in} free {k}×{k} kernels (rows o, columns c)",
    "sep_fig_k_equivalent": "(b) as one layer: K[o, c] = W[o, c] · D[c], each column one pattern scaled",
    # ---- end of separable view ----
    # ---- pooling (convviz/ui/pooling_view.py) ----
    "tab_pooling": "Pooling",
    "pool_sidebar_title": "Pooling",
    "pool_choice_integers": "small whole numbers",
    "pool_choice_random": "random",
    "pool_choice_book": "the book's 0, 1, 2, …",
    "pool_mode": "Each window keeps",
    "pool_mode_max": "its maximum",
    "pool_mode_avg": "its mean",
    "pool_c": "Channels c",
    "pool_k": "Window k (k×k)",
    "pool_stride": "Stride s",
    "pool_stride_help": "0: the window's own size, as the libraries default.",
    "pool_padding": "Padding p",
    "pool_padding_help": "At most half the window. Max ignores padded cells; the mean counts them as zeros.",
    "pool_intro": (
        "Pooling slides a window over each channel on its own and keeps the window's maximum or its mean. It has no "
        "weights, and it never adds channels up: c channels in, the same c channels out."
    ),
    "pool_title": "Every channel on its own, keeping {mode}",
    "pool_impossible": (
        "The {k}×{k} window does not fit in the {h}×{w} input padded by {p}: make the window smaller or the input "
        "larger."
    ),
    "pool_counts": (
        "**Output shape** (c × h_o × w_o): {c} × {h_o} × {w_o}, with h_o = ⌊({h} + 2·{p} − {k}) / {s}⌋ + 1 and "
        "w_o = ⌊({w} + 2·{p} − {k}) / {s}⌋ + 1. **Parameters:** none."
    ),
    "pool_rule_max": "Max pooling ignores padded cells: a window's maximum is always one of its real values.",
    "pool_rule_avg": (
        "Average pooling counts padded cells as zeros and divides by the whole window, k·k (d2l's and PyTorch's "
        "default)."
    ),
    "pool_check_ok": "The step table agrees with TensorFlow's pooling ops: max difference {diff:.1e}.",
    "pool_check_bad": "The step table disagrees with TensorFlow's pooling ops: max difference {diff:.1e}.",
    "pool_fig_input_hover": "X = %{z}",
    "pool_fig_output_hover": "Y[{c}] = %{{z}}",
    "pool_fig_window": "window",
    "pool_fig_output": "Y[{c}]  {h}×{w}",
    "pool_fig_window_hover": "in the window: %{z}",
    "pool_choice_image": "a picture",
    "pool_img_intro": (
        "Each of the picture's channels is pooled on its own: a {k}×{k} window with stride {s} turns {h}×{w} pixels "
        "into {h_o}×{w_o}. Each pooled cell is drawn over the pixels its window covers, so every pooled map is as "
        "large as its channel, in coarser cells. Click the picture to choose the region the player animates."
    ),
    "pool_img_picture": "the picture  {h}×{w}",
    "pool_img_pooled_rgb": "{mode}, as a picture  {h}×{w}",
    "pool_img_pooled": "Y[{c}]: {mode}  {h}×{w}",
    "pool_img_mode_max": "max pooled",
    "pool_img_mode_avg": "average pooled",
    "link_pool_bad_region": (
        "“pool_region={raw}” is not two whole numbers row,col, so the region where the pooled maps vary most is used."
    ),
    "link_pool_region_moved": "“pool_region={raw}” reaches past the pooled map, so the region starts at {row},{col}.",
    "pool_kit_title": "Take it to a notebook: the code and the arrays",
    "pool_kit_code": (
        "This script reproduces the pooled numbers (NumPy and TensorFlow only): X, d2l's `pool2d` loop extended "
        "with padding, and TensorFlow's `max_pool2d` / `avg_pool2d` on the padded input, checked against each "
        "other. Paste it into a notebook or run it with `python`."
    ),
    "pool_kit_download": "Download X and Y (.npy and .csv, in one zip)",
    # ---- class mode (convviz/ui/class_room.py) ----
    "link_bad_room": "“room={raw}” cannot be a room’s code (5 letters and digits), so the page opened without a room.",
    "link_bad_key": "The link’s “key” is not a room’s key, so the page opened as a student’s.",
    "class_no_room": "There is no room “{raw}” (it may have closed after hours unused): the page opened on its own.",
    "class_wrong_key": "That key does not open room {code} for its teacher: this is a student’s page.",
    "class_store_down": "Class mode’s store cannot be reached just now, so this page is not in a room.",
    "class_publish_failed": "The room did not take this view (is the link’s key still the room’s?).",
    "class_teacher_title": "Your class’s room: {code}",
    "class_teacher_intro": (
        "Students open this link, or scan the code, and their pages follow yours: the tab, every setting and the "
        "step you rest on."
    ),
    "class_teacher_key": "Keep your own address to yourself: its key is what lets a page lead the room.",
    "class_qr_caption": "Scan to join",
    "class_ask": "Ask: predict the next value",
    "class_ask_help": (
        "The class guesses the output cell of the next step (after the last: the first). It is hidden, and every "
        "player waits, until you reveal it. The question is about the main tab's diagram: asked from another tab, "
        "the main tab opens."
    ),
    "class_reveal": "Reveal",
    "class_cancel": "Withdraw the question",
    "class_asked": "The class is predicting Y[{o}] at ({i}, {j}), the next step. Reveal it when the answers are in.",
    "class_present": "**Students in the room:** {count}",
    "class_answers": "**answers:** {count}",
    "class_guesses_title": "The class’s guesses: {right} of {count} right",
    "class_truth": "true value {value}",
    "class_guess_axis": "guess",
    "class_count_axis": "students",
    "class_student_title": "**Room {code}**: your teacher leads this page.",
    "class_follow": "Follow the teacher",
    "class_follow_help": "Off: explore on your own. On again: back to the teacher’s view at once.",
    "class_exploring": "You are exploring on your own. Switch “Follow the teacher” on to rejoin.",
    "class_predict": "**Predict:** what will Y[{o}] be at ({i}, {j}), the next step? Work it out from the diagram.",
    "class_guess": "Your guess",
    "class_send": "Send",
    "class_verdict_taken": "Sent. Wait for your teacher to reveal the answer.",
    "class_verdict_already": "You have already answered this question.",
    "class_verdict_closed": "This question is closed.",
    "class_verdict_full": "This question has all the answers it can take.",
    "class_verdict_too_fast": "One answer a second, please: send it again.",
    "class_verdict_invalid": "Type a number first (at most a million in size).",
    "class_verdict_down": "Your answer could not be sent just now: try again.",
    "class_result_none": "The value was {value}.",
    "class_result_right": "Right: the value was {value}, and you said {guess}.",
    "class_result_wrong": "The value was {value}; you said {guess}.",
    # ---- transposed convolution (convviz/ui/transposed_view.py) ----
    "tab_transposed": "Transposed",
    "tr_sidebar_title": "Transposed convolution",
    "tr_choice_book": "the book's 0, 1, 2, …",
    "tr_choice_integers": "small whole numbers",
    "tr_choice_random": "random",
    "tr_c_in": "Input channels c_i",
    "tr_c_out": "Output channels c_o",
    "tr_k": "Kernel k (k×k)",
    "tr_stride": "Stride s",
    "tr_stride_help": "How far apart the copies of the kernel land: s − 1 cells between neighbours' blocks.",
    "tr_padding": "Padding p",
    "tr_padding_help": "Crops p cells from every side of the output (it does not add any): at most k − 1 here.",
    "tr_intro": (
        "A transposed convolution turns the picture around: instead of a window gathering many inputs into one "
        "output, **each input cell scatters** a copy of the kernel, scaled by its value, into the output, and the "
        "copies add up where they overlap. It makes maps larger (a decoder's upsampling, a GAN's generator). "
        "K is (c_i, c_o, k, k): every input channel sends to every output channel, and each output channel adds "
        "what all the input channels sent."
    ),
    "tr_title": "Each input cell scatters X[c][i, j]·K[c, o] into every output map",
    "tr_player_step": "Step {s} of {n} · input cell ({i}, {j})",
    "tr_impossible": (
        "Padding {p} crops away the whole output of this setting: make the padding smaller or the input or kernel "
        "larger."
    ),
    "tr_counts": (
        "**Output shape** (c_o × h_o × w_o): {c_out} × {h_o} × {w_o}, with h_o = ({h} − 1)·{s} − 2·{p} + {k} and "
        "w_o = ({w} − 1)·{s} − 2·{p} + {k}. **Parameters:** {c_in} × {c_out} × {k} × {k} = {params}."
    ),
    "tr_crop_note": (
        "Padding crops {p} cell(s) from every side of the full {full_h}×{full_w} maps: the washed-out border."
    ),
    "tr_check_ok": "The step table agrees with TensorFlow's `conv2d_transpose`: max difference {diff:.1e}.",
    "tr_check_bad": "The step table disagrees with TensorFlow's `conv2d_transpose`: max difference {diff:.1e}.",
    "tr_as_corr_title": "The same numbers as an ordinary correlation",
    "tr_as_corr": (
        "Spread X out by the stride (s − 1 = {gap} zeros between cells), pad it with k − 1 − p = {edge} zeros, flip "
        "every kernel in both axes and swap its channel axes (F[o, c] = K[c, o] flipped), then correlate as on the "
        "main tab with stride 1 and no padding: the same Y. The grey zeros are the ones put in."
    ),
    "tr_as_corr_check": "Correlating Z with F (TensorFlow's `conv2d`) gives the same Y: max difference {diff:.1e}.",
    "tr_matrix_title": "The same numbers as a matrix: Y = Cᵀ · vec(X)",
    "tr_matrix": (
        "The ordinary correlation with K (stride {s}, padding {p}) maps an array of Y's shape to one of X's shape; "
        "as a matrix C it is {rows} × {cols}. The transposed convolution is its transpose: each output cell y is a "
        "row of Cᵀ times vec(X), the row of numbers above it, added up. Empty cells are zeros: Cᵀ is sparse."
    ),
    "tr_matrix_check": "Cᵀ · vec(X) gives the same Y: max difference {diff:.1e}.",
    "tr_matrix_big": (
        "Cᵀ would be {rows} × {cols} here; it is drawn for up to {max_rows} × {max_cols}: make the input smaller to "
        "see it."
    ),
    "tr_fig_input_hover": "X[{c}] = %{{z}}",
    "tr_fig_kernel_hover": "K[{c},{o}] = %{{z}}",
    "tr_fig_product_hover": "sent to Y[{o}]: %{{z}}",
    "tr_fig_output_hover": "Y[{o}] so far: %{{z}}",
    "tr_fig_z_hover": "Z[{c}] = %{{z}}",
    "tr_fig_z_added_hover": "a zero put in",
    "tr_fig_f_hover": "F[{o},{c}] = %{{z}}",
    "tr_fig_vec_x": "vec(X): one column per input cell",
    "tr_fig_vec_x_hover": "vec(X) = %{z}",
    "tr_fig_matrix": "Cᵀ: {rows} output cells × {cols} input cells",
    "tr_fig_matrix_hover": "Cᵀ = %{z}",
    "tr_fig_vec_y_hover": "y = %{z}",
    # ---- stacked layers (convviz/ui/stack_view.py) ----
    "tab_stack": "Stacked layers",
    "st_sidebar_title": "Layers in a row",
    "st_choice_integers": "small whole numbers",
    "st_choice_random": "random",
    "st_layers": "Layers",
    "st_relu": "ReLU between the layers",
    "st_relu_help": "max(0, ·) on every map a layer hands on: the row is no longer one layer.",
    "st_c0": "Input channels c_i",
    "st_layer": "Layer {n}",
    "st_c_out": "Output channels",
    "st_k": "Kernel k (k×k)",
    "st_intro": (
        "A network puts layers in a row: each layer's output is the next one's input. One cell of the last map "
        "depends on a square of the input, its **receptive field**, which grows with every layer (and faster with "
        "stride and dilation). Hover over or click a cell of the last map: its field is outlined in every map "
        "before it."
    ),
    "st_title": "{n} layers in a row: the receptive field of each output cell",
    "st_impossible": "This row of layers cannot run: {problem} Make a kernel smaller or the input larger.",
    "st_field": (
        "**Receptive field** of one cell of the last map (layer {n}): r = {formula} = **{r}**, so it sees an "
        "{r}×{r} square of the input (less where it reaches into the padding)."
    ),
    "st_one_title": "Two layers with nothing between them are one layer",
    "st_one": (
        "Correlation is linear, so the row does what one layer does: its kernel K (c_o × c_i × k × k = "
        "{c_out} × {c_in} × {k} × {k}) adds up every path through the layers' kernels; its stride is the strides' "
        "product, **{s}**, and its padding **{p}**. One layer of that size holds more weights than the row, "
        "which is one reason networks stack small kernels."
    ),
    "st_one_same": "The one layer gives the same output as the row: max difference {diff:.1e}.",
    "st_one_padding": (
        "Padding after the first layer puts zeros into a map that no padding of the input makes: the one layer "
        "differs on {n} of {total} output cells, by at most {diff:.2f} (the map below: row minus one layer)."
    ),
    "st_one_relu": (
        "With ReLU between the layers the row is no longer linear: the one layer differs on {n} of {total} output "
        "cells, by at most {diff:.2f} (the map below: row minus one layer), wherever a negative number was cut "
        "to 0 on its way."
    ),
    "st_fig_input": "input",
    "st_fig_layer": "layer {n}",
    "st_fig_hover": "{name} = %{{z}}",
    "st_fig_diff": "row − one layer, Y[{o}]",
    "st_fig_diff_hover": "difference in Y[{o}]: %{{z}}",
    # ---- slides (convviz/ui/slides.py) ----
    "slides_title": "**Slides**: the animation as a GIF, and any step as a picture, for PowerPoint, Keynote, Google "
                    "Slides or beamer.",
    "slides_size": "Slide size",
    "slides_make": "Make the slides",
    "slides_make_help": "Your browser draws every step at the slide's size; this takes a few seconds.",
    "slides_drawing": "Drawing every step in your browser …",
    "slides_gif": "Download the GIF",
    "slides_png": "Step {s} as a PNG",
    "slides_zip": "All {n} steps as PNGs (zip)",
    "slides_made": "The GIF: {mb:.1f} MB, {n} frames at {w}×{h}; the PNGs at twice that density.",
    "slides_bad": "The browser's pictures could not be read, so no slides were made: press the button again.",
    "slides_busy": "The server is making someone else's slides: press the button again in a few seconds.",
    # ---- im2col (convviz/ui/im2col_view.py) ----
    "tab_im2col": "im2col",
    "col_sidebar_title": "im2col: the layer as one matrix product",
    "col_choice_book": "the book's 0, 1, 2, …",
    "col_choice_integers": "small whole numbers",
    "col_choice_random": "random",
    "col_c_in": "Input channels c_i",
    "col_c_out": "Output channels c_o",
    "col_k": "Kernel k (k×k)",
    "col_k_help": "At most 3 here, and never wider than the input.",
    "col_stride": "Stride s",
    "col_padding": "Padding p",
    "col_padding_help": "Zeros around every input channel: at most k − 1 here.",
    "col_dilation": "Dilation d",
    "col_dilation_help": "The window's cells d apart: its d·(k − 1) + 1 cells must fit the padded input.",
    "col_intro": (
        "How libraries compute a convolution: **unfold** the input (im2col), then do **one matrix product**. Every "
        "place the window visits becomes one column of X_col: its c_i·k·k numbers, channel by channel, row by row. "
        "K becomes K_mat, one row per output channel (c_o × c_i·k·k). Then Y_flat = K_mat · X_col, and each column "
        "of Y_flat, reshaped, is one cell of every output map. A GPU does the one large product far faster than the "
        "loops."
    ),
    "col_title": "Y_flat = K_mat · X_col, one column a step",
    "col_shapes": (
        "**Shapes:** K_mat is {c_out} × {c_in}·{k}·{k} = {c_out} × {rows}; X_col is {rows} × {h_o}·{w_o} = "
        "{rows} × {n}; their product Y_flat is {c_out} × {n}, reshaped to Y: {c_out} × {h_o} × {w_o}."
    ),
    "col_memory": (
        "**The memory it costs:** X holds c_i·h·w = {c_in}·{h}·{w} = {held} numbers; X_col holds "
        "c_i·k·k·h_o·w_o = {c_in}·{k}·{k}·{h_o}·{w_o} = {unfolded}, **{ratio:.3g} times as many**. Each input cell "
        "is copied once for every window that covers it, at most k·k = {kk} times; with padding, the zeros "
        "around X are copied too."
    ),
    "col_check_ok": "K_mat · X_col equals the core's `corr2d_multi_in_out` (TensorFlow's conv2d): max difference "
                    "{diff:.1e}.",
    "col_check_bad": "K_mat · X_col disagrees with the core's `corr2d_multi_in_out`: max difference {diff:.1e}.",
    "col_one_by_one": (
        "With a 1×1 kernel (k = 1) X_col is X itself, each channel flattened (c_i × h·w), and K_mat · X_col is "
        "exactly the chapter's `corr2d_multi_in_out_1x1`: set k to 1 to see it."
    ),
    "col_one_by_one_here": (
        "With this 1×1 kernel X_col is X itself (strided and padded), each channel flattened, and K_mat · X_col is "
        "exactly the chapter's `corr2d_multi_in_out_1x1`: max difference {diff:.1e}."
    ),
    "col_fig_input_hover": "X[{c}] = %{{z}}",
    "col_fig_pad_hover": "a padded zero",
    "col_fig_pending_hover": "not computed yet: click to go to its step",
    "col_fig_k_hover": "K_mat = %{z}",
    "col_fig_x_col_hover": "X_col = %{z}",
    "col_fig_product_hover": "Y_flat, row {o}: %{{z}}",
    "col_fig_output_hover": "Y[{o}] = %{{z}}",
    "mix_slides_open": "Slides: the pixel animation as a GIF and pictures",
}

from convviz.i18n.strings_zh import ZH  # noqa: E402  (the Chinese table holds the same keys as EN, above)

LANGUAGES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}
_current: ContextVar[str] = ContextVar("convviz_language", default="en")


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Within this block, `text` answers in `language` (Streamlit runs each session's script in its own thread,
    and a context variable belongs to its thread, so one student's language never leaks into another's page)."""
    token = _current.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    return _current.get()


def text(key: str, /, language: str | None = None, **values: object) -> str:
    """The sentence `key` in `language` (by default the one `speaking` set, else English), with `values` filled in."""
    template = LANGUAGES.get(language or _current.get(), EN).get(key, EN[key])
    return template.format(**values) if values else template
