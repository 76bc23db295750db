from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Information governance: break-glass access, legal holds, retention"

    def ready(self) -> None:
        from core import access
        from governance import selectors

        # Break-glass access is checked on every lookup: it ends at its instant by itself.
        access.add_visibility_source("children.child", selectors.children_opened_in_emergency)
