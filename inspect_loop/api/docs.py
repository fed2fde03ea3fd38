"""``docs/permissions.md``, generated from the matrix (``users/permissions.py``) and the API's route table
(importing ``inspect_loop.api.routing`` imports the package, whose ``__init__`` registers every route).

Regenerate with ``.venv/bin/python -m inspect_loop.api.docs``; a test fails when the committed file differs.
"""

from pathlib import Path

from inspect_loop.api.routing import ROUTES
from inspect_loop.labels import zh
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import ACTION_LABELS, MATRIX, Action

PERMISSIONS_FILE = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = list(Role)

SCOPING = """\
## 管辖范围（行级权限）

角色决定能做哪类操作；下列规则再决定能对哪些记录做。列表按范围过滤（SQL 条件，见
`inspect_loop/api/scope.py`），按编号读取范围外的单条记录答 403。角色不符时先答 403，再检查输入。

| 角色 | 能看到的单位和案件 | 能办理的 |
| --- | --- | --- |
| `admin` 系统管理员 | 全部 | 全部操作；唯一能维护区划、部门、隐患目录 |
| `safety_office` 县级平安办 | 本县（市、区）的单位、案件、文书、交办单 | 复查和回访核验、升级、撤销、约谈、交办、执法、曝光、作废和重签文书（本县） |
| `township_office` 乡镇（街道）平安办 | 本乡镇（街道）的单位、案件和文书；交办单只看发给本办的 | 在本乡镇登记单位、录入检查（发现问题，不核验）、报告整改；签收发给本办的交办单；对本乡镇单位的问题验收销号 |
| `regulator` 行业主管部门 | 本县的单位；有本部门所管行业问题的案件及其文书；交办单只看发给本部门的 | 录入部门检查（本县，发现问题，不核验）；签收发给本部门的交办单；只对本行业、本县的问题签认 |
| `inspector` 暗访督查员 | 全部单位和案件（暗访不分属地） | 录入检查、复查和回访核验、报告整改；暗访计划只看本人所在组的 |
| `viewer` 领导（只读） | 全部单位和案件 | 只读，不能改变任何数据；看不到暗访计划 |

其他规则：

- **暗访计划（四不两直）**：只有计划的组员、被检查单位所在县的县级平安办（及管理员）能看到。
  `GET /inspection-plans` 对其他角色答 403，县级平安办只列出本县单位的计划；录入检查时引用一个自己看不到的
  `plan_id`（包括外县的计划），与不存在的编号一样答 404（计划是否存在本身也保密）。
- **核验整改（复查、回访）** 决定案件结案还是升级，与签认、升级同样受范围和阶段约束
  （`inspect_loop/cases/policy.py`）：只有暗访督查员（不分属地）、本县县级平安办和管理员可以在
  `POST /inspections` 中提交 `verified`，其他角色答 403；一次提醒阶段用复查，二次警示之后用回访，
  用错答 409；整改期限届满前不能认定“未整改”（409）；二次警示阶段的回访只有在单位参加过警示约谈、
  且没有待登记到场情况的约谈时才能认定“未整改”并升级到三次执法（409），缺席约谈的由县级平安办
  填写理由手动升级。二次警示之后的回访认定“已整改”不会销号，销号仍须主管部门签认和属地验收。
- **并发**：同一单位的案件、问题、约谈、交办和执法的每一次变更都先锁住该单位（PostgreSQL 行锁，
  SQLite 立即写事务），在锁内重新读取状态再检查；同时提交的请求只有一个成功，其余答 409，
  错误中的 `current` 给出输掉时的当前状态。
- **曝光草稿**：草稿和待审批的曝光只有能管理曝光的角色（县级平安办、管理员）看得到；其他角色只看到已发布的曝光。
- **曝光审批（第二人）**：没有单设“领导”可写的角色（`viewer` 是只读的领导），审批由县级平安办的负责人用本单位的
  `safety_office` 账号（或管理员）进行（`approve_exposures`）。起草、修改过草稿或送审的人不能审批或退回同一次
  曝光（答 403），须由本单位另一人决定；审批通过即发布，退回须填写原因，曝光回到草稿。
- **约谈轮次**：轮次属于召集它的县。本县的县级平安办、乡镇平安办和行业主管部门能读本县的轮次，其中的约谈对象只列出
  自己范围内的案件；外县的轮次答 403（`can_see_round`，网页与接口同一条规则）。暗访督查员、领导、管理员不受县的限制。
- **统计**（`/stats/*` 及其 Excel、网页“统计分析”“月晾晒”及其下载，`inspect_loop/stats/scope.py`）：乡镇平安办只看
  本乡镇（街道）的统计，月晾晒看本县的排名；县级平安办和行业主管部门看本县及其乡镇（街道）的统计（主管部门的统计
  也是全县口径，与晾晒一致，不按行业切分）；领导和管理员看全部。不给 `region` 时为本人辖区；给了辖区以外的
  `region` 答 403（区划代码本身公开，不必伪装成 404），不存在的代码仍答 404，村（社区）级代码答 400。网页上同样
  拒绝并显示本辖区的数字，地区下拉框只列本人可选的地区。
- **照片**（网页 `/photos/{id}`）：问题的照片和整改报告的照片，与该问题所在案件同样按范围读取（行业主管部门只看
  有本行业问题的案件的照片），范围外答 403，不存在答 404；尚未随表单提交的照片只有上传者本人能看。
- **交办单收件箱** `GET /assignments`：乡镇平安办和行业主管部门只看到发给本部门的，`department`
  参数只能是本部门；`status` 从该部门的角度计算：`pending` 未签收，`received` 已签收、本部门的事未办完，
  `completed` 本部门的事已办完（主管部门：每个问题都已签认或不再在整改中；属地：每个问题都已销号或终止）。
  其他角色看范围内全部交办单；给了 `department` 就从该部门角度计算，否则 `received` 表示双方都已签收。
- **延期**（`/extensions`，网页“延期整改”，`docs/extensions.md`）：只有单位所在乡镇（街道）平安办能申请；由提出申请时
  本县设置的审批部门审批（县级平安办，或问题所属行业的主管部门；管理员也可），其他部门答 403。能看到案件的人能看到其
  延期申请，审批部门还能看到交给本部门审批的申请。审批部门由县级平安办为本县设置（管理员可设置任何县）。
- **公开接口**：`GET /verify/{token}`（二维码核验；同一地址对同一文书每天记一次核验，按地址限速，超过答 429）
  和 `GET /openapi.json` 不需要令牌。
- **令牌**：停用用户的令牌、已吊销的令牌一律答 401。
- **未指定部门的属地账号**：乡镇平安办、县级平安办、行业主管部门的账号若没有所属部门（只会因手工改库出现），
  读取任何按范围过滤的数据都答 403，而不是不受范围限制。
"""


