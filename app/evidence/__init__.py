"""Evidence: files, links and notes for controls; validity, coverage, requests and the API.

Files are content-addressed and verified on every read (storage.py).
"""


def register() -> None:
    """Hook evidence into the shared registries; safe to call repeatedly.

    The control page and dashboard sections, the catalogue's attachment check, the demo data
    and the navigation entry.
    """
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import Permission
    from ..catalogue import cli as _catalogue_cli  # noqa: F401  (its demo step, which assigns

    # control owners, must run before the evidence demo: importing it registers it first)
    from ..catalogue.sync import ATTACHMENT_CHECKS
    from ..catalogue.views import CONTROL_SECTIONS
    from ..dashboard.service import CONTRIBUTORS
    from ..demo import DEMO_STEPS
    from ..templating import NAVIGATION, NavItem
    from .demo import seed_evidence
    from .queries import controls_with_evidence
    from .views import control_section, dashboard_section

    for registry, hook in ((CONTROL_SECTIONS, control_section),
                           (CONTRIBUTORS, dashboard_section),
                           (ATTACHMENT_CHECKS, controls_with_evidence),
                           (DEMO_STEPS, seed_evidence)):
        if hook not in registry:
            registry.append(hook)
    from ..notifications.providers import register_provider
    from . import deadline_provider

    register_provider(deadline_provider.evidence_deadlines, deadline_provider.kinds())
    if not any(item.endpoint == "evidence.list_evidence" for item in NAVIGATION):
        entry = NavItem(_l("Evidence"), "evidence.list_evidence", Permission.VIEW_EVIDENCE,
                        "/evidence")
        # After the catalogue's entries, whichever order the domains register in.
        after = [i for i, item in enumerate(NAVIGATION) if item.endpoint.startswith("catalogue.")]
        NAVIGATION.insert(after[-1] + 1 if after else len(NAVIGATION), entry)
