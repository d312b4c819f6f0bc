"""The Chinese table of every sentence the app shows: the same keys as `strings.EN`, in the terms of the d2l Chinese
edition and the origin notebook (互相关运算, 输入通道, 输出通道, 卷积核, 填充, 步幅, 偏置, 1×1卷积层).

dilation 译作膨胀（亦称空洞）。
"""

from __future__ import annotations

ZH: dict[str, str] = {
    # ---- page ----
    "page_title": "convviz：多输入多输出通道的卷积",
    "tab_main": "多通道互相关运算",
    "tab_mixing": "1×1卷积层",
    "url_notice_title": "链接中的部分取值已被更改：",
    "link_not_number": "“{key}={raw}” 不是用 0–9 数字写成的数，已忽略。",
    "link_not_finite": "“{key}={raw}” 数值过大，已忽略。",
    "link_clamped": "“{key}={raw}” 不在 {low}–{high} 范围内或不是整数，因此改用 {value}。",
    "link_not_bool": "“{key}={raw}” 不是 true 或 false，已忽略。",
    "link_not_option": "“{key}={raw}” 不是 {choices} 之一，已忽略。",
    "link_unknown_key": "“{key}” 不是设置项，已从链接中移除。",
    "link_unknown_key_hint": "“{key}” 不是设置项；你是想用 “{nearest}” 吗？它已从链接中移除。",
    "link_repeated": "“{key}” 在链接中出现了 {count} 次；使用最后一个值 “{raw}”。",
    "link_fixed_textbook": "“{key}={raw}” 未被使用：教材示例把 {key} 固定为 {value}。",
    "link_fixed_picture": "“{key}={raw}” 未被使用：图片及其卷积核把 {key} 固定为 {value}。",
    "link_groups": "“groups={raw}” 不能同时整除 c_i = {c_in} 和 c_o = {c_out}（可选 {options}），因此使用 1。",
    "link_bad_matrix": "链接中的 “{key}” 不是 {c_out}×{c_in} 矩阵（{problem}），因此改用预设。",
    "link_edit_no_kernel": "“{key}” 修改的卷积核不存在（图片只有 {count} 个卷积核），已移除。",
    "link_edit_not_3x3": "链接中的 “{key}” 不是由数字组成的 3×3 卷积核，因此使用卷积核库中的卷积核。",
    "link_edit_too_big": "链接中的 “{key}” 有绝对值超过 {limit} 的权重，因此使用卷积核库中的卷积核。",
    "link_bad_region": "“region={raw}” 不是两个整数 row,col，因此使用图片中央。",
    "link_region_moved": "“region={raw}” 超出了特征图，因此区域从 {row},{col} 开始。",
    "link_more": "……另有 {count} 条。",
    "img_kernel_unknown_more": "另有 {count} 个名称不是卷积核库中的卷积核，已略去。",
    "choice_random": "随机",
    "choice_integers": "整数",
    "choice_textbook": "教材示例",
    "choice_image": "图片",
    "choice_speed_slow": "慢",
    "choice_speed_normal": "中",
    "choice_speed_fast": "快",
    "choice_speed_fastest": "最快",
    "choice_preset_identity": "恒等",
    "choice_preset_swap": "交换",
    "choice_preset_grey": "灰度",
    "choice_preset_average": "平均",
    "choice_preset_random": "随机",
    "choice_kernel_identity": "恒等",
    "choice_kernel_box_blur": "均值模糊",
    "choice_kernel_gaussian_blur": "高斯模糊",
    "choice_kernel_sharpen": "锐化",
    "choice_kernel_outline": "轮廓",
    "choice_kernel_sobel_x": "索贝尔 x",
    "choice_kernel_sobel_y": "索贝尔 y",
    "choice_kernel_laplacian": "拉普拉斯",
    "choice_kernel_emboss": "浮雕",
    "choice_kernel_random": "随机",
    "choice_image_cat": "猫",
    "choice_image_astronaut": "宇航员",
    "choice_image_coffee": "咖啡",
    "choice_image_shapes": "几何图形",
    "choice_image_stripes": "条纹",
    "choice_image_upload": "上传自己的图片",
    # ---- main screen: controls ----
    "sidebar_title": "设置",
    "sidebar_share": "地址栏记录了每一项选择：复制链接，即可分享此刻的视图。",
    "c_in": "输入通道数 c_i",
    "c_out": "输出通道数 c_o",
    "h": "高度 h",
    "w": "宽度 w",
    "kh": "卷积核高度 k_h",
    "kw": "卷积核宽度 k_w",
    "stride": "步幅 s",
    "padding": "填充 p（四周补零）",
    "dilation": "膨胀 d",
    "bias": "每个输出通道加一个偏置",
    "values": "数值",
    "values_random": "正态分布随机数，与原 notebook 相同",
    "values_integers": "小整数，便于心算",
    "values_textbook": "本章的例子：X，以及 K、K+1、K+2",
    "textbook_fixed": "教材数值固定了形状：2 个 3×3 的输入通道，2×2 的卷积核，3 个输出通道。",
    "seed": "随机种子",
    "out": "要跟踪的输出通道",
    "speed": "播放速度",
    "speed_slow": "慢（每步 1.2 秒）",
    "speed_normal": "正常（每步 0.7 秒）",
    "speed_fast": "快（每步 0.3 秒）",
    "speed_fastest": "最快（每步 0.1 秒）",
    # ---- main screen: page ----
    "intro": (
        "每个输入通道与卷积核中对应它的那一片做互相关运算；各通道的部分和 Σ 相加（再加上偏置），"
        "得到一个输出值。"
    ),
    "flip": "真正的卷积（翻转卷积核）",
    "flip_help": "数学上的卷积会先把每一片卷积核旋转半圈（两个轴都翻转），再滑动。",
    "true_convolution": (
        "这是真正的卷积：每一片卷积核先在两个轴上翻转，再像之前一样滑动。深度学习库省去了翻转，"
        "因为卷积核是学出来的：翻转后的卷积核只是另一个卷积核。"
    ),
    "intro_flipped": (
        "每个输入通道与卷积核中对应的那一片（先旋转半圈）做卷积；各通道的部分和 Σ 相加（再加上偏置），得到一个输出值。"
    ),
    "not_convolution": (
        "这是互相关运算，深度学习框架把它称为卷积：数学上的卷积要先把卷积核翻转。"
    ),
    "impossible": "无法按此设置计算：{reason}",
    "impossible_fit": (
        "卷积核放不下：它的{axis} {k} 在膨胀 {d} 下跨越 {span} 个单元，而填充后的输入只有 {padded} 个单元"
        "（{size} + 2·{p}）。每个方向都需要 d·(k − 1) + 1 ≤ 大小 + 2·填充。"
    ),
    "axis_height": "高",
    "axis_width": "宽",
    "impossible_hint": "请减小卷积核或膨胀，或增大输入或填充。",
    # Markdown: the underscores of c\\_o are escaped so that they do not start italics.
    "counts": (
        "**输出形状**（c\\_o × h\\_o × w\\_o）：{shape}  \n"
        "**参数量**（c\\_o·{per_group}·k\\_h·k\\_w{bias_term}）：{weights} = {params}  \n"
        "**乘加次数**（c\\_o·h\\_o·w\\_o·{per_group}·k\\_h·k\\_w）：{products} = {mult_adds}"
    ),
    "counts_bias_term": " + c\\_o",
    "groups": "分组数 g",
    "groups_help": (
        "输出通道 o 只看到它所在分组的 c_i/g 个输入通道：g 必须整除 c_i 和 c_o。"
        "g = c_i 就是逐通道卷积：每个输入通道单独计算。"
    ),
    "groups_depthwise": "g = c_i：逐通道（depthwise）卷积，每个输出通道只看到一个输入通道。",
    "formula_title": "输出大小",
    "animation_title": "输出通道 {o}：逐步计算",
    "numbers_hidden": (
        "在这个尺寸下格子太小，放不下数字：把鼠标悬停在格子上即可读数。演示模式会保留数字（示意图随之可以滚动）。"
    ),
    "check_ok": "已与 `tf.nn.conv2d` 核对：最大差值 {diff:.1e}（容差 {tol:.0e}）。",
    "check_bad": "与 `tf.nn.conv2d` 的结果不一致：最大差值 {diff:.1e}（容差 {tol:.0e}）。",
    "how_title": "计算方法",
    "kit_title": "带到 notebook 里：代码和数组",
    "kit_code": (
        "这段脚本重现上面的每一个数（只用 NumPy 和 TensorFlow）：张量、教材中的循环写法，以及 `tf.nn.conv2d`。"
        "可以粘贴到 notebook 中，或用 `python` 运行。"
    ),
    "kit_download": "下载 X、K、偏置和 Y（npy 和 csv 文件，打包成一个 zip）",
    "kit_offline": "把动画下载为一个 HTML 文件（无网络也能播放）",
    "kit_offline_help": "plotly.js 和播放器都在文件里：从 U 盘拷贝后，用任何浏览器都能打开。",
    "kit_offline_title": "convviz — 输出通道 {o}，{c_in} 个输入通道，{h}×{w}，{kh}×{kw} 卷积核",
    "kit_download_mix": "下载 W、X 和 Y（npy 和 csv 文件，打包成一个 zip）",
    "how_text": (
        "本应用用 NumPy 一次算出所有步骤（按下标取出每个窗口，再与 K 逐元素相乘），"
        "并用一次 TensorFlow `Conv2D` 调用算出输出。下面是教材中的循环写法，它每次算一个位置，得到的数值相同："
    ),
    # ---- main screen: animated figure ----
    "fig_input": "输入 X[{c}]",
    "fig_kernel": "K[{o},{c}]",
    "fig_kernel_flipped": "翻转的 K[{o},{c}]",
    "fig_products": "窗口 × K",
    "fig_products_short": "× K",
    "fig_block": "X[{c}] ⋆ K[{o},{k}] → Σ",
    "fig_block_flipped": "X[{c}] ∗ K[{o},{k}] → Σ",
    "fig_total": "Y[{o}, i, j] = 各 Σ",
    "fig_total_bias": "Y[{o}, i, j] = 各 Σ + 偏置",
    "fig_output": "输出 Y[{o}]  {h}×{w}",
    "fig_finals": "全部 {c_o} 个输出",
    "fig_final": "Y[{o}]",
    "fig_bias_term": "{value}（偏置）",
    # ---- main screen: the player ----
    "player_play": "▶ 播放",
    "player_pause": "❚❚ 暂停",
    "player_prev": "◀",
    "player_next": "▶",
    "player_prev_help": "后退一步（← 键）",
    "player_next_help": "前进一步（→ 键）",
    "player_slider": "步骤",
    "player_step": "第 {s} 步，共 {n} 步 · 输出单元 ({i}, {j})",
    "player_diagram": "互相关运算，逐步演示。左右方向键逐步前后，空格键播放或暂停。",
    "present": "演示模式",
    "zoom": "文字大小",
    "zoom_help": "1 让示意图正好放进屏幕；1.5 或 2 让数字相应放大，教室后排也看得清，示意图随之需要滚动。",
    "player_no_plotly": (
        "示意图需要 plotly 包中的 plotly.js，但 `{path}` 处没有它：请重新安装 plotly"
        "（`pip install -r requirements.txt -c constraints.txt`）。"
    ),
    "fig_padding_hover": "填充：0",
    "fig_products_hover": "窗口中的值 × 卷积核权重 = %{z}",
    "fig_partial_hover": "该通道的部分和 = %{z}",
    "fig_total_hover": "Σ 部分和（+ 偏置）= Y[{o}, i, j] = %{{z}}",
    # ---- 1×1 explorer (owned by convviz/ui/mixing_view.py) ----
    "mix_title": "1×1卷积层：在每个像素上的全连接层",
    "mix_intro": (
        "1×1卷积核从不看相邻像素。在每个像素 (i, j) 处，它取出输入各通道组成的向量 x = X[:, i, j]，"
        "再乘以同一个矩阵 W（c_o × c_i）：y = W·x 就是输出在该像素处的各个通道。所以 1×1卷积层混合的是通道，"
        "它相当于一个以相同权重作用在每个像素上的全连接层。"
    ),
    "mix_controls": "尺寸与数据",
    "mix_c_in": "输入通道数 c_i",
    "mix_c_out": "输出通道数 c_o",
    "mix_h": "高度 h",
    "mix_w": "宽度 w",
    "mix_seed": "随机种子",
    "mix_seed_help": "决定输入图片，以及 random 预设中的权重。",
    "mix_input_note": (
        "输入 X 取 0–9 的整数：每个通道是一道平滑的波纹（3 个通道时就是一张 RGB 图片）。"
    ),
    "mix_matrix_heading": "混合矩阵 W",
    "mix_preset": "预设",
    "mix_preset_help": "预设会填好 W；之后可以修改其中任何一个数。",
    "mix_preset_identity": "复制：输出 o = 输入 o",
    "mix_preset_swap": "一种置换：通道顺序反转（RGB → BGR）",
    "mix_preset_grey": "RGB → 灰度，使用亮度权重 0.299、0.587、0.114",
    "mix_preset_average": "每个输出都是各输入的平均值",
    "mix_preset_random": "权重取 −1…1，步长 0.1（由随机种子决定）",
    "mix_grey_needs_rgb": (
        "grey 预设需要 3 个输入通道（R、G、B）。c_i = {c_in} 时，它改用{fallback}。"
    ),
    "mix_grey_fallback_more": "通道 0、1、2 上的亮度权重，其余通道的权重取 0",
    "mix_grey_fallback_fewer": "平均值，因为没有 R、G、B 三个通道",
    "mix_grey_fix": "使用 3 个输入通道",
    "mix_edit": "编辑 W：每个输出通道一行，每行 {c_in} 个数",
    "mix_edit_help": (
        "数之间用逗号或空格分隔；每行另起一行（或用 ; 分隔）。"
        "按 Ctrl+Enter 或点击输入框外即可应用。"
    ),
    "mix_edit_bad": "{problem}W 保留上一个有效值（见上图）。",
    "mix_edit_custom": "W 是你编辑的矩阵（它记录在链接中，分享链接即可分享它）。",
    "mix_edit_preset": "W 取自 {preset} 预设。",
    "mix_reset": "恢复预设",
    "mix_err_too_long": "文本超过了 {limit} 个字符。",
    "mix_err_row_count": "W 需要 {expected} 行（每个输出通道一行），但文本中有 {got} 行。",
    "mix_err_col_count": "第 {row} 行需要 {expected} 个数（每个输入通道一个），但实际有 {got} 个。",
    "mix_err_not_number": "第 {row} 行第 {col} 列：“{cell}”不是数字。",
    "mix_err_not_finite": "第 {row} 行第 {col} 列：“{cell}”不是有限数（不接受 NaN 和无穷大）。",
    "mix_err_too_big": "第 {row} 行第 {col} 列：“{cell}”的绝对值超过了 {limit}。",
    "mix_pixel_heading": "单个像素：y = W · x",
    "mix_pixel_help": (
        "点击输入或输出中的一个像素（或选择它的行和列）。▶ 播放 会依次走过每个像素；滑块可跳到其中一个。"
        "每个像素都使用同一个 W：变化的只有 x。"
    ),
    "mix_row": "像素行 i",
    "mix_col": "像素列 j",
    "mix_pixel_numbers": "像素 ({row}, {col})：x = X[:, {row}, {col}] = ({x})，y = W·x = ({y})",
    "mix_matmul_heading": "整个层就是一次矩阵乘法",
    "mix_matmul_help": (
        "把 X (c_i, h, w) 变形为 X_flat (c_i, h·w)：每个通道的各行首尾相接，于是第 p = i·w + j 列就是像素 (i, j)。"
        "然后做一次乘法 W · X_flat = Y_flat (c_o, h·w)，再变形回 Y (c_o, h, w)。"
        "这就是 `corr2d_multi_in_out_1x1`；像素 ({row}, {col}) 对应第 {p} 列。"
    ),
    "mix_matmul_shapes": "({c_out} × {c_in}) · ({c_in} × {n}) = ({c_out} × {n}),  h·w = {h}·{w} = {n}",
    "mix_check_ok": (
        "与通用做法 `corr2d_multi_in_out(X, K)` 结果相同（K 为 W 变形成的 ({c_out}, {c_in}, 1, 1)）："
        "max |Y_1×1 − Y_general| = {diff} ≤ 容差 {tol}。"
    ),
    "mix_check_bad": (
        "与通用做法 `corr2d_multi_in_out(X, K)` 的结果不一致：max |Y_1×1 − Y_general| = {diff} > 容差 {tol}。"
    ),
    "mix_check_note": (
        "原 notebook 用 `==` 比较两者。两者都用 float32 对相同的乘积求和，但求和顺序可能不同，"
        "所以最后几位可能有出入：应带容差比较（这里为 1e-5 × max(1, max |Y|)）。"
    ),
    "mix_cost_heading": "代价：1×1 与 k×k 的对比",
    "mix_k": "k×k 层的 k",
    "mix_k_help": "只能取奇数，这样 (k − 1)/2 的填充才能使图片保持 h×w。",
    "mix_bias": "计入偏置",
    "mix_bias_help": "偏置为每个输出通道增加一个参数，但不增加乘加次数。",
    "mix_cost_layer": "层",
    "mix_cost_kernel": "卷积核形状 K",
    "mix_cost_params": "参数量",
    "mix_cost_params_formula": "公式",
    "mix_cost_mult_adds": "乘加次数",
    "mix_cost_1x1": "1×1，{c_in} → {c_out} 个通道",
    "mix_cost_kxk": "{k}×{k}，{c_in} → {c_out} 个通道",
    "mix_cost_ratio": (
        "在 {h}×{w} 个像素上，{k}×{k} 层的参数量和乘加次数都是 1×1 层的 {ratio} 倍："
        "每个输出值要读取每个通道的 k² = {k2} 个像素，而不是 1 个。"
    ),
    "mix_cost_ratio_bias": "计入偏置后，比值为 {ratio} 倍。",
    "mix_bottleneck_heading": "算例：瓶颈结构",
    "mix_bottleneck_intro": (
        "在 {h}×{w} 个像素上比较：一个从 {c} 个通道到 {c} 个通道的 {k}×{k} 层，与另一种做法——先用 1×1 层把 "
        "{c} 个通道减少到 {mid} 个，再用 {k}×{k} 层从 {mid} 个通道恢复到 {c} 个（这正是 GoogLeNet 的 Inception 块"
        "和 ResNet 的瓶颈块背后的思想）。"
    ),
    "mix_bottleneck_direct": "直接用 {k}×{k}，{c} → {c} 个通道",
    "mix_bottleneck_reduce": "1×1，{c} → {mid} 个通道",
    "mix_bottleneck_expand": "{k}×{k}，{mid} → {c} 个通道",
    "mix_bottleneck_total": "瓶颈结构合计",
    "mix_bottleneck_saving": (
        "直接做法的参数量是瓶颈结构的 {params_ratio} 倍（{direct_params} 对 {bottleneck_params}），"
        "乘加次数是其 {mult_ratio} 倍（{direct_mult} 对 {bottleneck_mult}）。"
    ),
    "mix_bottleneck_k1": (
        "k = 1 时两层都是 1×1：{c}×{c} 的矩阵 W 被一个 {mid}×{c} 矩阵与一个 {c}×{mid} 矩阵的乘积取代。"
        "这样更省，但这样的 W 的秩至多为 {mid}：它混合通道的方式更少。"
    ),
    "mix_fig_w_title": "W：{c_out} 个输出通道 ×<br>{c_in} 个输入通道",
    "mix_fig_w_hover": "W[%{y}, %{x}] = %{z}",
    "mix_fig_in_tick": "输入 {c}",
    "mix_fig_out_tick": "输出 {o}",
    "mix_fig_rgb": "X 显示为 RGB",
    "mix_fig_rgb_out": "Y 显示为 RGB（截断到 0–9）",
    "mix_fig_in_map": "X[{c}]",
    "mix_fig_out_map": "Y[{o}]",
    "mix_fig_w": "W",
    "mix_fig_x": "x",
    "mix_fig_products": "W[o, c] · x[c]",
    "mix_fig_y": "y",
    "mix_fig_pick_hover": "%{customdata[2]}<br>点击：选中这个像素",
    "mix_fig_play": "▶ 播放",
    "mix_fig_pause": "❚❚ 暂停",
    "mix_fig_slider_prefix": "像素 (i, j) = ",
    "mix_fig_xflat": "X_flat: ({c_in} × {n})",
    "mix_fig_w_short": "W: ({c_out} × {c_in})",
    "mix_fig_yflat": "Y_flat = W · X_flat: ({c_out} × {n})",
    "mix_fig_reshape_in": "↓ 变形 X ({c_in}, {h}, {w}) → X_flat ({c_in}, {h}·{w})：每个通道的各行首尾相接",
    "mix_fig_reshape_out": "↓ 变形 Y_flat ({c_out}, {h}·{w}) → Y ({c_out}, {h}, {w})",
    "mix_fig_general": (
        "通用做法（用于对比）：Y_general = corr2d_multi_in_out(X, K)，其中 K = W 变形为 ({c_out}, {c_in}, 1, 1)"
    ),
    "mix_fig_general_map": "Y_general[{o}]",
    # ---- end of 1×1 explorer ----
    # ---- depthwise-separable tab ----
    "tab_separable": "深度可分离卷积",
    "sep_title": "深度可分离卷积：用两个廉价的步骤完成一个 k×k 层",
    "sep_intro": (
        "同一个输入走两条路线。**(a)** 一个完整的 k×k 层：每个输出通道对每个输入通道都有自己的 k×k 卷积核。"
        "**(b)** 先用一个 *逐通道（depthwise）* k×k 卷积层（分组数 = c_i：每个输入通道只与自己的卷积核 D[c] "
        "做互相关运算，从不与其他通道混合），再用一个 1×1卷积层 W 混合各通道。"
        "MobileNet 及其后继模型正是用 (b) 搭建的。"
    ),
    "sep_controls": "尺寸与数据",
    "sep_c_in": "输入通道数 c_i",
    "sep_c_out": "输出通道数 c_o",
    "sep_h": "高度 h",
    "sep_w": "宽度 w",
    "sep_k": "卷积核大小 k",
    "sep_k_help": "只能取奇数：(k − 1)/2 的填充使每张特征图保持 h×w，因此两条路线得到的都是 h×w 的特征图。",
    "sep_seed": "随机种子",
    "sep_seed_help": "决定输入图片、卷积核 K 和 D（取整数 −1、0、1）以及随机的 W。",
    "sep_matrix_heading": "1×1卷积层的 W，与“1×1卷积层”标签页中的相同",
    "sep_preset": "W 的预设",
    "sep_edit": "编辑 W：{c_out} 行（输出），每行 {c_in} 个数（输入）",
    "sep_cost_heading": "两条路线各自的代价",
    "sep_cost_full": "(a) 完整的 {k}×{k}，{c_in} → {c_out}",
    "sep_cost_depthwise": "(b) 逐通道 {k}×{k}，分组数 = {c_in}",
    "sep_cost_pointwise": "(b) 1×1, {c_in} → {c_out}",
    "sep_cost_total": "(b) 合计",
    "sep_cost_groups": "分组数",
    "sep_ratio": (
        "**(b) ÷ (a) = 1/c\\_o + 1/k²** = 1/{c_out} + 1/{k2} = {formula} ≈ {formula_float}  \n"
        "按上表的计数：参数量 {params_b:,} ÷ {params_a:,} = {params_ratio} ≈ {params_float}，"
        "乘加次数 {mult_b:,} ÷ {mult_a:,} = {mult_ratio} ≈ {mult_float}。"
    ),
    "sep_ratio_why": (
        "原因：(a) 有 c\\_o·c\\_i·k² 个权重；(b) 有 c\\_i·k²（逐通道）+ c\\_o·c\\_i（1×1）个。两者相除得 "
        "1/c\\_o + 1/k²。每个输出像素的代价之比都相同，所以乘加次数之比也是如此。"
    ),
    "sep_saving": "(b) 所需的参数量和乘加次数都只有 (a) 的 1/{times}。",
    "sep_no_saving": "(b) 的代价是 (a) 的 {times} 倍：k = 1 时，逐通道卷积层只是把每个通道各自缩放。",
    "sep_maps_heading": "两条路线的输出",
    "sep_maps_help": (
        "从上到下：输入 X；(a) 的输出；(b) 的逐通道卷积结果 Z[c] = X[c] ⋆ D[c]（共 c_i 张，尚未混合）；"
        "以及 (b) 的输出 W·Z。把鼠标悬停在格子上即可读数。"
    ),
    "sep_lowrank_heading": "(b) 是 (a) 的一种受限形式",
    "sep_lowrank": (
        "路线 (b) 本身也是一个完整的 k×k 层，其卷积核为 K[o, c] = W[o, c] · D[c]：在每一列 c 中，"
        "c\\_o 个卷积核都是同一个 k×k 图案 D[c]，只是缩放不同。把每个 K[:, c] 排成 (c\\_o × k²) 矩阵，"
        "它的秩至多为 1。一般的 (a) 没有这种限制（这里它的各个 K[:, c] 的秩为 {ranks}），"
        "所以 (b) 只能得到 (a) 所能计算的结果中的一小部分：上面两个输出一般并不相同，"
        "只有当 (a) 的卷积核恰好具有这种形式时才相等。"
    ),
    "sep_check_ok": (
        "已核对：(b) 等于卷积核为 K[o, c] = W[o, c]·D[c] 的完整层，最大差值 {diff} ≤ 容差 {tol}。"
    ),
    "sep_check_bad": (
        "(b) 与卷积核为 K[o, c] = W[o, c]·D[c] 的完整层结果不一致：最大差值 {diff} > 容差 {tol}。"
    ),
    "sep_fig_input": "输入 X：{c_in} 个通道",
    "sep_fig_full": "(a) 完整的 k×k 层：Y，{c_out} 个通道",
    "sep_fig_depthwise": "(b) 第 1 步，逐通道卷积：Z[c] = X[c] ⋆ D[c]，{c_in} 个通道",
    "sep_fig_pointwise": "(b) 第 2 步，逐点（1×1）卷积：在每个像素上 Y = W · Z，{c_out} 个通道",
    "sep_fig_k_full": "(a) K：{c_out} × {c_in} 个独立的 {k}×{k} 卷积核（行为 o，列为 c）",
    "sep_fig_k_equivalent": "(b) 看作一个层：K[o, c] = W[o, c] · D[c]，每一列是同一个图案的不同缩放",
    # ---- end of depthwise-separable tab ----
    # ---- pictures and the kernel library ----
    "img_err_unknown": "没有名为“{name}”的图片：请从 {names} 中选择。",
    "img_err_empty": "文件是空的。",
    "img_err_too_large": "文件大小为 {size} MB；只接受不超过 {limit} MB 的图片。",
    "img_err_not_image": "这个文件不是此处能读取的图片：请上传 {formats} 文件。",
    "img_err_too_many_pixels": (
        "图片为 {w}×{h} 像素，超过了允许的 {limit}：请先缩小再上传。"
    ),
    "img_err_bomb": "文件声称其图片超过 {limit} 像素，超出了可接受的范围：请先缩小再上传。",
    "img_err_truncated": "图片无法完整读取：文件似乎被截断了。请重新上传。",
    "img_err_broken": "图片数据已损坏，无法读取：请重新保存后上传新文件。",
    "img_err_mode": "此处无法显示这种颜色格式的图片：请另存为普通的 8 位 PNG 或 JPEG 后上传。",
    "img_note_first_frame": "文件包含 {frames} 帧；只使用第一帧。",
    "img_note_scaled": "已从 {w0}×{h0} 缩小到 {w}×{h} 像素，使每一步都能快速绘制。",
    "img_note_16bit": "每像素 16 位已降为 8 位。",
    "img_note_cmyk": "CMYK 颜色已转换为 RGB。",
    "img_note_palette": "调色板颜色已展开为 RGB。",
    "img_note_alpha": "透明部分显示在白色背景上。",
    "img_kernel_unknown": "“{name}” 不是卷积核库中的卷积核（{names}），已略去。",
    "img_kernel_too_many": "请求了 {count} 个卷积核；只使用前 {limit} 个。",
    "img_fig_picture": "图片",
    "img_fig_channel": "X[{c}] ({name})",
    "img_fig_output": "Y[{o}]：{name}（范围 ±{limit}）",
    "img_fig_output_abs": "|Y[{o}]|：{name}（范围 0 到 {limit}）",
    "values_image": "一张图片：它的颜色通道，经过各门课程常用的卷积核",
    "img_picture": "图片",
    "img_pic_cat": "猫（照片）",
    "img_pic_astronaut": "宇航员（照片）",
    "img_pic_coffee": "咖啡杯（照片）",
    "img_pic_shapes": "几何图形（清晰边缘）",
    "img_pic_stripes": "条纹（清晰边缘）",
    "img_pic_upload": "你自己的图片（上传）",
    "img_grey": "灰度：一个输入通道",
    "img_grey_help": "关闭：R、G、B 是三个输入通道。打开：一个灰度通道（0.299 R + 0.587 G + 0.114 B）。",
    "img_kernels": "卷积核，每个输出通道一个",
    "img_kernels_help": "每选一个卷积核就是一个输出通道，按选择的顺序排列（最多 8 个）。",
    "img_kernels_none": "没有选择卷积核：使用 {name}。",
    "img_upload": "上传图片",
    "img_upload_help": "PNG、JPEG、WebP 或 GIF，最大 {limit} MB。它只留在这个浏览器标签页里，不在链接中。",
    "img_upload_waiting": "还没有上传图片：先显示猫。",
    "img_upload_refused": "上传的文件无法使用：先显示猫。",
    "img_how_kernel": (
        "卷积核库中的每个卷积核是一个 3×3 的切片。有 c_i = {c_in} 个输入通道时，"
        "这一层在每个通道上使用同一个切片并除以 c_i，所以一个输出通道就是该卷积核作用于各通道的平均值。"
        "`random` 是例外：每个通道有自己的切片。"
    ),
    "img_absolute": "显示 |y|（强弱，而不是正负）",
    "img_region_title": "播放器演示的区域：从第 {row} 行、第 {col} 列起的 {rows}×{cols} 个输出单元",
    "img_edit_title": "输出通道 {o} 的卷积核（{name}），一个 3×3 切片：改一个数试试你自己的卷积核",
    "img_edit_reset": "恢复卷积核库中的卷积核",
    "img_fig_click": "像素 (%{customdata[0]}, %{customdata[1]})：点击以在此处演示",
    # ---- end of pictures ----
    # ---- 池化 (convviz/ui/pooling_view.py) ----
    "tab_pooling": "池化层",
    "pool_sidebar_title": "池化",
    "pool_choice_integers": "小整数",
    "pool_choice_random": "随机",
    "pool_choice_book": "书中的 0, 1, 2, …",
    "pool_mode": "每个窗口保留",
    "pool_mode_max": "最大值",
    "pool_mode_avg": "平均值",
    "pool_c": "通道数 c",
    "pool_k": "窗口 k（k×k）",
    "pool_stride": "步幅 s",
    "pool_stride_help": "0：与窗口大小相同，即各深度学习库的默认值。",
    "pool_padding": "填充 p",
    "pool_padding_help": "最多为窗口的一半。最大池化忽略填充的单元格；平均池化把它们当作 0。",
    "pool_intro": (
        "池化让一个窗口在每个通道上各自滑动，保留窗口中的最大值或平均值。它没有权重，也从不把各通道相加："
        "输入 c 个通道，输出同样的 c 个通道。"
    ),
    "pool_title": "每个通道各自池化，保留{mode}",
    "pool_impossible": "{k}×{k} 的窗口放不进填充 {p} 之后的 {h}×{w} 输入：请缩小窗口或增大输入。",
    "pool_counts": (
        "**输出形状**（c × h_o × w_o）：{c} × {h_o} × {w_o}，其中 h_o = ⌊({h} + 2·{p} − {k}) / {s}⌋ + 1，"
        "w_o = ⌊({w} + 2·{p} − {k}) / {s}⌋ + 1。**参数：** 无。"
    ),
    "pool_rule_max": "最大池化忽略填充的单元格：窗口的最大值总是它的某个真实值。",
    "pool_rule_avg": "平均池化把填充的单元格当作 0，并除以整个窗口的大小 k·k（d2l 和 PyTorch 的默认做法）。",
    "pool_check_ok": "逐步计算表与 TensorFlow 的池化算子一致：最大差值 {diff:.1e}。",
    "pool_check_bad": "逐步计算表与 TensorFlow 的池化算子不一致：最大差值 {diff:.1e}。",
    "pool_fig_input_hover": "输入 X = %{z}",
    "pool_fig_output_hover": "Y[{c}] = %{{z}}",
    "pool_fig_window": "窗口",
    "pool_fig_output": "输出 Y[{c}]  {h}×{w}",
    "pool_fig_window_hover": "窗口中的值：%{z}",
    "pool_choice_image": "一幅图片",
    "pool_img_intro": (
        "图片的每个通道各自汇聚：{k}×{k} 的窗口、步幅 {s}，把 {h}×{w} 个像素变成 {h_o}×{w_o}。"
        "每个汇聚后的单元画在它的窗口覆盖的像素上，所以汇聚后的图和原通道一样大，只是单元更粗。"
        "点击图片，选择播放器演示的区域。"
    ),
    "pool_img_picture": "图片  {h}×{w}",
    "pool_img_pooled_rgb": "{mode}，画成图片  {h}×{w}",
    "pool_img_pooled": "输出 Y[{c}]：{mode}  {h}×{w}",
    "pool_img_mode_max": "最大汇聚",
    "pool_img_mode_avg": "平均汇聚",
    "link_pool_bad_region": "“pool_region={raw}” 不是两个整数 row,col，因此使用汇聚结果变化最大的区域。",
    "link_pool_region_moved": "“pool_region={raw}” 超出了汇聚后的图，因此区域从 {row},{col} 开始。",
    "pool_kit_title": "带到 notebook 里：代码和数组",
    "pool_kit_code": (
        "这段脚本重现汇聚的每一个数（只用 NumPy 和 TensorFlow）：X、d2l 的 `pool2d` 循环（加上填充），"
        "以及对填充后的输入调用 TensorFlow 的 `max_pool2d` / `avg_pool2d`，两者互相核对。"
        "可以粘贴到 notebook 中，或用 `python` 运行。"
    ),
    "pool_kit_download": "下载 X 和 Y（npy 和 csv 文件，打包成一个 zip）",
    # ---- 课堂模式 (convviz/ui/class_room.py) ----
    "link_bad_room": "“room={raw}” 不是有效的课堂代码（5 位字母和数字），因此页面未加入课堂。",
    "link_bad_key": "链接中的 “key” 不是课堂的密钥，因此页面以学生身份打开。",
    "class_no_room": "没有课堂 “{raw}”（可能已因数小时未使用而关闭）：页面独立打开。",
    "class_wrong_key": "这个密钥不能以教师身份打开课堂 {code}：这是学生页面。",
    "class_store_down": "暂时无法连接课堂模式的存储，因此本页面未加入课堂。",
    "class_publish_failed": "课堂未能接收此视图（链接中的密钥是否仍属于该课堂？）。",
    "class_teacher_title": "你的课堂：{code}",
    "class_teacher_intro": "学生打开此链接或扫描二维码后，他们的页面会跟随你：标签页、每一项设置以及你停留的步骤。",
    "class_teacher_key": "请勿分享你自己的地址：其中的密钥可以让页面主导课堂。",
    "class_qr_caption": "扫码加入",
    "class_ask": "提问：预测下一个值",
    "class_ask_help": (
        "全班猜测下一步（最后一步之后为第一步）的输出单元格：它会被隐藏，所有播放器暂停，直到你揭晓答案。"
        "问题针对主标签页的示意图：在其他标签页提问时会切换到主标签页。"
    ),
    "class_reveal": "揭晓",
    "class_cancel": "撤回问题",
    "class_asked": "全班正在预测下一步 Y[{o}] 在 ({i}, {j}) 处的值。收齐答案后请揭晓。",
    "class_present": "**课堂中的学生：** {count}",
    "class_answers": "**已回答：** {count}",
    "class_guesses_title": "全班的猜测：{count} 人中 {right} 人答对",
    "class_truth": "真实值 {value}",
    "class_guess_axis": "猜测",
    "class_count_axis": "学生数",
    "class_student_title": "**课堂 {code}**：本页面由老师主导。",
    "class_follow": "跟随老师",
    "class_follow_help": "关闭：自行探索。再次打开：立即回到老师的视图。",
    "class_exploring": "你正在自行探索。打开 “跟随老师” 即可重新加入。",
    "class_predict": "**预测：** 下一步 Y[{o}] 在 ({i}, {j}) 处的值是多少？请根据图示计算。",
    "class_guess": "你的猜测",
    "class_send": "提交",
    "class_verdict_taken": "已提交。请等待老师揭晓答案。",
    "class_verdict_already": "你已经回答过这个问题。",
    "class_verdict_closed": "这个问题已经关闭。",
    "class_verdict_full": "这个问题的答案数量已满。",
    "class_verdict_too_fast": "每秒只能回答一次：请再提交一次。",
    "class_verdict_invalid": "请先输入一个数字（绝对值不超过一百万）。",
    "class_verdict_down": "暂时无法提交你的答案：请重试。",
    "class_result_none": "答案是 {value}。",
    "class_result_right": "答对了：答案是 {value}，你的回答是 {guess}。",
    "class_result_wrong": "答案是 {value}；你的回答是 {guess}。",
    # ---- 转置卷积 (convviz/ui/transposed_view.py) ----
    "tab_transposed": "转置卷积",
    "tr_sidebar_title": "转置卷积",
    "tr_choice_book": "书中的 0, 1, 2, …",
    "tr_choice_integers": "小整数",
    "tr_choice_random": "随机",
    "tr_c_in": "输入通道数 c_i",
    "tr_c_out": "输出通道数 c_o",
    "tr_k": "卷积核 k (k×k)",
    "tr_stride": "步幅 s",
    "tr_stride_help": "卷积核副本落下的间隔：相邻单元的块之间相隔 s − 1 个单元。",
    "tr_padding": "填充 p",
    "tr_padding_help": "从输出的每一边裁掉 p 个单元（而不是添加）：这里最多 k − 1。",
    "tr_intro": (
        "转置卷积把过程反过来：不是一个窗口把许多输入汇成一个输出，而是**每个输入单元把卷积核按自己的值缩放后"
        "散布**到输出中，重叠处相加。它让特征图变大（解码器的上采样、GAN 的生成器）。K 的形状是 (c_i, c_o, k, k)："
        "每个输入通道都送往每个输出通道，每个输出通道把所有输入通道送来的相加。"
    ),
    "tr_title": "每个输入单元把 X[c][i, j]·K[c, o] 散布到每个输出图",
    "tr_player_step": "第 {s} 步，共 {n} 步 · 输入单元 ({i}, {j})",
    "tr_impossible": "填充 {p} 把这个设置的整个输出都裁掉了：请减小填充，或增大输入或卷积核。",
    "tr_counts": (
        "**输出形状** (c_o × h_o × w_o)：{c_out} × {h_o} × {w_o}，其中 h_o = ({h} − 1)·{s} − 2·{p} + {k}，"
        "w_o = ({w} − 1)·{s} − 2·{p} + {k}。**参数：** {c_in} × {c_out} × {k} × {k} = {params}。"
    ),
    "tr_crop_note": "填充从完整的 {full_h}×{full_w} 输出图的每一边裁掉 {p} 个单元：即褪色的边框。",
    "tr_check_ok": "步骤表与 TensorFlow 的 `conv2d_transpose` 一致：最大差值 {diff:.1e}。",
    "tr_check_bad": "步骤表与 TensorFlow 的 `conv2d_transpose` 不一致：最大差值 {diff:.1e}。",
    "tr_as_corr_title": "同样的数，作为普通的互相关",
    "tr_as_corr": (
        "按步幅把 X 拉开（单元之间插入 s − 1 = {gap} 个零），四周填充 k − 1 − p = {edge} 个零，把每个卷积核在两个"
        "方向上翻转并交换通道轴（F[o, c] = 翻转后的 K[c, o]），再像主标签页那样以步幅 1、无填充做互相关：得到同样的 Y。"
        "灰色的零是插入的。"
    ),
    "tr_as_corr_check": "Z 与 F 的互相关（TensorFlow 的 `conv2d`）给出同样的 Y：最大差值 {diff:.1e}。",
    "tr_matrix_title": "同样的数，作为矩阵：Y = Cᵀ · vec(X)",
    "tr_matrix": (
        "以 K 做的普通互相关（步幅 {s}，填充 {p}）把 Y 形状的数组映射为 X 形状的数组；写成矩阵 C 是 {rows} × {cols}。"
        "转置卷积就是它的转置：每个输出单元 y 是 Cᵀ 的一行与 vec(X)（上方那一行数）逐项相乘再相加。"
        "空白单元是零：Cᵀ 是稀疏的。"
    ),
    "tr_matrix_check": "Cᵀ · vec(X) 给出同样的 Y：最大差值 {diff:.1e}。",
    "tr_matrix_big": "这里 Cᵀ 将是 {rows} × {cols}；最多画 {max_rows} × {max_cols}：请减小输入以查看。",
    "tr_fig_input_hover": "X[{c}] = %{{z}}",
    "tr_fig_kernel_hover": "K[{c},{o}] = %{{z}}",
    "tr_fig_product_hover": "送往 Y[{o}]：%{{z}}",
    "tr_fig_output_hover": "Y[{o}] 目前：%{{z}}",
    "tr_fig_z_hover": "Z[{c}] = %{{z}}",
    "tr_fig_z_added_hover": "插入的零",
    "tr_fig_f_hover": "F[{o},{c}] = %{{z}}",
    "tr_fig_vec_x": "vec(X)：每个输入单元一列",
    "tr_fig_vec_x_hover": "vec(X) = %{z}",
    "tr_fig_matrix": "Cᵀ：{rows} 个输出单元 × {cols} 个输入单元",
    "tr_fig_matrix_hover": "Cᵀ = %{z}",
    "tr_fig_vec_y_hover": "y = %{z}",
    # ---- 多层堆叠 (convviz/ui/stack_view.py) ----
    "tab_stack": "多层堆叠",
    "st_sidebar_title": "依次排列的层",
    "st_choice_integers": "小整数",
    "st_choice_random": "随机",
    "st_layers": "层数",
    "st_relu": "层之间加 ReLU",
    "st_relu_help": "对每层传给下一层的图取 max(0, ·)：这些层就不再等同于一层。",
    "st_c0": "输入通道数 c_i",
    "st_layer": "第 {n} 层",
    "st_c_out": "输出通道数",
    "st_k": "卷积核 k (k×k)",
    "st_intro": (
        "网络把层依次排列：每层的输出是下一层的输入。最后一张图的一个单元依赖于输入中的一个正方形区域，即它的"
        "**感受野**；每多一层感受野就变大（有步幅和膨胀时变大得更快）。把鼠标悬停在最后一张图的单元上或点击它："
        "它的感受野会在之前的每张图中框出。"
    ),
    "st_title": "{n} 层依次排列：每个输出单元的感受野",
    "st_impossible": "这组层无法运行：{problem} 请减小卷积核或增大输入。",
    "st_field": (
        "最后一张图（第 {n} 层）一个单元的**感受野**：r = {formula} = **{r}**，即它看到输入中 {r}×{r} 的正方形"
        "（伸进填充的部分除外）。"
    ),
    "st_one_title": "中间没有非线性的两层就是一层",
    "st_one": (
        "互相关是线性的，所以这组层等同于一层：它的卷积核 K（c_o × c_i × k × k = {c_out} × {c_in} × {k} × {k}）"
        "把经过各层卷积核的每条路径相加；它的步幅是各步幅之积 **{s}**，填充为 **{p}**。这样大小的一层比这组层"
        "含有更多权重，这正是网络堆叠小卷积核的原因之一。"
    ),
    "st_one_same": "这一层给出与这组层相同的输出：最大差值 {diff:.1e}。",
    "st_one_padding": (
        "第一层之后的填充往图中加入了输入的任何填充都产生不了的零：这一层在 {total} 个输出单元中的 {n} 个上不同，"
        "最多相差 {diff:.2f}（下图：这组层减去这一层）。"
    ),
    "st_one_relu": (
        "层之间有 ReLU 时这组层不再是线性的：这一层在 {total} 个输出单元中的 {n} 个上不同，最多相差 {diff:.2f}"
        "（下图：这组层减去这一层），凡是途中有负数被截为 0 的地方。"
    ),
    "st_fig_input": "输入",
    "st_fig_layer": "第 {n} 层",
    "st_fig_hover": "{name} = %{{z}}",
    "st_fig_diff": "这组层 − 这一层，Y[{o}]",
    "st_fig_diff_hover": "Y[{o}] 的差值：%{{z}}",
    # ---- 幻灯片 (convviz/ui/slides.py) ----
    "slides_title": (
        "**幻灯片**：把动画存为 GIF，把任意一步存为图片，用于 PowerPoint、Keynote、Google 幻灯片或 beamer。"
    ),
    "slides_size": "幻灯片尺寸",
    "slides_make": "制作幻灯片",
    "slides_make_help": "你的浏览器按幻灯片的尺寸画出每一步；需要几秒钟。",
    "slides_drawing": "正在你的浏览器中画出每一步 …",
    "slides_gif": "下载 GIF",
    "slides_png": "第 {s} 步（PNG）",
    "slides_zip": "全部 {n} 步的 PNG（zip）",
    "slides_made": "GIF：{mb:.1f} MB，{n} 帧，{w}×{h}；PNG 的像素密度是它的两倍。",
    "slides_bad": "无法读取浏览器画出的图片，所以没有制作幻灯片：请再按一次按钮。",
    "slides_busy": "服务器正在为别人制作幻灯片：请过几秒钟再按一次按钮。",
    # ---- im2col (convviz/ui/im2col_view.py) ----
    "tab_im2col": "im2col（矩阵乘法）",
    "col_sidebar_title": "im2col：把卷积层写成一次矩阵乘法",
    "col_choice_book": "书中的 0, 1, 2, …",
    "col_choice_integers": "小整数",
    "col_choice_random": "随机",
    "col_c_in": "输入通道数 c_i",
    "col_c_out": "输出通道数 c_o",
    "col_k": "卷积核 k (k×k)",
    "col_k_help": "这里最大为 3，且不超过输入的宽度。",
    "col_stride": "步幅 s",
    "col_padding": "填充 p",
    "col_padding_help": "在每个输入通道四周补零：这里最多 k − 1。",
    "col_dilation": "膨胀 d",
    "col_dilation_help": "窗口中相邻单元相隔 d：窗口的 d·(k − 1) + 1 个单元必须放得进填充后的输入。",
    "col_intro": (
        "深度学习库这样计算卷积：先把输入**展开**（im2col），再做**一次矩阵乘法**。"
        "窗口每到一个位置，就成为 X_col 的一列：它的 c_i·k·k 个数，逐通道、逐行排列。"
        "K 变为 K_mat，每个输出通道一行（c_o × c_i·k·k）。于是 Y_flat = K_mat · X_col，"
        "Y_flat 的每一列重塑后就是每个输出图中的一个单元。GPU 做这一次大矩阵乘法远快于循环。"
    ),
    "col_title": "Y_flat = K_mat · X_col，每步一列",
    "col_shapes": (
        "**形状：** K_mat 为 {c_out} × {c_in}·{k}·{k} = {c_out} × {rows}；X_col 为 {rows} × {h_o}·{w_o} = "
        "{rows} × {n}；二者之积 Y_flat 为 {c_out} × {n}，重塑为 Y：{c_out} × {h_o} × {w_o}。"
    ),
    "col_memory": (
        "**占用的内存：** X 存有 c_i·h·w = {c_in}·{h}·{w} = {held} 个数；X_col 存有 "
        "c_i·k·k·h_o·w_o = {c_in}·{k}·{k}·{h_o}·{w_o} = {unfolded} 个数，**是前者的 {ratio:.3g} 倍**。"
        "每个输入单元被覆盖它的每个窗口各复制一次，最多 k·k = {kk} 次；有填充时，X 四周的零也被复制。"
    ),
    "col_check_ok": "K_mat · X_col 与核心的 `corr2d_multi_in_out`（TensorFlow 的 conv2d）一致：最大差值 {diff:.1e}。",
    "col_check_bad": "K_mat · X_col 与核心的 `corr2d_multi_in_out` 不一致：最大差值 {diff:.1e}。",
    "col_one_by_one": (
        "卷积核为 1×1（k = 1）时，X_col 就是 X 本身，每个通道展平（c_i × h·w），K_mat · X_col 正是本章的 "
        "`corr2d_multi_in_out_1x1`：把 k 设为 1 即可看到。"
    ),
    "col_one_by_one_here": (
        "此时卷积核为 1×1，X_col 就是 X 本身（经步幅与填充），每个通道展平，K_mat · X_col 正是本章的 "
        "`corr2d_multi_in_out_1x1`：最大差值 {diff:.1e}。"
    ),
    "col_fig_input_hover": "X[{c}] = %{{z}}",
    "col_fig_pad_hover": "填充的零",
    "col_fig_pending_hover": "尚未计算：点击跳到它的那一步",
    "col_fig_k_hover": "K_mat = %{z}",
    "col_fig_x_col_hover": "X_col = %{z}",
    "col_fig_product_hover": "Y_flat 第 {o} 行：%{{z}}",
    "col_fig_output_hover": "Y[{o}] = %{{z}}",
    "mix_slides_open": "幻灯片：把逐像素动画存为 GIF 和图片",
}
