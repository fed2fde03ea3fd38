"""Imports every model so that metadata, migrations and relationship strings see them all."""

from inspect_loop.assignments.models import (  # noqa: F401
    Assignment,
    AssignmentFinding,
    AssignmentReceipt,
    CloseOut,
    RecipientRole,
    SignOff,
)
from inspect_loop.audit.models import Event  # noqa: F401
from inspect_loop.caching.models import DataVersion  # noqa: F401
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage, StartReason  # noqa: F401
from inspect_loop.deadline_extensions.models import ExtensionFinding, ExtensionRequest, ExtensionStatus  # noqa: F401
from inspect_loop.enforcement.models import (  # noqa: F401
    ActionKind,
    EnforcementAction,
    EnforcementDepartment,
    ReferralFeedback,
)
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureItemFinding, ExposureStatus  # noqa: F401
from inspect_loop.hazards.models import DayBasis, HazardType, Severity  # noqa: F401
from inspect_loop.inspections.models import (  # noqa: F401
    CloseKind,
    Finding,
    FindingDeadline,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionMember,
    InspectionPlan,
    InspectionPlanMember,
    Photo,
    PlanStatus,
    Rectification,
    Verification,
)
from inspect_loop.interviews.models import (  # noqa: F401
    InterviewRound,
    InterviewRoundDepartment,
    Summons,
    TrainingKind,
    TrainingSession,
)
from inspect_loop.letters.models import (  # noqa: F401
    Document,
    DocumentCheck,
    DocumentCounter,
    DocumentKind,
    DocumentService,
    DocumentStatus,
    ServiceMethod,
)
from inspect_loop.regions.models import (  # noqa: F401
    Department,
    DepartmentKind,
    DepartmentSector,
    ExtensionDecider,
    Region,
    RegionLevel,
)
from inspect_loop.units.models import Unit, UnitStatus  # noqa: F401
from inspect_loop.users.models import ApiToken, Role, User  # noqa: F401
from inspect_loop.watch_list.models import WatchListEntry, WatchReason  # noqa: F401
