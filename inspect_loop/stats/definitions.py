"""The Chinese name and definition (口径) of every figure, as SPEC section 5 states them.

Excel exports put these on their "口径说明" sheet and screens show them as explanations, so a figure and its
definition never drift apart. Keys are the JSON keys of ``summary()`` (nested ones joined with a dot).
"""


def N_(text: str) -> str:
    """Marks a figure or column name for the web pages' translation catalogue (``pybabel extract -k N_``,
    docs/i18n.md): the value stays Chinese, so Excel sheets and the API keep the official names, and the pages
    translate it when they show it."""
    return text


ON_TIME_RULE = ("按时整改：问题已销号（含一次提醒阶段复查核销），且首次报告整改之日——未报告整改的，以复查核销或验收销号之日"
                "——不晚于当时适用的整改期限（交办单重新设定或准予延期的，以整改时已生效的最新期限为准；整改后才设定的期限不计）")
WARNING_FINDINGS_RULE = ("警示阶段问题：进入二次警示的案件中，进入警示时仍未整改的问题及此后新增的问题；一次提醒阶段复查核销的问题不在其列")

ON_THE_SPOT_RULE = ("即查即改：统计期间内发现、并在发现它的检查中当场整改到位（附整改照片）直接销号的问题数（按发现日期计），"
                    "含在发现问题数内；这些问题不签发整改提醒通知书、不因其立案，计入销号问题数和按时整改问题数"
                    "（发现当日即整改，按时）")

SERVICE_RULE = ("按文号计：统计期间内首次签发（按第一版签发日期计）、目前未作废的通知书；重新签发的同一文号只计一份，"
                "以其现行版本是否已登记送达为准（送达回证登记于系统，送达方式为直接、留置、邮寄或电子送达）")


SUMMARY_FIGURES: list[tuple[str, str, str]] = [
    ("interview_rounds", N_("约谈轮次"),
     "统计期间内召开的警示约谈轮次数（按召开日期计）。按区域统计时，为通知了该区域单位的轮次。"),
    ("education_person_times", N_("警示教育人次"),
     "上述约谈轮次登记的“参加人次”之和（每轮参加人次），加上统计期间内举办的警示教育活动（到站教育培训的到场人次、"
     "线上直播的观看人次）。按区域统计时为这些轮次的全部参加人次，不按单位拆分；警示教育活动按县统计为全县的，"
     "按乡镇（街道）统计为该乡镇（街道）教育站举办的。"),
    ("units_interviewed", N_("约谈单位数"),
     "上述轮次中登记为到场参加约谈的单位数（去重）。"),
    ("units_absent", N_("缺席单位数"),
     "上述轮次中被通知约谈、登记为未到场的单位数（去重）。某轮缺席、期间内后一轮到场的单位，两项均计入。"),
    ("units_rectified_on_time", N_("按时整改到位单位数"),
     "约谈单位中，其到场约谈案件的警示阶段问题全部按时整改并已验收销号的单位数（按时整改到位）。"
     + WARNING_FINDINGS_RULE + "。" + ON_TIME_RULE + "。"),
    ("joint_enforcements", N_("联合执法次数"), "统计期间内决定的联合执法行动数。"),
    ("fines", N_("罚款次数"), "统计期间内决定的罚款数。"),
    ("suspensions", N_("责令停业整顿次数"), "统计期间内决定的责令停业整顿数。"),
    ("shutdowns", N_("关停单位数"), "统计期间内决定关停的单位数（去重）。"),
    ("bans", N_("取缔单位数"), "统计期间内决定取缔的单位数（去重）。"),
    ("recurrence.units_eligible", N_("复发考察单位数"),
     "约谈单位中，其到场约谈案件的警示阶段问题已全部验收销号的单位数。"),
    ("recurrence.units_recurred", N_("两个月内复发单位数"),
     "复发考察单位中，在销号日之后、两个自然月以内（销号日 < 发现日 ≤ 销号日后两个月的同日，该月无此日的取该月最后一天）"
     "又被发现与其警示阶段问题同一隐患类型问题的单位数；销号日为这些警示阶段问题中最后一个的销号日期；已撤销案件的问题不计。"),
    ("recurrence.rate", N_("两个月内复发率"), "两个月内复发单位数 ÷ 复发考察单位数，保留四位小数；无考察单位时为0。"),
    ("on_time_rate", N_("按时整改率"),
     "统计期间内销号（含一次提醒阶段复查核销）的问题中，按时整改的问题所占比例，保留四位小数；无销号问题时为0。"
     + ON_TIME_RULE + "。"),
    ("exposures.actions", N_("平安曝光行动数"), "统计期间内发布的平安曝光行动数。按区域统计时，为列有该区域单位的行动。"),
    ("exposures.places", N_("曝光场所数"), "上述曝光行动所列单位数（去重）。"),
    ("exposures.problems", N_("曝光问题数"), "上述曝光行动所列问题数（去重）。"),
    ("exposures.problems_closed", N_("曝光问题已销号数"), "上述曝光问题中，截至目前已销号的问题数。"),
    ("extensions.requested", N_("延期申请数"), "统计期间内提出的延期整改申请数（按申请日期计）。"),
    ("extensions.approved", N_("准予延期数"), "统计期间内审批准予延期的申请数（按审批日期计）。"),
    ("extensions.refused", N_("不予延期数"), "统计期间内审批不予延期的申请数（按审批日期计）。"),
    ("inspections", N_("检查次数"), "统计期间内的检查次数（含暗访、复查、回访、自查、巡查等各类检查）。"),
    ("findings_found", N_("发现问题数"), "统计期间内发现的隐患问题数（按发现日期计）。"),
    ("on_the_spot_rectified", N_("即查即改问题数"), ON_THE_SPOT_RULE + "。"),
    ("findings_closed", N_("销号问题数"), "统计期间内销号的问题数（含一次提醒阶段复查核销），即按时整改率的分母。"),
    ("findings_rectified_on_time", N_("按时整改问题数"), "统计期间内销号的问题中按时整改的问题数，即按时整改率的分子。"),
    ("cases_opened", N_("新立闭环案件数"), "统计期间内立案（一次提醒）的案件数。"),
    ("cases_closed", N_("结案数"), "统计期间内结案的案件数（含整改到位、关停、取缔、撤销）。"),
    ("cases_to_warning", N_("进入二次警示案件数"), "统计期间内进入二次警示阶段的案件数。"),
    ("cases_to_enforcement", N_("进入三次执法案件数"), "统计期间内进入三次执法阶段的案件数。"),
    ("overdue_now", N_("当前逾期问题数"), "截至今日已过整改期限仍未销号的问题数（不受统计期间限制）。"),
    ("service.reminder.issued", N_("整改提醒通知书签发数"), SERVICE_RULE + "。"),
    ("service.reminder.served", N_("整改提醒通知书已送达数"), "上述整改提醒通知书中截至目前已登记送达的份数。"),
    ("service.reminder.rate", N_("整改提醒通知书送达率"), "已送达数 ÷ 签发数，保留四位小数；无签发时为0。"),
    ("service.summons.issued", N_("警示约谈通知书签发数"), SERVICE_RULE + "。"),
    ("service.summons.served", N_("警示约谈通知书已送达数"), "上述警示约谈通知书中截至目前已登记送达的份数。"),
    ("service.summons.rate", N_("警示约谈通知书送达率"), "已送达数 ÷ 签发数，保留四位小数；无签发时为0。"),
    ("service.referral.issued", N_("执法建议书签发数"), SERVICE_RULE + "。"),
    ("service.referral.served", N_("执法建议书已送达数"), "上述执法建议书中截至目前已登记送达的份数。"),
    ("service.referral.rate", N_("执法建议书送达率"), "已送达数 ÷ 签发数，保留四位小数；无签发时为0。"),
]