def _mark(allowed: bool) -> str:
    return "✓" if allowed else "—"


def permissions_markdown() -> str:
    lines = [
        "# 权限：角色 × 操作",
        "",
        "由 `.venv/bin/python -m inspect_loop.api.docs` 根据 `inspect_loop/users/permissions.py` 的 `MATRIX`",
        "和 API 的路由表生成，请勿手工修改；`tests/api/test_permissions.py` 检查本文件与生成结果一致，",
        "并对每个角色 × 每个路由发出请求，核对允许与拒绝（403）与下表完全一致。",
        "",
        "## 角色",
        "",
        "| 角色 | 中文 |",
        "| --- | --- |",
        *[f"| `{role.value}` | {zh(role)} |" for role in ROLES],
        "",
        "## 角色 × 操作",
        "",
        "| 操作 | 中文 | " + " | ".join(f"`{role.value}`" for role in ROLES) + " |",
        "| --- | --- | " + " | ".join("---" for _ in ROLES) + " |",
    ]
    for action in Action:
        cells = " | ".join(_mark(role in MATRIX[action]) for role in ROLES)
        lines.append(f"| `{action.value}` | {ACTION_LABELS[action][0]} | {cells} |")
    lines += [
        "",
        "## API 路由 × 角色",
        "",
        "所有路径都在 `/api/v1` 之下。",
        "",
        "| 方法 | 路径 | 所需权限 | " + " | ".join(f"`{role.value}`" for role in ROLES) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in ROLES) + " |",
    ]
    for api_route in sorted(ROUTES, key=lambda item: (item.path, item.method)):
        roles = api_route.roles
        cells = " | ".join(_mark(roles is None or role in roles) for role in ROLES)
        lines.append(f"| {api_route.method} | `{api_route.path}` | {api_route.permission_label} | {cells} |")
    lines += ["", SCOPING]
    return "\n".join(lines)


def write_permissions() -> None:
    PERMISSIONS_FILE.write_text(permissions_markdown(), encoding="utf-8")


if __name__ == "__main__":
    write_permissions()
