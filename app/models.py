"""Imports every domain's models so the metadata (and Alembic) knows all tables."""

from .audits.models import (  # noqa: F401
    ControlTest,
    Deviation,
    Engagement,
    EngagementComment,
    EngagementMember,
    ObjectiveExclusion,
    Population,
    Sample,
    SampleItem,
)
from .auth.models import (  # noqa: F401
    ApiToken,
    RecoveryCode,
    RolePolicy,
    SecurityEvent,
    User,
    UserSession,
)
from .catalogue.models import Catalogue, Control, ControlGroup, ControlMapping, SoAEntry  # noqa: F401
from .evidence.models import Evidence, EvidenceRequest, EvidenceVersion  # noqa: F401
from .firms.models import AuditFirm, AuditFirmMember  # noqa: F401
from .governance import models as governance_models  # noqa: F401
from .incidents.models import CorrectiveAction, Incident, IncidentController, Submission  # noqa: F401
from .ledger.models import LedgerEntry, LedgerHead  # noqa: F401
from .notifications import models as notification_models  # noqa: F401
from .reports.models import (  # noqa: F401
    ExportBundle,
    IssuedReport,
    ObjectiveOpinion,
    OrganisationProfile,
    ReportSignature,
    ReportText,
)
from .saved_filters.models import SavedFilter  # noqa: F401
from .vendors.models import (  # noqa: F401
    AuditorStatement,
    ChangeNotice,
    FollowUp,
    Objection,
    StatementObservation,
    SubProcessor,
    Transfer,
)