SUMMARY_LABELS = {key: label for key, label, _ in SUMMARY_FIGURES}

# What a township shows in place of a score and rank in a month without supervision (docs/ranking.md).
UNSUPERVISED = N_("本月未督查")
RANKING_COLUMNS: list[tuple[str, str, str]] = [
    ("rank", N_("排名"), "当月受过督查的乡镇（街道）按得分从高到低排列；得分相同的按乡镇（街道）名称排列。"
                      "本月未督查的不排名，列在最后。"),
    ("township_code", N_("区划代码"), "乡镇（街道）的行政区划代码。"),
    ("township_name", N_("乡镇（街道）"), "乡镇（街道）名称。"),
    ("score", N_("得分"), "100分起，按 docs/ranking.md 所列权重扣分，保留两位小数；可低于0分。当月没有督查检查的"
                       "为“本月未督查”，不计得分。"),
    ("supervisions", N_("督查检查次数"), "当月对本乡镇（街道）单位的检查次数，网格巡查、主体自查除外；为0的本月未督查。"),
    ("units", N_("在营单位数"), "今日本乡镇（街道）在营（未关停、取缔、注销）的单位数，即红、黄、绿三色之和。按个数扣分的各项"
                       "按每百家在营单位计，不足100家的按100家计。"),
    ("findings", N_("发现问题数"), "当月在本乡镇（街道）单位发现的问题数。"),
    ("findings_by_supervision", N_("督查发现问题数"), "当月发现问题中，非网格巡查、非主体自查发现的问题数（计入扣分）。"),
    ("major", N_("其中重大隐患"), "当月督查发现问题中的重大隐患数。"),
    ("closed", N_("销号问题数"), "当月销号（含复查核销）的问题数。"),
    ("rectified_on_time", N_("按时整改问题数"), "当月销号问题中按时整改的问题数。"),
    ("on_time_rate", N_("按时整改率"), "当月销号问题中按时整改的比例；当月无销号问题时为0且不扣分。"),
    ("overdue", N_("月末逾期问题数"), "月末（当月未结束的为今日）已过当时整改期限、仍未销号的问题数。"),
    ("warnings", N_("进入二次警示"), "当月进入二次警示的案件数。"),
    ("interviews", N_("到场约谈单位数"), "当月约谈轮次中到场的单位数（去重）。"),
    ("absent", N_("缺席约谈单位数"), "当月约谈轮次中缺席的单位数（去重）。"),
    ("enforcements", N_("进入三次执法"), "当月进入三次执法的案件数。"),
    ("enforcement_actions", N_("执法行动数"), "当月决定的执法行动数（联合执法、罚款、停业整顿、关停、取缔）。"),
    ("red", N_("红色单位"), "今日风险等级为红色的在营单位数（三色为当前状态，非历史状态）。"),
    ("yellow", N_("黄色单位"), "今日风险等级为黄色的在营单位数。"),
    ("green", N_("绿色单位"), "今日风险等级为绿色的在营单位数。"),
    ("change", N_("名次变化"), "上月名次减本月名次（两月均只在受过督查的乡镇（街道）中排名）：正数为上升，负数为"
                        "下降；本月或上月未督查的为空。"),
]

