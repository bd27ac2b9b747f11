"""Sub-processors (ISAE objective F) and transfers to third countries (objective G).

The register, yearly auditor's statements, risk-based follow-ups, change notices with the
controllers' objections; pure date rules in rules.py, country data in countries.yaml.
"""


def register() -> None:
    """Hook the register into the shared registries; safe to call repeatedly.

    The navigation entry, the dashboard tile, the demo data, the setup step that keeps stored
    due dates in line with the policy, and the files kept in the evidence store.
    """
    from flask_babel import lazy_gettext as _l

    from ..auth.permissions import Permission
    from ..dashboard.service import CONTRIBUTORS
    from ..demo import DEMO_STEPS, SETUP_STEPS
    from ..templating import NAVIGATION, NavItem
    from .cli import refresh_on_setup
    from .demo import seed_subprocessors
    from .views import dashboard_section

    for registry, hook in ((CONTRIBUTORS, dashboard_section), (DEMO_STEPS, seed_subprocessors),
                           (SETUP_STEPS, refresh_on_setup)):
        if hook not in registry:
            registry.append(hook)
    from ..notifications.providers import register_provider
    from . import deadline_provider

    register_provider(deadline_provider.subprocessor_deadlines, deadline_provider.kinds())
    if not any(item.endpoint == "vendors.list_subprocessors" for item in NAVIGATION):
        NAVIGATION.append(NavItem(_l("Sub-processors"), "vendors.list_subprocessors",
                                  Permission.VIEW_SUBPROCESSORS, "/subprocessors"))
