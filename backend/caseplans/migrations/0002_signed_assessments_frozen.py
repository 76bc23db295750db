"""A signed risk assessment is immutable in the database itself, not only in the services.

Triggers refuse any change to a signed assessment's status, dates, signature, plan or the
assessment it supersedes, and any new item or changed score, domain or assessment of an
item of a signed assessment. Encrypted text (the summary, mitigations) may still be
re-encrypted under a new key by ``rotate_encryption_keys``: rotation rewrites ciphertext
without changing what it says.
"""

from django.db import migrations

# The columns a signed assessment keeps: status, dates, signature, plan, what it supersedes.
SQLITE_INSTALL = [
    """CREATE TRIGGER caseplans_signed_assessment_no_update
    BEFORE UPDATE ON caseplans_riskassessment
    WHEN OLD.status = 'signed' AND (
        NEW.status IS NOT OLD.status
        OR NEW.next_review_date IS NOT OLD.next_review_date
        OR NEW.signed_at IS NOT OLD.signed_at
        OR NEW.signed_by_id IS NOT OLD.signed_by_id
        OR NEW.supersedes_id IS NOT OLD.supersedes_id
        OR NEW.plan_id IS NOT OLD.plan_id)
    BEGIN SELECT RAISE(ABORT, 'a signed risk assessment cannot change'); END""",
    """CREATE TRIGGER caseplans_signed_item_no_update
    BEFORE UPDATE ON caseplans_riskitem
    WHEN (SELECT status FROM caseplans_riskassessment WHERE id = OLD.assessment_id) = 'signed'
    AND (
        NEW.assessment_id IS NOT OLD.assessment_id
        OR NEW.domain IS NOT OLD.domain
        OR NEW.likelihood IS NOT OLD.likelihood
        OR NEW.severity IS NOT OLD.severity
        OR NEW.residual_likelihood IS NOT OLD.residual_likelihood
        OR NEW.residual_severity IS NOT OLD.residual_severity)
    BEGIN SELECT RAISE(ABORT, 'a signed risk assessment cannot change'); END""",
    """CREATE TRIGGER caseplans_signed_item_no_insert
    BEFORE INSERT ON caseplans_riskitem
    WHEN (SELECT status FROM caseplans_riskassessment WHERE id = NEW.assessment_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, 'a signed risk assessment cannot change'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS caseplans_signed_assessment_no_update",
    "DROP TRIGGER IF EXISTS caseplans_signed_item_no_update",
    "DROP TRIGGER IF EXISTS caseplans_signed_item_no_insert",
]

# restrict_violation surfaces as IntegrityError, as SQLite's RAISE(ABORT) does.
POSTGRES_INSTALL = [
    """CREATE FUNCTION caseplans_signed_assessment_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'signed' AND (
            NEW.status, NEW.next_review_date, NEW.signed_at, NEW.signed_by_id,
            NEW.supersedes_id, NEW.plan_id
        ) IS DISTINCT FROM (
            OLD.status, OLD.next_review_date, OLD.signed_at, OLD.signed_by_id,
            OLD.supersedes_id, OLD.plan_id
        ) THEN
            RAISE EXCEPTION 'a signed risk assessment cannot change'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER caseplans_signed_assessment_no_update
    BEFORE UPDATE ON caseplans_riskassessment
    FOR EACH ROW EXECUTE FUNCTION caseplans_signed_assessment_frozen()""",
    """CREATE FUNCTION caseplans_signed_item_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF (SELECT status FROM caseplans_riskassessment WHERE id = NEW.assessment_id)
                = 'signed'
            THEN
                RAISE EXCEPTION 'a signed risk assessment cannot change'
                    USING ERRCODE = 'restrict_violation';
            END IF;
        ELSIF (SELECT status FROM caseplans_riskassessment WHERE id = OLD.assessment_id)
                = 'signed'
            AND (
                NEW.assessment_id, NEW.domain, NEW.likelihood, NEW.severity,
                NEW.residual_likelihood, NEW.residual_severity
            ) IS DISTINCT FROM (
                OLD.assessment_id, OLD.domain, OLD.likelihood, OLD.severity,
                OLD.residual_likelihood, OLD.residual_severity
            )
        THEN
            RAISE EXCEPTION 'a signed risk assessment cannot change'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER caseplans_signed_item_frozen
    BEFORE INSERT OR UPDATE ON caseplans_riskitem
    FOR EACH ROW EXECUTE FUNCTION caseplans_signed_item_frozen()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS caseplans_signed_item_frozen ON caseplans_riskitem",
    "DROP FUNCTION IF EXISTS caseplans_signed_item_frozen()",
    "DROP TRIGGER IF EXISTS caseplans_signed_assessment_no_update ON caseplans_riskassessment",
    "DROP FUNCTION IF EXISTS caseplans_signed_assessment_frozen()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"No signed-assessment triggers for the {vendor} database.")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("caseplans", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}),
            _run({"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}),
        )
    ]