_COHORT = [
    ("found", N_("发现问题数"), "统计期间内发现的问题数。"),
    ("major", N_("其中重大隐患"), "上述问题中重大隐患的数量。"),
    ("on_the_spot", N_("其中即查即改"), "上述问题中检查时当场整改到位、直接销号的数量（也计入已销号、按时整改）。"),
    ("closed", N_("已销号"), "上述问题中目前已销号（含复查核销）的数量。"),
    ("rectified_on_time", N_("按时整改"), "已销号问题中按时整改的数量。" + ON_TIME_RULE + "。"),
    ("on_time_rate", N_("按时整改率"), "按时整改 ÷ 已销号；无已销号问题时为0。"),
    ("open", N_("整改中"), "上述问题中目前仍在整改中的数量。"),
    ("overdue", N_("当前逾期"), "上述问题中截至今日已过整改期限仍未销号的数量。"),
]

# The tables beside the summary: title, then (key, header, definition) per column.
BREAKDOWNS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "trend": (N_("月度趋势"), [
        ("month", N_("月份"), "自然月。"),
        ("findings_found", N_("发现问题数"), "当月发现的问题数。"),
        ("on_the_spot_rectified", N_("即查即改问题数"), "当月发现的问题中即查即改（当场整改到位、直接销号）的数量。"),
        ("findings_closed", N_("销号问题数"), "当月销号（含复查核销）的问题数。"),
        ("findings_rectified_on_time", N_("按时整改问题数"), "当月销号问题中按时整改的数量。" + ON_TIME_RULE + "。"),
        ("on_time_rate", N_("按时整改率"), "按时整改问题数 ÷ 销号问题数；当月无销号问题时为0。"),
        ("cases_opened", N_("新立案件数"), "当月立案（一次提醒）的案件数。"),
        ("interview_rounds", N_("约谈轮次"), "当月召开的警示约谈轮次数。"),
        ("education_person_times", N_("警示教育人次"), "当月约谈轮次的参加人次与当月警示教育活动人次之和。"),
        ("units_interviewed", N_("约谈单位数"), "当月约谈轮次中到场的单位数（去重）。"),
        ("enforcement_actions", N_("执法行动数"), "当月决定的执法行动数。"),
    ]),
    "categories": (N_("按隐患类别"), [("category", N_("隐患类别"), "《平安建设指导手册》隐患类别。"), *_COHORT]),
    "sectors": (N_("按行业"), [("sector", N_("行业"), "隐患类型所属行业。"),
                         ("regulators", N_("行业主管部门"), "负责该行业的行业主管部门。"), *_COHORT]),
    "risk": (N_("三色分布"), [
        ("township_code", N_("区划代码"), "乡镇（街道）的行政区划代码。"),
        ("township_name", N_("乡镇（街道）"), "乡镇（街道）名称。"),
        ("red", N_("红色"), "有三次执法阶段案件、未销号重大隐患或二次警示阶段逾期问题的在营单位数（今日）。"),
        ("yellow", N_("黄色"), "有二次警示阶段案件或一次提醒阶段逾期问题、且不属红色的在营单位数（今日）。"),
        ("green", N_("绿色"), "其余在营单位数（今日）。"),
        ("units", N_("在营单位数"), "红、黄、绿三色单位数之和（已关停、取缔、注销且不属红黄的单位不计）。"),
        ("closed", N_("已关停/取缔/注销"), "已关停、取缔或注销、且不属红色或黄色的单位数（今日，灰色）。"),
    ]),
    "overdue": (N_("逾期问题清单"), [
        ("finding_id", N_("问题编号"), "问题的系统编号。"),
        ("unit_name", N_("单位"), "被检查单位名称。"),
        ("township_name", N_("乡镇（街道）"), "单位所在乡镇（街道）。"),
        ("hazard_code", N_("隐患代码"), "隐患类型代码。"),
        ("hazard_title", N_("隐患问题"), "隐患类型名称。"),
        ("sector", N_("行业"), "隐患类型所属行业。"),
        ("stage_label", N_("案件阶段"), "所在闭环案件的当前阶段。"),
        ("found_on", N_("发现日期"), "发现问题的日期。"),
        ("deadline", N_("整改期限"), "当前整改期限（交办单重新设定或准予延期的以最新为准）。"),
        ("days_overdue", N_("逾期天数"), "今日距整改期限的天数。"),
    ]),
}
