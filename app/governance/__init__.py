"""Governance registers: governing documents, risks and the technology gate, dispensations.

Documents and their annual review, risk assessments with the new-technology gate, dispensations
and emergency deviations (security policy §5, §8–§10, §13, §15).
"""


def register() -> None:
    """Hook governance into the shared registries; safe to call repeatedly.

    The control page and dashboard sections, the SoA notes, the demo data, the navigation
    entry, and the evidence files its minutes and versions are (already evidence: nothing to add
    to the store's sources).
    """
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import Permission
    from ..catalogue.service import SOA_NOTES
    from ..catalogue.views import CONTROL_SECTIONS
    from ..dashboard.service import CONTRIBUTORS
    from ..demo import DEMO_STEPS
    from ..templating import NAVIGATION, NavItem
    from .demo import seed_governance
    from .views import control_section, dashboard_section, soa_notes

    for registry, hook in ((CONTROL_SECTIONS, control_section),
                           (CONTRIBUTORS, dashboard_section), (SOA_NOTES, soa_notes),
                           (DEMO_STEPS, seed_governance)):
        if hook not in registry:
            registry.append(hook)
    from ..notifications.providers import register_provider
    from . import deadline_provider

    register_provider(deadline_provider.governance_deadlines, deadline_provider.kinds())
    if not any(item.endpoint == "governance.list_documents" for item in NAVIGATION):
        NAVIGATION.append(NavItem(_l("Governance"), "governance.list_documents",
                                  Permission.VIEW_GOVERNANCE, "/governance"))
